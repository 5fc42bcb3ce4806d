#include "server/store/sqlite/SqliteReceiptStore.h"

#include "server/store/sqlite/SqliteSupport.h"
#include "shared/protocol/Validation.h"

#include <QHash>

#include <algorithm>

namespace Tincan::Server {

using Protocol::ApiError;
using Protocol::Result;
using namespace SqliteSupport;

namespace {

//! Writer thread: raises a user's positions in a conversation; nothing when neither grows.
Result<std::optional<ReceiptChange>> raise(SqliteBackend &backend, const QString &conversation,
                                           qint64 userId, qint64 delivered, qint64 read)
{
    QSqlQuery &current = backend.writerQuery(QStringLiteral(
        "SELECT r.delivered_seq, r.read_seq, u.username FROM users u LEFT JOIN "
        "receipt_state r ON r.conversation = ? AND r.user_id = u.id WHERE u.id = ?"));
    if (!execPrepared(current, {conversation, userId}) || !current.next()) {
        return storageError(current);
    }
    const qint64 oldDelivered = current.value(0).toLongLong();
    const qint64 oldRead = current.value(1).toLongLong();
    const QString username = current.value(2).toString();
    current.finish();
    const qint64 newRead = std::max(oldRead, read);
    const qint64 newDelivered = std::max({oldDelivered, delivered, newRead});
    if (newRead == oldRead && newDelivered == oldDelivered) {
        return std::optional<ReceiptChange>();
    }
    ReceiptChange change;
    change.userId = userId;
    change.deliveredChanged = newDelivered != oldDelivered;
    change.state = {conversation, username, newDelivered, newRead, nowMs()};
    QSqlQuery &write = backend.writerQuery(
        QStringLiteral("INSERT OR REPLACE INTO receipt_state (conversation, user_id, "
                       "delivered_seq, read_seq, updated_at) VALUES (?, ?, ?, ?, ?)"));
    if (!execPrepared(write,
                      {conversation, userId, newDelivered, newRead, change.state.updatedAt})) {
        return storageError(write);
    }
    // Who cares: the senders of the messages the change newly covers, and (for reading) the
    // user's own other devices.
    const qint64 from = newRead > oldRead ? oldRead : oldDelivered;
    QSqlQuery &senders = backend.writerQuery(QStringLiteral(
        "SELECT DISTINCT sender_user FROM messages WHERE conversation = ? AND seq > ? AND "
        "seq <= ? AND event IS NULL AND sender_user <> ?"));
    if (!execPrepared(senders, {conversation, from, newDelivered, userId})) {
        return storageError(senders);
    }
    while (senders.next()) {
        change.audience.append(senders.value(0).toLongLong());
    }
    senders.finish();
    if (newRead > oldRead) {
        change.audience.append(userId);
    }
    // Read positions travel between two users only if both share read receipts (whoever turns
    // them off sees none either); the user's own devices always get them (read-state sync).
    QSqlQuery &devices = backend.writerQuery(QStringLiteral(
        "SELECT d.id, u.read_receipts, (SELECT read_receipts FROM users WHERE id = ?) FROM "
        "devices d JOIN users u ON u.id = d.user_id WHERE d.user_id = ? AND d.revoked_at IS NULL"));
    for (const qint64 audienceUser : std::as_const(change.audience)) {
        if (!execPrepared(devices, {userId, audienceUser})) {
            return storageError(devices);
        }
        while (devices.next()) {
            const bool withRead =
                audienceUser == userId || (devices.value(1).toBool() && devices.value(2).toBool());
            (withRead ? change.fullDevices : change.deliveredOnlyDevices)
                .append(devices.value(0).toLongLong());
        }
        devices.finish();
    }
    return std::optional<ReceiptChange>(std::move(change));
}

} // namespace

void SqliteReceiptStore::markDelivered(qint64 userId, QList<qint64> messageIds,
                                       Done<QList<ReceiptChange>> done)
{
    SqliteBackend &backend = m_backend;
    runWrite<QList<ReceiptChange>>(
        backend,
        [&backend, userId, messageIds = std::move(messageIds)]() -> Result<QList<ReceiptChange>> {
            // Only messages of the user's own conversations count: the recipient of a direct
            // message, a member of the group when the message was sent. An ACK of someone
            // else's message id creates no receipt.
            QSqlQuery &message = backend.writerQuery(QStringLiteral(
                "SELECT m.conversation, m.seq FROM messages m, users u WHERE m.id = ? AND "
                "u.id = ? AND m.sender_user <> u.id AND m.event IS NULL AND ("
                "m.conversation = 'dm:' || u.username || ':' || m.sender_name OR "
                "m.conversation = 'dm:' || m.sender_name || ':' || u.username OR "
                "EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = "
                "substr(m.conversation, 7) AND m.conversation GLOB 'group:*' AND gm.user_id = u.id "
                "AND gm.joined_seq <= m.seq AND (gm.left_seq IS NULL OR gm.left_seq >= m.seq)))"));
            QHash<QString, qint64> highest;
            for (const qint64 id : messageIds) {
                if (!execPrepared(message, {id, userId})) {
                    return storageError(message);
                }
                if (message.next()) {
                    qint64 &seq = highest[message.value(0).toString()];
                    seq = std::max(seq, message.value(1).toLongLong());
                }
                message.finish();
            }
            QList<ReceiptChange> changes;
            for (auto it = highest.cbegin(); it != highest.cend(); ++it) {
                auto change = raise(backend, it.key(), userId, it.value(), 0);
                if (!change) {
                    return change.error();
                }
                if (*change) {
                    changes.append(std::move(**change));
                }
            }
            return changes;
        },
        std::move(done));
}

void SqliteReceiptStore::markRead(qint64 userId, QString conversation, qint64 seq,
                                  Done<std::optional<ReceiptChange>> done)
{
    SqliteBackend &backend = m_backend;
    runWrite<std::optional<ReceiptChange>>(
        backend,
        [&backend, userId, conversation = std::move(conversation),
         seq]() -> Result<std::optional<ReceiptChange>> {
            const ApiError notYours = ApiError::notFound(
                QStringLiteral("You are not in this conversation."), Protocol::ErrorCode::NotFound);
            const QString groupId = Protocol::groupIdOf(conversation);
            if (!groupId.isEmpty()) {
                QSqlQuery &member = backend.writerQuery(
                    QStringLiteral("SELECT 1 FROM group_members WHERE group_id = ? AND user_id = ? "
                                   "AND left_seq IS NULL"));
                if (!execPrepared(member, {groupId, userId})) {
                    return storageError(member);
                }
                const bool found = member.next();
                member.finish();
                if (!found) {
                    return notYours;
                }
            } else {
                QSqlQuery &name =
                    backend.writerQuery(QStringLiteral("SELECT username FROM users WHERE id = ?"));
                if (!execPrepared(name, {userId}) || !name.next()) {
                    return storageError(name);
                }
                const QString username = name.value(0).toString();
                name.finish();
                if (Protocol::directPeer(conversation, username).isEmpty()) {
                    return notYours;
                }
            }
            QSqlQuery &last = backend.writerQuery(
                QStringLiteral("SELECT last_seq FROM conversations WHERE id = ?"));
            if (!execPrepared(last, {conversation})) {
                return storageError(last);
            }
            const qint64 lastSeq = last.next() ? last.value(0).toLongLong() : 0;
            last.finish();
            if (seq > lastSeq) {
                return ApiError::badRequest(
                    QStringLiteral("seq %1 is past the conversation's last message (%2).")
                        .arg(seq)
                        .arg(lastSeq));
            }
            return raise(backend, conversation, userId, seq, seq);
        },
        std::move(done));
}

QList<Protocol::ReceiptState> SqliteReceiptStore::receiptsAfter(qint64 userId,
                                                                const QString &username,
                                                                const ReceiptCursor &after,
                                                                qint64 limit,
                                                                QList<ReceiptCursor> *cursors)
{
    // Usernames have no GLOB wildcard characters (a-z, 0-9, '_', '.', '-'): the patterns match
    // exactly the user's direct conversations.
    SqliteBackend::ReadQuery query(
        m_backend,
        QStringLiteral(
            "SELECT r.conversation, u.username, r.delivered_seq, r.read_seq, r.updated_at, "
            "r.user_id FROM receipt_state r JOIN users u ON u.id = r.user_id WHERE "
            "r.updated_at >= ? AND (r.updated_at, r.user_id, r.conversation) > (?, ?, ?) AND "
            "(r.conversation GLOB ? OR r.conversation GLOB ? OR r.conversation IN (SELECT "
            "'group:' || group_id FROM group_members WHERE user_id = ? AND left_seq IS NULL)) "
            "ORDER BY r.updated_at, r.user_id, r.conversation LIMIT ?"));
    QList<Protocol::ReceiptState> states;
    if (!query.exec({after.updatedAt, after.updatedAt, after.userId, after.conversation,
                     QStringLiteral("dm:%1:*").arg(username),
                     QStringLiteral("dm:*:%1").arg(username), userId, limit})) {
        return states;
    }
    while (query->next()) {
        states.append({query->value(0).toString(), query->value(1).toString(),
                       query->value(2).toLongLong(), query->value(3).toLongLong(),
                       query->value(4).toLongLong()});
        cursors->append({query->value(4).toLongLong(), query->value(5).toLongLong(),
                         query->value(0).toString()});
    }
    return states;
}

} // namespace Tincan::Server
