#include "app/core/ClientCore.h"

#include "app/core/Logging.h"
#include "shared/protocol/Fingerprint.h"
#include "shared/protocol/MessageContent.h"
#include "shared/protocol/Validation.h"

#include <QDateTime>
#include <QHostAddress>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QSet>
#include <QUuid>

namespace Tincan::Client {

namespace {
constexpr int MaxMismatchRetries = 3;

bool isLoopbackHost(const QString &host)
{
    return host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0 ||
           QHostAddress(host).isLoopback();
}
} // namespace

ClientCore::ClientCore(const QString &profileDirectory, QObject *parent)
    : QObject(parent)
    , m_profile(profileDirectory)
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &ClientCore::processOutbox);
    // ACKs are batched: everything stored in one pass of the event loop goes in one frame.
    m_ackTimer.setSingleShot(true);
    m_ackTimer.setInterval(0);
    connect(&m_ackTimer, &QTimer::timeout, this, &ClientCore::flushAcks);

    connect(&m_stream, &StreamClient::envelopeReceived, this, &ClientCore::onEnvelope);
    connect(&m_stream, &StreamClient::connected, this, [this] {
        Q_EMIT connectionStateChanged(true);
        // The server is reachable again: retry the outbox now rather than at the backoff.
        if (!m_sending && m_retryTimer.isActive()) {
            m_retryTimer.stop();
            m_retryAttempt = 0;
            processOutbox();
        }
    });
    connect(&m_stream, &StreamClient::disconnected, this,
            [this] { Q_EMIT connectionStateChanged(false); });
    connect(&m_stream, &StreamClient::synced, this, [this] {
        flushAcks();
        Q_EMIT synced();
    });
    connect(&m_stream, &StreamClient::sentReceived, this,
            [this](const Protocol::SendReceipt &receipt) {
                // The answer to our POST may have been lost: the stream tells us too.
                bool changed = false;
                if (m_store.markSent(receipt.clientMessageId, receipt.messageId, receipt.seq,
                                     receipt.serverTimestamp, &changed) &&
                    changed) {
                    Q_EMIT messageStatusChanged(receipt.clientMessageId,
                                                StoredMessage::Status::Sent, {});
                }
            });
    connect(&m_stream, &StreamClient::rejected, this, &ClientCore::fatalError);

    m_api.setCertificatePin(&m_pin);
    m_stream.setCertificatePin(&m_pin);
    connect(&m_pin, &CertificatePin::pinned, this, [this](const QString &fingerprint) {
        m_profile.setServerFingerprint(fingerprint);
        QString error;
        if (!m_profile.save(&error)) {
            qCWarning(lcCore).noquote() << "cannot remember the pinned certificate:" << error;
        }
        Q_EMIT certificatePinned(fingerprint);
    });
    connect(&m_pin, &CertificatePin::rejected, this, &ClientCore::fatalError);
}

ClientCore::~ClientCore() = default;

bool ClientCore::open(QString *error)
{
    if (!m_profile.load(error)) {
        return false;
    }
    if (!m_store.open(m_profile.databasePath())) {
        *error = QStringLiteral("Cannot open the local database: %1").arg(m_store.lastError());
        return false;
    }
    m_api.setBaseUrl(m_profile.serverUrl());
    m_api.setToken(m_profile.token());
    const QByteArray pin = Protocol::parseFingerprint(m_profile.serverFingerprint());
    if (pin.isEmpty() && !m_profile.serverFingerprint().isEmpty()) {
        // Never fall back to trusting the next certificate because the pin got garbled.
        *error = QStringLiteral("The pinned server certificate in %1/profile.ini is not a SHA-256 "
                                "fingerprint; correct or delete server/certificate_sha256.")
                     .arg(m_profile.directory());
        return false;
    }
    m_pin.setDigest(pin);
    return true;
}

