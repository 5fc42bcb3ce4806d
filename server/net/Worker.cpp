#include "server/net/Worker.h"

#include "server/core/ApiService.h"
#include "server/core/Config.h"
#include "server/core/Logging.h"
#include "server/http/HttpFrontend.h"

#include <QDateTime>
#include <QSslSocket>
#include <QTcpSocket>

#include <algorithm>
#include <cctype>
#include <sys/socket.h>

namespace Tincan::Server {

namespace {
constexpr qint64 MaxHeaderBytes = 16 * 1024;

constexpr qint64 MaxDrainBytes = 64 * 1024 * 1024;
constexpr int DrainTimeoutMs = 5000;

//! Shuts our side once everything written has left, encrypted bytes included.
void shutdownWrite(QTcpSocket *socket)
{
    qint64 pending = socket->bytesToWrite();
    if (auto *tls = qobject_cast<QSslSocket *>(socket)) {
        pending += tls->encryptedBytesToWrite();
    }
    if (pending == 0) {
        ::shutdown(static_cast<int>(socket->socketDescriptor()), SHUT_WR);
    }
}

//! Follows the requests of one connection as their bytes arrive, before QtHttpServer reads them
//! (its parser buffers heads and bodies without limit), and refuses what is too large to buffer:
//! a head over 16 KiB gets 431, a Content-Length over the limit 413. Every byte is looked at
//! once, so a head is followed across any number of readyRead signals: a QSslSocket hands its
//! decrypted bytes over in 4 KiB pieces, and QtHttpServer reads each piece before the next one
//! arrives. Chunked request bodies cannot be bounded in advance and are refused.
//!
//! A refusal is answered with a lingering close: the answer is sent, what the client still
//! uploads of the announced body is read and dropped, then our side is shut, all within bounds.
//! Closing at once would make the client's kernel reset the connection, and shutting our side
//! while the client is still uploading makes some clients (QNAM over TLS) report the close
//! instead of the answer.
class RequestGuard : public QObject
{
public:
    RequestGuard(QTcpSocket *socket, qint64 maxBody)
        : QObject(socket)
        , m_socket(socket)
        , m_maxBody(maxBody)
    {}

    //! Connected to readyRead before QtHttpServer's handler: looks at the bytes not seen yet.
    void inspect();
    //! Connected after it: whatever QtHttpServer left unread has been looked at already.
    void markInspected() { m_inspectedUnread = m_socket->bytesAvailable(); }

private:
    void follow(const QByteArray &bytes);
    //! Checks a complete head, of which `bodyReceived` body bytes already arrived; false once
    //! the request has been refused.
    bool checkHead(const QByteArray &head, qint64 bodyReceived);
    //! Answers and drains `bodyToCome` more bytes before shutting our side.
    void refuse(int status, const char *code, const QString &message, qint64 bodyToCome = 0);
    void drain();

