#include "app/core/ClientCore.h"

#include "app/core/DatabaseKey.h"
#include "app/core/Keychain.h"
#include "app/core/Logging.h"
#include "shared/crypto/DeviceCrypto.h"
#include "shared/protocol/Fingerprint.h"
#include "shared/protocol/MessageContent.h"
#include "shared/protocol/Validation.h"

#include <QDateTime>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrlQuery>
#include <QUuid>

#include <algorithm>
#include <filesystem>

namespace Tincan::Client {

namespace {

constexpr int MaxMismatchRetries = 3;
constexpr int MaxPreKeysPerUpload = 200;
const auto TokenSetting = QStringLiteral("device_token");

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

bool isLoopbackHost(const QString &host)
{
    return host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0 ||
           QHostAddress(host).isLoopback();
}

QString b64(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toBase64());
}

QJsonObject signedPreKeyJson(const Crypto::PublicSignedPreKey &key)
{
    return {{QStringLiteral("id"), static_cast<qint64>(key.id)},
            {QStringLiteral("publicKey"), b64(key.publicKey)},
            {QStringLiteral("signature"), b64(key.signature)}};
}

QJsonArray preKeysJson(const QList<Crypto::PublicPreKey> &keys)
{
    QJsonArray array;
    for (const auto &key : keys) {
        array.append(QJsonObject{{QStringLiteral("id"), static_cast<qint64>(key.id)},
                                 {QStringLiteral("publicKey"), b64(key.publicKey)}});
    }
    return array;
}

std::optional<Crypto::PreKeyBundle> bundleFromJson(const QJsonObject &object)
{
    Crypto::PreKeyBundle bundle;
    bundle.deviceId = object.value(QStringLiteral("id")).toInt();
    bundle.registrationId =
        static_cast<quint32>(object.value(QStringLiteral("registrationId")).toInteger());
    bundle.identityKey =
        QByteArray::fromBase64(object.value(QStringLiteral("identityKey")).toString().toLatin1());
    const QJsonObject spk = object.value(QStringLiteral("signedPreKey")).toObject();
    bundle.signedPreKey.id = static_cast<quint32>(spk.value(QStringLiteral("id")).toInteger());
    bundle.signedPreKey.publicKey =
        QByteArray::fromBase64(spk.value(QStringLiteral("publicKey")).toString().toLatin1());
    bundle.signedPreKey.signature =
        QByteArray::fromBase64(spk.value(QStringLiteral("signature")).toString().toLatin1());
    if (object.contains(QStringLiteral("preKey"))) {
        const QJsonObject pk = object.value(QStringLiteral("preKey")).toObject();
        bundle.preKey = Crypto::PublicPreKey{
            static_cast<quint32>(pk.value(QStringLiteral("id")).toInteger()),
            QByteArray::fromBase64(pk.value(QStringLiteral("publicKey")).toString().toLatin1())};
    }
    if (bundle.deviceId <= 0 || bundle.identityKey.isEmpty() ||
        bundle.signedPreKey.publicKey.isEmpty()) {
        return std::nullopt;
    }
    return bundle;
}

bool isPlaintextSqlite(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) && file.read(16) == QByteArray("SQLite format 3\0", 16);
}

} // namespace

std::optional<Crypto::PreKeyBundle> ClientCore::parseBundle(const QJsonObject &object)
{
    return bundleFromJson(object);
}

