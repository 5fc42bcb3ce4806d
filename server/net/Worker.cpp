#include "server/net/Worker.h"

#include "server/core/ApiService.h"
#include "server/core/Config.h"
#include "server/core/Logging.h"
#include "server/http/HttpFrontend.h"
#include "server/http/RequestGuard.h"
#include "server/net/ClientHello.h"
#include "server/net/EpollEventDispatcher.h"
#include "server/net/TlsStream.h"
#include "shared/protocol/Frames.h"

#include <QDateTime>
#include <QSocketNotifier>
#include <QSslSocket>
#include <QTcpSocket>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <sys/socket.h>
#include <unistd.h>

namespace Tincan::Server {

GuardedTcpServer::GuardedTcpServer(qint64 maxRequestBody, std::optional<QSslConfiguration> tls,
                                   std::shared_ptr<TlsContext> streamTls, int handshakeTimeoutMs,
                                   HttpFrontend *frontend, MediaService *media, int idleTimeoutMs,
                                   QObject *parent)
    : QTcpServer(parent)
    , m_maxRequestBody(maxRequestBody)
    , m_frontend(frontend)
    , m_media(media)
    , m_idleTimeoutMs(idleTimeoutMs)
    , m_tls(std::move(tls))
    , m_streamTls(std::move(streamTls))
    , m_handshakeTimeoutMs(handshakeTimeoutMs)
{}

namespace {

//! A connection whose first bytes are being looked at; closes it unless handed on.
class Sniff : public QObject
{
public:
    Sniff(int fd, QObject *parent)
        : QObject(parent)
        , fd(fd)
    {}
    ~Sniff() override
    {
        if (fd >= 0) {
            ::close(fd);
        }
    }
    //! Hands the descriptor on: stops watching it (before anyone else watches it) and goes.
    int release()
    {
        notifier->setEnabled(false);
        deleteLater();
        return std::exchange(fd, -1);
    }
    int fd;
    QSocketNotifier *notifier = nullptr;
};

//! While a ClientHello is incomplete, look again this often (it nearly always comes in one
//! piece; the readable notifier would fire on the same peeked bytes without a pause).
constexpr int SniffRetryMs = 5;

} // namespace

void GuardedTcpServer::incomingConnection(qintptr descriptor)
{
    if (m_tls && m_streamTls) {
        sniff(static_cast<int>(descriptor));
        return;
    }
    acceptWithQt(descriptor);
}

void GuardedTcpServer::sniff(int descriptor)
{
    auto *sniff = new Sniff(descriptor, this);
    sniff->notifier = new QSocketNotifier(descriptor, QSocketNotifier::Read, sniff);
    auto *retry = new QTimer(sniff);
    retry->setSingleShot(true);
    auto *deadline = new QTimer(sniff);
    deadline->setSingleShot(true);
    connect(deadline, &QTimer::timeout, sniff, [sniff] {
        qCDebug(lcServerHttp) << "no TLS ClientHello in time; closing";
        sniff->notifier->setEnabled(false);
        sniff->deleteLater(); // Closes the descriptor.
    });
    connect(retry, &QTimer::timeout, sniff, [sniff] { sniff->notifier->setEnabled(true); });
    connect(sniff->notifier, &QSocketNotifier::activated, sniff, [this, sniff, retry] {
        char bytes[ClientHello::MaxBytes];
        const ssize_t got = ::recv(sniff->fd, bytes, sizeof(bytes), MSG_PEEK);
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            return;
        }
        if (got <= 0) {
            sniff->notifier->setEnabled(false);
            sniff->deleteLater(); // Gone before saying anything.
            return;
        }
        QList<QByteArray> alpn;
        const ClientHello::Result result = ClientHello::parse(QByteArrayView(bytes, got), &alpn);
        if (result == ClientHello::Result::NeedMore) {
            sniff->notifier->setEnabled(false);
            retry->start(SniffRetryMs);
            return;
        }
        const int fd = sniff->release();
        if (result == ClientHello::Result::Parsed &&
            alpn.contains(QByteArray(Protocol::StreamAlpn))) {
            new TlsStream(fd, m_streamTls, m_frontend, m_handshakeTimeoutMs, this);
            return;
        }
        acceptWithQt(fd); // Any other client, or not TLS at all: QSslSocket answers it.
    });
    deadline->start(m_handshakeTimeoutMs);
}

void GuardedTcpServer::acceptWithQt(qintptr descriptor)
{
    QTcpSocket *socket = m_tls ? new QSslSocket(this) : new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    // Connected before QtHttpServer's own readyRead handler, so it runs first. A QSslSocket
    // signals readyRead for decrypted bytes only, so the guard reads the same HTTP either way.
    auto *guard = new RequestGuard(socket, m_maxRequestBody, m_frontend, m_media, m_idleTimeoutMs);
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
               std::shared_ptr<TlsContext> streamTls, qintptr listeningDescriptor)
    : m_config(config)
    , m_api(api)
    , m_messages(messages)
    , m_registry(registry)
    , m_tls(std::move(tls))
    , m_streamTls(std::move(streamTls))
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
    m_server = new GuardedTcpServer(m_config.limits.maxRequestBody, m_tls, m_streamTls,
                                    m_config.tlsHandshakeTimeoutSeconds * 1000, m_frontend,
                                    m_api.media(), m_config.idleTimeoutSeconds * 1000, this);
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
    // Push out answers already written to sockets, and the close frames of lean TLS streams
    // (they write at the end of a loop pass, and the loop is about to stop).
    const auto sockets = findChildren<QTcpSocket *>();
    for (QTcpSocket *socket : sockets) {
        socket->flush();
    }
    EpollEventDispatcher::flushDeferredNow();
}

} // namespace Tincan::Server
