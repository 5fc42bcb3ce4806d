#pragma once

#include "server/media/BlobStore.h"
#include "server/media/Sha256.h"
#include "server/media/UrlSigner.h"
#include "server/store/Stores.h"

#include <QHash>
#include <QThreadPool>

#include <memory>
#include <mutex>

namespace Tincan::Server {

struct Config;

//! Media: the records (MediaStore), the blobs (BlobStore), signed URLs, and the uploads in
//! progress. Shared by the API handlers and the connection threads that receive uploads.
//! Thread-safe.
class MediaService
{
public:
    MediaService(const Config &config, MediaStore &store, GroupStore &groups,
                 std::unique_ptr<BlobStore> blobs);
    ~MediaService();

    //! Creates the directories and the URL signing key under `directory`.
    bool open(const QString &directory, QString *error);

    const Config &config() const { return m_config; }
    MediaStore &store() { return m_store; }
    BlobStore &blobs() { return *m_blobs; }
    const UrlSigner &signer() const { return m_signer; }
    //! For slow file work (fsync of a finished upload) off the connection threads.
    QThreadPool &filePool() { return m_filePool; }

    //! An upload being received: its hash so far matches `offset` bytes of the partial blob.
    struct Upload
    {
        QString id;
        qint64 offset = 0;
        Sha256 hash;
        bool busy = false;
    };
    //! Claims the upload of media `id` for one request (null: another request is receiving it).
    //! The returned state's hash covers its offset, which is what the blob store holds.
    std::shared_ptr<Upload> beginUpload(const QString &id, QString *error);
    //! The request is over (the state is kept for the next one).
    void endUpload(const std::shared_ptr<Upload> &upload);
    //! Forgets an upload (completed or deleted).
    void forgetUpload(const QString &id);

    //! Whether `user` may download the media: its account uploaded it, or they take part in a
    //! conversation with a message that references it.
    bool mayDownload(qint64 userId, const QString &username, const MediaRecord &media);

    //! Deletes the files of what a purge or a delete removed (writer thread, after the commit).
    void removeFiles(const MediaPurge &purge);
    //! Retention: forgets old references and deletes unreferenced media and their files.
    void purge(qint64 nowMs, std::function<void(qint64 removed)> done);

    static bool isValidId(const QString &id);
    static QString newId();

private:
    const Config &m_config;
    MediaStore &m_store;
    GroupStore &m_groups;
    std::unique_ptr<BlobStore> m_blobs;
    UrlSigner m_signer;
    QThreadPool m_filePool;
    std::mutex m_mutex;
    QHash<QString, std::shared_ptr<Upload>> m_uploads;
};

} // namespace Tincan::Server