ClientCore::ClientCore(const QString &profileDirectory, QObject *parent)
    : QObject(parent)
    , m_profile(profileDirectory)
{
    m_alive->core = this;
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &ClientCore::processOutbox);
    // ACKs are batched. While catching up, everything stored in one pass of the event loop goes
    // in one frame (the server pushes the backlog as ACKs make room). Live, they wait up to
    // Protocol::AckDelayMs (or Protocol::AckBatch ids), so a busy group makes a few ACK frames a
    // second instead of one per message: the delivered tick is at most that much later.
    m_ackTimer.setSingleShot(true);
    m_ackTimer.setInterval(0);
    connect(&m_ackTimer, &QTimer::timeout, this, &ClientCore::flushAcks);
    // Key maintenance is coalesced: many pre-key messages in a backlog make one check.
    m_maintainTimer.setSingleShot(true);
    connect(&m_maintainTimer, &QTimer::timeout, this, [this] { maintainKeys(); });

    connect(&m_stream, &StreamClient::envelopeReceived, this, &ClientCore::onEnvelope);
    connect(&m_stream, &StreamClient::connected, this, [this] {
        Q_EMIT connectionStateChanged(true);
        maintainKeys();
        resumeTransfersAfterReconnect();
        // The server is reachable again: retry the outbox now rather than at the backoff.
        if (!m_sending && m_retryTimer.isActive()) {
            m_retryTimer.stop();
            m_retryAttempt = 0;
            processOutbox();
        }
    });
    connect(&m_stream, &StreamClient::disconnected, this, [this] {
        m_streamLive = false;
        // No refresh or stop can arrive now: nobody is shown typing, and we start afresh.
        m_typing.clearAll();
        m_typing.resetSent();
        Q_EMIT connectionStateChanged(false);
    });
    connect(&m_stream, &StreamClient::presenceReceived, this,
            [this](const Protocol::PresenceUpdate &update) {
                using State = Protocol::PresenceUpdate::State;
                if (update.state != State::Unknown) {
                    Q_EMIT presenceChanged(update.user, update.state == State::Online,
                                           update.state == State::Hidden ? 0 : update.lastSeen);
                }
            });
    connect(&m_stream, &StreamClient::typingReceived, &m_typing, &TypingTracker::received);
    connect(&m_typing, &TypingTracker::typingChanged, this, &ClientCore::typingChanged);
    // Their message ends their typing.
    connect(this, &ClientCore::messageReceived, this, [this](const StoredMessage &message) {
        if (!message.outgoing) {
            m_typing.clear(message.conversation, message.sender);
        }
    });
    connect(&m_stream, &StreamClient::synced, this, [this] {
        m_streamLive = true;
        flushAcks();
        fetchReceipts();
        flushReadMarks();
        resumeLinks();
        Q_EMIT synced();
    });
    connect(&m_stream, &StreamClient::receiptReceived, this, &ClientCore::onReceipt);
    connect(&m_stream, &StreamClient::linkReceived, this, &ClientCore::onLinkEvent);
    connect(&m_stream, &StreamClient::sentReceived, this,
            [this](const Protocol::SendReceipt &receipt) {
                // The answer to our POST may have been lost: the stream tells us too.
                bool changed = false;
                if (m_store.markSent(receipt.clientMessageId, receipt.messageId, receipt.seq,
                                     receipt.serverTimestamp, &changed) &&
                    changed) {
                    messageSent(receipt.clientMessageId);
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

ClientCore::~ClientCore()
{
    {
        // Work on other threads (media digests, decryption) no longer reaches this object.
        std::lock_guard lock(m_alive->mutex);
        m_alive->core = nullptr;
    }
    stopTransferThreads();
    // libsignal's stores use the database connection: the context goes first.
    m_crypto.reset();
    m_databaseKey.fill('\0');
}

bool ClientCore::openReader(LocalStore &reader, QString *error)
{
    if (m_databaseKey.isEmpty()) {
        *error = QStringLiteral("The profile is not open.");
        return false;
    }
    if (!reader.openReadOnly(m_profile.databasePath(), m_databaseKey)) {
        *error = QStringLiteral("Cannot read the local database: %1").arg(reader.lastError());
        return false;
    }
    return true;
}

bool ClientCore::obtainDatabaseKey(QByteArray *key, QString *error)
{
    switch (m_profile.keySource()) {
    case Profile::KeySource::Keychain: {
        const Keychain::Result read = Keychain::read(m_profile.keychainKey());
        if (read.ok && read.secret.size() == DatabaseKey::KeySize) {
            *key = read.secret;
            return true;
        }
        *error = read.notFound || read.ok
                     ? QStringLiteral("The key of this profile's database is missing from the "
                                      "keychain; the messages in %1 cannot be read without it.")
                           .arg(m_profile.databasePath())
                     : QStringLiteral("Cannot read the database key from the keychain. %1")
                           .arg(read.error);
        return false;
    }
    case Profile::KeySource::Passphrase: {
        const auto passphrase =
            m_passphrasePrompt
                ? m_passphrasePrompt(false, QStringLiteral("Enter the passphrase of this profile."))
                : std::nullopt;
        if (!passphrase || passphrase->isEmpty()) {
            *error = QStringLiteral("This profile is protected by a passphrase; none was given.");
            return false;
        }
        *key = DatabaseKey::deriveFromPassphrase(*passphrase, m_profile.keySalt());
        if (key->isEmpty()) {
            *error = QStringLiteral("Cannot derive the database key.");
            return false;
        }
        return true;
    }
    case Profile::KeySource::None:
        break;
    }
    // A new profile (or one from before the database was encrypted): a fresh random key, kept in
    // the keychain; without a keychain, a key derived from a passphrase the user chooses. Never
    // a plaintext database, never QtKeychain's plaintext fallback.
    QString profileError;
    if (!m_profile.save(&profileError)) { // Creates the profile id that names the entry.
        *error = profileError;
        return false;
    }
    // An entry for this profile may already exist (a crash between writing it and saving
    // profile.ini): reuse it rather than overwrite the key of an existing database.
    const Keychain::Result existing = Keychain::read(m_profile.keychainKey());
    *key = existing.ok && existing.secret.size() == DatabaseKey::KeySize ? existing.secret
                                                                         : DatabaseKey::randomKey();
    const Keychain::Result written = existing.ok && existing.secret == *key
                                         ? existing
                                         : Keychain::write(m_profile.keychainKey(), *key);
    if (written.ok) {
        m_profile.setKeySource(Profile::KeySource::Keychain);
    } else {
        qCInfo(lcDb) << "no keychain, asking for a passphrase:" << written.error;
        const auto passphrase =
            m_passphrasePrompt
                ? m_passphrasePrompt(true, QStringLiteral("No keychain is available (%1). Choose "
                                                          "a passphrase to protect this profile.")
                                               .arg(written.error))
                : std::nullopt;
        if (!passphrase || passphrase->isEmpty()) {
            *error = QStringLiteral("No keychain is available to keep the database key (%1), and "
                                    "no passphrase was given.")
                         .arg(written.error);
            return false;
        }
        const QByteArray salt = DatabaseKey::randomSalt();
        *key = DatabaseKey::deriveFromPassphrase(*passphrase, salt);
        if (key->isEmpty()) {
            *error = QStringLiteral("Cannot derive the database key.");
            return false;
        }
        m_profile.setKeySource(Profile::KeySource::Passphrase, salt);
    }
    // Saved before the key is used for anything, so the key is never lost with its database.
    return m_profile.save(error);
}

bool ClientCore::encryptExistingPlaintextDatabase(const QByteArray &key, QString *error)
{
    // A database written before encryption existed: copy it into an encrypted file with
    // sqlcipher_export, then replace it atomically.
    const QString path = m_profile.databasePath();
    const QString encrypted = path + QStringLiteral(".encrypting");
    QFile::remove(encrypted);
    {
        Storage::Connection plain;
        if (!plain.open({path, QStringLiteral("FULL"), false, 5000})) {
            *error = plain.lastError();
            return false;
        }
        QSqlQuery query(plain.database());
        query.prepare(QStringLiteral("ATTACH DATABASE ? AS encrypted KEY ?"));
        query.addBindValue(encrypted);
        query.addBindValue(QString::fromLatin1("x'" + key.toHex() + "'"));
        const bool ok = query.exec() &&
                        query.exec(QStringLiteral("SELECT sqlcipher_export('encrypted')")) &&
                        query.exec(QStringLiteral("PRAGMA main.user_version")) && query.next();
        const int version = ok ? query.value(0).toInt() : 0;
        query.finish();
        if (!ok || !query.exec(QStringLiteral("PRAGMA encrypted.user_version = %1").arg(version)) ||
            !query.exec(QStringLiteral("DETACH DATABASE encrypted"))) {
            *error = QStringLiteral("Cannot encrypt the existing database: %1")
                         .arg(query.lastError().text());
            QFile::remove(encrypted);
            return false;
        }
        plain.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
    }
    std::error_code failed;
    std::filesystem::rename(encrypted.toStdString(), path.toStdString(), failed);
    if (failed) {
        *error = QStringLiteral("Cannot replace the database: %1")
                     .arg(QString::fromStdString(failed.message()));
        return false;
    }
    QFile::remove(path + QStringLiteral("-wal"));
    QFile::remove(path + QStringLiteral("-shm"));
    qCInfo(lcDb) << "encrypted the database of an older profile";
    return true;
}

bool ClientCore::open(QString *error)
{
    if (!m_profile.load(error)) {
        return false;
    }
    QByteArray key;
    if (!obtainDatabaseKey(&key, error)) {
        return false;
    }
    // A database from before encryption (or a conversion interrupted by a crash, which leaves
    // the plaintext file in place): encrypt it now, with the profile's key.
    if (isPlaintextSqlite(m_profile.databasePath()) &&
        !encryptExistingPlaintextDatabase(key, error)) {
        return false;
    }
    const bool opened = m_store.open(m_profile.databasePath(), key);
    m_databaseKey.fill('\0');
    m_databaseKey = key;
    key.fill('\0');
    if (!opened) {
        *error = QStringLiteral("Cannot open the local database: %1").arg(m_store.lastError());
        return false;
    }
    m_crypto = std::make_unique<Crypto::DeviceCrypto>(m_store.database());
    if (!m_crypto->init(error)) {
        return false;
    }
    m_crypto->store().identityChanged = [this](const QString &name, int) {
        if (!m_changedIdentities.contains(name)) {
            m_changedIdentities.append(name);
        }
    };
    const QByteArray token = m_store.setting(TokenSetting);
    if (!token.isEmpty()) {
        m_profile.setIdentity(m_profile.username(), m_profile.userId(), m_profile.deviceId(),
                              token);
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

void ClientCore::setKeyPolicy(qint64 signedPreKeyRotationMs, qint64 signedPreKeyGraceMs,
                              int preKeyBatch)
{
    m_rotationMs = signedPreKeyRotationMs;
    m_graceMs = signedPreKeyGraceMs;
    m_preKeyBatch = std::clamp(preKeyBatch, 1, MaxPreKeysPerUpload);
}

QJsonObject ClientCore::signInKeys(QString *error)
{
    if (!m_crypto->hasIdentity() && !m_crypto->createIdentity(error)) {
        return {};
    }
    QList<Crypto::PublicPreKey> preKeys = m_crypto->localPreKeys();
    if (preKeys.size() < m_preKeyBatch) {
        preKeys +=
            m_crypto->generatePreKeys(m_preKeyBatch - static_cast<int>(preKeys.size()), error);
    }
    const auto signedPreKey = m_crypto->currentSignedPreKey();
    if (preKeys.isEmpty() || !signedPreKey) {
        if (error->isEmpty()) {
            *error = QStringLiteral("Cannot prepare this device's keys.");
        }
        return {};
    }
    return {{QStringLiteral("identityKey"), b64(m_crypto->identityPublicKey())},
            {QStringLiteral("registrationId"), static_cast<qint64>(m_crypto->registrationId())},
            {QStringLiteral("signedPreKey"), signedPreKeyJson(*signedPreKey)},
            {QStringLiteral("preKeys"), preKeysJson(preKeys.mid(0, MaxPreKeysPerUpload))}};
}

void ClientCore::signedIn(const ApiResult &result, const ApiCallback &done)
{
    if (result.ok()) {
        m_profile.setIdentity(result.body.value(QStringLiteral("username")).toString(),
                              result.body.value(QStringLiteral("userId")).toInteger(),
                              result.body.value(QStringLiteral("deviceId")).toInteger(),
                              result.body.value(QStringLiteral("token")).toString().toLatin1());
        QString error;
        if (!m_store.setSetting(TokenSetting, m_profile.token())) {
            error = QStringLiteral("Cannot save the device token: %1").arg(m_store.lastError());
        }
        if (!error.isEmpty() || !m_profile.save(&error)) {
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

bool ClientCore::prepareSignIn(const ApiCallback &done)
{
    QString error;
    const QJsonObject keys = signInKeys(&error);
    if (keys.isEmpty()) {
        ApiResult failed;
        failed.error.code = QStringLiteral("keys");
        failed.error.message = error;
        done(failed);
        return false;
    }
    m_api.setSignInKeys(keys);
    return true;
}

void ClientCore::registerAccount(const QString &username, const QString &password,
                                 const QString &deviceName, const QString &inviteCode,
                                 ApiCallback done)
{
    if (prepareSignIn(done)) {
        m_api.registerAccount(username, password, deviceName, inviteCode,
                              [this, done](const ApiResult &result) { signedIn(result, done); });
    }
}

void ClientCore::login(const QString &username, const QString &password, const QString &deviceName,
                       ApiCallback done)
{
    if (prepareSignIn(done)) {
        m_api.login(username, password, deviceName,
                    [this, done](const ApiResult &result) { signedIn(result, done); });
    }
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
    m_maintainTimer.stop();
}

void ClientCore::findUsers(const QString &prefix,
                           std::function<void(const ApiResult &, QStringList)> done)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("query"), prefix);
    m_api.call("GET", QStringLiteral("/v1/users?") + query.toString(QUrl::FullyEncoded), nullptr,
               [done = std::move(done)](const ApiResult &result) {
                   QStringList names;
                   if (result.ok()) {
                       for (const QJsonValue &user :
                            result.body.value(QStringLiteral("users")).toArray()) {
                           names.append(
                               user.toObject().value(QStringLiteral("username")).toString());
                       }
                   }
                   done(result, names);
               });
}

void ClientCore::fetchPresence(const QStringList &users, PresenceCallback done)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("users"), users.join(QLatin1Char(',')));
    m_api.call("GET", QStringLiteral("/v1/presence?") + query.toString(QUrl::FullyEncoded), nullptr,
               [done = std::move(done)](const ApiResult &result) {
                   QList<Protocol::PresenceUpdate> presence;
                   if (result.ok()) {
                       const QJsonArray items =
                           result.body.value(QStringLiteral("presence")).toArray();
                       for (const QJsonValue &item : items) {
                           auto update = Protocol::PresenceUpdate::fromJson(item.toObject());
                           if (update) {
                               presence.append(*update);
                           }
                       }
                   }
                   done(result, presence);
               });
}

void ClientCore::setPresenceVisible(bool visible, ApiCallback done)
{
    const QJsonObject body{{QStringLiteral("showPresence"), visible}};
    m_api.call("PUT", QStringLiteral("/v1/account/privacy"), &body, std::move(done));
}

void ClientCore::setTyping(const QString &conversation, bool typing)
{
    if (!m_stream.canSendTyping() ||
        !m_typing.shouldSend(conversation, typing, QDateTime::currentMSecsSinceEpoch())) {
        return;
    }
    m_stream.sendTyping(conversation, typing);
}

QString ClientCore::send(const QString &to, const QString &text, QString *error)
{
    if (text.isEmpty() || text.size() > Protocol::MessageContent::MaxTextLength) {
        *error = QStringLiteral("A message must have 1 to %1 characters.")
                     .arg(Protocol::MessageContent::MaxTextLength);
        return {};
    }
    if (!checkRecipient(to, error)) {
        return {};
    }
    const QString groupId = Protocol::groupIdOf(to);
    StoredMessage message;
    message.clientMessageId = newId();
    message.conversation =
        groupId.isEmpty() ? Protocol::directConversationId(m_profile.username(), to) : to;
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

void ClientCore::entryFailed(const OutboxEntry &entry, const QString &reason)
{
    m_sending = false;
    if (!m_store.markFailed(entry.clientMessageId, reason)) {
        qCWarning(lcDb) << "cannot record a failed message:" << m_store.lastError();
        retryLater(0);
        return;
    }
    if (entry.kind == QLatin1String("text")) {
        Q_EMIT messageStatusChanged(entry.clientMessageId, StoredMessage::Status::Failed, reason);
    } else {
        qCInfo(lcNet) << "dropped a" << entry.kind << "control message:" << reason;
    }
    // Through the event loop: many entries failing at once must not recurse.
    QMetaObject::invokeMethod(this, &ClientCore::processOutbox, Qt::QueuedConnection);
}

void ClientCore::sendEntry(const OutboxEntry &entry)
{
    if (entry.kind != QLatin1String("text") && entry.kind != QLatin1String("media")) {
        // Control messages go to exactly one device.
        encryptAndPost(entry, {{entry.recipient, entry.targetDevice, false}}, true);
        return;
    }
    if (!Protocol::groupIdOf(entry.recipient).isEmpty()) {
        sendGroupEntry(entry);
        return;
    }
    if (m_store.trust(entry.recipient).confirmationRequired) {
        entryFailed(entry, QStringLiteral("Your safety number with %1 changed before this message "
                                          "was sent. Verify it or accept the change, then send "
                                          "again.")
                               .arg(entry.recipient));
        return;
    }
    const QString self = m_profile.username();
    withDevices(entry.recipient, [=, this](bool ok, const QString &code) {
        if (!ok) {
            if (code == QLatin1String(Protocol::ErrorCode::UnknownUser)) {
                entryFailed(entry,
                            QStringLiteral("There is no user called '%1'.").arg(entry.recipient));
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
            // One payload per device: the recipient's, and our own other devices (self-sync).
            QList<Target> targets;
            QSet<qint64> seen;
            auto add = [&](const QString &user) {
                for (const qint64 device : m_deviceCache.value(user)) {
                    if (device != m_profile.deviceId() && !seen.contains(device)) {
                        seen.insert(device);
                        targets.append({user, device, false});
                    }
                }
            };
            add(entry.recipient);
            add(self);
            encryptAndPost(entry, targets, false);
        });
    });
}

void ClientCore::ensureSessions(const QList<Target> &targets,
                                std::function<void(bool, QString)> next)
{
    // The first user with devices we have no session with: fetch just those bundles.
    QString user;
    QStringList wanted;
    for (const Target &target : targets) {
        if (user.isEmpty() || target.user == user) {
            if (target.fresh ||
                !m_crypto->hasSession(target.user, static_cast<int>(target.device))) {
                user = target.user;
                wanted.append(QString::number(target.device));
            }
        }
    }
    if (user.isEmpty()) {
        next(true, {});
        return;
    }
    const QString path =
        QStringLiteral("/v1/users/%1/keys?devices=%2").arg(user, wanted.join(QLatin1Char(',')));
    m_api.call("GET", path, nullptr, [=, this](const ApiResult &result) {
        if (!result.ok()) {
            next(false, result.error.code);
            return;
        }
        QSet<qint64> served;
        QString invalid;
        const QJsonArray devices = result.body.value(QStringLiteral("devices")).toArray();
        for (const QJsonValue &value : devices) {
            const auto bundle = bundleFromJson(value.toObject());
            if (!bundle) {
                continue;
            }
            m_changedIdentities.clear();
            const auto built = m_crypto->processBundle(user, *bundle);
            if (built.ok()) {
                served.insert(bundle->deviceId);
            } else {
                qCWarning(lcNet) << "cannot start a session:" << built.error.message;
                invalid = built.error.message;
            }
            if (!m_changedIdentities.isEmpty()) {
                checkSafetyNumber(user, true);
            }
        }
        checkSafetyNumber(user, false);
        if (!invalid.isEmpty()) {
            // Keys that do not verify (a forged signed pre-key): never send around them.
            next(false, QStringLiteral("bad_bundle"));
            return;
        }
        QList<Target> rest;
        for (const Target &target : targets) {
            const bool askedNow =
                target.user == user && wanted.contains(QString::number(target.device));
            if (askedNow && !served.contains(target.device)) {
                // No keys (gone, or not reachable yet): forget the cached list, the server's
                // answer to the send will tell what is current.
                m_deviceCache.remove(user);
                continue;
            }
            if (!askedNow) {
                rest.append(target);
            }
        }
        ensureSessions(rest, next);
    });
}

void ClientCore::encryptAndPost(const OutboxEntry &entry, QList<Target> targets, bool targeted)
{
    // Ciphertexts made by an earlier attempt are sent again as they are: encrypting anew would
    // advance every ratchet on each retry, and a long outage could push the one delivered copy
    // past libsignal's 2,000-message window.
    const QJsonObject made = QJsonDocument::fromJson(entry.payloads).object();
    for (Target &target : targets) {
        target.fresh = entry.freshSession && !made.contains(QString::number(target.device));
    }
    ensureSessions(targets, [=, this](bool ok, const QString &code) {
        if (!ok) {
            if (code == QLatin1String(Protocol::ErrorCode::UnknownUser)) {
                entryFailed(entry,
                            QStringLiteral("There is no user called '%1'.").arg(entry.recipient));
            } else if (code == QLatin1String("bad_bundle")) {
                entryFailed(entry, QStringLiteral("The keys of one of %1's devices do not verify; "
                                                  "nothing was sent.")
                                       .arg(entry.recipient));
            } else {
                m_sending = false;
                retryLater(0);
            }
            return;
        }
        if (entry.kind != QLatin1String("retry") &&
            m_store.trust(entry.recipient).confirmationRequired) {
            // Starting the sessions showed a changed safety number for a verified contact:
            // nothing goes to the new device before the user confirms.
            entryFailed(entry, QStringLiteral("Your safety number with %1 changed. Verify it or "
                                              "accept the change, then send again.")
                                   .arg(entry.recipient));
            return;
        }
        Protocol::MessageContent content;
        if (entry.kind == QLatin1String("retry")) {
            content.kind = Protocol::MessageContent::Kind::Retry;
            content.ref = entry.ref;
        } else if (entry.kind == QLatin1String("resend")) {
            const auto original = m_store.message(m_profile.username(), entry.ref);
            if (!original) {
                entryFailed(entry, QStringLiteral("the message to resend is gone"));
                return;
            }
            if (!original->media.isEmpty()) {
                auto media = Protocol::MessageContent::decode(original->media);
                if (media) {
                    content = *media;
                }
            }
            content.text = original->text;
            content.ref = entry.ref;
            content.group = Protocol::groupIdOf(original->conversation);
        } else if (entry.kind == QLatin1String("history")) {
            // The descriptor (with its key) was kept in the encrypted outbox.
            auto history = Protocol::MessageContent::decode(entry.text.toUtf8());
            if (!history || history->kind != Protocol::MessageContent::Kind::History) {
                entryFailed(entry, QStringLiteral("the history descriptor is unreadable"));
                return;
            }
            content = *history;
        } else if (entry.kind == QLatin1String("media")) {
            auto media = Protocol::MessageContent::decode(entry.text.toUtf8());
            if (!media || media->kind != Protocol::MessageContent::Kind::Media) {
                entryFailed(entry, QStringLiteral("the media message is unreadable"));
                return;
            }
            content = *media;
        } else {
            content.text = entry.text;
        }
        QByteArray plaintext = content.encode();
        QJsonArray payloads;
        QJsonObject kept;
        QSqlDatabase &db = m_store.database();
        if (!db.transaction()) {
            m_sending = false;
            retryLater(0);
            return;
        }
        for (const Target &target : targets) {
            const QString key = QString::number(target.device);
            QString body = made.value(key).toString();
            if (body.isEmpty()) {
                if (!m_crypto->hasSession(target.user, static_cast<int>(target.device))) {
                    continue;
                }
                const auto encrypted =
                    m_crypto->encrypt(target.user, static_cast<int>(target.device), plaintext);
                if (!encrypted.ok()) {
                    qCWarning(lcNet) << encrypted.error.message;
                    continue;
                }
                body = b64(*encrypted.value);
            }
            kept.insert(key, body);
            payloads.append(QJsonObject{{QStringLiteral("device"), target.device},
                                        {QStringLiteral("body"), body}});
        }
        plaintext.fill('\0');
        if (!keepEncrypted(entry, kept)) {
            return;
        }
        if (targeted && payloads.isEmpty()) {
            entryFailed(entry, QStringLiteral("no session with the device"));
            return;
        }
        QJsonObject request{{QStringLiteral("clientMessageId"), entry.clientMessageId},
                            {QStringLiteral("to"), entry.recipient},
                            {QStringLiteral("payloads"), payloads}};
        if (targeted) {
            request.insert(QStringLiteral("targeted"), true);
        }
        // The recipients may then download the attachments.
        const QJsonArray mediaIds = mediaIdsOf(content);
        if (!mediaIds.isEmpty()) {
            request.insert(QStringLiteral("media"), mediaIds);
        }
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
                    messageSent(entry.clientMessageId);
                }
                processOutbox();
            } else if (result.status == 409 &&
                       result.error.code == QLatin1String(Protocol::ErrorCode::DeviceMismatch) &&
                       targeted) {
                entryFailed(entry, result.error.message);
            } else if (result.status == 409 &&
                       result.error.code == QLatin1String(Protocol::ErrorCode::DeviceMismatch) &&
                       m_mismatchRetries < MaxMismatchRetries) {
                // Someone added or removed a device: drop sessions with removed ones, refresh
                // both lists and try again now.
                ++m_mismatchRetries;
                const QJsonArray stale =
                    result.error.details.value(QStringLiteral("staleDevices")).toArray();
                for (const QJsonValue &id : stale) {
                    for (const Target &target : targets) {
                        if (target.device == id.toInteger()) {
                            m_crypto->deleteSession(target.user, static_cast<int>(target.device));
                        }
                    }
                }
                m_deviceCache.remove(entry.recipient);
                m_deviceCache.remove(m_profile.username());
                processOutbox();
            } else if (result.status == 409 &&
                       result.error.code == QLatin1String(Protocol::ErrorCode::IdConflict)) {
                entryFailed(entry, result.error.message);
            } else if (result.transient() || result.status == 409) {
                m_mismatchRetries = 0;
                retryLater(result.retryAfterSeconds);
            } else if (result.status == 401) {
                Q_EMIT fatalError(result.error.message);
            } else {
                entryFailed(entry, result.error.message);
            }
        });
    });
}

QJsonArray ClientCore::mediaIdsOf(const Protocol::MessageContent &content)
{
    QJsonArray ids;
    if (content.kind == Protocol::MessageContent::Kind::Media) {
        for (const Protocol::Attachment &attachment : content.attachments) {
            ids.append(attachment.mediaId);
        }
    }
    return ids;
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
    if (!Protocol::groupIdOf(envelope.conversation).isEmpty()) {
        onGroupEnvelope(envelope);
        return;
    }
    const QString self = m_profile.username();
    // The server's envelope metadata is not authenticated: a message from someone else belongs
    // to our conversation with them, whatever the envelope says. Our own message sent from
    // another device (self-sync) is outgoing here too.
    StoredMessage message = messageFrom(
        envelope,
        envelope.fromUser == self ? envelope.conversation
                                  : Protocol::directConversationId(self, envelope.fromUser),
        envelope.fromUser == self);

    // Decrypting advances the ratchet: it happens in one transaction with storing the result,
    // so a failure to store rolls the session back and the re-delivery decrypts again.
    QSqlDatabase &db = m_store.database();
    if (!db.transaction()) {
        qCWarning(lcDb) << "cannot start a transaction; the envelope will be delivered again";
        return;
    }
    m_changedIdentities.clear();
    enum class Outcome { Nothing, Received, Repaired, Undecryptable };
    Outcome outcome = Outcome::Nothing;
    bool stored = true;
    bool controlQueued = false;
    bool historyQueued = false;
    bool preKeyMessage = false;
    QString failure;
    const auto decrypted = m_crypto->decrypt(
        envelope.fromUser, static_cast<int>(envelope.fromDevice), envelope.payload);
    if (decrypted.ok()) {
        preKeyMessage = decrypted.value->preKeyMessage;
        m_store.recordDecryption(envelope.fromUser, envelope.fromDevice, true, {});
        auto content = Protocol::MessageContent::decode(decrypted.value->plaintext);
        bool inserted = false;
        if (!content) {
            // Decrypted, but not something this version understands: kept, visibly.
            message.status = StoredMessage::Status::Failed;
            message.error = content.error().message;
            stored = m_store.insertIncoming(message, &inserted);
            outcome = inserted ? Outcome::Received : Outcome::Nothing;
        } else if (content->kind == Protocol::MessageContent::Kind::History) {
            // Our device that approved this one sends the history: noted here, fetched after
            // the commit. Only our own devices may send it.
            const QByteArray creator =
                m_store.setting(QStringLiteral("link/creator/") + QString::number(content->link));
            if (envelope.fromUser == self && creator.toLongLong() == envelope.fromDevice) {
                stored = m_store.setSetting(pendingHistoryKey(content->link), content->encode()) &&
                         m_store.removeSetting(QStringLiteral("link/creator/") +
                                               QString::number(content->link));
                historyQueued = stored;
            }
        } else if (content->kind == Protocol::MessageContent::Kind::Retry) {
            // A device could not read our message `ref`: send it again, to that device only.
            // Only to someone the message was for: the peer of its conversation, or another of
            // our own devices; only a message the server stored (Sent), so a retry can never
            // pull out a message that was held back (e.g. for a changed safety number).
            const auto mine = m_store.message(self, content->ref);
            const QString mineGroup = mine ? Protocol::groupIdOf(mine->conversation) : QString();
            const bool forRequester =
                mine &&
                (envelope.fromUser == self ||
                 mine->conversation == Protocol::directConversationId(self, envelope.fromUser) ||
                 (!mineGroup.isEmpty() && m_store.isGroupMember(mineGroup, envelope.fromUser)));
            const bool onServer = mine && (mine->status == StoredMessage::Status::Sent ||
                                           mine->status == StoredMessage::Status::Delivered ||
                                           mine->status == StoredMessage::Status::Read);
            if (forRequester && mine->outgoing && onServer) {
                if (!mineGroup.isEmpty()) {
                    // It could not read our group message: it lacks our sender key, which goes
                    // to it again with our next group message.
                    m_store.removeGroupKeyHolders(mineGroup, envelope.fromDevice);
                }
                OutboxEntry resend;
                resend.clientMessageId = newId();
                resend.recipient = envelope.fromUser;
                resend.createdAt = QDateTime::currentMSecsSinceEpoch();
                resend.kind = QStringLiteral("resend");
                resend.ref = content->ref;
                resend.targetDevice = envelope.fromDevice;
                stored = m_store.queueControl(resend);
                controlQueued = true;
            }
        } else if (!content->ref.isEmpty()) {
            // The resend of a message we could not read: it repairs that message.
            if (!content->group.isEmpty() &&
                m_store.isGroupMember(content->group, envelope.fromUser)) {
                message.conversation = Protocol::groupConversationId(content->group);
            }
            message.clientMessageId = content->ref;
            message.text = content->text;
            if (content->kind == Protocol::MessageContent::Kind::Media) {
                message.media = content->encode();
            }
            stored = m_store.repairIncoming(message, &inserted);
            outcome = inserted ? Outcome::Repaired : Outcome::Nothing;
        } else {
            message.text = content->text;
            if (content->kind == Protocol::MessageContent::Kind::Media) {
                message.media = content->encode();
            }
            stored = m_store.insertIncoming(message, &inserted);
            outcome = inserted ? Outcome::Received : Outcome::Nothing;
        }
    } else if (decrypted.error.failure != Crypto::DecryptFailure::Duplicate) {
        // Never dropped silently: kept with the reason; the session with that device is reset
        // and the device is asked to resend over a new one.
        failure = decrypted.error.message;
        message.status = StoredMessage::Status::Undecryptable;
        message.error = failure;
        bool inserted = false;
        stored = m_store.insertIncoming(message, &inserted) &&
                 m_store.recordDecryption(envelope.fromUser, envelope.fromDevice, false, failure);
        if (stored && inserted) {
            // The retry goes in a new session (a pre-key message) when the failure was the
            // session's: libsignal archives the old state instead of deleting it, so messages
            // still in flight on it decrypt when they arrive.
            const Crypto::DecryptFailure why = decrypted.error.failure;
            OutboxEntry retry;
            retry.freshSession =
                why != Crypto::DecryptFailure::Malformed && why != Crypto::DecryptFailure::Internal;
            retry.clientMessageId = newId();
            retry.recipient = envelope.fromUser;
            retry.createdAt = QDateTime::currentMSecsSinceEpoch();
            retry.kind = QStringLiteral("retry");
            retry.ref = envelope.clientMessageId;
            retry.targetDevice = envelope.fromDevice;
            stored = m_store.queueControl(retry);
            controlQueued = true;
            outcome = Outcome::Undecryptable;
        }
    }
    // A duplicate was decrypted and stored by an earlier transaction: nothing to do but ACK.
    if (!stored || !db.commit()) {
        qCWarning(lcDb) << "cannot store an incoming message; it will be delivered again:"
                        << m_store.lastError();
        db.rollback();
        return; // Not acknowledged: the server keeps it.
    }
    envelopeStored(envelope, preKeyMessage);
    switch (outcome) {
    case Outcome::Received:
    case Outcome::Repaired:
        if (auto stored = m_store.message(message.sender, message.clientMessageId)) {
            if (outcome == Outcome::Received) {
                Q_EMIT messageReceived(*stored);
            } else {
                Q_EMIT messageRepaired(*stored);
            }
        }
        break;
    case Outcome::Undecryptable:
        qCInfo(lcNet) << "undecryptable message from" << envelope.fromUser << envelope.fromDevice
                      << "- asked for a resend";
        Q_EMIT decryptionFailed(envelope.fromUser, envelope.fromDevice, failure);
        break;
    case Outcome::Nothing:
        break;
    }
    if (controlQueued) {
        processOutbox();
    }
    if (historyQueued) {
        QMetaObject::invokeMethod(this, &ClientCore::receivePendingHistory, Qt::QueuedConnection);
    }
}

StoredMessage ClientCore::messageFrom(const Protocol::Envelope &envelope,
                                      const QString &conversation, bool outgoing)
{
    StoredMessage message;
    message.conversation = conversation;
    message.sender = envelope.fromUser;
    message.senderDevice = envelope.fromDevice;
    message.clientMessageId = envelope.clientMessageId;
    message.serverId = envelope.id;
    message.seq = envelope.seq;
    message.serverTimestamp = envelope.serverTimestamp;
    message.localTimestamp = QDateTime::currentMSecsSinceEpoch();
    message.outgoing = outgoing;
    message.status = outgoing ? StoredMessage::Status::Sent : StoredMessage::Status::Received;
    return message;
}

bool ClientCore::keepEncrypted(const OutboxEntry &entry, const QJsonObject &made)
{
    // The advanced sessions and the ciphertexts are kept together, or not at all: a lost
    // session update would make the next message reuse a message key.
    QSqlDatabase &db = m_store.database();
    if (m_store.setOutboxPayloads(entry.clientMessageId,
                                  QJsonDocument(made).toJson(QJsonDocument::Compact)) &&
        db.commit()) {
        return true;
    }
    qCWarning(lcDb) << "cannot keep the encrypted message:" << m_store.lastError();
    db.rollback();
    m_sending = false;
    retryLater(0);
    return false;
}

void ClientCore::envelopeStored(const Protocol::Envelope &envelope, bool preKeyMessage)
{
    m_pendingAcks.append(envelope.id);
    if (m_streamLive && m_pendingAcks.size() >= Protocol::AckBatch) {
        flushAcks();
    } else if (!m_ackTimer.isActive()) {
        m_ackTimer.start(m_streamLive ? Protocol::AckDelayMs : 0);
    }
    if (!m_changedIdentities.isEmpty()) {
        checkSafetyNumber(envelope.fromUser, true);
    } else if (preKeyMessage) {
        checkSafetyNumber(envelope.fromUser, false);
    }
    if (preKeyMessage && !m_maintainTimer.isActive()) {
        // One of our one-time pre-keys was used: see whether the server needs more.
        m_maintainTimer.start(1000);
    }
}

void ClientCore::flushAcks()
{
    m_ackTimer.stop();
    if (m_pendingAcks.isEmpty()) {
        return;
    }
    m_stream.sendAck(m_pendingAcks);
    m_pendingAcks.clear();
}

// ---- identity and trust ----

std::optional<Crypto::SafetyNumber> ClientCore::safetyNumber(const QString &user)
{
    const QString self = m_profile.username();
    auto keysOf = [this](const QString &name) {
        QList<QByteArray> keys;
        for (const int device : m_crypto->store().sessionDevices(name)) {
            const QByteArray key = m_crypto->store().remoteIdentity(name, device);
            if (!key.isEmpty()) {
                keys.append(key);
            }
        }
        return keys;
    };
    QList<QByteArray> local = keysOf(self);
    local.append(m_crypto->identityPublicKey());
    const QList<QByteArray> remote = keysOf(user);
    if (remote.isEmpty() || user == self) {
        return std::nullopt;
    }
    auto number = m_crypto->safetyNumber(self, local, user, remote);
    if (!number.ok()) {
        return std::nullopt;
    }
    return *number.value;
}

bool ClientCore::markVerified(const QString &user, QString *error)
{
    const auto number = safetyNumber(user);
    if (!number) {
        *error =
            QStringLiteral("There is no session with %1 yet: exchange a message first.").arg(user);
        return false;
    }
    if (!m_store.setVerified(user, true, number->digits)) {
        *error = m_store.lastError();
        return false;
    }
    return true;
}

bool ClientCore::clearVerified(const QString &user)
{
    return m_store.setVerified(user, false, {});
}

bool ClientCore::acceptSafetyNumberChange(const QString &user)
{
    return m_store.clearConfirmation(user);
}

void ClientCore::checkSafetyNumber(const QString &user, bool identityChanged)
{
    if (user == m_profile.username()) {
        // One of our own devices is new or changed its key: safety numbers cover our devices
        // too, so every verified contact's number is checked again (a server adding a device
        // to our account must not go unnoticed).
        for (const QString &contact : m_store.verifiedContacts()) {
            checkSafetyNumber(contact, false);
        }
        return;
    }
    const ContactTrust trust = m_store.trust(user);
    bool changed = identityChanged;
    if (!changed && trust.verified) {
        const auto number = safetyNumber(user);
        changed = number && number->digits != trust.verifiedNumber;
    }
    if (!changed) {
        return;
    }
    bool wasVerified = false;
    m_store.safetyNumberChanged(user, &wasVerified);
    addNotice(user, identityChanged
                        ? QStringLiteral("Your safety number with %1 changed: one of their "
                                         "devices has a new identity key.")
                              .arg(user)
                        : QStringLiteral("Your safety number with %1 changed: a device was "
                                         "added or replaced, theirs or yours.")
                              .arg(user));
    Q_EMIT safetyNumberChanged(user, wasVerified);
}

void ClientCore::addNotice(const QString &user, const QString &text)
{
    StoredMessage notice;
    notice.conversation = Protocol::directConversationId(m_profile.username(), user);
    notice.sender = user;
    notice.clientMessageId = newId();
    notice.text = text;
    notice.localTimestamp = QDateTime::currentMSecsSinceEpoch();
    notice.status = StoredMessage::Status::System;
    bool inserted = false;
    m_store.insertIncoming(notice, &inserted);
}

// ---- keys ----

void ClientCore::publishKeys(const QJsonObject &body, std::function<void(bool)> done)
{
    m_api.call("PUT", QStringLiteral("/v1/keys"), &body, [this, done](const ApiResult &result) {
        if (result.ok()) {
            Q_EMIT keysPublished(result.body.value(QStringLiteral("preKeyCount")).toInt());
        } else {
            qCWarning(lcNet) << "cannot publish keys:" << result.error.message;
        }
        done(result.ok());
    });
}

void ClientCore::maintainKeys(std::function<void(bool)> done)
{
    if (!done) {
        done = [](bool) {
        };
    }
    if (m_maintaining || !m_profile.isSignedIn() || !m_crypto) {
        done(false);
        return;
    }
    m_maintaining = true;
    m_api.call("GET", QStringLiteral("/v1/keys"), nullptr, [this, done](const ApiResult &status) {
        if (!status.ok()) {
            m_maintaining = false;
            done(false);
            return;
        }
        QJsonObject body;
        QString error;
        const int count = status.body.value(QStringLiteral("preKeyCount")).toInt();
        if (status.body.value(QStringLiteral("low")).toBool() || count < m_preKeyBatch / 2) {
            const auto fresh = m_crypto->generatePreKeys(
                m_preKeyBatch - std::min(count, m_preKeyBatch / 2), &error);
            if (!fresh.isEmpty()) {
                body.insert(QStringLiteral("preKeys"), preKeysJson(fresh));
            }
        }
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        auto current = m_crypto->currentSignedPreKey();
        if (!current || now - current->createdAt >= m_rotationMs) {
            current = m_crypto->rotateSignedPreKey(&error);
            if (current) {
                body.insert(QStringLiteral("signedPreKey"), signedPreKeyJson(*current));
            }
        } else if (status.body.value(QStringLiteral("signedPreKeyId")).toInteger() !=
                   static_cast<qint64>(current->id)) {
            body.insert(QStringLiteral("signedPreKey"), signedPreKeyJson(*current));
        }
        if (!error.isEmpty()) {
            qCWarning(lcDb) << "key maintenance:" << error;
        }
        // Replaced signed pre-keys stay for a grace period, for messages built on them in flight,
        // and only once the server hands out their successor.
        const qint64 purgeBefore = now - m_graceMs;
        if (body.isEmpty()) {
            m_crypto->purgeSignedPreKeys(purgeBefore);
            m_maintaining = false;
            done(true);
            return;
        }
        publishKeys(body, [this, done, purgeBefore](bool ok) {
            if (ok) {
                m_crypto->purgeSignedPreKeys(purgeBefore);
            }
            m_maintaining = false;
            done(ok);
        });
    });
}

} // namespace Tincan::Client
