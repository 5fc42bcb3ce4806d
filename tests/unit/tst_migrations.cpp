// Unit tests for shared/storage: Connection pragmas and versioned Migrations, on real SQLite
// files in a temporary directory.

#include "shared/storage/Connection.h"
#include "shared/storage/Migrations.h"

#include <QFileInfo>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QVariant>
#include <QtTest>

#include <memory>

using namespace Tincan::Storage;

namespace {

Migration createNotes()
{
    return {1,
            {QStringLiteral("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"),
             QStringLiteral("CREATE INDEX notes_body ON notes(body)")}};
}

Migration createTags()
{
    return {2,
            {QStringLiteral("CREATE TABLE tags (note_id INTEGER NOT NULL REFERENCES notes(id), "
                            "tag TEXT NOT NULL)")}};
}

Migration addNotesColumn(int version)
{
    return {version,
            {QStringLiteral("ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0")}};
}

//! The first value of the first row, or an invalid QVariant.
QVariant scalar(QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql) || !query.next()) {
        return {};
    }
    return query.value(0);
}

bool tableExists(QSqlDatabase &db, const QString &table)
{
    QSqlQuery query(db);
    query.prepare(
        QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?"));
    query.addBindValue(table);
    return query.exec() && query.next() && query.value(0).toInt() == 1;
}

} // namespace

class TestMigrations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void freshDatabaseMigratesToLatest();
    void stepsAreAppliedInVersionOrder();
    void emptyMigrationsAreVersionZero();
    void applyingAgainIsANoOp();
    void newerDatabaseIsRefused();
    void failingStepRollsBack();
    void failingFirstStepOnFreshDatabase();
    void upgradeFromFrozenSchemaKeepsData();
    void connectionUsesWal();
    void connectionPragmas_data();
    void connectionPragmas();
    void connectionCreatesParentDirectory();
    void readOnlyConnectionCannotWrite();

