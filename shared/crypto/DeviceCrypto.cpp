#include "shared/crypto/DeviceCrypto.h"

#include "shared/crypto/CryptoProvider.h"
#include "shared/crypto/Handles.h"

#include <signal/curve.h>
#include <signal/fingerprint.h>
#include <signal/group_cipher.h>
#include <signal/group_session_builder.h>
#include <signal/key_helper.h>
#include <signal/protocol.h>
#include <signal/ratchet.h>
#include <signal/session_builder.h>
#include <signal/session_cipher.h>
#include <signal/session_pre_key.h>
#include <signal/signal_protocol.h>

#include <QDateTime>
#include <QSqlDatabase>

#include <algorithm>

namespace Tincan::Crypto {

namespace {

using Context = Handle<signal_context, signal_context_destroy>;
using StoreContext = Handle<signal_protocol_store_context, signal_protocol_store_context_destroy>;
using Builder = Handle<session_builder, session_builder_free>;
using Cipher = Handle<session_cipher, session_cipher_free>;
using Generator = Handle<fingerprint_generator, fingerprint_generator_free>;
using GroupBuilder = Handle<group_session_builder, group_session_builder_free>;
using GroupCipher = Handle<group_cipher, group_cipher_free>;
using KeyList = Handle<ec_public_key_list, ec_public_key_list_free>;
using PreKeyList =
    Handle<signal_protocol_key_helper_pre_key_list_node, signal_protocol_key_helper_key_list_free>;

constexpr quint32 MaxKeyId = 0xFFFFFF; // libsignal's "medium" ids
constexpr int FingerprintIterations = 5200;

//! A libsignal address; the name bytes live as long as this object.
class Address
{
public:
    Address(const QString &name, int device)
        : m_name(name.toUtf8())
    {
        m_address.name = m_name.constData();
        m_address.name_len = static_cast<size_t>(m_name.size());
        m_address.device_id = device;
    }
    const signal_protocol_address *get() const { return &m_address; }

private:
    QByteArray m_name;
    signal_protocol_address m_address{};
};

//! A libsignal sender key name (group, sender address); the bytes live as long as this object.
class SenderKeyName
{
public:
    SenderKeyName(const QString &groupId, const QString &name, int device)
        : m_group(groupId.toUtf8())
        , m_address(name, device)
    {
        m_name.group_id = m_group.constData();
        m_name.group_id_len = static_cast<size_t>(m_group.size());
        m_name.sender = *m_address.get();
    }
    const signal_protocol_sender_key_name *get() const { return &m_name; }

private:
    QByteArray m_group;
    Address m_address;
    signal_protocol_sender_key_name m_name{};
};

QString describe(int code)
{
    switch (code) {
    case SG_ERR_DUPLICATE_MESSAGE:
        return QStringLiteral("the message was already decrypted once");
    case SG_ERR_INVALID_KEY:
        return QStringLiteral("invalid key");
    case SG_ERR_INVALID_KEY_ID:
        return QStringLiteral("the message uses a pre-key this device no longer has");
    case SG_ERR_INVALID_MAC:
        return QStringLiteral("the message does not authenticate (bad MAC)");
    case SG_ERR_INVALID_MESSAGE:
        return QStringLiteral("the message does not match the session");
    case SG_ERR_INVALID_VERSION:
        return QStringLiteral("unsupported protocol version");
    case SG_ERR_LEGACY_MESSAGE:
        return QStringLiteral("legacy message format");
    case SG_ERR_NO_SESSION:
        return QStringLiteral("there is no session with the sending device");
    case SG_ERR_UNTRUSTED_IDENTITY:
        return QStringLiteral("untrusted identity key");
    case SG_ERR_VRF_SIG_VERIF_FAILED:
        return QStringLiteral("bad signature");
    case SG_ERR_INVALID_PROTO_BUF:
        return QStringLiteral("corrupt message");
    case SG_ERR_NOMEM:
        return QStringLiteral("out of memory");
    default:
        return QStringLiteral("libsignal error %1").arg(code);
    }
}

CryptoError errorFor(int code, const QString &what)
{
    CryptoError error;
    error.code = code;
    error.message = QStringLiteral("%1: %2").arg(what, describe(code));
    switch (code) {
    case SG_ERR_DUPLICATE_MESSAGE:
        error.failure = DecryptFailure::Duplicate;
        break;
    case SG_ERR_NO_SESSION:
        error.failure = DecryptFailure::NoSession;
        break;
    case SG_ERR_INVALID_KEY_ID:
        error.failure = DecryptFailure::InvalidKeyId;
        break;
    case SG_ERR_INVALID_MAC:
    case SG_ERR_INVALID_MESSAGE:
    case SG_ERR_INVALID_KEY:
        error.failure = DecryptFailure::InvalidMessage;
        break;
    case SG_ERR_UNTRUSTED_IDENTITY:
        error.failure = DecryptFailure::UntrustedIdentity;
        break;
    case SG_ERR_INVALID_PROTO_BUF:
    case SG_ERR_INVALID_VERSION:
    case SG_ERR_LEGACY_MESSAGE:
        error.failure = DecryptFailure::Malformed;
        break;
    default:
        error.failure = DecryptFailure::Internal;
        break;
    }
    return error;
}

template<class T> Outcome<T> failure(int code, const QString &what)
{
    Outcome<T> outcome;
    outcome.error = errorFor(code, what);
    return outcome;
}

template<class T> Outcome<T> failure(DecryptFailure kind, const QString &message)
{
    Outcome<T> outcome;
    outcome.error.failure = kind;
    outcome.error.message = message;
    return outcome;
}

QByteArray serialize(const ec_public_key *key)
{
    Buffer buffer;
    if (ec_public_key_serialize(buffer.out(), key) != 0) {
        return {};
    }
    return buffer.toByteArray();
}

const uint8_t *data(const QByteArray &bytes)
{
    return reinterpret_cast<const uint8_t *>(bytes.constData());
}

size_t size(const QByteArray &bytes)
{
    return static_cast<size_t>(bytes.size());
}

//! A Tincan payload: version byte, libsignal message type, the serialized message.
QByteArray payloadOf(int version, int type, ciphertext_message *message)
{
    signal_buffer *serialized = ciphertext_message_get_serialized(message);
    QByteArray payload;
    payload.reserve(static_cast<qsizetype>(signal_buffer_len(serialized)) + 2);
    payload.append(static_cast<char>(version));
    payload.append(static_cast<char>(type));
    payload.append(reinterpret_cast<const char *>(signal_buffer_data(serialized)),
                   static_cast<qsizetype>(signal_buffer_len(serialized)));
    return payload;
}

//! The decrypted, padded plaintext without its padding (and wiped from the buffer copy).
Outcome<Decrypted> unpadded(const Buffer &plaintext, bool preKey, const QString &what);

} // namespace

struct DeviceCrypto::Private
{
    Context context;
    StoreContext storeContext;
};

DeviceCrypto::DeviceCrypto(QSqlDatabase database)
    : d(std::make_unique<Private>())
    , m_store(std::move(database))
{}

DeviceCrypto::~DeviceCrypto()
{
    // The store context refers to the context: destroy it first.
    d->storeContext.reset();
    d->context.reset();
}

bool DeviceCrypto::init(QString *error)
{
    if (signal_context_create(d->context.out(), this) != 0 ||
        signal_context_set_crypto_provider(d->context.get(), &openSslProvider()) != 0 ||
        signal_protocol_store_context_create(d->storeContext.out(), d->context.get()) != 0) {
        *error = QStringLiteral("Cannot initialise the Signal protocol library.");
        return false;
    }
    m_store.install(d->storeContext.get());
    return true;
}

bool DeviceCrypto::createIdentity(QString *error)
{
    Ref<ratchet_identity_key_pair> pair;
    uint32_t registrationId = 0;
    if (signal_protocol_key_helper_generate_identity_key_pair(pair.out(), d->context.get()) != 0 ||
        signal_protocol_key_helper_generate_registration_id(&registrationId, 0, d->context.get()) !=
            0) {
        *error = QStringLiteral("Cannot generate the identity key.");
        return false;
    }
    Buffer publicKey;
    Buffer privateKey;
    if (ec_public_key_serialize(publicKey.out(),
                                ratchet_identity_key_pair_get_public(pair.get())) != 0 ||
        ec_private_key_serialize(privateKey.out(true),
                                 ratchet_identity_key_pair_get_private(pair.get())) != 0) {
        *error = QStringLiteral("Cannot serialize the identity key.");
        return false;
    }
    QByteArray secret = privateKey.toByteArray();
    const bool saved = m_store.saveLocalIdentity(publicKey.toByteArray(), secret, registrationId);
    secret.fill('\0');
    if (!saved) {
        *error = QStringLiteral("Cannot store the identity key: %1").arg(m_store.lastError());
        return false;
    }
    return rotateSignedPreKey(error).has_value();
}

QByteArray DeviceCrypto::identityPublicKey()
{
    Ref<ratchet_identity_key_pair> pair;
    if (signal_protocol_identity_get_key_pair(d->storeContext.get(), pair.out()) != 0) {
        return {};
    }
    return serialize(ratchet_identity_key_pair_get_public(pair.get()));
}

quint32 DeviceCrypto::registrationId()
{
    uint32_t id = 0;
    signal_protocol_identity_get_local_registration_id(d->storeContext.get(), &id);
    return id;
}

std::optional<PublicSignedPreKey> DeviceCrypto::currentSignedPreKey()
{
    const auto [id, createdAt] = m_store.currentSignedPreKey();
    if (id == 0) {
        return std::nullopt;
    }
    Ref<session_signed_pre_key> key;
    if (signal_protocol_signed_pre_key_load_key(d->storeContext.get(), key.out(), id) != 0) {
        return std::nullopt;
    }
    PublicSignedPreKey result;
    result.id = id;
    result.publicKey =
        serialize(ec_key_pair_get_public(session_signed_pre_key_get_key_pair(key.get())));
    result.signature =
        QByteArray(reinterpret_cast<const char *>(session_signed_pre_key_get_signature(key.get())),
                   static_cast<qsizetype>(session_signed_pre_key_get_signature_len(key.get())));
    result.createdAt = createdAt;
    return result;
}

std::optional<PublicSignedPreKey> DeviceCrypto::rotateSignedPreKey(QString *error)
{
    Ref<ratchet_identity_key_pair> pair;
    if (signal_protocol_identity_get_key_pair(d->storeContext.get(), pair.out()) != 0) {
        *error = QStringLiteral("There is no identity key.");
        return std::nullopt;
    }
    const quint32 id = m_store.currentSignedPreKey().first % MaxKeyId + 1;
    Ref<session_signed_pre_key> key;
    const auto now = static_cast<uint64_t>(QDateTime::currentMSecsSinceEpoch());
    if (signal_protocol_key_helper_generate_signed_pre_key(key.out(), pair.get(), id, now,
                                                           d->context.get()) != 0 ||
        signal_protocol_signed_pre_key_store_key(d->storeContext.get(), key.get()) != 0) {
        *error = QStringLiteral("Cannot create a signed pre-key: %1").arg(m_store.lastError());
        return std::nullopt;
    }
    return currentSignedPreKey();
}

QList<PublicPreKey> DeviceCrypto::generatePreKeys(int count, QString *error)
{
    QList<PublicPreKey> result;
    const quint32 start = m_store.maxPreKeyId() % (MaxKeyId - static_cast<quint32>(count)) + 1;
    PreKeyList list;
    if (signal_protocol_key_helper_generate_pre_keys(
            list.out(), start, static_cast<unsigned>(count), d->context.get()) != 0) {
        *error = QStringLiteral("Cannot generate pre-keys.");
        return {};
    }
    for (auto *node = list.get(); node; node = signal_protocol_key_helper_key_list_next(node)) {
        session_pre_key *key = signal_protocol_key_helper_key_list_element(node);
        if (signal_protocol_pre_key_store_key(d->storeContext.get(), key) != 0) {
            *error = QStringLiteral("Cannot store a pre-key: %1").arg(m_store.lastError());
            return {};
        }
        result.append({session_pre_key_get_id(key),
                       serialize(ec_key_pair_get_public(session_pre_key_get_key_pair(key)))});
    }
    return result;
}

QList<PublicPreKey> DeviceCrypto::localPreKeys()
{
    QList<PublicPreKey> result;
    const auto records = m_store.preKeyRecords();
    for (const auto &[id, record] : records) {
        Ref<session_pre_key> key;
        if (session_pre_key_deserialize(key.out(), data(record), size(record), d->context.get()) ==
            0) {
            result.append(
                {id, serialize(ec_key_pair_get_public(session_pre_key_get_key_pair(key.get())))});
        }
    }
    return result;
}

bool DeviceCrypto::hasSession(const QString &name, int device)
{
    const Address address(name, device);
    return signal_protocol_session_contains_session(d->storeContext.get(), address.get()) == 1;
}

bool DeviceCrypto::deleteSession(const QString &name, int device)
{
    const Address address(name, device);
    return signal_protocol_session_delete_session(d->storeContext.get(), address.get()) >= 0;
}

Outcome<bool> DeviceCrypto::processBundle(const QString &name, const PreKeyBundle &bundle)
{
    Ref<ec_public_key> identity;
    Ref<ec_public_key> signedKey;
    Ref<ec_public_key> oneTime;
    int rc = curve_decode_point(identity.out(), data(bundle.identityKey), size(bundle.identityKey),
                                d->context.get());
    if (rc == 0) {
        rc = curve_decode_point(signedKey.out(), data(bundle.signedPreKey.publicKey),
                                size(bundle.signedPreKey.publicKey), d->context.get());
    }
    if (rc == 0 && bundle.preKey) {
        rc = curve_decode_point(oneTime.out(), data(bundle.preKey->publicKey),
                                size(bundle.preKey->publicKey), d->context.get());
    }
    if (rc != 0) {
        return failure<bool>(
            rc, QStringLiteral("Bad key bundle for %1.%2").arg(name).arg(bundle.deviceId));
    }
    Ref<session_pre_key_bundle> signalBundle;
    rc = session_pre_key_bundle_create(signalBundle.out(), bundle.registrationId, bundle.deviceId,
                                       bundle.preKey ? bundle.preKey->id : 0, oneTime.get(),
                                       bundle.signedPreKey.id, signedKey.get(),
                                       data(bundle.signedPreKey.signature),
                                       size(bundle.signedPreKey.signature), identity.get());
    const Address address(name, bundle.deviceId);
    Builder builder;
    if (rc == 0) {
        rc = session_builder_create(builder.out(), d->storeContext.get(), address.get(),
                                    d->context.get());
    }
    if (rc == 0) {
        rc = session_builder_process_pre_key_bundle(builder.get(), signalBundle.get());
        if (rc == SG_ERR_INVALID_PROTO_BUF) {
            // Our stored session with that device is unreadable (damaged): it cannot be kept
            // anyway, so start over from the bundle.
            deleteSession(name, bundle.deviceId);
            rc = session_builder_process_pre_key_bundle(builder.get(), signalBundle.get());
        }
    }
    if (rc != 0) {
        return failure<bool>(
            rc, QStringLiteral("Cannot start a session with %1.%2").arg(name).arg(bundle.deviceId));
    }
    Outcome<bool> outcome;
    outcome.value = true;
    return outcome;
}

Outcome<QByteArray> DeviceCrypto::encrypt(const QString &name, int device,
                                          const QByteArray &plaintext)
{
    const Address address(name, device);
    if (!hasSession(name, device)) {
        return failure<QByteArray>(
            SG_ERR_NO_SESSION, QStringLiteral("Cannot encrypt for %1.%2").arg(name).arg(device));
    }
    Cipher cipher;
    Ref<ciphertext_message> message;
    QByteArray padded = pad(plaintext);
    int rc =
        session_cipher_create(cipher.out(), d->storeContext.get(), address.get(), d->context.get());
    if (rc == 0) {
        rc = session_cipher_encrypt(cipher.get(), data(padded), size(padded), message.out());
    }
    padded.fill('\0');
    if (rc != 0) {
        return failure<QByteArray>(
            rc, QStringLiteral("Cannot encrypt for %1.%2").arg(name).arg(device));
    }
    Outcome<QByteArray> outcome;
    outcome.value =
        payloadOf(PayloadVersion, ciphertext_message_get_type(message.get()), message.get());
    return outcome;
}

bool DeviceCrypto::isPreKeyPayload(const QByteArray &payload)
{
    return payload.size() > 2 && payload.at(0) == PayloadVersion &&
           payload.at(1) == CIPHERTEXT_PREKEY_TYPE;
}

Outcome<Decrypted> DeviceCrypto::decrypt(const QString &name, int device, const QByteArray &payload)
{
    const QString what =
        QStringLiteral("Cannot decrypt a message from %1.%2").arg(name).arg(device);
    if (payload.size() < 3 || payload.at(0) != PayloadVersion ||
        (payload.at(1) != CIPHERTEXT_PREKEY_TYPE && payload.at(1) != CIPHERTEXT_SIGNAL_TYPE)) {
        return failure<Decrypted>(DecryptFailure::Malformed,
                                  QStringLiteral("%1: not an encrypted Tincan payload").arg(what));
    }
    const bool preKey = payload.at(1) == CIPHERTEXT_PREKEY_TYPE;
    const auto *body = data(payload) + 2;
    const size_t bodyLen = size(payload) - 2;
    const Address address(name, device);
    Cipher cipher;
    int rc =
        session_cipher_create(cipher.out(), d->storeContext.get(), address.get(), d->context.get());
    Buffer plaintext;
    bool parsed = false; // Past the message's own format: a failure is the session's.
    if (rc == 0 && preKey) {
        Ref<pre_key_signal_message> message;
        rc = pre_key_signal_message_deserialize(message.out(), body, bodyLen, d->context.get());
        if (rc == 0) {
            parsed = true;
            rc = session_cipher_decrypt_pre_key_signal_message(cipher.get(), message.get(), nullptr,
                                                               plaintext.out(true));
        }
    } else if (rc == 0) {
        Ref<signal_message> message;
        rc = signal_message_deserialize(message.out(), body, bodyLen, d->context.get());
        if (rc == 0) {
            parsed = true;
            rc = session_cipher_decrypt_signal_message(cipher.get(), message.get(), nullptr,
                                                       plaintext.out(true));
        }
    }
    if (rc != 0) {
        Outcome<Decrypted> failed = failure<Decrypted>(rc, what);
        if (parsed && failed.error.failure == DecryptFailure::Malformed) {
            failed.error.failure = DecryptFailure::InvalidMessage; // e.g. a damaged session
        }
        return failed;
    }
    return unpadded(plaintext, preKey, what);
}

Outcome<QByteArray> DeviceCrypto::senderKeyDistribution(const QString &groupId,
                                                        const QString &selfName, int selfDevice)
{
    const SenderKeyName name(groupId, selfName, selfDevice);
    GroupBuilder builder;
    Ref<sender_key_distribution_message> distribution;
    int rc = group_session_builder_create(builder.out(), d->storeContext.get(), d->context.get());
    if (rc == 0) {
        rc = group_session_builder_create_session(builder.get(), distribution.out(), name.get());
    }
    if (rc != 0) {
        return failure<QByteArray>(rc, QStringLiteral("Cannot create a sender key"));
    }
    signal_buffer *serialized = ciphertext_message_get_serialized(
        reinterpret_cast<ciphertext_message *>(distribution.get()));
    Outcome<QByteArray> outcome;
    outcome.value = QByteArray(reinterpret_cast<const char *>(signal_buffer_data(serialized)),
                               static_cast<qsizetype>(signal_buffer_len(serialized)));
    return outcome;
}

Outcome<bool> DeviceCrypto::processSenderKey(const QString &groupId, const QString &sender,
                                             int device, const QByteArray &distribution)
{
    const QString what = QStringLiteral("Bad sender key from %1.%2").arg(sender).arg(device);
    const SenderKeyName name(groupId, sender, device);
    Ref<sender_key_distribution_message> message;
    int rc = sender_key_distribution_message_deserialize(message.out(), data(distribution),
                                                         size(distribution), d->context.get());
    GroupBuilder builder;
    if (rc == 0) {
        rc = group_session_builder_create(builder.out(), d->storeContext.get(), d->context.get());
    }
    if (rc == 0) {
        rc = group_session_builder_process_session(builder.get(), name.get(), message.get());
    }
    if (rc != 0) {
        return failure<bool>(rc, what);
    }
    Outcome<bool> outcome;
    outcome.value = true;
    return outcome;
}

Outcome<QByteArray> DeviceCrypto::groupEncrypt(const QString &groupId, const QString &selfName,
                                               int selfDevice, const QByteArray &plaintext)
{
    const SenderKeyName name(groupId, selfName, selfDevice);
    if (!m_store.hasSenderKey(groupId, selfName, selfDevice)) {
        return failure<QByteArray>(SG_ERR_NO_SESSION,
                                   QStringLiteral("Cannot encrypt for the group"));
    }
    GroupCipher cipher;
    Ref<ciphertext_message> message;
    QByteArray padded = pad(plaintext);
    int rc = group_cipher_create(cipher.out(), d->storeContext.get(), name.get(), d->context.get());
    if (rc == 0) {
        rc = group_cipher_encrypt(cipher.get(), data(padded), size(padded), message.out());
    }
    padded.fill('\0');
    if (rc != 0) {
        return failure<QByteArray>(rc, QStringLiteral("Cannot encrypt for the group"));
    }
    Outcome<QByteArray> outcome;
    outcome.value = payloadOf(PayloadVersion, CIPHERTEXT_SENDERKEY_TYPE, message.get());
    return outcome;
}

Outcome<Decrypted> DeviceCrypto::groupDecrypt(const QString &groupId, const QString &sender,
                                              int device, const QByteArray &payload)
{
    const QString what =
        QStringLiteral("Cannot decrypt a group message from %1.%2").arg(sender).arg(device);
    if (payload.size() < 3 || payload.at(0) != PayloadVersion ||
        payload.at(1) != CIPHERTEXT_SENDERKEY_TYPE) {
        return failure<Decrypted>(DecryptFailure::Malformed,
                                  QStringLiteral("%1: not a group payload").arg(what));
    }
    if (!m_store.hasSenderKey(groupId, sender, device)) {
        return failure<Decrypted>(SG_ERR_NO_SESSION, what);
    }
    const SenderKeyName name(groupId, sender, device);
    Ref<sender_key_message> message;
    int rc = sender_key_message_deserialize(message.out(), data(payload) + 2, size(payload) - 2,
                                            d->context.get());
    if (rc != 0) {
        return failure<Decrypted>(DecryptFailure::Malformed,
                                  QStringLiteral("%1: corrupt message").arg(what));
    }
    GroupCipher cipher;
    Buffer plaintext;
    rc = group_cipher_create(cipher.out(), d->storeContext.get(), name.get(), d->context.get());
    if (rc == 0) {
        rc = group_cipher_decrypt(cipher.get(), message.get(), nullptr, plaintext.out(true));
    }
    if (rc != 0) {
        Outcome<Decrypted> failed = failure<Decrypted>(rc, what);
        if (failed.error.failure == DecryptFailure::Malformed) {
            failed.error.failure = DecryptFailure::InvalidMessage;
        }
        return failed;
    }
    return unpadded(plaintext, false, what);
}

namespace {
Outcome<Decrypted> unpadded(const Buffer &plaintext, bool preKey, const QString &what)
{
    QByteArray padded = plaintext.toByteArray();
    auto content = DeviceCrypto::unpad(padded);
    padded.fill('\0');
    if (!content) {
        return failure<Decrypted>(DecryptFailure::Malformed,
                                  QStringLiteral("%1: bad padding").arg(what));
    }
    Outcome<Decrypted> outcome;
    outcome.value = Decrypted{std::move(*content), preKey};
    return outcome;
}
} // namespace

QByteArray DeviceCrypto::pad(const QByteArray &plaintext)
{
    const qsizetype length =
        (plaintext.size() + 1 + PaddingBlock - 1) / PaddingBlock * PaddingBlock;
    QByteArray padded = plaintext;
    padded.append(static_cast<char>(0x80));
    padded.append(length - padded.size(), '\0');
    return padded;
}

std::optional<QByteArray> DeviceCrypto::unpad(const QByteArray &padded)
{
    qsizetype end = padded.size();
    while (end > 0 && padded.at(end - 1) == '\0') {
        --end;
    }
    if (end == 0 || static_cast<unsigned char>(padded.at(end - 1)) != 0x80) {
        return std::nullopt;
    }
    return padded.left(end - 1);
}

Outcome<SafetyNumber> DeviceCrypto::safetyNumber(const QString &localName,
                                                 QList<QByteArray> localKeys,
                                                 const QString &remoteName,
                                                 QList<QByteArray> remoteKeys)
{
    auto toList = [this](const QList<QByteArray> &keys, KeyList &list) {
        *list.out() = ec_public_key_list_alloc();
        for (const QByteArray &key : keys) {
            Ref<ec_public_key> decoded;
            if (curve_decode_point(decoded.out(), data(key), size(key), d->context.get()) != 0 ||
                ec_public_key_list_push_back(list.get(), decoded.get()) != 0) {
                return false;
            }
        }
        return true;
    };
    KeyList local;
    KeyList remote;
    if (localKeys.isEmpty() || remoteKeys.isEmpty() || !toList(localKeys, local) ||
        !toList(remoteKeys, remote)) {
        return failure<SafetyNumber>(DecryptFailure::Internal,
                                     QStringLiteral("No identity keys to compare."));
    }
    Generator generator;
    Ref<fingerprint> value;
    const QByteArray localId = localName.toUtf8();
    const QByteArray remoteId = remoteName.toUtf8();
    int rc =
        fingerprint_generator_create(generator.out(), FingerprintIterations, 1, d->context.get());
    if (rc == 0) {
        rc =
            fingerprint_generator_create_for_list(generator.get(), localId.constData(), local.get(),
                                                  remoteId.constData(), remote.get(), value.out());
    }
    if (rc != 0) {
        return failure<SafetyNumber>(rc, QStringLiteral("Cannot compute the safety number"));
    }
    SafetyNumber number;
    number.digits =
        QString::fromLatin1(displayable_fingerprint_text(fingerprint_get_displayable(value.get())));
    Buffer scannable;
    if (scannable_fingerprint_serialize(scannable.out(), fingerprint_get_scannable(value.get())) ==
        0) {
        number.scannable = scannable.toByteArray();
    }
    Outcome<SafetyNumber> outcome;
    outcome.value = std::move(number);
    return outcome;
}

} // namespace Tincan::Crypto
