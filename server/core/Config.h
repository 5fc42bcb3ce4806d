#pragma once

#include "shared/protocol/Limits.h"

#include <QHostAddress>
#include <QString>

namespace Tincan::Server {

//! Everything tincand can be told. Loaded from an INI file (see packaging/tincand.conf.example
//! and docs/admin.md); command-line flags override the file; defaults work with neither.
struct Config
{
    enum class RegistrationPolicy { Open, InviteOnly };

    QHostAddress listenAddress = QHostAddress::LocalHost;
    quint16 port = 7420;
    QString dataDir; //!< Empty: the per-user data directory.
    int threads = 0; //!< Event-loop threads for connections; 0 = automatic.
    //! Connection threads wait with epoll (scales with ready sockets) instead of Qt's poll()
    //! dispatcher (scales with all sockets of the thread).
    bool epollDispatcher = true;
    //! Nice steps the database writer thread runs above the connection threads (0: the same).
    //! Every write goes through that one thread, so when it waits for a CPU behind the
    //! connection threads everything waits. Raised if the process may (CAP_SYS_NICE or
    //! RLIMIT_NICE); otherwise the connection threads are lowered by as much instead.
    int writerPriority = 5;

    RegistrationPolicy registration = RegistrationPolicy::Open;
    Protocol::Limits limits;

    qint64 retentionSeconds = 30LL * 24 * 3600;
    qint64 purgeIntervalSeconds = 3600;
    QString synchronous = QStringLiteral("FULL");

    int argon2MemoryKiB = 19 * 1024;
    int argon2Iterations = 2;

    double messageRatePerSecond = 100; //!< Sustained sends per device.
    double messageBurst = 1000;
    double authRatePerMinute = 30; //!< Register/login attempts per client address.
    double authBurst = 30;
    //! Key bundle fetches per device: each fetch uses up the target devices' one-time pre-keys,
    //! so one device must not be able to drain them.
    double keyFetchRatePerMinute = 600;
    double keyFetchBurst = 100;

    int idleTimeoutSeconds = 60; //!< Stream closed when no frame arrives for this long.
    //! How long a stream keeps a receipt change for others to go in the same frame.
    int receiptDelayMs = 100;

    //! Groups: most members; member devices above which messages are fanned out on read (each
    //! device reads the group log) instead of on write (an inbox entry per device); deliveries
    //! per fan-out transaction.
    qint64 groupMaxMembers = 1024;
    qint64 fanoutReadThreshold = 200;
    qint64 fanoutRoundDeliveries = 2000;
    //! Pause before each fan-out round (ms), leaving the writer to other work; 0: none.
    int fanoutRoundPauseMs = 0;
    //! Presence: clients are told (hello) to send a frame this often.
    int presenceHeartbeatSeconds = 30;
    //! A device whose stream sent no frame for this long no longer counts as online, even if
    //! its connection stays open; a user is online while one of their devices counts.
    int presenceOfflineAfterSeconds = 60;
    //! Typing frames per device, over all its conversations (each conversation is also limited
    //! to one relayed "started" per 2 s).
    double typingRatePerSecond = 5;
    double typingBurst = 10;

    //! Device linking: how long a link code is valid; how many unfinished links a user may
    //! have; the most bytes one history transfer may hold; how long a transfer is kept after
    //! the device was linked (deleted earlier once the new device has it).
    qint64 linkTtlSeconds = 600;
    qint64 maxOpenLinks = 5;
    qint64 historyMaxBytes = 256LL * 1024 * 1024;
    qint64 historyTtlSeconds = 3LL * 24 * 3600;

    //! Media: the largest upload (bytes of ciphertext); how long a signed URL is valid; how
    //! long an upload no message references is kept; the free space left untouched on the
    //! media disk (uploads that would go below it get 507).
    qint64 mediaMaxSize = 4LL * 1024 * 1024 * 1024;
    qint64 mediaUrlTtlSeconds = 300;
    qint64 mediaUnreferencedGraceSeconds = 24LL * 3600;
    qint64 mediaMinFreeBytes = 256LL * 1024 * 1024;
    QString mediaDir; //!< Empty: <data dir>/media.

    //! GET /v1/keys reports `low` below this many one-time prekeys.
    qint64 keysLowWatermark = 20;
    //! HTTPS and WSS (the default). Off: plain HTTP, only on a loopback address unless
    //! plainHttpOnNetwork says otherwise.
    bool tlsEnabled = true;
    //! PEM files of the admin's certificate (chain) and key; empty: a self-signed pair kept in
    //! <data dir>/tls/, created on first start.
    QString tlsCertificate;
    QString tlsPrivateKey;
    int tlsHandshakeTimeoutSeconds = 10; //!< A connection still handshaking after this is closed.
    bool plainHttpOnNetwork = false;     //!< Allows tls/enabled=false on a non-loopback address.
    //! Streams of clients that offer ALPN Protocol::StreamAlpn get TLS terminated by OpenSSL on
    //! the descriptor (TlsStream) instead of QSslSocket. Off: every connection takes the
    //! QSslSocket path (the same protocol, more CPU per frame).
    bool tlsStreamAlpn = true;

    //! LAN discovery: advertise the server with DNS-SD as `_tincan._tcp` (docs/admin.md), under
    //! discoveryName (empty: "Tincan on <host name>").
    bool advertise = true;
    QString discoveryName;

    //! Reads `file` over the defaults. Returns false with an error text on a bad value.
    bool loadFile(const QString &file, QString *error);
    //! Parses "ADDR:PORT", "[v6]:PORT", "ADDR" or ":PORT".
    bool setListen(const QString &value, QString *error);
    QString resolvedDataDir() const;
    QString databasePath() const;
    //! Where the self-signed certificate and key live.
    QString tlsDirectory() const;
    QString resolvedMediaDir() const;
    //! discoveryName, or "Tincan on <host name>".
    QString resolvedDiscoveryName() const;
    //! Refuses plain HTTP on a non-loopback address unless explicitly allowed.
    bool checkTransport(QString *error) const;
};

} // namespace Tincan::Server
