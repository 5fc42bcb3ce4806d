#include "server/ws/StreamSession.h"

#include "server/core/Logging.h"
#include "server/core/PresenceService.h"
#include "server/core/SessionRegistry.h"
#include "server/ws/StreamMailbox.h"
#include "server/ws/StreamTransport.h"

#include <QDateTime>

namespace Tincan::Server {

namespace {
// Close codes in the private-use range (4000-4999); documented in docs/protocol.md.
constexpr int CloseIdle = 4000;
constexpr int CloseBadFrame = 4400;
constexpr int CloseRevoked = 4401;
constexpr int CloseReplaced = 4409;

//! Typing state kept per device: a device typing in more conversations than this at once
//! starts over (forgetting only what limits relaying).
constexpr qsizetype MaxTypingConversations = 256;

//! How long a closing stream waits for the peer's close frame before cutting the connection.
constexpr int CloseWaitMs = 5000;
} // namespace

StreamSession::StreamSession(StreamTransport *transport, QByteArray pending, AuthContext auth,
                             MessageStore &store, SessionRegistry &registry,
                             PresenceService &presence, StreamMailbox &mailbox, qint64 window,
                             qint64 maxFrameBytes, int idleTimeoutSeconds, int receiptDelayMs,
                             QObject *parent)
    : QObject(parent)
    , m_transport(transport)
    , m_pending(std::move(pending))
    , m_reader(maxFrameBytes)
    , m_auth(std::move(auth))
    , m_store(store)
    , m_registry(registry)
    , m_presence(presence)
    , m_mailbox(mailbox)
    , m_window(window)
    , m_idleTimeoutMs(idleTimeoutSeconds * 1000)
    , m_receiptDelayMs(receiptDelayMs)
{
    m_transport->setParent(this);
    connect(m_transport, &StreamTransport::received, this,
            [this](const QByteArray &bytes) { onBytes(bytes); });
    connect(m_transport, &StreamTransport::closed, this, [this] {
        m_transportClosed = true;
        deleteLater();
    });
    m_mailbox.attach(this);
}

StreamSession::~StreamSession()
{
    m_mailbox.detach(this);
    unregister(true);
    m_transport->disconnect(this);
    m_transport->abort();
}

void StreamSession::onBytes(QByteArrayView bytes)
{
    if (bytes.isEmpty() || m_reader.finished()) {
        return;
    }
    QList<WebSocket::Reader::Event> events;
    m_reader.feed(bytes, events);
    using Kind = WebSocket::Reader::Event::Kind;
    for (WebSocket::Reader::Event &event : events) {
        if (m_transportClosed) {
            return;
        }
        switch (event.kind) {
        case Kind::Text:
            if (!m_closing) {
                onTextMessage(event.data);
            }
            break;
        case Kind::Binary:
            closeWith(CloseBadFrame, QStringLiteral("binary frames are not part of the protocol"));
            break;
        case Kind::Ping:
            // Control frames are answered even while closing; the pong counts as activity.
            m_lastActivityMs = QDateTime::currentMSecsSinceEpoch();
            writeFrame(WebSocket::frame(WebSocket::Opcode::Pong, event.data));
            break;
        case Kind::Pong:
            m_lastActivityMs = QDateTime::currentMSecsSinceEpoch();
            break;
        case Kind::Close:
            // The peer closes (or answers our close): echo its code once, then end the
            // connection from our side (RFC 6455 §7.1.1: the server closes TCP first).
            if (!m_closing) {
                m_closing = true;
                unregister(true);
                const int code =
                    event.code == WebSocket::CloseNoStatus ? WebSocket::CloseNormal : event.code;
                writeFrame(
                    WebSocket::frame(WebSocket::Opcode::Close, WebSocket::closePayload(code, {})));
            }
            m_transport->close();
            return;
        case Kind::Error:
            closeWith(event.code, event.reason);
            return;
        }
    }
}

void StreamSession::writeFrame(const QByteArray &frame)
{
    if (!m_transportClosed) {
        m_transport->write(frame);
    }
}

void StreamSession::sendText(const QByteArray &json)
{
    if (!m_closing) {
        writeFrame(WebSocket::frame(WebSocket::Opcode::Text, json));
    }
}

void StreamSession::start()
{
    m_lastActivityMs = QDateTime::currentMSecsSinceEpoch();
    // Register before reading the inbox: anything stored after this point is also published to
    // us, anything stored before is in the inbox; the position check drops what arrives both ways.
    m_registry.add(m_auth.userId, m_auth.deviceId, this);
    m_registered = true;
    sendText(Protocol::helloFrame(m_auth.username, m_auth.deviceId, m_presence.heartbeatSeconds()));
    m_live = true;
    m_presence.deviceLive(m_auth, this);
    fetchPage();
    // Frames the client sent right behind its upgrade request.
    onBytes(std::exchange(m_pending, {}));
}

void StreamSession::unregister(bool announce)
{
    if (!m_registered) {
        return;
    }
    m_registered = false;
    // A device that was live is seen until now; an idle one was last seen at its last frame.
    const qint64 lastActive = m_live ? QDateTime::currentMSecsSinceEpoch() : m_lastActivityMs;
    m_live = false;
    m_presence.deviceClosed(m_auth, this, lastActive, announce);
}

void StreamSession::fetchPage()
{
    const qint64 room = m_window - m_unacked.size();
    if (room <= 0 || m_closing) {
        return;
    }
    const QList<Protocol::Envelope> page = m_store.pending(m_auth.deviceId, m_sent, room);
    for (const Protocol::Envelope &envelope : page) {
        push(envelope);
    }
    if (page.size() < room && m_catchingUp) {
        m_catchingUp = false;
        sendText(Protocol::syncedFrame());
    }
}

namespace {

//! The WebSocket frame of an envelope, made once per message where it can be: a group message
//! reaches every member device with the same frame (unless each has its own sender key), and
//! one worker thread pushes it to all of its sessions one after the other. Per thread, so no
//! lock.
const QByteArray &envelopeWebSocketFrame(const Protocol::Envelope &envelope)
{
    struct Last
    {
        qint64 id = 0;
        QByteArray payload;
        QByteArray senderKey;
        QByteArray frame;
    };
    thread_local Last last;
    // What differs between a message's copies: the payload (direct messages: one ciphertext per
    // device) and the sender key; everything else in the frame is the message's.
    if (envelope.id != last.id || envelope.payload != last.payload ||
        envelope.senderKey != last.senderKey || !envelope.event.isEmpty()) {
        last.frame = WebSocket::frame(WebSocket::Opcode::Text, Protocol::envelopeFrame(envelope));
        last.id = envelope.event.isEmpty() ? envelope.id : 0;
        last.payload = envelope.payload;
        last.senderKey = envelope.senderKey;
    }
    return last.frame;
}

} // namespace

void StreamSession::push(const Protocol::Envelope &envelope)
{
    m_sent.advance(envelope);
    // What settling its ACK takes, so that the store need not look the message up again.
    m_unacked.insert(envelope.id, PushedEnvelope{envelope.id, envelope.slot, envelope.conversation,
                                                 envelope.seq, !envelope.senderKey.isEmpty(),
                                                 envelope.event.isEmpty() &&
                                                     envelope.fromUser != m_auth.username});
    writeFrame(envelopeWebSocketFrame(envelope));
}

void StreamSession::deliverLive(const Protocol::Envelope &envelope)
{
    if (m_closing || m_catchingUp || m_sent.covers(envelope)) {
        return; // In the store: the catch-up reads it (or it was already pushed).
    }
    if (m_unacked.size() >= m_window) {
        m_catchingUp = true; // Window full: continue from the store once ACKs arrive.
        return;
    }
    push(envelope);
}

void StreamSession::sendReceipt(const Protocol::SendReceipt &receipt)
{
    sendText(Protocol::sentFrame(receipt));
}

void StreamSession::sendFrame(const QByteArray &frame)
{
    sendText(frame);
}

void StreamSession::queueReceipt(const Protocol::ReceiptState &state)
{
    if (m_closing) {
        return;
    }
    if (!m_receiptTimer) {
        m_receiptTimer = new QTimer(this);
        m_receiptTimer->setSingleShot(true);
        m_receiptTimer->setInterval(m_receiptDelayMs);
        connect(m_receiptTimer, &QTimer::timeout, this, &StreamSession::flushReceipts);
    }
    if (m_receipts.isEmpty()) {
        m_receiptTimer->start();
    }
    const QPair<QString, QString> key(state.conversation, state.user);
    const auto it = m_receiptIndex.constFind(key);
    if (it == m_receiptIndex.cend()) {
        m_receiptIndex.insert(key, m_receipts.size());
        m_receipts.append(state);
        return;
    }
    Protocol::ReceiptState &kept = m_receipts[*it];
    kept.delivered = std::max(kept.delivered, state.delivered);
    kept.read = std::max(kept.read, state.read);
    kept.updatedAt = std::max(kept.updatedAt, state.updatedAt);
}

void StreamSession::flushReceipts()
{
    const QList<Protocol::ReceiptState> states = std::exchange(m_receipts, {});
    m_receiptIndex.clear();
    if (m_closing) {
        return;
    }
    for (qsizetype at = 0; at < states.size(); at += Protocol::MaxReceiptsPerFrame) {
        sendText(Protocol::receiptsFrame(states.mid(at, Protocol::MaxReceiptsPerFrame)));
    }
}

void StreamSession::sendPresence(const Protocol::PresenceUpdate &update, qint64 version)
{
    if (m_closing) {
        return;
    }
    qint64 &last = m_presenceVersions[update.user];
    if (version <= last) {
        return; // An older change that overtook a newer one between threads.
    }
    last = version;
    sendText(Protocol::presenceFrame(update));
}

void StreamSession::sendTyping(const Protocol::TypingEvent &event)
{
    sendText(Protocol::typingFrame(event));
}

void StreamSession::onTyping(const Protocol::TypingEvent &event)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const TypingState previous = m_typing.value(event.conversation);
    // Coalesce: a "started" refreshes the peer's indicator at most every TypingRefreshMs, and
    // a "stopped" only follows a "started" that was relayed.
    if (event.typing ? previous.typing && now - previous.startedMs < TypingRefreshMs
                     : !previous.typing) {
        return;
    }
    if (const auto error = m_presence.typing(m_auth, event)) {
        sendText(Protocol::errorFrame(*error));
        return;
    }
    if (m_typing.size() >= MaxTypingConversations && !m_typing.contains(event.conversation)) {
        m_typing.clear();
    }
    m_typing.insert(event.conversation,
                    TypingState{event.typing ? now : previous.startedMs, event.typing});
}

