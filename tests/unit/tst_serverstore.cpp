// The daemon's SQLite stores: idempotent storage, ordering, sequence numbers, inbox paging and
// ACKs, retention, revocation, device limits, invites, group commit, schema version checks.
#include "server/core/Server.h"
#include "server/store/sqlite/SqliteBackend.h"
#include "server/store/sqlite/SqliteStores.h"
#include "shared/storage/Connection.h"

#include <QDateTime>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUuid>
#include <QtTest>

#include <future>
#include <thread>

using namespace Tincan;
using namespace Tincan::Server;

namespace {
template<class T> Protocol::Result<T> await(const std::function<void(Done<T>)> &call)
{
    std::promise<Protocol::Result<T>> promise;
    auto future = promise.get_future();
    call([&promise](Protocol::Result<T> result) { promise.set_value(std::move(result)); });
    return future.get();
}

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}
} // namespace

class TestServerStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void usersAndDevices();
    void storeIsIdempotent();
    void sequenceNumbersArePerConversation();
    void pendingIsOrderedAndPaged();
    void acknowledgeRemovesOnlyThatDevicesEntries();
    void purgeRemovesOnlyExpiredEntries();
    void revokeDropsInbox();
    void accountAndFirstDeviceAreCreatedTogether();
    void deviceLimit();
    void invitesAreSingleUse();
    void concurrentWritesAreGroupCommitted();
    void dataSurvivesReopen();
    void daemonRefusesNewerSchema();

private:
    NewMessage message(const QString &clientId, QList<qint64> devices,
                       const QString &conversation = QStringLiteral("dm:a:b"));

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<SqliteBackend> m_backend;
    std::unique_ptr<SqliteUserStore> m_users;
    std::unique_ptr<SqliteDeviceStore> m_devices;
    std::unique_ptr<SqliteMessageStore> m_messages;
};

void TestServerStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_backend = std::make_unique<SqliteBackend>();
    QString error;
    QVERIFY2(
        m_backend->open(m_dir->filePath(QStringLiteral("t.db")), QStringLiteral("FULL"), &error),
        qPrintable(error));
    m_users = std::make_unique<SqliteUserStore>(*m_backend);
    m_devices = std::make_unique<SqliteDeviceStore>(*m_backend);
    m_messages = std::make_unique<SqliteMessageStore>(*m_backend);
}

void TestServerStore::cleanup()
{
    m_messages.reset();
    m_devices.reset();
    m_users.reset();
    m_backend.reset();
    m_dir.reset();
}

NewMessage TestServerStore::message(const QString &clientId, QList<qint64> devices,
                                    const QString &conversation)
{
    NewMessage m;
    m.senderUserId = 1;
    m.senderUsername = QStringLiteral("a");
    m.senderDeviceId = 1;
    m.recipientUsername = QStringLiteral("b");
    m.clientMessageId = clientId;
    m.conversation = conversation;
    for (const qint64 device : devices) {
        m.copies.append({device, QByteArray("payload for ") + QByteArray::number(device)});
    }
    return m;
}

void TestServerStore::usersAndDevices()
{
    auto user = await<NewAccount>([&](auto done) {
        m_users->createUser(QStringLiteral("alice"), QStringLiteral("$argon2id$x"), {},
                            std::nullopt, done);
    });
    QVERIFY(user.ok());
    auto taken = await<NewAccount>([&](auto done) {
        m_users->createUser(QStringLiteral("alice"), QStringLiteral("h"), {}, std::nullopt, done);
    });
    QCOMPARE(taken.error().status, 409);
    QCOMPARE(m_users->userByName(QStringLiteral("alice"))->id, user->user.id);
    QVERIFY(!m_users->userByName(QStringLiteral("nobody")));

    auto device = await<Device>([&](auto done) {
        m_devices->createDevice(user->user.id, QStringLiteral("pc"), "hash-1", 5, done);
    });
    QVERIFY(device.ok());
    const auto auth = m_devices->authenticate("hash-1");
    QVERIFY(auth);
    QCOMPARE(auth->deviceId, device->id);
    QCOMPARE(auth->username, QStringLiteral("alice"));
    QVERIFY(!m_devices->authenticate("hash-2"));
    QCOMPARE(m_devices->devicesOf(user->user.id).size(), 1);
}

