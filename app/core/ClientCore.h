#pragma once

#include "app/core/ApiClient.h"
#include "app/core/CertificatePin.h"
#include "app/core/LocalStore.h"
#include "app/core/Profile.h"
#include "app/core/StreamClient.h"

#include <QHash>
#include <QObject>
#include <QTimer>

namespace Tincan::Client {

//! One account on one device: profile, local store, HTTP API, stream, outbox. This is what the
//! desktop app and tincan-cli drive. Main thread.
//!
//! Sending: send() writes the message and an outbox entry in one transaction, then the outbox is
//! worked off in order, one request at a time, retrying with the same client message id until
//! the server answers (so a crash or a lost answer never duplicates a message). A 409
//! device_mismatch refreshes the cached device lists and retries at once.
//! Receiving: each envelope is stored (de-duplicated on sender + client id) before it is
//! acknowledged, so an envelope is either stored or delivered again.
//! Transport: https:// (and wss://) with the server's certificate pinned in the profile on first
//! use (certificatePinned); a server that later shows another certificate gets nothing (HTTP
//! calls fail with certificate_changed, the stream stops, fatalError says why).
class ClientCore : public QObject
{
    Q_OBJECT

public:
    explicit ClientCore(const QString &profileDirectory, QObject *parent = nullptr);
    ~ClientCore() override;

    bool open(QString *error);
    Profile &profile() { return m_profile; }
    LocalStore &store() { return m_store; }
    ApiClient &api() { return m_api; }
    StreamClient &stream() { return m_stream; }
    CertificatePin &certificatePin() { return m_pin; }

    //! Overrides (and remembers) the server URL: https://, or http:// on this machine (loopback)
    //! or when plain HTTP was allowed. Another server than before drops the pinned certificate.
    bool setServerUrl(const QUrl &url, QString *error);
    //! Allows http:// URLs of other machines (passwords and tokens then cross the network
    //! unencrypted). Not remembered.
    void setPlainHttpAllowed(bool allowed) { m_plainHttpAllowed = allowed; }
    //! Pins (and remembers) the certificate the server must show, instead of trusting the first
    //! one: SHA-256, 64 hex digits, colons optional, any case.
    bool pinServerCertificate(const QString &fingerprint, QString *error);

    //! Creates the account and signs this profile's device in.
    void registerAccount(const QString &username, const QString &password,
                         const QString &deviceName, const QString &inviteCode, ApiCallback done);
    void login(const QString &username, const QString &password, const QString &deviceName,
               ApiCallback done);

    //! Opens the stream and starts working off the outbox.
    void connectToServer();
    void disconnectFromServer();

    //! Queues a text message; returns its client message id (empty with `error` on failure).
    QString send(const QString &to, const QString &text, QString *error);
    int outboxSize();
    //! Works off the outbox without opening the stream.
    void flushOutbox();

    //! Retry bounds for the outbox, for tests.
    void setRetryDelays(int initialMs, int maxMs);

Q_SIGNALS:
    void messageReceived(const Tincan::Client::StoredMessage &message);
    void messageStatusChanged(const QString &clientMessageId,
                              Tincan::Client::StoredMessage::Status status, const QString &error);
    void connectionStateChanged(bool online);
    void synced();
    void outboxEmpty();
    //! Something the user must act on (revoked device, broken profile, changed certificate).
    void fatalError(const QString &message);
    //! No certificate was pinned, and the server's became the pin: show it, so the user can
    //! compare it with the one the administrator announced.
    void certificatePinned(const QString &fingerprint);

private:
    void signedIn(const ApiResult &result, const ApiCallback &done);
    void processOutbox();
    void sendEntry(const OutboxEntry &entry);
    void withDevices(const QString &username, std::function<void(bool, QString)> next);
    void retryLater(int hintSeconds);
    void onEnvelope(const Protocol::Envelope &envelope);
    void flushAcks();

    Profile m_profile;
    LocalStore m_store;
    CertificatePin m_pin; // Before the clients that use it.
    ApiClient m_api;
    StreamClient m_stream;
    QHash<QString, QList<qint64>> m_deviceCache;
    QTimer m_retryTimer;
    QTimer m_ackTimer;
    QList<qint64> m_pendingAcks;
    bool m_sending = false;
    bool m_connected = false;
    bool m_plainHttpAllowed = false;
    int m_retryAttempt = 0;
    int m_mismatchRetries = 0;
    int m_initialRetryMs = 500;
    int m_maxRetryMs = 30000;
};

} // namespace Tincan::Client
