#include "server/core/Server.h"

#include "server/core/ApiService.h"
#include "server/core/FanoutWorker.h"
#include "server/core/LocalMessageBus.h"
#include "server/core/LocalSessionRegistry.h"
#include "server/core/Logging.h"
#include "server/media/MediaService.h"
#include "server/net/Listener.h"
#include "server/net/TlsContext.h"
#include "server/net/TlsCredentials.h"
#include "server/store/sqlite/SqliteBackend.h"
#include "server/store/sqlite/SqliteGroupStore.h"
#include "server/store/sqlite/SqliteLinkStore.h"
#include "server/store/sqlite/SqliteMediaStore.h"
#include "server/store/sqlite/SqliteReceiptStore.h"
#include "server/store/sqlite/SqliteStores.h"
#include "shared/discovery/DiscoveredServer.h"
#include "shared/discovery/ServiceAdvertiser.h"

#include <QDir>
#include <QNetworkInterface>
#include <QPointer>

#include <future>

namespace Tincan::Server {

Server::Server(Config config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
{}

Server::~Server()
{
    stop();
}

bool Server::start(QString *error)
{
    if (!m_config.checkTransport(error)) {
        return false;
    }
    const QString dataDir = m_config.resolvedDataDir();
    if (!QDir().mkpath(dataDir)) {
        *error = QStringLiteral("Cannot create the data directory %1.").arg(dataDir);
        return false;
    }
    // One daemon per data directory.
    m_lock = std::make_unique<QLockFile>(dataDir + QStringLiteral("/tincand.lock"));
    m_lock->setStaleLockTime(0);
    if (!m_lock->tryLock(0)) {
        qint64 pid = 0;
        QString host;
        QString app;
        m_lock->getLockInfo(&pid, &host, &app);
        *error = QStringLiteral("Another tincand (pid %1) is using the data directory %2.")
                     .arg(pid)
                     .arg(dataDir);
        m_lock.reset();
        return false;
    }
    if (m_config.tlsEnabled) {
        m_tls = std::make_unique<TlsCredentials>();
        if (!m_tls->load(m_config, error)) {
            m_tls.reset();
            m_lock.reset();
            return false;
        }
    }
    m_backend = std::make_unique<SqliteBackend>();
    if (!m_backend->open(m_config.databasePath(), m_config.synchronous, error)) {
        m_backend.reset();
        return false;
    }
    // Every write goes through the writer thread: it must not wait for a CPU behind the
    // connection threads. Raise it if we may, else lower them (docs/admin.md).
    int connectionNiceness = 0;
    if (m_config.writerPriority > 0) {
        if (m_backend->raiseWriterPriority(m_config.writerPriority)) {
            qCInfo(lcServer) << "database writer thread raised by" << m_config.writerPriority
                             << "nice levels";
        } else {
            connectionNiceness = m_config.writerPriority;
            qCInfo(lcServer) << "cannot raise the database writer thread (needs CAP_SYS_NICE or "
                                "RLIMIT_NICE); connection threads lowered by"
                             << connectionNiceness << "nice levels instead";
        }
    }
    m_users = std::make_unique<SqliteUserStore>(*m_backend);
    m_devices = std::make_unique<SqliteDeviceStore>(*m_backend);
    m_keys = std::make_unique<SqliteKeyStore>(*m_backend);
    m_messages = std::make_unique<SqliteMessageStore>(*m_backend);
    m_groups = std::make_unique<SqliteGroupStore>(*m_backend);
    m_fanoutQueue = std::make_unique<SqliteFanoutQueue>(*m_backend);
    m_receipts = std::make_unique<SqliteReceiptStore>(*m_backend);
    m_links = std::make_unique<SqliteLinkStore>(*m_backend);
    m_mediaStore = std::make_unique<SqliteMediaStore>(*m_backend);
    m_media = std::make_unique<MediaService>(
        m_config, *m_mediaStore, *m_groups,
        std::make_unique<FileBlobStore>(m_config.resolvedMediaDir()));
    if (!m_media->open(m_config.resolvedMediaDir(), error)) {
        return false;
    }
    m_registry = std::make_unique<LocalSessionRegistry>();
    m_bus = std::make_unique<LocalMessageBus>(*m_registry);
    m_fanout = std::make_unique<FanoutWorker>(
        *m_fanoutQueue, *m_bus, m_config.fanoutRoundDeliveries, m_config.fanoutRoundPauseMs);
    m_api = std::make_unique<ApiService>(m_config, *m_users, *m_devices, *m_keys, *m_messages,
                                         *m_groups, *m_receipts, *m_links, *m_bus, *m_registry,
                                         m_fanout.get(), m_media.get());
    std::optional<QSslConfiguration> tls;
    std::shared_ptr<TlsContext> streamTls;
    if (m_tls) {
        tls = m_tls->serverConfiguration();
        if (m_config.tlsStreamAlpn) {
            streamTls = TlsContext::create(m_tls->chain(), m_tls->key(), error);
            if (!streamTls) {
                *error = QStringLiteral("TLS for streams: %1").arg(*error);
                stop();
                return false;
            }
        }
    }
    m_listener = std::make_unique<Listener>(m_config, *m_api, *m_messages, *m_registry,
                                            std::move(tls), std::move(streamTls));
    m_listener->setThreadNiceness(connectionNiceness);
    if (!m_listener->start(error)) {
        stop();
        return false;
    }
    m_purgeTimer.setInterval(static_cast<int>(
        std::min<qint64>(m_config.purgeIntervalSeconds * 1000, 24LL * 3600 * 1000)));
    connect(&m_purgeTimer, &QTimer::timeout, this, &Server::purge);
    m_purgeTimer.start();
    purge();
    // Fan-out left over by a crash resumes now; the timer retries rounds that failed.
    m_fanoutTimer.setInterval(5000);
    connect(&m_fanoutTimer, &QTimer::timeout, this, [this] { m_fanout->kick(); });
    m_fanoutTimer.start();
    m_fanout->kick();
    qCInfo(lcServer).noquote() << "tincand serving data in" << dataDir << "with"
                               << m_listener->threadCount() << "connection threads";
    advertise();
    return true;
}

namespace {
//! The interface to advertise on: the one holding the listen address (the loopback interface for
//! 127.0.0.1, so a local-only server is not offered to the LAN); 0, all, for a wildcard address.
int advertisedInterface(const QHostAddress &listen)
{
    if (listen == QHostAddress::Any || listen == QHostAddress::AnyIPv4 ||
        listen == QHostAddress::AnyIPv6) {
        return 0;
    }
    const auto interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &candidate : interfaces) {
        if (listen.isLoopback() && candidate.flags().testFlag(QNetworkInterface::IsLoopBack)) {
            return candidate.index();
        }
        const auto entries = candidate.addressEntries();
        for (const QNetworkAddressEntry &entry : entries) {
            if (entry.ip().isEqual(listen, QHostAddress::TolerantConversion)) {
                return candidate.index();
            }
        }
    }
    return 0;
}
} // namespace

void Server::advertise()
{
    if (!m_config.advertise) {
        return;
    }
    m_advertiser = std::make_unique<Discovery::ServiceAdvertiser>();
    m_advertiser->setInterfaceIndex(advertisedInterface(m_config.listenAddress));
    connect(m_advertiser.get(), &Discovery::ServiceAdvertiser::registered, this,
            [](const QString &name) {
                qCInfo(lcServer).noquote() << "advertised on the local network (DNS-SD "
                                              "_tincan._tcp) as"
                                           << name;
            });
    connect(
        m_advertiser.get(), &Discovery::ServiceAdvertiser::failed, this,
        [](const QString &reason) { qCWarning(lcServer).noquote() << "LAN discovery:" << reason; });
    QString error;
    if (!m_advertiser->start(m_config.resolvedDiscoveryName(), port(),
                             Discovery::serverTxtRecord(fingerprint(), m_config.tlsEnabled),
                             &error)) {
        // Serving goes on: discovery is a convenience (e.g. no avahi-daemon on this host).
        qCWarning(lcServer).noquote() << "Not advertising on the local network:" << error
                                      << "(set [discovery] advertise=false to silence this)";
        m_advertiser.reset();
    }
}

void Server::purge()
{
    QPointer<Server> self(this);
    m_api->purgeExpired([self](qint64 removed) {
        QMetaObject::invokeMethod(
            self.data(),
            [self, removed] {
                if (self) {
                    if (removed > 0) {
                        qCInfo(lcServer) << "retention purge removed" << removed << "inbox entries";
                    }
                    Q_EMIT self->purged(removed);
                }
            },
            Qt::QueuedConnection);
    });
}

void Server::stop()
{
    m_advertiser.reset(); // First: browsers learn at once that the server is going.
    m_purgeTimer.stop();
    if (m_listener) {
        m_listener->stopAccepting();
        // Order matters: stop accepting; let password hashing finish (it queues writes); drain
        // the writer (its callbacks queue answers to the worker threads); then let the workers
        // write those answers and close. Nothing may post to a worker after it is gone.
        m_api->drain();
        if (m_media) {
            m_media->filePool().waitForDone(); // Finishing uploads queue their last writes.
        }
        m_fanoutTimer.stop();
        m_fanout->stop();
        if (m_backend) {
            m_backend->close();
        }
        m_listener->stop();
    }
    m_listener.reset();
    m_api.reset();
    m_media.reset();
    m_mediaStore.reset();
    if (m_fanout) {
        m_fanout->stop();
    }
    m_fanout.reset();
    m_bus.reset();
    m_registry.reset();
    m_fanoutQueue.reset();
    m_receipts.reset();
    m_groups.reset();
    m_messages.reset();
    m_keys.reset();
    m_devices.reset();
    m_users.reset();
    if (m_backend) {
        m_backend->close();
        m_backend.reset();
    }
    m_tls.reset();
    m_lock.reset();
}

quint16 Server::port() const
{
    return m_listener ? m_listener->port() : 0;
}

QString Server::fingerprint() const
{
    return m_tls ? m_tls->fingerprint() : QString();
}

bool Server::createdCertificate() const
{
    return m_tls && m_tls->created();
}

bool Server::createInvite(const Config &config, qint64 ttlSeconds, QString *code, QString *error)
{
    SqliteBackend backend;
    if (!backend.open(config.databasePath(), config.synchronous, error)) {
        return false;
    }
    SqliteUserStore users(backend);
    SqliteDeviceStore devices(backend);
    SqliteKeyStore keys(backend);
    SqliteMessageStore messages(backend);
    SqliteGroupStore groups(backend);
    SqliteReceiptStore receipts(backend);
    SqliteLinkStore links(backend);
    LocalSessionRegistry registry;
    LocalMessageBus bus(registry);
    ApiService api(config, users, devices, keys, messages, groups, receipts, links, bus, registry,
                   nullptr);
    std::promise<Protocol::Result<QString>> promise;
    auto future = promise.get_future();
    api.createInvite(ttlSeconds, [&promise](Protocol::Result<QString> result) {
        promise.set_value(std::move(result));
    });
    Protocol::Result<QString> result = future.get();
    backend.close();
    if (!result) {
        *error = result.error().message;
        return false;
    }
    *code = *result;
    return true;
}

bool Server::certificateFingerprint(const Config &config, QString *fingerprint, QString *error)
{
    if (!config.tlsEnabled) {
        *error = QStringLiteral("TLS is off (tls/enabled=false): there is no certificate.");
        return false;
    }
    TlsCredentials credentials;
    if (!credentials.load(config, error)) {
        return false;
    }
    *fingerprint = credentials.fingerprint();
    return true;
}

} // namespace Tincan::Server
