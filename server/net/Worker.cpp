#include "server/net/Worker.h"

#include "server/core/ApiService.h"
#include "server/core/Config.h"
#include "server/core/Logging.h"
#include "server/http/HttpFrontend.h"

#include <QDateTime>
#include <QSslSocket>
#include <QTcpSocket>
#include <QVariant>

#include <sys/socket.h>

namespace Tincan::Server {

namespace {
constexpr qint64 MaxHeaderBytes = 16 * 1024;

constexpr qint64 MaxDrainBytes = 64 * 1024 * 1024;
constexpr int DrainTimeoutMs = 5000;
const char *const DrainedProperty = "tincanDrained";

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

//! Answers and stops reading the request, with a lingering close: the answer is sent, our side
//! of the connection is shut, and what the client still uploads is read and dropped for a
//! while. Closing at once would make the client's kernel reset the connection, and the client
//! would never see the answer.
void reject(QTcpSocket *socket, int status, const QString &message)
{
    const char *code =
        status == 431 ? Protocol::ErrorCode::HeadersTooLarge : Protocol::ErrorCode::TooLarge;
    Protocol::ApiError error{status, QString::fromLatin1(code), message, {}};
    HttpFrontend::writeResponse(socket, ApiResponse::error(error), false);
    socket->setProperty(DrainedProperty, socket->readAll().size());
    socket->flush();
    shutdownWrite(socket);
    QObject::connect(socket, &QTcpSocket::bytesWritten, socket,
                     [socket] { shutdownWrite(socket); });
    if (auto *tls = qobject_cast<QSslSocket *>(socket)) {
        QObject::connect(tls, &QSslSocket::encryptedBytesWritten, socket,
                         [socket] { shutdownWrite(socket); });
    }
    QTimer::singleShot(DrainTimeoutMs, socket, [socket] { socket->abort(); });
}

//! Peeks at the head of each new request and refuses what is too large to buffer.
void guard(QTcpSocket *socket, qint64 maxBody)
{
    if (socket->state() != QAbstractSocket::ConnectedState) {
        return;
    }
    const QVariant drained = socket->property(DrainedProperty);
    if (drained.isValid()) {
        const qint64 total = drained.toLongLong() + socket->readAll().size();
        socket->setProperty(DrainedProperty, total);
        if (total > MaxDrainBytes) {
            socket->abort();
        }
        return;
    }
    if (socket->isTransactionStarted()) {
        if (socket->bytesAvailable() > maxBody + MaxHeaderBytes) {
            reject(socket, 413, QStringLiteral("The request body is too large."));
        }
        return;
    }
    const QByteArray head = socket->peek(MaxHeaderBytes);
    const qsizetype end = head.indexOf("\r\n\r\n");
    if (end < 0) {
        if (head.size() >= MaxHeaderBytes) {
            reject(socket, 431, QStringLiteral("The request headers are too large."));
        }
        return;
    }
    const QList<QByteArray> lines = head.left(end).split('\n');
    for (const QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().toLower() == "content-length") {
            bool ok = false;
            const qint64 length = line.mid(colon + 1).trimmed().toLongLong(&ok);
            if (!ok || length > maxBody) {
                reject(socket, 413,
                       QStringLiteral("The request body is larger than %1 bytes.").arg(maxBody));
            }
            return;
        }
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
    const qint64 maxBody = m_maxRequestBody;
    // Connected before QtHttpServer's own readyRead handler, so it runs first. A QSslSocket
    // signals readyRead for decrypted bytes only, so the guard reads the same HTTP either way.
    connect(socket, &QTcpSocket::readyRead, socket, [socket, maxBody] { guard(socket, maxBody); });
    if (m_tls) {
        startHandshake(socket);
        return;
    }
    addPendingConnection(socket);
}

void GuardedTcpServer::startHandshake(QTcpSocket *plain)
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
    connect(socket, &QAbstractSocket::errorOccurred, handshake, fail);
    connect(socket, &QAbstractSocket::disconnected, handshake, fail);
    connect(timer, &QTimer::timeout, handshake, fail);
    connect(socket, &QSslSocket::encrypted, handshake, [this, socket, handshake] {
        delete handshake;
        // From here on QtHttpServer owns the connection, as it owns a plain one.
        addPendingConnection(socket);
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
    m_idleSweep->setInterval(5000);
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
