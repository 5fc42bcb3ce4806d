#include "server/store/sqlite/SqliteReceiptStore.h"

#include "server/store/sqlite/SqliteSupport.h"
#include "shared/protocol/Validation.h"

#include <QHash>
#include <QSet>

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

namespace {

struct DeliveredRequest
{
    qint64 userId = 0;
    QList<qint64> messageIds;           //!< Looked up (markDelivered).
    QList<DeliveredPosition> positions; //!< Known (markDeliveredAt).
    Done<QList<ReceiptChange>> done;
    QList<ReceiptChange> changes;
};

//! Writer thread: the highest position per (user, conversation) that acknowledged message ids
//! reach (`acked`: rows of request, user, message id), per request.
bool lookUpDelivered(SqliteBackend &backend, const JsonRows &acked,
                     QHash<qint64, QList<QPair<QPair<QString, qint64>, qint64>>> &looked)
{
    // The highest acknowledged position per (user, conversation), first seen first. Only the
    // user's own conversations count: a direct conversation named after the user (its messages
    // are between its two users), or a group the user was a member of at that position. An ACK
    // of someone else's message id creates no receipt. Checked once per (user, conversation)
    // after the aggregation, not once per message: a member's ACK covers several messages.
    // (A legitimate ACK never covers a group message sent after the user left, which would
    // put the highest position out of the membership.)
    QSqlQuery &messages = backend.writerQuery(QStringLiteral(
        "SELECT a.r, a.u, a.conversation, a.top FROM (SELECT MIN(j.r) AS r, MIN(j.k) AS k, j.u "
        "AS u, m.conversation AS conversation, MAX(m.seq) AS top FROM (SELECT key AS k, "
        "json_extract(value, '$[0]') AS r, json_extract(value, '$[1]') AS u, "
        "json_extract(value, '$[2]') AS id FROM json_each(?)) j JOIN messages m ON m.id = j.id "
        "WHERE m.sender_user <> j.u AND m.event IS NULL GROUP BY j.u, m.conversation) a JOIN "
        "users u ON u.id = a.u WHERE (a.conversation GLOB 'dm:*' AND (substr(a.conversation, 1, "
        "length(u.username) + 4) = 'dm:' || u.username || ':' OR substr(a.conversation, "
        "-length(u.username) - 1) = ':' || u.username)) OR (a.conversation GLOB 'group:*' AND "
        "EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = substr(a.conversation, 7) AND "
        "gm.user_id = a.u AND gm.joined_seq <= a.top AND (gm.left_seq IS NULL OR gm.left_seq >= "
        "a.top))) ORDER BY a.r, a.k"));
    if (!execPrepared(messages, {acked.text()})) {
        storageError(messages);
        return false;
    }
    while (messages.next()) {
        looked[messages.value(0).toLongLong()].append(
            {{messages.value(2).toString(), messages.value(1).toLongLong()},
             messages.value(3).toLongLong()});
    }
    messages.finish();
    return true;
}

//! Writer thread: the delivered positions of many users at once, with a few set-based
//! statements: one change per (conversation, user) of the batch, however many messages and
//! devices it covers. Each change is handed to the first request that contributed to it.
bool applyDelivered(SqliteBackend &backend, std::vector<DeliveredRequest> &batch)
{
    using Key = QPair<QString, qint64>; // (conversation, user)
    // Per request, the (user, conversation) positions its looked-up ids reach.
    QHash<qint64, QList<QPair<Key, qint64>>> looked;
    JsonRows acked;
    for (size_t r = 0; r < batch.size(); ++r) {
        for (const qint64 id : std::as_const(batch[r].messageIds)) {
            acked.row().add(static_cast<qint64>(r)).add(batch[r].userId).add(id);
        }
    }
    if (!acked.isEmpty() && !lookUpDelivered(backend, acked, looked)) {
        return false;
    }
    struct Pending
    {
        qint64 request = 0;
        qint64 delivered = 0;
    };
    QHash<Key, Pending> highest;
    QList<Key> order; // First seen first: deterministic answers.
    const auto raiseTo = [&highest, &order](const Key &key, qint64 request, qint64 seq) {
        auto it = highest.find(key);
        if (it == highest.end()) {
            it = highest.insert(key, {request, 0});
            order.append(key);
        }
        it->delivered = std::max(it->delivered, seq);
    };
    for (size_t r = 0; r < batch.size(); ++r) {
        const auto request = static_cast<qint64>(r);
        for (const DeliveredPosition &position : std::as_const(batch[r].positions)) {
            raiseTo({position.conversation, batch[r].userId}, request, position.seq);
        }
        for (const auto &[key, seq] : looked.value(request)) {
            raiseTo(key, request, seq);
        }
    }
    if (order.isEmpty()) {
        return true;
    }
    // The current positions, and who the users are.
    JsonRows keys;
    for (const Key &key : std::as_const(order)) {
        keys.row().add(key.first).add(key.second);
    }
    QSqlQuery &current = backend.writerQuery(QStringLiteral(
        "SELECT j.c, j.u, r.delivered_seq, r.read_seq, u.username, u.read_receipts FROM (SELECT "
        "json_extract(value, '$[0]') AS c, json_extract(value, '$[1]') AS u FROM json_each(?)) j "
        "JOIN users u ON u.id = j.u LEFT JOIN receipt_state r ON r.conversation = j.c AND "
        "r.user_id = j.u"));
    if (!execPrepared(current, {keys.text()})) {
        storageError(current);
        return false;
    }
    struct Change
    {
        qint64 request = 0;
        qint64 from = 0; //!< The old delivered position: the change covers (from, delivered].
        bool userSharesRead = false;
        ReceiptChange change;
    };
    QList<Change> changes;
    const qint64 now = nowMs();
    JsonRows writes;
    while (current.next()) {
        const Key key{current.value(0).toString(), current.value(1).toLongLong()};
        const Pending pending = highest.value(key);
        const qint64 oldDelivered = current.value(2).toLongLong();
        const qint64 read = current.value(3).toLongLong();
        const qint64 delivered = std::max({oldDelivered, pending.delivered, read});
        if (delivered == oldDelivered) {
            continue;
        }
        Change change;
        change.request = pending.request;
        change.from = oldDelivered;
        change.userSharesRead = current.value(5).toBool();
        change.change.userId = key.second;
        change.change.deliveredChanged = true;
        change.change.state = {key.first, current.value(4).toString(), delivered, read, now};
        writes.row().add(key.first).add(key.second).add(delivered).add(read);
        changes.append(std::move(change));
    }
    current.finish();
    if (changes.isEmpty()) {
        return true;
    }
    QSqlQuery &write = backend.writerQuery(QStringLiteral(
        "INSERT INTO receipt_state (conversation, user_id, delivered_seq, read_seq, updated_at) "
        "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, "
        "'$[2]'), json_extract(value, '$[3]'), ? FROM json_each(?) WHERE true ON CONFLICT "
        "(conversation, user_id) DO UPDATE SET delivered_seq = excluded.delivered_seq, read_seq "
        "= excluded.read_seq, updated_at = excluded.updated_at"));
    if (!execPrepared(write, {now, writes.text()})) {
        storageError(write);
        return false;
    }

    // Who cares: the senders of the messages each change newly covers. One read of each
    // conversation's messages over the union of the batch's ranges.
    struct Range
    {
        qint64 from = 0;
        qint64 to = 0;
        QList<QPair<qint64, qint64>> senders; // (seq, sender), by seq
    };
    QHash<QString, Range> ranges;
    for (const Change &change : std::as_const(changes)) {
        const QString &conversation = change.change.state.conversation;
        auto it = ranges.find(conversation);
        if (it == ranges.end()) {
            ranges.insert(conversation, {change.from, change.change.state.delivered, {}});
        } else {
            it->from = std::min(it->from, change.from);
            it->to = std::max(it->to, change.change.state.delivered);
        }
    }
    QSqlQuery &senders = backend.writerQuery(
        QStringLiteral("SELECT seq, sender_user FROM messages WHERE conversation = ? AND seq > ? "
                       "AND seq <= ? AND event IS NULL ORDER BY seq"));
    for (auto it = ranges.begin(); it != ranges.end(); ++it) {
        if (!execPrepared(senders, {it.key(), it->from, it->to})) {
            storageError(senders);
            return false;
        }
        while (senders.next()) {
            it->senders.append({senders.value(0).toLongLong(), senders.value(1).toLongLong()});
        }
        senders.finish();
    }
    // Each audience user's active devices and read-receipts switch, read once per batch.
    struct Audience
    {
        bool sharesRead = false;
        QList<qint64> devices;
    };
    QHash<qint64, Audience> audiences;
    QSqlQuery &devices = backend.writerQuery(QStringLiteral(
        "SELECT u.read_receipts, d.id FROM users u LEFT JOIN devices d ON d.user_id = u.id AND "
        "d.revoked_at IS NULL WHERE u.id = ?"));
    for (Change &change : changes) {
        const Range &range = ranges[change.change.state.conversation];
        auto seq = std::upper_bound(
            range.senders.cbegin(), range.senders.cend(), change.from,
            [](qint64 value, const QPair<qint64, qint64> &row) { return value < row.first; });
        QSet<qint64> seen;
        for (; seq != range.senders.cend() && seq->first <= change.change.state.delivered; ++seq) {
            const qint64 sender = seq->second;
            if (sender == change.change.userId || seen.contains(sender)) {
                continue;
            }
            seen.insert(sender);
            change.change.audience.append(sender);
            auto audience = audiences.find(sender);
            if (audience == audiences.end()) {
                if (!execPrepared(devices, {sender})) {
                    storageError(devices);
                    return false;
                }
                Audience fresh;
                while (devices.next()) {
                    fresh.sharesRead = devices.value(0).toBool();
                    if (!devices.value(1).isNull()) {
                        fresh.devices.append(devices.value(1).toLongLong());
                    }
                }
                devices.finish();
                audience = audiences.insert(sender, fresh);
            }
            // Read positions travel between two users only if both share read receipts.
            (audience->sharesRead && change.userSharesRead ? change.change.fullDevices
                                                           : change.change.deliveredOnlyDevices)
                .append(audience->devices);
        }
        batch[static_cast<size_t>(change.request)].changes.append(std::move(change.change));
    }
    return true;
}

} // namespace

