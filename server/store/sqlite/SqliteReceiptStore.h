#pragma once

#include "server/store/Stores.h"
#include "server/store/sqlite/SqliteBackend.h"

#include <memory>

namespace Tincan::Server {

//! The embedded (SQLite) receipt store: one row per (conversation, participant).
class SqliteReceiptStore final : public ReceiptStore
{
public:
    explicit SqliteReceiptStore(SqliteBackend &backend);
    ~SqliteReceiptStore() override;
    void markDelivered(qint64 userId, QList<qint64> messageIds,
                       Done<QList<ReceiptChange>> done) override;
    void markDeliveredAt(qint64 userId, QList<DeliveredPosition> positions,
                         Done<QList<ReceiptChange>> done) override;
    void markRead(qint64 userId, QString conversation, qint64 seq,
                  Done<std::optional<ReceiptChange>> done) override;
    QList<Protocol::ReceiptState> receiptsAfter(qint64 userId, const QString &username,
                                                const ReceiptCursor &after, qint64 limit,
                                                QList<ReceiptCursor> *cursors) override;

private:
    struct Delivered; //!< markDelivered of all users, applied together (WriteCoalescer).
    SqliteBackend &m_backend;
    std::unique_ptr<Delivered> m_delivered;
};

} // namespace Tincan::Server