void StreamSession::onTextMessage(const QByteArray &text)
{
    m_lastActivityMs = QDateTime::currentMSecsSinceEpoch();
    if (!m_live && m_registered && !m_closing) {
        m_live = true;
        m_presence.deviceLive(m_auth, this);
    }
    auto frame = Protocol::parseClientFrame(text);
    if (!frame) {
        sendText(Protocol::errorFrame(frame.error()));
        return;
    }
    if (frame->type == Protocol::ClientFrame::Type::Ping) {
        sendText(Protocol::pongFrame());
        return;
    }
    if (frame->type == Protocol::ClientFrame::Type::Typing) {
        onTyping(frame->typing);
        return;
    }
    // Envelopes this stream pushed are settled from what it kept of them; any other id (an
    // envelope of an earlier connection, say) is looked up by the store.
    QList<PushedEnvelope> pushed;
    QList<qint64> others;
    for (const qint64 id : std::as_const(frame->ids)) {
        const auto it = m_unacked.constFind(id);
        if (it == m_unacked.cend()) {
            others.append(id);
        } else {
            pushed.append(*it);
            m_unacked.erase(it);
        }
    }
    const auto logFailure = [](Protocol::Result<qint64> result) {
        if (!result) {
            qCWarning(lcServerStream) << "ack not stored:" << result.error().message;
        }
    };
    if (!pushed.isEmpty()) {
        m_store.acknowledgePushed(m_auth.deviceId, pushed, logFailure);
    }
    if (!others.isEmpty()) {
        m_store.acknowledge(m_auth.deviceId, others, logFailure);
    }
    if (m_ackObserver) {
        m_ackObserver(m_auth, pushed, others);
    }
    if (m_catchingUp && m_unacked.size() <= m_window / 2) {
        fetchPage();
    }
}

