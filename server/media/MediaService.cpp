#include "server/media/MediaService.h"

#include "server/core/Config.h"
#include "server/core/Logging.h"
#include "shared/protocol/Validation.h"

#include <QDir>

#include <openssl/rand.h>

namespace Tincan::Server {

MediaService::MediaService(const Config &config, MediaStore &store, GroupStore &groups,
                           std::unique_ptr<BlobStore> blobs)
    : m_config(config)
    , m_store(store)
    , m_groups(groups)
    , m_blobs(std::move(blobs))
{
    m_filePool.setMaxThreadCount(2);
}

MediaService::~MediaService()
{
    m_filePool.waitForDone();
}

bool MediaService::open(const QString &directory, QString *error)
{
    if (!QDir().mkpath(directory)) {
        *error = QStringLiteral("Cannot create the media directory %1.").arg(directory);
        return false;
    }
    if (!m_blobs->open(error)) {
        return false;
    }
    return m_signer.load(directory + QStringLiteral("/url-signing.key"), error);
}

std::shared_ptr<MediaService::Upload> MediaService::beginUpload(const QString &id, QString *error)
{
    std::shared_ptr<Upload> upload;
    {
        std::lock_guard lock(m_mutex);
        auto &slot = m_uploads[id];
        if (!slot) {
            slot = std::make_shared<Upload>();
            slot->id = id;
            slot->offset = -1; // Not hashed yet.
        }
        if (slot->busy) {
            return nullptr;
        }
        slot->busy = true;
        upload = slot;
    }
    // Only this request touches the state now.
    const qint64 stored = m_blobs->partialSize(id);
    if (upload->offset != stored) {
        // First upload request since a restart, or the blob was cut back: hash what is there.
        upload->hash.reset();
        QString hashError;
        if (!m_blobs->hashPartial(id, stored, &upload->hash, &hashError)) {
            qCWarning(lcServer).noquote() << "cannot resume media upload" << id << ":" << hashError;
            upload->hash.reset();
            upload->offset = 0;
            m_blobs->removePartial(id);
        } else {
            upload->offset = stored;
        }
    }
    Q_UNUSED(error);
    return upload;
}

void MediaService::endUpload(const std::shared_ptr<Upload> &upload)
{
    std::lock_guard lock(m_mutex);
    upload->busy = false;
}

void MediaService::forgetUpload(const QString &id)
{
    std::lock_guard lock(m_mutex);
    m_uploads.remove(id);
}

bool MediaService::mayDownload(qint64 userId, const QString &username, const MediaRecord &media)
{
    if (media.ownerUserId == userId) {
        return true;
    }
    const QStringList conversations = m_store.conversationsOf(media.id);
    for (const QString &conversation : conversations) {
        if (!Protocol::directPeer(conversation, username).isEmpty()) {
            return true;
        }
        const QString group = Protocol::groupIdOf(conversation);
        if (!group.isEmpty() && m_groups.group(group, userId)) {
            return true;
        }
    }
    return false;
}

void MediaService::removeFiles(const MediaPurge &purge)
{
    // No upload can complete into these blobs until this returns: completions publish on the
    // writer thread too.
    for (const MediaRecord &media : purge.removed) {
        m_blobs->removePartial(media.id);
        forgetUpload(media.id);
    }
    for (const QByteArray &digest : purge.orphanBlobs) {
        m_blobs->removeBlob(digest);
    }
}

void MediaService::purge(qint64 nowMs, std::function<void(qint64)> done)
{
    const qint64 referencedBefore = nowMs - m_config.retentionSeconds * 1000;
    const qint64 unreferencedBefore = nowMs - m_config.mediaUnreferencedGraceSeconds * 1000;
    m_store.purgeMedia(
        referencedBefore, unreferencedBefore,
        [this](const MediaPurge &purge) { removeFiles(purge); },
        [done = std::move(done)](Protocol::Result<qint64> removed) {
            if (!removed) {
                qCWarning(lcServer) << "media purge failed:" << removed.error().message;
                done(-1);
                return;
            }
            done(*removed);
        });
}

bool MediaService::isValidId(const QString &id)
{
    if (id.size() != 32) {
        return false;
    }
    for (const QChar c : id) {
        if (!((c >= QLatin1Char('0') && c <= QLatin1Char('9')) ||
              (c >= QLatin1Char('a') && c <= QLatin1Char('f')))) {
            return false;
        }
    }
    return true;
}

QString MediaService::newId()
{
    unsigned char bytes[16];
    RAND_bytes(bytes, sizeof bytes);
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(bytes), sizeof bytes).toHex());
}

} // namespace Tincan::Server
