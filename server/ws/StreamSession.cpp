#include "server/ws/StreamSession.h"

#include "server/core/Logging.h"
#include "server/core/SessionRegistry.h"

#include <QDateTime>
#include <QWebSocket>

namespace Tincan::Server {

namespace {
// Close codes in the private-use range (4000-4999); documented in docs/protocol.md.
constexpr int CloseIdle = 4000;
constexpr int CloseBadFrame = 4400;
constexpr int CloseRevoked = 4401;
constexpr int CloseReplaced = 4409;
} // namespace

StreamSession::StreamSession(std::unique_ptr<QWebSocket> socket, AuthContext auth,
                             MessageStore &store, SessionRegistry &registry, qint64 window,
                             qint64 maxFrameBytes, int idleTimeoutSeconds, QObject *parent)
    : QObject(parent)
    , m_socket(std::move(socket))
    , m_auth(std::move(auth))
    , m_store(store)
    , m_registry(registry)
    , m_window(window)
    , m_idleTimeoutMs(idleTimeoutSeconds * 1000)
{
    m_socket->setParent(nullptr);
    m_socket->setMaxAllowedIncomingMessageSize(static_cast<quint64>(maxFrameBytes));
    m_socket->setMaxAllowedIncomingFrameSize(static_cast<quint64>(maxFrameBytes));
    connect(m_socket.get(), &QWebSocket::textMessageReceived, this, &StreamSession::onTextMessage);
    connect(m_socket.get(), &QWebSocket::binaryMessageReceived, this, [this] {
        closeWith(CloseBadFrame, QStringLiteral("binary frames are not part of the protocol"));
    });
    connect(m_socket.get(), &QWebSocket::disconnected, this, &QObject::deleteLater);
}

StreamSession::~StreamSession()
{
    m_registry.remove(m_auth.deviceId, this);
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

void StreamSession::start()
{
    m_lastActivityMs = QDateTime::currentMSecsSinceEpoch();
    // Register before reading the inbox: anything stored after this point is also published to
    // us, anything stored before is in the inbox; the id check drops what arrives both ways.
    m_registry.add(m_auth.deviceId, this);
    m_socket->sendTextMessage(
        QString::fromUtf8(Protocol::helloFrame(m_auth.username, m_auth.deviceId)));
    fetchPage();
}

void StreamSession::fetchPage()
{
    const qint64 room = m_window - m_unacked.size();
    if (room <= 0 || m_closing) {
        return;
    }
    const QList<Protocol::Envelope> page = m_store.pending(m_auth.deviceId, m_lastSentId, room);
    for (const Protocol::Envelope &envelope : page) {
        push(envelope);
    }
    if (page.size() < room && m_catchingUp) {
        m_catchingUp = false;
        m_socket->sendTextMessage(QString::fromUtf8(Protocol::syncedFrame()));
    }
}

void StreamSession::push(const Protocol::Envelope &envelope)
{
    m_lastSentId = envelope.id;
    m_unacked.insert(envelope.id);
    m_socket->sendTextMessage(QString::fromUtf8(Protocol::envelopeFrame(envelope)));
}

void StreamSession::deliverLive(const Protocol::Envelope &envelope)
{
    if (m_closing || m_catchingUp || envelope.id <= m_lastSentId) {
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
    if (!m_closing) {
        m_socket->sendTextMessage(QString::fromUtf8(Protocol::sentFrame(receipt)));
    }
}

void StreamSession::sendFrame(const QByteArray &frame)
{
    if (!m_closing) {
        m_socket->sendTextMessage(QString::fromUtf8(frame));
    }
}

void StreamSession::onTextMessage(const QString &text)
{
    m_lastActivityMs = QDateTime::currentMSecsSinceEpoch();
    auto frame = Protocol::parseClientFrame(text.toUtf8());
    if (!frame) {
        m_socket->sendTextMessage(QString::fromUtf8(Protocol::errorFrame(frame.error())));
        return;
    }
    if (frame->type == Protocol::ClientFrame::Type::Ping) {
        m_socket->sendTextMessage(QString::fromUtf8(Protocol::pongFrame()));
        return;
    }
    for (const qint64 id : frame->ids) {
        m_unacked.remove(id);
    }
    m_store.acknowledge(m_auth.deviceId, frame->ids, [](Protocol::Result<qint64> result) {
        if (!result) {
            qCWarning(lcServerStream) << "ack not stored:" << result.error().message;
        }
    });
    if (m_ackObserver) {
        m_ackObserver(m_auth, frame->ids);
    }
    if (m_catchingUp && m_unacked.size() <= m_window / 2) {
        fetchPage();
    }
}

void StreamSession::checkIdle(qint64 nowMs)
{
    if (!m_closing && nowMs - m_lastActivityMs > m_idleTimeoutMs) {
        closeWith(CloseIdle, QStringLiteral("no heartbeat"));
    }
}

void StreamSession::closeRevoked()
{
    m_socket->sendTextMessage(QString::fromUtf8(Protocol::errorFrame(
        Protocol::ApiError::unauthenticated(QStringLiteral("This device was revoked.")))));
    closeWith(CloseRevoked, QStringLiteral("device revoked"));
}

void StreamSession::closeReplaced()
{
    closeWith(CloseReplaced, QStringLiteral("replaced by a newer connection of this device"));
}

void StreamSession::closeForShutdown()
{
    closeWith(static_cast<int>(QWebSocketProtocol::CloseCodeGoingAway),
              QStringLiteral("server shutting down"));
}

void StreamSession::closeWith(int code, const QString &reason)
{
    if (m_closing) {
        return;
    }
    m_closing = true;
    m_registry.remove(m_auth.deviceId, this);
    m_socket->close(static_cast<QWebSocketProtocol::CloseCode>(code), reason);
}

} // namespace Tincan::Server
