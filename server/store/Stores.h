#pragma once

#include "shared/protocol/Envelope.h"
#include "shared/protocol/Frames.h"
#include "shared/protocol/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <algorithm>
#include <functional>
#include <optional>

namespace Tincan::Server {

// The daemon's storage, one interface per entity. The embedded implementation is SQLite
// (store/sqlite); a PostgreSQL one can be added without touching the handlers.
//
// Thread contract: every method is thread-safe. Reads return synchronously. Writes are
// asynchronous: `done` runs exactly once, on a storage thread, after the write is durable (or
// has failed); callers hop back to their own thread themselves.

template<class T> using Done = std::function<void(Protocol::Result<T>)>;

struct User
{
    qint64 id = 0;
    QString username;
    QString passwordHash; //!< Argon2id encoded hash; never the password.
    qint64 createdAt = 0;
};

struct Device
{
    qint64 id = 0;
    qint64 userId = 0;
    QString name;
    qint64 createdAt = 0;
    qint64 lastSeen = 0;
    //! The device has published its keys; only such a device can receive messages.
    bool hasKeys = false;
    QString platform; //!< What the device said it runs on ("Debian GNU/Linux 12"); may be empty.
};

// The key directory. Clients publish the public half of their Signal-protocol keys per device;
// the server stores and hands them out, and never checks the curve math. Public keys are
// libsignal's serialized form (33 bytes, first byte 0x05), signatures 64 bytes.

//! A medium-term key, signed with the identity key, replaced from time to time.
struct SignedPreKey
{
    qint64 id = 0;
    QByteArray publicKey;
    QByteArray signature;
};

//! A one-time key: handed out to one sender only, then deleted.
struct PreKey
{
    qint64 id = 0;
    QByteArray publicKey;
};

//! What a device publishes. Every part is optional, except that a device's first publication
//! must carry the identity key, the registration id and a signed prekey.
struct DeviceKeys
{
    QByteArray identityKey; //!< Empty: not given.
    int registrationId = 0; //!< 0: not given.
    std::optional<SignedPreKey> signedPreKey;
    QList<PreKey> preKeys;

