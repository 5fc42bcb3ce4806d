#pragma once

#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace Tincan::Storage {

//! One schema step: the statements that take a database from version-1 to version.
struct Migration
{
    int version = 0;
    QStringList statements;
};

//! Versioned schema migrations on `PRAGMA user_version`, applied in order, each step in its own
//! transaction. A database whose version is newer than the newest known step is refused, so an
//! old binary never writes into a schema it does not understand.
class Migrations
{
public:
    explicit Migrations(QList<Migration> steps);

    int latestVersion() const;
    //! The steps, in version order.
    const QList<Migration> &steps() const { return m_steps; }
    static int currentVersion(QSqlDatabase &database);

    //! Brings the database up to latestVersion(). Returns false with lastError() on failure or
    //! when the database is newer than this code.
    bool apply(QSqlDatabase &database);
    QString lastError() const { return m_lastError; }

private:
    QList<Migration> m_steps;
    QString m_lastError;
};

} // namespace Tincan::Storage
