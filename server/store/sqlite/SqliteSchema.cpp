#include "server/store/sqlite/SqliteSchema.h"

namespace Tincan::Server {

Storage::Migrations serverMigrations()
{
    return Storage::Migrations({
        {1,
         {
             QStringLiteral("CREATE TABLE users ("
                            " id INTEGER PRIMARY KEY,"
                            " username TEXT NOT NULL UNIQUE,"
                            " password_hash TEXT NOT NULL,"
                            " created_at INTEGER NOT NULL)"),
             QStringLiteral("CREATE TABLE devices ("
                            " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                            " user_id INTEGER NOT NULL REFERENCES users(id),"
                            " name TEXT NOT NULL,"
                            " token_hash BLOB NOT NULL UNIQUE,"
                            " created_at INTEGER NOT NULL,"
                            " last_seen INTEGER NOT NULL,"
                            " revoked_at INTEGER)"),
             QStringLiteral("CREATE INDEX devices_active ON devices(user_id) "
                            "WHERE revoked_at IS NULL"),
             QStringLiteral("CREATE TABLE invites ("
                            " code_hash BLOB PRIMARY KEY,"
                            " created_at INTEGER NOT NULL,"
                            " expires_at INTEGER NOT NULL,"
                            " used_by INTEGER REFERENCES users(id))"),
             QStringLiteral("CREATE TABLE conversations ("
                            " id TEXT PRIMARY KEY,"
                            " last_seq INTEGER NOT NULL)"),
             QStringLiteral("CREATE TABLE messages ("
                            " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                            " sender_user INTEGER NOT NULL,"
                            " sender_name TEXT NOT NULL,"
                            " sender_device INTEGER NOT NULL,"
                            " client_id TEXT NOT NULL,"
                            " conversation TEXT NOT NULL,"
                            " seq INTEGER NOT NULL,"
                            " recipient TEXT NOT NULL,"
                            " server_ts INTEGER NOT NULL,"
                            " UNIQUE (sender_user, client_id))"),
             QStringLiteral("CREATE INDEX messages_ts ON messages(server_ts)"),
             QStringLiteral("CREATE TABLE inbox ("
                            " device_id INTEGER NOT NULL,"
                            " message_id INTEGER NOT NULL,"
                            " payload BLOB NOT NULL,"
                            " stored_at INTEGER NOT NULL,"
                            " PRIMARY KEY (device_id, message_id)) WITHOUT ROWID"),
             QStringLiteral("CREATE INDEX inbox_stored ON inbox(stored_at)"),
         }},
        // The Signal-protocol key directory: each device's public identity key, registration id
        // and signed prekey, and its one-time prekeys (each handed out once, then deleted).
        {2,
         {
             QStringLiteral("ALTER TABLE devices ADD COLUMN identity_key BLOB"),
             QStringLiteral("ALTER TABLE devices ADD COLUMN registration_id INTEGER"),
             QStringLiteral("ALTER TABLE devices ADD COLUMN signed_prekey_id INTEGER"),
             QStringLiteral("ALTER TABLE devices ADD COLUMN signed_prekey BLOB"),
             QStringLiteral("ALTER TABLE devices ADD COLUMN signed_prekey_signature BLOB"),
             QStringLiteral("ALTER TABLE devices ADD COLUMN signed_prekey_at INTEGER"),
             QStringLiteral("CREATE TABLE one_time_prekeys ("
                            " device_id INTEGER NOT NULL,"
                            " key_id INTEGER NOT NULL,"
                            " public_key BLOB NOT NULL,"
                            " PRIMARY KEY (device_id, key_id)) WITHOUT ROWID"),
         }},
        // Version 3 is the groups schema (on its own branch); presence does not depend on it.
        // Presence: the privacy switch, and who has exchanged a direct message with whom (kept
        // apart from `messages`, which retention purges). Pairs are stored once, user_a < user_b.
        {4,
         {
             QStringLiteral("ALTER TABLE users ADD COLUMN show_presence INTEGER NOT NULL "
                            "DEFAULT 1"),
             QStringLiteral("CREATE TABLE dm_peers ("
                            " user_a INTEGER NOT NULL,"
                            " user_b INTEGER NOT NULL,"
                            " PRIMARY KEY (user_a, user_b)) WITHOUT ROWID"),
             QStringLiteral("CREATE INDEX dm_peers_b ON dm_peers(user_b, user_a)"),
             QStringLiteral("INSERT OR IGNORE INTO dm_peers (user_a, user_b) "
                            "SELECT MIN(m.sender_user, r.id), MAX(m.sender_user, r.id) "
                            "FROM messages m JOIN users r ON r.username = m.recipient "
                            "WHERE m.conversation LIKE 'dm:%' AND m.sender_user <> r.id"),
         }},
    });
}

} // namespace Tincan::Server