private:
    QString dbPath(const QString &name = QStringLiteral("test.sqlite")) const
    {
        return m_dir->filePath(name);
    }
    static Connection::Options options(const QString &path)
    {
        Connection::Options o;
        o.path = path;
        return o;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestMigrations::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestMigrations::cleanup()
{
    m_dir.reset();
}

void TestMigrations::freshDatabaseMigratesToLatest()
{
    Connection connection;
    QVERIFY2(connection.open(options(dbPath())), qPrintable(connection.lastError()));
    QVERIFY(connection.isOpen());
    QCOMPARE(Migrations::currentVersion(connection.database()), 0);

    Migrations migrations({createNotes(), createTags(), addNotesColumn(3)});
    QCOMPARE(migrations.latestVersion(), 3);
    QVERIFY2(migrations.apply(connection.database()), qPrintable(migrations.lastError()));

    QCOMPARE(Migrations::currentVersion(connection.database()), 3);
    QCOMPARE(scalar(connection.database(), QStringLiteral("PRAGMA user_version")).toInt(), 3);
    QVERIFY(tableExists(connection.database(), QStringLiteral("notes")));
    QVERIFY(tableExists(connection.database(), QStringLiteral("tags")));
    QVERIFY(connection.exec(QStringLiteral("INSERT INTO notes (body, pinned) VALUES ('x', 1)")));
    QCOMPARE(scalar(connection.database(), QStringLiteral("SELECT pinned FROM notes")).toInt(), 1);

    // The version is stored in the file, not in the connection.
    connection.close();
    QVERIFY(!connection.isOpen());
    Connection reopened;
    QVERIFY2(reopened.open(options(dbPath())), qPrintable(reopened.lastError()));
    QCOMPARE(Migrations::currentVersion(reopened.database()), 3);
}

void TestMigrations::stepsAreAppliedInVersionOrder()
{
    // Given out of order: step 3 alters the table step 1 creates, so order matters.
    Migrations migrations({addNotesColumn(3), createNotes(), createTags()});
    QCOMPARE(migrations.latestVersion(), 3);

    Connection connection;
    QVERIFY2(connection.open(options(dbPath())), qPrintable(connection.lastError()));
    QVERIFY2(migrations.apply(connection.database()), qPrintable(migrations.lastError()));
    QCOMPARE(Migrations::currentVersion(connection.database()), 3);
    QVERIFY(connection.exec(QStringLiteral("INSERT INTO notes (body, pinned) VALUES ('x', 1)")));
}

void TestMigrations::emptyMigrationsAreVersionZero()
{
    Migrations migrations({});
    QCOMPARE(migrations.latestVersion(), 0);

    Connection connection;
    QVERIFY2(connection.open(options(dbPath())), qPrintable(connection.lastError()));
    QVERIFY2(migrations.apply(connection.database()), qPrintable(migrations.lastError()));
    QCOMPARE(Migrations::currentVersion(connection.database()), 0);
}

void TestMigrations::applyingAgainIsANoOp()
{
    {
        Connection connection;
        QVERIFY2(connection.open(options(dbPath())), qPrintable(connection.lastError()));
        Migrations migrations({createNotes(), createTags()});
        QVERIFY2(migrations.apply(connection.database()), qPrintable(migrations.lastError()));
        QVERIFY(connection.exec(QStringLiteral("INSERT INTO notes (body) VALUES ('kept')")));

        // Again on the same connection and object: the CREATE TABLE statements would fail if
        // they ran a second time.
        QVERIFY2(migrations.apply(connection.database()), qPrintable(migrations.lastError()));
        QCOMPARE(Migrations::currentVersion(connection.database()), 2);
    }
    {
        // And after reopening the file with a fresh Migrations object, as on the next start.
        Connection connection;
        QVERIFY2(connection.open(options(dbPath())), qPrintable(connection.lastError()));
        Migrations migrations({createNotes(), createTags()});
        QVERIFY2(migrations.apply(connection.database()), qPrintable(migrations.lastError()));
        QVERIFY(migrations.lastError().isEmpty());
        QCOMPARE(Migrations::currentVersion(connection.database()), 2);
        QCOMPARE(
            scalar(connection.database(), QStringLiteral("SELECT COUNT(*) FROM notes")).toInt(), 1);
        QCOMPARE(scalar(connection.database(), QStringLiteral("SELECT body FROM notes")).toString(),
                 QStringLiteral("kept"));
    }
}

void TestMigrations::newerDatabaseIsRefused()
{
    Connection connection;
    QVERIFY2(connection.open(options(dbPath())), qPrintable(connection.lastError()));
    QVERIFY(connection.exec(QStringLiteral("PRAGMA user_version=99")));

    Migrations migrations({createNotes(), createTags()});
    QVERIFY(!migrations.apply(connection.database()));
    const QString error = migrations.lastError();
    QVERIFY2(error.contains(QStringLiteral("99")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("(2)")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("newer")), qPrintable(error));

    // Nothing was touched.
    QCOMPARE(Migrations::currentVersion(connection.database()), 99);
    QVERIFY(!tableExists(connection.database(), QStringLiteral("notes")));
    QVERIFY(!tableExists(connection.database(), QStringLiteral("tags")));
}

void TestMigrations::failingStepRollsBack()
{
    Connection connection;
    QVERIFY2(connection.open(options(dbPath())), qPrintable(connection.lastError()));
    {
        Migrations v1({createNotes()});
        QVERIFY2(v1.apply(connection.database()), qPrintable(v1.lastError()));
        QVERIFY(connection.exec(QStringLiteral("INSERT INTO notes (body) VALUES ('before')")));
    }
    QCOMPARE(Migrations::currentVersion(connection.database()), 1);

    // Step 2 creates a table, changes data and then fails: none of it may stay.
    const Migration broken{2,
                           {QStringLiteral("CREATE TABLE tags (note_id INTEGER, tag TEXT)"),
                            QStringLiteral("UPDATE notes SET body = 'changed'"),
                            QStringLiteral("THIS IS NOT SQL")}};
    Migrations failing({createNotes(), broken});
    QVERIFY(!failing.apply(connection.database()));
    QVERIFY2(failing.lastError().contains(QStringLiteral("version 2")),
             qPrintable(failing.lastError()));

    QCOMPARE(Migrations::currentVersion(connection.database()), 1);
    QVERIFY(!tableExists(connection.database(), QStringLiteral("tags")));
    QVERIFY(tableExists(connection.database(), QStringLiteral("notes")));
    QCOMPARE(scalar(connection.database(), QStringLiteral("SELECT body FROM notes")).toString(),
             QStringLiteral("before"));

    // The transaction is really closed: the connection works and a fixed step applies.
    Migrations fixed({createNotes(), createTags()});
    QVERIFY2(fixed.apply(connection.database()), qPrintable(fixed.lastError()));
    QCOMPARE(Migrations::currentVersion(connection.database()), 2);
    QVERIFY(tableExists(connection.database(), QStringLiteral("tags")));

    // And the rollback reached the file: another connection sees the same state.
    Connection other;
    QVERIFY2(other.open(options(dbPath())), qPrintable(other.lastError()));
    QCOMPARE(Migrations::currentVersion(other.database()), 2);
    QCOMPARE(scalar(other.database(), QStringLiteral("SELECT body FROM notes")).toString(),
             QStringLiteral("before"));
}

void TestMigrations::failingFirstStepOnFreshDatabase()
{
    Connection connection;
    QVERIFY2(connection.open(options(dbPath())), qPrintable(connection.lastError()));

    const Migration broken{1,
                           {QStringLiteral("CREATE TABLE notes (id INTEGER PRIMARY KEY)"),
                            QStringLiteral("CREATE TABLE notes (id INTEGER PRIMARY KEY)")}};
    Migrations migrations({broken, createTags()});
    QVERIFY(!migrations.apply(connection.database()));
    QVERIFY2(migrations.lastError().contains(QStringLiteral("version 1")),
             qPrintable(migrations.lastError()));
    QCOMPARE(Migrations::currentVersion(connection.database()), 0);
    QVERIFY(!tableExists(connection.database(), QStringLiteral("notes")));
    // Later steps are not attempted after a failure.
    QVERIFY(!tableExists(connection.database(), QStringLiteral("tags")));
}

void TestMigrations::upgradeFromFrozenSchemaKeepsData()
{
    {
        // An old release knew only step 1.
        Connection connection;
        QVERIFY2(connection.open(options(dbPath())), qPrintable(connection.lastError()));
        Migrations old({createNotes()});
        QVERIFY2(old.apply(connection.database()), qPrintable(old.lastError()));
        QVERIFY(
            connection.exec(QStringLiteral("INSERT INTO notes (id, body) VALUES (1, 'first')")));
        QVERIFY(
            connection.exec(QStringLiteral("INSERT INTO notes (id, body) VALUES (2, 'second')")));
        QCOMPARE(Migrations::currentVersion(connection.database()), 1);
    }
    {
        // The new release adds a column in step 2.
        Connection connection;
        QVERIFY2(connection.open(options(dbPath())), qPrintable(connection.lastError()));
        Migrations current({createNotes(), addNotesColumn(2)});
        QVERIFY2(current.apply(connection.database()), qPrintable(current.lastError()));
        QCOMPARE(Migrations::currentVersion(connection.database()), 2);

        QSqlQuery query(connection.database());
        QVERIFY(query.exec(QStringLiteral("SELECT id, body, pinned FROM notes ORDER BY id")));
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toInt(), 1);
        QCOMPARE(query.value(1).toString(), QStringLiteral("first"));
        QCOMPARE(query.value(2).toInt(), 0);
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toInt(), 2);
        QCOMPARE(query.value(1).toString(), QStringLiteral("second"));
        QCOMPARE(query.value(2).toInt(), 0);
        QVERIFY(!query.next());
        query.finish();

        QVERIFY(connection.exec(QStringLiteral("UPDATE notes SET pinned = 1 WHERE id = 2")));
        QCOMPARE(
            scalar(connection.database(), QStringLiteral("SELECT SUM(pinned) FROM notes")).toInt(),
            1);
    }
}

