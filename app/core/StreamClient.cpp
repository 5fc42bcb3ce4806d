#include "app/core/StreamClient.h"

#include "app/core/CertificatePin.h"
#include "app/core/Logging.h"

#include <QDateTime>
#include <QNetworkRequest>
#include <QRandomGenerator>

namespace Tincan::Client {

namespace {
constexpr int HeartbeatMs = 30000;
constexpr int MinSilenceLimitMs = 10000;
constexpr int CloseRevoked = 4401;
constexpr int CloseReplaced = 4409;
} // namespace

StreamClient::StreamClient(QObject *parent)
    : QObject(parent)
{
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &StreamClient::openSocket);
    m_heartbeat.setInterval(HeartbeatMs);
    connect(&m_heartbeat, &QTimer::timeout, this, [this] {
        // Every ping is answered: two intervals (at least 10 s) without a frame mean the
        // connection is dead.
        if (QDateTime::currentMSecsSinceEpoch() - m_lastFrameMs >
            std::max<qint64>(2LL * m_heartbeat.interval(), MinSilenceLimitMs)) {
            qCInfo(lcNet) << "stream silent for too long; reconnecting";
            m_socket.abort();
            return;
        }
        m_socket.sendTextMessage(QString::fromUtf8(Protocol::pingFrame()));
    });
    connect(&m_socket, &QWebSocket::connected, this, [this] {
        m_connected = true;
        m_attempt = 0;
        m_lastFrameMs = QDateTime::currentMSecsSinceEpoch();
        m_heartbeat.start();
        Q_EMIT connected();
    });
    connect(&m_socket, &QWebSocket::disconnected, this, &StreamClient::onDisconnected);
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &StreamClient::onText);
}

StreamClient::~StreamClient()
{
    m_running = false;
    m_socket.disconnect(this);
    m_socket.abort();
}

void StreamClient::setHeartbeatInterval(int ms)
{
    m_forcedHeartbeatMs = ms;
    m_heartbeat.setInterval(ms > 0 ? ms : HeartbeatMs);
}

void StreamClient::setBackoff(int initialMs, int maxMs)
{
    m_initialBackoffMs = initialMs;
    m_maxBackoffMs = maxMs;
}

void StreamClient::setCertificatePin(CertificatePin *pin)
{
    m_pin = pin;
    m_pin->guard(&m_socket, &m_certificateError);
}

void StreamClient::start(const QUrl &url, const QByteArray &token)
{
    m_url = url;
    m_token = token;
    m_running = true;
    m_attempt = 0;
    openSocket();
}

void StreamClient::stop()
{
    m_running = false;
    m_reconnectTimer.stop();
    m_heartbeat.stop();
    m_socket.close();
}

void StreamClient::openSocket()
{
    if (!m_running) {
        return;
    }
    QNetworkRequest request(m_url);
    request.setRawHeader(QByteArrayLiteral("Authorization"), "Bearer " + m_token);
    m_certificateError.clear();
    if (m_url.scheme() == QLatin1String("wss")) {
        QSslConfiguration tls =
            m_pin ? CertificatePin::clientConfiguration() : m_socket.sslConfiguration();
        // This connection is for the stream only: the server may then serve it on its lean
        // path (docs/protocol.md §8). HTTP/1.1 too, which is what a server without that path
        // (an older one, or tls/stream_alpn=false) picks.
        tls.setAllowedNextProtocols(
            {QByteArray(Protocol::StreamAlpn), QByteArray(QSslConfiguration::NextProtocolHttp1_1)});
        m_socket.setSslConfiguration(tls);
    }
    m_socket.open(request);
}

