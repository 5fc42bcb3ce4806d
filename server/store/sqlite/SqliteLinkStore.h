#pragma once

#include "server/store/Stores.h"
#include "server/store/sqlite/SqliteBackend.h"

namespace Tincan::Server {

//! The embedded (SQLite) link store: `device_links`, and `link_history` for the transfers.
class SqliteLinkStore final : public LinkStore
{
public:
    explicit SqliteLinkStore(SqliteBackend &backend)
        : m_backend(backend)
    {}
    void createLink(qint64 userId, qint64 deviceId, const QByteArray &codeHash, qint64 expiresAt,
                    qint64 maxOpen, Done<DeviceLinkRecord> done) override;
    std::optional<DeviceLinkRecord> link(qint64 linkId) override;
    void claimLink(const QByteArray &codeHash, const DeviceLinkRecord &claim, qint64 nowMs,
                   Done<DeviceLinkRecord> done) override;
    void decideLink(qint64 userId, qint64 linkId, bool approve, bool history, qint64 nowMs,
                    Done<DeviceLinkRecord> done) override;
    void completeLink(qint64 linkId, const QByteArray &secretHash, const QByteArray &tokenHash,
                      const DeviceKeys &keys, qint64 maxDevices, qint64 nowMs,
                      Done<DeviceLinkRecord> done) override;
    void storeHistoryPart(qint64 linkId, qint64 part, qint64 parts, const QByteArray &data,
                          qint64 maxBytes, Done<DeviceLinkRecord> done) override;
    std::optional<QByteArray> historyPart(qint64 linkId, qint64 part) override;
    void dropHistory(qint64 linkId, Done<bool> done) override;
    void purgeLinks(qint64 unfinishedBefore, qint64 linkedBefore, Done<qint64> done) override;

private:
    SqliteBackend &m_backend;
};

} // namespace Tincan::Server
