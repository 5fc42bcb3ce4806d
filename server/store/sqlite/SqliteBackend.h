#pragma once

#include "shared/storage/Connection.h"

#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace Tincan::Server {

//! Owns the daemon's SQLite database: one writer thread that applies writes in batches (group
//! commit: everything queued while the previous batch was committing goes into the next
//! transaction, and nobody is answered before their batch is durable), plus one read connection
//! per calling thread (WAL lets them read while the writer writes).
//!
//! Thread contract: all public methods are thread-safe.
class SqliteBackend
{
public:
    struct WriteOp
    {
        //! Runs on the writer thread inside the batch transaction, in a savepoint of its own.
        //! Return false to roll back just this op.
        std::function<bool(QSqlDatabase &)> work;
        //! Runs on the writer thread after the batch: committed is true when `work` returned
        //! true and the transaction reached disk.
        std::function<void(bool committed)> done;
    };

    SqliteBackend();
    ~SqliteBackend();

    //! Opens (creating if needed) and migrates the database, then starts the writer thread.
    bool open(const QString &path, const QString &synchronous, QString *error);
    //! Drains queued writes, commits them, and stops the writer thread.
    void close();

    void submit(WriteOp op);
    //! A prepared statement cached on this thread's read connection, for one use: bind, exec,
    //! read rows; the guard's destructor finishes the statement, which ends its read
    //! transaction (an open one would pin an old WAL snapshot).
    class ReadQuery
    {
    public:
        ReadQuery(SqliteBackend &backend, const QString &sql);
        ~ReadQuery() { m_query.finish(); }
        ReadQuery(const ReadQuery &) = delete;
        ReadQuery &operator=(const ReadQuery &) = delete;

        bool exec(std::initializer_list<QVariant> values);
        bool exec(const QVariantList &values);
        QSqlQuery *operator->() { return &m_query; }

    private:
        QSqlQuery &m_query;
    };
    //! Drops the calling thread's read connection; call before a thread that used it ends.
    void releaseThreadConnection();

    //! A prepared statement cached for the writer thread. Call only from WriteOp::work.
    QSqlQuery &writerQuery(const QString &sql);

    //! Number of batches and ops committed so far (for metrics and benchmarks).
    quint64 batchesCommitted() const;
    //! Runs the writer thread (named `tincan-writer`) `steps` nice levels above the process
    //! (every write waits for it). False if the process may not raise a thread's priority
    //! (neither CAP_SYS_NICE nor a RLIMIT_NICE that allows it). Linux only.
    bool raiseWriterPriority(int steps);

private:
    struct ThreadReader;
    static std::unordered_map<quint64, std::unique_ptr<ThreadReader>> &threadReaders();
    ThreadReader &threadReader();
    void writerLoop();

    QString m_path;
    QString m_synchronous;
    quint64 m_instanceId = 0;
    Storage::Connection *m_writer = nullptr;
    //! Writer thread only. Each statement on the heap: callers hold several references at once,
    //! and inserting into a Qt 6 QHash may move its values (a held reference would dangle).
    QHash<QString, std::shared_ptr<QSqlQuery>> m_writerQueries;

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<WriteOp> m_queue;
    bool m_stopping = false;
    quint64 m_batches = 0;
    std::thread m_thread;
    int m_writerTid = 0; //!< The writer thread's kernel id; set before open() returns.
};

} // namespace Tincan::Server