    //! Whether this may be a device's first publication.
    bool isComplete() const
    {
        return !identityKey.isEmpty() && registrationId != 0 && signedPreKey.has_value();
    }
};

//! What a sender needs to start a session with one device.
struct KeyBundle
{
    qint64 deviceId = 0;
    int registrationId = 0;
    QByteArray identityKey;
    SignedPreKey signedPreKey;
    std::optional<PreKey> preKey; //!< None when the device has no one-time prekey left.
};

//! A device's own view of its published keys.
struct KeyStatus
{
    bool hasKeys = false;
    qint64 preKeyCount = 0;
    qint64 signedPreKeyId = 0; //!< 0: none.
    qint64 signedPreKeyAt = 0; //!< When the signed prekey was published (ms); 0: never.
};

//! Who is calling: resolved from a bearer token.
struct AuthContext
{
    qint64 userId = 0;
    QString username;
    qint64 deviceId = 0;
};

//! The device signed in together with a new account.
struct FirstDevice
{
    QString name;
    QByteArray tokenHash;
    //! Published with the device, in the same transaction.
    std::optional<DeviceKeys> keys = std::nullopt;
    QString platform = {};
};

//! What creating an account produced; `device.id` is 0 when no first device was asked for.
struct NewAccount
{
    User user;
    Device device;
};

//! Someone a user shares a conversation with (see UserStore::peersOf).
struct Peer
{
    qint64 userId = 0;
    QString username;
    bool showsPresence = true; //!< Their own privacy setting: false, they see no one's presence.
};

class UserStore
{
public:
    virtual ~UserStore() = default;
    virtual std::optional<User> userByName(const QString &username) = 0;
    //! The directory: usernames starting with `prefix`, in order, at most `limit`.
    virtual QStringList findUsers(const QString &prefix, int limit) = 0;
    //! The users who share a conversation with `userId`, never the user themself: the one
    //! definition of "shares a conversation" that presence relies on (who is told, who may
    //! ask). Today: everyone the user exchanged a direct message with, in either direction,
    //! remembered beyond retention, and the current co-members of the user's groups.
    virtual QList<Peer> peersOf(qint64 userId) = 0;
    //! Whether the user shows presence and last seen to others (true unless they hid them).
    virtual bool showsPresence(qint64 userId) = 0;
    //! When a device of the user was last seen (ms, the latest over their devices); 0: never.
    virtual qint64 lastSeen(qint64 userId) = 0;
    virtual void setShowsPresence(qint64 userId, bool show, Done<bool> done) = 0;
    //! Whether the user shares read receipts (true unless turned off; then they see none from
    //! others either, as in Signal and WhatsApp).
    virtual bool sendsReadReceipts(qint64 userId) = 0;
    virtual void setSendsReadReceipts(qint64 userId, bool send, Done<bool> done) = 0;
    //! Creates the user and, when `firstDevice` is given, signs that device in, all in one
    //! transaction (no account is ever left without its device). With a non-empty
    //! `inviteCodeHash` the invite is consumed in the same transaction; an unknown, used or
    //! expired invite fails with 403 invite_required.
    virtual void createUser(const QString &username, const QString &passwordHash,
                            const QByteArray &inviteCodeHash,
                            const std::optional<FirstDevice> &firstDevice,
                            Done<NewAccount> done) = 0;
    virtual void createInvite(const QByteArray &codeHash, qint64 expiresAt, Done<bool> done) = 0;
};

class DeviceStore
{
public:
    virtual ~DeviceStore() = default;
    //! The active (not revoked) device holding this token hash, or nothing.
    virtual std::optional<AuthContext> authenticate(const QByteArray &tokenHash) = 0;
    //! Active devices of a user, ordered by id.
    virtual QList<Device> devicesOf(qint64 userId) = 0;
    //! Adds a device; fails with 403 when the user already has `maxDevices` active devices.
    //! Given `keys` are published with the device in the same transaction (see
    //! KeyStore::publishKeys); if they are refused, no device is created.
    virtual void createDevice(qint64 userId, const QString &name, const QString &platform,
                              const QByteArray &tokenHash, qint64 maxDevices,
                              const std::optional<DeviceKeys> &keys, Done<Device> done) = 0;
    //! Revokes one of the user's devices and drops its inbox and one-time prekeys. 403 if the
    //! device belongs to another user, 404 if there is no such active device.
    virtual void revokeDevice(qint64 userId, qint64 deviceId, Done<bool> done) = 0;
    //! Records that the device was seen at `atMs` (it opened its stream, or stopped counting
    //! as online); an older time than the stored one changes nothing.
    virtual void touch(qint64 deviceId, qint64 atMs, Done<bool> done) = 0;
};

class KeyStore
{
public:
    //! The most one-time prekeys a device may hold.
    static constexpr qint64 MaxPreKeys = 1000;

