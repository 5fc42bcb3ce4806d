#pragma once

// Helpers shared by the SQLite store implementations (not part of any interface).

#include "server/core/Logging.h"
#include "server/store/Stores.h"
#include "server/store/sqlite/SqliteBackend.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <memory>
#include <optional>

namespace Tincan::Server::SqliteSupport {

using Protocol::ApiError;
using Protocol::Result;

inline qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

inline ApiError storageError(const QSqlQuery &query)
{
    qCWarning(lcServerStore) << "statement failed:" << query.lastError().text();
    return ApiError::internal(QStringLiteral("The server could not write to its database."));
}

//! Runs `work` in the writer's next batch and reports its result once durable.
template<class T>
void runWrite(SqliteBackend &backend, std::function<Result<T>()> work, Done<T> done)
{
    auto state = std::make_shared<std::optional<Result<T>>>();
    backend.submit(
        {[state, work = std::move(work)](QSqlDatabase &) {
             state->emplace(work());
             return (*state)->ok();
         },
         [state, done = std::move(done)](bool committed) {
             if (committed) {
                 done(std::move(**state));
             } else if (state->has_value() && !(*state)->ok()) {
                 done((*state)->error());
             } else {
                 done(ApiError{503,
                               QString::fromLatin1(Protocol::ErrorCode::Unavailable),
                               QStringLiteral("The server could not store this; try again."),
                               {}});
             }
         }});
}

inline bool execPrepared(QSqlQuery &query, std::initializer_list<QVariant> values)
{
    int index = 0;
    for (const QVariant &value : values) {
        query.bindValue(index++, value);
    }
    return query.exec();
}

inline bool execPrepared(QSqlQuery &query, const QVariantList &values)
{
    int index = 0;
    for (const QVariant &value : values) {
        query.bindValue(index++, value);
    }
    return query.exec();
}

//! Writer thread: a member's devices changed (added, keys published, revoked), so senders must
//! refresh the member lists of the user's groups: their epochs grow.
inline bool bumpGroupEpochs(SqliteBackend &backend, qint64 userId)
{
    QSqlQuery &bump = backend.writerQuery(
        QStringLiteral("UPDATE groups SET epoch = epoch + 1 WHERE id IN (SELECT group_id FROM "
                       "group_members WHERE user_id = ? AND left_seq IS NULL)"));
    return execPrepared(bump, {userId});
}

//! Writer thread: a new device reads its user's groups from now on (fan-out on read).
inline bool addGroupCursors(SqliteBackend &backend, qint64 deviceId, qint64 userId)
{
    QSqlQuery &cursors = backend.writerQuery(QStringLiteral(
        "INSERT OR REPLACE INTO group_cursors (device_id, conversation, after_id, until_id) "
        "SELECT ?, 'group:' || group_id, (SELECT COALESCE(MAX(id), 0) FROM messages), NULL "
        "FROM group_members WHERE user_id = ? AND left_seq IS NULL"));
    return execPrepared(cursors, {deviceId, userId});
}

//! Writer thread: the message this sender already stored under this client id, as a duplicate
//! (its original receipt), or nothing if it is new; a 409 client_id_conflict if it was stored
//! for another conversation.
inline Result<std::optional<StoredMessage>> findStoredMessage(SqliteBackend &backend,
                                                              qint64 senderUserId,
                                                              const QString &clientMessageId,
                                                              const QString &conversation)
{
    QSqlQuery &existing =
        backend.writerQuery(QStringLiteral("SELECT id, conversation, seq, server_ts FROM messages "
                                           "WHERE sender_user = ? AND client_id = ?"));
    if (!execPrepared(existing, {senderUserId, clientMessageId})) {
        return storageError(existing);
    }
    if (!existing.next()) {
        existing.finish();
        return std::optional<StoredMessage>();
    }
    StoredMessage stored;
    stored.duplicate = true;
    stored.receipt.clientMessageId = clientMessageId;
    stored.receipt.messageId = existing.value(0).toLongLong();
    stored.receipt.conversation = existing.value(1).toString();
    stored.receipt.seq = existing.value(2).toLongLong();
    stored.receipt.serverTimestamp = existing.value(3).toLongLong();
    existing.finish();
    if (stored.receipt.conversation != conversation) {
        return ApiError::conflict(
            QStringLiteral("This client message id was already used for another conversation."),
            Protocol::ErrorCode::IdConflict);
    }
    return std::optional<StoredMessage>(std::move(stored));
}

//! Writer thread: adds a device unless the user already has `maxDevices` active ones (403
//! too_many_devices), and publishes its keys when given (SqliteStores.cpp).
Result<Device> insertDevice(SqliteBackend &backend, qint64 userId, const QString &name,
                            const QString &platform, const QByteArray &tokenHash, qint64 maxDevices,
                            const std::optional<DeviceKeys> &keys);

} // namespace Tincan::Server::SqliteSupport
