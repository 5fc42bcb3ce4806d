#include "shared/storage/Connection.h"

#include <QAtomicInteger>
#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

namespace Tincan::Storage {

namespace {
QAtomicInteger<quint64> s_connectionCounter;
}

Connection::~Connection()
{
    close();
}

bool Connection::open(const Options &options, const Prepare &prepare)
{
    close();
    m_name = QStringLiteral("tincan-%1").arg(s_connectionCounter.fetchAndAddRelaxed(1));
    m_database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
    if (!m_database.isValid()) {
        m_lastError = QStringLiteral("The Qt SQLite driver (QSQLITE) is not available.");
        return false;
    }
    if (!options.readOnly) {
        QDir().mkpath(QFileInfo(options.path).absolutePath());
    }
    m_database.setDatabaseName(options.path);
    QString connectOptions = QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(options.busyTimeoutMs);
    if (options.readOnly) {
        connectOptions += QStringLiteral(";QSQLITE_OPEN_READONLY");
    }
    m_database.setConnectOptions(connectOptions);
    if (!m_database.open()) {
        m_lastError = m_database.lastError().text();
        return false;
    }
    if (prepare && !prepare(m_database, &m_lastError)) {
        close();
        return false;
    }
    if (!options.readOnly && !exec(QStringLiteral("PRAGMA journal_mode=WAL"))) {
        return false;
    }
    // Temporary files in memory: statement journals (a savepoint keeps each page it changes
    // there; the server's writer opens one per operation of a group commit, and past 64 KiB
    // SQLite spills them to a temporary file, a pwrite per page), sorts and temporary tables.
    // Nothing of the database, which may be encrypted (SQLCipher), lands in a plain file.
    return exec(QStringLiteral("PRAGMA synchronous=%1").arg(options.synchronous)) &&
           exec(QStringLiteral("PRAGMA foreign_keys=ON")) &&
           exec(QStringLiteral("PRAGMA temp_store=MEMORY"));
}

void Connection::close()
{
    if (m_name.isEmpty()) {
        return;
    }
    m_database.close();
    m_database = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_name);
    m_name.clear();
}

bool Connection::exec(const QString &sql)
{
    QSqlQuery query(m_database);
    if (!query.exec(sql)) {
        m_lastError = query.lastError().text();
        return false;
    }
    return true;
}

} // namespace Tincan::Storage
