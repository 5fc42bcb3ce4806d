#pragma once

#include "shared/protocol/Envelope.h"
#include "shared/protocol/Frames.h"

#include <QList>
#include <QObject>
#include <QSet>

#include <mutex>
#include <variant>

namespace Tincan::Server {

class StreamSession;

//! Hands envelopes and receipt changes to the StreamSessions of one connection thread in
//! batches: whoever publishes (the writer thread after a commit, mostly) posts a whole list at
//! once, and the thread wakes once for it, not once per device and message. A fan-out round to
//! the 99 member devices of a group is one post per connection thread.
//!
//! Receipt changes wait in their session for StreamSession::ReceiptDelayMs and go out merged,
//! in one frame: the 99 members' ACKs of a message make one "receipts" frame to its sender.
//!
//! Sessions attach and detach on the mailbox's thread. A posted item names its session and
//! device; an item whose session has gone meanwhile is dropped (the data is durable, and the
//! device's next connection replays it from the store).
class StreamMailbox : public QObject
{
    Q_OBJECT

public:
    struct Item
    {
        StreamSession *session = nullptr;
        qint64 deviceId = 0;
        std::variant<Protocol::Envelope, Protocol::ReceiptState> what;
    };

    explicit StreamMailbox(QObject *parent = nullptr);
    ~StreamMailbox() override;

    //! Any thread.
    void post(QList<Item> items);

    // The mailbox's thread.
    void attach(StreamSession *session);
    void detach(StreamSession *session);

private:
    void drain();

    std::mutex m_mutex;
    QList<Item> m_queue;   //!< Guarded by m_mutex.
    bool m_posted = false; //!< A drain is queued; guarded by m_mutex.
    QSet<StreamSession *> m_sessions;
};

} // namespace Tincan::Server
