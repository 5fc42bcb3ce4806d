#include "server/net/Listener.h"

#include "server/core/Config.h"
#include "server/core/Logging.h"
#include "server/net/EpollEventDispatcher.h"
#include "server/net/Worker.h"

#include <QTcpServer>
#include <QThread>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Tincan::Server {

namespace {

constexpr int Backlog = 4096;

//! A non-blocking listening socket with SO_REUSEPORT; -1 and `error` on failure.
int openListeningSocket(const QHostAddress &address, quint16 port, quint16 *boundPort,
                        QString *error)
{
    sockaddr_storage storage{};
    socklen_t length = 0;
    const bool anyDualStack = address == QHostAddress::Any;
    int family = AF_INET;
    if (anyDualStack || address.protocol() == QAbstractSocket::IPv6Protocol) {
        family = AF_INET6;
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        const Q_IPV6ADDR raw = anyDualStack ? QHostAddress(QHostAddress::AnyIPv6).toIPv6Address()
                                            : address.toIPv6Address();
        std::memcpy(&in6->sin6_addr, &raw, sizeof(raw));
        length = sizeof(sockaddr_in6);
    } else {
        auto *in4 = reinterpret_cast<sockaddr_in *>(&storage);
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        in4->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof(sockaddr_in);
    }
    const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *error = QString::fromLocal8Bit(std::strerror(errno));
        return -1;
    }
    const int on = 1;
    const int off = 0;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on));
    if (anyDualStack) {
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
    }
    if (::bind(fd, reinterpret_cast<sockaddr *>(&storage), length) != 0 ||
        ::listen(fd, Backlog) != 0) {
        *error = QString::fromLocal8Bit(std::strerror(errno));
        ::close(fd);
        return -1;
    }
    sockaddr_storage bound{};
    socklen_t boundLength = sizeof(bound);
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&bound), &boundLength);
    *boundPort = ntohs(family == AF_INET6 ? reinterpret_cast<sockaddr_in6 *>(&bound)->sin6_port
                                          : reinterpret_cast<sockaddr_in *>(&bound)->sin_port);
    return fd;
}

} // namespace

Listener::Listener(const Config &config, ApiService &api, MessageStore &messages,
                   SessionRegistry &registry, std::optional<QSslConfiguration> tls,
                   std::shared_ptr<TlsContext> streamTls)
    : m_config(config)
    , m_api(api)
    , m_messages(messages)
    , m_registry(registry)
    , m_tls(std::move(tls))
    , m_streamTls(std::move(streamTls))
{}

Listener::~Listener()
{
    stop();
}

//! True when another socket (another process) already holds the address and port. Our own
//! listeners set SO_REUSEPORT, which would otherwise let a second tincand share the port
//! silently with the first, each answering half of the connections from its own database.
static bool portTaken(const QHostAddress &address, quint16 port)
{
    if (port == 0) {
        return false;
    }
    QTcpServer probe;
    if (probe.listen(address, port)) {
        probe.close();
        return false;
    }
    return probe.serverError() == QAbstractSocket::AddressInUseError;
}

bool Listener::start(QString *error)
{
    if (portTaken(m_config.listenAddress, m_config.port)) {
        *error = QStringLiteral("%1:%2 is already in use (is another tincand running?).")
                     .arg(m_config.listenAddress.toString())
                     .arg(m_config.port);
        return false;
    }
    const int threads =
        m_config.threads > 0 ? m_config.threads : qBound(2, QThread::idealThreadCount() * 2, 16);
    quint16 port = m_config.port;
    for (int i = 0; i < threads; ++i) {
        quint16 bound = 0;
        QString socketError;
        const int fd = openListeningSocket(m_config.listenAddress, port, &bound, &socketError);
        if (fd < 0) {
            *error = QStringLiteral("Cannot listen on %1:%2: %3")
                         .arg(m_config.listenAddress.toString())
                         .arg(port)
                         .arg(socketError);
            stop();
            return false;
        }
        port = bound; // With port 0, the later sockets join the port the first one got.
        auto *thread = new QThread;
        thread->setObjectName(QStringLiteral("tincan-io-%1").arg(i));
        if (m_config.epollDispatcher) {
            thread->setEventDispatcher(new EpollEventDispatcher);
        }
        auto *worker = new Worker(m_config, m_api, m_messages, m_registry, m_tls, m_streamTls, fd);
        worker->moveToThread(thread);
        QObject::connect(thread, &QThread::finished, worker, &QObject::deleteLater);
        thread->start();
        bool started = false;
        QMetaObject::invokeMethod(
            worker,
            [worker, &started, niceness = m_niceness] {
                if (niceness > 0) {
                    // This thread only (Linux: PRIO_PROCESS 0 is the calling thread). Lowering
                    // one's own priority needs no privilege.
                    errno = 0;
                    const int current = getpriority(PRIO_PROCESS, 0);
                    if (errno == 0) {
                        setpriority(PRIO_PROCESS, 0, current + niceness);
                    }
                }
                started = worker->start();
            },
            Qt::BlockingQueuedConnection);
        m_threads.append(thread);
        m_workers.append(worker);
        if (!started) {
            *error = QStringLiteral("Worker %1 could not start listening.").arg(i);
            stop();
            return false;
        }
    }
    m_port = port;
    return true;
}

void Listener::stopAccepting()
{
    for (Worker *worker : std::as_const(m_workers)) {
        QMetaObject::invokeMethod(
            worker, [worker] { worker->stopAccepting(); }, Qt::BlockingQueuedConnection);
    }
}

void Listener::stop()
{
    stopAccepting();
    for (Worker *worker : std::as_const(m_workers)) {
        QMetaObject::invokeMethod(
            worker, [worker] { worker->shutdown(); }, Qt::BlockingQueuedConnection);
    }
    for (QThread *thread : std::as_const(m_threads)) {
        thread->quit();
        thread->wait();
        delete thread;
    }
    m_threads.clear();
    m_workers.clear();
}

} // namespace Tincan::Server
