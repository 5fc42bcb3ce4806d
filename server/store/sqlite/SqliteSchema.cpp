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
        // Groups. A group message is stored once (messages.payload: the sender-key ciphertext),
        // with pairwise sender-key payloads for some devices (message_keys), and fanned out from
        // a durable queue (fanout_jobs): on write (inbox rows) or, for big groups, on read (each
        // device reads the group log past its cursor). Membership is kept with the seqs at
        // which it began and ended, so fan-out reaches exactly the members of a message's time.
        {3,
         {
             QStringLiteral("CREATE TABLE groups ("
                            " id TEXT PRIMARY KEY,"
                            " name TEXT NOT NULL,"
                            " created_by INTEGER NOT NULL REFERENCES users(id),"
                            " created_at INTEGER NOT NULL,"
                            " epoch INTEGER NOT NULL)"),
             QStringLiteral("CREATE TABLE group_members ("
                            " group_id TEXT NOT NULL,"
                            " user_id INTEGER NOT NULL,"
                            " role INTEGER NOT NULL,"
                            " joined_at INTEGER NOT NULL,"
                            " joined_seq INTEGER NOT NULL,"
                            " left_seq INTEGER,"
                            " PRIMARY KEY (group_id, user_id)) WITHOUT ROWID"),
             QStringLiteral("CREATE INDEX group_members_user ON group_members(user_id)"),
             QStringLiteral("ALTER TABLE messages ADD COLUMN payload BLOB"),
             QStringLiteral("ALTER TABLE messages ADD COLUMN event TEXT"),
             QStringLiteral("ALTER TABLE messages ADD COLUMN fanout INTEGER NOT NULL DEFAULT 0"),
             QStringLiteral("CREATE INDEX messages_group_log ON messages(conversation, id) "
                            "WHERE fanout = 2"),
             QStringLiteral("CREATE TABLE message_keys ("
                            " message_id INTEGER NOT NULL,"
                            " device_id INTEGER NOT NULL,"
                            " payload BLOB NOT NULL,"
                            " PRIMARY KEY (message_id, device_id)) WITHOUT ROWID"),
             QStringLiteral("CREATE TABLE fanout_jobs ("
                            " message_id INTEGER PRIMARY KEY,"
                            " after_device INTEGER NOT NULL DEFAULT 0)"),
             QStringLiteral("CREATE TABLE group_cursors ("
                            " device_id INTEGER NOT NULL,"
                            " conversation TEXT NOT NULL,"
                            " after_id INTEGER NOT NULL,"
                            " until_id INTEGER,"
                            " PRIMARY KEY (device_id, conversation)) WITHOUT ROWID"),
         }},
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
        // Receipts: how far each participant of a conversation got (delivered to one of their
        // devices, read), in seqs of the conversation.
        {5,
         {
             QStringLiteral("CREATE TABLE receipt_state ("
                            " conversation TEXT NOT NULL,"
                            " user_id INTEGER NOT NULL,"
                            " delivered_seq INTEGER NOT NULL,"
                            " read_seq INTEGER NOT NULL,"
                            " updated_at INTEGER NOT NULL,"
                            " PRIMARY KEY (conversation, user_id)) WITHOUT ROWID"),
             QStringLiteral("CREATE INDEX receipt_state_updated ON receipt_state(updated_at)"),
             QStringLiteral(
                 "CREATE INDEX messages_conversation_seq ON messages(conversation, seq)"),
         }},
        // Inbox entries get their place in write order (`slot`): group fan-out writes entries
        // for messages stored before later direct messages, so message ids no longer give the
        // order in which a device's entries became available.
        {6,
         {
             QStringLiteral("CREATE TABLE inbox_v6 ("
                            " slot INTEGER PRIMARY KEY AUTOINCREMENT,"
                            " device_id INTEGER NOT NULL,"
                            " message_id INTEGER NOT NULL,"
                            " payload BLOB NOT NULL,"
                            " stored_at INTEGER NOT NULL,"
                            " UNIQUE (device_id, message_id))"),
             QStringLiteral("INSERT INTO inbox_v6 (device_id, message_id, payload, stored_at) "
                            "SELECT device_id, message_id, payload, stored_at FROM inbox "
                            "ORDER BY message_id, device_id"),
             QStringLiteral("DROP TABLE inbox"),
             QStringLiteral("ALTER TABLE inbox_v6 RENAME TO inbox"),
             QStringLiteral("CREATE INDEX inbox_device_slot ON inbox(device_id, slot)"),
             QStringLiteral("CREATE INDEX inbox_stored ON inbox(stored_at)"),
         }},
        // The read-receipts switch (privacy).
        {7,
         {
             QStringLiteral(
                 "ALTER TABLE users ADD COLUMN read_receipts INTEGER NOT NULL DEFAULT 1"),
         }},
        // Device linking: the platform a device runs on, links and their history transfers.
        {8,
         {
             QStringLiteral("ALTER TABLE devices ADD COLUMN platform TEXT NOT NULL DEFAULT ''"),
             QStringLiteral("CREATE TABLE device_links ("
                            " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                            " user_id INTEGER NOT NULL REFERENCES users(id),"
                            " created_by INTEGER NOT NULL,"
                            " code_hash BLOB NOT NULL UNIQUE,"
                            " created_at INTEGER NOT NULL,"
                            " expires_at INTEGER NOT NULL,"
                            " state TEXT NOT NULL,"
                            " device_name TEXT,"
                            " platform TEXT,"
                            " identity_key BLOB,"
                            " key_proof BLOB,"
                            " keys_json BLOB,"
                            " secret_hash BLOB,"
                            " device_id INTEGER,"
                            " linked_at INTEGER,"
                            " history_wanted INTEGER,"
                            " history_parts INTEGER NOT NULL DEFAULT 0)"),
             QStringLiteral("CREATE INDEX device_links_user ON device_links(user_id)"),
             QStringLiteral("CREATE TABLE link_history ("
                            " link_id INTEGER NOT NULL,"
                            " part INTEGER NOT NULL,"
                            " data BLOB NOT NULL,"
                            " PRIMARY KEY (link_id, part))"),
         }},
        // Media (ciphertext blobs on the filesystem, content-addressed) and the conversations
        // whose participants may download them.
        {9,
         {
             QStringLiteral("CREATE TABLE media ("
                            " id TEXT PRIMARY KEY,"
                            " owner_user INTEGER NOT NULL,"
                            " owner_device INTEGER NOT NULL,"
                            " size INTEGER NOT NULL,"
                            " state TEXT NOT NULL,"
                            " sha256 BLOB,"
                            " created_at INTEGER NOT NULL,"
                            " completed_at INTEGER) WITHOUT ROWID"),
             QStringLiteral("CREATE INDEX media_sha256 ON media(sha256)"),
             QStringLiteral("CREATE INDEX media_created ON media(created_at)"),
             QStringLiteral("CREATE TABLE media_refs ("
                            " media_id TEXT NOT NULL,"
                            " conversation TEXT NOT NULL,"
                            " attached_at INTEGER NOT NULL,"
                            " PRIMARY KEY (media_id, conversation)) WITHOUT ROWID"),
             QStringLiteral("CREATE INDEX media_refs_attached ON media_refs(attached_at)"),
         }},
    });
}

} // namespace Tincan::Server
