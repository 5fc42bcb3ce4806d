#include "shared/crypto/MediaCipher.h"

#include <QtEndian>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <utility>

namespace Tincan::Crypto {

namespace {

using namespace MediaCipher;

constexpr char Magic[] = "TCM1";
constexpr char Info[] = "tincan media v1";
constexpr int NonceBytes = 12;

const unsigned char *bytes(const char *data)
{
    return reinterpret_cast<const unsigned char *>(data);
}

unsigned char *bytes(char *data)
{
    return reinterpret_cast<unsigned char *>(data);
}

//! HKDF-SHA256(ikm = key, salt, info = "tincan media v1") into `out` (KeyBytes).
bool deriveSubkey(const QByteArray &key, QByteArrayView salt, unsigned char *out)
{
    EVP_KDF *kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    if (!kdf) {
        return false;
    }
    EVP_KDF_CTX *context = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (!context) {
        return false;
    }
    char digest[] = "SHA256";
    // OSSL_PARAM takes non-const pointers but only reads through them here.
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char *>(key.constData()),
                                          static_cast<size_t>(key.size())),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char *>(salt.data()),
                                          static_cast<size_t>(salt.size())),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char *>(Info),
                                          sizeof(Info) - 1),
        OSSL_PARAM_construct_end()};
    const bool ok = EVP_KDF_derive(context, out, KeyBytes, params) == 1;
    EVP_KDF_CTX_free(context);
    return ok;
}

//! An AES-256-GCM context keyed with the blob's subkey, for any number of chunks: each chunk
//! only sets its nonce, so the key schedule is computed once per file.
evp_cipher_ctx_st *newChunkContext(const QByteArray &key, QByteArrayView salt, bool encrypt)
{
    if (key.size() != KeyBytes || salt.size() != SaltBytes) {
        return nullptr;
    }
    EVP_CIPHER_CTX *context = EVP_CIPHER_CTX_new();
    unsigned char subkey[KeyBytes];
    const bool ok = context && deriveSubkey(key, salt, subkey) &&
                    EVP_CipherInit_ex(context, EVP_aes_256_gcm(), nullptr, subkey, nullptr,
                                      encrypt ? 1 : 0) == 1;
    OPENSSL_cleanse(subkey, sizeof subkey);
    if (!ok) {
        EVP_CIPHER_CTX_free(context);
        return nullptr;
    }
    return context;
}

void makeNonce(quint64 index, bool final, unsigned char *nonce)
{
    nonce[0] = final ? 1 : 0;
    nonce[1] = nonce[2] = nonce[3] = 0;
    qToBigEndian(index, nonce + 4);
}

} // namespace

// ---- MediaCipher -------------------------------------------------------------------------------

qint64 MediaCipher::plainSize(qint64 cipherSize)
{
    if (cipherSize < HeaderBytes + TagBytes) {
        return -1;
    }
    const qint64 body = cipherSize - HeaderBytes;
    const qint64 chunks = body / CipherChunkSize + (body % CipherChunkSize != 0 ? 1 : 0);
    const qint64 plain = body - chunks * TagBytes;
    return plain >= 0 && MediaCipher::cipherSize(plain) == cipherSize ? plain : -1;
}

QByteArray MediaCipher::generateKey()
{
    QByteArray key(KeyBytes, Qt::Uninitialized);
    if (RAND_bytes(bytes(key.data()), KeyBytes) != 1) {
        return {};
    }
    return key;
}

// ---- MediaEncryptor ----------------------------------------------------------------------------

void MediaEncryptor::ContextFree::operator()(evp_cipher_ctx_st *context) const
{
    EVP_CIPHER_CTX_free(context);
}

MediaEncryptor::MediaEncryptor(const QByteArray &key, const QByteArray &salt)
{
    QByteArray usedSalt = salt;
    if (usedSalt.isEmpty()) {
        usedSalt.resize(SaltBytes);
        if (RAND_bytes(bytes(usedSalt.data()), SaltBytes) != 1) {
            return;
        }
    }
    m_context.reset(newChunkContext(key, usedSalt, true));
    if (m_context) {
        m_header = QByteArray(Magic, 4) + usedSalt;
    }
}

MediaEncryptor::~MediaEncryptor() = default;

QByteArray MediaEncryptor::encryptChunk(quint64 index, QByteArrayView plain, bool final)
{
    QByteArray out(plain.size() + TagBytes, Qt::Uninitialized);
    if (!encryptChunk(index, plain, final, out.data())) {
        return {};
    }
    return out;
}

