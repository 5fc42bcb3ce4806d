// Nothing acknowledged is ever lost and nothing is delivered twice: daemon crashes, clean
// shutdowns under load, a client killed with messages in its outbox, and retention.
#include "app/core/DatabaseKey.h"
#include "app/core/Keychain.h"
#include "shared/storage/Connection.h"
#include "tests/common/TestClient.h"
#include "tests/common/TestServer.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QMultiHash>
#include <QProcess>
#include <QSet>
#include <QSqlQuery>
#include <QtTest>

using namespace Tincan;
using namespace Tincan::Test;

class TestDurability : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void daemonKilledAfterAcknowledgingBeforeDelivery();
    void cleanShutdownUnderLoadLosesNothing();
    void clientKilledWithMessageInOutbox();
    void clientRestartedWhileServerDown();
    void retentionPurgesExpiredInboxEntries();
    void secondDaemonOnSamePortOrDataIsRefused();
    void writerThreadRunsAheadOfConnectionThreads();

private:
    static int outboxRows(const QString &profileDir);
};

int TestDurability::outboxRows(const QString &profileDir)
{
    // The database is SQLCipher: open it with the key the profile keeps in the keychain.
    Client::Profile profile(profileDir);
    QString error;
    if (!profile.load(&error)) {
        return -1;
    }
    const Client::Keychain::Result key = Client::Keychain::read(profile.keychainKey());
    Storage::Connection connection;
    const auto applyKey = [&key](QSqlDatabase &database, QString *failure) {
        return Client::DatabaseKey::apply(database, key.secret, failure);
    };
    if (!key.ok || !connection.open({profileDir + QStringLiteral("/client.db"),
                                     QStringLiteral("NORMAL"), false, 5000},
                                    applyKey)) {
        return -1;
    }
    QSqlQuery query(connection.database());
    if (!query.exec(QStringLiteral("SELECT COUNT(*) FROM outbox")) || !query.next()) {
        return -1;
    }
    return query.value(0).toInt();
}

void TestDurability::daemonKilledAfterAcknowledgingBeforeDelivery()
{
    TwoUsers users;
    QVERIFY(users.start());
    TestServer &server = users.server;
    TestClient &alice = *users.alice;
    TestClient &bob = *users.bob;

    Recorder aliceSeen(alice.core());
    const QStringList expected =
        alice.sendNumbered(QStringLiteral("bob"), QStringLiteral("durable"), 50);
    QTRY_COMPARE_WITH_TIMEOUT(aliceSeen.sent.size(), 50, 30000);

    server.kill(); // SIGKILL: no chance to flush anything.
    QVERIFY2(server.restart(), qPrintable(server.output()));

    Recorder bobSeen(bob.core());
    bob->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.received.size(), 50, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(bobSeen.syncedCount >= 1, 10000);
    QCOMPARE(bobSeen.texts(), expected);
    QTRY_COMPARE_WITH_TIMEOUT(bob.inboxSize(), 0, 10000);
    QCOMPARE(bob->store().messageCount(), 50);
    QVERIFY2(server.stop(), qPrintable(server.output()));
}

void TestDurability::cleanShutdownUnderLoadLosesNothing()
{
    TwoUsers users;
    QVERIFY(users.start());
    TestServer &server = users.server;
    TestClient &alice = *users.alice;
    TestClient &bob = *users.bob;

    Recorder aliceSeen(alice.core());
    const QStringList expected =
        alice.sendNumbered(QStringLiteral("bob"), QStringLiteral("burst"), 300);
    QTRY_VERIFY_WITH_TIMEOUT(aliceSeen.sent.size() >= 50, 30000);
    QVERIFY2(server.stop(), qPrintable(server.output())); // SIGTERM in the middle of the burst.
    QVERIFY(server.output().contains(QStringLiteral("tincand stopped")));
    QVERIFY(aliceSeen.sent.size() < 300);

    QVERIFY(server.restart());
    // The outbox carries on by itself once the server is back.
    QTRY_COMPARE_WITH_TIMEOUT(aliceSeen.sent.size(), 300, 60000);
    QVERIFY(aliceSeen.failed.isEmpty());

    Recorder bobSeen(bob.core());
    bob->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.received.size(), 300, 60000);
    QCOMPARE(bobSeen.texts(), expected);
    QSet<QString> unique;
    for (const auto &m : std::as_const(bobSeen.received)) {
        unique.insert(m.clientMessageId);
    }
    QCOMPARE(unique.size(), 300);
    QVERIFY2(server.stop(), qPrintable(server.output()));
}

