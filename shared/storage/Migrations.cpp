#include "shared/storage/Migrations.h"

#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

namespace Tincan::Storage {

Migrations::Migrations(QList<Migration> steps)
    : m_steps(std::move(steps))
{
    std::sort(m_steps.begin(), m_steps.end(),
              [](const Migration &a, const Migration &b) { return a.version < b.version; });
}

int Migrations::latestVersion() const
{
    return m_steps.isEmpty() ? 0 : m_steps.last().version;
}

int Migrations::currentVersion(QSqlDatabase &database)
{
    QSqlQuery query(database);
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next()) {
        return -1;
    }
    return query.value(0).toInt();
}

bool Migrations::apply(QSqlDatabase &database)
{
    const int current = currentVersion(database);
    if (current < 0) {
        m_lastError =
            QStringLiteral("Cannot read the schema version: %1").arg(database.lastError().text());
        return false;
    }
    if (current > latestVersion()) {
        m_lastError = QStringLiteral("The database schema is version %1, newer than this program "
                                     "understands (%2). Upgrade the program or restore a backup.")
                          .arg(current)
                          .arg(latestVersion());
        return false;
    }
    for (const Migration &step : std::as_const(m_steps)) {
        if (step.version <= current) {
            continue;
        }
        if (!database.transaction()) {
            m_lastError = database.lastError().text();
            return false;
        }
        QSqlQuery query(database);
        for (const QString &statement : step.statements) {
            if (!query.exec(statement)) {
                m_lastError = QStringLiteral("Migration to version %1 failed: %2")
                                  .arg(step.version)
                                  .arg(query.lastError().text());
                database.rollback();
                return false;
            }
        }
        if (!query.exec(QStringLiteral("PRAGMA user_version = %1").arg(step.version)) ||
            !database.commit()) {
            m_lastError = QStringLiteral("Migration to version %1 failed to commit: %2")
                              .arg(step.version)
                              .arg(database.lastError().text());
            database.rollback();
            return false;
        }
    }
    return true;
}

} // namespace Tincan::Storage