bool MediaEncryptor::encryptChunk(quint64 index, QByteArrayView plain, bool final, char *out)
{
    if (!m_context || plain.size() > ChunkSize || (!final && plain.size() != ChunkSize)) {
        return false;
    }
    EVP_CIPHER_CTX *context = m_context.get();
    unsigned char nonce[NonceBytes];
    makeNonce(index, final, nonce);
    const int length = static_cast<int>(plain.size());
    int written = 0;
    int finalWritten = 0;
    if (EVP_EncryptInit_ex(context, nullptr, nullptr, nullptr, nonce) != 1 ||
        EVP_EncryptUpdate(context, nullptr, &written, bytes(m_header.constData()), HeaderBytes) !=
            1) {
        return false;
    }
    written = 0;
    if (length > 0 &&
        (EVP_EncryptUpdate(context, bytes(out), &written, bytes(plain.data()), length) != 1 ||
         written != length)) {
        return false;
    }
    return EVP_EncryptFinal_ex(context, bytes(out) + written, &finalWritten) == 1 &&
           finalWritten == 0 &&
           EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, TagBytes, bytes(out) + length) == 1;
}

// ---- MediaDecryptor ----------------------------------------------------------------------------

void MediaDecryptor::ContextFree::operator()(evp_cipher_ctx_st *context) const
{
    EVP_CIPHER_CTX_free(context);
}

MediaDecryptor::MediaDecryptor(const QByteArray &key)
    : m_key(key)
{
    if (m_key.size() != KeyBytes) {
        m_error = QStringLiteral("The media key must be %1 bytes, not %2.")
                      .arg(KeyBytes)
                      .arg(m_key.size());
    }
    m_header.reserve(HeaderBytes);
}

MediaDecryptor::~MediaDecryptor()
{
    OPENSSL_cleanse(m_key.data(), static_cast<size_t>(m_key.size()));
    if (!m_pending.isEmpty()) {
        OPENSSL_cleanse(m_pending.data(), static_cast<size_t>(m_pending.size()));
    }
}

bool MediaDecryptor::fail(const QString &message, QString *error)
{
    if (m_error.isEmpty()) {
        m_error = message;
    }
    if (error) {
        *error = m_error;
    }
    return false;
}

bool MediaDecryptor::takeHeader(QByteArrayView &in, QString *error)
{
    if (m_context) {
        return true;
    }
    const qsizetype take = std::min<qsizetype>(in.size(), HeaderBytes - m_header.size());
    m_header.append(in.first(take));
    in = in.sliced(take);
    if (m_header.size() < HeaderBytes) {
        return true;
    }
    if (!m_header.startsWith(QByteArrayView(Magic, 4))) {
        return fail(QStringLiteral("This is not Tincan media data (unknown header)."), error);
    }
    m_context.reset(newChunkContext(m_key, QByteArrayView(m_header).sliced(4), false));
    OPENSSL_cleanse(m_key.data(), static_cast<size_t>(m_key.size()));
    if (!m_context) {
        return fail(QStringLiteral("The media decryption could not be set up (OpenSSL)."), error);
    }
    m_pending.reserve(CipherChunkSize);
    return true;
}

bool MediaDecryptor::decryptChunk(QByteArrayView chunk, bool final, QByteArray *plainOut)
{
    const qsizetype length = chunk.size() - TagBytes;
    const qsizetype start = plainOut->size();
    plainOut->resize(start + length);
    unsigned char *out = bytes(plainOut->data()) + start;
    EVP_CIPHER_CTX *context = m_context.get();
    unsigned char nonce[NonceBytes];
    makeNonce(m_index, final, nonce);
    // OpenSSL wants a writable tag buffer.
    unsigned char tag[TagBytes];
    std::copy_n(bytes(chunk.data()) + length, TagBytes, tag);
    int written = 0;
    int finalWritten = 0;
    bool ok = EVP_DecryptInit_ex(context, nullptr, nullptr, nullptr, nonce) == 1 &&
              EVP_DecryptUpdate(context, nullptr, &written, bytes(m_header.constData()),
                                HeaderBytes) == 1;
    written = 0;
    if (ok && length > 0) {
        ok = EVP_DecryptUpdate(context, out, &written, bytes(chunk.data()),
                               static_cast<int>(length)) == 1 &&
             written == length;
    }
    ok = ok && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, TagBytes, tag) == 1 &&
         EVP_DecryptFinal_ex(context, out + written, &finalWritten) == 1;
    if (!ok) {
        // Unauthenticated plaintext never leaves.
        OPENSSL_cleanse(out, static_cast<size_t>(length));
        plainOut->resize(start);
        return false;
    }
    ++m_index;
    return true;
}