void TestDurability::clientKilledWithMessageInOutbox()
{
    TestServer server;
    QVERIFY(server.start());
    QTemporaryDir dir;
    const QString aliceProfile = dir.path() + QStringLiteral("/alice");
    TestClient bob(server.url());
    QVERIFY(bob.registerAccount(QStringLiteral("bob")));
    {
        TestClient alice(server.url(), aliceProfile);
        QVERIFY(alice.registerAccount(QStringLiteral("alice")));
    }

    // The server hangs (SIGSTOP): the real tincan-cli queues the message and waits.
    server.pause();
    QProcess cli;
    cli.start(QStringLiteral(TINCAN_CLI_PATH),
              {QStringLiteral("--profile"), aliceProfile, QStringLiteral("send"),
               QStringLiteral("bob"), QStringLiteral("written before the crash"),
               QStringLiteral("--timeout"), QStringLiteral("120")});
    QVERIFY(cli.waitForStarted());
    QTRY_COMPARE_WITH_TIMEOUT(outboxRows(aliceProfile), 1, 20000);
    cli.kill(); // The client dies with the message in its outbox.
    QVERIFY(cli.waitForFinished());
    server.resume();

    // Next run: the outbox is sent exactly once.
    QProcess flush;
    flush.start(QStringLiteral(TINCAN_CLI_PATH),
                {QStringLiteral("--profile"), aliceProfile, QStringLiteral("flush")});
    QVERIFY(flush.waitForFinished(60000));
    QCOMPARE(flush.exitCode(), 0);
    QCOMPARE(outboxRows(aliceProfile), 0);
    QCOMPARE(bob.inboxSize(), 1);

    Recorder bobSeen(bob.core());
    bob->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.received.size(), 1, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(bobSeen.syncedCount >= 1, 10000);
    QCOMPARE(bobSeen.received.first().text, QStringLiteral("written before the crash"));
    QVERIFY2(server.stop(), qPrintable(server.output()));
}

void TestDurability::clientRestartedWhileServerDown()
{
    TwoUsers users;
    QVERIFY(users.start());
    TestServer &server = users.server;
    TestClient &alice = *users.alice;
    TestClient &bob = *users.bob;
    QVERIFY2(server.stop(), qPrintable(server.output()));

    QString error;
    for (int i = 0; i < 3; ++i) {
        QVERIFY(!alice->send(QStringLiteral("bob"), QStringLiteral("queued %1").arg(i), &error)
                     .isEmpty());
    }
    QCOMPARE(alice->outboxSize(), 3);
    alice.reopen(); // The app is restarted; only the database remembers.
    QCOMPARE(alice->outboxSize(), 3);

    QVERIFY(server.restart());
    Recorder aliceSeen(alice.core());
    alice->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(aliceSeen.sent.size(), 3, 30000);
    QCOMPARE(alice->outboxSize(), 0);

    Recorder bobSeen(bob.core());
    bob->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.received.size(), 3, 10000);
    QCOMPARE(bobSeen.texts(), (QStringList{QStringLiteral("queued 0"), QStringLiteral("queued 1"),
                                           QStringLiteral("queued 2")}));
    QVERIFY2(server.stop(), qPrintable(server.output()));
}

void TestDurability::retentionPurgesExpiredInboxEntries()
{
    TwoUsers users(QStringLiteral("[retention]\ninbox_seconds=3\npurge_interval_seconds=1\n"));
    QVERIFY(users.start());
    TestServer &server = users.server;
    TestClient &alice = *users.alice;
    TestClient &bob = *users.bob;
    Recorder aliceSeen(alice.core());
    QString error;
    alice->send(QStringLiteral("bob"), QStringLiteral("short-lived"), &error);
    QTRY_COMPARE_WITH_TIMEOUT(aliceSeen.sent.size(), 1, 10000);
    QCOMPARE(bob.inboxSize(), 1);

    // Past the retention period the periodic job removes it.
    QTRY_COMPARE_WITH_TIMEOUT(bob.inboxSize(), 0, 30000);
    Recorder bobSeen(bob.core());
    bob->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.syncedCount, 1, 10000);
    QCOMPARE(bobSeen.received.size(), 0);

    // New messages are still accepted and delivered.
    alice->send(QStringLiteral("bob"), QStringLiteral("fresh"), &error);
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.received.size(), 1, 10000);
    QVERIFY2(server.stop(), qPrintable(server.output()));
}