void TestMigrations::connectionUsesWal()
{
    Connection connection;
    QVERIFY2(connection.open(options(dbPath())), qPrintable(connection.lastError()));
    QCOMPARE(scalar(connection.database(), QStringLiteral("PRAGMA journal_mode")).toString(),
             QStringLiteral("wal"));

    // WAL is a property of the file: it persists for the next connection too.
    Migrations migrations({createNotes()});
    QVERIFY2(migrations.apply(connection.database()), qPrintable(migrations.lastError()));
    connection.close();
    Connection reopened;
    QVERIFY2(reopened.open(options(dbPath())), qPrintable(reopened.lastError()));
    QCOMPARE(scalar(reopened.database(), QStringLiteral("PRAGMA journal_mode")).toString(),
             QStringLiteral("wal"));
}

void TestMigrations::connectionPragmas_data()
{
    QTest::addColumn<QString>("synchronous");
    QTest::addColumn<int>("expected");

    QTest::newRow("FULL") << QStringLiteral("FULL") << 2;
    QTest::newRow("NORMAL") << QStringLiteral("NORMAL") << 1;
}

void TestMigrations::connectionPragmas()
{
    QFETCH(QString, synchronous);
    QFETCH(int, expected);

    Connection::Options o = options(dbPath());
    o.synchronous = synchronous;
    Connection connection;
    QVERIFY2(connection.open(o), qPrintable(connection.lastError()));
    QCOMPARE(scalar(connection.database(), QStringLiteral("PRAGMA synchronous")).toInt(), expected);
    QCOMPARE(scalar(connection.database(), QStringLiteral("PRAGMA foreign_keys")).toInt(), 1);

    // Foreign keys are enforced, not just declared.
    Migrations migrations({createNotes(), createTags()});
    QVERIFY2(migrations.apply(connection.database()), qPrintable(migrations.lastError()));
    QVERIFY(!connection.exec(QStringLiteral("INSERT INTO tags (note_id, tag) VALUES (42, 'x')")));
    QVERIFY(!connection.lastError().isEmpty());
}

