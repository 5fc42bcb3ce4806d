#pragma once

#include "shared/storage/Connection.h"

#include <QList>
#include <QSqlQuery>
#include <QString>
#include <QVariantList>

#include <optional>

namespace Tincan::Client {

//! A message as the client keeps it.
struct StoredMessage
{
    //! Undecryptable: it arrived but could not be decrypted; it is kept with the reason, the
    //! sender's device is asked to resend, and the resend turns it into Received.
    //! System: a notice in the conversation (e.g. a changed safety number), not a message.
    //! Delivered / Read (outgoing only): every other participant's device got it / every other
    //! participant saw it.
    //! Uploading (outgoing only): a file message whose file is still being encrypted and
    //! uploaded; `media` holds its attachment as far as known (no media id or digest yet). It
    //! becomes Pending, and goes to the outbox, when the upload completes.
    enum class Status {
        Pending,
        Sent,
        Failed,
        Received,
        Undecryptable,
        System,
        Delivered,
        Read,
        Uploading
    };

    qint64 localId = 0;
    QString conversation;
    QString sender;
    qint64 senderDevice = 0;
    QString clientMessageId;
    qint64 serverId = 0;
    qint64 seq = 0;
    QString text;
    qint64 serverTimestamp = 0;
    qint64 localTimestamp = 0;
    bool outgoing = false;
    Status status = Status::Pending;
    QString error; //!< Why a message failed or could not be read.
    //! Media messages: the encoded content (Protocol::MessageContent of kind Media, file keys
    //! included); `text` is its caption. Empty for other messages.
    QByteArray media;

    static QString statusName(Status status);
};

//! Something to send. Kind "text" is a user's message (to all of the recipient's devices and
//! our own other devices). "retry" asks one device to resend `ref` (a message we could not
//! decrypt); "resend" sends our message `ref` again to one device; "history" tells our newly
//! linked device `targetDevice` where its history transfer is (`text`: the encoded content,
//! key included; `ref`: the link id). These are control messages: they go to `targetDevice`
//! only and have no row in `messages`.
struct OutboxEntry
{
    QString clientMessageId;
    QString recipient;
    QString text;
    qint64 createdAt = 0;
    int attempts = 0;
    QString kind = QStringLiteral("text");
    QString ref;
    qint64 targetDevice = 0;
    QByteArray payloads;       //!< JSON {device id: base64 ciphertext} already made.
    bool freshSession = false; //!< retry: start a new session with the device first.
};

//! An upload of ours in progress (kept across restarts): `content` is the encoded media
//! message being prepared (its attachment gets the media id and digest on the way), `state`
//! "digest" -> "reserve" -> "upload" -> "send".
struct MediaTransfer
{
    QString id; //!< The client message id the message will have.
    QString recipient;
    QString path;
    QByteArray content;
    QByteArray salt;
    QString uploadUrl;
    QString state;
    bool paused = false;
    qint64 fileSize = 0;
    qint64 fileMtime = 0;
    qint64 createdAt = 0;
};

//! What we know about a contact's trust.
struct ContactTrust
{
    bool verified = false;
    QString verifiedNumber;            //!< The safety number that was verified.
    bool confirmationRequired = false; //!< Verified before, changed since: ask before sending.
};

//! Decryption status of one of a contact's devices.
struct DeviceStatus
{
    QString user;
    qint64 device = 0;
    qint64 lastOkAt = 0;
    qint64 lastFailureAt = 0;
    QString lastFailure;
    qint64 failures = 0;
};

//! How far the other participants got with our message `seq` of a conversation.
struct ReceiptSummary
{
    int total = 0; //!< Other participants (a group's other current members; the peer).
    QStringList deliveredTo;
    QStringList readBy;
};

struct GroupMemberInfo
{
    QString user;
    bool admin = false;
    QList<qint64> devices; //!< Reachable devices, as of the group's epoch.
};

//! What the client knows of a group. `epoch` 0: stale, fetch it again before sending.
struct GroupInfo
{
    QString id;
    QString name;
    qint64 epoch = 0;
    bool member = true; //!< False once we left or were removed.
    QList<GroupMemberInfo> members;
};

//! One participant's delivered and read positions in a conversation.
struct ReceiptPosition
{
    QString conversation;
    QString user;
    qint64 delivered = 0;
    qint64 read = 0;
};

//! A message found by LocalStore::search().
struct SearchHit
{
    qint64 localId = 0;
    QString conversation;
    QString sender;
    qint64 timestamp = 0; //!< The server's time, our local time where it is unknown (ms).
    QString text;
    //! Where the matched words are in `text`, for highlighting: (position, length) in QString
    //! (UTF-16) units, in order, not overlapping.
    QList<QPair<int, int>> matches;
};

struct ConversationSummary
{
    QString conversation;
    QString peer;
    qint64 lastTimestamp = 0;
    QString lastText;
    //! The last message's content (Protocol::MessageContent) when it is a file without text.
    QByteArray lastMedia;
    qint64 messageCount = 0;
};

//! The client's local database, SQLCipher: messages (de-duplicated on sender + client message
//! id), the persistent outbox, settings, trust and decryption status; the Signal protocol stores
//! share the file (shared/crypto/SignalStore). Storage returns bool plus lastError(). Belongs to
//! the client core's thread.
class LocalStore
{
public:
    //! Opens the SQLCipher database with its 256-bit key; refuses plain SQLite.
    bool open(const QString &path, const QByteArray &key);
    //! Opens a second, read-only connection to a database another LocalStore opened (and
    //! migrated): the desktop app's UI thread reads history through one while the client core
    //! writes on its own thread (WAL: readers see each commit, never half of one).
    bool openReadOnly(const QString &path, const QByteArray &key);
    QSqlDatabase &database() { return m_connection.database(); }
    QString lastError() const { return m_lastError; }