void StreamSession::checkIdle(qint64 nowMs)
{
    if (m_closing) {
        return;
    }
    if (nowMs - m_lastActivityMs > m_idleTimeoutMs) {
        closeWith(CloseIdle, QStringLiteral("no heartbeat"));
        return;
    }
    if (m_live && nowMs - m_lastActivityMs > m_presence.offlineAfterMs()) {
        m_live = false;
        m_presence.deviceIdle(m_auth, this, m_lastActivityMs);
    }
}

void StreamSession::closeRevoked()
{
    sendText(Protocol::errorFrame(
        Protocol::ApiError::unauthenticated(QStringLiteral("This device was revoked."))));
    closeWith(CloseRevoked, QStringLiteral("device revoked"));
}

void StreamSession::closeReplaced()
{
    closeWith(CloseReplaced, QStringLiteral("replaced by a newer connection of this device"));
}

void StreamSession::closeForShutdown()
{
    unregister(false);
    closeWith(WebSocket::CloseGoingAway, QStringLiteral("server shutting down"));
}

void StreamSession::closeWith(int code, const QString &reason)
{
    if (m_closing) {
        return;
    }
    m_closing = true;
    unregister(true);
    if (m_transportClosed) {
        return;
    }
    writeFrame(WebSocket::frame(WebSocket::Opcode::Close, WebSocket::closePayload(code, reason)));
    if (m_reader.finished()) {
        // Nothing more will be read (a broken stream): no close frame to wait for.
        m_transport->close();
        return;
    }
    // Wait for the peer's close frame (onBytes), but not for ever.
    m_closeTimer = new QTimer(this);
    m_closeTimer->setSingleShot(true);
    connect(m_closeTimer, &QTimer::timeout, this, [this] { m_transport->abort(); });
    m_closeTimer->start(CloseWaitMs);
}

} // namespace Tincan::Server
