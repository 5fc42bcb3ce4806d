#pragma once

#include "shared/protocol/Envelope.h"
#include "shared/protocol/Frames.h"
#include "shared/protocol/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>

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
    //! The users who share a conversation with `userId`, never the user themself: the one
    //! definition of "shares a conversation" that presence relies on (who is told, who may
    //! ask). Today: everyone the user exchanged a direct message with, in either direction,
    //! remembered beyond retention. Groups will add their co-members here.
    virtual QList<Peer> peersOf(qint64 userId) = 0;
    //! Whether the user shows presence and last seen to others (true unless they hid them).
    virtual bool showsPresence(qint64 userId) = 0;
    //! When a device of the user was last seen (ms, the latest over their devices); 0: never.
    virtual qint64 lastSeen(qint64 userId) = 0;
    virtual void setShowsPresence(qint64 userId, bool show, Done<bool> done) = 0;
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
    virtual void createDevice(qint64 userId, const QString &name, const QByteArray &tokenHash,
                              qint64 maxDevices, const std::optional<DeviceKeys> &keys,
                              Done<Device> done) = 0;
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
    //! Pending envelopes of a device with id > afterId, in storage order.
    virtual QList<Protocol::Envelope> pending(qint64 deviceId, qint64 afterId, qint64 limit) = 0;
    //! Removes acknowledged entries from the device's inbox. Unknown ids are ignored.
    virtual void acknowledge(qint64 deviceId, QList<qint64> messageIds, Done<qint64> done) = 0;
    //! Deletes inbox entries and message records stored before `cutoffMs`; yields the count of
    //! inbox entries removed.
    virtual void purgeBefore(qint64 cutoffMs, Done<qint64> done) = 0;
    //! Frees what the calling thread holds (its read connection). A thread that read from the
    //! stores calls this before it ends: per-thread resources must not outlive their thread's
    //! event loop, nor be torn down after the process has begun to exit.
    virtual void releaseThreadResources() = 0;
};

} // namespace Tincan::Server