bool ClientCore::setServerUrl(const QUrl &url, QString *error)
{
    const bool https = url.scheme() == QLatin1String("https");
    if (!url.isValid() || (!https && url.scheme() != QLatin1String("http")) ||
        url.host().isEmpty()) {
        *error = QStringLiteral("The server URL must look like https://HOST:PORT.");
        return false;
    }
    if (!https && !m_plainHttpAllowed && !isLoopbackHost(url.host())) {
        *error = QStringLiteral("%1 would send passwords and tokens unencrypted: use https://, or "
                                "allow plain HTTP explicitly.")
                     .arg(url.toString());
        return false;
    }
    const QUrl previous = m_profile.serverUrl();
    if (url.scheme() != previous.scheme() ||
        url.host().compare(previous.host(), Qt::CaseInsensitive) != 0 ||
        url.port() != previous.port()) {
        // Another server: the pinned certificate was the old one's.
        m_pin.setDigest({});
        m_profile.setServerFingerprint({});
        m_api.resetConnections();
    }
    m_profile.setServerUrl(url);
    m_api.setBaseUrl(url);
    return m_profile.save(error);
}

bool ClientCore::pinServerCertificate(const QString &fingerprint, QString *error)
{
    const QByteArray digest = Protocol::parseFingerprint(fingerprint);
    if (digest.isEmpty()) {
        *error = QStringLiteral("'%1' is not a SHA-256 fingerprint (64 hex digits, colons "
                                "optional).")
                     .arg(fingerprint.left(120));
        return false;
    }
    m_pin.setDigest(digest);
    m_profile.setServerFingerprint(Protocol::formatFingerprint(digest));
    m_api.resetConnections();
    return m_profile.save(error);
}

void ClientCore::setRetryDelays(int initialMs, int maxMs)
{
    m_initialRetryMs = initialMs;
    m_maxRetryMs = maxMs;
    m_stream.setBackoff(initialMs, maxMs);
}

void ClientCore::signedIn(const ApiResult &result, const ApiCallback &done)
{
    if (result.ok()) {
        m_profile.setIdentity(result.body.value(QStringLiteral("username")).toString(),
                              result.body.value(QStringLiteral("userId")).toInteger(),
                              result.body.value(QStringLiteral("deviceId")).toInteger(),
                              result.body.value(QStringLiteral("token")).toString().toLatin1());
        QString error;
        if (!m_profile.save(&error)) {
            ApiResult failed = result;
            failed.status = 0;
            failed.error.code = QStringLiteral("profile");
            failed.error.message = error;
            done(failed);
            return;
        }
        m_api.setToken(m_profile.token());
        m_deviceCache.clear();
    }
    done(result);
}

void ClientCore::registerAccount(const QString &username, const QString &password,
                                 const QString &deviceName, const QString &inviteCode,
                                 ApiCallback done)
{
    m_api.registerAccount(username, password, deviceName, inviteCode,
                          [this, done](const ApiResult &result) { signedIn(result, done); });
}

void ClientCore::login(const QString &username, const QString &password, const QString &deviceName,
                       ApiCallback done)
{
    m_api.login(username, password, deviceName,
                [this, done](const ApiResult &result) { signedIn(result, done); });
}

void ClientCore::connectToServer()
{
    if (!m_profile.isSignedIn()) {
        Q_EMIT fatalError(QStringLiteral("This profile is not signed in."));
        return;
    }
    m_connected = true;
    m_stream.start(m_api.streamUrl(), m_profile.token());
    processOutbox();
}

void ClientCore::disconnectFromServer()
{
    m_connected = false;
    flushAcks();
    m_stream.stop();
    m_retryTimer.stop();
}