void TestDurability::secondDaemonOnSamePortOrDataIsRefused()
{
    TestServer first;
    QVERIFY(first.start());
    TestClient alice(first.url());
    QVERIFY(alice.registerAccount(QStringLiteral("alice")));

    // Same port, other data: refused, instead of silently sharing the port (SO_REUSEPORT).
    TestServer samePort;
    QProcess second;
    second.setProcessChannelMode(QProcess::MergedChannels);
    second.start(QStringLiteral(TINCAND_PATH),
                 {QStringLiteral("--data-dir"), samePort.dataDir(), QStringLiteral("--listen"),
                  QStringLiteral("127.0.0.1:%1").arg(first.port())});
    QVERIFY(second.waitForFinished(30000));
    QCOMPARE(second.exitCode(), 1);
    QVERIFY2(second.readAll().contains("already in use"), "no clear error");

    // Same data, other port: refused too.
    QProcess third;
    third.setProcessChannelMode(QProcess::MergedChannels);
    third.start(QStringLiteral(TINCAND_PATH),
                {QStringLiteral("--data-dir"), first.dataDir(), QStringLiteral("--listen"),
                 QStringLiteral("127.0.0.1:0")});
    QVERIFY(third.waitForFinished(30000));
    QCOMPARE(third.exitCode(), 1);
    QVERIFY2(third.readAll().contains("is using the data directory"), "no clear error");

    // The first one is unaffected.
    QCOMPARE(alice.call("GET", QStringLiteral("/v1/account")).status, 200);
    QVERIFY2(first.stop(), qPrintable(first.output()));
}

namespace {
//! The nice value of each of a process's threads, by thread name.
QMultiHash<QString, int> threadNiceness(qint64 pid)
{
    QMultiHash<QString, int> niceness;
    const QDir tasks(QStringLiteral("/proc/%1/task").arg(pid));
    for (const QString &task : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile comm(tasks.filePath(task + QStringLiteral("/comm")));
        QFile stat(tasks.filePath(task + QStringLiteral("/stat")));
        if (!comm.open(QIODevice::ReadOnly) || !stat.open(QIODevice::ReadOnly)) {
            continue; // The thread ended meanwhile.
        }
        // "pid (comm) state ...": the fields after the name; nice is field 19 of the line.
        const QByteArray line = stat.readAll();
        const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 16) {
            niceness.insert(QString::fromUtf8(comm.readAll().trimmed()), fields[16].toInt());
        }
    }
    return niceness;
}
} // namespace

void TestDurability::writerThreadRunsAheadOfConnectionThreads()
{
    // Every write waits for the one database writer thread: under load it must not wait for a
    // CPU behind the connection threads. Raised when the daemon may (as here, root), the
    // connection threads lowered otherwise: either way 5 nice levels apart by default.
    for (const int steps : {5, 0}) {
        TestServer server(QStringLiteral("[server]\nthreads=2\nwriter_priority=%1\n").arg(steps));
        QVERIFY(server.start());
        const QMultiHash<QString, int> niceness = threadNiceness(server.processId());
        QCOMPARE(niceness.values(QStringLiteral("tincan-writer")).size(), 1);
        const int writer = niceness.value(QStringLiteral("tincan-writer"));
        for (const QString &io : {QStringLiteral("tincan-io-0"), QStringLiteral("tincan-io-1")}) {
            QVERIFY2(niceness.contains(io), qPrintable(io));
            QCOMPARE(niceness.value(io) - writer, steps);
        }
        QVERIFY2(server.stop(), qPrintable(server.output()));
    }
    // Out of range: a clear error at start.
    TestServer bad(QStringLiteral("[server]\nwriter_priority=40\n"));
    QVERIFY(!bad.start());
    QVERIFY2(bad.output().contains(QStringLiteral("writer_priority")), qPrintable(bad.output()));
}

QTEST_GUILESS_MAIN(TestDurability)
#include "tst_durability.moc"
