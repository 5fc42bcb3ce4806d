#pragma once

#include "shared/crypto/SignalStore.h"

#include <QByteArray>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <memory>
#include <optional>

struct signal_context;
struct signal_protocol_store_context;

namespace Tincan::Crypto {

struct PublicPreKey
{
    quint32 id = 0;
    QByteArray publicKey; //!< 33 bytes: 0x05 then the Curve25519 point.
};

struct PublicSignedPreKey
{
    quint32 id = 0;
    QByteArray publicKey;
    QByteArray signature; //!< 64-byte XEdDSA signature by the identity key.
    qint64 createdAt = 0; //!< Milliseconds since the epoch (local knowledge only).
};

//! What a device publishes so that others can start sessions with it (X3DH).
struct PreKeyBundle
{
    int deviceId = 0;
    quint32 registrationId = 0;
    QByteArray identityKey;
    PublicSignedPreKey signedPreKey;
    std::optional<PublicPreKey> preKey; //!< Absent when the server ran out of one-time keys.
};

//! Why a payload could not be decrypted. Never silently dropped: the client records it.
enum class DecryptFailure {
    None,
    Malformed,      //!< Not a Tincan cipher payload, or a corrupt protobuf.
    NoSession,      //!< A normal message for which there is no session (lost or reset).
    InvalidMessage, //!< MAC/ratchet failure: the session does not match the sender's.
    Duplicate,      //!< Already decrypted once (a re-delivery).
    InvalidKeyId,   //!< A pre-key message naming a one-time or signed pre-key we do not have.
    UntrustedIdentity,
    Internal,
};

struct CryptoError
{
    int code = 0; //!< libsignal SG_ERR_* code, 0 when not from the library.
    QString message;
    DecryptFailure failure = DecryptFailure::Internal;
};

template<class T> struct Outcome
{
    std::optional<T> value;
    CryptoError error;
    bool ok() const { return value.has_value(); }
};

struct Decrypted
{
    QByteArray plaintext;
    bool preKeyMessage = false; //!< It consumed one of our one-time pre-keys.
};

struct SafetyNumber
{
    QString digits;       //!< 60 digits, the same on both sides (Signal's displayable form).
    QByteArray scannable; //!< Serialized scannable fingerprint, for the QR code.
};

//! One device's Signal protocol state: a libsignal context and its stores in the client's
//! (SQLCipher) database. Not thread-safe: it belongs to the thread that created it, like the
//! database connection it uses; all libsignal calls happen there.
//!
//! Payload format (what goes, base64-encoded, into a message's per-device body): one version
//! byte (1), one libsignal message type byte (3 pre-key, 2 normal), then the serialized libsignal
//! message. The plaintext is padded to a multiple of 160 bytes (0x80 then zeros) so that
//! ciphertext lengths say little about message lengths.
class DeviceCrypto
{
public:
    static constexpr int PayloadVersion = 1;
    static constexpr int PaddingBlock = 160;

    explicit DeviceCrypto(QSqlDatabase database);
    ~DeviceCrypto();
    DeviceCrypto(const DeviceCrypto &) = delete;
    DeviceCrypto &operator=(const DeviceCrypto &) = delete;

    bool init(QString *error);
    SignalStore &store() { return m_store; }

    // ---- our keys ----
    bool hasIdentity() { return m_store.hasLocalIdentity(); }
    //! Creates the identity key pair, registration id and first signed pre-key.
    bool createIdentity(QString *error);
    QByteArray identityPublicKey();
    quint32 registrationId();
    std::optional<PublicSignedPreKey> currentSignedPreKey();
    //! Generates and stores `count` one-time pre-keys with fresh ids; returns their public parts.
    QList<PublicPreKey> generatePreKeys(int count, QString *error);
    //! The public parts of all one-time pre-keys this device still holds.
    QList<PublicPreKey> localPreKeys();
    //! Makes a new signed pre-key the current one; older ones stay until purgeSignedPreKeys.
    std::optional<PublicSignedPreKey> rotateSignedPreKey(QString *error);
    //! Removes signed pre-keys that were replaced before `cutoffMs` (never the current one).
    int purgeSignedPreKeys(qint64 cutoffMs) { return m_store.removeSignedPreKeysBefore(cutoffMs); }

    // ---- sessions ----
    bool hasSession(const QString &name, int device);
    bool deleteSession(const QString &name, int device);
    //! X3DH: starts a session with the bundle's device. Verifies the signed pre-key signature.
    Outcome<bool> processBundle(const QString &name, const PreKeyBundle &bundle);
    //! Encrypts `plaintext` for one device with an existing session.
    Outcome<QByteArray> encrypt(const QString &name, int device, const QByteArray &plaintext);
    Outcome<Decrypted> decrypt(const QString &name, int device, const QByteArray &payload);
    //! True if `payload` is a pre-key message (it can start a session by itself).
    static bool isPreKeyPayload(const QByteArray &payload);

    // ---- groups (sender keys) ----
    // A group message is encrypted once with the sending device's sender key for the group; the
    // sender key reaches each member device in a pairwise-encrypted "sender_key" message. The
    // payload format is the pairwise one with message type 4 (SenderKeyMessage).

    //! Our sender key for `groupId` as a distribution message for other members (created on
    //! first use). It lets them read what we send from now on, not what we sent before.
    Outcome<QByteArray> senderKeyDistribution(const QString &groupId, const QString &selfName,
                                              int selfDevice);
    //! Stores a member device's sender key from its distribution message.
    Outcome<bool> processSenderKey(const QString &groupId, const QString &name, int device,
                                   const QByteArray &distribution);
    Outcome<QByteArray> groupEncrypt(const QString &groupId, const QString &selfName,
                                     int selfDevice, const QByteArray &plaintext);
    Outcome<Decrypted> groupDecrypt(const QString &groupId, const QString &name, int device,
                                    const QByteArray &payload);
    bool hasSenderKey(const QString &groupId, const QString &name, int device)
    {
        return m_store.hasSenderKey(groupId, name, device);
    }
    //! The sender keys of other senders (and of our other devices) that we hold: what a newly
    //! linked device of ours needs to read group messages it could not get keys for.
    QList<SignalStore::SenderKeyRecord> receivedSenderKeys(const QString &selfName, int selfDevice)
    {
        return m_store.senderKeys(selfName, selfDevice);
    }
    bool importSenderKey(const SignalStore::SenderKeyRecord &key, bool *added)
    {
        return m_store.importSenderKey(key, added);
    }
    //! Forgets our sender key for the group: the next message starts a new chain (rotation).
    bool rotateSenderKey(const QString &groupId, const QString &selfName, int selfDevice)
    {
        return m_store.removeSenderKey(groupId, selfName, selfDevice);
    }

    //! Signal's safety number over both sides' identity keys (all devices of each user).
    Outcome<SafetyNumber> safetyNumber(const QString &localName, QList<QByteArray> localKeys,
                                       const QString &remoteName, QList<QByteArray> remoteKeys);

    static QByteArray pad(const QByteArray &plaintext);
    static std::optional<QByteArray> unpad(const QByteArray &padded);

private:
    struct Private;
    std::unique_ptr<Private> d;
    SignalStore m_store;
};

} // namespace Tincan::Crypto