QString ClientCore::send(const QString &to, const QString &text, QString *error)
{
    if (!m_profile.isSignedIn()) {
        *error = QStringLiteral("Sign in first.");
        return {};
    }
    if (!Protocol::isValidUsername(to)) {
        *error = QStringLiteral("'%1' is not a valid username.").arg(to);
        return {};
    }
    if (text.isEmpty() || text.size() > Protocol::MessageContent::MaxTextLength) {
        *error = QStringLiteral("A message must have 1 to %1 characters.")
                     .arg(Protocol::MessageContent::MaxTextLength);
        return {};
    }
    StoredMessage message;
    message.clientMessageId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    message.conversation = Protocol::directConversationId(m_profile.username(), to);
    message.sender = m_profile.username();
    message.senderDevice = m_profile.deviceId();
    message.text = text;
    message.localTimestamp = QDateTime::currentMSecsSinceEpoch();
    message.outgoing = true;
    if (!m_store.queueOutgoing(message, to)) {
        *error = QStringLiteral("Cannot save the message: %1").arg(m_store.lastError());
        return {};
    }
    processOutbox();
    return message.clientMessageId;
}

int ClientCore::outboxSize()
{
    return static_cast<int>(m_store.outbox().size());
}

void ClientCore::flushOutbox()
{
    processOutbox();
}

void ClientCore::processOutbox()
{
    if (m_sending || m_retryTimer.isActive() || !m_profile.isSignedIn()) {
        return;
    }
    const QList<OutboxEntry> entries = m_store.outbox();
    if (entries.isEmpty()) {
        Q_EMIT outboxEmpty();
        return;
    }
    m_sending = true;
    sendEntry(entries.first());
}

void ClientCore::withDevices(const QString &username, std::function<void(bool, QString)> next)
{
    if (m_deviceCache.contains(username)) {
        next(true, {});
        return;
    }
    m_api.userDevices(username, [this, username, next](const ApiResult &result) {
        if (!result.ok()) {
            next(false, result.error.code);
            return;
        }
        QList<qint64> ids;
        const QJsonArray devices = result.body.value(QStringLiteral("devices")).toArray();
        for (const QJsonValue &device : devices) {
            ids.append(device.toObject().value(QStringLiteral("id")).toInteger());
        }
        m_deviceCache.insert(username, ids);
        next(true, {});
    });
}

void ClientCore::sendEntry(const OutboxEntry &entry)
{
    const QString self = m_profile.username();
    auto fail = [this, entry](const QString &reason) {
        m_store.markFailed(entry.clientMessageId, reason);
        m_sending = false;
        Q_EMIT messageStatusChanged(entry.clientMessageId, StoredMessage::Status::Failed, reason);
        processOutbox();
    };
    withDevices(entry.recipient, [=, this](bool ok, const QString &code) {
        if (!ok) {
            if (code == QLatin1String(Protocol::ErrorCode::UnknownUser)) {
                fail(QStringLiteral("There is no user called '%1'.").arg(entry.recipient));
            } else {
                m_sending = false;
                retryLater(0);
            }
            return;
        }
        withDevices(self, [=, this](bool ownOk, const QString &) {
            if (!ownOk) {
                m_sending = false;
                retryLater(0);
                return;
            }
            // One payload per target device. Until the E2EE issue lands the payload is the
            // encoded content itself; the shape of the request does not change with it.
            Protocol::MessageContent content{entry.text};
            const QByteArray payload = content.encode().toBase64();
            QList<qint64> targets = m_deviceCache.value(entry.recipient);
            if (entry.recipient != self) {
                targets += m_deviceCache.value(self);
            }
            QJsonArray payloads;
            QSet<qint64> seen;
            for (const qint64 device : std::as_const(targets)) {
                if (device == m_profile.deviceId() || seen.contains(device)) {
                    continue;
                }
                seen.insert(device);
                payloads.append(
                    QJsonObject{{QStringLiteral("device"), device},
                                {QStringLiteral("body"), QString::fromLatin1(payload)}});
            }
            const QJsonObject request{{QStringLiteral("clientMessageId"), entry.clientMessageId},
                                      {QStringLiteral("to"), entry.recipient},
                                      {QStringLiteral("payloads"), payloads}};
            m_store.bumpAttempts(entry.clientMessageId);
            m_api.sendMessage(request, [=, this](const ApiResult &result) {
                m_sending = false;
                if (result.ok()) {
                    m_retryAttempt = 0;
                    m_mismatchRetries = 0;
                    bool changed = false;
                    m_store.markSent(entry.clientMessageId,
                                     result.body.value(QStringLiteral("messageId")).toInteger(),
                                     result.body.value(QStringLiteral("seq")).toInteger(),
                                     result.body.value(QStringLiteral("serverTs")).toInteger(),
                                     &changed);
                    if (changed) {
                        Q_EMIT messageStatusChanged(entry.clientMessageId,
                                                    StoredMessage::Status::Sent, {});
                    }
                    processOutbox();
                } else if (result.status == 409 &&
                           result.error.code ==
                               QLatin1String(Protocol::ErrorCode::DeviceMismatch) &&
                           m_mismatchRetries < MaxMismatchRetries) {
                    // Someone added or removed a device: refresh both lists and try again now.
                    ++m_mismatchRetries;
                    m_deviceCache.remove(entry.recipient);
                    m_deviceCache.remove(self);
                    processOutbox();
                } else if (result.status == 409 &&
                           result.error.code == QLatin1String(Protocol::ErrorCode::IdConflict)) {
                    fail(result.error.message);
                } else if (result.transient() || result.status == 409) {
                    m_mismatchRetries = 0;
                    retryLater(result.retryAfterSeconds);
                } else if (result.status == 401) {
                    m_sending = false;
                    Q_EMIT fatalError(result.error.message);
                } else {
                    fail(result.error.message);
                }
            });
        });
    });
}

