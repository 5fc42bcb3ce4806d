#include "shared/crypto/SignalStore.h"

#include <signal/signal_protocol.h>

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace Tincan::Crypto {

namespace {

QString nameOf(const char *name, size_t length)
{
    return QString::fromUtf8(name, static_cast<qsizetype>(length));
}

QString nameOf(const signal_protocol_address *address)
{
    return nameOf(address->name, address->name_len);
}

QByteArray bytes(const uint8_t *data, size_t length)
{
    return QByteArray(reinterpret_cast<const char *>(data), static_cast<qsizetype>(length));
}

signal_buffer *toBuffer(const QByteArray &data)
{
    return signal_buffer_create(reinterpret_cast<const uint8_t *>(data.constData()),
                                static_cast<size_t>(data.size()));
}

} // namespace

struct StoreCallbacks
{
    static SignalStore *self(void *userData) { return static_cast<SignalStore *>(userData); }

    //! Runs a statement; false (with lastError) on failure.
    static bool run(SignalStore *store, QSqlQuery &query)
    {
        if (!query.exec()) {
            store->m_lastError = query.lastError().text();
            return false;
        }
        return true;
    }

    //! The store's prepared statement for `sql`, prepared once: every encrypt and decrypt runs
    //! three or four of these, and parsing SQL each time was a third of their cost.
    static QSqlQuery &prepare(SignalStore *store, const QString &sql)
    {
        auto it = store->m_statements.find(sql);
        if (it == store->m_statements.end()) {
            QSqlQuery query(store->m_database);
            query.prepare(sql);
            it = store->m_statements.insert(sql, query);
        }
        it->finish(); // Releases what the last run read.
        return *it;
    }

    //! The prepared statement for `sql`, its first two parameters bound to (name, device).
    static QSqlQuery &forAddress(SignalStore *store, const QString &sql,
                                 const signal_protocol_address *address)
    {
        QSqlQuery &query = prepare(store, sql);
        query.addBindValue(nameOf(address));
        query.addBindValue(address->device_id);
        return query;
    }

    //! Resets a reading statement when the callback returns, so that no read snapshot lingers.
    struct Finish
    {
        QSqlQuery &query;
        ~Finish() { query.finish(); }
    };

    // ---- sessions: load_session returns 1 found / 0 not found / negative on failure ----

    //! Hands a found row's record and optional user record to libsignal: 1 found, 0 not.
    static int giveRecords(QSqlQuery &query, signal_buffer **record, signal_buffer **userRecord)
    {
        if (!query.next()) {
            return 0;
        }
        *record = toBuffer(query.value(0).toByteArray());
        const QByteArray user = query.value(1).toByteArray();
        if (!user.isEmpty()) {
            *userRecord = toBuffer(user);
        }
        return *record && (user.isEmpty() || *userRecord) ? 1 : SG_ERR_NOMEM;
    }

    static int loadSession(signal_buffer **record, signal_buffer **userRecord,
                           const signal_protocol_address *address, void *userData)
    {
        SignalStore *store = self(userData);
        QSqlQuery &query = forAddress(store,
                                      QStringLiteral("SELECT record, user_record FROM "
                                                     "crypto_sessions WHERE name = ? AND "
                                                     "device = ?"),
                                      address);
        const Finish finish{query};
        return run(store, query) ? giveRecords(query, record, userRecord) : SG_ERR_UNKNOWN;
    }

    static int subDeviceSessions(signal_int_list **sessions, const char *name, size_t nameLen,
                                 void *userData)
    {
        SignalStore *store = self(userData);
        bool ok = false;
        const QList<int> devices = store->sessionDevices(nameOf(name, nameLen), &ok);
        if (!ok) {
            return SG_ERR_UNKNOWN;
        }
        signal_int_list *list = signal_int_list_alloc();
        if (!list) {
            return SG_ERR_NOMEM;
        }
        for (const int device : devices) {
            signal_int_list_push_back(list, device);
        }
        *sessions = list;
        return static_cast<int>(devices.size());
    }

    static int storeSession(const signal_protocol_address *address, uint8_t *record,
                            size_t recordLen, uint8_t *userRecord, size_t userRecordLen,
                            void *userData)
    {
        SignalStore *store = self(userData);
        QSqlQuery &query = forAddress(store,
                                      QStringLiteral("INSERT OR REPLACE INTO crypto_sessions "
                                                     "(name, device, record, user_record) "
                                                     "VALUES (?, ?, ?, ?)"),
                                      address);
        query.addBindValue(bytes(record, recordLen));
        query.addBindValue(userRecord ? bytes(userRecord, userRecordLen) : QByteArray());
        return run(store, query) ? 0 : SG_ERR_UNKNOWN;
    }

    static int containsSession(const signal_protocol_address *address, void *userData)
    {
        SignalStore *store = self(userData);
        QSqlQuery &query = forAddress(
            store, QStringLiteral("SELECT 1 FROM crypto_sessions WHERE name = ? AND device = ?"),
            address);
        const Finish finish{query};
        return run(store, query) && query.next() ? 1 : 0;
    }

    static int deleteSession(const signal_protocol_address *address, void *userData)
    {
        SignalStore *store = self(userData);
        QSqlQuery &query = forAddress(
            store, QStringLiteral("DELETE FROM crypto_sessions WHERE name = ? AND device = ?"),
            address);
        if (!run(store, query)) {
            return SG_ERR_UNKNOWN;
        }
        return query.numRowsAffected() > 0 ? 1 : 0;
    }

    static int deleteAllSessions(const char *name, size_t nameLen, void *userData)
    {
        SignalStore *store = self(userData);
        QSqlQuery &query =
            prepare(store, QStringLiteral("DELETE FROM crypto_sessions WHERE name = ?"));
        query.addBindValue(nameOf(name, nameLen));
        return run(store, query) ? query.numRowsAffected() : SG_ERR_UNKNOWN;
    }

    // ---- pre-keys: loaders return SG_SUCCESS or SG_ERR_INVALID_KEY_ID ----

    static int loadRecord(const QString &table, signal_buffer **record, uint32_t id, void *userData)
    {
        SignalStore *store = self(userData);
        QSqlQuery &query =
            prepare(store, QStringLiteral("SELECT record FROM %1 WHERE id = ?").arg(table));
        query.addBindValue(static_cast<qint64>(id));
        const Finish finish{query};
        if (!run(store, query)) {
            return SG_ERR_UNKNOWN;
        }
        if (!query.next()) {
            return SG_ERR_INVALID_KEY_ID;
        }
        *record = toBuffer(query.value(0).toByteArray());
        return *record ? SG_SUCCESS : SG_ERR_NOMEM;
    }

    static int containsRecord(const QString &table, uint32_t id, void *userData)
    {
        SignalStore *store = self(userData);
        QSqlQuery &query =
            prepare(store, QStringLiteral("SELECT 1 FROM %1 WHERE id = ?").arg(table));
        query.addBindValue(static_cast<qint64>(id));
        const Finish finish{query};
        return run(store, query) && query.next() ? 1 : 0;
    }

    static int removeRecord(const QString &table, uint32_t id, void *userData)
    {
        SignalStore *store = self(userData);
        QSqlQuery &query = prepare(store, QStringLiteral("DELETE FROM %1 WHERE id = ?").arg(table));
        query.addBindValue(static_cast<qint64>(id));
        return run(store, query) ? 0 : SG_ERR_UNKNOWN;
    }

    static int loadPreKey(signal_buffer **record, uint32_t id, void *userData)
    {
        return loadRecord(QStringLiteral("crypto_prekeys"), record, id, userData);
    }
    static int storePreKey(uint32_t id, uint8_t *record, size_t len, void *userData)
    {
        return self(userData)->storePreKey(id, bytes(record, len)) ? 0 : SG_ERR_UNKNOWN;
    }
    static int containsPreKey(uint32_t id, void *userData)
    {
        return containsRecord(QStringLiteral("crypto_prekeys"), id, userData);
    }
    static int removePreKey(uint32_t id, void *userData)
    {
        return removeRecord(QStringLiteral("crypto_prekeys"), id, userData);
    }

    static int loadSignedPreKey(signal_buffer **record, uint32_t id, void *userData)
    {
        return loadRecord(QStringLiteral("crypto_signed_prekeys"), record, id, userData);
    }
    static int storeSignedPreKey(uint32_t id, uint8_t *record, size_t len, void *userData)
    {
        return self(userData)->storeSignedPreKey(id, bytes(record, len),
                                                 QDateTime::currentMSecsSinceEpoch())
                   ? 0
                   : SG_ERR_UNKNOWN;
    }
    static int containsSignedPreKey(uint32_t id, void *userData)
    {
        return containsRecord(QStringLiteral("crypto_signed_prekeys"), id, userData);
    }
    static int removeSignedPreKey(uint32_t id, void *userData)
    {
        return removeRecord(QStringLiteral("crypto_signed_prekeys"), id, userData);
    }

    // ---- identity: 0 on success, negative on failure; is_trusted 1/0 ----

    static int identityKeyPair(signal_buffer **publicData, signal_buffer **privateData,
                               void *userData)
    {
        SignalStore *store = self(userData);
        QSqlQuery &query = prepare(
            store,
            QStringLiteral("SELECT public_key, private_key FROM crypto_identity WHERE id = 1"));
        const Finish finish{query};
        if (!run(store, query)) {
            return SG_ERR_UNKNOWN;
        }
        if (!query.next()) {
            return SG_ERR_INVALID_KEY_ID;
        }
        *publicData = toBuffer(query.value(0).toByteArray());
        *privateData = toBuffer(query.value(1).toByteArray());
        return *publicData && *privateData ? 0 : SG_ERR_NOMEM;
    }

    static int registrationId(void *userData, uint32_t *registrationId)
    {
        SignalStore *store = self(userData);
        QSqlQuery &query = prepare(
            store, QStringLiteral("SELECT registration_id FROM crypto_identity WHERE id = 1"));
        const Finish finish{query};
        if (!run(store, query) || !query.next()) {
            return SG_ERR_UNKNOWN;
        }
        *registrationId = static_cast<uint32_t>(query.value(0).toLongLong());
        return 0;
    }

    static int saveIdentity(const signal_protocol_address *address, uint8_t *keyData, size_t keyLen,
                            void *userData)
    {
        SignalStore *store = self(userData);
        const QString name = nameOf(address);
        const int device = address->device_id;
        if (!keyData) {
            QSqlQuery &remove = prepare(
                store, QStringLiteral("UPDATE crypto_identities SET identity_key = NULL WHERE "
                                      "name = ? AND device = ?"));
            remove.addBindValue(name);
            remove.addBindValue(device);
            return run(store, remove) ? 0 : SG_ERR_UNKNOWN;
        }
        const QByteArray key = bytes(keyData, keyLen);
        const QByteArray previous = store->remoteIdentity(name, device);
        if (previous == key) {
            return 0;
        }
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QSqlQuery &query = prepare(
            store, QStringLiteral("INSERT OR REPLACE INTO crypto_identities (name, device, "
                                  "identity_key, first_seen, changed_at) VALUES (?, ?, ?, "
                                  "COALESCE((SELECT first_seen FROM crypto_identities WHERE "
                                  "name = ? AND device = ?), ?), ?)"));
        query.addBindValue(name);
        query.addBindValue(device);
        query.addBindValue(key);
        query.addBindValue(name);
        query.addBindValue(device);
        query.addBindValue(now);
        query.addBindValue(previous.isEmpty() ? QVariant(QMetaType(QMetaType::LongLong))
                                              : QVariant(now));
        if (!run(store, query)) {
            return SG_ERR_UNKNOWN;
        }
        if (!previous.isEmpty() && store->identityChanged) {
            store->identityChanged(name, device);
        }
        return 0;
    }

    static int isTrustedIdentity(const signal_protocol_address *, uint8_t *, size_t, void *)
    {
        // Accept-and-warn (see the class comment): saveIdentity reports the change.
        return 1;
    }

    // ---- sender keys (groups) ----

    static int storeSenderKey(const signal_protocol_sender_key_name *name, uint8_t *record,
                              size_t recordLen, uint8_t *userRecord, size_t userRecordLen,
                              void *userData)
    {
        SignalStore *store = self(userData);
        QSqlQuery &query = prepare(
            store, QStringLiteral("INSERT OR REPLACE INTO crypto_sender_keys (group_id, name, "
                                  "device, record, user_record) VALUES (?, ?, ?, ?, ?)"));
        query.addBindValue(nameOf(name->group_id, name->group_id_len));
        query.addBindValue(nameOf(&name->sender));
        query.addBindValue(name->sender.device_id);
        query.addBindValue(bytes(record, recordLen));
        query.addBindValue(userRecord ? bytes(userRecord, userRecordLen) : QByteArray());
        return run(store, query) ? 0 : SG_ERR_UNKNOWN;
    }

    static int loadSenderKey(signal_buffer **record, signal_buffer **userRecord,
                             const signal_protocol_sender_key_name *name, void *userData)
    {
        SignalStore *store = self(userData);
        QSqlQuery &query = prepare(
            store, QStringLiteral("SELECT record, user_record FROM crypto_sender_keys WHERE "
                                  "group_id = ? AND name = ? AND device = ?"));
        query.addBindValue(nameOf(name->group_id, name->group_id_len));
        query.addBindValue(nameOf(&name->sender));
        query.addBindValue(name->sender.device_id);
        const Finish finish{query};
        return run(store, query) ? giveRecords(query, record, userRecord) : SG_ERR_UNKNOWN;
    }
};

SignalStore::SignalStore(QSqlDatabase database)
    : m_database(std::move(database))
{}

QStringList SignalStore::schema()
{
    return {
        QStringLiteral("CREATE TABLE crypto_identity ("
                       " id INTEGER PRIMARY KEY CHECK (id = 1),"
                       " public_key BLOB NOT NULL,"
                       " private_key BLOB NOT NULL,"
                       " registration_id INTEGER NOT NULL)"),
        QStringLiteral(
            "CREATE TABLE crypto_prekeys (id INTEGER PRIMARY KEY, record BLOB NOT NULL)"),
        QStringLiteral("CREATE TABLE crypto_signed_prekeys ("
                       " id INTEGER PRIMARY KEY,"
                       " record BLOB NOT NULL,"
                       " created_at INTEGER NOT NULL)"),
        QStringLiteral("CREATE TABLE crypto_sessions ("
                       " name TEXT NOT NULL,"
                       " device INTEGER NOT NULL,"
                       " record BLOB NOT NULL,"
                       " user_record BLOB,"
                       " PRIMARY KEY (name, device))"),
        QStringLiteral("CREATE TABLE crypto_identities ("
                       " name TEXT NOT NULL,"
                       " device INTEGER NOT NULL,"
                       " identity_key BLOB,"
                       " first_seen INTEGER NOT NULL,"
                       " changed_at INTEGER,"
                       " PRIMARY KEY (name, device))"),
        QStringLiteral("CREATE TABLE crypto_sender_keys ("
                       " group_id TEXT NOT NULL,"
                       " name TEXT NOT NULL,"
                       " device INTEGER NOT NULL,"
                       " record BLOB NOT NULL,"
                       " user_record BLOB,"
                       " PRIMARY KEY (group_id, name, device))"),
    };
}

void SignalStore::install(signal_protocol_store_context *context)
{
    using C = StoreCallbacks;
    const signal_protocol_session_store sessions = {
        C::loadSession,   C::subDeviceSessions, C::storeSession, C::containsSession,
        C::deleteSession, C::deleteAllSessions, nullptr,         this};
    const signal_protocol_pre_key_store preKeys = {
        C::loadPreKey, C::storePreKey, C::containsPreKey, C::removePreKey, nullptr, this};
    const signal_protocol_signed_pre_key_store signedPreKeys = {C::loadSignedPreKey,
                                                                C::storeSignedPreKey,
                                                                C::containsSignedPreKey,
                                                                C::removeSignedPreKey,
                                                                nullptr,
                                                                this};
    const signal_protocol_identity_key_store identities = {
        C::identityKeyPair,   C::registrationId, C::saveIdentity,
        C::isTrustedIdentity, nullptr,           this};
    const signal_protocol_sender_key_store senderKeys = {C::storeSenderKey, C::loadSenderKey,
                                                         nullptr, this};
    signal_protocol_store_context_set_session_store(context, &sessions);
    signal_protocol_store_context_set_pre_key_store(context, &preKeys);
    signal_protocol_store_context_set_signed_pre_key_store(context, &signedPreKeys);
    signal_protocol_store_context_set_identity_key_store(context, &identities);
    signal_protocol_store_context_set_sender_key_store(context, &senderKeys);
}

bool SignalStore::hasLocalIdentity()
{
    QSqlQuery query(m_database);
    return query.exec(QStringLiteral("SELECT 1 FROM crypto_identity WHERE id = 1")) && query.next();
}

bool SignalStore::saveLocalIdentity(const QByteArray &publicKey, const QByteArray &privateKey,
                                    quint32 registrationId)
{
    QSqlQuery query(m_database);
    query.prepare(QStringLiteral("INSERT INTO crypto_identity (id, public_key, private_key, "
                                 "registration_id) VALUES (1, ?, ?, ?)"));
    query.addBindValue(publicKey);
    query.addBindValue(privateKey);
    query.addBindValue(static_cast<qint64>(registrationId));
    return StoreCallbacks::run(this, query);
}

QByteArray SignalStore::remoteIdentity(const QString &name, int device)
{
    QSqlQuery query(m_database);
    query.prepare(
        QStringLiteral("SELECT identity_key FROM crypto_identities WHERE name = ? AND device = ?"));
    query.addBindValue(name);
    query.addBindValue(device);
    if (!StoreCallbacks::run(this, query) || !query.next()) {
        return {};
    }
    return query.value(0).toByteArray();
}

QList<int> SignalStore::sessionDevices(const QString &name, bool *ok)
{
    QList<int> devices;
    QSqlQuery query(m_database);
    query.prepare(
        QStringLiteral("SELECT device FROM crypto_sessions WHERE name = ? ORDER BY device"));
    query.addBindValue(name);
    const bool ran = StoreCallbacks::run(this, query);
    if (ok) {
        *ok = ran;
    }
    if (ran) {
        while (query.next()) {
            devices.append(query.value(0).toInt());
        }
    }
    return devices;
}

bool SignalStore::storePreKey(quint32 id, const QByteArray &record)
{
    QSqlQuery query(m_database);
    query.prepare(
        QStringLiteral("INSERT OR REPLACE INTO crypto_prekeys (id, record) VALUES (?, ?)"));
    query.addBindValue(static_cast<qint64>(id));
    query.addBindValue(record);
    return StoreCallbacks::run(this, query);
}

int SignalStore::preKeyCount()
{
    QSqlQuery query(m_database);
    if (!query.exec(QStringLiteral("SELECT COUNT(*) FROM crypto_prekeys")) || !query.next()) {
        return -1;
    }
    return query.value(0).toInt();
}

QList<QPair<quint32, QByteArray>> SignalStore::preKeyRecords()
{
    QList<QPair<quint32, QByteArray>> records;
    QSqlQuery query(m_database);
    if (query.exec(QStringLiteral("SELECT id, record FROM crypto_prekeys ORDER BY id"))) {
        while (query.next()) {
            records.append(
                {static_cast<quint32>(query.value(0).toLongLong()), query.value(1).toByteArray()});
        }
    }
    return records;
}

quint32 SignalStore::maxPreKeyId()
{
    QSqlQuery query(m_database);
    if (!query.exec(QStringLiteral("SELECT MAX(id) FROM crypto_prekeys")) || !query.next()) {
        return 0;
    }
    return static_cast<quint32>(query.value(0).toLongLong());
}

bool SignalStore::storeSignedPreKey(quint32 id, const QByteArray &record, qint64 createdAtMs)
{
    QSqlQuery query(m_database);
    query.prepare(QStringLiteral("INSERT OR REPLACE INTO crypto_signed_prekeys (id, record, "
                                 "created_at) VALUES (?, ?, ?)"));
    query.addBindValue(static_cast<qint64>(id));
    query.addBindValue(record);
    query.addBindValue(createdAtMs);
    return StoreCallbacks::run(this, query);
}

QPair<quint32, qint64> SignalStore::currentSignedPreKey()
{
    QSqlQuery query(m_database);
    if (!query.exec(QStringLiteral("SELECT id, created_at FROM crypto_signed_prekeys ORDER BY "
                                   "created_at DESC, id DESC LIMIT 1")) ||
        !query.next()) {
        return {0, 0};
    }
    return {static_cast<quint32>(query.value(0).toLongLong()), query.value(1).toLongLong()};
}

int SignalStore::removeSignedPreKeysBefore(qint64 cutoffMs)
{
    // A key's grace period starts when a newer one replaced it, not when it was made.
    const quint32 current = currentSignedPreKey().first;
    QSqlQuery query(m_database);
    query.prepare(QStringLiteral(
        "DELETE FROM crypto_signed_prekeys WHERE id <> ? AND EXISTS (SELECT 1 FROM "
        "crypto_signed_prekeys AS newer WHERE (newer.created_at > crypto_signed_prekeys.created_at "
        "OR (newer.created_at = crypto_signed_prekeys.created_at AND newer.id > "
        "crypto_signed_prekeys.id)) AND newer.created_at < ?)"));
    query.addBindValue(static_cast<qint64>(current));
    query.addBindValue(cutoffMs);
    if (!StoreCallbacks::run(this, query)) {
        return -1;
    }
    return query.numRowsAffected();
}

bool SignalStore::hasSenderKey(const QString &groupId, const QString &name, int device)
{
    QSqlQuery query(m_database);
    query.prepare(QStringLiteral(
        "SELECT 1 FROM crypto_sender_keys WHERE group_id = ? AND name = ? AND device = ?"));
    query.addBindValue(groupId);
    query.addBindValue(name);
    query.addBindValue(device);
    return StoreCallbacks::run(this, query) && query.next();
}

bool SignalStore::removeSenderKey(const QString &groupId, const QString &name, int device)
{
    QSqlQuery query(m_database);
    query.prepare(QStringLiteral(
        "DELETE FROM crypto_sender_keys WHERE group_id = ? AND name = ? AND device = ?"));
    query.addBindValue(groupId);
    query.addBindValue(name);
    query.addBindValue(device);
    return StoreCallbacks::run(this, query);
}

QList<SignalStore::SenderKeyRecord> SignalStore::senderKeys(const QString &exceptName,
                                                            int exceptDevice)
{
    QSqlQuery query(m_database);
    query.prepare(QStringLiteral("SELECT group_id, name, device, record FROM crypto_sender_keys "
                                 "WHERE NOT (name = ? AND device = ?) ORDER BY group_id, name, "
                                 "device"));
    query.addBindValue(exceptName);
    query.addBindValue(exceptDevice);
    QList<SenderKeyRecord> keys;
    if (!StoreCallbacks::run(this, query)) {
        return keys;
    }
    while (query.next()) {
        keys.append({query.value(0).toString(), query.value(1).toString(), query.value(2).toInt(),
                     query.value(3).toByteArray()});
    }
    return keys;
}

bool SignalStore::importSenderKey(const SenderKeyRecord &key, bool *added)
{
    QSqlQuery query(m_database);
    query.prepare(QStringLiteral("INSERT INTO crypto_sender_keys (group_id, name, device, record) "
                                 "SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM "
                                 "crypto_sender_keys WHERE group_id = ? AND name = ? AND "
                                 "device = ?)"));
    for (const QVariant &value :
         {QVariant(key.groupId), QVariant(key.name), QVariant(key.device), QVariant(key.record),
          QVariant(key.groupId), QVariant(key.name), QVariant(key.device)}) {
        query.addBindValue(value);
    }
    if (!StoreCallbacks::run(this, query)) {
        return false;
    }
    *added = query.numRowsAffected() == 1;
    return true;
}

} // namespace Tincan::Crypto
