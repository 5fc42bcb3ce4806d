#pragma once

#include "server/core/Config.h"

#include <QLockFile>
#include <QObject>
#include <QTimer>

#include <memory>

namespace Tincan::Discovery {
class ServiceAdvertiser;
}

namespace Tincan::Server {

class ApiService;
class Listener;
class LocalMessageBus;
class LocalSessionRegistry;
class SqliteBackend;
class SqliteDeviceStore;
class SqliteKeyStore;
class SqliteMessageStore;
class SqliteGroupStore;
class SqliteReceiptStore;
class SqliteLinkStore;
class SqliteMediaStore;
class MediaService;
class SqliteFanoutQueue;
class FanoutWorker;
class SqliteUserStore;
class TlsCredentials;

//! The whole daemon as an object: storage, registry, bus, API, connection threads, retention.
//! tincand's main() and the desktop app's "host a server" both run one. Main thread.
class Server : public QObject
{
    Q_OBJECT

public:
    explicit Server(Config config, QObject *parent = nullptr);
    ~Server() override;

    //! Opens the database (refusing a newer schema), then starts listening.
    bool start(QString *error);
    //! Stops accepting, commits every queued write, answers what is pending, closes streams.
    void stop();

    quint16 port() const;
    const Config &config() const { return m_config; }
    //! "https" or "http".
    QString scheme() const
    {
        return m_config.tlsEnabled ? QStringLiteral("https") : QStringLiteral("http");
    }
    //! The SHA-256 fingerprint clients pin ("AB:CD:..."); empty without TLS.
    QString fingerprint() const;
    //! True when this start created the self-signed certificate.
    bool createdCertificate() const;

    //! Creates an invite code directly in the database of a server that is not running.
    static bool createInvite(const Config &config, qint64 ttlSeconds, QString *code,
                             QString *error);
    //! The fingerprint of the certificate a server with this configuration serves, creating the
    //! self-signed one if there is none yet (works while the daemon runs).
    static bool certificateFingerprint(const Config &config, QString *fingerprint, QString *error);

Q_SIGNALS:
    //! A retention purge finished, removing `removed` inbox entries.
    void purged(qint64 removed);

private:
    void purge();
    //! Starts LAN discovery (config().advertise); a failure is only logged.
    void advertise();

    Config m_config;
    std::unique_ptr<TlsCredentials> m_tls;
    std::unique_ptr<SqliteBackend> m_backend;
    std::unique_ptr<SqliteUserStore> m_users;
    std::unique_ptr<SqliteDeviceStore> m_devices;
    std::unique_ptr<SqliteKeyStore> m_keys;
    std::unique_ptr<SqliteMessageStore> m_messages;
    std::unique_ptr<SqliteGroupStore> m_groups;
    std::unique_ptr<SqliteReceiptStore> m_receipts;
    std::unique_ptr<SqliteLinkStore> m_links;
    std::unique_ptr<SqliteMediaStore> m_mediaStore;
    std::unique_ptr<MediaService> m_media;
    std::unique_ptr<SqliteFanoutQueue> m_fanoutQueue;
    std::unique_ptr<LocalSessionRegistry> m_registry;
    std::unique_ptr<LocalMessageBus> m_bus;
    std::unique_ptr<FanoutWorker> m_fanout;
    std::unique_ptr<ApiService> m_api;
    std::unique_ptr<Listener> m_listener;
    QTimer m_purgeTimer;
    QTimer m_fanoutTimer; //!< Retries fan-out that failed (e.g. a full disk).
    std::unique_ptr<QLockFile> m_lock;
    std::unique_ptr<Discovery::ServiceAdvertiser> m_advertiser;
};

} // namespace Tincan::Server
