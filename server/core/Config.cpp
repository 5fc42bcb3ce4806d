#include "server/core/Config.h"

#include "server/store/Stores.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QSysInfo>

namespace Tincan::Server {

namespace {
template<class T>
bool readNumber(QSettings &settings, const QString &key, T *target, double min, double max,
                QString *error)
{
    if (!settings.contains(key)) {
        return true;
    }
    bool ok = false;
    const double value = settings.value(key).toString().toDouble(&ok);
    if (!ok || value < min || value > max) {
        *error = QStringLiteral("Config key '%1' must be a number between %2 and %3.")
                     .arg(key)
                     .arg(min)
                     .arg(max);
        return false;
    }
    *target = static_cast<T>(value);
    return true;
}

bool readBool(QSettings &settings, const QString &key, bool *target, QString *error)
{
    if (!settings.contains(key)) {
        return true;
    }
    const QString value = settings.value(key).toString().trimmed().toLower();
    if (value == QLatin1String("true") || value == QLatin1String("yes") ||
        value == QLatin1String("on") || value == QLatin1String("1")) {
        *target = true;
    } else if (value == QLatin1String("false") || value == QLatin1String("no") ||
               value == QLatin1String("off") || value == QLatin1String("0")) {
        *target = false;
    } else {
        *error = QStringLiteral("Config key '%1' must be true or false.").arg(key);
        return false;
    }
    return true;
}

//! A path from the config file, relative to the file's directory.
QString configPath(QSettings &settings, const QString &key, const QString &file)
{
    const QString value = settings.value(key).toString();
    if (value.isEmpty()) {
        return {};
    }
    return QFileInfo(file).absoluteDir().absoluteFilePath(value);
}
} // namespace

bool Config::setListen(const QString &value, QString *error)
{
    QString host = value.trimmed();
    QString portText;
    if (host.startsWith(QLatin1Char('['))) {
        const qsizetype close = host.indexOf(QLatin1Char(']'));
        if (close < 0) {
            *error = QStringLiteral("Bad listen address '%1'.").arg(value);
            return false;
        }
        portText = host.mid(close + 1);
        host = host.mid(1, close - 1);
        if (portText.startsWith(QLatin1Char(':'))) {
            portText = portText.mid(1);
        }
    } else if (host.count(QLatin1Char(':')) == 1) {
        portText = host.section(QLatin1Char(':'), 1);
        host = host.section(QLatin1Char(':'), 0, 0);
    }
    if (!portText.isEmpty()) {
        bool ok = false;
        const uint p = portText.toUInt(&ok);
        if (!ok || p > 65535) {
            *error = QStringLiteral("Bad port in listen address '%1'.").arg(value);
            return false;
        }
        port = static_cast<quint16>(p);
    }
    if (!host.isEmpty()) {
        if (host == QLatin1String("localhost")) {
            listenAddress = QHostAddress::LocalHost;
        } else if (host == QLatin1String("*")) {
            listenAddress = QHostAddress::Any;
        } else if (!listenAddress.setAddress(host)) {
            *error = QStringLiteral("Bad listen address '%1': use an IP address.").arg(value);
            return false;
        }
    }
    return true;
}

bool Config::loadFile(const QString &file, QString *error)
{
    if (!QFileInfo::exists(file)) {
        *error = QStringLiteral("Config file '%1' does not exist.").arg(file);
        return false;
    }
    QSettings settings(file, QSettings::IniFormat);
    if (settings.status() != QSettings::NoError) {
        *error = QStringLiteral("Config file '%1' cannot be parsed.").arg(file);
        return false;
    }
    if (settings.contains(QStringLiteral("server/listen")) &&
        !setListen(settings.value(QStringLiteral("server/listen")).toString(), error)) {
        return false;
    }
    if (settings.contains(QStringLiteral("server/event_dispatcher"))) {
        const QString dispatcher =
            settings.value(QStringLiteral("server/event_dispatcher")).toString();
        if (dispatcher != QLatin1String("epoll") && dispatcher != QLatin1String("qt")) {
            *error = QStringLiteral("server/event_dispatcher must be 'epoll' or 'qt'.");
            return false;
        }
        epollDispatcher = dispatcher == QLatin1String("epoll");
    }
    if (settings.contains(QStringLiteral("server/data_dir"))) {
        dataDir = settings.value(QStringLiteral("server/data_dir")).toString();
    }
    if (settings.contains(QStringLiteral("media/directory"))) {
        mediaDir = settings.value(QStringLiteral("media/directory")).toString();
    }
    if (settings.contains(QStringLiteral("registration/policy"))) {
        const QString policy = settings.value(QStringLiteral("registration/policy")).toString();
        if (policy == QLatin1String("open")) {
            registration = RegistrationPolicy::Open;
        } else if (policy == QLatin1String("invite")) {
            registration = RegistrationPolicy::InviteOnly;
        } else {
            *error = QStringLiteral("registration/policy must be 'open' or 'invite'.");
            return false;
        }
    }
    if (settings.contains(QStringLiteral("storage/synchronous"))) {
        const QString sync =
            settings.value(QStringLiteral("storage/synchronous")).toString().toUpper();
        if (sync != QLatin1String("FULL") && sync != QLatin1String("NORMAL")) {
            *error = QStringLiteral("storage/synchronous must be 'full' or 'normal'.");
            return false;
        }
        synchronous = sync;
    }
    if (!readBool(settings, QStringLiteral("tls/enabled"), &tlsEnabled, error) ||
        !readBool(settings, QStringLiteral("tls/allow_plain_http_on_network"), &plainHttpOnNetwork,
                  error) ||
        !readBool(settings, QStringLiteral("tls/stream_alpn"), &tlsStreamAlpn, error)) {
        return false;
    }
    if (!readBool(settings, QStringLiteral("discovery/advertise"), &advertise, error)) {
        return false;
    }
    if (settings.contains(QStringLiteral("discovery/name"))) {
        discoveryName = settings.value(QStringLiteral("discovery/name")).toString().trimmed();
    }
    tlsCertificate = configPath(settings, QStringLiteral("tls/certificate"), file);
    tlsPrivateKey = configPath(settings, QStringLiteral("tls/private_key"), file);
    if (tlsCertificate.isEmpty() != tlsPrivateKey.isEmpty()) {
        *error = QStringLiteral("tls/certificate and tls/private_key must be set together.");
        return false;
    }
    constexpr double big = 1e15;
    const bool read =
        readNumber(settings, QStringLiteral("server/threads"), &threads, 0, 256, error) &&
        readNumber(settings, QStringLiteral("server/writer_priority"), &writerPriority, 0, 19,
                   error) &&
        readNumber(settings, QStringLiteral("limits/max_request_body"), &limits.maxRequestBody,
                   1024, 1LL << 32, error) &&
        readNumber(settings, QStringLiteral("limits/max_payload_bytes"), &limits.maxPayloadBytes,
                   16, 1LL << 30, error) &&
        readNumber(settings, QStringLiteral("limits/max_devices_per_message"),
                   &limits.maxDevicesPerMessage, 1, 100000, error) &&
        readNumber(settings, QStringLiteral("limits/max_devices_per_user"),
                   &limits.maxDevicesPerUser, 1, 1000000, error) &&
        readNumber(settings, QStringLiteral("limits/max_inbox_page"), &limits.maxInboxPage, 1,
                   100000, error) &&
        readNumber(settings, QStringLiteral("limits/max_client_frame"), &limits.maxClientFrame,
                   1024, 64LL * 1024 * 1024, error) &&
        readNumber(settings, QStringLiteral("limits/stream_window"), &limits.streamWindow, 1,
                   100000, error) &&
        readNumber(settings, QStringLiteral("retention/inbox_seconds"), &retentionSeconds, 1, big,
                   error) &&
        readNumber(settings, QStringLiteral("retention/purge_interval_seconds"),
                   &purgeIntervalSeconds, 1, big, error) &&
        readNumber(settings, QStringLiteral("auth/argon2_memory_kib"), &argon2MemoryKiB, 8,
                   4 * 1024 * 1024, error) &&
        readNumber(settings, QStringLiteral("auth/argon2_iterations"), &argon2Iterations, 1, 100,
                   error) &&
        readNumber(settings, QStringLiteral("rate/messages_per_second"), &messageRatePerSecond,
                   0.01, big, error) &&
        readNumber(settings, QStringLiteral("rate/message_burst"), &messageBurst, 1, big, error) &&
        readNumber(settings, QStringLiteral("rate/auth_per_minute"), &authRatePerMinute, 0.01, big,
                   error) &&
        readNumber(settings, QStringLiteral("rate/auth_burst"), &authBurst, 1, big, error) &&
        readNumber(settings, QStringLiteral("rate/key_fetches_per_minute"), &keyFetchRatePerMinute,
                   0.01, big, error) &&
        readNumber(settings, QStringLiteral("rate/key_fetch_burst"), &keyFetchBurst, 1, big,
                   error) &&
        readNumber(settings, QStringLiteral("stream/idle_timeout_seconds"), &idleTimeoutSeconds, 5,
                   86400, error) &&
        readNumber(settings, QStringLiteral("stream/receipt_delay_ms"), &receiptDelayMs, 0, 10000,
                   error) &&
        readNumber(settings, QStringLiteral("keys/low_watermark"), &keysLowWatermark, 0,
                   KeyStore::MaxPreKeys, error) &&
        readNumber(settings, QStringLiteral("groups/max_members"), &groupMaxMembers, 2, 100000,
                   error) &&
        readNumber(settings, QStringLiteral("groups/fanout_read_threshold"), &fanoutReadThreshold,
                   0, 10000000, error) &&
        readNumber(settings, QStringLiteral("groups/fanout_round_deliveries"),
                   &fanoutRoundDeliveries, 1, 1000000, error) &&
        readNumber(settings, QStringLiteral("groups/fanout_round_pause_ms"), &fanoutRoundPauseMs, 0,
                   60000, error) &&
        readNumber(settings, QStringLiteral("devices/link_ttl_seconds"), &linkTtlSeconds, 10, 86400,
                   error) &&
        readNumber(settings, QStringLiteral("devices/max_open_links"), &maxOpenLinks, 1, 1000,
                   error) &&
        readNumber(settings, QStringLiteral("devices/history_max_bytes"), &historyMaxBytes, 1024,
                   1LL << 40, error) &&
        readNumber(settings, QStringLiteral("devices/history_ttl_seconds"), &historyTtlSeconds, 60,
                   365LL * 86400, error) &&
        readNumber(settings, QStringLiteral("media/max_size"), &mediaMaxSize, 0, 1LL << 50,
                   error) &&
        readNumber(settings, QStringLiteral("media/url_ttl_seconds"), &mediaUrlTtlSeconds, 1,
                   7LL * 86400, error) &&
        readNumber(settings, QStringLiteral("media/unreferenced_grace_seconds"),
                   &mediaUnreferencedGraceSeconds, 60, 365LL * 86400, error) &&
        readNumber(settings, QStringLiteral("media/min_free_bytes"), &mediaMinFreeBytes, 0,
                   1LL << 50, error) &&
        readNumber(settings, QStringLiteral("tls/handshake_timeout_seconds"),
                   &tlsHandshakeTimeoutSeconds, 1, 300, error) &&
        readNumber(settings, QStringLiteral("presence/heartbeat_seconds"),
                   &presenceHeartbeatSeconds, 1, 3600, error) &&
        readNumber(settings, QStringLiteral("presence/offline_after_seconds"),
                   &presenceOfflineAfterSeconds, 1, 86400, error) &&
        readNumber(settings, QStringLiteral("rate/typing_per_second"), &typingRatePerSecond, 0.01,
                   big, error) &&
        readNumber(settings, QStringLiteral("rate/typing_burst"), &typingBurst, 1, big, error);
    if (!read) {
        return false;
    }
    if (presenceOfflineAfterSeconds <= presenceHeartbeatSeconds) {
        *error = QStringLiteral("presence/offline_after_seconds (%1) must be longer than "
                                "presence/heartbeat_seconds (%2), or every device would flicker "
                                "offline between two heartbeats.")
                     .arg(presenceOfflineAfterSeconds)
                     .arg(presenceHeartbeatSeconds);
        return false;
    }
    return true;
}

QString Config::resolvedDataDir() const
{
    if (!dataDir.isEmpty()) {
        return QDir(dataDir).absolutePath();
    }
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
           QStringLiteral("/tincand");
}

QString Config::databasePath() const
{
    return resolvedDataDir() + QStringLiteral("/tincand.db");
}

QString Config::resolvedMediaDir() const
{
    return mediaDir.isEmpty() ? resolvedDataDir() + QStringLiteral("/media")
                              : QDir(mediaDir).absolutePath();
}

QString Config::resolvedDiscoveryName() const
{
    if (!discoveryName.isEmpty()) {
        return discoveryName;
    }
    // The short host name: "files", not "files.example.org".
    const QString host = QSysInfo::machineHostName().section(QLatin1Char('.'), 0, 0);
    return QStringLiteral("Tincan on %1").arg(host.isEmpty() ? QStringLiteral("this host") : host);
}

QString Config::tlsDirectory() const
{
    return resolvedDataDir() + QStringLiteral("/tls");
}

bool Config::checkTransport(QString *error) const
{
    if (tlsEnabled || listenAddress.isLoopback() || plainHttpOnNetwork) {
        return true;
    }
    *error = QStringLiteral("Refusing to serve plain HTTP on %1: passwords and tokens would cross "
                            "the network unencrypted. Keep tls/enabled=true, listen on a loopback "
                            "address, or set tls/allow_plain_http_on_network=true (e.g. behind a "
                            "TLS-terminating proxy).")
                 .arg(listenAddress.toString());
    return false;
}

} // namespace Tincan::Server
