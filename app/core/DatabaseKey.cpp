#include "app/core/DatabaseKey.h"

#include <argon2.h>
#include <openssl/rand.h>
// SQLCipher's header (pkg-config puts /usr/include/sqlcipher first); SQLITE_HAS_CODEC is defined
// by the build so that sqlite3_key_v2 is declared.
#include <sqlite3.h>

#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace Tincan::Client::DatabaseKey {

namespace {

QByteArray random(int size)
{
    QByteArray bytes(size, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char *>(bytes.data()), size) != 1) {
        return {};
    }
    return bytes;
}

} // namespace

QByteArray randomKey()
{
    return random(KeySize);
}

QByteArray randomSalt()
{
    return random(SaltSize);
}

QByteArray deriveFromPassphrase(const QString &passphrase, const QByteArray &salt)
{
    QByteArray secret = passphrase.toUtf8();
    QByteArray key(KeySize, '\0');
    const int rc =
        argon2id_hash_raw(3, 64 * 1024, 1, secret.constData(), static_cast<size_t>(secret.size()),
                          salt.constData(), static_cast<size_t>(salt.size()), key.data(), KeySize);
    secret.fill('\0');
    if (rc != ARGON2_OK) {
        return {};
    }
    return key;
}

QString cipherVersion(QSqlDatabase &database)
{
    QSqlQuery query(database);
    if (!query.exec(QStringLiteral("PRAGMA cipher_version")) || !query.next()) {
        return {};
    }
    return query.value(0).toString();
}

bool apply(QSqlDatabase &database, const QByteArray &key, QString *error)
{
    if (key.size() != KeySize) {
        *error = QStringLiteral("The database key has the wrong size.");
        return false;
    }
    const QVariant handle = database.driver()->handle();
    sqlite3 *db = handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0
                      ? *static_cast<sqlite3 *const *>(handle.data())
                      : nullptr;
    if (!db) {
        *error = QStringLiteral("The database handle is not an SQLite one.");
        return false;
    }
    if (cipherVersion(database).isEmpty()) {
        *error = QStringLiteral("The client database engine is not SQLCipher: refusing to keep "
                                "messages unencrypted on disk.");
        return false;
    }
    // A raw key ("x'...'") skips SQLCipher's own PBKDF2: the key is already random or Argon2id.
    QByteArray raw = QByteArrayLiteral("x'") + key.toHex() + QByteArrayLiteral("'");
    const int rc = sqlite3_key_v2(db, "main", raw.constData(), static_cast<int>(raw.size()));
    raw.fill('\0');
    if (rc != SQLITE_OK) {
        *error = QStringLiteral("SQLCipher refused the key (%1).").arg(rc);
        return false;
    }
    // A wrong key only shows at the first real read.
    QSqlQuery probe(database);
    if (!probe.exec(QStringLiteral("SELECT count(*) FROM sqlite_master")) || !probe.next()) {
        *error = QStringLiteral("The database key does not open this database (wrong "
                                "passphrase, or the file is damaged or not a Tincan database).");
        return false;
    }
    return true;
}

} // namespace Tincan::Client::DatabaseKey
