#include "server/store/sqlite/SqliteStores.h"

#include "server/core/Logging.h"
#include "server/store/sqlite/SqliteSupport.h"

#include <QDateTime>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>
#include <memory>

namespace Tincan::Server {

using Protocol::ApiError;
using Protocol::Result;
using namespace SqliteSupport;

namespace {

//! Writer thread: publishes keys of an active device (see KeyStore::publishKeys) and yields
//! its one-time prekey count afterwards. On an error the caller's savepoint rolls back
//! whatever this already wrote.
Result<qint64> writeKeys(SqliteBackend &backend, qint64 deviceId, const DeviceKeys &keys)
{
    QSqlQuery &current = backend.writerQuery(QStringLiteral(
        "SELECT identity_key, registration_id, user_id FROM devices WHERE id = ? AND "
        "revoked_at IS NULL"));
    if (!execPrepared(current, {deviceId})) {
        return storageError(current);
    }
    if (!current.next()) {
        current.finish();
        return ApiError::notFound(
            QStringLiteral("There is no active device with id %1.").arg(deviceId),
            Protocol::ErrorCode::UnknownDevice);
    }
    const bool first = current.value(0).isNull();
    const QByteArray identityKey = current.value(0).toByteArray();
    const qint64 registrationId = current.value(1).toLongLong();
    const qint64 userId = current.value(2).toLongLong();
    current.finish();

    if (first) {
        if (!keys.isComplete()) {
            return ApiError::badRequest(
                QStringLiteral("The first publication of a device's keys must include "
                               "identityKey, registrationId and signedPreKey."));
        }
        QSqlQuery &identity = backend.writerQuery(QStringLiteral(
            "UPDATE devices SET identity_key = ?, registration_id = ? WHERE id = ?"));
        if (!execPrepared(identity, {keys.identityKey, keys.registrationId, deviceId})) {
            return storageError(identity);
        }
        // The device became reachable: senders in the user's groups must include it.
        if (!bumpGroupEpochs(backend, userId)) {
            return ApiError::internal(QStringLiteral("The server could not update groups."));
        }
    } else if ((!keys.identityKey.isEmpty() && keys.identityKey != identityKey) ||
               (keys.registrationId != 0 && keys.registrationId != registrationId)) {
        return ApiError::conflict(
            QStringLiteral("This device already published another identity key and registration "
                           "id; they cannot change. Sign in as a new device to use a new "
                           "identity."),
            Protocol::ErrorCode::IdentityConflict);
    }

    if (keys.signedPreKey) {
        QSqlQuery &signedKey = backend.writerQuery(
            QStringLiteral("UPDATE devices SET signed_prekey_id = ?, signed_prekey = ?, "
                           "signed_prekey_signature = ?, signed_prekey_at = ? WHERE id = ?"));
        if (!execPrepared(signedKey, {keys.signedPreKey->id, keys.signedPreKey->publicKey,
                                      keys.signedPreKey->signature, nowMs(), deviceId})) {
            return storageError(signedKey);
        }
    }

    QSqlQuery &insert = backend.writerQuery(
        QStringLiteral("INSERT INTO one_time_prekeys (device_id, key_id, public_key) "
                       "VALUES (?, ?, ?) ON CONFLICT (device_id, key_id) "
                       "DO UPDATE SET public_key = excluded.public_key"));
    for (const PreKey &preKey : keys.preKeys) {
        if (!execPrepared(insert, {deviceId, preKey.id, preKey.publicKey})) {
            return storageError(insert);
        }
    }
    QSqlQuery &count = backend.writerQuery(
        QStringLiteral("SELECT COUNT(*) FROM one_time_prekeys WHERE device_id = ?"));
    if (!execPrepared(count, {deviceId}) || !count.next()) {
        return storageError(count);
    }
    const qint64 preKeyCount = count.value(0).toLongLong();
    count.finish();
    if (preKeyCount > KeyStore::MaxPreKeys) {
        return ApiError::badRequest(
            QStringLiteral("A device may hold at most %1 one-time prekeys (too many prekeys); "
                           "with these it would hold %2. Publish fewer.")
                .arg(KeyStore::MaxPreKeys)
                .arg(preKeyCount));
    }
    return preKeyCount;
}

} // namespace

Result<Device> SqliteSupport::insertDevice(SqliteBackend &backend, qint64 userId,
                                           const QString &name, const QString &platform,
                                           const QByteArray &tokenHash, qint64 maxDevices,
                                           const std::optional<DeviceKeys> &keys)
{
    QSqlQuery &count = backend.writerQuery(
        QStringLiteral("SELECT COUNT(*) FROM devices WHERE user_id = ? AND revoked_at IS NULL"));
    if (!execPrepared(count, {userId}) || !count.next()) {
        return storageError(count);
    }
    const qint64 active = count.value(0).toLongLong();
    count.finish();
    if (active >= maxDevices) {
        return ApiError::forbidden(QStringLiteral("This account already has %1 devices, the most "
                                                  "allowed. Revoke one first.")
                                       .arg(active),
                                   Protocol::ErrorCode::TooManyDevices);
    }
    Device device{0, userId, name, nowMs(), nowMs(), false, platform};
    QSqlQuery &insert = backend.writerQuery(
        QStringLiteral("INSERT INTO devices (user_id, name, token_hash, created_at, last_seen, "
                       "platform) VALUES (?, ?, ?, ?, ?, ?)"));
    // A null QString binds NULL: the column wants text.
    const QString platformText = platform.isNull() ? QStringLiteral("") : platform;
    if (!execPrepared(insert,
                      {userId, name, tokenHash, device.createdAt, device.lastSeen, platformText})) {
        return storageError(insert);
    }
    device.id = insert.lastInsertId().toLongLong();
    if (!addGroupCursors(backend, device.id, userId)) {
        return ApiError::internal(QStringLiteral("The server could not update groups."));
    }
    if (keys) {
        const auto published = writeKeys(backend, device.id, *keys);
        if (!published) {
            return published.error();
        }
        device.hasKeys = true;
    }
    return device;
}

// ---------------------------------------------------------------------------------- users

std::optional<User> SqliteUserStore::userByName(const QString &username)
{
    SqliteBackend::ReadQuery query(
        m_backend,
        QStringLiteral(
            "SELECT id, username, password_hash, created_at FROM users WHERE username = ?"));
    if (!query.exec({username}) || !query->next()) {
        return std::nullopt;
    }
    return User{query->value(0).toLongLong(), query->value(1).toString(),
                query->value(2).toString(), query->value(3).toLongLong()};
}

QStringList SqliteUserStore::findUsers(const QString &prefix, int limit)
{
    // A range on the unique index of users(username): usernames are ASCII, so every name with
    // the prefix sorts before prefix + DEL.
    SqliteBackend::ReadQuery query(
        m_backend, QStringLiteral("SELECT username FROM users WHERE username >= ? AND username < ? "
                                  "ORDER BY username LIMIT ?"));
    QStringList names;
    if (!query.exec({prefix, prefix + QChar(0x7f), limit})) {
        return names;
    }
    while (query->next()) {
        names.append(query->value(0).toString());
    }
    return names;
}

QList<Peer> SqliteUserStore::peersOf(qint64 userId)
{
    // One query, one UNION branch per kind of conversation: direct ones, current groups.
    SqliteBackend::ReadQuery query(
        m_backend, QStringLiteral("SELECT u.id, u.username, u.show_presence FROM users u "
                                  "WHERE u.id <> ? AND u.id IN ("
                                  " SELECT user_b FROM dm_peers WHERE user_a = ?"
                                  " UNION SELECT user_a FROM dm_peers WHERE user_b = ?"
                                  " UNION SELECT other.user_id FROM group_members mine"
                                  "  JOIN group_members other ON other.group_id = mine.group_id"
                                  "  AND other.left_seq IS NULL"
                                  "  WHERE mine.user_id = ? AND mine.left_seq IS NULL"
                                  ") ORDER BY u.id"));
    QList<Peer> peers;
    if (!query.exec({userId, userId, userId, userId})) {
        return peers;
    }
    while (query->next()) {
        peers.append(
            {query->value(0).toLongLong(), query->value(1).toString(), query->value(2).toBool()});
    }
    return peers;
}

bool SqliteUserStore::showsPresence(qint64 userId)
{
    SqliteBackend::ReadQuery query(m_backend,
                                   QStringLiteral("SELECT show_presence FROM users WHERE id = ?"));
    if (!query.exec({userId}) || !query->next()) {
        return false; // Unknown user (or a failed read): show nothing.
    }
    return query->value(0).toBool();
}

qint64 SqliteUserStore::lastSeen(qint64 userId)
{
    SqliteBackend::ReadQuery query(
        m_backend, QStringLiteral("SELECT MAX(last_seen) FROM devices WHERE user_id = ?"));
    if (!query.exec({userId}) || !query->next()) {
        return 0;
    }
    return query->value(0).toLongLong();
}

void SqliteUserStore::setShowsPresence(qint64 userId, bool show, Done<bool> done)
{
    SqliteBackend &backend = m_backend;
    runWrite<bool>(
        backend,
        [&backend, userId, show]() -> Result<bool> {
            QSqlQuery &update = backend.writerQuery(
                QStringLiteral("UPDATE users SET show_presence = ? WHERE id = ?"));
            if (!execPrepared(update, {show ? 1 : 0, userId})) {
                return storageError(update);
            }
            return show;
        },
        std::move(done));
}

bool SqliteUserStore::sendsReadReceipts(qint64 userId)
{
    SqliteBackend::ReadQuery query(m_backend,
                                   QStringLiteral("SELECT read_receipts FROM users WHERE id = ?"));
    if (!query.exec({userId}) || !query->next()) {
        return false;
    }
    return query->value(0).toBool();
}

void SqliteUserStore::setSendsReadReceipts(qint64 userId, bool send, Done<bool> done)
{
    SqliteBackend &backend = m_backend;
    runWrite<bool>(
        backend,
        [&backend, userId, send]() -> Result<bool> {
            QSqlQuery &update = backend.writerQuery(
                QStringLiteral("UPDATE users SET read_receipts = ? WHERE id = ?"));
            if (!execPrepared(update, {send ? 1 : 0, userId})) {
                return storageError(update);
            }
            return send;
        },
        std::move(done));
}

void SqliteUserStore::createUser(const QString &username, const QString &passwordHash,
                                 const QByteArray &inviteCodeHash,
                                 const std::optional<FirstDevice> &firstDevice,
                                 Done<NewAccount> done)
{
    SqliteBackend &backend = m_backend;
    runWrite<NewAccount>(
        backend,
        [&backend, username, passwordHash, inviteCodeHash, firstDevice]() -> Result<NewAccount> {
            QSqlQuery &exists =
                backend.writerQuery(QStringLiteral("SELECT 1 FROM users WHERE username = ?"));
            if (!execPrepared(exists, {username})) {
                return storageError(exists);
            }
            const bool taken = exists.next();
            exists.finish();
            if (taken) {
                return ApiError::conflict(
                    QStringLiteral("The username '%1' is already taken.").arg(username),
                    Protocol::ErrorCode::UsernameTaken);
            }
            User user{0, username, passwordHash, nowMs()};
            QSqlQuery &insert = backend.writerQuery(QStringLiteral(
                "INSERT INTO users (username, password_hash, created_at) VALUES (?, ?, ?)"));
            if (!execPrepared(insert, {username, passwordHash, user.createdAt})) {
                return storageError(insert);
            }
            user.id = insert.lastInsertId().toLongLong();
            if (!inviteCodeHash.isEmpty()) {
                QSqlQuery &invite = backend.writerQuery(
                    QStringLiteral("UPDATE invites SET used_by = ? WHERE code_hash = ? AND "
                                   "used_by IS NULL AND expires_at > ?"));
                if (!execPrepared(invite, {user.id, inviteCodeHash, user.createdAt})) {
                    return storageError(invite);
                }
                if (invite.numRowsAffected() != 1) {
                    return ApiError::forbidden(
                        QStringLiteral("The invite code is unknown, already used or expired."),
                        Protocol::ErrorCode::InviteRequired);
                }
            }
            NewAccount account{user, {}};
            if (firstDevice) {
                auto device =
                    insertDevice(backend, user.id, firstDevice->name, firstDevice->platform,
                                 firstDevice->tokenHash, 1, firstDevice->keys);
                if (!device) {
                    return device.error();
                }
                account.device = *device;
            }
            return account;
        },
        std::move(done));
}

void SqliteUserStore::createInvite(const QByteArray &codeHash, qint64 expiresAt, Done<bool> done)
{
    SqliteBackend &backend = m_backend;
    runWrite<bool>(
        backend,
        [&backend, codeHash, expiresAt]() -> Result<bool> {
            QSqlQuery &insert = backend.writerQuery(QStringLiteral(
                "INSERT INTO invites (code_hash, created_at, expires_at) VALUES (?, ?, ?)"));
            if (!execPrepared(insert, {codeHash, nowMs(), expiresAt})) {
                return storageError(insert);
            }
            return true;
        },
        std::move(done));
}

// -------------------------------------------------------------------------------- devices

std::optional<AuthContext> SqliteDeviceStore::authenticate(const QByteArray &tokenHash)
{
    SqliteBackend::ReadQuery query(
        m_backend, QStringLiteral("SELECT d.user_id, u.username, d.id FROM devices d "
                                  "JOIN users u ON u.id = d.user_id "
                                  "WHERE d.token_hash = ? AND d.revoked_at IS NULL"));
    if (!query.exec({tokenHash}) || !query->next()) {
        return std::nullopt;
    }
    return AuthContext{query->value(0).toLongLong(), query->value(1).toString(),
                       query->value(2).toLongLong()};
}

QList<Device> SqliteDeviceStore::devicesOf(qint64 userId)
{
    SqliteBackend::ReadQuery query(
        m_backend, QStringLiteral("SELECT id, user_id, name, created_at, last_seen, "
                                  "identity_key IS NOT NULL, platform FROM devices "
                                  "WHERE user_id = ? AND revoked_at IS NULL ORDER BY id"));
    QList<Device> devices;
    if (!query.exec({userId})) {
        qCWarning(lcServerStore) << "device query failed:" << query->lastError().text();
        return devices;
    }
    while (query->next()) {
        devices.append({query->value(0).toLongLong(), query->value(1).toLongLong(),
                        query->value(2).toString(), query->value(3).toLongLong(),
                        query->value(4).toLongLong(), query->value(5).toBool(),
                        query->value(6).toString()});
    }
    return devices;
}

void SqliteDeviceStore::createDevice(qint64 userId, const QString &name, const QString &platform,
                                     const QByteArray &tokenHash, qint64 maxDevices,
                                     const std::optional<DeviceKeys> &keys, Done<Device> done)
{
    SqliteBackend &backend = m_backend;
    runWrite<Device>(
        backend,
        [&backend, userId, name, platform, tokenHash, maxDevices, keys]() -> Result<Device> {
            return insertDevice(backend, userId, name, platform, tokenHash, maxDevices, keys);
        },
        std::move(done));
}

void SqliteDeviceStore::revokeDevice(qint64 userId, qint64 deviceId, Done<bool> done)
{
    SqliteBackend &backend = m_backend;
    runWrite<bool>(
        backend,
        [&backend, userId, deviceId]() -> Result<bool> {
            QSqlQuery &revoke = backend.writerQuery(
                QStringLiteral("UPDATE devices SET revoked_at = ? WHERE id = ? AND user_id = ? "
                               "AND revoked_at IS NULL"));
            if (!execPrepared(revoke, {nowMs(), deviceId, userId})) {
                return storageError(revoke);
            }
            if (revoke.numRowsAffected() != 1) {
                QSqlQuery &owner = backend.writerQuery(
                    QStringLiteral("SELECT 1 FROM devices WHERE id = ? AND revoked_at IS NULL"));
                if (execPrepared(owner, {deviceId}) && owner.next()) {
                    owner.finish();
                    return ApiError::forbidden(
                        QStringLiteral("Device %1 belongs to another account.").arg(deviceId));
                }
                owner.finish();
                return ApiError::notFound(
                    QStringLiteral("You have no active device with id %1.").arg(deviceId),
                    Protocol::ErrorCode::UnknownDevice);
            }
            QSqlQuery &drop =
                backend.writerQuery(QStringLiteral("DELETE FROM inbox WHERE device_id = ?"));
            if (!execPrepared(drop, {deviceId})) {
                return storageError(drop);
            }
            QSqlQuery &dropKeys = backend.writerQuery(
                QStringLiteral("DELETE FROM one_time_prekeys WHERE device_id = ?"));
            if (!execPrepared(dropKeys, {deviceId})) {
                return storageError(dropKeys);
            }
            QSqlQuery &dropCursors = backend.writerQuery(
                QStringLiteral("DELETE FROM group_cursors WHERE device_id = ?"));
            if (!execPrepared(dropCursors, {deviceId})) {
                return storageError(dropCursors);
            }
            // Senders in the user's groups must stop encrypting for it (and rotate keys).
            if (!bumpGroupEpochs(backend, userId)) {
                return ApiError::internal(QStringLiteral("The server could not update groups."));
            }
            return true;
        },
        std::move(done));
}

void SqliteDeviceStore::touch(qint64 deviceId, qint64 atMs, Done<bool> done)
{
    SqliteBackend &backend = m_backend;
    runWrite<bool>(
        backend,
        [&backend, deviceId, atMs]() -> Result<bool> {
            QSqlQuery &update = backend.writerQuery(
                QStringLiteral("UPDATE devices SET last_seen = MAX(last_seen, ?) WHERE id = ?"));
            if (!execPrepared(update, {atMs, deviceId})) {
                return storageError(update);
            }
            return true;
        },
        std::move(done));
}

// ----------------------------------------------------------------------------------- keys

void SqliteKeyStore::publishKeys(qint64 deviceId, DeviceKeys keys, Done<qint64> done)
{
    SqliteBackend &backend = m_backend;
    auto shared = std::make_shared<DeviceKeys>(std::move(keys));
    runWrite<qint64>(
        backend,
        [&backend, deviceId, shared]() -> Result<qint64> {
            return writeKeys(backend, deviceId, *shared);
        },
        std::move(done));
}

KeyStatus SqliteKeyStore::keyStatus(qint64 deviceId)
{
    SqliteBackend::ReadQuery query(
        m_backend,
        QStringLiteral("SELECT identity_key IS NOT NULL, signed_prekey_id, signed_prekey_at, "
                       "(SELECT COUNT(*) FROM one_time_prekeys WHERE device_id = d.id) "
                       "FROM devices d WHERE d.id = ? AND d.revoked_at IS NULL"));
    KeyStatus status;
    if (!query.exec({deviceId}) || !query->next()) {
        return status;
    }
    status.hasKeys = query->value(0).toBool();
    status.signedPreKeyId = query->value(1).toLongLong();
    status.signedPreKeyAt = query->value(2).toLongLong();
    status.preKeyCount = query->value(3).toLongLong();
    return status;
}

void SqliteKeyStore::takeBundles(qint64 userId, QList<qint64> onlyDevices,
                                 Done<QList<KeyBundle>> done)
{
    SqliteBackend &backend = m_backend;
    runWrite<QList<KeyBundle>>(
        backend,
        [&backend, userId, onlyDevices = std::move(onlyDevices)]() -> Result<QList<KeyBundle>> {
            QSqlQuery &devices = backend.writerQuery(QStringLiteral(
                "SELECT id, registration_id, identity_key, signed_prekey_id, signed_prekey, "
                "signed_prekey_signature FROM devices WHERE user_id = ? AND revoked_at IS NULL "
                "AND identity_key IS NOT NULL ORDER BY id"));
            if (!execPrepared(devices, {userId})) {
                return storageError(devices);
            }
            QList<KeyBundle> bundles;
            while (devices.next()) {
                const qint64 deviceId = devices.value(0).toLongLong();
                if (!onlyDevices.isEmpty() && !onlyDevices.contains(deviceId)) {
                    continue;
                }
                KeyBundle bundle;
                bundle.deviceId = deviceId;
                bundle.registrationId = devices.value(1).toInt();
                bundle.identityKey = devices.value(2).toByteArray();
                bundle.signedPreKey = {devices.value(3).toLongLong(),
                                       devices.value(4).toByteArray(),
                                       devices.value(5).toByteArray()};
                bundles.append(std::move(bundle));
            }
            devices.finish();
            // The writer is the only writer, and the delete runs in its transaction: a prekey
            // handed out here can never be handed out again.
            QSqlQuery &take = backend.writerQuery(
                QStringLiteral("DELETE FROM one_time_prekeys WHERE device_id = ? AND key_id = "
                               "(SELECT MIN(key_id) FROM one_time_prekeys WHERE device_id = ?) "
                               "RETURNING key_id, public_key"));
            for (KeyBundle &bundle : bundles) {
                if (!execPrepared(take, {bundle.deviceId, bundle.deviceId})) {
                    return storageError(take);
                }
                if (take.next()) {
                    bundle.preKey = PreKey{take.value(0).toLongLong(), take.value(1).toByteArray()};
                }
                take.finish();
            }
            return bundles;
        },
        std::move(done));
}

// ------------------------------------------------------------------------------- messages

std::optional<Protocol::SendReceipt> SqliteMessageStore::findStored(qint64 senderUserId,
                                                                    const QString &clientMessageId)
{
    SqliteBackend::ReadQuery query(
        m_backend, QStringLiteral("SELECT id, conversation, seq, server_ts FROM messages "
                                  "WHERE sender_user = ? AND client_id = ?"));
    if (!query.exec({senderUserId, clientMessageId}) || !query->next()) {
        return std::nullopt;
    }
    return Protocol::SendReceipt{clientMessageId, query->value(0).toLongLong(),
                                 query->value(1).toString(), query->value(2).toLongLong(),
                                 query->value(3).toLongLong()};
}

void SqliteMessageStore::storeMessage(NewMessage message, Done<StoredMessage> done)
{
    SqliteBackend &backend = m_backend;
    auto shared = std::make_shared<NewMessage>(std::move(message));
    runWrite<StoredMessage>(
        backend,
        [&backend, shared]() -> Result<StoredMessage> {
            const NewMessage &m = *shared;
            StoredMessage stored;
            stored.receipt.clientMessageId = m.clientMessageId;

            auto duplicate =
                findStoredMessage(backend, m.senderUserId, m.clientMessageId, m.conversation);
            if (!duplicate || *duplicate) {
                return duplicate ? std::move(**duplicate)
                                 : Result<StoredMessage>(duplicate.error());
            }

            QSqlQuery &seq = backend.writerQuery(
                QStringLiteral("INSERT INTO conversations (id, last_seq) VALUES (?, 1) "
                               "ON CONFLICT (id) DO UPDATE SET last_seq = last_seq + 1 "
                               "RETURNING last_seq"));
            if (!execPrepared(seq, {m.conversation}) || !seq.next()) {
                return storageError(seq);
            }
            stored.receipt.seq = seq.value(0).toLongLong();
            seq.finish();
            stored.receipt.conversation = m.conversation;
            stored.receipt.serverTimestamp = nowMs();

            QSqlQuery &insert = backend.writerQuery(QStringLiteral(
                "INSERT INTO messages (sender_user, sender_name, sender_device, client_id, "
                "conversation, seq, recipient, server_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
            if (!execPrepared(insert, {m.senderUserId, m.senderUsername, m.senderDeviceId,
                                       m.clientMessageId, m.conversation, stored.receipt.seq,
                                       m.recipientUsername, stored.receipt.serverTimestamp})) {
                return storageError(insert);
            }
            stored.receipt.messageId = insert.lastInsertId().toLongLong();

            // Remember the pair for presence (UserStore::peersOf): it outlives the messages.
            if (m.conversation.startsWith(QLatin1String("dm:")) && m.recipientUserId > 0 &&
                m.recipientUserId != m.senderUserId) {
                QSqlQuery &peers = backend.writerQuery(QStringLiteral(
                    "INSERT OR IGNORE INTO dm_peers (user_a, user_b) VALUES (?, ?)"));
                if (!execPrepared(peers, {std::min(m.senderUserId, m.recipientUserId),
                                          std::max(m.senderUserId, m.recipientUserId)})) {
                    return storageError(peers);
                }
            }

            QSqlQuery &inbox =
                backend.writerQuery(QStringLiteral("INSERT INTO inbox (device_id, message_id, "
                                                   "payload, stored_at) VALUES (?, ?, ?, ?)"));
            Protocol::Envelope envelope;
            envelope.id = stored.receipt.messageId;
            envelope.clientMessageId = m.clientMessageId;
            envelope.conversation = m.conversation;
            envelope.seq = stored.receipt.seq;
            envelope.fromUser = m.senderUsername;
            envelope.fromDevice = m.senderDeviceId;
            envelope.toUser = m.recipientUsername;
            envelope.serverTimestamp = stored.receipt.serverTimestamp;
            stored.deliveries.reserve(m.copies.size());
            for (const NewMessage::Copy &copy : m.copies) {
                if (!execPrepared(inbox, {copy.deviceId, envelope.id, copy.payload,
                                          envelope.serverTimestamp})) {
                    return storageError(inbox);
                }
                envelope.payload = copy.payload;
                envelope.slot = inbox.lastInsertId().toLongLong();
                stored.deliveries.append({copy.deviceId, envelope});
            }
            return stored;
        },
        std::move(done));
}

std::optional<InboxPosition> InboxPosition::fromString(const QString &text)
{
    const QStringList parts = text.split(QLatin1Char('.'));
    bool slotOk = false;
    bool logOk = false;
    InboxPosition position;
    if (parts.size() == 2 && parts[0].size() <= 16 && parts[1].size() <= 16) {
        position.slot = parts[0].toLongLong(&slotOk);
        position.logId = parts[1].toLongLong(&logOk);
    }
    if (!slotOk || !logOk || position.slot < 0 || position.logId < 0) {
        return std::nullopt;
    }
    return position;
}

QList<Protocol::Envelope> SqliteMessageStore::pending(qint64 deviceId, InboxPosition after,
                                                      qint64 limit)
{
    // The device's inbox (direct messages, and group messages fanned out on write) in write
    // order, then the logs of its big groups (fanned out on read) past its cursor in each, in id
    // order. Each branch is limited first, so a long backlog costs one page, not a sort of it
    // all; each source's rows in a page are a prefix of that source, so both positions only grow.
    SqliteBackend::ReadQuery query(
        m_backend,
        QStringLiteral(
            "SELECT x.mid, x.payload, m.client_id, m.conversation, m.seq, m.sender_name, "
            "m.sender_device, m.recipient, m.server_ts, m.payload, m.event, k.payload, x.slot "
            "FROM ("
            " SELECT * FROM (SELECT slot, message_id AS mid, payload FROM inbox"
            "  WHERE device_id = ? AND slot > ? ORDER BY slot LIMIT ?)"
            " UNION ALL"
            " SELECT * FROM (SELECT 0 AS slot, g.id AS mid, NULL AS payload FROM group_cursors c"
            "  JOIN messages g ON g.conversation = c.conversation AND g.fanout = 2"
            "  AND g.id > c.after_id AND (c.until_id IS NULL OR g.id <= c.until_id)"
            "  WHERE c.device_id = ? AND g.id > ? AND (g.event IS NOT NULL OR g.sender_device <> ?)"
            "  ORDER BY g.id LIMIT ?)"
            ") x JOIN messages m ON m.id = x.mid"
            " LEFT JOIN message_keys k ON k.message_id = x.mid AND k.device_id = ?"
            " ORDER BY x.slot = 0, x.slot, x.mid LIMIT ?"));
    QList<Protocol::Envelope> envelopes;
    if (!query.exec({deviceId, after.slot, limit, deviceId, after.logId, deviceId, limit, deviceId,
                     limit})) {
        qCWarning(lcServerStore) << "inbox query failed:" << query->lastError().text();
        return envelopes;
    }
    while (query->next()) {
        Protocol::Envelope e;
        e.id = query->value(0).toLongLong();
        e.clientMessageId = query->value(2).toString();
        e.conversation = query->value(3).toString();
        e.seq = query->value(4).toLongLong();
        e.fromUser = query->value(5).toString();
        e.fromDevice = query->value(6).toLongLong();
        e.toUser = query->value(7).toString();
        e.serverTimestamp = query->value(8).toLongLong();
        // A group message keeps its one ciphertext in the message row.
        const QVariant groupPayload = query->value(9);
        const QVariant event = query->value(10);
        e.payload =
            groupPayload.isNull() ? query->value(1).toByteArray() : groupPayload.toByteArray();
        if (!event.isNull()) {
            e.payload.clear();
            e.event = QJsonDocument::fromJson(event.toString().toUtf8()).object();
        }
        e.senderKey = query->value(11).toByteArray();
        e.slot = query->value(12).toLongLong();
        envelopes.append(std::move(e));
    }
    return envelopes;
}

namespace {

struct AckRequest
{
    qint64 deviceId = 0;
    QList<qint64> messageIds;     //!< Looked up (acknowledge).
    QList<PushedEnvelope> pushed; //!< Known (acknowledgePushed).
    Done<qint64> done;
    qint64 removed = 0;
};

//! Writer thread: moves each (device, conversation) cursor of a group log past the given
//! message id (never back); `found` (if any) gets the cursors that exist.
bool moveGroupCursors(SqliteBackend &backend, const QHash<QPair<qint64, QString>, qint64> &highest,
                      QSet<QPair<qint64, QString>> *found = nullptr)
{
    if (highest.isEmpty()) {
        return true;
    }
    JsonRows moves;
    for (auto it = highest.cbegin(); it != highest.cend(); ++it) {
        moves.row().add(it.key().first).add(it.key().second).add(it.value());
    }
    QSqlQuery &move = backend.writerQuery(QStringLiteral(
        "UPDATE group_cursors AS c SET after_id = MAX(c.after_id, x.m) FROM (SELECT "
        "json_extract(value, '$[0]') AS d, json_extract(value, '$[1]') AS conversation, "
        "json_extract(value, '$[2]') AS m FROM json_each(?)) AS x WHERE c.device_id = x.d AND "
        "c.conversation = x.conversation RETURNING device_id, conversation"));
    if (!execPrepared(move, {moves.text()})) {
        storageError(move);
        return false;
    }
    while (found && move.next()) {
        found->insert({move.value(0).toLongLong(), move.value(1).toString()});
    }
    move.finish();
    return true;
}

//! Writer thread: settles the ACKs of envelopes the streams pushed and know (no message looked
//! up): inbox entries by slot, one cursor move per (device, conversation), sender keys only
//! where there were some.
bool applyPushedAcks(SqliteBackend &backend, std::vector<AckRequest> &batch)
{
    JsonRows entries; // A flat list.
    qint64 entryCount = 0;
    QHash<QPair<qint64, QString>, qint64> highest; // (device, conversation) -> log message id
    JsonRows keys;
    for (const AckRequest &request : batch) {
        for (const PushedEnvelope &envelope : request.pushed) {
            if (envelope.slot > 0) {
                entries.add(envelope.slot);
                ++entryCount;
            } else {
                qint64 &high = highest[{request.deviceId, envelope.conversation}];
                high = std::max(high, envelope.id);
            }
            if (envelope.senderKey) {
                keys.row().add(request.deviceId).add(envelope.id);
            }
        }
    }
    QSet<qint64> removedSlots;
    if (entryCount > 0) {
        QSqlQuery &drop = backend.writerQuery(QStringLiteral(
            "DELETE FROM inbox WHERE slot IN (SELECT value FROM json_each(?)) RETURNING slot"));
        if (!execPrepared(drop, {entries.list()})) {
            storageError(drop);
            return false;
        }
        while (drop.next()) {
            removedSlots.insert(drop.value(0).toLongLong());
        }
        drop.finish();
    }
    QSet<QPair<qint64, QString>> moved; // Cursors found.
    if (!moveGroupCursors(backend, highest, &moved)) {
        return false;
    }
    if (!keys.isEmpty()) {
        QSqlQuery &dropKeys = backend.writerQuery(QStringLiteral(
            "DELETE FROM message_keys WHERE (message_id, device_id) IN (SELECT "
            "json_extract(value, '$[1]'), json_extract(value, '$[0]') FROM json_each(?))"));
        if (!execPrepared(dropKeys, {keys.text()})) {
            storageError(dropKeys);
            return false;
        }
    }
    for (AckRequest &request : batch) {
        for (const PushedEnvelope &envelope : std::as_const(request.pushed)) {
            if (envelope.slot > 0 ? removedSlots.remove(envelope.slot)
                                  : moved.remove({request.deviceId, envelope.conversation})) {
                ++request.removed;
            }
        }
    }
    return true;
}

//! Writer thread: applies the ACKs of many devices with a few set-based statements.
bool applyAcks(SqliteBackend &backend, std::vector<AckRequest> &batch)
{
    if (!applyPushedAcks(backend, batch)) {
        return false;
    }
    // Each (device, message) pair once: a repeated ACK counts for the first request only.
    QSet<QPair<qint64, qint64>> pairs;
    JsonRows rows;
    for (const AckRequest &request : batch) {
        for (const qint64 id : request.messageIds) {
            if (!pairs.contains({request.deviceId, id})) {
                pairs.insert({request.deviceId, id});
                rows.row().add(request.deviceId).add(id);
            }
        }
    }
    if (rows.isEmpty()) {
        return true;
    }
    const QString json = rows.text();
    QSet<QPair<qint64, qint64>> done; // Pairs that removed an inbox entry or moved a cursor.
    QSqlQuery &drop = backend.writerQuery(QStringLiteral(
        "DELETE FROM inbox WHERE (device_id, message_id) IN (SELECT json_extract(value, '$[0]'), "
        "json_extract(value, '$[1]') FROM json_each(?)) RETURNING device_id, message_id"));
    if (!execPrepared(drop, {json})) {
        storageError(drop);
        return false;
    }
    while (drop.next()) {
        done.insert({drop.value(0).toLongLong(), drop.value(1).toLongLong()});
    }
    drop.finish();
    // Group logs (fan-out on read; such messages have no inbox entries): an ACK is cumulative
    // per group, the cursor moves past the highest id acknowledged (a device processes and
    // acknowledges in order).
    QSqlQuery &cursors = backend.writerQuery(QStringLiteral(
        "SELECT j.d, j.m, c.conversation FROM (SELECT json_extract(value, '$[0]') AS d, "
        "json_extract(value, '$[1]') AS m FROM json_each(?)) j JOIN messages g ON g.id = j.m AND "
        "g.fanout = 2 JOIN group_cursors c ON c.device_id = j.d AND c.conversation = "
        "g.conversation"));
    if (!execPrepared(cursors, {json})) {
        storageError(cursors);
        return false;
    }
    QHash<QPair<qint64, QString>, qint64> highest;
    while (cursors.next()) {
        const qint64 device = cursors.value(0).toLongLong();
        const qint64 id = cursors.value(1).toLongLong();
        qint64 &high = highest[{device, cursors.value(2).toString()}];
        high = std::max(high, id);
        done.insert({device, id});
    }
    cursors.finish();
    if (!moveGroupCursors(backend, highest)) {
        return false;
    }
    QSqlQuery &dropKeys = backend.writerQuery(QStringLiteral(
        "DELETE FROM message_keys WHERE (message_id, device_id) IN (SELECT json_extract(value, "
        "'$[1]'), json_extract(value, '$[0]') FROM json_each(?))"));
    if (!execPrepared(dropKeys, {json})) {
        storageError(dropKeys);
        return false;
    }
    for (AckRequest &request : batch) {
        for (const qint64 id : std::as_const(request.messageIds)) {
            if (done.remove({request.deviceId, id})) {
                ++request.removed;
            }
        }
    }
    return true;
}

} // namespace

struct SqliteMessageStore::Acks
{
    explicit Acks(SqliteBackend &backend)
        : queue(
              backend,
              [&backend](std::vector<AckRequest> &batch) { return applyAcks(backend, batch); },
              [](AckRequest &request, bool committed) {
                  if (!request.done) {
                      return;
                  }
                  if (committed) {
                      request.done(request.removed);
                  } else {
                      request.done(
                          ApiError{503,
                                   QString::fromLatin1(Protocol::ErrorCode::Unavailable),
                                   QStringLiteral("The server could not store this; try again."),
                                   {}});
                  }
              })
    {}
    WriteCoalescer<AckRequest> queue;
};

SqliteMessageStore::SqliteMessageStore(SqliteBackend &backend)
    : m_backend(backend)
    , m_acks(std::make_unique<Acks>(backend))
{}

SqliteMessageStore::~SqliteMessageStore() = default;

void SqliteMessageStore::acknowledge(qint64 deviceId, QList<qint64> messageIds, Done<qint64> done)
{
    // Many devices ACK at once (a group message reaches them all together): their ACKs go into
    // one write (WriteCoalescer) instead of one each.
    m_acks->queue.add({deviceId, std::move(messageIds), {}, std::move(done), 0});
}

void SqliteMessageStore::acknowledgePushed(qint64 deviceId, QList<PushedEnvelope> envelopes,
                                           Done<qint64> done)
{
    m_acks->queue.add({deviceId, {}, std::move(envelopes), std::move(done), 0});
}

void SqliteMessageStore::purgeBefore(qint64 cutoffMs, Done<qint64> done)
{
    SqliteBackend &backend = m_backend;
    runWrite<qint64>(
        backend,
        [&backend, cutoffMs]() -> Result<qint64> {
            QSqlQuery &inbox =
                backend.writerQuery(QStringLiteral("DELETE FROM inbox WHERE stored_at < ?"));
            if (!execPrepared(inbox, {cutoffMs})) {
                return storageError(inbox);
            }
            const qint64 removed = inbox.numRowsAffected();
            for (const char *sql :
                 {"DELETE FROM message_keys WHERE message_id IN (SELECT id FROM messages WHERE "
                  "server_ts < ?)",
                  "DELETE FROM fanout_jobs WHERE message_id IN (SELECT id FROM messages WHERE "
                  "server_ts < ?)"}) {
                QSqlQuery &dependent = backend.writerQuery(QString::fromLatin1(sql));
                if (!execPrepared(dependent, {cutoffMs})) {
                    return storageError(dependent);
                }
            }
            QSqlQuery &messages =
                backend.writerQuery(QStringLiteral("DELETE FROM messages WHERE server_ts < ?"));
            if (!execPrepared(messages, {cutoffMs})) {
                return storageError(messages);
            }
            // Cursors of removed members that have nothing left to read.
            QSqlQuery &cursors = backend.writerQuery(QStringLiteral(
                "DELETE FROM group_cursors WHERE until_id IS NOT NULL AND (after_id >= until_id "
                "OR until_id < (SELECT COALESCE(MIN(id), until_id + 1) FROM messages))"));
            if (!execPrepared(cursors, {})) {
                return storageError(cursors);
            }
            return removed;
        },
        std::move(done));
}

} // namespace Tincan::Server