    //! Records an outgoing message and its outbox entry in one transaction.
    bool queueOutgoing(const StoredMessage &message, const QString &recipient);
    //! Queues a control message (retry or resend); an entry for the same kind, ref and device
    //! already queued is not queued twice.
    bool queueControl(const OutboxEntry &entry);
    //! Remembers the ciphertexts made for an outbox entry (in the transaction that advanced the
    //! sessions), so that retries send the same bytes.
    bool setOutboxPayloads(const QString &clientMessageId, const QByteArray &payloads);
    QList<OutboxEntry> outbox();
    bool bumpAttempts(const QString &clientMessageId);
    //! The server stored it: remove from the outbox, record server id/seq/time, status Sent.
    //! `changed` tells whether this was news (false when it was already marked sent).
    bool markSent(const QString &clientMessageId, qint64 serverId, qint64 seq, qint64 serverTs,
                  bool *changed = nullptr);
    //! The server refused it for good.
    bool markFailed(const QString &clientMessageId, const QString &reason);
    //! A file starts uploading: records its transfer and its message (status Uploading; sets
    //! `message->localId`) in one transaction, so the chat shows the file while it uploads.
    bool startUpload(const MediaTransfer &transfer, StoredMessage *message);
    //! The upload of message `clientMessageId` completed: the message gets its final content
    //! (`media`) and its outbox entry, and becomes Pending, in one transaction. False (nothing
    //! written) when the message is not Uploading.
    bool queueUploaded(const QString &clientMessageId, const QByteArray &media,
                       const QString &recipient);
    //! Deletes one of our messages that never reached the server (Uploading or Failed) with its
    //! outbox entry and transfer. False when there is no such message.
    bool discardUnsent(const QString &clientMessageId);

    //! Inserts a message that arrived from the server. Returns true in `inserted` only the first
    //! time a (sender, clientMessageId) is seen: a re-delivery changes nothing.
    bool insertIncoming(const StoredMessage &message, bool *inserted);
    //! A resend arrived for (sender, clientMessageId): an Undecryptable row becomes Received with
    //! its text; without such a row the message is inserted. `changed` tells whether anything
    //! was written.
    bool repairIncoming(const StoredMessage &message, bool *changed);
    QList<StoredMessage> undecryptable();

    // ---- small key/value settings (secrets allowed: the file is encrypted) ----
    QByteArray setting(const QString &key);
    bool setSetting(const QString &key, const QByteArray &value);
    bool removeSetting(const QString &key);
    //! The keys of the settings whose key starts with `prefix`.
    QStringList settingKeys(const QString &prefix);

    // ---- trust ----
    ContactTrust trust(const QString &user);
    QStringList verifiedContacts();
    bool setVerified(const QString &user, bool verified, const QString &number);
    //! The safety number changed: clears verified, requires confirmation if it was verified.
    //! Returns whether the contact had been verified.
    bool safetyNumberChanged(const QString &user, bool *wasVerified);
    bool clearConfirmation(const QString &user);

    // ---- per-device decryption status ----
    bool recordDecryption(const QString &user, qint64 device, bool ok, const QString &failure);
    QList<DeviceStatus> deviceStatuses(const QString &user);