void TestServerStore::storeIsIdempotent()
{
    const QString id = newId();
    auto first = await<StoredMessage>([&](auto done) {
        m_messages->storeMessage(message(id, {2, 3}), done);
    });
    QVERIFY(first.ok());
    QVERIFY(!first->duplicate);
    QCOMPARE(first->deliveries.size(), 2);
    auto again = await<StoredMessage>([&](auto done) {
        m_messages->storeMessage(message(id, {2, 3}), done);
    });
    QVERIFY(again.ok());
    QVERIFY(again->duplicate);
    QCOMPARE(again->receipt.messageId, first->receipt.messageId);
    QCOMPARE(again->receipt.seq, first->receipt.seq);
    QCOMPARE(again->receipt.serverTimestamp, first->receipt.serverTimestamp);
    QVERIFY(again->deliveries.isEmpty());
    QCOMPARE(m_messages->pending(2, 0, 100).size(), 1);

    auto elsewhere = await<StoredMessage>([&](auto done) {
        m_messages->storeMessage(message(id, {2}, QStringLiteral("dm:a:c")), done);
    });
    QVERIFY(!elsewhere.ok());
    QCOMPARE(elsewhere.error().status, 409);
}

void TestServerStore::sequenceNumbersArePerConversation()
{
    for (int i = 1; i <= 3; ++i) {
        auto ab = await<StoredMessage>(
            [&](auto done) { m_messages->storeMessage(message(newId(), {2}), done); });
        QCOMPARE(ab->receipt.seq, i);
    }
    auto ac = await<StoredMessage>([&](auto done) {
        m_messages->storeMessage(message(newId(), {4}, QStringLiteral("dm:a:c")), done);
    });
    QCOMPARE(ac->receipt.seq, 1);
}

void TestServerStore::pendingIsOrderedAndPaged()
{
    QList<qint64> ids;
    for (int i = 0; i < 25; ++i) {
        auto stored = await<StoredMessage>(
            [&](auto done) { m_messages->storeMessage(message(newId(), {2}), done); });
        ids.append(stored->receipt.messageId);
    }
    const auto page1 = m_messages->pending(2, 0, 10);
    QCOMPARE(page1.size(), 10);
    const auto page2 = m_messages->pending(2, page1.last().id, 10);
    const auto page3 = m_messages->pending(2, page2.last().id, 10);
    QCOMPARE(page3.size(), 5);
    QList<qint64> seen;
    for (const auto &page : {page1, page2, page3}) {
        for (const auto &e : page) {
            seen.append(e.id);
            QCOMPARE(e.payload, QByteArray("payload for 2"));
            QCOMPARE(e.fromUser, QStringLiteral("a"));
            QCOMPARE(e.toUser, QStringLiteral("b"));
        }
    }
    QCOMPARE(seen, ids);
    QVERIFY(m_messages->pending(3, 0, 10).isEmpty());
}

void TestServerStore::acknowledgeRemovesOnlyThatDevicesEntries()
{
    auto stored = await<StoredMessage>([&](auto done) {
        m_messages->storeMessage(message(newId(), {2, 3}), done);
    });
    const qint64 id = stored->receipt.messageId;
    auto wrongDevice = await<qint64>([&](auto done) { m_messages->acknowledge(4, {id}, done); });
    QCOMPARE(*wrongDevice, 0);
    auto removed = await<qint64>([&](auto done) { m_messages->acknowledge(2, {id, 999}, done); });
    QCOMPARE(*removed, 1);
    QVERIFY(m_messages->pending(2, 0, 10).isEmpty());
    QCOMPARE(m_messages->pending(3, 0, 10).size(), 1);
}

