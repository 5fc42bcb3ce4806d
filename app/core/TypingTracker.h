#pragma once

#include "shared/protocol/Frames.h"

#include <QHash>
#include <QObject>
#include <QString>

class QTimer;

namespace Tincan::Client {

//! Who is typing where, as the server relays it, and when to tell the server about our own
//! typing. Main thread (the core's).
//!
//! Receiving: a "started" shows the user typing until a "stopped", until their message
//! arrives, until the stream drops, or by itself after expiryMs() without a refresh (the
//! sender's client refreshes every SendIntervalMs while the user types; a lost "stopped" must
//! not leave the indicator on for ever).
//!
//! Sending: shouldSend() lets a "started" through at most every SendIntervalMs per
//! conversation, however often the user presses a key, and a "stopped" only after a "started".
class TypingTracker : public QObject
{
    Q_OBJECT

public:
    //! A "started" shows for this long unless refreshed or stopped.
    static constexpr int DefaultExpiryMs = 6000;
    //! How often a "started" is repeated while the user keeps typing (the server relays at
    //! most one per 2 s per conversation).
    static constexpr qint64 SendIntervalMs = 3000;

    explicit TypingTracker(QObject *parent = nullptr);

    void setExpiryMs(int ms) { m_expiryMs = ms; }
    int expiryMs() const { return m_expiryMs; }

    //! A typing frame from the server.
    void received(const Protocol::TypingEvent &event);
    //! `user` is no longer typing in `conversation` (their message arrived).
    void clear(const QString &conversation, const QString &user);
    //! Everyone stops (the stream dropped: no refresh or stop can arrive).
    void clearAll();

    //! Whether our own typing state for `conversation` is worth a frame now; records it if so.
    bool shouldSend(const QString &conversation, bool typing, qint64 nowMs);
    //! Forgets what we sent (a new connection starts afresh).
    void resetSent() { m_sent.clear(); }

Q_SIGNALS:
    void typingChanged(const QString &conversation, const QString &user, bool typing);

private:
    static QString key(const QString &conversation, const QString &user);

    int m_expiryMs = DefaultExpiryMs;
    QHash<QString, QTimer *> m_expiry; //!< "conversation\nuser" -> its expiry timer.
    QHash<QString, qint64> m_sent;     //!< Conversation -> when our last "started" was sent.
};

} // namespace Tincan::Client
