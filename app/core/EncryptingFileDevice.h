#pragma once

#include "shared/crypto/MediaCipher.h"

#include <QFile>
#include <QIODevice>

#include <optional>

namespace Tincan::Client {

//! A read-only, seekable QIODevice that reads a plaintext file and yields its media blob
//! (Crypto::MediaCipher: header + encrypted chunks), the body of an upload (UploadSender reads
//! it as libcurl asks). Nothing is written anywhere: each chunk is encrypted when it is read, at
//! most two chunks are held.
//!
//! Positions are blob offsets. seek() goes anywhere (the chunk holding the position is
//! encrypted again: key, salt and index fix its bytes), so resuming an upload at the server's
//! Upload-Offset n is seek(n); setEnd() cuts the device short.
//!
//! The file must not change while it is read: a size different from the one at open() is an
//! error (read() returns -1, failed() is true, errorString() says so). Same-size edits are
//! caught by the digest: the one taken while sending (or digestOf() for a resumed upload) is
//! compared with the server's Tincan-Sha256 at the end.
//!
//! Key and salt must stay the same for the whole life of one upload (one media id); a changed
//! file needs a new key, never the same key and salt (GCM nonce reuse).
//! Thread contract: one thread at a time, like any QIODevice.
class EncryptingFileDevice : public QIODevice
{
    Q_OBJECT

public:
    //! `key` is the file key (MediaCipher::KeyBytes), `salt` MediaCipher::SaltBytes (random if
    //! empty: then keep salt() for a later resume).
    EncryptingFileDevice(const QString &path, const QByteArray &key, const QByteArray &salt = {},
                         QObject *parent = nullptr);
    ~EncryptingFileDevice() override;

    //! Only QIODevice::ReadOnly. False, with errorString(), if the file cannot be opened or the
    //! key or salt is invalid.
    bool open(OpenMode mode) override;
    void close() override;
    bool isSequential() const override { return false; }
    //! The end of the device: the whole blob's size (cipherSize()) unless setEnd() cut it.
    qint64 size() const override;
    bool seek(qint64 pos) override;

    //! Ends the device at blob offset `end` (clamped to cipherSize()); -1 for the whole blob.
    void setEnd(qint64 end);
    //! Bytes of the plaintext file at open(), and of its blob.
    qint64 plainSize() const { return m_plainSize; }
    qint64 cipherSize() const { return Crypto::MediaCipher::cipherSize(m_plainSize); }
    //! The salt in the header (the one given, or the random one).
    QByteArray salt() const { return m_encryptor.salt(); }
    //! Whether a read failed (I/O error, or the file changed size).
    bool failed() const { return m_failed; }

    //! SHA-256 of the whole blob of `path` under `key` and `salt`, in one streaming pass (the
    //! digest of the message; the server reports the same as Tincan-Sha256 and ETag). Nothing,
    //! with `error`, if the file cannot be read or changes during the pass.
    static std::optional<QByteArray> digestOf(const QString &path, const QByteArray &key,
                                              const QByteArray &salt, QString *error);

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *data, qint64 size) override;

private:
    //! Encrypts chunk `index` into m_chunk, unless it is there already.
    bool loadChunk(qint64 index);
    qint64 failRead(const QString &message);

    QFile m_file;
    Crypto::MediaEncryptor m_encryptor;
    qint64 m_plainSize = 0;
    qint64 m_end = -1;
    qint64 m_pos = 0;
    QByteArray m_plain;
    QByteArray m_chunk;
    qint64 m_chunkIndex = -1;
    qint64 m_chunkLength = 0;
    bool m_failed = false;
};

} // namespace Tincan::Client
