#include "server/store/sqlite/SqliteBackend.h"

#include "server/core/Logging.h"
#include "server/store/sqlite/SqliteSchema.h"

#include <QSqlError>
#include <QSqlQuery>

#include <sqlite3.h>

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <future>
#include <memory>
#include <unordered_map>

namespace Tincan::Server {

namespace {
std::atomic<quint64> s_nextInstance{1};
}

//! One thread's read connection and its prepared statements (destroyed first).
struct SqliteBackend::ThreadReader
{
    Storage::Connection connection;
    QHash<QString, std::shared_ptr<QSqlQuery>> queries; //!< On the heap, as m_writerQueries.
    ~ThreadReader() { queries.clear(); }
};

namespace {
constexpr size_t MaxOpsPerBatch = 2000;
} // namespace

std::unordered_map<quint64, std::unique_ptr<SqliteBackend::ThreadReader>> &
SqliteBackend::threadReaders()
{
    thread_local std::unordered_map<quint64, std::unique_ptr<ThreadReader>> readers;
    return readers;
}

SqliteBackend::SqliteBackend()
    : m_instanceId(s_nextInstance.fetch_add(1))
{}

SqliteBackend::~SqliteBackend()
{
    close();
    releaseThreadConnection();
}

bool SqliteBackend::open(const QString &path, const QString &synchronous, QString *error)
{
    // Before SQLite initialises (first open in the process): no global memory statistics, whose
    // mutex every allocation of every thread would take. Each connection is used by one thread
    // only (the writer, or one reader per thread), and Qt opens them with SQLITE_OPEN_NOMUTEX.
    static const bool configured = [] {
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        return true;
    }();
    Q_UNUSED(configured);
    m_path = path;
    m_synchronous = synchronous;
    {
        Storage::Connection setup;
        if (!setup.open({path, synchronous, false, 10000})) {
            *error = QStringLiteral("Cannot open database %1: %2").arg(path, setup.lastError());
            return false;
        }
        Storage::Migrations migrations = serverMigrations();
        if (!migrations.apply(setup.database())) {
            *error = migrations.lastError();
            return false;
        }
    }
    std::promise<QString> started;
    auto startedFuture = started.get_future();
    m_stopping = false;
    m_thread = std::thread([this, &started] {
        pthread_setname_np(pthread_self(), "tincan-writer");
        m_writerTid = static_cast<int>(gettid());
        auto connection = std::make_unique<Storage::Connection>();
        if (!connection->open({m_path, m_synchronous, false, 10000})) {
            started.set_value(connection->lastError());
            return;
        }
        m_writer = connection.get();
        started.set_value(QString());
        writerLoop();
        m_writerQueries.clear();
        m_writer = nullptr;
    });
    const QString startError = startedFuture.get();
    if (!startError.isEmpty()) {
        m_thread.join();
        *error = startError;
        return false;
    }
    return true;
}

void SqliteBackend::close()
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_thread.joinable()) {
            return;
        }
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

void SqliteBackend::submit(WriteOp op)
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_stopping && m_thread.joinable()) {
            m_queue.push_back(std::move(op));
            m_wake.notify_one();
            return;
        }
    }
    // Not running (shutting down): the write is refused, never silently dropped.
    if (op.done) {
        op.done(false);
    }
}

bool SqliteBackend::raiseWriterPriority(int steps)
{
    if (m_writerTid == 0) {
        return false;
    }
    // On Linux a nice value is a thread's own: PRIO_PROCESS with a thread id sets that thread.
    errno = 0;
    const int current = getpriority(PRIO_PROCESS, static_cast<id_t>(m_writerTid));
    if (errno != 0) {
        return false;
    }
    return setpriority(PRIO_PROCESS, static_cast<id_t>(m_writerTid), current - steps) == 0;
}

quint64 SqliteBackend::batchesCommitted() const
{
    std::lock_guard lock(m_mutex);
    return m_batches;
}