bool MediaDecryptor::update(QByteArrayView cipherBytes, QByteArray *plainOut, QString *error)
{
    if (failed()) {
        return fail(m_error, error);
    }
    if (m_finished) {
        return fail(QStringLiteral("Media data arrived after the end of the blob."), error);
    }
    QByteArrayView in = cipherBytes;
    m_consumed += in.size();
    if (!takeHeader(in, error)) {
        return false;
    }
    // A full chunk is only decrypted once a following byte proves it is not the last one (the
    // last one may be full too, and carries the final flag).
    auto decryptFull = [this, plainOut, error](QByteArrayView chunk) {
        if (decryptChunk(chunk, false, plainOut)) {
            return true;
        }
        QByteArray scratch;
        if (decryptChunk(chunk, true, &scratch)) {
            OPENSSL_cleanse(scratch.data(), static_cast<size_t>(scratch.size()));
            return fail(QStringLiteral("The media data goes on after its final chunk (%1).")
                            .arg(m_index - 1),
                        error);
        }
        return fail(QStringLiteral("Media chunk %1 failed authentication: the data was altered "
                                   "or reordered, or the key is wrong.")
                        .arg(m_index),
                    error);
    };
    while (!in.isEmpty()) {
        if (m_pending.size() == CipherChunkSize) {
            if (!decryptFull(m_pending)) {
                return false;
            }
            m_pending.resize(0);
        }
        if (m_pending.isEmpty()) {
            // Straight from the input, without copying, while there is more than one chunk.
            while (in.size() > CipherChunkSize) {
                if (!decryptFull(in.first(CipherChunkSize))) {
                    return false;
                }
                in = in.sliced(CipherChunkSize);
            }
        }
        const qsizetype take = std::min<qsizetype>(in.size(), CipherChunkSize - m_pending.size());
        m_pending.append(in.first(take));
        in = in.sliced(take);
    }
    return true;
}

bool MediaDecryptor::finish(QByteArray *plainOut, QString *error)
{
    if (failed()) {
        return fail(m_error, error);
    }
    if (m_finished) {
        return fail(QStringLiteral("The media data was already finished."), error);
    }
    m_finished = true;
    if (!m_context) {
        return fail(QStringLiteral("The media data is truncated: it ends inside its header."),
                    error);
    }
    if (m_pending.size() < TagBytes) {
        return fail(QStringLiteral("The media data is truncated: its final chunk is missing."),
                    error);
    }
    QByteArray pending = std::exchange(m_pending, {});
    if (decryptChunk(pending, true, plainOut)) {
        return true;
    }
    if (pending.size() == CipherChunkSize) {
        QByteArray scratch;
        if (decryptChunk(pending, false, &scratch)) {
            OPENSSL_cleanse(scratch.data(), static_cast<size_t>(scratch.size()));
            return fail(
                QStringLiteral("The media data is truncated: it ends after chunk %1, which is "
                               "not the final one.")
                    .arg(m_index - 1),
                error);
        }
    }
    return fail(QStringLiteral("The final media chunk (%1) failed authentication: the data was "
                               "altered or truncated, or the key is wrong.")
                    .arg(m_index),
                error);
}

// ---- MediaDigest -------------------------------------------------------------------------------

void MediaDigest::ContextFree::operator()(evp_md_ctx_st *context) const
{
    EVP_MD_CTX_free(context);
}

MediaDigest::MediaDigest()
    : m_context(EVP_MD_CTX_new())
{
    m_ok = m_context && EVP_DigestInit_ex(m_context.get(), EVP_sha256(), nullptr) == 1;
}

MediaDigest::~MediaDigest() = default;

void MediaDigest::addData(QByteArrayView data)
{
    if (m_ok && !data.isEmpty()) {
        m_ok =
            EVP_DigestUpdate(m_context.get(), data.data(), static_cast<size_t>(data.size())) == 1;
    }
}

QByteArray MediaDigest::result()
{
    QByteArray digest(DigestBytes, Qt::Uninitialized);
    unsigned int length = 0;
    const bool ok = m_ok &&
                    EVP_DigestFinal_ex(m_context.get(), bytes(digest.data()), &length) == 1 &&
                    length == DigestBytes;
    m_ok = m_context && EVP_DigestInit_ex(m_context.get(), EVP_sha256(), nullptr) == 1;
    return ok ? digest : QByteArray();
}

} // namespace Tincan::Crypto