void TestServerStore::purgeRemovesOnlyExpiredEntries()
{
    auto old = await<StoredMessage>(
        [&](auto done) { m_messages->storeMessage(message(newId(), {2}), done); });
    const qint64 cutoff = old->receipt.serverTimestamp + 1;
    QTRY_VERIFY(QDateTime::currentMSecsSinceEpoch() > cutoff);
    auto fresh = await<StoredMessage>(
        [&](auto done) { m_messages->storeMessage(message(newId(), {2}), done); });
    auto removed = await<qint64>([&](auto done) { m_messages->purgeBefore(cutoff, done); });
    QCOMPARE(*removed, 1);
    const auto left = m_messages->pending(2, 0, 10);
    QCOMPARE(left.size(), 1);
    QCOMPARE(left.first().id, fresh->receipt.messageId);
}

void TestServerStore::revokeDropsInbox()
{
    auto user = await<NewAccount>([&](auto done) {
        m_users->createUser(QStringLiteral("bob"), QStringLiteral("h"), {}, std::nullopt, done);
    });
    auto other = await<NewAccount>([&](auto done) {
        m_users->createUser(QStringLiteral("eve"), QStringLiteral("h"), {}, std::nullopt, done);
    });
    auto device = await<Device>([&](auto done) {
        m_devices->createDevice(user->user.id, QStringLiteral("pc"), "tok", 5, done);
    });
    await<StoredMessage>(
        [&](auto done) { m_messages->storeMessage(message(newId(), {device->id}), done); });
    QCOMPARE(m_messages->pending(device->id, 0, 10).size(), 1);

    auto notYours =
        await<bool>([&](auto done) { m_devices->revokeDevice(other->user.id, device->id, done); });
    QCOMPARE(notYours.error().status, 403);
    auto revoked =
        await<bool>([&](auto done) { m_devices->revokeDevice(user->user.id, device->id, done); });
    QVERIFY(revoked.ok());
    QVERIFY(!m_devices->authenticate("tok"));
    QVERIFY(m_messages->pending(device->id, 0, 10).isEmpty());
    auto twice =
        await<bool>([&](auto done) { m_devices->revokeDevice(user->user.id, device->id, done); });
    QCOMPARE(twice.error().status, 404);
}

void TestServerStore::accountAndFirstDeviceAreCreatedTogether()
{
    auto account = await<NewAccount>([&](auto done) {
        m_users->createUser(QStringLiteral("dora"), QStringLiteral("h"), {},
                            FirstDevice{QStringLiteral("laptop"), "dora-token"}, done);
    });
    QVERIFY(account.ok());
    QVERIFY(account->device.id > 0);
    const auto auth = m_devices->authenticate("dora-token");
    QVERIFY(auth);
    QCOMPARE(auth->userId, account->user.id);
    QCOMPARE(auth->deviceId, account->device.id);

    // A refused account leaves no device behind either.
    auto taken = await<NewAccount>([&](auto done) {
        m_users->createUser(QStringLiteral("dora"), QStringLiteral("h"), {},
                            FirstDevice{QStringLiteral("phone"), "second-token"}, done);
    });
    QCOMPARE(taken.error().status, 409);
    QVERIFY(!m_devices->authenticate("second-token"));
    auto noInvite = await<NewAccount>([&](auto done) {
        m_users->createUser(QStringLiteral("eric"), QStringLiteral("h"), "no-such-invite",
                            FirstDevice{QStringLiteral("pc"), "eric-token"}, done);
    });
    QCOMPARE(noInvite.error().status, 403);
    QVERIFY(!m_devices->authenticate("eric-token"));
    QVERIFY(!m_users->userByName(QStringLiteral("eric")));
}

void TestServerStore::deviceLimit()
{
    auto user = await<NewAccount>([&](auto done) {
        m_users->createUser(QStringLiteral("carl"), QStringLiteral("h"), {}, std::nullopt, done);
    });
    for (int i = 0; i < 2; ++i) {
        QVERIFY(await<Device>([&](auto done) {
                    m_devices->createDevice(user->user.id, QStringLiteral("d"),
                                            QByteArray::number(i), 2, done);
                }).ok());
    }
    auto third = await<Device>([&](auto done) {
        m_devices->createDevice(user->user.id, QStringLiteral("d"), "3", 2, done);
    });
    QCOMPARE(third.error().status, 403);
}

