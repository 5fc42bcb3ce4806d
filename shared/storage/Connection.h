#pragma once

#include <QSqlDatabase>
#include <QString>

#include <functional>

namespace Tincan::Storage {

//! Owns one named Qt Sql connection to an SQLite file and removes it on destruction.
//! A connection belongs to the thread that opened it: open, use and destroy it there.
class Connection
{
public:
    struct Options
    {
        QString path;
        //! "FULL" makes each commit durable against power loss (fsync); "NORMAL" only against
        //! a process crash. See docs/admin.md.
        QString synchronous = QStringLiteral("FULL");
        bool readOnly = false;
        int busyTimeoutMs = 10000;
    };
    using Prepare = std::function<bool(QSqlDatabase &, QString *)>;

    Connection() = default;
    ~Connection();
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    //! Opens the file (creating it unless read-only), switches to WAL and applies the pragmas.
    //! `prepare` runs first on the new connection, before any pragma (e.g. to key an SQLCipher
    //! file); when it fails, the connection is closed.
    bool open(const Options &options, const Prepare &prepare = {});
    void close();

    bool isOpen() const { return m_database.isOpen(); }
    QSqlDatabase &database() { return m_database; }
    QString lastError() const { return m_lastError; }

    //! Runs one statement with no result rows; records the error on failure.
    bool exec(const QString &sql);

private:
    QSqlDatabase m_database;
    QString m_name;
    QString m_lastError;
};

} // namespace Tincan::Storage
