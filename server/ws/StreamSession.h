#pragma once

#include "server/store/Stores.h"
#include "server/ws/WebSocketCodec.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>

namespace Tincan::Server {

class PresenceService;
class SessionRegistry;
class StreamMailbox;
class StreamTransport;

//! One authenticated device's /v1/stream connection. Lives on its worker thread.
//!
//! Transport: the connection after the HTTP upgrade (a StreamTransport: a Qt socket, or our
//! own TLS on the descriptor), with the WebSocket framing done here (WebSocket::Reader and
//! WebSocket::appendFrame): each frame is one write of bytes made once per message, not a
//! QWebSocket per connection with its own buffers and signals. The session owns the transport.
//!
//! Delivery state machine: the session first replays the device's inbox from the store in
//! pages ("catching up"); once a page comes back short it switches to live mode, where stored
//! envelopes are pushed as they are published. At most `window` envelopes are unacknowledged;
//! when the window is full the session falls back to catching up from the store, so a slow
//! device never makes the server buffer without bound. Envelopes come from two sources, each in
//! an order that only grows (inbox entries by slot, group-log messages by id, InboxPosition):
//! anything at or before the position pushed so far is a duplicate and is skipped.
//!
//! Presence: the device counts as online ("live") from hello until no frame arrived for the
//! presence timeout, and again from its next frame (PresenceService). Typing frames are
//! coalesced per conversation: at most one "started" per TypingRefreshMs is relayed, and a
//! "stopped" only after a relayed "started"; the rest is dropped silently.
class StreamSession : public QObject
{
    Q_OBJECT

public:
    //! The shortest time between two relayed "started" frames of one conversation.
    static constexpr qint64 TypingRefreshMs = 2000;

    //! `pending`: bytes that arrived after the upgrade request, before the session existed.
    StreamSession(StreamTransport *transport, QByteArray pending, AuthContext auth,
                  MessageStore &store, SessionRegistry &registry, PresenceService &presence,
                  StreamMailbox &mailbox, qint64 window, qint64 maxFrameBytes,
                  int idleTimeoutSeconds, int receiptDelayMs, QObject *parent = nullptr);
    ~StreamSession() override;

    // Worker thread.
    void start();
    void deliverLive(const Protocol::Envelope &envelope);
    void sendReceipt(const Protocol::SendReceipt &receipt);
    void sendFrame(const QByteArray &frame);
    //! Keeps a receipt change for up to the receipt delay (stream/receipt_delay_ms), merged with
    //! the others that come meanwhile for the same conversation and user (positions only grow);
    //! then flushReceipts().
    void queueReceipt(const Protocol::ReceiptState &state);
    //! Sends the kept receipt changes in as few frames as it can (Protocol::receiptsFrame).
    void flushReceipts();

    //! Where publications for this session are posted (its thread's mailbox).
    StreamMailbox &mailbox() const { return m_mailbox; }
    //! Called with each ACK after it was handed to the store (receipts): the envelopes this
    //! stream pushed, and the other ids.
    using AckObserver = std::function<void(const AuthContext &, const QList<PushedEnvelope> &,
                                           const QList<qint64> &)>;
    void setAckObserver(AckObserver observer) { m_ackObserver = std::move(observer); }
    //! A peer's presence changed; an update older than one already sent is dropped.
    void sendPresence(const Protocol::PresenceUpdate &update, qint64 version);
    void sendTyping(const Protocol::TypingEvent &event);
    void closeRevoked();
    void closeReplaced();
    //! Closes the stream when nothing arrived for the idle timeout; stops counting the device
    //! as online when nothing arrived for the presence timeout.
    void checkIdle(qint64 nowMs);
    //! Graceful close at server shutdown.
    void closeForShutdown();

    qint64 deviceId() const { return m_auth.deviceId; }

private:
    void onBytes(QByteArrayView bytes);
    void onTextMessage(const QByteArray &text);
    //! Writes a text frame of `json` (nothing once closing).
    void sendText(const QByteArray &json);
    void writeFrame(const QByteArray &frame);
    void fetchPage();
    void push(const Protocol::Envelope &envelope);
    void closeWith(int code, const QString &reason);
    void onTyping(const Protocol::TypingEvent &event);
    //! Leaves the registry (once), telling presence unless the server is shutting down.
    void unregister(bool announce);

    StreamTransport *m_transport; //!< Child.
    bool m_transportClosed = false;
    QByteArray m_pending; //!< Read before start(); consumed there.
    WebSocket::Reader m_reader;
    QTimer *m_closeTimer = nullptr; //!< Bounds the wait for the peer's close frame.
    AuthContext m_auth;
    MessageStore &m_store;
    SessionRegistry &m_registry;
    PresenceService &m_presence;
    StreamMailbox &m_mailbox;
    qint64 m_window;
    int m_idleTimeoutMs;
    //! How long a receipt change waits for others: the 99 members of a group ACK a message
    //! within about Protocol::AckDelayMs of each other, and their changes reach the sender as
    //! one frame instead of 99.
    int m_receiptDelayMs;
    qint64 m_lastActivityMs = 0;
    InboxPosition m_sent; //!< How far envelopes were pushed (catch-up and live alike).
    QHash<qint64, PushedEnvelope> m_unacked; //!< Pushed, not acknowledged yet; by id.
    bool m_catchingUp = true;
    bool m_closing = false;
    AckObserver m_ackObserver;
    bool m_live = false;                       //!< Counted for presence.
    bool m_registered = false;                 //!< In the registry.
    QHash<QString, qint64> m_presenceVersions; //!< User -> version of the last update sent.
    struct TypingState
    {
        qint64 startedMs = 0; //!< When the last relayed "started" was.
        bool typing = false;  //!< The last relayed state.
    };
    QHash<QString, TypingState> m_typing; //!< Conversation -> what was relayed.
    //! Receipt changes not sent yet, in the order they came; merged by conversation and user.
    QList<Protocol::ReceiptState> m_receipts;
    QHash<QPair<QString, QString>, qsizetype> m_receiptIndex; //!< (conversation, user) -> index
    QTimer *m_receiptTimer = nullptr;
};

} // namespace Tincan::Server
