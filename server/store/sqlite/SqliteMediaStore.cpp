#include "server/store/sqlite/SqliteMediaStore.h"

#include "server/store/sqlite/SqliteSupport.h"

#include <QSet>

namespace Tincan::Server {

using Protocol::ApiError;
using Protocol::Result;
using namespace SqliteSupport;

namespace {

const QString MediaColumns =
    QStringLiteral("SELECT id, owner_user, owner_device, size, state, sha256, created_at, "
                   "completed_at FROM media ");

MediaRecord readMedia(const QSqlQuery &query)
{
    MediaRecord media;
    media.id = query.value(0).toString();
    media.ownerUserId = query.value(1).toLongLong();
    media.ownerDeviceId = query.value(2).toLongLong();
    media.size = query.value(3).toLongLong();
    media.state = query.value(4).toString();
    media.sha256 = query.value(5).toByteArray();
    media.createdAt = query.value(6).toLongLong();
    media.completedAt = query.value(7).toLongLong();
    return media;
}

ApiError unknownMedia(const QString &id)
{
    return ApiError::notFound(QStringLiteral("There is no media %1.").arg(id.left(64)),
                              Protocol::ErrorCode::UnknownMedia);
}

//! Writer thread: the media row, or 404.
Result<MediaRecord> writerMedia(SqliteBackend &backend, const QString &id)
{
    QSqlQuery &query = backend.writerQuery(MediaColumns + QStringLiteral("WHERE id = ?"));
    if (!execPrepared(query, {id})) {
        return storageError(query);
    }
    if (!query.next()) {
        query.finish();
        return unknownMedia(id);
    }
    MediaRecord media = readMedia(query);
    query.finish();
    return media;
}

} // namespace

void SqliteMediaStore::createMedia(const MediaRecord &media, Done<MediaRecord> done)
{
    SqliteBackend &backend = m_backend;
    runWrite<MediaRecord>(
        backend,
        [&backend, media]() -> Result<MediaRecord> {
            QSqlQuery &insert = backend.writerQuery(
                QStringLiteral("INSERT INTO media (id, owner_user, owner_device, size, state, "
                               "created_at) VALUES (?, ?, ?, ?, 'uploading', ?)"));
            if (!execPrepared(insert, {media.id, media.ownerUserId, media.ownerDeviceId, media.size,
                                       media.createdAt})) {
                return storageError(insert);
            }
            return writerMedia(backend, media.id);
        },
        std::move(done));
}

std::optional<MediaRecord> SqliteMediaStore::media(const QString &id)
{
    SqliteBackend::ReadQuery query(m_backend, MediaColumns + QStringLiteral("WHERE id = ?"));
    if (!query.exec({id}) || !query->next()) {
        return std::nullopt;
    }
    return readMedia(*query.operator->());
}

void SqliteMediaStore::completeMedia(const QString &id, const QByteArray &sha256, qint64 nowMs,
                                     std::function<bool()> publish, Done<MediaRecord> done)
{
    SqliteBackend &backend = m_backend;
    runWrite<MediaRecord>(
        backend,
        [&backend, id, sha256, nowMs, publish = std::move(publish)]() -> Result<MediaRecord> {
            auto media = writerMedia(backend, id);
            if (!media) {
                return media;
            }
            if (media->state == QLatin1String("complete")) {
                return media;
            }
            if (!publish()) {
                return ApiError{507,
                                QString::fromLatin1(Protocol::ErrorCode::InsufficientStorage),
                                QStringLiteral("The server could not store the upload."),
                                {}};
            }
            QSqlQuery &update = backend.writerQuery(
                QStringLiteral("UPDATE media SET state = 'complete', sha256 = ?, completed_at = ? "
                               "WHERE id = ?"));
            if (!execPrepared(update, {sha256, nowMs, id})) {
                return storageError(update);
            }
            return writerMedia(backend, id);
        },
        std::move(done));
}

void SqliteMediaStore::attachMedia(qint64 userId, QStringList ids, QString conversation,
                                   qint64 nowMs, Done<bool> done)
{
    SqliteBackend &backend = m_backend;
    runWrite<bool>(
        backend,
        [&backend, userId, ids = std::move(ids), conversation = std::move(conversation),
         nowMs]() -> Result<bool> {
            for (const QString &id : ids) {
                auto media = writerMedia(backend, id);
                if (!media) {
                    return media.error();
                }
                if (media->ownerUserId != userId) {
                    return ApiError::forbidden(
                        QStringLiteral("Media %1 was uploaded by another account.").arg(id));
                }
                if (media->state != QLatin1String("complete")) {
                    return ApiError::conflict(
                        QStringLiteral("Media %1 is not completely uploaded yet.").arg(id),
                        Protocol::ErrorCode::MediaNotReady);
                }
                QSqlQuery &insert = backend.writerQuery(QStringLiteral(
                    "INSERT INTO media_refs (media_id, conversation, attached_at) "
                    "VALUES (?, ?, ?) ON CONFLICT (media_id, conversation) DO "
                    "UPDATE SET attached_at = MAX(attached_at, excluded.attached_at)"));
                if (!execPrepared(insert, {id, conversation, nowMs})) {
                    return storageError(insert);
                }
            }
            return true;
        },
        std::move(done));
}

QStringList SqliteMediaStore::conversationsOf(const QString &id)
{
    SqliteBackend::ReadQuery query(
        m_backend, QStringLiteral("SELECT conversation FROM media_refs WHERE media_id = ?"));
    QStringList conversations;
    if (!query.exec({id})) {
        return conversations;
    }
    while (query->next()) {
        conversations.append(query->value(0).toString());
    }
    return conversations;
}

void SqliteMediaStore::deleteMedia(qint64 userId, const QString &id,
                                   std::function<void(const MediaPurge &)> unlink,
                                   Done<MediaRecord> done)
{
    SqliteBackend &backend = m_backend;
    auto purge = std::make_shared<MediaPurge>();
    runWrite<MediaRecord>(
        backend,
        [&backend, userId, id, purge]() -> Result<MediaRecord> {
            purge->removed.clear();
            purge->orphanBlobs.clear();
            auto media = writerMedia(backend, id);
            if (!media) {
                return media;
            }
            if (media->ownerUserId != userId) {
                return unknownMedia(id);
            }
            QSqlQuery &refs = backend.writerQuery(
                QStringLiteral("SELECT COUNT(*) FROM media_refs WHERE media_id = ?"));
            if (!execPrepared(refs, {id}) || !refs.next()) {
                return storageError(refs);
            }
            const qint64 count = refs.value(0).toLongLong();
            refs.finish();
            if (count > 0) {
                return ApiError::conflict(
                    QStringLiteral("Media %1 was sent in a message; it stays until the message "
                                   "expires.")
                        .arg(id),
                    Protocol::ErrorCode::UploadClosed);
            }
            QSqlQuery &remove =
                backend.writerQuery(QStringLiteral("DELETE FROM media WHERE id = ?"));
            if (!execPrepared(remove, {id})) {
                return storageError(remove);
            }
            purge->removed.append(*media);
            if (!media->sha256.isEmpty()) {
                QSqlQuery &used = backend.writerQuery(
                    QStringLiteral("SELECT 1 FROM media WHERE sha256 = ? LIMIT 1"));
                if (!execPrepared(used, {media->sha256})) {
                    return storageError(used);
                }
                const bool stillUsed = used.next();
                used.finish();
                if (!stillUsed) {
                    purge->orphanBlobs.append(media->sha256);
                }
            }
            return media;
        },
        [purge, unlink = std::move(unlink), done = std::move(done)](Result<MediaRecord> result) {
            if (result) {
                unlink(*purge);
            }
            done(std::move(result));
        });
}

void SqliteMediaStore::purgeMedia(qint64 referencedBefore, qint64 unreferencedBefore,
                                  std::function<void(const MediaPurge &)> unlink, Done<qint64> done)
{
    SqliteBackend &backend = m_backend;
    auto purge = std::make_shared<MediaPurge>();
    runWrite<qint64>(
        backend,
        [&backend, referencedBefore, unreferencedBefore, purge]() -> Result<qint64> {
            purge->removed.clear();
            purge->orphanBlobs.clear();
            QSqlQuery &refs =
                backend.writerQuery(QStringLiteral("DELETE FROM media_refs WHERE attached_at < ?"));
            if (!execPrepared(refs, {referencedBefore})) {
                return storageError(refs);
            }
            QSqlQuery &doomed = backend.writerQuery(
                MediaColumns + QStringLiteral("WHERE created_at < ? AND NOT EXISTS (SELECT 1 FROM "
                                              "media_refs r WHERE r.media_id = media.id)"));
            if (!execPrepared(doomed, {unreferencedBefore})) {
                return storageError(doomed);
            }
            while (doomed.next()) {
                purge->removed.append(readMedia(doomed));
            }
            doomed.finish();
            QSqlQuery &remove =
                backend.writerQuery(QStringLiteral("DELETE FROM media WHERE id = ?"));
            QSet<QByteArray> digests;
            for (const MediaRecord &media : std::as_const(purge->removed)) {
                if (!execPrepared(remove, {media.id})) {
                    return storageError(remove);
                }
                if (!media.sha256.isEmpty()) {
                    digests.insert(media.sha256);
                }
            }
            QSqlQuery &used =
                backend.writerQuery(QStringLiteral("SELECT 1 FROM media WHERE sha256 = ? LIMIT 1"));
            for (const QByteArray &digest : std::as_const(digests)) {
                if (!execPrepared(used, {digest})) {
                    return storageError(used);
                }
                const bool stillUsed = used.next();
                used.finish();
                if (!stillUsed) {
                    purge->orphanBlobs.append(digest);
                }
            }
            return qint64(purge->removed.size());
        },
        [purge, unlink = std::move(unlink), done = std::move(done)](Result<qint64> result) {
            if (result) {
                unlink(*purge);
            }
            done(std::move(result));
        });
}

bool SqliteMediaStore::blobInUse(const QByteArray &sha256)
{
    SqliteBackend::ReadQuery query(m_backend,
                                   QStringLiteral("SELECT 1 FROM media WHERE sha256 = ? LIMIT 1"));
    return query.exec({sha256}) && query->next();
}

} // namespace Tincan::Server