    QTcpSocket *m_socket;
    qint64 m_maxBody;
    QByteArray m_head;     //!< The current request's head so far.
    qint64 m_bodyLeft = 0; //!< Bytes of the current request's body still to come.
    qint64 m_inspectedUnread = 0;
    qint64 m_drained = -1;    //!< Bytes dropped since the refusal; -1 before one.
    qint64 m_lingerBytes = 0; //!< Our side is shut once this much was dropped.
    bool m_shutting = false;
};

void RequestGuard::inspect()
{
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        return;
    }
    if (m_drained >= 0) {
        drain();
        return;
    }
    const qint64 available = m_socket->bytesAvailable();
    if (available > m_inspectedUnread) {
        const QByteArray fresh = m_socket->peek(available).mid(m_inspectedUnread);
        m_inspectedUnread = available;
        follow(fresh);
    }
}

void RequestGuard::follow(const QByteArray &bytes)
{
    qsizetype pos = 0;
    while (pos < bytes.size() && m_drained < 0) {
        if (m_bodyLeft > 0) {
            const qint64 take = std::min<qint64>(m_bodyLeft, bytes.size() - pos);
            m_bodyLeft -= take;
            pos += take;
            continue;
        }
        if (m_head.isEmpty()) {
            // QtHttpServer skips white space left over from the previous request; so do we.
            while (pos < bytes.size() && std::isspace(static_cast<unsigned char>(bytes[pos]))) {
                ++pos;
            }
            if (pos == bytes.size()) {
                return;
            }
        }
        // The head ends with an empty line; QtHttpServer accepts bare LF line ends too.
        const qsizetype searchFrom = std::max<qsizetype>(0, m_head.size() - 2);
        m_head.append(bytes.constData() + pos, bytes.size() - pos);
        qsizetype end = m_head.indexOf("\n\r\n", searchFrom);
        qsizetype endLength = 3;
        const qsizetype bare = m_head.indexOf("\n\n", searchFrom);
        if (bare >= 0 && (end < 0 || bare < end)) {
            end = bare;
            endLength = 2;
        }
        if (end < 0) {
            if (m_head.size() > MaxHeaderBytes) {
                refuse(431, Protocol::ErrorCode::HeadersTooLarge,
                       QStringLiteral("The request headers are too large."));
            }
            return;
        }
        const qsizetype headLength = end + endLength;
        if (headLength > MaxHeaderBytes) {
            refuse(431, Protocol::ErrorCode::HeadersTooLarge,
                   QStringLiteral("The request headers are too large."));
            return;
        }
        // What followed the head in this piece is the body (or the next request).
        pos = bytes.size() - (m_head.size() - headLength);
        const QByteArray head = m_head.left(headLength);
        m_head.clear();
        if (!checkHead(head, bytes.size() - pos)) {
            return;
        }
    }
}

bool RequestGuard::checkHead(const QByteArray &head, qint64 bodyReceived)
{
    const QList<QByteArray> lines = head.split('\n');
    for (const QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            continue;
        }
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length" && m_bodyLeft == 0) {
            bool ok = false;
            const qint64 length = value.toLongLong(&ok);
            if (!ok || length < 0 || length > m_maxBody) {
                refuse(413, Protocol::ErrorCode::TooLarge,
                       QStringLiteral("The request body is larger than %1 bytes.").arg(m_maxBody),
                       ok ? std::max<qint64>(0, length - bodyReceived) : 0);
                return false;
            }
            m_bodyLeft = length;
        } else if (name == "transfer-encoding" && value.toLower().contains("chunked")) {
            refuse(400, Protocol::ErrorCode::InvalidRequest,
                   QStringLiteral("Chunked request bodies are not supported; send "
                                  "Content-Length."));
            return false;
        }
    }
    return true;
}

void RequestGuard::refuse(int status, const char *code, const QString &message, qint64 bodyToCome)
{
    ApiResponse response =
        ApiResponse::error(Protocol::ApiError{status, QString::fromLatin1(code), message, {}});
    response.headers.append({QByteArrayLiteral("Connection"), QByteArrayLiteral("close")});
    HttpFrontend::writeResponse(m_socket, response, false);
    m_socket->flush();
    // Everything unread so far is this request's head and the start of its body: drop it.
    m_socket->readAll();
    m_drained = 0;
    // A body too large to wait for is cut short: the client then sees the close early.
    m_lingerBytes = bodyToCome <= MaxDrainBytes ? bodyToCome : 0;
    QTimer::singleShot(DrainTimeoutMs, m_socket, [socket = m_socket] { socket->abort(); });
    drain();
}

void RequestGuard::drain()
{
    m_drained += m_socket->readAll().size();
    if (m_drained > MaxDrainBytes) {
        m_socket->abort();
        return;
    }
    if (m_shutting || m_drained < m_lingerBytes) {
        return;
    }
    m_shutting = true;
    QTcpSocket *socket = m_socket;
    shutdownWrite(socket);
    connect(socket, &QTcpSocket::bytesWritten, this, [socket] { shutdownWrite(socket); });
    if (auto *tls = qobject_cast<QSslSocket *>(socket)) {
        connect(tls, &QSslSocket::encryptedBytesWritten, this, [socket] { shutdownWrite(socket); });
    }
}
} // namespace

GuardedTcpServer::GuardedTcpServer(qint64 maxRequestBody, std::optional<QSslConfiguration> tls,
                                   int handshakeTimeoutMs, QObject *parent)
    : QTcpServer(parent)
    , m_maxRequestBody(maxRequestBody)
    , m_tls(std::move(tls))
    , m_handshakeTimeoutMs(handshakeTimeoutMs)
{}

void GuardedTcpServer::incomingConnection(qintptr descriptor)
{
    QTcpSocket *socket = m_tls ? new QSslSocket(this) : new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    // Connected before QtHttpServer's own readyRead handler, so it runs first. A QSslSocket
    // signals readyRead for decrypted bytes only, so the guard reads the same HTTP either way.
    auto *guard = new RequestGuard(socket, m_maxRequestBody);
    connect(socket, &QTcpSocket::readyRead, guard, &RequestGuard::inspect);
    if (m_tls) {
        startHandshake(socket, guard);
        return;
    }
    hand(socket, guard);
}