    virtual ~KeyStore() = default;
    //! Publishes keys of an active device and yields its one-time prekey count afterwards.
    //! The first publication sets the identity key and registration id for good: it must carry
    //! both and a signed prekey (400 otherwise); a later one with a different identity key or
    //! registration id fails with 409 identity_conflict. A signed prekey replaces the stored
    //! one. One-time prekeys are added; one with an id the device already holds replaces it.
    //! More than MaxPreKeys one-time prekeys in all is a 400, and nothing is stored.
    virtual void publishKeys(qint64 deviceId, DeviceKeys keys, Done<qint64> done) = 0;
    //! The device's key status (nothing published: hasKeys false and zeros).
    virtual KeyStatus keyStatus(qint64 deviceId) = 0;
    //! One bundle per active device of the user that has keys (only those in `onlyDevices`
    //! unless it is empty), ordered by device id. Each bundle consumes the device's one-time
    //! prekey with the lowest id, atomically: no prekey is ever handed out twice. A device
    //! without one-time prekeys left gets a bundle without one. A write (writer thread).
    virtual void takeBundles(qint64 userId, QList<qint64> onlyDevices,
                             Done<QList<KeyBundle>> done) = 0;
};

//! A message to store: one opaque payload per target device.
struct NewMessage
{
    qint64 senderUserId = 0;
    QString senderUsername;
    qint64 senderDeviceId = 0;
    QString recipientUsername;
    qint64 recipientUserId = 0; //!< With the sender: remembered as peers (UserStore::peersOf).
    QString clientMessageId;
    QString conversation;
    struct Copy
    {
        qint64 deviceId = 0;
        QByteArray payload;
    };
    QList<Copy> copies;
};

//! What storing produced: the receipt, whether it was a retry of an already stored message, and
//! (for new messages) the envelope for each target device, ready to push.
struct StoredMessage
{
    Protocol::SendReceipt receipt;
    bool duplicate = false;
    QList<QPair<qint64, Protocol::Envelope>> deliveries;
};

//! How far a device has been sent its envelopes: two positions, because its envelopes come from
//! two sources that grow independently. Its inbox grows in write order (`slot`), which is not
//! message-id order once group fan-out writes entries after later direct messages; the logs of
//! its big groups grow in message-id order (`logId`).
struct InboxPosition
{
    qint64 slot = 0;
    qint64 logId = 0;

