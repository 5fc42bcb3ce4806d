#include "server/store/sqlite/SqliteGroupStore.h"

#include "server/store/sqlite/SqliteSupport.h"
#include "shared/protocol/Validation.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSet>
#include <QUuid>

#include <algorithm>

namespace Tincan::Server {

using Protocol::ApiError;
using Protocol::Result;
using namespace SqliteSupport;

namespace {

using Row = std::function<void(QSqlQuery &)>;
//! Runs one statement and hands each row to `row`: on the writer's or on a reader's connection,
//! so that the group is read the same way inside a change's transaction and outside.
using Exec = std::function<bool(const QString &sql, const QVariantList &values, const Row &row)>;

Exec writerExec(SqliteBackend &backend)
{
    return [&backend](const QString &sql, const QVariantList &values, const Row &row) {
        QSqlQuery &query = backend.writerQuery(sql);
        if (!execPrepared(query, values)) {
            storageError(query);
            return false;
        }
        while (query.next()) {
            row(query);
        }
        query.finish();
        return true;
    };
}

Exec readerExec(SqliteBackend &backend)
{
    return [&backend](const QString &sql, const QVariantList &values, const Row &row) {
        SqliteBackend::ReadQuery query(backend, sql);
        if (!query.exec(values)) {
            return false;
        }
        while (query->next()) {
            row(*query.operator->());
        }
        return true;
    };
}

ApiError unknownGroup()
{
    return ApiError::notFound(QStringLiteral("There is no such group, or you are not a member."),
                              Protocol::ErrorCode::UnknownGroup);
}

QString conversationOf(const QString &groupId)
{
    return Protocol::groupConversationId(groupId);
}

//! The group with its current members and their reachable devices, if `userId` (0: anyone)
//! is a current member.
std::optional<Group> loadGroup(const Exec &exec, const QString &groupId, qint64 userId)
{
    std::optional<Group> group;
    if (!exec(QStringLiteral("SELECT g.name, u.username, g.created_at, g.epoch FROM groups g "
                             "JOIN users u ON u.id = g.created_by WHERE g.id = ?"),
              {groupId},
              [&](QSqlQuery &q) {
                  group.emplace();
                  group->id = groupId;
                  group->name = q.value(0).toString();
                  group->createdBy = q.value(1).toString();
                  group->createdAt = q.value(2).toLongLong();
                  group->epoch = q.value(3).toLongLong();
              }) ||
        !group) {
        return std::nullopt;
    }
    bool member = userId == 0;
    exec(QStringLiteral(
             "SELECT gm.user_id, u.username, gm.role, gm.joined_at, d.id FROM group_members gm "
             "JOIN users u ON u.id = gm.user_id LEFT JOIN devices d ON d.user_id = gm.user_id "
             "AND d.revoked_at IS NULL AND d.identity_key IS NOT NULL "
             "WHERE gm.group_id = ? AND gm.left_seq IS NULL ORDER BY u.username, d.id"),
         {groupId}, [&](QSqlQuery &q) {
             const qint64 id = q.value(0).toLongLong();
             if (group->members.isEmpty() || group->members.last().userId != id) {
                 GroupMember m;
                 m.userId = id;
                 m.username = q.value(1).toString();
                 m.role = q.value(2).toInt() == 1 ? GroupRole::Admin : GroupRole::Member;
                 m.joinedAt = q.value(3).toLongLong();
                 group->members.append(std::move(m));
                 member = member || id == userId;
             }
             if (!q.value(4).isNull()) {
                 group->members.last().devices.append(q.value(4).toLongLong());
             }
         });
    if (!member) {
        return std::nullopt;
    }
    return group;
}

//! Writer thread: the next seq of a conversation.
Result<qint64> nextSeq(SqliteBackend &backend, const QString &conversation)
{
    QSqlQuery &seq =
        backend.writerQuery(QStringLiteral("INSERT INTO conversations (id, last_seq) VALUES (?, 1) "
                                           "ON CONFLICT (id) DO UPDATE SET last_seq = last_seq + 1 "
                                           "RETURNING last_seq"));
    if (!execPrepared(seq, {conversation}) || !seq.next()) {
        return storageError(seq);
    }
    const qint64 value = seq.value(0).toLongLong();
    seq.finish();
    return value;
}

//! Writer thread: stores the event announcing a change as a message of the group, with its
//! fan-out job.
Result<Protocol::SendReceipt> insertEvent(SqliteBackend &backend, const QString &groupId,
                                          const AuthContext &actor, qint64 seq,
                                          const QJsonObject &event)
{
    Protocol::SendReceipt receipt;
    receipt.clientMessageId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    receipt.conversation = conversationOf(groupId);
    receipt.seq = seq;
    receipt.serverTimestamp = nowMs();
    // Events are the server's own messages: its sender is the acting user, and its client id
    // a UUID of the server's (never one the user chose, so it cannot collide with theirs).
    QSqlQuery &insert = backend.writerQuery(QStringLiteral(
        "INSERT INTO messages (sender_user, sender_name, sender_device, client_id, conversation, "
        "seq, recipient, server_ts, event, fanout) VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, 1)"));
    if (!execPrepared(insert,
                      {actor.userId, actor.username, actor.deviceId, receipt.clientMessageId,
                       receipt.conversation, seq, receipt.serverTimestamp,
                       QString::fromUtf8(QJsonDocument(event).toJson(QJsonDocument::Compact))})) {
        return storageError(insert);
    }
    receipt.messageId = insert.lastInsertId().toLongLong();
    QSqlQuery &job =
        backend.writerQuery(QStringLiteral("INSERT INTO fanout_jobs (message_id) VALUES (?)"));
    if (!execPrepared(job, {receipt.messageId})) {
        return storageError(job);
    }
    return receipt;
}

QJsonArray namesOf(const QList<User> &users)
{
    QJsonArray names;
    for (const User &user : users) {
        names.append(user.username);
    }
    return names;
}

struct MemberRow
{
    GroupRole role = GroupRole::Member;
};

//! Writer thread: current members of a group, by user id.
Result<QHash<qint64, MemberRow>> currentMembers(SqliteBackend &backend, const QString &groupId)
{
    QHash<qint64, MemberRow> members;
    QSqlQuery &query = backend.writerQuery(QStringLiteral(
        "SELECT user_id, role FROM group_members WHERE group_id = ? AND left_seq IS NULL"));
    if (!execPrepared(query, {groupId})) {
        return storageError(query);
    }
    while (query.next()) {
        members.insert(query.value(0).toLongLong(),
                       {query.value(1).toInt() == 1 ? GroupRole::Admin : GroupRole::Member});
    }
    query.finish();
    return members;
}

Result<GroupChangeResult> applyChange(SqliteBackend &backend, const GroupChange &change)
{
    using Type = GroupChange::Type;
    QString groupId = change.groupId;
    const qint64 now = nowMs();
    QHash<qint64, MemberRow> members;

    if (change.type == Type::Create) {
        groupId =
            QString::fromLatin1(QByteArray::number(QRandomGenerator::system()->generate64(), 16)
                                    .rightJustified(16, '0') +
                                QByteArray::number(QRandomGenerator::system()->generate64(), 16)
                                    .rightJustified(16, '0'));
        QSqlQuery &insert = backend.writerQuery(
            QStringLiteral("INSERT INTO groups (id, name, created_by, created_at, epoch) "
                           "VALUES (?, ?, ?, ?, 1)"));
        if (!execPrepared(insert, {groupId, change.name, change.actor.userId, now})) {
            return storageError(insert);
        }
    } else {
        QSqlQuery &exists =
            backend.writerQuery(QStringLiteral("SELECT 1 FROM groups WHERE id = ?"));
        if (!execPrepared(exists, {groupId})) {
            return storageError(exists);
        }
        const bool found = exists.next();
        exists.finish();
        if (!found) {
            return unknownGroup();
        }
        auto current = currentMembers(backend, groupId);
        if (!current) {
            return current.error();
        }
        members = std::move(*current);
        if (!members.contains(change.actor.userId)) {
            return unknownGroup();
        }
    }
    const bool actorIsAdmin =
        change.type == Type::Create || members.value(change.actor.userId).role == GroupRole::Admin;
    const bool leaving = change.type == Type::Remove && change.users.size() == 1 &&
                         change.users.first().id == change.actor.userId;
    if (!actorIsAdmin && change.type != Type::Rename && !leaving) {
        return ApiError::forbidden(QStringLiteral("Only the group's admins can do this."));
    }

    QList<User> users;
    QSet<qint64> seen;
    for (const User &user : change.users) {
        if (seen.contains(user.id)) {
            continue;
        }
        seen.insert(user.id);
        const bool isMember = members.contains(user.id);
        switch (change.type) {
        case Type::Create:
            if (user.id == change.actor.userId) {
                continue; // The creator is a member anyway.
            }
            break;
        case Type::Add:
            if (isMember) {
                return ApiError::badRequest(
                    QStringLiteral("%1 is already a member of this group.").arg(user.username));
            }
            break;
        case Type::Remove:
        case Type::Promote:
        case Type::Demote:
            if (!isMember) {
                return ApiError::notFound(
                    QStringLiteral("%1 is not a member of this group.").arg(user.username),
                    Protocol::ErrorCode::UnknownUser);
            }
            break;
        case Type::Rename:
            break;
        }
        users.append(user);
    }
    const qint64 memberCount =
        change.type == Type::Create ? users.size() + 1 : members.size() + users.size();
    if ((change.type == Type::Create || change.type == Type::Add) &&
        memberCount > change.maxMembers) {
        return ApiError::conflict(
            QStringLiteral("A group can have at most %1 members.").arg(change.maxMembers),
            Protocol::ErrorCode::GroupFull);
    }

    const QString conversation = conversationOf(groupId);
    auto seq = nextSeq(backend, conversation);
    if (!seq) {
        return seq.error();
    }
    QJsonObject event{{QStringLiteral("actor"), change.actor.username}};
    bool membershipChanged = false;
    QList<qint64> leavers; // Users whose cursors end at the event.

    auto addMember = [&](qint64 userId, GroupRole role) -> bool {
        QSqlQuery &insert = backend.writerQuery(QStringLiteral(
            "INSERT INTO group_members (group_id, user_id, role, joined_at, joined_seq) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (group_id, user_id) DO UPDATE SET "
            "role = excluded.role, joined_at = excluded.joined_at, joined_seq = "
            "excluded.joined_seq, left_seq = NULL"));
        // Fan-out on read starts after everything already stored: the event comes next.
        QSqlQuery &cursors = backend.writerQuery(QStringLiteral(
            "INSERT OR REPLACE INTO group_cursors (device_id, conversation, after_id, until_id) "
            "SELECT id, ?, (SELECT COALESCE(MAX(id), 0) FROM messages), NULL FROM devices "
            "WHERE user_id = ? AND revoked_at IS NULL"));
        return execPrepared(insert, {groupId, userId, static_cast<int>(role), now, *seq}) &&
               execPrepared(cursors, {conversation, userId});
    };

    switch (change.type) {
    case Type::Create: {
        event.insert(QStringLiteral("type"), QStringLiteral("created"));
        event.insert(QStringLiteral("name"), change.name);
        QJsonArray all{change.actor.username};
        for (const QJsonValue &name : namesOf(users)) {
            all.append(name);
        }
        event.insert(QStringLiteral("members"), all);
        if (!addMember(change.actor.userId, GroupRole::Admin)) {
            return ApiError::internal(QStringLiteral("The server could not store the group."));
        }
        for (const User &user : std::as_const(users)) {
            if (!addMember(user.id, GroupRole::Member)) {
                return ApiError::internal(QStringLiteral("The server could not store the group."));
            }
        }
        break;
    }
    case Type::Add:
        event.insert(QStringLiteral("type"), QStringLiteral("added"));
        event.insert(QStringLiteral("users"), namesOf(users));
        for (const User &user : std::as_const(users)) {
            if (!addMember(user.id, GroupRole::Member)) {
                return ApiError::internal(QStringLiteral("The server could not store the group."));
            }
        }
        membershipChanged = true;
        break;
    case Type::Remove: {
        event.insert(QStringLiteral("type"),
                     leaving ? QStringLiteral("left") : QStringLiteral("removed"));
        event.insert(QStringLiteral("users"), namesOf(users));
        QSqlQuery &leave = backend.writerQuery(QStringLiteral(
            "UPDATE group_members SET left_seq = ? WHERE group_id = ? AND user_id = ?"));
        for (const User &user : std::as_const(users)) {
            if (!execPrepared(leave, {*seq, groupId, user.id})) {
                return storageError(leave);
            }
            members.remove(user.id);
            leavers.append(user.id);
        }
        // A group is never left without an admin while it has members: the longest-standing
        // member takes over (as in WhatsApp).
        const bool adminLeft =
            std::any_of(members.cbegin(), members.cend(),
                        [](const MemberRow &m) { return m.role == GroupRole::Admin; });
        if (!adminLeft && !members.isEmpty()) {
            QSqlQuery &heir = backend.writerQuery(QStringLiteral(
                "UPDATE group_members SET role = 1 WHERE group_id = ? AND user_id = (SELECT "
                "user_id FROM group_members WHERE group_id = ? AND left_seq IS NULL ORDER BY "
                "joined_seq, user_id LIMIT 1) RETURNING (SELECT username FROM users WHERE id = "
                "user_id)"));
            if (!execPrepared(heir, {groupId, groupId})) {
                return storageError(heir);
            }
            if (heir.next()) {
                event.insert(QStringLiteral("promoted"), QJsonArray{heir.value(0).toString()});
            }
            heir.finish();
        }
        membershipChanged = true;
        break;
    }
    case Type::Rename: {
        event.insert(QStringLiteral("type"), QStringLiteral("renamed"));
        event.insert(QStringLiteral("name"), change.name);
        QSqlQuery &rename =
            backend.writerQuery(QStringLiteral("UPDATE groups SET name = ? WHERE id = ?"));
        if (!execPrepared(rename, {change.name, groupId})) {
            return storageError(rename);
        }
        break;
    }
    case Type::Promote:
    case Type::Demote: {
        const bool promote = change.type == Type::Promote;
        if (!promote) {
            qint64 admins = 0;
            for (auto it = members.cbegin(); it != members.cend(); ++it) {
                if (it->role == GroupRole::Admin && !seen.contains(it.key())) {
                    ++admins;
                }
            }
            if (admins == 0) {
                return ApiError::badRequest(
                    QStringLiteral("A group needs at least one admin; promote someone else "
                                   "first."));
            }
        }
        event.insert(QStringLiteral("type"),
                     promote ? QStringLiteral("promoted") : QStringLiteral("demoted"));
        event.insert(QStringLiteral("users"), namesOf(users));
        QSqlQuery &role = backend.writerQuery(
            QStringLiteral("UPDATE group_members SET role = ? WHERE group_id = ? AND user_id = ?"));
        for (const User &user : std::as_const(users)) {
            if (!execPrepared(role, {promote ? 1 : 0, groupId, user.id})) {
                return storageError(role);
            }
        }
        break;
    }
    }

    if (membershipChanged) {
        QSqlQuery &bump =
            backend.writerQuery(QStringLiteral("UPDATE groups SET epoch = epoch + 1 WHERE id = ?"));
        if (!execPrepared(bump, {groupId})) {
            return storageError(bump);
        }
    }
    std::optional<Group> group = loadGroup(writerExec(backend), groupId, 0);
    if (!group) {
        return ApiError::internal(QStringLiteral("The server could not read the group back."));
    }
    event.insert(QStringLiteral("epoch"), group->epoch);
    auto receipt = insertEvent(backend, groupId, change.actor, *seq, event);
    if (!receipt) {
        return receipt.error();
    }
    // Those who left read the group log up to the event that says so, and no further.
    QSqlQuery &until = backend.writerQuery(QStringLiteral(
        "UPDATE group_cursors SET until_id = ? WHERE conversation = ? AND device_id IN "
        "(SELECT id FROM devices WHERE user_id = ?)"));
    for (const qint64 userId : std::as_const(leavers)) {
        if (!execPrepared(until, {receipt->messageId, conversation, userId})) {
            return storageError(until);
        }
    }
    return GroupChangeResult{std::move(*group), std::move(*receipt)};
}

} // namespace

void SqliteGroupStore::changeGroup(GroupChange change, Done<GroupChangeResult> done)
{
    SqliteBackend &backend = m_backend;
    auto shared = std::make_shared<GroupChange>(std::move(change));
    runWrite<GroupChangeResult>(
        backend, [&backend, shared]() { return applyChange(backend, *shared); }, std::move(done));
}

std::optional<Group> SqliteGroupStore::group(const QString &groupId, qint64 userId)
{
    return loadGroup(readerExec(m_backend), groupId, userId);
}

QList<GroupSummary> SqliteGroupStore::groupsOf(qint64 userId)
{
    SqliteBackend::ReadQuery query(
        m_backend,
        QStringLiteral("SELECT g.id, g.name, g.epoch, gm.role, (SELECT COUNT(*) FROM group_members "
                       "o WHERE o.group_id = g.id AND o.left_seq IS NULL) FROM group_members gm "
                       "JOIN groups g ON g.id = gm.group_id WHERE gm.user_id = ? AND gm.left_seq "
                       "IS NULL ORDER BY g.name, g.id"));
    QList<GroupSummary> groups;
    if (!query.exec({userId})) {
        return groups;
    }
    while (query->next()) {
        groups.append({query->value(0).toString(), query->value(1).toString(),
                       query->value(2).toLongLong(),
                       query->value(3).toInt() == 1 ? GroupRole::Admin : GroupRole::Member,
                       query->value(4).toLongLong()});
    }
    return groups;
}

void SqliteGroupStore::storeGroupMessage(NewGroupMessage message, Done<StoredMessage> done)
{
    SqliteBackend &backend = m_backend;
    auto shared = std::make_shared<NewGroupMessage>(std::move(message));
    runWrite<StoredMessage>(
        backend,
        [&backend, shared]() -> Result<StoredMessage> {
            const NewGroupMessage &m = *shared;
            const QString conversation = conversationOf(m.groupId);
            StoredMessage stored;
            stored.receipt.clientMessageId = m.clientMessageId;

            // A retry of a stored message gets its receipt, even if the sender left since.
            auto duplicate =
                findStoredMessage(backend, m.sender.userId, m.clientMessageId, conversation);
            if (!duplicate || *duplicate) {
                return duplicate ? std::move(**duplicate)
                                 : Result<StoredMessage>(duplicate.error());
            }

            QSqlQuery &group = backend.writerQuery(QStringLiteral(
                "SELECT g.epoch FROM groups g JOIN group_members gm ON gm.group_id = g.id "
                "WHERE g.id = ? AND gm.user_id = ? AND gm.left_seq IS NULL"));
            if (!execPrepared(group, {m.groupId, m.sender.userId})) {
                return storageError(group);
            }
            if (!group.next()) {
                group.finish();
                return unknownGroup();
            }
            const qint64 epoch = group.value(0).toLongLong();
            group.finish();

            if (m.epoch != epoch) {
                ApiError error = ApiError::conflict(
                    QStringLiteral("The group's members or their devices changed; refresh the "
                                   "group and retry."),
                    Protocol::ErrorCode::GroupChanged);
                error.details.insert(QStringLiteral("epoch"), epoch);
                return error;
            }

            QSqlQuery &devices = backend.writerQuery(QStringLiteral(
                "SELECT d.id FROM group_members gm JOIN devices d ON d.user_id = gm.user_id "
                "WHERE gm.group_id = ? AND gm.left_seq IS NULL AND d.revoked_at IS NULL AND "
                "d.identity_key IS NOT NULL"));
            if (!execPrepared(devices, {m.groupId})) {
                return storageError(devices);
            }
            QSet<qint64> memberDevices;
            while (devices.next()) {
                memberDevices.insert(devices.value(0).toLongLong());
            }
            devices.finish();
            QJsonArray stale;
            for (const NewMessage::Copy &key : m.keys) {
                if (key.deviceId == m.sender.deviceId || !memberDevices.contains(key.deviceId)) {
                    stale.append(key.deviceId);
                }
            }
            if (!stale.isEmpty()) {
                ApiError error = ApiError::conflict(
                    QStringLiteral("Some sender keys are for devices that are not in the group; "
                                   "refresh the group and retry."),
                    Protocol::ErrorCode::DeviceMismatch);
                error.details.insert(QStringLiteral("missingDevices"), QJsonArray());
                error.details.insert(QStringLiteral("staleDevices"), stale);
                return error;
            }

            auto seq = nextSeq(backend, conversation);
            if (!seq) {
                return seq.error();
            }
            stored.receipt.seq = *seq;
            stored.receipt.conversation = conversation;
            stored.receipt.serverTimestamp = nowMs();
            const int fanout = memberDevices.size() > m.fanoutReadThreshold ? 2 : 1;
            QSqlQuery &insert = backend.writerQuery(QStringLiteral(
                "INSERT INTO messages (sender_user, sender_name, sender_device, client_id, "
                "conversation, seq, recipient, server_ts, payload, fanout) "
                "VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?)"));
            if (!execPrepared(insert, {m.sender.userId, m.sender.username, m.sender.deviceId,
                                       m.clientMessageId, conversation, *seq,
                                       stored.receipt.serverTimestamp, m.body, fanout})) {
                return storageError(insert);
            }
            stored.receipt.messageId = insert.lastInsertId().toLongLong();
            QSqlQuery &key = backend.writerQuery(QStringLiteral(
                "INSERT INTO message_keys (message_id, device_id, payload) VALUES (?, ?, ?)"));
            for (const NewMessage::Copy &copy : m.keys) {
                if (!execPrepared(key, {stored.receipt.messageId, copy.deviceId, copy.payload})) {
                    return storageError(key);
                }
            }
            QSqlQuery &job = backend.writerQuery(
                QStringLiteral("INSERT INTO fanout_jobs (message_id) VALUES (?)"));
            if (!execPrepared(job, {stored.receipt.messageId})) {
                return storageError(job);
            }
            return stored;
        },
        std::move(done));
}

// --------------------------------------------------------------------------------- fan-out

namespace {

Result<FanoutRound> fanOutRound(SqliteBackend &backend, qint64 budget)
{
    FanoutRound round;
    QSqlQuery &jobs = backend.writerQuery(
        QStringLiteral("SELECT j.message_id, j.after_device, m.conversation, m.seq, m.sender_name, "
                       "m.sender_device, m.client_id, m.server_ts, m.payload, m.event, m.fanout "
                       "FROM fanout_jobs j JOIN messages m ON m.id = j.message_id "
                       "ORDER BY j.message_id LIMIT 64"));
    if (!execPrepared(jobs, {})) {
        return storageError(jobs);
    }
    struct Job
    {
        qint64 afterDevice = 0;
        int fanout = 1;
        Protocol::Envelope envelope;
    };
    QList<Job> pending;
    while (jobs.next()) {
        Job job;
        job.envelope.id = jobs.value(0).toLongLong();
        job.afterDevice = jobs.value(1).toLongLong();
        job.envelope.conversation = jobs.value(2).toString();
        job.envelope.seq = jobs.value(3).toLongLong();
        job.envelope.fromUser = jobs.value(4).toString();
        job.envelope.fromDevice = jobs.value(5).toLongLong();
        job.envelope.clientMessageId = jobs.value(6).toString();
        job.envelope.serverTimestamp = jobs.value(7).toLongLong();
        job.envelope.payload = jobs.value(8).toByteArray();
        if (!jobs.value(9).isNull()) {
            job.envelope.event =
                QJsonDocument::fromJson(jobs.value(9).toString().toUtf8()).object();
        }
        job.fanout = jobs.value(10).toInt();
        pending.append(std::move(job));
    }
    jobs.finish();

    // The members of the message's time: joined at or before its seq, not left before it; their
    // devices that existed then and can decrypt (have keys). The sender's device has the
    // message; an event goes to every device, the actor's too.
    QSqlQuery &targets = backend.writerQuery(QStringLiteral(
        "SELECT d.id FROM group_members gm JOIN devices d ON d.user_id = gm.user_id "
        "WHERE gm.group_id = ? AND gm.joined_seq <= ? AND (gm.left_seq IS NULL OR gm.left_seq >= "
        "?) AND d.revoked_at IS NULL AND d.identity_key IS NOT NULL AND d.created_at <= ? AND "
        "d.id > ? AND d.id <> ? ORDER BY d.id LIMIT ?"));
    QSqlQuery &keys = backend.writerQuery(
        QStringLiteral("SELECT device_id, payload FROM message_keys WHERE message_id = ?"));
    // All of a job's inbox entries in one statement; the devices in id order, so that slots
    // grow with device ids as they did one insert at a time.
    QSqlQuery &inbox = backend.writerQuery(QStringLiteral(
        "INSERT INTO inbox (device_id, message_id, payload, stored_at) SELECT value, ?, ?, ? FROM "
        "json_each(?) WHERE true ORDER BY key ON CONFLICT DO NOTHING RETURNING device_id, slot"));
    QSqlQuery &advance = backend.writerQuery(
        QStringLiteral("UPDATE fanout_jobs SET after_device = ? WHERE message_id = ?"));
    QSqlQuery &finish =
        backend.writerQuery(QStringLiteral("DELETE FROM fanout_jobs WHERE message_id = ?"));
    static const QByteArray inMessageRow(""); // The ciphertext stays in the message row.

    for (const Job &job : std::as_const(pending)) {
        if (budget <= 0) {
            round.more = true;
            break;
        }
        const bool event = !job.envelope.event.isEmpty();
        const qint64 limit = budget;
        const QString groupId = Protocol::groupIdOf(job.envelope.conversation);
        if (!execPrepared(targets, {groupId, job.envelope.seq, job.envelope.seq,
                                    job.envelope.serverTimestamp, job.afterDevice,
                                    event ? 0 : job.envelope.fromDevice, limit})) {
            return storageError(targets);
        }
        QList<qint64> devices;
        while (targets.next()) {
            devices.append(targets.value(0).toLongLong());
        }
        targets.finish();
        QHash<qint64, QByteArray> senderKeys;
        if (!event) {
            if (!execPrepared(keys, {job.envelope.id})) {
                return storageError(keys);
            }
            while (keys.next()) {
                senderKeys.insert(keys.value(0).toLongLong(), keys.value(1).toByteArray());
            }
            keys.finish();
        }
        QHash<qint64, qint64> slots; // Device -> its new inbox entry.
        if (job.fanout != 2 && !devices.isEmpty()) {
            JsonRows ids;
            for (const qint64 device : std::as_const(devices)) {
                ids.add(device);
            }
            if (!execPrepared(inbox, {job.envelope.id, inMessageRow, job.envelope.serverTimestamp,
                                      ids.list()})) {
                return storageError(inbox);
            }
            while (inbox.next()) {
                slots.insert(inbox.value(0).toLongLong(), inbox.value(1).toLongLong());
            }
            inbox.finish();
        }
        for (const qint64 device : std::as_const(devices)) {
            Protocol::Envelope envelope = job.envelope;
            if (job.fanout != 2) {
                const auto slot = slots.constFind(device);
                if (slot == slots.cend()) {
                    continue; // Already in the device's inbox: it is delivered from there.
                }
                envelope.slot = *slot;
            }
            envelope.senderKey = senderKeys.value(device);
            round.deliveries.append({device, std::move(envelope)});
        }
        budget -= devices.size();
        if (devices.size() < limit) {
            if (!execPrepared(finish, {job.envelope.id})) {
                return storageError(finish);
            }
            ++round.jobsFinished;
        } else {
            // The budget ran out inside this job: remember how far it got.
            if (!execPrepared(advance, {devices.isEmpty() ? job.afterDevice : devices.last(),
                                        job.envelope.id})) {
                return storageError(advance);
            }
            round.more = true;
            break;
        }
    }
    if (pending.size() == 64) {
        round.more = true;
    }
    return round;
}

} // namespace

void SqliteFanoutQueue::fanOut(qint64 maxDeliveries, Done<FanoutRound> done)
{
    SqliteBackend &backend = m_backend;
    runWrite<FanoutRound>(
        backend, [&backend, maxDeliveries]() { return fanOutRound(backend, maxDeliveries); },
        std::move(done));
}

qint64 SqliteFanoutQueue::pendingJobs()
{
    SqliteBackend::ReadQuery query(m_backend, QStringLiteral("SELECT COUNT(*) FROM fanout_jobs"));
    if (!query.exec({}) || !query->next()) {
        return -1;
    }
    return query->value(0).toLongLong();
}

} // namespace Tincan::Server