    // ---- groups (callers wrap multi-step changes in a transaction) ----
    //! Replaces what we know of the group: name, epoch, membership, members and their devices.
    bool saveGroup(const GroupInfo &group);
    std::optional<GroupInfo> group(const QString &groupId);
    QStringList groupIds();
    bool setGroupName(const QString &groupId, const QString &name);
    //! We joined (true) or left (false); either way the group is fetched again before use.
    bool setGroupMembership(const QString &groupId, bool member);
    bool markGroupStale(const QString &groupId);
    //! Adds (`present`, with `role`) or removes members.
    bool setGroupMembers(const QString &groupId, const QStringList &users, bool present,
                         const QString &role = QStringLiteral("member"));
    bool isGroupMember(const QString &groupId, const QString &user);
    //! Member devices that hold our current sender key for the group.
    QList<QPair<QString, qint64>> groupKeyHolders(const QString &groupId);
    bool addGroupKeyHolders(const QString &groupId, const QList<QPair<QString, qint64>> &devices);
    //! Forgets one holder (`device`), or all of them (0: after a rotation).
    bool removeGroupKeyHolders(const QString &groupId, qint64 device = 0);

    // ---- receipts ----
    //! Raises what we know of `user`'s positions in a conversation (never lowers them).
    //! `changed` tells whether anything grew.
    bool applyReceipt(const QString &conversation, const QString &user, qint64 delivered,
                      qint64 read, bool *changed);
    //! A user's positions (0, 0 when unknown): delivered, read.
    QPair<qint64, qint64> receipt(const QString &conversation, const QString &user);
    //! Recomputes the Sent/Delivered/Read status of our messages in the conversation from the
    //! receipts and the other participants (`others`); yields the messages whose status changed.
    QList<QPair<QString, StoredMessage::Status>> updateReceiptStatuses(const QString &conversation,
                                                                       const QStringList &others);
    ReceiptSummary receiptSummary(const QString &conversation, qint64 seq,
                                  const QStringList &others);
    //! The highest seq of the conversation's messages (0: none).
    qint64 lastSeq(const QString &conversation);
    //! Messages from others past our read position.
    int unreadCount(const QString &conversation, const QString &self);

    std::optional<StoredMessage> message(const QString &sender, const QString &clientMessageId);
    //! The message with this client id, whoever sent it.
    std::optional<StoredMessage> messageByClientId(const QString &clientMessageId);
    bool saveTransfer(const MediaTransfer &transfer);
    QList<MediaTransfer> transfers();
    std::optional<MediaTransfer> transfer(const QString &id);
    bool removeTransfer(const QString &id);
    //! Newest-last page of a conversation, `limit` messages before `beforeLocalId` (0: newest).
    QList<StoredMessage> history(const QString &conversation, int limit, qint64 beforeLocalId = 0);
    //! The conversation's messages stored after `afterLocalId`, oldest first.
    QList<StoredMessage> historyAfter(const QString &conversation, qint64 afterLocalId, int limit);
    std::optional<StoredMessage> messageById(qint64 localId);
    //! A message with up to `before` older and `after` newer messages of its conversation, in
    //! history() order (oldest first): "jump to the message in context". Empty when there is no
    //! message `localId` in `conversation`.
    QList<StoredMessage> historyAround(const QString &conversation, qint64 localId, int before,
                                       int after);
    QList<ConversationSummary> conversations(const QString &self);
    //! Messages that reached the server or us (no notices, failures, outbox) since `sinceMs`
    //! (server time, local time if unknown), oldest first: the history for a linked device.
    QList<StoredMessage> messagesSince(qint64 sinceMs);
    QList<ReceiptPosition> receiptPositions();
    qint64 messageCount();

    // ---- full-text search (app/core/LocalStoreSearch.cpp) ----
    //! Messages whose text has every word of `query` (the last word as a prefix, as the user
    //! types; case and diacritics ignored), newest (highest local id) first, at most `limit`,
    //! only in `conversation` unless it is empty. Readable messages only (never notices,
    //! undecryptable messages or media keys; a media message's caption counts). `query` is
    //! plain text, never search syntax: quotes, operators and punctuation are only separators.
    //! No words (empty, punctuation, emoji only): an empty list.
    QList<SearchHit> search(const QString &query, const QString &conversation = {}, int limit = 50);

private:
    //! Runs `updateSql` on the message and removes its outbox entry, in one transaction.
    bool finishOutgoing(const QString &updateSql, const QVariantList &values,
                        const QString &clientMessageId, bool *changed);
    StoredMessage read(QSqlQuery &query) const;
    //! Runs a prepared query and reads every row as a message.
    QList<StoredMessage> readAll(QSqlQuery &query);
    //! Prepares `sql`, binds `values` in order and runs it; false with lastError() on failure.
    bool run(QSqlQuery &query, const QString &sql, const QVariantList &values);
    bool run(const QString &sql, const QVariantList &values);

    Storage::Connection m_connection;
    QString m_lastError;
};

} // namespace Tincan::Client