    //! The position after `envelope` was sent.
    void advance(const Protocol::Envelope &envelope)
    {
        if (envelope.slot > 0) {
            slot = std::max(slot, envelope.slot);
        } else {
            logId = std::max(logId, envelope.id);
        }
    }
    //! Whether `envelope` was already sent (it is at or before this position).
    bool covers(const Protocol::Envelope &envelope) const
    {
        return envelope.slot > 0 ? envelope.slot <= slot : envelope.id <= logId;
    }
    //! "<slot>.<logId>", the opaque cursor of GET /v1/inbox.
    QString toString() const { return QStringLiteral("%1.%2").arg(slot).arg(logId); }
    static std::optional<InboxPosition> fromString(const QString &text);
};

//! An envelope a stream pushed to a device, as the stream keeps it until the device
//! acknowledges it: enough to settle the ACK without looking the message up again.
struct PushedEnvelope
{
    qint64 id = 0;
    qint64 slot = 0; //!< The inbox entry; 0 for a group-log message (fan-out on read).
    QString conversation;
    qint64 seq = 0;
    bool senderKey = false; //!< It came with a sender key of this device (message_keys).
    //! Someone else's message, not an event: storing it raises the user's delivered position.
    bool countsAsDelivered = false;
};

class MessageStore
{
public:
    virtual ~MessageStore() = default;
    //! Stores the message and its inbox entries atomically, assigning id, seq and timestamp.
    //! Idempotent on (sender, clientMessageId): a retry gets the original receipt with
    //! duplicate = true and creates nothing; the same id for another conversation is a 409.
    virtual void storeMessage(NewMessage message, Done<StoredMessage> done) = 0;
    //! The receipt of a message this sender already stored under this client id, if any.
    virtual std::optional<Protocol::SendReceipt> findStored(qint64 senderUserId,
                                                            const QString &clientMessageId) = 0;
    //! Pending envelopes of a device past `after`: inbox entries in write order, then group-log
    //! messages in id order (each source's part of a page is a prefix of it), at most `limit`.
    //! Each envelope's `slot` tells where it came from (InboxPosition::advance).
    virtual QList<Protocol::Envelope> pending(qint64 deviceId, InboxPosition after,
                                              qint64 limit) = 0;
    //! Removes acknowledged entries from the device's inbox. Unknown ids are ignored.
    virtual void acknowledge(qint64 deviceId, QList<qint64> messageIds, Done<qint64> done) = 0;
    //! The same for envelopes this device's stream pushed and knows (PushedEnvelope): no message
    //! is looked up, an inbox entry goes by its slot, a group cursor moves past the highest
    //! log message per conversation. Yields the inbox entries removed plus the cursors found.
    virtual void acknowledgePushed(qint64 deviceId, QList<PushedEnvelope> envelopes,
                                   Done<qint64> done) = 0;
    //! Deletes inbox entries and message records stored before `cutoffMs`; yields the count of
    //! inbox entries removed.
    virtual void purgeBefore(qint64 cutoffMs, Done<qint64> done) = 0;
    //! Frees what the calling thread holds (its read connection). A thread that read from the
    //! stores calls this before it ends: per-thread resources must not outlive their thread's
    //! event loop, nor be torn down after the process has begun to exit.
    virtual void releaseThreadResources() = 0;
};

// ---------------------------------------------------------------------------------- groups

enum class GroupRole { Member = 0, Admin = 1 };

struct GroupMember
{
    qint64 userId = 0;
    QString username;
    GroupRole role = GroupRole::Member;
    qint64 joinedAt = 0;
    QList<qint64> devices; //!< The member's reachable devices (with keys), by id.
};

struct Group
{
    QString id; //!< 32 hex digits; the conversation is "group:<id>".
    QString name;
    QString createdBy;
    qint64 createdAt = 0;
    //! Grows with every change that matters to a sender: members joining or leaving, and a
    //! member's devices being added or revoked. A group message must name the current epoch.
    qint64 epoch = 0;
    QList<GroupMember> members; //!< Current members, by username.
};

//! A group the caller belongs to, for listings.
struct GroupSummary
{
    QString id;
    QString name;
    qint64 epoch = 0;
    GroupRole role = GroupRole::Member;
    qint64 memberCount = 0;
};

//! A change to a group: what a member asked for. Permissions are checked by the store, in the
//! transaction that applies it: adding, removing, promoting and demoting are for admins;
//! renaming is for any member; leaving (Remove of oneself) for anyone.
struct GroupChange
{
    enum class Type { Create, Add, Remove, Rename, Promote, Demote };
    Type type = Type::Create;
    QString groupId;
    AuthContext actor;
    QString name;          //!< Create, Rename.
    QList<User> users;     //!< Create (the others), Add, Remove, Promote, Demote.
    qint64 maxMembers = 0; //!< Add, Create.
};

//! What a change produced: the group afterwards, and the event message announcing it (stored in
//! the group's log with its own seq, fanned out to the members like a message).
struct GroupChangeResult
{
    Group group;
    Protocol::SendReceipt event;
};

//! A group message: the sender-key ciphertext stored once, plus pairwise sender-key payloads for
//! the devices that need the sender's new key.
struct NewGroupMessage
{
    AuthContext sender;
    QString groupId;
    QString clientMessageId;
    qint64 epoch = 0;
    QByteArray body;
    QList<NewMessage::Copy> keys;
    //! Member devices (reachable, all members) above which the message is fanned out on read.
    qint64 fanoutReadThreshold = 0;
};

class GroupStore
{
public:
    virtual ~GroupStore() = default;
    //! Applies a change in one transaction with its event message and fan-out job. Errors: 404
    //! unknown_group (also for non-members, who may not learn that a group exists), 403 when
    //! the actor may not do this, 400 group_full above maxMembers, 404 unknown_user.
    virtual void changeGroup(GroupChange change, Done<GroupChangeResult> done) = 0;
    //! The group with its current members, if `userId` is one of them.
    virtual std::optional<Group> group(const QString &groupId, qint64 userId) = 0;
    virtual QList<GroupSummary> groupsOf(qint64 userId) = 0;
    //! Stores a group message once and queues its fan-out. Checks, in the transaction: the
    //! sender is a member (404 otherwise), the epoch is current (409 group_changed, with the
    //! current epoch), every key payload is for a current member device other than the
    //! sender's (409 device_mismatch with staleDevices). Idempotent on (sender, clientMessageId)
    //! like MessageStore::storeMessage.
    virtual void storeGroupMessage(NewGroupMessage message, Done<StoredMessage> done) = 0;
};

// -------------------------------------------------------------------------------- receipts

//! A change of one user's delivered/read position in a conversation, and who should hear of it:
//! the senders of the messages it newly covers, and the user themself (their other devices
//! mark the conversation read).
struct ReceiptChange
{
    Protocol::ReceiptState state;
    qint64 userId = 0;
    bool deliveredChanged = false; //!< Not only the read position grew.
    QList<qint64> audience;        //!< User ids.
    //! The audience's active devices, worked out in the transaction (so that publishing needs no
    //! read): those that may see the read position (the user's own; others only if both users
    //! share read receipts), and those that get the delivered position only.
    QList<qint64> fullDevices;
    QList<qint64> deliveredOnlyDevices;
};

//! A user's devices stored a conversation's messages up to `seq`.
struct DeliveredPosition
{
    QString conversation;
    qint64 seq = 0;
};

//! A place in the order of receipt changes: GET /v1/receipts pages by it, so any number of
//! changes in the same millisecond page correctly.
struct ReceiptCursor
{
    qint64 updatedAt = 0;
    qint64 userId = 0;
    QString conversation;