void ClientCore::retryLater(int hintSeconds)
{
    const int exponent = std::min(m_retryAttempt, 16);
    const qint64 bound =
        std::min<qint64>(m_maxRetryMs, static_cast<qint64>(m_initialRetryMs) << exponent);
    qint64 delay = m_initialRetryMs / 2 + static_cast<qint64>(QRandomGenerator::global()->bounded(
                                              static_cast<double>(std::max<qint64>(1, bound))));
    delay = std::min<qint64>(delay, m_maxRetryMs);
    // The server's Retry-After wins over our own bound.
    delay = std::max<qint64>(delay, std::min<qint64>(hintSeconds, 3600) * 1000LL);
    ++m_retryAttempt;
    m_retryTimer.start(static_cast<int>(delay));
}

void ClientCore::onEnvelope(const Protocol::Envelope &envelope)
{
    StoredMessage message;
    message.conversation = envelope.conversation;
    message.sender = envelope.fromUser;
    message.senderDevice = envelope.fromDevice;
    message.clientMessageId = envelope.clientMessageId;
    message.serverId = envelope.id;
    message.seq = envelope.seq;
    message.serverTimestamp = envelope.serverTimestamp;
    message.localTimestamp = QDateTime::currentMSecsSinceEpoch();
    // Our own message sent from another device (self-sync) is outgoing here too.
    message.outgoing = envelope.fromUser == m_profile.username();
    message.status =
        message.outgoing ? StoredMessage::Status::Sent : StoredMessage::Status::Received;
    auto content = Protocol::MessageContent::decode(envelope.payload);
    if (content) {
        message.text = content->text;
    } else {
        // Never dropped silently: kept, visibly, with the reason.
        message.error = content.error().message;
        message.status = StoredMessage::Status::Failed;
    }
    bool inserted = false;
    if (!m_store.insertIncoming(message, &inserted)) {
        qCWarning(lcDb) << "cannot store an incoming message; it will be delivered again:"
                        << m_store.lastError();
        return; // Not acknowledged: the server keeps it.
    }
    m_pendingAcks.append(envelope.id);
    if (!m_ackTimer.isActive()) {
        m_ackTimer.start();
    }
    if (inserted) {
        if (auto stored = m_store.message(message.sender, message.clientMessageId)) {
            Q_EMIT messageReceived(*stored);
        }
    }
}

void ClientCore::flushAcks()
{
    if (m_pendingAcks.isEmpty()) {
        return;
    }
    m_stream.sendAck(m_pendingAcks);
    m_pendingAcks.clear();
}

} // namespace Tincan::Client
