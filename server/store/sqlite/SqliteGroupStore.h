#pragma once

#include "server/store/Stores.h"
#include "server/store/sqlite/SqliteBackend.h"

namespace Tincan::Server {

//! The embedded (SQLite) group store: groups, membership with the seqs at which it began and
//! ended, group messages stored once, and their fan-out jobs.
class SqliteGroupStore final : public GroupStore
{
public:
    explicit SqliteGroupStore(SqliteBackend &backend)
        : m_backend(backend)
    {}
    void changeGroup(GroupChange change, Done<GroupChangeResult> done) override;
    std::optional<Group> group(const QString &groupId, qint64 userId) override;
    QList<GroupSummary> groupsOf(qint64 userId) override;
    void storeGroupMessage(NewGroupMessage message, Done<StoredMessage> done) override;

private:
    SqliteBackend &m_backend;
};

//! The embedded fan-out queue: the fanout_jobs table, worked off on the writer thread.
class SqliteFanoutQueue final : public FanoutQueue
{
public:
    explicit SqliteFanoutQueue(SqliteBackend &backend)
        : m_backend(backend)
    {}
    void fanOut(qint64 maxDeliveries, Done<FanoutRound> done) override;
    qint64 pendingJobs() override;

private:
    SqliteBackend &m_backend;
};

} // namespace Tincan::Server