    //! "<updatedAt>:<userId>:<conversation>".
    QString toString() const
    {
        return QStringLiteral("%1:%2:%3").arg(updatedAt).arg(userId).arg(conversation);
    }
    static std::optional<ReceiptCursor> fromString(const QString &text)
    {
        const qsizetype first = text.indexOf(QLatin1Char(':'));
        const qsizetype second = first < 0 ? -1 : text.indexOf(QLatin1Char(':'), first + 1);
        bool okTime = false;
        bool okUser = false;
        if (second < 0) {
            return std::nullopt;
        }
        ReceiptCursor cursor{text.left(first).toLongLong(&okTime),
                             text.mid(first + 1, second - first - 1).toLongLong(&okUser),
                             text.mid(second + 1)};
        if (!okTime || !okUser || cursor.updatedAt < 0 || cursor.userId < 0 ||
            cursor.conversation.size() > 128) {
            return std::nullopt;
        }
        return cursor;
    }
};

class ReceiptStore
{
public:
    virtual ~ReceiptStore() = default;
    //! A device of `userId` stored these messages (it acknowledged them): raises the user's
    //! delivered position in their conversations. Its own messages and events do not count.
    virtual void markDelivered(qint64 userId, QList<qint64> messageIds,
                               Done<QList<ReceiptChange>> done) = 0;
    //! The same for positions already known to be the user's: the highest seq per conversation
    //! of other users' messages that a stream pushed to one of the user's devices (the server
    //! chose to deliver them, so no message is looked up and no membership checked).
    virtual void markDeliveredAt(qint64 userId, QList<DeliveredPosition> positions,
                                 Done<QList<ReceiptChange>> done) = 0;
    //! The user saw `conversation` up to `seq` (which also means delivered). 404 when the user
    //! is not in the conversation, 400 beyond its last seq. Yields nothing if nothing changed.
    virtual void markRead(qint64 userId, QString conversation, qint64 seq,
                          Done<std::optional<ReceiptChange>> done) = 0;
    //! Positions in the user's conversations (direct ones and current groups) that changed
    //! after `after` (in the order updated_at, user id, conversation; a cursor of 0, 0, "" with
    //! a time means "from that time on"), oldest change first, at most `limit`. `cursors` gets
    //! each row's own position, to continue after it.
    virtual QList<Protocol::ReceiptState> receiptsAfter(qint64 userId, const QString &username,
                                                        const ReceiptCursor &after, qint64 limit,
                                                        QList<ReceiptCursor> *cursors) = 0;
};

//! What one round of fan-out produced: envelopes to push (they are already durable in the
//! devices' inboxes, or readable from the group log), and whether work remains.
struct FanoutRound
{
    QList<QPair<qint64, Protocol::Envelope>> deliveries;
    qint64 jobsFinished = 0;
    bool more = false;
};

//! The durable queue of group fan-out work (the seed's topic partitioned by group): each group
//! message and event is one job, queued in the transaction that stored it, consumed in message
//! order. Embedded: a table in the SQLite database worked off by the in-process FanoutWorker;
//! a cluster implementation can put the jobs on a Redis stream instead.
class FanoutQueue
{
public:
    virtual ~FanoutQueue() = default;
    //! Does up to `maxDeliveries` deliveries of the oldest jobs in one transaction: inbox rows
    //! for fan-out on write (each job remembers how far it got, so a crash resumes, never
    //! repeats), nothing for fan-out on read; finished jobs are removed.
    virtual void fanOut(qint64 maxDeliveries, Done<FanoutRound> done) = 0;
    //! Jobs waiting (metrics, tests).
    virtual qint64 pendingJobs() = 0;
};

//! A device link (see Protocol::LinkEvent for the states) as the server keeps it. Only hashes
//! of the code and of the new device's pick-up secret are stored.
struct DeviceLinkRecord
{
    qint64 id = 0;
    qint64 userId = 0;
    QString username;
    qint64 createdBy = 0;
    qint64 createdAt = 0;
    qint64 expiresAt = 0;
    //! As stored: open, claimed, approved, linked, rejected (expiry is worked out by the API).
    QString state;
    QString deviceName;
    QString platform;
    QByteArray identityKey;
    QByteArray keyProof; //!< Protocol::DeviceLink::keyProof, checked by the approving device.
    QByteArray keysJson; //!< The claim's `keys` object, published when the device is created.
    QByteArray secretHash;
    qint64 deviceId = 0;
    qint64 linkedAt = 0;
    int historyWanted = -1;   //!< Set on approval: 1 the approver sends history, 0 it does not.
    qint64 historyParts = 0;  //!< Parts announced by the uploader (0: no history).
    qint64 historyStored = 0; //!< Distinct parts stored so far.
    qint64 historyBytes = 0;
};

//! Device linking: short-lived links an existing device opens and a new device claims, and the
//! encrypted history transfer between the two (ciphertext only, kept until picked up or expired).
//! Thread contract as for the other stores. Errors: 404 unknown_link, 409 link_state.
class LinkStore
{
public:
    virtual ~LinkStore() = default;
    //! Opens a link for `deviceId` of `userId`; 429 when the user already has `maxOpen` links
    //! that are neither finished nor expired.
    virtual void createLink(qint64 userId, qint64 deviceId, const QByteArray &codeHash,
                            qint64 expiresAt, qint64 maxOpen, Done<DeviceLinkRecord> done) = 0;
    virtual std::optional<DeviceLinkRecord> link(qint64 linkId) = 0;
    //! The open, unexpired link with this code becomes claimed by the device described in
    //! `claim` (deviceName, platform, identityKey, keysJson, secretHash); 404 otherwise.
    virtual void claimLink(const QByteArray &codeHash, const DeviceLinkRecord &claim, qint64 nowMs,
                           Done<DeviceLinkRecord> done) = 0;
    //! The user approves (claimed -> approved, saying whether history follows) or rejects (any
    //! unfinished state -> rejected) their link before it expires.
    virtual void decideLink(qint64 userId, qint64 linkId, bool approve, bool history, qint64 nowMs,
                            Done<DeviceLinkRecord> done) = 0;
    //! approved -> linked, for the holder of the secret: creates the device with `tokenHash`
    //! and publishes `keys`, in one transaction (403 too_many_devices at `maxDevices`).
    virtual void completeLink(qint64 linkId, const QByteArray &secretHash,
                              const QByteArray &tokenHash, const DeviceKeys &keys,
                              qint64 maxDevices, qint64 nowMs, Done<DeviceLinkRecord> done) = 0;
    //! Stores part `part` (0-based) of `parts` of the history transfer of a linked link whose
    //! device is still active; the same part again replaces it, and part 0 starts the transfer
    //! afresh (an upload that restarted). 413 when the parts would exceed `maxBytes` in all.
    virtual void storeHistoryPart(qint64 linkId, qint64 part, qint64 parts, const QByteArray &data,
                                  qint64 maxBytes, Done<DeviceLinkRecord> done) = 0;
    //! One stored part, or nothing.
    virtual std::optional<QByteArray> historyPart(qint64 linkId, qint64 part) = 0;
    //! Deletes the transfer (the new device has it, or the link was given up); a download then
    //! finds no history.
    virtual void dropHistory(qint64 linkId, Done<bool> done) = 0;
    //! Deletes links (with their transfers) that expired before `unfinishedBefore` without being
    //! linked, and links (with their transfers) linked before `linkedBefore`; yields how many.
    virtual void purgeLinks(qint64 unfinishedBefore, qint64 linkedBefore, Done<qint64> done) = 0;
};

// ----------------------------------------------------------------------------------- media

//! An uploaded (or uploading) media blob: ciphertext only, end-to-end encrypted by the client.
struct MediaRecord
{
    QString id; //!< 32 lower-case hex digits.
    qint64 ownerUserId = 0;
    qint64 ownerDeviceId = 0;
    qint64 size = 0;   //!< Declared size in bytes; the upload is complete at exactly this size.
    QString state;     //!< "uploading" or "complete".
    QByteArray sha256; //!< Of the complete blob (raw 32 bytes); empty while uploading.
    qint64 createdAt = 0;
    qint64 completedAt = 0;
};

//! What a media purge deleted: the media, and the digests of blobs no media uses any more
//! (their files can go).
struct MediaPurge
{
    QList<MediaRecord> removed;
    QList<QByteArray> orphanBlobs;
};

//! Media records and the conversations that reference them (who may download what). The blobs
//! themselves live in a BlobStore. Thread contract as for the other stores. Errors: 404
//! unknown_media, 409 media_not_ready, 403 forbidden.
class MediaStore
{
public:
    virtual ~MediaStore() = default;
    virtual void createMedia(const MediaRecord &media, Done<MediaRecord> done) = 0;
    virtual std::optional<MediaRecord> media(const QString &id) = 0;
    //! uploading -> complete with the blob's digest. `publish` runs on the writer thread inside
    //! the transaction, before the row changes: it moves the blob into place (false: fail).
    virtual void completeMedia(const QString &id, const QByteArray &sha256, qint64 nowMs,
                               std::function<bool()> publish, Done<MediaRecord> done) = 0;
    //! Lets the participants of `conversation` download these media of `userId`'s account (all
    //! complete; 404/403/409 otherwise, nothing attached). Attaching again changes nothing.
    virtual void attachMedia(qint64 userId, QStringList ids, QString conversation, qint64 nowMs,
                             Done<bool> done) = 0;
    //! Conversations that reference the media.
    virtual QStringList conversationsOf(const QString &id) = 0;
    //! Deletes media of `userId` that no conversation references yet (a cancelled upload);
    //! `unlink` as for purgeMedia.
    virtual void deleteMedia(qint64 userId, const QString &id,
                             std::function<void(const MediaPurge &)> unlink,
                             Done<MediaRecord> done) = 0;
    //! Forgets references made before `referencedBefore` (retention), then deletes media that
    //! no conversation references and that were created before `unreferencedBefore`. `unlink`
    //! runs on the writer thread after the commit with what was deleted, so that no upload can
    //! complete into a blob file between the decision and the unlink.
    virtual void purgeMedia(qint64 referencedBefore, qint64 unreferencedBefore,
                            std::function<void(const MediaPurge &)> unlink, Done<qint64> done) = 0;
    //! Whether any media record uses this blob (raw digest).
    virtual bool blobInUse(const QByteArray &sha256) = 0;
};

} // namespace Tincan::Server