void SqliteBackend::writerLoop()
{
    QSqlDatabase &db = m_writer->database();
    // The transaction statements, prepared once (an exec of SQL text parses it each time, and
    // every op takes three of them).
    auto prepared = [&db](const char *sql) {
        QSqlQuery query(db);
        if (!query.prepare(QString::fromLatin1(sql))) {
            qCCritical(lcServerStore) << "cannot prepare" << sql << query.lastError().text();
        }
        return query;
    };
    QSqlQuery begin = prepared("BEGIN IMMEDIATE");
    QSqlQuery commit = prepared("COMMIT");
    QSqlQuery rollback = prepared("ROLLBACK");
    QSqlQuery savepoint = prepared("SAVEPOINT op");
    QSqlQuery rollbackTo = prepared("ROLLBACK TO op");
    QSqlQuery release = prepared("RELEASE op");
    std::vector<WriteOp> batch;
    std::vector<bool> kept;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
            if (m_queue.empty() && m_stopping) {
                return;
            }
            const size_t count = std::min(m_queue.size(), MaxOpsPerBatch);
            batch.clear();
            for (size_t i = 0; i < count; ++i) {
                batch.push_back(std::move(m_queue.front()));
                m_queue.pop_front();
            }
        }
        kept.assign(batch.size(), false);
        bool committed = begin.exec();
        if (committed) {
            for (size_t i = 0; i < batch.size(); ++i) {
                savepoint.exec();
                kept[i] = batch[i].work(db);
                if (!kept[i]) {
                    rollbackTo.exec();
                }
                release.exec();
            }
            committed = commit.exec();
            if (!committed) {
                qCCritical(lcServerStore) << "commit failed:" << commit.lastError().text();
                rollback.exec();
            }
        } else {
            qCCritical(lcServerStore) << "cannot begin a transaction:" << begin.lastError().text();
        }
        {
            std::lock_guard lock(m_mutex);
            ++m_batches;
        }
        for (size_t i = 0; i < batch.size(); ++i) {
            if (batch[i].done) {
                batch[i].done(committed && kept[i]);
            }
        }
    }
}

QSqlQuery &SqliteBackend::writerQuery(const QString &sql)
{
    auto it = m_writerQueries.find(sql);
    if (it == m_writerQueries.end()) {
        auto query = std::make_shared<QSqlQuery>(m_writer->database());
        if (!query->prepare(sql)) {
            qCCritical(lcServerStore) << "cannot prepare a statement:" << query->lastError().text();
        }
        it = m_writerQueries.insert(sql, std::move(query));
    }
    return *it.value();
}

SqliteBackend::ThreadReader &SqliteBackend::threadReader()
{
    auto &slot = threadReaders()[m_instanceId];
    if (!slot) {
        slot = std::make_unique<ThreadReader>();
        if (!slot->connection.open({m_path, m_synchronous, false, 10000})) {
            qCCritical(lcServerStore)
                << "cannot open a read connection:" << slot->connection.lastError();
        }
    }
    return *slot;
}

SqliteBackend::ReadQuery::ReadQuery(SqliteBackend &backend, const QString &sql)
    : m_query([&]() -> QSqlQuery & {
        ThreadReader &reader = backend.threadReader();
        auto it = reader.queries.find(sql);
        if (it == reader.queries.end()) {
            auto query = std::make_shared<QSqlQuery>(reader.connection.database());
            query->setForwardOnly(true);
            if (!query->prepare(sql)) {
                qCCritical(lcServerStore)
                    << "cannot prepare a statement:" << query->lastError().text();
            }
            it = reader.queries.insert(sql, std::move(query));
        }
        return *it.value();
    }())
{}

bool SqliteBackend::ReadQuery::exec(std::initializer_list<QVariant> values)
{
    return exec(QVariantList(values));
}

bool SqliteBackend::ReadQuery::exec(const QVariantList &values)
{
    int index = 0;
    for (const QVariant &value : values) {
        m_query.bindValue(index++, value);
    }
    if (!m_query.exec()) {
        qCWarning(lcServerStore) << "query failed:" << m_query.lastError().text();
        return false;
    }
    return true;
}

void SqliteBackend::releaseThreadConnection()
{
    threadReaders().erase(m_instanceId);
}

} // namespace Tincan::Server