void GuardedTcpServer::hand(QTcpSocket *socket, QObject *guard)
{
    addPendingConnection(socket); // QtHttpServer connects its readyRead handler here.
    connect(socket, &QTcpSocket::readyRead, guard,
            [guard = static_cast<RequestGuard *>(guard)] { guard->markInspected(); });
}

void GuardedTcpServer::startHandshake(QTcpSocket *plain, QObject *guard)
{
    auto *socket = static_cast<QSslSocket *>(plain);
    // What watches the handshake hangs off this object: deleting it ends the watch.
    auto *handshake = new QObject(socket);
    auto *timer = new QTimer(handshake);
    timer->setSingleShot(true);
    auto fail = [socket, handshake, timer] {
        // Only at debug level: anyone can connect and send garbage, speak plain HTTP to this
        // port, or never finish; each such connection is closed and must not fill the log.
        qCDebug(lcServerHttp).noquote()
            << "TLS handshake with" << socket->peerAddress().toString()
            << "failed:" << (timer->isActive() ? socket->errorString() : QStringLiteral("timeout"));
        timer->stop();
        QObject::disconnect(socket, nullptr, handshake, nullptr);
        socket->abort();
        socket->deleteLater();
    };
    // Not `disconnected`: a socket still handshaking when its worker shuts down emits it from its
    // destructor. A peer that goes away reports RemoteHostClosedError; the timer catches the rest.
    connect(socket, &QAbstractSocket::errorOccurred, handshake, fail);
    connect(timer, &QTimer::timeout, handshake, fail);
    connect(socket, &QSslSocket::encrypted, handshake, [this, socket, handshake, guard] {
        delete handshake;
        // From here on QtHttpServer owns the connection, as it owns a plain one.
        hand(socket, guard);
        if (socket->bytesAvailable() > 0) {
            // The request came with the end of the handshake: make sure it gets parsed.
            QMetaObject::invokeMethod(socket, &QAbstractSocket::readyRead, Qt::QueuedConnection);
        }
    });
    timer->start(m_handshakeTimeoutMs);
    socket->setSslConfiguration(*m_tls);
    socket->startServerEncryption();
}

Worker::Worker(const Config &config, ApiService &api, MessageStore &messages,
               SessionRegistry &registry, std::optional<QSslConfiguration> tls,
               qintptr listeningDescriptor)
    : m_config(config)
    , m_api(api)
    , m_messages(messages)
    , m_registry(registry)
    , m_tls(std::move(tls))
    , m_descriptor(listeningDescriptor)
{}

Worker::~Worker()
{
    // Runs on this worker's thread (deleteLater on QThread::finished), before the thread exits.
    delete m_frontend;
    m_frontend = nullptr;
    m_messages.releaseThreadResources();
}

bool Worker::start()
{
    m_frontend = new HttpFrontend(m_config, m_api, m_messages, m_registry, this);
    m_server = new GuardedTcpServer(m_config.limits.maxRequestBody, m_tls,
                                    m_config.tlsHandshakeTimeoutSeconds * 1000, this);
    if (!m_server->setSocketDescriptor(m_descriptor)) {
        qCCritical(lcServer) << "cannot use the listening socket:" << m_server->errorString();
        return false;
    }
    m_server->setMaxPendingConnections(4096);
    m_frontend->bind(m_server);
    m_idleSweep = new QTimer(this);
    // Often enough to notice a device that stopped counting for presence within a quarter of
    // the presence timeout (which tests shorten to a second or two).
    m_idleSweep->setInterval(static_cast<int>(
        std::clamp<qint64>(m_config.presenceOfflineAfterSeconds * 1000LL / 4, 250, 5000)));
    connect(m_idleSweep, &QTimer::timeout, this,
            [this] { m_frontend->checkIdleStreams(QDateTime::currentMSecsSinceEpoch()); });
    m_idleSweep->start();
    return true;
}

void Worker::stopAccepting()
{
    if (m_server) {
        m_server->close();
    }
}

void Worker::shutdown()
{
    if (m_idleSweep) {
        m_idleSweep->stop();
    }
    if (m_frontend) {
        m_frontend->closeAllStreams();
    }
    // Push out answers already written to sockets.
    const auto sockets = findChildren<QTcpSocket *>();
    for (QTcpSocket *socket : sockets) {
        socket->flush();
    }
}

} // namespace Tincan::Server
