#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <limits>
#include <memory>

struct evp_cipher_ctx_st;
struct evp_md_ctx_st;

namespace Tincan::Crypto {

//! The media ciphertext format (issue 5): a file is encrypted once, with a fresh random key, into
//! a blob that the server stores and serves byte ranges of; the key and the blob's SHA-256 travel
//! end to end inside a Signal message (Protocol::MessageContent::Kind::Media).
//!
//! Blob = header || chunk_0 || ... || chunk_last.
//! - header: ASCII "TCM1" followed by a 16-byte random salt (HeaderBytes in all).
//! - subkey = HKDF-SHA256(ikm = file key, salt = salt, info = "tincan media v1"), 32 bytes.
//! - The plaintext is cut in ChunkSize pieces; every chunk but the last is full, the last holds
//!   0..ChunkSize bytes (an empty file has exactly one, empty, final chunk).
//! - chunk_i = AES-256-GCM(subkey, nonce_i, aad = header, piece_i) || 16-byte tag, with
//!   nonce_i = [final ? 0x01 : 0x00] || 00 00 00 || uint64_be(i).
//! So changing, reordering, dropping or appending chunks, or cutting the blob anywhere, fails
//! authentication (truncation shows as a missing final chunk).
//! The functions below are thread-safe.
namespace MediaCipher {

inline constexpr qint64 ChunkSize = 65536;
inline constexpr qint64 TagBytes = 16;
inline constexpr qint64 SaltBytes = 16;
inline constexpr qint64 HeaderBytes = 4 + SaltBytes;
inline constexpr qint64 KeyBytes = 32;
//! SHA-256 of a blob (MediaDigest).
inline constexpr qint64 DigestBytes = 32;
//! One full chunk in the blob: ChunkSize plaintext bytes and their tag.
inline constexpr qint64 CipherChunkSize = ChunkSize + TagBytes;

//! Chunks in the blob of `plainSize` bytes: max(1, ceil(plainSize / ChunkSize)); -1 if negative.
constexpr qint64 chunkCount(qint64 plainSize)
{
    if (plainSize < 0) {
        return -1;
    }
    return plainSize == 0 ? 1 : (plainSize - 1) / ChunkSize + 1;
}

//! Bytes of the blob of a `plainSize`-byte file; -1 if negative or too large for a qint64.
constexpr qint64 cipherSize(qint64 plainSize)
{
    const qint64 chunks = chunkCount(plainSize);
    if (chunks < 0 ||
        plainSize > std::numeric_limits<qint64>::max() - HeaderBytes - chunks * TagBytes) {
        return -1;
    }
    return HeaderBytes + plainSize + chunks * TagBytes;
}

//! The plaintext size whose blob has `cipherSize` bytes; -1 if no plaintext size maps to it.
qint64 plainSize(qint64 cipherSize);

//! A fresh random file key (KeyBytes) from the OS CSPRNG; empty on failure. Never reuse one.
QByteArray generateKey();

} // namespace MediaCipher

//! Encrypts a file chunk by chunk. Stateless per chunk: any chunk can be (re)made at any time, in
//! any order, so an upload can restart at any chunk boundary (key, salt and index fix the nonce).
//! Not thread-safe: one object per thread.
class MediaEncryptor
{
public:
    //! `key` is the file key (MediaCipher::KeyBytes); `salt` (SaltBytes) is random if empty.
    //! Check ok() after construction.
    explicit MediaEncryptor(const QByteArray &key, const QByteArray &salt = {});
    ~MediaEncryptor();
    MediaEncryptor(const MediaEncryptor &) = delete;
    MediaEncryptor &operator=(const MediaEncryptor &) = delete;

    //! False if the key or salt has the wrong size or OpenSSL failed.
    bool ok() const { return m_context != nullptr; }
    //! The blob's first HeaderBytes bytes ("TCM1" + salt).
    QByteArray header() const { return m_header; }
    QByteArray salt() const { return m_header.mid(4); }

    //! Chunk `index`: `plain` is ChunkSize bytes, or 0..ChunkSize for the `final` one.
    //! Returns plain.size() + TagBytes bytes, or an empty array on misuse or failure.
    QByteArray encryptChunk(quint64 index, QByteArrayView plain, bool final);
    //! The same into `out`, which must have room for plain.size() + TagBytes bytes.
    bool encryptChunk(quint64 index, QByteArrayView plain, bool final, char *out);

private:
    struct ContextFree
    {
        void operator()(evp_cipher_ctx_st *context) const;
    };
    std::unique_ptr<evp_cipher_ctx_st, ContextFree> m_context;
    QByteArray m_header;
};

//! Decrypts and authenticates a blob fed in order, in pieces of any size (header first), e.g.
//! as a download arrives. Holds at most one chunk. Plaintext comes out chunk by chunk once each
//! chunk is authenticated; the whole file is only proven complete (not truncated) when finish()
//! succeeds, so write the output to a temporary file and keep it only then.
//! Not thread-safe: one object per thread.
class MediaDecryptor
{
public:
    explicit MediaDecryptor(const QByteArray &key);
    ~MediaDecryptor();
    MediaDecryptor(const MediaDecryptor &) = delete;
    MediaDecryptor &operator=(const MediaDecryptor &) = delete;

    //! Takes the next `cipherBytes` of the blob and appends the plaintext of every chunk that is
    //! complete (and known not to be the last) to `plainOut`. False, with a readable `error`, if
    //! the data is not a valid blob for this key; every later call then fails too.
    bool update(QByteArrayView cipherBytes, QByteArray *plainOut, QString *error);
    //! The blob is complete: authenticates its final chunk and appends its plaintext. False if
    //! the blob was truncated, altered, or an earlier call failed.
    bool finish(QByteArray *plainOut, QString *error);

    //! Blob bytes taken so far.
    qint64 consumed() const { return m_consumed; }
    bool failed() const { return !m_error.isEmpty(); }

private:
    bool fail(const QString &message, QString *error);
    bool takeHeader(QByteArrayView &in, QString *error);
    //! Decrypts one chunk (data || tag) as chunk m_index and appends its plaintext.
    bool decryptChunk(QByteArrayView chunk, bool final, QByteArray *plainOut);

    struct ContextFree
    {
        void operator()(evp_cipher_ctx_st *context) const;
    };
    std::unique_ptr<evp_cipher_ctx_st, ContextFree> m_context;
    QByteArray m_key;
    QByteArray m_header;
    QByteArray m_pending; //!< Bytes of the current chunk not yet decrypted (at most one chunk).
    quint64 m_index = 0;
    qint64 m_consumed = 0;
    bool m_finished = false;
    QString m_error;
};

//! SHA-256 of a blob fed in pieces: the digest in the message, and the server's ETag and
//! Tincan-Sha256. Not thread-safe.
class MediaDigest
{
public:
    MediaDigest();
    ~MediaDigest();
    MediaDigest(const MediaDigest &) = delete;
    MediaDigest &operator=(const MediaDigest &) = delete;

    void addData(QByteArrayView bytes);
    //! The 32-byte digest of everything added (empty if OpenSSL failed); starts over afterwards.
    QByteArray result();

private:
    struct ContextFree
    {
        void operator()(evp_md_ctx_st *context) const;
    };
    std::unique_ptr<evp_md_ctx_st, ContextFree> m_context;
    bool m_ok = false;
};

} // namespace Tincan::Crypto