void TestMigrations::connectionCreatesParentDirectory()
{
    const QString path = m_dir->filePath(QStringLiteral("a/b/c/test.sqlite"));
    Connection connection;
    QVERIFY2(connection.open(options(path)), qPrintable(connection.lastError()));
    QVERIFY(connection.exec(QStringLiteral("CREATE TABLE t (x)")));
    QVERIFY(QFileInfo::exists(path));
}

void TestMigrations::readOnlyConnectionCannotWrite()
{
    Connection writer;
    QVERIFY2(writer.open(options(dbPath())), qPrintable(writer.lastError()));
    Migrations migrations({createNotes()});
    QVERIFY2(migrations.apply(writer.database()), qPrintable(migrations.lastError()));
    QVERIFY(writer.exec(QStringLiteral("INSERT INTO notes (body) VALUES ('hello')")));

    Connection::Options o = options(dbPath());
    o.readOnly = true;
    Connection reader;
    QVERIFY2(reader.open(o), qPrintable(reader.lastError()));
    QCOMPARE(scalar(reader.database(), QStringLiteral("SELECT body FROM notes")).toString(),
             QStringLiteral("hello"));
    QVERIFY(!reader.exec(QStringLiteral("INSERT INTO notes (body) VALUES ('nope')")));
    QVERIFY(!reader.lastError().isEmpty());
    QCOMPARE(scalar(writer.database(), QStringLiteral("SELECT COUNT(*) FROM notes")).toInt(), 1);
}

QTEST_GUILESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
