#include "server/store/sqlite/SqliteLinkStore.h"

#include "server/store/sqlite/SqliteSupport.h"

namespace Tincan::Server {

using Protocol::ApiError;
using Protocol::Result;
using namespace SqliteSupport;

namespace {

const QString LinkColumns = QStringLiteral(
    "l.id, l.user_id, u.username, l.created_by, l.created_at, l.expires_at, l.state, "
    "l.device_name, l.platform, l.identity_key, l.keys_json, l.secret_hash, l.device_id, "
    "l.linked_at, l.history_parts, l.key_proof, l.history_wanted, "
    "(SELECT COUNT(*) FROM link_history h WHERE h.link_id = l.id), "
    "(SELECT COALESCE(SUM(LENGTH(h.data)), 0) FROM link_history h WHERE h.link_id = l.id) "
    "FROM device_links l JOIN users u ON u.id = l.user_id ");

DeviceLinkRecord readLink(const QSqlQuery &query)
{
    DeviceLinkRecord link;
    link.id = query.value(0).toLongLong();
    link.userId = query.value(1).toLongLong();
    link.username = query.value(2).toString();
    link.createdBy = query.value(3).toLongLong();
    link.createdAt = query.value(4).toLongLong();
    link.expiresAt = query.value(5).toLongLong();
    link.state = query.value(6).toString();
    link.deviceName = query.value(7).toString();
    link.platform = query.value(8).toString();
    link.identityKey = query.value(9).toByteArray();
    link.keysJson = query.value(10).toByteArray();
    link.secretHash = query.value(11).toByteArray();
    link.deviceId = query.value(12).toLongLong();
    link.linkedAt = query.value(13).toLongLong();
    link.historyParts = query.value(14).toLongLong();
    link.keyProof = query.value(15).toByteArray();
    link.historyWanted = query.value(16).isNull() ? -1 : query.value(16).toInt();
    link.historyStored = query.value(17).toLongLong();
    link.historyBytes = query.value(18).toLongLong();
    return link;
}

ApiError unknownLink()
{
    return ApiError::notFound(QStringLiteral("There is no such device link, or it expired."),
                              Protocol::ErrorCode::UnknownLink);
}

ApiError wrongState(const DeviceLinkRecord &link, const QString &wanted)
{
    return ApiError::conflict(
        QStringLiteral("The device link is %1; this needs it %2.").arg(link.state, wanted),
        Protocol::ErrorCode::LinkState);
}

//! Writer thread: the link row, or 404.
Result<DeviceLinkRecord> writerLink(SqliteBackend &backend, const QString &where,
                                    std::initializer_list<QVariant> values)
{
    QSqlQuery &query = backend.writerQuery(QStringLiteral("SELECT ") + LinkColumns + where);
    if (!execPrepared(query, values)) {
        return storageError(query);
    }
    if (!query.next()) {
        query.finish();
        return unknownLink();
    }
    DeviceLinkRecord link = readLink(query);
    query.finish();
    return link;
}

//! Writer thread: sets the state (and more columns in `extraSql`) and reads the row back.
Result<DeviceLinkRecord> setState(SqliteBackend &backend, qint64 linkId, const QString &state,
                                  const QString &extraSql = {}, const QVariantList &extra = {})
{
    QSqlQuery &update = backend.writerQuery(QStringLiteral("UPDATE device_links SET state = ?") +
                                            extraSql + QStringLiteral(" WHERE id = ?"));
    update.bindValue(0, state);
    int index = 1;
    for (const QVariant &value : extra) {
        update.bindValue(index++, value);
    }
    update.bindValue(index, linkId);
    if (!update.exec()) {
        return storageError(update);
    }
    return writerLink(backend, QStringLiteral("WHERE l.id = ?"), {linkId});
}

bool unfinished(const DeviceLinkRecord &link)
{
    return link.state == QLatin1String("open") || link.state == QLatin1String("claimed") ||
           link.state == QLatin1String("approved");
}

} // namespace

void SqliteLinkStore::createLink(qint64 userId, qint64 deviceId, const QByteArray &codeHash,
                                 qint64 expiresAt, qint64 maxOpen, Done<DeviceLinkRecord> done)
{
    SqliteBackend &backend = m_backend;
    runWrite<DeviceLinkRecord>(
        backend,
        [&backend, userId, deviceId, codeHash, expiresAt, maxOpen]() -> Result<DeviceLinkRecord> {
            const qint64 now = nowMs();
            QSqlQuery &count = backend.writerQuery(
                QStringLiteral("SELECT COUNT(*) FROM device_links WHERE user_id = ? AND state IN "
                               "('open', 'claimed', 'approved') AND expires_at > ?"));
            if (!execPrepared(count, {userId, now}) || !count.next()) {
                return storageError(count);
            }
            const qint64 open = count.value(0).toLongLong();
            count.finish();
            if (open >= maxOpen) {
                return ApiError{429,
                                QString::fromLatin1(Protocol::ErrorCode::RateLimited),
                                QStringLiteral("%1 device links are already open; finish or "
                                               "cancel one first.")
                                    .arg(open),
                                {}};
            }
            QSqlQuery &insert = backend.writerQuery(
                QStringLiteral("INSERT INTO device_links (user_id, created_by, code_hash, "
                               "created_at, expires_at, state) VALUES (?, ?, ?, ?, ?, 'open')"));
            if (!execPrepared(insert, {userId, deviceId, codeHash, now, expiresAt})) {
                return storageError(insert);
            }
            const qint64 id = insert.lastInsertId().toLongLong();
            return writerLink(backend, QStringLiteral("WHERE l.id = ?"), {id});
        },
        std::move(done));
}

std::optional<DeviceLinkRecord> SqliteLinkStore::link(qint64 linkId)
{
    SqliteBackend::ReadQuery query(m_backend, QStringLiteral("SELECT ") + LinkColumns +
                                                  QStringLiteral("WHERE l.id = ?"));
    if (!query.exec({linkId}) || !query->next()) {
        return std::nullopt;
    }
    return readLink(*query.operator->());
}

void SqliteLinkStore::claimLink(const QByteArray &codeHash, const DeviceLinkRecord &claim,
                                qint64 nowMs, Done<DeviceLinkRecord> done)
{
    SqliteBackend &backend = m_backend;
    runWrite<DeviceLinkRecord>(
        backend,
        [&backend, codeHash, claim, nowMs]() -> Result<DeviceLinkRecord> {
            auto link = writerLink(backend, QStringLiteral("WHERE l.code_hash = ?"), {codeHash});
            if (!link) {
                return link;
            }
            if (link->expiresAt <= nowMs || link->state == QLatin1String("rejected")) {
                return unknownLink();
            }
            if (link->state != QLatin1String("open")) {
                return ApiError::conflict(
                    QStringLiteral("Another device already used this link code. Ask for a new "
                                   "code on your other device."),
                    Protocol::ErrorCode::LinkState);
            }
            return setState(backend, link->id, QStringLiteral("claimed"),
                            QStringLiteral(", device_name = ?, platform = ?, identity_key = ?, "
                                           "key_proof = ?, keys_json = ?, secret_hash = ?"),
                            {claim.deviceName, claim.platform, claim.identityKey, claim.keyProof,
                             claim.keysJson, claim.secretHash});
        },
        std::move(done));
}

void SqliteLinkStore::decideLink(qint64 userId, qint64 linkId, bool approve, bool history,
                                 qint64 nowMs, Done<DeviceLinkRecord> done)
{
    SqliteBackend &backend = m_backend;
    runWrite<DeviceLinkRecord>(
        backend,
        [&backend, userId, linkId, approve, history, nowMs]() -> Result<DeviceLinkRecord> {
            auto link = writerLink(backend, QStringLiteral("WHERE l.id = ? AND l.user_id = ?"),
                                   {linkId, userId});
            if (!link) {
                return link;
            }
            if (!unfinished(*link) || link->expiresAt <= nowMs) {
                return wrongState(*link, link->expiresAt <= nowMs && unfinished(*link)
                                             ? QStringLiteral("unexpired")
                                             : QStringLiteral("unfinished"));
            }
            if (!approve) {
                return setState(backend, linkId, QStringLiteral("rejected"));
            }
            if (link->state != QLatin1String("claimed")) {
                return wrongState(*link, QStringLiteral("claimed"));
            }
            return setState(backend, linkId, QStringLiteral("approved"),
                            QStringLiteral(", history_wanted = ?"), {history ? 1 : 0});
        },
        std::move(done));
}

void SqliteLinkStore::completeLink(qint64 linkId, const QByteArray &secretHash,
                                   const QByteArray &tokenHash, const DeviceKeys &keys,
                                   qint64 maxDevices, qint64 nowMs, Done<DeviceLinkRecord> done)
{
    SqliteBackend &backend = m_backend;
    runWrite<DeviceLinkRecord>(
        backend,
        [&backend, linkId, secretHash, tokenHash, keys, maxDevices,
         nowMs]() -> Result<DeviceLinkRecord> {
            auto link = writerLink(backend, QStringLiteral("WHERE l.id = ? AND l.secret_hash = ?"),
                                   {linkId, secretHash});
            if (!link) {
                return link;
            }
            if (link->state == QLatin1String("linked") && link->expiresAt > nowMs) {
                // The new device did not get the answer: the same secret picks up a new token
                // (the first one stops working).
                QSqlQuery &token = backend.writerQuery(QStringLiteral(
                    "UPDATE devices SET token_hash = ? WHERE id = ? AND revoked_at IS NULL"));
                if (!execPrepared(token, {tokenHash, link->deviceId})) {
                    return storageError(token);
                }
                if (token.numRowsAffected() != 1) {
                    return wrongState(*link, QStringLiteral("linked to an active device"));
                }
                return link;
            }
            if (link->state != QLatin1String("approved") || link->expiresAt <= nowMs) {
                return wrongState(*link, QStringLiteral("approved"));
            }
            const auto device = insertDevice(backend, link->userId, link->deviceName,
                                             link->platform, tokenHash, maxDevices, keys);
            if (!device) {
                return device.error();
            }
            return setState(backend, linkId, QStringLiteral("linked"),
                            QStringLiteral(", device_id = ?, linked_at = ?"), {device->id, nowMs});
        },
        std::move(done));
}

void SqliteLinkStore::storeHistoryPart(qint64 linkId, qint64 part, qint64 parts,
                                       const QByteArray &data, qint64 maxBytes,
                                       Done<DeviceLinkRecord> done)
{
    SqliteBackend &backend = m_backend;
    runWrite<DeviceLinkRecord>(
        backend,
        [&backend, linkId, part, parts, data, maxBytes]() -> Result<DeviceLinkRecord> {
            auto link = writerLink(backend, QStringLiteral("WHERE l.id = ?"), {linkId});
            if (!link) {
                return link;
            }
            if (link->state != QLatin1String("linked")) {
                return wrongState(*link, QStringLiteral("linked"));
            }
            QSqlQuery &active = backend.writerQuery(
                QStringLiteral("SELECT 1 FROM devices WHERE id = ? AND revoked_at IS NULL"));
            if (!execPrepared(active, {link->deviceId})) {
                return storageError(active);
            }
            const bool deviceActive = active.next();
            active.finish();
            if (!deviceActive) {
                return wrongState(*link, QStringLiteral("linked to an active device"));
            }
            qint64 knownParts = link->historyParts;
            qint64 knownBytes = link->historyBytes;
            if (part == 0) {
                // A (re)started upload: whatever an earlier attempt left goes.
                QSqlQuery &restart = backend.writerQuery(
                    QStringLiteral("DELETE FROM link_history WHERE link_id = ?"));
                if (!execPrepared(restart, {linkId})) {
                    return storageError(restart);
                }
                knownParts = 0;
                knownBytes = 0;
            }
            if (knownParts != 0 && knownParts != parts) {
                return ApiError::conflict(
                    QStringLiteral("This transfer was announced with %1 parts.").arg(knownParts),
                    Protocol::ErrorCode::LinkState);
            }
            QSqlQuery &existing = backend.writerQuery(QStringLiteral(
                "SELECT LENGTH(data) FROM link_history WHERE link_id = ? AND part = ?"));
            if (!execPrepared(existing, {linkId, part})) {
                return storageError(existing);
            }
            const qint64 replaced = existing.next() ? existing.value(0).toLongLong() : 0;
            existing.finish();
            if (knownBytes - replaced + data.size() > maxBytes) {
                return ApiError{413,
                                QString::fromLatin1(Protocol::ErrorCode::TooLarge),
                                QStringLiteral("The history transfer would exceed %1 bytes, the "
                                               "most this server keeps; choose a shorter period.")
                                    .arg(maxBytes),
                                {}};
            }
            QSqlQuery &insert = backend.writerQuery(QStringLiteral(
                "INSERT OR REPLACE INTO link_history (link_id, part, data) VALUES (?, ?, ?)"));
            if (!execPrepared(insert, {linkId, part, data})) {
                return storageError(insert);
            }
            return setState(backend, linkId, QStringLiteral("linked"),
                            QStringLiteral(", history_parts = ?"), {parts});
        },
        std::move(done));
}

std::optional<QByteArray> SqliteLinkStore::historyPart(qint64 linkId, qint64 part)
{
    SqliteBackend::ReadQuery query(
        m_backend, QStringLiteral("SELECT data FROM link_history WHERE link_id = ? AND part = ?"));
    if (!query.exec({linkId, part}) || !query->next()) {
        return std::nullopt;
    }
    return query->value(0).toByteArray();
}

void SqliteLinkStore::dropHistory(qint64 linkId, Done<bool> done)
{
    SqliteBackend &backend = m_backend;
    runWrite<bool>(
        backend,
        [&backend, linkId]() -> Result<bool> {
            QSqlQuery &drop =
                backend.writerQuery(QStringLiteral("DELETE FROM link_history WHERE link_id = ?"));
            if (!execPrepared(drop, {linkId})) {
                return storageError(drop);
            }
            const bool dropped = drop.numRowsAffected() > 0;
            QSqlQuery &reset = backend.writerQuery(
                QStringLiteral("UPDATE device_links SET history_parts = 0 WHERE id = ?"));
            if (!execPrepared(reset, {linkId})) {
                return storageError(reset);
            }
            return dropped;
        },
        std::move(done));
}

void SqliteLinkStore::purgeLinks(qint64 unfinishedBefore, qint64 linkedBefore, Done<qint64> done)
{
    SqliteBackend &backend = m_backend;
    runWrite<qint64>(
        backend,
        [&backend, unfinishedBefore, linkedBefore]() -> Result<qint64> {
            QSqlQuery &history = backend.writerQuery(QStringLiteral(
                "DELETE FROM link_history WHERE link_id IN (SELECT id FROM device_links WHERE "
                "(state <> 'linked' AND expires_at < ?) OR (state = 'linked' AND linked_at < ?))"));
            if (!execPrepared(history, {unfinishedBefore, linkedBefore})) {
                return storageError(history);
            }
            QSqlQuery &links = backend.writerQuery(
                QStringLiteral("DELETE FROM device_links WHERE (state <> 'linked' AND "
                               "expires_at < ?) OR (state = 'linked' AND linked_at < ?)"));
            if (!execPrepared(links, {unfinishedBefore, linkedBefore})) {
                return storageError(links);
            }
            return static_cast<qint64>(links.numRowsAffected());
        },
        std::move(done));
}

} // namespace Tincan::Server
