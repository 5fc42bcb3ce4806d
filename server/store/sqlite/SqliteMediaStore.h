#pragma once

#include "server/store/Stores.h"
#include "server/store/sqlite/SqliteBackend.h"

namespace Tincan::Server {

//! The embedded (SQLite) media store: `media` and `media_refs`.
class SqliteMediaStore final : public MediaStore
{
public:
    explicit SqliteMediaStore(SqliteBackend &backend)
        : m_backend(backend)
    {}
    void createMedia(const MediaRecord &media, Done<MediaRecord> done) override;
    std::optional<MediaRecord> media(const QString &id) override;
    void completeMedia(const QString &id, const QByteArray &sha256, qint64 nowMs,
                       std::function<bool()> publish, Done<MediaRecord> done) override;
    void attachMedia(qint64 userId, QStringList ids, QString conversation, qint64 nowMs,
                     Done<bool> done) override;
    QStringList conversationsOf(const QString &id) override;
    void deleteMedia(qint64 userId, const QString &id,
                     std::function<void(const MediaPurge &)> unlink,
                     Done<MediaRecord> done) override;
    void purgeMedia(qint64 referencedBefore, qint64 unreferencedBefore,
                    std::function<void(const MediaPurge &)> unlink, Done<qint64> done) override;
    bool blobInUse(const QByteArray &sha256) override;

private:
    SqliteBackend &m_backend;
};

} // namespace Tincan::Server
