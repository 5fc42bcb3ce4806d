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
#include <mutex>
#include <optional>
#include <vector>

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

//! Requests of one kind, from any thread, applied together: every request queued until the
//! writer gets to them goes into one write op (one pass of set-based statements instead of one
//! op per request), so the busier the writer, the bigger its batches. At most one op is queued
//! at a time. `apply` runs on the writer thread and returns false to roll the whole batch back;
//! `finish` answers each request once the batch is durable (or failed), on the writer thread,
//! so it must not read from the stores.
template<class Request> class WriteCoalescer
{
public:
    using Apply = std::function<bool(std::vector<Request> &batch)>;
    using Finish = std::function<void(Request &request, bool committed)>;

    WriteCoalescer(SqliteBackend &backend, Apply apply, Finish finish)
        : m_backend(backend)
        , m_state(std::make_shared<State>())
    {
        m_state->apply = std::move(apply);
        m_state->finish = std::move(finish);
    }

    void add(Request request)
    {
        {
            std::lock_guard lock(m_state->mutex);
            m_state->pending.push_back(std::move(request));
            if (m_state->scheduled) {
                return;
            }
            m_state->scheduled = true;
        }
        auto batch = std::make_shared<std::vector<Request>>();
        m_backend.submit({[state = m_state, batch](QSqlDatabase &) {
                              {
                                  std::lock_guard lock(state->mutex);
                                  batch->swap(state->pending);
                                  state->scheduled = false;
                              }
                              return state->apply(*batch);
                          },
                          [state = m_state, batch](bool committed) {
                              if (batch->empty()) {
                                  // The op never ran (no transaction, or the writer is
                                  // stopping): whatever it would have taken is refused.
                                  std::lock_guard lock(state->mutex);
                                  batch->swap(state->pending);
                                  state->scheduled = false;
                              }
                              for (Request &request : *batch) {
                                  state->finish(request, committed);
                              }
                          }});
    }

private:
    struct State
    {
        Apply apply;
        Finish finish;
        std::mutex mutex;
        std::vector<Request> pending;
        bool scheduled = false;
    };
    SqliteBackend &m_backend;
    std::shared_ptr<State> m_state;
};

//! Builds the JSON array text of a batch for one set-based statement (`json_each(?)`): rows of
//! integers and strings, e.g. [[1,2],[3,"dm:a:b"]].
class JsonRows
{
public:
    JsonRows &row()
    {
        m_text += m_rows++ == 0 ? "[" : "],[";
        m_first = true;
        return *this;
    }
    JsonRows &add(qint64 value)
    {
        separate();
        m_text += QByteArray::number(value);
        return *this;
    }
    JsonRows &add(const QString &value)
    {
        separate();
        m_text += '"';
        for (const char c : value.toUtf8()) {
            if (c == '"' || c == '\\') {
                m_text += '\\';
                m_text += c;
            } else if (static_cast<unsigned char>(c) < 0x20) {
                m_text += "\\u00";
                m_text += QByteArray::number(static_cast<int>(c), 16).rightJustified(2, '0');
            } else {
                m_text += c;
            }
        }
        m_text += '"';
        return *this;
    }
    //! A flat list instead of rows: [1,2,3] (use add() only).
    QString list() const { return QString::fromUtf8("[" + m_text + "]"); }
    bool isEmpty() const { return m_rows == 0; }
    QString text() const
    {
        return QString::fromUtf8(m_rows == 0 ? QByteArray("[]") : "[" + m_text + "]]");
    }

private:
    void separate()
    {
        if (!m_first) {
            m_text += ',';
        }
        m_first = false;
    }
    QByteArray m_text;
    qint64 m_rows = 0;
    bool m_first = true;
};

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