void TestServerStore::invitesAreSingleUse()
{
    const qint64 tomorrow = QDateTime::currentMSecsSinceEpoch() + 86400000;
    QVERIFY(
        await<bool>([&](auto done) { m_users->createInvite("code-hash", tomorrow, done); }).ok());
    QVERIFY(await<bool>([&](auto done) { m_users->createInvite("expired", 1, done); }).ok());
    auto unknown = await<NewAccount>([&](auto done) {
        m_users->createUser(QStringLiteral("u1"), QStringLiteral("h"), "nope", std::nullopt, done);
    });
    QCOMPARE(unknown.error().status, 403);
    QVERIFY(!m_users->userByName(QStringLiteral("u1"))); // Rolled back with the invite check.
    auto expired = await<NewAccount>([&](auto done) {
        m_users->createUser(QStringLiteral("u1"), QStringLiteral("h"), "expired", std::nullopt,
                            done);
    });
    QCOMPARE(expired.error().status, 403);
    QVERIFY(await<NewAccount>([&](auto done) {
                m_users->createUser(QStringLiteral("u1"), QStringLiteral("h"), "code-hash",
                                    std::nullopt, done);
            }).ok());
    auto reused = await<NewAccount>([&](auto done) {
        m_users->createUser(QStringLiteral("u2"), QStringLiteral("h"), "code-hash", std::nullopt,
                            done);
    });
    QCOMPARE(reused.error().status, 403);
}

void TestServerStore::concurrentWritesAreGroupCommitted()
{
    constexpr int Threads = 8;
    constexpr int PerThread = 100;
    const quint64 batchesBefore = m_backend->batchesCommitted();
    std::atomic<int> stored{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < Threads; ++t) {
        threads.emplace_back([&] {
            std::vector<std::future<bool>> waits;
            for (int i = 0; i < PerThread; ++i) {
                auto promise = std::make_shared<std::promise<bool>>();
                waits.push_back(promise->get_future());
                m_messages->storeMessage(
                    message(newId(), {2}),
                    [promise](Protocol::Result<StoredMessage> r) { promise->set_value(r.ok()); });
            }
            for (auto &w : waits) {
                if (w.get()) {
                    ++stored;
                }
            }
        });
    }
    for (auto &thread : threads) {
        thread.join();
    }
    QCOMPARE(stored.load(), Threads * PerThread);
    const quint64 batches = m_backend->batchesCommitted() - batchesBefore;
    // Writes queued while a commit is in progress share the next transaction.
    QVERIFY2(batches < quint64(Threads * PerThread), qPrintable(QString::number(batches)));
    QCOMPARE(m_messages->pending(2, 0, 10000).size(), Threads * PerThread);
}

void TestServerStore::dataSurvivesReopen()
{
    auto stored = await<StoredMessage>(
        [&](auto done) { m_messages->storeMessage(message(newId(), {2}), done); });
    const QString path = m_dir->filePath(QStringLiteral("t.db"));
    m_messages.reset();
    m_backend.reset();
    m_backend = std::make_unique<SqliteBackend>();
    QString error;
    QVERIFY(m_backend->open(path, QStringLiteral("FULL"), &error));
    m_messages = std::make_unique<SqliteMessageStore>(*m_backend);
    const auto pending = m_messages->pending(2, 0, 10);
    QCOMPARE(pending.size(), 1);
    QCOMPARE(pending.first().id, stored->receipt.messageId);
}

void TestServerStore::daemonRefusesNewerSchema()
{
    QTemporaryDir dir;
    Config config;
    config.dataDir = dir.path();
    config.port = 0;
    config.listenAddress = QHostAddress::LocalHost;
    {
        Tincan::Server::Server server(config);
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        QVERIFY(server.port() > 0);
        server.stop();
    }
    {
        Storage::Connection connection;
        QVERIFY(connection.open({config.databasePath(), QStringLiteral("FULL"), false, 1000}));
        QVERIFY(connection.exec(QStringLiteral("PRAGMA user_version = 99")));
    }
    Tincan::Server::Server server(config);
    QString error;
    QVERIFY(!server.start(&error));
    QVERIFY2(error.contains(QStringLiteral("newer")), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestServerStore)
#include "tst_serverstore.moc"