struct SqliteReceiptStore::Delivered
{
    explicit Delivered(SqliteBackend &backend)
        : queue(
              backend,
              [&backend](std::vector<DeliveredRequest> &batch) {
                  return applyDelivered(backend, batch);
              },
              [](DeliveredRequest &request, bool committed) {
                  if (!request.done) {
                      return;
                  }
                  if (committed) {
                      request.done(std::move(request.changes));
                  } else {
                      request.done(
                          ApiError{503,
                                   QString::fromLatin1(Protocol::ErrorCode::Unavailable),
                                   QStringLiteral("The server could not store this; try again."),
                                   {}});
                  }
              })
    {}
    WriteCoalescer<DeliveredRequest> queue;
};

SqliteReceiptStore::SqliteReceiptStore(SqliteBackend &backend)
    : m_backend(backend)
    , m_delivered(std::make_unique<Delivered>(backend))
{}

SqliteReceiptStore::~SqliteReceiptStore() = default;

void SqliteReceiptStore::markDelivered(qint64 userId, QList<qint64> messageIds,
                                       Done<QList<ReceiptChange>> done)
{
    // Every member of a group ACKs each message at about the same time: their delivered
    // positions go into one write (WriteCoalescer), not one each.
    m_delivered->queue.add({userId, std::move(messageIds), {}, std::move(done), {}});
}

void SqliteReceiptStore::markDeliveredAt(qint64 userId, QList<DeliveredPosition> positions,
                                         Done<QList<ReceiptChange>> done)
{
    m_delivered->queue.add({userId, {}, std::move(positions), std::move(done), {}});
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
