#pragma once

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>

namespace Tincan::Client {

//! The client database is SQLCipher, keyed with a random 256-bit key (kept in the keychain) or
//! with a key derived from a passphrase (Argon2id) when there is no keychain.
namespace DatabaseKey {

constexpr int KeySize = 32;
constexpr int SaltSize = 16;

QByteArray randomKey();
QByteArray randomSalt();
//! Argon2id (t=3, m=64 MiB, p=1) of the passphrase; empty on failure.
QByteArray deriveFromPassphrase(const QString &passphrase, const QByteArray &salt);

//! Keys a freshly opened connection (before any other statement), then proves that SQLCipher is
//! really in use and that the key opens the file. Refuses an unencrypted engine: a database that
//! would silently stay plaintext.
bool apply(QSqlDatabase &database, const QByteArray &key, QString *error);

//! The SQLCipher version behind Qt's SQLite driver in this process, or empty when the driver
//! runs on plain SQLite.
QString cipherVersion(QSqlDatabase &database);

} // namespace DatabaseKey

} // namespace Tincan::Client
