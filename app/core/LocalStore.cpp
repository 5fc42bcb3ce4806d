#include "app/core/LocalStore.h"

#include "app/core/DatabaseKey.h"
#include "app/core/Logging.h"
#include "app/core/SearchQuery.h"
#include "shared/crypto/SignalStore.h"
#include "shared/protocol/Validation.h"
#include "shared/storage/Migrations.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>
#include <limits>

namespace Tincan::Client {

namespace {

// Full-text search over the readable text of messages (LocalStore::search). An FTS4 table with
// external content, so the text is not stored twice: docid = messages.id, and FTS4 reads a row's
// columns back through the view message_search_source when it needs them (highlights,
// removals). Besides `text` it indexes `scope`, one token per conversation (the marker U+E000,
// which a query never contains, and the conversation's number in search_scopes), so a search
// in one conversation is an AND inside the index instead of a lookup of every match's
// conversation. Only readable messages are indexed (not notices, not undecryptable ones; never
// `media`, which holds file keys). With external content a row must be removed from the index
// exactly when it was in it, and with the values it was indexed with, since FTS4 removes what
// it reads back: the triggers decide both with the same condition on the old and the new row,
// and a conversation's number never changes. order=DESC keeps doclists newest first, so
// "ORDER BY docid DESC LIMIT n" reads them incrementally instead of loading every match. The
// prefix indexes (of the first 1, 2 and 3 bytes of each token) serve search as you type:
// without them a short prefix merges the doclists of every word it starts (docs/benchmarks.md,
// "Local search"). unicode61 folds case and diacritics ("munchen" finds "München").
QStringList searchSchema()
{
    using Status = StoredMessage::Status;
    QStringList readable;
    for (const Status status : {Status::Pending, Status::Sent, Status::Failed, Status::Received,
                                Status::Delivered, Status::Read}) {
        readable.append(QString::number(static_cast<int>(status)));
    }
    const auto indexed = [&readable](const char *row) {
        return QStringLiteral("(%1.status IN (%2) AND %1.text <> '')")
            .arg(QLatin1String(row), readable.join(QLatin1Char(',')));
    };
    const QString oldIndexed = indexed("old");
    const QString newIndexed = indexed("new");
    const QString changed =
        QStringLiteral("(new.text IS NOT old.text OR new.conversation IS NOT old.conversation)");
    const QString scope =
        QStringLiteral("char(%1) || s.id").arg(static_cast<int>(SearchQuery::ScopeMarker));
    const QString add =
        QStringLiteral("INSERT OR IGNORE INTO search_scopes (conversation) VALUES "
                       "(new.conversation); INSERT INTO message_search (docid, text, scope) "
                       "SELECT new.id, new.text, %1 FROM search_scopes s WHERE s.conversation = "
                       "new.conversation;")
            .arg(scope);
    const QString remove = QStringLiteral("DELETE FROM message_search WHERE docid = old.id;");
    return {
        QStringLiteral("CREATE TABLE search_scopes (id INTEGER PRIMARY KEY, "
                       "conversation TEXT NOT NULL UNIQUE)"),
        // A column named rowid: what FTS4 looks rows up by.
        QStringLiteral("CREATE VIEW message_search_source AS SELECT m.id AS rowid, m.text AS text, "
                       "%1 AS scope FROM messages m JOIN search_scopes s "
                       "ON s.conversation = m.conversation")
            .arg(scope),
        QStringLiteral("CREATE VIRTUAL TABLE message_search USING fts4("
                       "content=\"message_search_source\", text, scope, tokenize=unicode61, "
                       "order=DESC, prefix=\"1,2,3\")"),
        QStringLiteral("CREATE TRIGGER message_search_insert AFTER INSERT ON messages WHEN %1 "
                       "BEGIN %2 END")
            .arg(newIndexed, add),
        // Before the update: FTS4 reads the old row back to remove it.
        QStringLiteral("CREATE TRIGGER message_search_update_remove BEFORE UPDATE OF text, status, "
                       "conversation ON messages WHEN %1 AND (NOT %2 OR %3) BEGIN %4 END")
            .arg(oldIndexed, newIndexed, changed, remove),
        QStringLiteral("CREATE TRIGGER message_search_update_add AFTER UPDATE OF text, status, "
                       "conversation ON messages WHEN %1 AND (NOT %2 OR %3) BEGIN %4 END")
            .arg(newIndexed, oldIndexed, changed, add),
        QStringLiteral("CREATE TRIGGER message_search_delete BEFORE DELETE ON messages WHEN %1 "
                       "BEGIN %2 END")
            .arg(oldIndexed, remove),
        QStringLiteral("INSERT INTO search_scopes (conversation) SELECT DISTINCT conversation "
                       "FROM messages m WHERE %1")
            .arg(indexed("m")),
        QStringLiteral("INSERT INTO message_search (docid, text, scope) SELECT m.id, m.text, %1 "
                       "FROM messages m JOIN search_scopes s ON s.conversation = m.conversation "
                       "WHERE %2 ORDER BY m.id")
            .arg(scope, indexed("m")),
    };
}

Storage::Migrations clientMigrations()
{
    return Storage::Migrations({
        {1,
         {
             QStringLiteral("CREATE TABLE messages ("
                            " id INTEGER PRIMARY KEY,"
                            " conversation TEXT NOT NULL,"
                            " sender TEXT NOT NULL,"
                            " sender_device INTEGER NOT NULL,"
                            " client_id TEXT NOT NULL,"
                            " server_id INTEGER,"
                            " seq INTEGER,"
                            " text TEXT NOT NULL,"
                            " server_ts INTEGER,"
                            " local_ts INTEGER NOT NULL,"
                            " outgoing INTEGER NOT NULL,"
                            " status INTEGER NOT NULL,"
                            " error TEXT,"
                            " UNIQUE (sender, client_id))"),
             QStringLiteral("CREATE INDEX messages_conversation ON messages(conversation, id)"),
             QStringLiteral("CREATE TABLE outbox ("
                            " client_id TEXT PRIMARY KEY,"
                            " recipient TEXT NOT NULL,"
                            " text TEXT NOT NULL,"
                            " created_at INTEGER NOT NULL,"
                            " attempts INTEGER NOT NULL DEFAULT 0)"),
         }},
        {2,
         [] {
             // End-to-end encryption: libsignal's stores, settings (the device token lives here,
             // in the encrypted file), trust and per-device decryption status, control messages
             // in the outbox.
             QStringList statements = Crypto::SignalStore::schema();
             statements += {
                 QStringLiteral("CREATE TABLE settings (key TEXT PRIMARY KEY, value BLOB)"),
                 QStringLiteral("CREATE TABLE contacts ("
                                " username TEXT PRIMARY KEY,"
                                " verified INTEGER NOT NULL DEFAULT 0,"
                                " verified_number TEXT,"
                                " confirmation_required INTEGER NOT NULL DEFAULT 0)"),
                 QStringLiteral("CREATE TABLE device_status ("
                                " username TEXT NOT NULL,"
                                " device INTEGER NOT NULL,"
                                " last_ok_at INTEGER NOT NULL DEFAULT 0,"
                                " last_failure_at INTEGER NOT NULL DEFAULT 0,"
                                " last_failure TEXT,"
                                " failures INTEGER NOT NULL DEFAULT 0,"
                                " PRIMARY KEY (username, device))"),
                 QStringLiteral("ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'text'"),
                 QStringLiteral("ALTER TABLE outbox ADD COLUMN ref TEXT"),
                 QStringLiteral("ALTER TABLE outbox ADD COLUMN target_device INTEGER"),
                 // Ciphertexts already made for this entry, by device ("{id: base64}"): a retry
                 // sends the same bytes instead of advancing every ratchet again.
                 QStringLiteral("ALTER TABLE outbox ADD COLUMN payloads TEXT"),
                 // A retry request after a session failure starts a fresh session first.
                 QStringLiteral(
                     "ALTER TABLE outbox ADD COLUMN fresh_session INTEGER NOT NULL DEFAULT 0"),
                 QStringLiteral("CREATE INDEX messages_status ON messages(status)"),
             };
             return statements;
         }()},
        // Groups: what we know of each group we are (or were) in, the member devices as of the
        // epoch we last fetched, and which of them hold our current sender key.
        {3,
         {
             QStringLiteral("CREATE TABLE groups ("
                            " id TEXT PRIMARY KEY,"
                            " name TEXT NOT NULL,"
                            " epoch INTEGER NOT NULL DEFAULT 0,"
                            " member INTEGER NOT NULL DEFAULT 1,"
                            " updated_at INTEGER NOT NULL)"),
             QStringLiteral("CREATE TABLE group_members ("
                            " group_id TEXT NOT NULL,"
                            " user TEXT NOT NULL,"
                            " role TEXT NOT NULL,"
                            " PRIMARY KEY (group_id, user))"),
             QStringLiteral("CREATE TABLE group_devices ("
                            " group_id TEXT NOT NULL,"
                            " user TEXT NOT NULL,"
                            " device INTEGER NOT NULL,"
                            " PRIMARY KEY (group_id, device))"),
             QStringLiteral("CREATE TABLE group_key_holders ("
                            " group_id TEXT NOT NULL,"
                            " user TEXT NOT NULL,"
                            " device INTEGER NOT NULL,"
                            " PRIMARY KEY (group_id, device))"),
         }},
        // Receipts: how far each participant of a conversation got (ourselves included: our
        // read position, synced between our devices).
        {4,
         {
             QStringLiteral("CREATE TABLE receipts ("
                            " conversation TEXT NOT NULL,"
                            " user TEXT NOT NULL,"
                            " delivered_seq INTEGER NOT NULL DEFAULT 0,"
                            " read_seq INTEGER NOT NULL DEFAULT 0,"
                            " PRIMARY KEY (conversation, user))"),
         }},
        // Media: a message's attachments (its encoded content, file keys included), and the
        // uploads in progress (resumed after a restart).
        {5,
         {
             QStringLiteral("ALTER TABLE messages ADD COLUMN media BLOB"),
             QStringLiteral("CREATE TABLE transfers ("
                            " id TEXT PRIMARY KEY,"
                            " recipient TEXT NOT NULL,"
                            " path TEXT NOT NULL,"
                            " content BLOB NOT NULL,"
                            " salt BLOB NOT NULL,"
                            " upload_url TEXT,"
                            " state TEXT NOT NULL,"
                            " paused INTEGER NOT NULL DEFAULT 0,"
                            " file_size INTEGER NOT NULL,"
                            " file_mtime INTEGER NOT NULL,"
                            " created_at INTEGER NOT NULL)"),
         }},
        {6, searchSchema()},
        // The conversation list on a large history (docs/benchmarks.md, "Desktop app"):
        // unreadCount() reads only the messages after the read position instead of the whole
        // conversation, and conversations() scans this index (the columns it needs) instead of
        // the table with every text and attachment.
        {7,
         {
             QStringLiteral("CREATE INDEX IF NOT EXISTS messages_conversation_seq ON "
                            "messages(conversation, seq, server_ts, local_ts)"),
         }},
    });
}

constexpr auto Columns = "id, conversation, sender, sender_device, client_id, server_id, seq, "
                         "text, server_ts, local_ts, outgoing, status, error, media";

} // namespace

QString StoredMessage::statusName(Status status)
{
    switch (status) {
    case Status::Pending:
        return QStringLiteral("pending");
    case Status::Sent:
        return QStringLiteral("sent");
    case Status::Failed:
        return QStringLiteral("failed");
    case Status::Received:
        return QStringLiteral("received");
    case Status::Undecryptable:
        return QStringLiteral("undecryptable");
    case Status::System:
        return QStringLiteral("system");
    case Status::Delivered:
        return QStringLiteral("delivered");
    case Status::Read:
        return QStringLiteral("read");
    case Status::Uploading:
        return QStringLiteral("uploading");
    }
    return {};
}

bool LocalStore::open(const QString &path, const QByteArray &key)
{
    // The client's commits are small; NORMAL in WAL mode survives a crash of the app, which is
    // what the outbox needs. The key is applied before anything else touches the file.
    const Storage::Connection::Options options{path, QStringLiteral("NORMAL"), false, 5000};
    const auto applyKey = [key](QSqlDatabase &database, QString *error) {
        return DatabaseKey::apply(database, key, error);
    };
    if (!m_connection.open(options, applyKey)) {
        m_lastError = m_connection.lastError();
        return false;
    }
    Storage::Migrations migrations = clientMigrations();
    if (!migrations.apply(m_connection.database())) {
        m_lastError = migrations.lastError();
        return false;
    }
    return true;
}

bool LocalStore::openReadOnly(const QString &path, const QByteArray &key)
{
    const Storage::Connection::Options options{path, QStringLiteral("NORMAL"), true, 5000};
    const auto applyKey = [key](QSqlDatabase &database, QString *error) {
        return DatabaseKey::apply(database, key, error);
    };
    if (!m_connection.open(options, applyKey)) {
        m_lastError = m_connection.lastError();
        return false;
    }
    return true;
}

bool LocalStore::queueOutgoing(const StoredMessage &message, const QString &recipient)
{
    QSqlDatabase db = m_connection.database();
    db.transaction();
    QSqlQuery insert(db);
    insert.prepare(QStringLiteral("INSERT INTO messages (conversation, sender, sender_device, "
                                  "client_id, text, local_ts, outgoing, status, media) "
                                  "VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)"));
    insert.addBindValue(message.conversation);
    insert.addBindValue(message.sender);
    insert.addBindValue(message.senderDevice);
    insert.addBindValue(message.clientMessageId);
    insert.addBindValue(message.text.isNull() ? QStringLiteral("") : message.text);
    insert.addBindValue(message.localTimestamp);
    insert.addBindValue(static_cast<int>(StoredMessage::Status::Pending));
    insert.addBindValue(message.media.isEmpty() ? QVariant() : QVariant(message.media));
    // A media message is sent from its encoded content (attachments and caption).
    const bool media = !message.media.isEmpty();
    QSqlQuery outbox(db);
    outbox.prepare(QStringLiteral("INSERT INTO outbox (client_id, recipient, text, created_at, "
                                  "kind) VALUES (?, ?, ?, ?, ?)"));
    outbox.addBindValue(message.clientMessageId);
    outbox.addBindValue(recipient);
    outbox.addBindValue(media ? QString::fromUtf8(message.media) : message.text);
    outbox.addBindValue(message.localTimestamp);
    outbox.addBindValue(media ? QStringLiteral("media") : QStringLiteral("text"));
    if (!insert.exec() || !outbox.exec() || !db.commit()) {
        m_lastError =
            insert.lastError().isValid() ? insert.lastError().text() : outbox.lastError().text();
        db.rollback();
        return false;
    }
    return true;
}

QList<OutboxEntry> LocalStore::outbox()
{
    QSqlQuery query(m_connection.database());
    QList<OutboxEntry> entries;
    if (!query.exec(QStringLiteral("SELECT client_id, recipient, text, created_at, attempts, "
                                   "kind, ref, target_device, payloads, fresh_session FROM outbox "
                                   "ORDER BY created_at, "
                                   "rowid"))) {
        m_lastError = query.lastError().text();
        return entries;
    }
    while (query.next()) {
        entries.append({query.value(0).toString(), query.value(1).toString(),
                        query.value(2).toString(), query.value(3).toLongLong(),
                        query.value(4).toInt(), query.value(5).toString(),
                        query.value(6).toString(), query.value(7).toLongLong(),
                        query.value(8).toByteArray(), query.value(9).toInt() != 0});
    }
    return entries;
}

bool LocalStore::bumpAttempts(const QString &clientMessageId)
{
    QSqlQuery query(m_connection.database());
    query.prepare(QStringLiteral("UPDATE outbox SET attempts = attempts + 1 WHERE client_id = ?"));
    query.addBindValue(clientMessageId);
    if (!query.exec()) {
        m_lastError = query.lastError().text();
        return false;
    }
    return true;
}

bool LocalStore::finishOutgoing(const QString &updateSql, const QVariantList &values,
                                const QString &clientMessageId, bool *changed)
{
    QSqlDatabase db = m_connection.database();
    if (!db.transaction()) {
        m_lastError = db.lastError().text();
        return false;
    }
    QSqlQuery update(db);
    update.prepare(updateSql);
    for (const QVariant &value : values) {
        update.addBindValue(value);
    }
    QSqlQuery remove(db);
    remove.prepare(QStringLiteral("DELETE FROM outbox WHERE client_id = ?"));
    remove.addBindValue(clientMessageId);
    if (!update.exec() || !remove.exec() || !db.commit()) {
        m_lastError = update.lastError().isValid()   ? update.lastError().text()
                      : remove.lastError().isValid() ? remove.lastError().text()
                                                     : db.lastError().text();
        db.rollback();
        return false;
    }
    if (changed) {
        *changed = update.numRowsAffected() > 0;
    }
    return true;
}

bool LocalStore::markSent(const QString &clientMessageId, qint64 serverId, qint64 seq,
                          qint64 serverTs, bool *changed)
{
    // Only from Pending (or Failed, when a lost answer said otherwise): a message the server
    // already confirmed may have receipts by now.
    const int sent = static_cast<int>(StoredMessage::Status::Sent);
    return finishOutgoing(
        QStringLiteral("UPDATE messages SET server_id = ?, seq = ?, server_ts = ?, status = ? "
                       "WHERE outgoing = 1 AND client_id = ? AND status IN (?, ?)"),
        {serverId, seq, serverTs, sent, clientMessageId,
         static_cast<int>(StoredMessage::Status::Pending),
         static_cast<int>(StoredMessage::Status::Failed)},
        clientMessageId, changed);
}

bool LocalStore::markFailed(const QString &clientMessageId, const QString &reason)
{
    return finishOutgoing(
        QStringLiteral(
            "UPDATE messages SET status = ?, error = ? WHERE outgoing = 1 AND client_id = ?"),
        {static_cast<int>(StoredMessage::Status::Failed), reason, clientMessageId}, clientMessageId,
        nullptr);
}

bool LocalStore::startUpload(const MediaTransfer &transfer, StoredMessage *message)
{
    QSqlDatabase db = m_connection.database();
    if (!db.transaction()) {
        m_lastError = db.lastError().text();
        return false;
    }
    QSqlQuery insert(db);
    insert.prepare(QStringLiteral("INSERT INTO messages (conversation, sender, sender_device, "
                                  "client_id, text, local_ts, outgoing, status, media) "
                                  "VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)"));
    insert.addBindValue(message->conversation);
    insert.addBindValue(message->sender);
    insert.addBindValue(message->senderDevice);
    insert.addBindValue(message->clientMessageId);
    insert.addBindValue(message->text.isNull() ? QStringLiteral("") : message->text);
    insert.addBindValue(message->localTimestamp);
    insert.addBindValue(static_cast<int>(StoredMessage::Status::Uploading));
    insert.addBindValue(message->media);
    // The id before the next insert: SQLite's last insert id belongs to the connection.
    const bool inserted = insert.exec();
    const qint64 localId = inserted ? insert.lastInsertId().toLongLong() : 0;
    if (!inserted || !saveTransfer(transfer) || !db.commit()) {
        if (insert.lastError().isValid()) {
            m_lastError = insert.lastError().text();
        }
        db.rollback();
        return false;
    }
    message->localId = localId;
    message->status = StoredMessage::Status::Uploading;
    message->outgoing = true;
    return true;
}

bool LocalStore::queueUploaded(const QString &clientMessageId, const QByteArray &media,
                               const QString &recipient)
{
    QSqlDatabase db = m_connection.database();
    if (!db.transaction()) {
        m_lastError = db.lastError().text();
        return false;
    }
    QSqlQuery update(db);
    update.prepare(QStringLiteral("UPDATE messages SET media = ?, status = ? WHERE outgoing = 1 "
                                  "AND client_id = ? AND status = ?"));
    update.addBindValue(media);
    update.addBindValue(static_cast<int>(StoredMessage::Status::Pending));
    update.addBindValue(clientMessageId);
    update.addBindValue(static_cast<int>(StoredMessage::Status::Uploading));
    QSqlQuery outbox(db);
    outbox.prepare(QStringLiteral("INSERT INTO outbox (client_id, recipient, text, created_at, "
                                  "kind) VALUES (?, ?, ?, ?, 'media')"));
    outbox.addBindValue(clientMessageId);
    outbox.addBindValue(recipient);
    outbox.addBindValue(QString::fromUtf8(media));
    outbox.addBindValue(QDateTime::currentMSecsSinceEpoch());
    const bool updated = update.exec();
    if (!updated || update.numRowsAffected() != 1 || !outbox.exec() || !db.commit()) {
        m_lastError = !updated ? update.lastError().text()
                      : update.numRowsAffected() != 1
                          ? QStringLiteral("The message is not uploading.")
                      : outbox.lastError().isValid() ? outbox.lastError().text()
                                                     : db.lastError().text();
        db.rollback();
        return false;
    }
    return true;
}

bool LocalStore::discardUnsent(const QString &clientMessageId)
{
    QSqlDatabase db = m_connection.database();
    if (!db.transaction()) {
        m_lastError = db.lastError().text();
        return false;
    }
    QSqlQuery remove(db);
    remove.prepare(QStringLiteral("DELETE FROM messages WHERE outgoing = 1 AND client_id = ? AND "
                                  "status IN (?, ?)"));
    remove.addBindValue(clientMessageId);
    remove.addBindValue(static_cast<int>(StoredMessage::Status::Uploading));
    remove.addBindValue(static_cast<int>(StoredMessage::Status::Failed));
    QSqlQuery outbox(db);
    outbox.prepare(QStringLiteral("DELETE FROM outbox WHERE client_id = ?"));
    outbox.addBindValue(clientMessageId);
    QSqlQuery transfer(db);
    transfer.prepare(QStringLiteral("DELETE FROM transfers WHERE id = ?"));
    transfer.addBindValue(clientMessageId);
    const bool removed = remove.exec();
    if (!removed || remove.numRowsAffected() != 1 || !outbox.exec() || !transfer.exec() ||
        !db.commit()) {
        m_lastError = !removed ? remove.lastError().text()
                      : remove.numRowsAffected() != 1
                          ? QStringLiteral("There is no unsent message %1.").arg(clientMessageId)
                          : db.lastError().text();
        db.rollback();
        return false;
    }
    return true;
}

bool LocalStore::insertIncoming(const StoredMessage &message, bool *inserted)
{
    QSqlQuery query(m_connection.database());
    query.prepare(QStringLiteral(
        "INSERT INTO messages (conversation, sender, sender_device, client_id, server_id, seq, "
        "text, server_ts, local_ts, outgoing, status, error, media) "
        "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
        "WHERE NOT EXISTS (SELECT 1 FROM messages WHERE sender = ? AND client_id = ?)"));
    // Not INSERT OR IGNORE: that would also swallow a constraint violation, dropping a message.
    query.addBindValue(message.conversation);
    query.addBindValue(message.sender);
    query.addBindValue(message.senderDevice);
    query.addBindValue(message.clientMessageId);
    query.addBindValue(message.serverId);
    query.addBindValue(message.seq);
    query.addBindValue(message.text.isNull() ? QStringLiteral("") : message.text);
    query.addBindValue(message.serverTimestamp);
    query.addBindValue(message.localTimestamp);
    query.addBindValue(message.outgoing ? 1 : 0);
    query.addBindValue(static_cast<int>(message.status));
    query.addBindValue(message.error.isEmpty() ? QVariant() : QVariant(message.error));
    query.addBindValue(message.media.isEmpty() ? QVariant() : QVariant(message.media));
    query.addBindValue(message.sender);
    query.addBindValue(message.clientMessageId);
    if (!query.exec()) {
        m_lastError = query.lastError().text();
        return false;
    }
    *inserted = query.numRowsAffected() == 1;
    return true;
}

StoredMessage LocalStore::read(QSqlQuery &query) const
{
    StoredMessage m;
    m.localId = query.value(0).toLongLong();
    m.conversation = query.value(1).toString();
    m.sender = query.value(2).toString();
    m.senderDevice = query.value(3).toLongLong();
    m.clientMessageId = query.value(4).toString();
    m.serverId = query.value(5).toLongLong();
    m.seq = query.value(6).toLongLong();
    m.text = query.value(7).toString();
    m.serverTimestamp = query.value(8).toLongLong();
    m.localTimestamp = query.value(9).toLongLong();
    m.outgoing = query.value(10).toInt() != 0;
    m.status = static_cast<StoredMessage::Status>(query.value(11).toInt());
    m.error = query.value(12).toString();
    m.media = query.value(13).toByteArray();
    return m;
}

QList<StoredMessage> LocalStore::readAll(QSqlQuery &query)
{
    QList<StoredMessage> messages;
    if (!query.exec()) {
        m_lastError = query.lastError().text();
        return messages;
    }
    while (query.next()) {
        messages.append(read(query));
    }
    return messages;
}

std::optional<StoredMessage> LocalStore::message(const QString &sender,
                                                 const QString &clientMessageId)
{
    QSqlQuery query(m_connection.database());
    query.prepare(QStringLiteral("SELECT %1 FROM messages WHERE sender = ? AND client_id = ?")
                      .arg(QLatin1String(Columns)));
    query.addBindValue(sender);
    query.addBindValue(clientMessageId);
    if (!query.exec() || !query.next()) {
        return std::nullopt;
    }
    return read(query);
}

std::optional<StoredMessage> LocalStore::messageByClientId(const QString &clientMessageId)
{
    QSqlQuery query(m_connection.database());
    query.prepare(QStringLiteral("SELECT %1 FROM messages WHERE client_id = ? ORDER BY id LIMIT 1")
                      .arg(QLatin1String(Columns)));
    query.addBindValue(clientMessageId);
    if (!query.exec() || !query.next()) {
        return std::nullopt;
    }
    return read(query);
}

bool LocalStore::saveTransfer(const MediaTransfer &transfer)
{
    return run(QStringLiteral("INSERT OR REPLACE INTO transfers (id, recipient, path, content, "
                              "salt, upload_url, state, paused, file_size, file_mtime, created_at) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
               {transfer.id, transfer.recipient, transfer.path, transfer.content, transfer.salt,
                transfer.uploadUrl, transfer.state, transfer.paused ? 1 : 0, transfer.fileSize,
                transfer.fileMtime, transfer.createdAt});
}

QList<MediaTransfer> LocalStore::transfers()
{
    QSqlQuery query(m_connection.database());
    QList<MediaTransfer> result;
    if (!run(query,
             QStringLiteral("SELECT id, recipient, path, content, salt, upload_url, state, paused, "
                            "file_size, file_mtime, created_at FROM transfers ORDER BY created_at"),
             {})) {
        return result;
    }
    while (query.next()) {
        MediaTransfer t;
        t.id = query.value(0).toString();
        t.recipient = query.value(1).toString();
        t.path = query.value(2).toString();
        t.content = query.value(3).toByteArray();
        t.salt = query.value(4).toByteArray();
        t.uploadUrl = query.value(5).toString();
        t.state = query.value(6).toString();
        t.paused = query.value(7).toInt() != 0;
        t.fileSize = query.value(8).toLongLong();
        t.fileMtime = query.value(9).toLongLong();
        t.createdAt = query.value(10).toLongLong();
        result.append(t);
    }
    return result;
}

std::optional<MediaTransfer> LocalStore::transfer(const QString &id)
{
    for (const MediaTransfer &t : transfers()) {
        if (t.id == id) {
            return t;
        }
    }
    return std::nullopt;
}

bool LocalStore::removeTransfer(const QString &id)
{
    return run(QStringLiteral("DELETE FROM transfers WHERE id = ?"), {id});
}

QList<StoredMessage> LocalStore::history(const QString &conversation, int limit,
                                         qint64 beforeLocalId)
{
    // Order by the server's per-conversation sequence where known, local arrival otherwise.
    QSqlQuery query(m_connection.database());
    query.prepare(QStringLiteral("SELECT * FROM (SELECT %1 FROM messages WHERE conversation = ? "
                                 "AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?) "
                                 "ORDER BY COALESCE(seq, 9223372036854775807), id")
                      .arg(QLatin1String(Columns)));
    query.addBindValue(conversation);
    query.addBindValue(beforeLocalId);
    query.addBindValue(beforeLocalId);
    query.addBindValue(limit);
    return readAll(query);
}

QList<StoredMessage> LocalStore::historyAfter(const QString &conversation, qint64 afterLocalId,
                                              int limit)
{
    QSqlQuery query(m_connection.database());
    query.prepare(QStringLiteral("SELECT %1 FROM messages WHERE conversation = ? AND id > ? "
                                 "ORDER BY id LIMIT ?")
                      .arg(QLatin1String(Columns)));
    query.addBindValue(conversation);
    query.addBindValue(afterLocalId);
    query.addBindValue(limit);
    return readAll(query);
}

std::optional<StoredMessage> LocalStore::messageById(qint64 localId)
{
    QSqlQuery query(m_connection.database());
    query.prepare(
        QStringLiteral("SELECT %1 FROM messages WHERE id = ?").arg(QLatin1String(Columns)));
    query.addBindValue(localId);
    const QList<StoredMessage> found = readAll(query);
    if (found.isEmpty()) {
        return std::nullopt;
    }
    return found.first();
}

QList<StoredMessage> LocalStore::historyAround(const QString &conversation, qint64 localId,
                                               int before, int after)
{
    // The same order as history(): the window is taken by local id, shown by seq.
    QSqlQuery query(m_connection.database());
    if (!run(query, QStringLiteral("SELECT 1 FROM messages WHERE id = ? AND conversation = ?"),
             {localId, conversation}) ||
        !query.next()) {
        return {};
    }
    query.finish();
    query.prepare(
        QStringLiteral("SELECT * FROM (SELECT * FROM (SELECT %1 FROM messages WHERE "
                       "conversation = ? AND id <= ? ORDER BY id DESC LIMIT ?) UNION ALL "
                       "SELECT * FROM (SELECT %1 FROM messages WHERE conversation = ? AND id > ? "
                       "ORDER BY id LIMIT ?)) ORDER BY COALESCE(seq, 9223372036854775807), id")
            .arg(QLatin1String(Columns)));
    query.addBindValue(conversation);
    query.addBindValue(localId);
    query.addBindValue(std::max(before, 0) + 1);
    query.addBindValue(conversation);
    query.addBindValue(localId);
    query.addBindValue(std::max(after, 0));
    return readAll(query);
}

QList<StoredMessage> LocalStore::messagesSince(qint64 sinceMs)
{
    // What a newly linked device of ours gets: messages that reached the server (ours) or us,
    // never notices, failures or what is still in our outbox.
    QSqlQuery query(m_connection.database());
    query.prepare(QStringLiteral("SELECT %1 FROM messages WHERE status IN (?, ?, ?, ?) AND "
                                 "COALESCE(server_ts, local_ts) >= ? ORDER BY id")
                      .arg(QLatin1String(Columns)));
    for (const StoredMessage::Status status :
         {StoredMessage::Status::Received, StoredMessage::Status::Sent,
          StoredMessage::Status::Delivered, StoredMessage::Status::Read}) {
        query.addBindValue(static_cast<int>(status));
    }
    query.addBindValue(sinceMs);
    return readAll(query);
}

QList<ReceiptPosition> LocalStore::receiptPositions()
{
    QSqlQuery query(m_connection.database());
    QList<ReceiptPosition> result;
    if (!run(query,
             QStringLiteral("SELECT conversation, user, delivered_seq, read_seq FROM receipts"),
             {})) {
        return result;
    }
    while (query.next()) {
        result.append({query.value(0).toString(), query.value(1).toString(),
                       query.value(2).toLongLong(), query.value(3).toLongLong()});
    }
    return result;
}

QList<ConversationSummary> LocalStore::conversations(const QString &self)
{
    QSqlQuery query(m_connection.database());
    QList<ConversationSummary> result;
    // The newest message of each conversation is the one with the highest id; its content
    // only when it has no text (a file without a caption: the preview names the file).
    if (!query.exec(QStringLiteral(
            "SELECT c.conversation, c.last, c.n, l.text, CASE WHEN l.text = '' THEN l.media END "
            "FROM (SELECT conversation, MAX(COALESCE(server_ts, local_ts)) AS last, "
            "COUNT(*) AS n, MAX(id) AS last_id FROM messages GROUP BY conversation) c "
            "JOIN messages l ON l.id = c.last_id ORDER BY c.last DESC"))) {
        m_lastError = query.lastError().text();
        return result;
    }
    while (query.next()) {
        ConversationSummary summary;
        summary.conversation = query.value(0).toString();
        summary.peer = Protocol::directPeer(summary.conversation, self);
        summary.lastTimestamp = query.value(1).toLongLong();
        summary.messageCount = query.value(2).toLongLong();
        summary.lastText = query.value(3).toString();
        summary.lastMedia = query.value(4).toByteArray();
        result.append(summary);
    }
    return result;
}

qint64 LocalStore::messageCount()
{
    QSqlQuery query(m_connection.database());
    if (!query.exec(QStringLiteral("SELECT COUNT(*) FROM messages")) || !query.next()) {
        return -1;
    }
    return query.value(0).toLongLong();
}

bool LocalStore::run(QSqlQuery &query, const QString &sql, const QVariantList &values)
{
    query.prepare(sql);
    for (const QVariant &value : values) {
        query.addBindValue(value);
    }
    if (!query.exec()) {
        m_lastError = query.lastError().text();
        return false;
    }
    return true;
}

bool LocalStore::run(const QString &sql, const QVariantList &values)
{
    QSqlQuery query(m_connection.database());
    return run(query, sql, values);
}

bool LocalStore::queueControl(const OutboxEntry &entry)
{
    return run(
        QStringLiteral("INSERT INTO outbox (client_id, recipient, text, created_at, kind, ref, "
                       "target_device, fresh_session) SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT "
                       "EXISTS (SELECT 1 FROM outbox WHERE kind = ? AND ref = ? AND recipient = ? "
                       "AND target_device = ?)"),
        {entry.clientMessageId, entry.recipient,
         entry.text.isNull() ? QStringLiteral("") : entry.text, entry.createdAt, entry.kind,
         entry.ref, entry.targetDevice, entry.freshSession ? 1 : 0, entry.kind, entry.ref,
         entry.recipient, entry.targetDevice});
}

bool LocalStore::setOutboxPayloads(const QString &clientMessageId, const QByteArray &payloads)
{
    return run(QStringLiteral("UPDATE outbox SET payloads = ? WHERE client_id = ?"),
               {QString::fromUtf8(payloads), clientMessageId});
}

bool LocalStore::repairIncoming(const StoredMessage &message, bool *changed)
{
    QSqlQuery update(m_connection.database());
    if (!run(update,
             QStringLiteral(
                 "UPDATE messages SET text = ?, status = ?, error = NULL, media = ? WHERE "
                 "sender = ? AND client_id = ? AND status = ?"),
             {message.text, static_cast<int>(message.status),
              message.media.isEmpty() ? QVariant() : QVariant(message.media), message.sender,
              message.clientMessageId, static_cast<int>(StoredMessage::Status::Undecryptable)})) {
        return false;
    }
    if (update.numRowsAffected() > 0) {
        *changed = true;
        return true;
    }
    return insertIncoming(message, changed);
}

QList<StoredMessage> LocalStore::undecryptable()
{
    QSqlQuery query(m_connection.database());
    query.prepare(QStringLiteral("SELECT %1 FROM messages WHERE status = ? ORDER BY id")
                      .arg(QLatin1String(Columns)));
    query.addBindValue(static_cast<int>(StoredMessage::Status::Undecryptable));
    return readAll(query);
}

QByteArray LocalStore::setting(const QString &key)
{
    QSqlQuery query(m_connection.database());
    query.prepare(QStringLiteral("SELECT value FROM settings WHERE key = ?"));
    query.addBindValue(key);
    if (!query.exec() || !query.next()) {
        return {};
    }
    return query.value(0).toByteArray();
}

bool LocalStore::setSetting(const QString &key, const QByteArray &value)
{
    return run(QStringLiteral("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)"),
               {key, value});
}

bool LocalStore::removeSetting(const QString &key)
{
    return run(QStringLiteral("DELETE FROM settings WHERE key = ?"), {key});
}

QStringList LocalStore::settingKeys(const QString &prefix)
{
    QSqlQuery query(m_connection.database());
    QStringList keys;
    if (!run(query, QStringLiteral("SELECT key FROM settings ORDER BY key"), {})) {
        return keys;
    }
    while (query.next()) {
        const QString key = query.value(0).toString();
        if (key.startsWith(prefix)) {
            keys.append(key);
        }
    }
    return keys;
}

ContactTrust LocalStore::trust(const QString &user)
{
    QSqlQuery query(m_connection.database());
    query.prepare(QStringLiteral("SELECT verified, verified_number, confirmation_required FROM "
                                 "contacts WHERE username = ?"));
    query.addBindValue(user);
    ContactTrust trust;
    if (query.exec() && query.next()) {
        trust.verified = query.value(0).toInt() != 0;
        trust.verifiedNumber = query.value(1).toString();
        trust.confirmationRequired = query.value(2).toInt() != 0;
    }
    return trust;
}

QStringList LocalStore::verifiedContacts()
{
    QStringList users;
    QSqlQuery query(m_connection.database());
    if (query.exec(QStringLiteral("SELECT username FROM contacts WHERE verified = 1"))) {
        while (query.next()) {
            users.append(query.value(0).toString());
        }
    }
    return users;
}

bool LocalStore::setVerified(const QString &user, bool verified, const QString &number)
{
    return run(
        QStringLiteral("INSERT OR REPLACE INTO contacts (username, verified, verified_number, "
                       "confirmation_required) VALUES (?, ?, ?, 0)"),
        {user, verified ? 1 : 0, verified ? QVariant(number) : QVariant()});
}

bool LocalStore::safetyNumberChanged(const QString &user, bool *wasVerified)
{
    const ContactTrust before = trust(user);
    *wasVerified = before.verified;
    return run(
        QStringLiteral("INSERT OR REPLACE INTO contacts (username, verified, verified_number, "
                       "confirmation_required) VALUES (?, 0, NULL, ?)"),
        {user, before.verified || before.confirmationRequired ? 1 : 0});
}

bool LocalStore::clearConfirmation(const QString &user)
{
    return run(QStringLiteral("UPDATE contacts SET confirmation_required = 0 WHERE username = ?"),
               {user});
}

bool LocalStore::recordDecryption(const QString &user, qint64 device, bool ok,
                                  const QString &failure)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QSqlQuery insert(m_connection.database());
    insert.prepare(
        QStringLiteral("INSERT OR IGNORE INTO device_status (username, device) VALUES (?, ?)"));
    insert.addBindValue(user);
    insert.addBindValue(device);
    QSqlQuery update(m_connection.database());
    if (ok) {
        update.prepare(QStringLiteral(
            "UPDATE device_status SET last_ok_at = ? WHERE username = ? AND device = ?"));
        update.addBindValue(now);
    } else {
        update.prepare(QStringLiteral("UPDATE device_status SET last_failure_at = ?, "
                                      "last_failure = ?, failures = failures + 1 WHERE "
                                      "username = ? AND device = ?"));
        update.addBindValue(now);
        update.addBindValue(failure);
    }
    update.addBindValue(user);
    update.addBindValue(device);
    if (!insert.exec() || !update.exec()) {
        m_lastError =
            insert.lastError().isValid() ? insert.lastError().text() : update.lastError().text();
        return false;
    }
    return true;
}

QList<DeviceStatus> LocalStore::deviceStatuses(const QString &user)
{
    QSqlQuery query(m_connection.database());
    query.prepare(QStringLiteral("SELECT username, device, last_ok_at, last_failure_at, "
                                 "last_failure, failures FROM device_status WHERE username = ? "
                                 "ORDER BY device"));
    query.addBindValue(user);
    QList<DeviceStatus> result;
    if (!query.exec()) {
        m_lastError = query.lastError().text();
        return result;
    }
    while (query.next()) {
        result.append({query.value(0).toString(), query.value(1).toLongLong(),
                       query.value(2).toLongLong(), query.value(3).toLongLong(),
                       query.value(4).toString(), query.value(5).toLongLong()});
    }
    return result;
}

// ---- groups ----

bool LocalStore::saveGroup(const GroupInfo &group)
{
    if (!run(QStringLiteral("INSERT OR REPLACE INTO groups (id, name, epoch, member, updated_at) "
                            "VALUES (?, ?, ?, ?, ?)"),
             {group.id, group.name.isNull() ? QStringLiteral("") : group.name, group.epoch,
              group.member ? 1 : 0, QDateTime::currentMSecsSinceEpoch()}) ||
        !run(QStringLiteral("DELETE FROM group_members WHERE group_id = ?"), {group.id}) ||
        !run(QStringLiteral("DELETE FROM group_devices WHERE group_id = ?"), {group.id})) {
        return false;
    }
    for (const GroupMemberInfo &member : group.members) {
        if (!run(
                QStringLiteral("INSERT INTO group_members (group_id, user, role) VALUES (?, ?, ?)"),
                {group.id, member.user,
                 member.admin ? QStringLiteral("admin") : QStringLiteral("member")})) {
            return false;
        }
        for (const qint64 device : member.devices) {
            if (!run(QStringLiteral("INSERT OR REPLACE INTO group_devices (group_id, user, "
                                    "device) VALUES (?, ?, ?)"),
                     {group.id, member.user, device})) {
                return false;
            }
        }
    }
    return true;
}

std::optional<GroupInfo> LocalStore::group(const QString &groupId)
{
    QSqlQuery query(m_connection.database());
    if (!run(query, QStringLiteral("SELECT name, epoch, member FROM groups WHERE id = ?"),
             {groupId}) ||
        !query.next()) {
        return std::nullopt;
    }
    GroupInfo group;
    group.id = groupId;
    group.name = query.value(0).toString();
    group.epoch = query.value(1).toLongLong();
    group.member = query.value(2).toBool();
    query.finish();
    if (!run(query,
             QStringLiteral("SELECT m.user, m.role, d.device FROM group_members m LEFT JOIN "
                            "group_devices d ON d.group_id = m.group_id AND d.user = m.user "
                            "WHERE m.group_id = ? ORDER BY m.user, d.device"),
             {groupId})) {
        return std::nullopt;
    }
    while (query.next()) {
        const QString user = query.value(0).toString();
        if (group.members.isEmpty() || group.members.last().user != user) {
            group.members.append({user, query.value(1).toString() == QLatin1String("admin"), {}});
        }
        if (!query.value(2).isNull()) {
            group.members.last().devices.append(query.value(2).toLongLong());
        }
    }
    return group;
}

QStringList LocalStore::groupIds()
{
    QSqlQuery query(m_connection.database());
    QStringList ids;
    if (run(query, QStringLiteral("SELECT id FROM groups ORDER BY name, id"), {})) {
        while (query.next()) {
            ids.append(query.value(0).toString());
        }
    }
    return ids;
}

bool LocalStore::setGroupName(const QString &groupId, const QString &name)
{
    return run(QStringLiteral("UPDATE groups SET name = ? WHERE id = ?"), {name, groupId});
}

bool LocalStore::setGroupMembership(const QString &groupId, bool member)
{
    return run(QStringLiteral("UPDATE groups SET member = ?, epoch = 0 WHERE id = ?"),
               {member ? 1 : 0, groupId});
}

bool LocalStore::markGroupStale(const QString &groupId)
{
    return run(QStringLiteral("UPDATE groups SET epoch = 0 WHERE id = ?"), {groupId});
}

bool LocalStore::setGroupMembers(const QString &groupId, const QStringList &users, bool present,
                                 const QString &role)
{
    for (const QString &user : users) {
        const bool ok =
            present
                ? run(QStringLiteral("INSERT OR REPLACE INTO group_members (group_id, user, role) "
                                     "VALUES (?, ?, ?)"),
                      {groupId, user, role})
                : run(QStringLiteral("DELETE FROM group_members WHERE group_id = ? AND user = ?"),
                      {groupId, user}) &&
                      run(QStringLiteral(
                              "DELETE FROM group_devices WHERE group_id = ? AND user = ?"),
                          {groupId, user});
        if (!ok) {
            return false;
        }
    }
    return true;
}

bool LocalStore::isGroupMember(const QString &groupId, const QString &user)
{
    QSqlQuery query(m_connection.database());
    return run(query, QStringLiteral("SELECT 1 FROM group_members WHERE group_id = ? AND user = ?"),
               {groupId, user}) &&
           query.next();
}

QList<QPair<QString, qint64>> LocalStore::groupKeyHolders(const QString &groupId)
{
    QSqlQuery query(m_connection.database());
    QList<QPair<QString, qint64>> holders;
    if (run(query,
            QStringLiteral("SELECT user, device FROM group_key_holders WHERE group_id = ? "
                           "ORDER BY device"),
            {groupId})) {
        while (query.next()) {
            holders.append({query.value(0).toString(), query.value(1).toLongLong()});
        }
    }
    return holders;
}

bool LocalStore::addGroupKeyHolders(const QString &groupId,
                                    const QList<QPair<QString, qint64>> &devices)
{
    for (const auto &[user, device] : devices) {
        if (!run(QStringLiteral("INSERT OR REPLACE INTO group_key_holders (group_id, user, "
                                "device) VALUES (?, ?, ?)"),
                 {groupId, user, device})) {
            return false;
        }
    }
    return true;
}

bool LocalStore::removeGroupKeyHolders(const QString &groupId, qint64 device)
{
    return device == 0
               ? run(QStringLiteral("DELETE FROM group_key_holders WHERE group_id = ?"), {groupId})
               : run(QStringLiteral(
                         "DELETE FROM group_key_holders WHERE group_id = ? AND device = ?"),
                     {groupId, device});
}

// ---- receipts ----

bool LocalStore::applyReceipt(const QString &conversation, const QString &user, qint64 delivered,
                              qint64 read, bool *changed)
{
    const auto [oldDelivered, oldRead] = receipt(conversation, user);
    const qint64 newRead = std::max(oldRead, read);
    const qint64 newDelivered = std::max({oldDelivered, delivered, newRead});
    *changed = newRead != oldRead || newDelivered != oldDelivered;
    if (!*changed) {
        return true;
    }
    return run(QStringLiteral("INSERT OR REPLACE INTO receipts (conversation, user, "
                              "delivered_seq, read_seq) VALUES (?, ?, ?, ?)"),
               {conversation, user, newDelivered, newRead});
}

QPair<qint64, qint64> LocalStore::receipt(const QString &conversation, const QString &user)
{
    QSqlQuery query(m_connection.database());
    if (run(query,
            QStringLiteral("SELECT delivered_seq, read_seq FROM receipts WHERE conversation = ? "
                           "AND user = ?"),
            {conversation, user}) &&
        query.next()) {
        return {query.value(0).toLongLong(), query.value(1).toLongLong()};
    }
    return {0, 0};
}

QList<QPair<QString, StoredMessage::Status>>
LocalStore::updateReceiptStatuses(const QString &conversation, const QStringList &others)
{
    QList<QPair<QString, StoredMessage::Status>> changed;
    if (others.isEmpty()) {
        return changed;
    }
    qint64 minDelivered = std::numeric_limits<qint64>::max();
    qint64 minRead = std::numeric_limits<qint64>::max();
    for (const QString &user : others) {
        const auto [delivered, read] = receipt(conversation, user);
        minDelivered = std::min(minDelivered, delivered);
        minRead = std::min(minRead, read);
    }
    using Status = StoredMessage::Status;
    QSqlQuery query(m_connection.database());
    if (!run(query,
             QStringLiteral("SELECT client_id, seq, status FROM messages WHERE conversation = ? "
                            "AND outgoing = 1 AND seq IS NOT NULL AND seq > 0 AND seq <= ? AND "
                            "status IN (?, ?)"),
             {conversation, minDelivered, static_cast<int>(Status::Sent),
              static_cast<int>(Status::Delivered)})) {
        return changed;
    }
    while (query.next()) {
        const qint64 seq = query.value(1).toLongLong();
        const Status now = static_cast<Status>(query.value(2).toInt());
        const Status next = seq <= minRead ? Status::Read : Status::Delivered;
        if (next != now) {
            changed.append({query.value(0).toString(), next});
        }
    }
    query.finish();
    for (const auto &[id, status] : std::as_const(changed)) {
        run(QStringLiteral("UPDATE messages SET status = ? WHERE outgoing = 1 AND client_id = ?"),
            {static_cast<int>(status), id});
    }
    return changed;
}

ReceiptSummary LocalStore::receiptSummary(const QString &conversation, qint64 seq,
                                          const QStringList &others)
{
    ReceiptSummary summary;
    summary.total = static_cast<int>(others.size());
    for (const QString &user : others) {
        const auto [delivered, read] = receipt(conversation, user);
        if (seq > 0 && delivered >= seq) {
            summary.deliveredTo.append(user);
        }
        if (seq > 0 && read >= seq) {
            summary.readBy.append(user);
        }
    }
    return summary;
}

qint64 LocalStore::lastSeq(const QString &conversation)
{
    QSqlQuery query(m_connection.database());
    if (run(query, QStringLiteral("SELECT MAX(seq) FROM messages WHERE conversation = ?"),
            {conversation}) &&
        query.next()) {
        return query.value(0).toLongLong();
    }
    return 0;
}

int LocalStore::unreadCount(const QString &conversation, const QString &self)
{
    const qint64 read = receipt(conversation, self).second;
    QSqlQuery query(m_connection.database());
    if (run(query,
            QStringLiteral("SELECT COUNT(*) FROM messages WHERE conversation = ? AND outgoing = 0 "
                           "AND status <> ? AND seq > ?"),
            {conversation, static_cast<int>(StoredMessage::Status::System), read}) &&
        query.next()) {
        return query.value(0).toInt();
    }
    return 0;
}

} // namespace Tincan::Client