void StreamClient::onDisconnected()
{
    const bool wasConnected = m_connected;
    m_connected = false;
    m_serverVersion = 0;
    m_heartbeat.stop();
    if (wasConnected) {
        Q_EMIT disconnected();
    }
    if (!m_certificateError.isEmpty()) {
        // Reconnecting would meet the same certificate; the user has to decide (the pin has
        // reported it).
        qCInfo(lcNet) << "stream stopped: the server's certificate does not match the pin";
        m_running = false;
        return;
    }
    if (m_socket.closeCode() == CloseRevoked) {
        m_running = false;
        Q_EMIT rejected(QStringLiteral("This device was revoked."));
        return;
    }
    if (m_socket.closeCode() == CloseReplaced) {
        // The same profile connected from elsewhere (another copy of the app): the newer one
        // wins, and we stop instead of knocking it off in turn.
        m_running = false;
        Q_EMIT rejected(
            QStringLiteral("This profile is now connected from another window or process."));
        return;
    }
    scheduleReconnect();
}

void StreamClient::scheduleReconnect()
{
    if (!m_running) {
        return;
    }
    // Exponential backoff with jitter: half the initial delay plus a random part up to the
    // exponential bound, so clients that lost the server together do not come back together.
    const int exponent = std::min(m_attempt, 16);
    const qint64 bound =
        std::min<qint64>(m_maxBackoffMs, static_cast<qint64>(m_initialBackoffMs) << exponent);
    const qint64 delay =
        m_initialBackoffMs / 2 + static_cast<qint64>(QRandomGenerator::global()->bounded(
                                     static_cast<double>(std::max<qint64>(1, bound))));
    ++m_attempt;
    m_reconnectTimer.start(static_cast<int>(std::min<qint64>(delay, m_maxBackoffMs)));
}

void StreamClient::sendAck(const QList<qint64> &ids)
{
    if (m_connected && !ids.isEmpty()) {
        m_socket.sendTextMessage(QString::fromUtf8(Protocol::ackFrame(ids)));
    }
}

bool StreamClient::sendPing()
{
    if (!m_connected) {
        return false;
    }
    m_socket.sendTextMessage(QString::fromUtf8(Protocol::pingFrame()));
    return true;
}

bool StreamClient::sendTyping(const QString &conversation, bool typing)
{
    if (!canSendTyping()) {
        return false;
    }
    m_socket.sendTextMessage(QString::fromUtf8(Protocol::typingClientFrame(conversation, typing)));
    return true;
}

void StreamClient::onText(const QString &text)
{
    m_lastFrameMs = QDateTime::currentMSecsSinceEpoch();
    auto frame = Protocol::parseServerFrame(text.toUtf8());
    if (!frame) {
        qCWarning(lcNet) << "ignoring a malformed frame:" << frame.error().message;
        return;
    }
    switch (frame->type) {
    case Protocol::ServerFrame::Type::Envelope:
        Q_EMIT envelopeReceived(frame->envelope);
        break;
    case Protocol::ServerFrame::Type::Sent:
        Q_EMIT sentReceived(frame->receipt);
        break;
    case Protocol::ServerFrame::Type::Receipt:
        for (const Protocol::ReceiptState &state : std::as_const(frame->receiptStates)) {
            Q_EMIT receiptReceived(state);
        }
        break;
    case Protocol::ServerFrame::Type::Link:
        Q_EMIT linkReceived(frame->link);
        break;
    case Protocol::ServerFrame::Type::Synced:
        Q_EMIT synced();
        break;
    case Protocol::ServerFrame::Type::Error:
        qCInfo(lcNet) << "server error frame:" << frame->error.code;
        Q_EMIT errorReceived(frame->error);
        break;
    case Protocol::ServerFrame::Type::Presence:
        Q_EMIT presenceReceived(frame->presence);
        break;
    case Protocol::ServerFrame::Type::Typing:
        Q_EMIT typingReceived(frame->typing);
        break;
    case Protocol::ServerFrame::Type::Hello:
        m_serverVersion = frame->version;
        // The server says how often a frame must come for the device to count as online.
        if (m_forcedHeartbeatMs == 0 && frame->heartbeatSeconds > 0) {
            m_heartbeat.setInterval(std::min(HeartbeatMs, frame->heartbeatSeconds * 1000));
        }
        Q_EMIT ready();
        break;
    case Protocol::ServerFrame::Type::Pong:
        Q_EMIT pongReceived();
        break;
    case Protocol::ServerFrame::Type::Unknown:
        break;
    }
}

} // namespace Tincan::Client
