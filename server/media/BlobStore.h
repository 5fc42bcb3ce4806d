#pragma once

#include <QByteArray>
#include <QIODevice>
#include <QString>

#include <memory>

namespace Tincan::Server {

class Sha256;

//! Appends to one partial upload. Not thread-safe; one writer per upload at a time.
class BlobWriter
{
public:
    virtual ~BlobWriter() = default;
    //! Appends; false with `error` (and `noSpace` set when the disk is full). A failed write
    //! leaves the blob at offset(): what was stored before it.
    virtual bool write(const char *data, qint64 length, QString *error, bool *noSpace) = 0;
    //! Makes everything written so far durable.
    virtual bool sync(QString *error) = 0;
    virtual qint64 offset() const = 0;
};

//! Where media blobs live: partial uploads by media id, complete blobs by their SHA-256
//! (content-addressed, immutable). FileBlobStore is the embedded one; an S3-compatible store can
//! implement the same interface. Thread-safe.
class BlobStore
{
public:
    virtual ~BlobStore() = default;
    virtual bool open(QString *error) = 0;
    //! Bytes stored so far for an upload (0: none).
    virtual qint64 partialSize(const QString &id) = 0;
    //! Opens an upload for appending at `offset` (<= partialSize; later bytes are dropped).
    virtual std::unique_ptr<BlobWriter> openPartial(const QString &id, qint64 offset,
                                                    QString *error) = 0;
    //! Hashes the first `length` bytes of an upload into `into` (to resume after a restart).
    virtual bool hashPartial(const QString &id, qint64 length, Sha256 *into, QString *error) = 0;
    //! The complete upload becomes the blob `sha256` (raw digest); the partial is gone after.
    virtual bool publish(const QString &id, const QByteArray &sha256, QString *error) = 0;
    virtual void removePartial(const QString &id) = 0;
    virtual void removeBlob(const QByteArray &sha256) = 0;
    virtual bool hasBlob(const QByteArray &sha256) = 0;
    //! The blob for reading (null if missing).
    virtual std::unique_ptr<QIODevice> openBlob(const QByteArray &sha256) = 0;
    //! Bytes free for new data (-1: unknown).
    virtual qint64 freeBytes() = 0;
};

//! Blobs on the local filesystem: `<root>/partial/<id>` while uploading, then
//! `<root>/blobs/<ab>/<sha256 hex>` (read-only). Publishing renames within one filesystem and
//! syncs the directory, so a complete blob is either there whole or not at all.
class FileBlobStore final : public BlobStore
{
public:
    explicit FileBlobStore(QString root)
        : m_root(std::move(root))
    {}
    bool open(QString *error) override;
    qint64 partialSize(const QString &id) override;
    std::unique_ptr<BlobWriter> openPartial(const QString &id, qint64 offset,
                                            QString *error) override;
    bool hashPartial(const QString &id, qint64 length, Sha256 *into, QString *error) override;
    bool publish(const QString &id, const QByteArray &sha256, QString *error) override;
    void removePartial(const QString &id) override;
    void removeBlob(const QByteArray &sha256) override;
    bool hasBlob(const QByteArray &sha256) override;
    std::unique_ptr<QIODevice> openBlob(const QByteArray &sha256) override;
    qint64 freeBytes() override;

    QString partialPath(const QString &id) const;
    QString blobPath(const QByteArray &sha256) const;

private:
    QString m_root;
};

} // namespace Tincan::Server
