// The daemon's SQLite stores: idempotent storage, ordering, sequence numbers, inbox paging and
// ACKs, retention, revocation, device limits, invites, group commit, schema version checks, and
// the key directory (publication, identity conflicts, prekey limits, atomic prekey hand-out), and
// media records (upload states, references from conversations, deletion and purge).
#include "server/core/Server.h"
#include "server/store/sqlite/SqliteBackend.h"
#include "server/store/sqlite/SqliteMediaStore.h"
#include "server/store/sqlite/SqliteSchema.h"
#include "server/store/sqlite/SqliteStores.h"
#include "shared/storage/Connection.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QSet>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUuid>
#include <QtTest>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
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

QByteArray randomBytes(int size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (char &byte : bytes) {
        byte = static_cast<char>(QRandomGenerator::global()->bounded(256));
    }
    return bytes;
}

//! A well-formed fake public key: libsignal's type byte, then 32 random bytes.
QByteArray publicKey()
{
    return QByteArray(1, '\x05') + randomBytes(32);
}

QList<PreKey> preKeys(qint64 firstId, int count)
{
    QList<PreKey> keys;
    for (int i = 0; i < count; ++i) {
        keys.append({firstId + i, publicKey()});
    }
    return keys;
}

//! A complete first publication with `count` one-time prekeys numbered from 1.
DeviceKeys fullKeys(int count, qint64 signedPreKeyId = 1)
{
    DeviceKeys keys;
    keys.identityKey = publicKey();
    keys.registrationId = QRandomGenerator::global()->bounded(1, 16381);
    keys.signedPreKey = SignedPreKey{signedPreKeyId, publicKey(), randomBytes(64)};
    keys.preKeys = preKeys(1, count);
    return keys;
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
    void acknowledgementsOfManyDevicesAreAppliedTogether();
    void pushedEnvelopesAreSettledByTheirSlots();
    void purgeRemovesOnlyExpiredEntries();
    void revokeDropsInbox();
    void accountAndFirstDeviceAreCreatedTogether();
    void deviceLimit();
    void invitesAreSingleUse();
    void concurrentWritesAreGroupCommitted();
    void dataSurvivesReopen();
    void daemonRefusesNewerSchema();
    void firstPublicationNeedsIdentityAndSignedPreKey();
    void identityCannotChange();
    void signedPreKeyAndPreKeysAreReplaced();
    void atMostThousandPreKeys();
    void devicesAreCreatedWithTheirKeys();
    void bundlesConsumeOnePreKeyPerDevice();
    void concurrentBundleTakersNeverShareAPreKey();
    void revokeDropsPreKeys();
    void upgradeFromSchemaOneKeepsDevices();
    void peersAreKeptBeyondRetention();
    void presenceSettingsAndLastSeen();
    void upgradeToSchemaFourFindsExistingPeers();
    void mediaIsCreatedUploading();
    void mediaCompletesOnceAfterPublishing();
    void mediaAttachChecksOwnerStateAndExistence();
    void mediaDeleteIsRefusedOnceReferenced();
    void mediaPurgeDropsOldRefsAndUnreferencedMedia();
    void upgradeFromSchemaEightAddsMedia();

private:
    NewMessage message(const QString &clientId, QList<qint64> devices,
                       const QString &conversation = QStringLiteral("dm:a:b"));
    //! A new user with `devices` devices without keys; yields the user id and device ids.
    qint64 userWithDevices(const QString &username, int devices, QList<qint64> *ids);
    Protocol::Result<qint64> publish(qint64 deviceId, const DeviceKeys &keys);
    Protocol::Result<QList<KeyBundle>> take(qint64 userId, QList<qint64> only = {});
    qint64 preKeyRows(qint64 deviceId);
    //! A media record of `owner` (created `createdAt`), complete with `digest` unless empty.
    MediaRecord media(qint64 owner, qint64 size, const QByteArray &digest = {},
                      qint64 createdAt = 1000);
    Protocol::Result<MediaRecord> complete(const QString &id, const QByteArray &digest,
                                           int *published = nullptr, bool publishes = true);
    Protocol::Result<bool> attach(qint64 userId, const QStringList &ids,
                                  const QString &conversation, qint64 at = 2000);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<SqliteBackend> m_backend;
    std::unique_ptr<SqliteUserStore> m_users;
    std::unique_ptr<SqliteDeviceStore> m_devices;
    std::unique_ptr<SqliteKeyStore> m_keys;
    std::unique_ptr<SqliteMessageStore> m_messages;
    std::unique_ptr<SqliteMediaStore> m_media;
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
    m_keys = std::make_unique<SqliteKeyStore>(*m_backend);
    m_messages = std::make_unique<SqliteMessageStore>(*m_backend);
    m_media = std::make_unique<SqliteMediaStore>(*m_backend);
}

void TestServerStore::cleanup()
{
    m_media.reset();
    m_messages.reset();
    m_keys.reset();
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
        m_devices->createDevice(user->user.id, QStringLiteral("pc"), {}, "hash-1", 5, std::nullopt,
                                done);
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
    QCOMPARE(m_messages->pending(2, {}, 100).size(), 1);

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
    const auto page1 = m_messages->pending(2, {}, 10);
    QCOMPARE(page1.size(), 10);
    InboxPosition position;
    for (const auto &e : page1) {
        position.advance(e);
    }
    const auto page2 = m_messages->pending(2, position, 10);
    for (const auto &e : page2) {
        position.advance(e);
    }
    const auto page3 = m_messages->pending(2, position, 10);
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
    QVERIFY(m_messages->pending(3, {}, 10).isEmpty());
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
    QVERIFY(m_messages->pending(2, {}, 10).isEmpty());
    QCOMPARE(m_messages->pending(3, {}, 10).size(), 1);
}

void TestServerStore::acknowledgementsOfManyDevicesAreAppliedTogether()
{
    // ACKs queued together share one write: each still gets its own count, a repeated one
    // counts once, and every device's entry is gone.
    const QList<qint64> devices{2, 3, 4, 5, 6, 7};
    auto stored = await<StoredMessage>(
        [&](auto done) { m_messages->storeMessage(message(newId(), devices), done); });
    QVERIFY(stored.ok());
    const qint64 id = stored->receipt.messageId;
    struct Answers
    {
        std::mutex mutex;
        std::condition_variable answered;
        QHash<QString, qint64> counts;
    };
    auto answers = std::make_shared<Answers>(); // Outlives a failed wait.
    auto ack = [&](const QString &name, qint64 device, QList<qint64> ids) {
        m_messages->acknowledge(device, std::move(ids),
                                [answers, name](Protocol::Result<qint64> r) {
                                    std::lock_guard lock(answers->mutex);
                                    answers->counts.insert(name, r.ok() ? *r : -1);
                                    answers->answered.notify_all();
                                });
    };
    for (const qint64 device : devices) {
        ack(QString::number(device), device, {id, 999});
    }
    ack(QStringLiteral("again"), 2, {id});
    ack(QStringLiteral("stranger"), 8, {id});
    QHash<QString, qint64> counts;
    {
        std::unique_lock lock(answers->mutex);
        QVERIFY(answers->answered.wait_for(lock, std::chrono::seconds(10), [&] {
            return answers->counts.size() == devices.size() + 2;
        }));
        counts = answers->counts;
    }
    for (const qint64 device : devices) {
        QCOMPARE(counts.value(QString::number(device)), 1);
        QVERIFY(m_messages->pending(device, {}, 10).isEmpty());
    }
    QCOMPARE(counts.value(QStringLiteral("again")), 0);
    QCOMPARE(counts.value(QStringLiteral("stranger")), 0);
}

void TestServerStore::pushedEnvelopesAreSettledByTheirSlots()
{
    // What a stream kept of the envelopes it pushed settles their ACK: each inbox entry goes by
    // its slot (the other device's entry of the same message stays), once.
    QList<qint64> ids;
    for (int i = 0; i < 3; ++i) {
        auto stored = await<StoredMessage>([&](auto done) {
            m_messages->storeMessage(message(newId(), {2, 3}), done);
        });
        QVERIFY(stored.ok());
        ids.append(stored->receipt.messageId);
    }
    const QList<Protocol::Envelope> pushed = m_messages->pending(2, {}, 10);
    QCOMPARE(pushed.size(), 3);
    QList<PushedEnvelope> kept;
    for (const Protocol::Envelope &envelope : pushed.first(2)) {
        QVERIFY(envelope.slot > 0);
        kept.append({envelope.id, envelope.slot, envelope.conversation, envelope.seq, false, true});
    }
    auto removed = await<qint64>([&](auto done) { m_messages->acknowledgePushed(2, kept, done); });
    QCOMPARE(*removed, 2);
    const QList<Protocol::Envelope> left = m_messages->pending(2, {}, 10);
    QCOMPARE(left.size(), 1);
    QCOMPARE(left.first().id, ids.last());
    QCOMPARE(m_messages->pending(3, {}, 10).size(), 3);
    auto again = await<qint64>([&](auto done) { m_messages->acknowledgePushed(2, kept, done); });
    QCOMPARE(*again, 0);
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
    const auto left = m_messages->pending(2, {}, 10);
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
        m_devices->createDevice(user->user.id, QStringLiteral("pc"), {}, "tok", 5, std::nullopt,
                                done);
    });
    await<StoredMessage>(
        [&](auto done) { m_messages->storeMessage(message(newId(), {device->id}), done); });
    QCOMPARE(m_messages->pending(device->id, {}, 10).size(), 1);

    auto notYours =
        await<bool>([&](auto done) { m_devices->revokeDevice(other->user.id, device->id, done); });
    QCOMPARE(notYours.error().status, 403);
    auto revoked =
        await<bool>([&](auto done) { m_devices->revokeDevice(user->user.id, device->id, done); });
    QVERIFY(revoked.ok());
    QVERIFY(!m_devices->authenticate("tok"));
    QVERIFY(m_messages->pending(device->id, {}, 10).isEmpty());
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
                    m_devices->createDevice(user->user.id, QStringLiteral("d"), {},
                                            QByteArray::number(i), 2, std::nullopt, done);
                }).ok());
    }
    auto third = await<Device>([&](auto done) {
        m_devices->createDevice(user->user.id, QStringLiteral("d"), {}, "3", 2, std::nullopt, done);
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
    QCOMPARE(m_messages->pending(2, {}, 10000).size(), Threads * PerThread);
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
    const auto pending = m_messages->pending(2, {}, 10);
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

qint64 TestServerStore::userWithDevices(const QString &username, int devices, QList<qint64> *ids)
{
    auto user = await<NewAccount>([&](auto done) {
        m_users->createUser(username, QStringLiteral("h"), {}, std::nullopt, done);
    });
    if (!user) {
        return 0;
    }
    for (int i = 0; i < devices; ++i) {
        auto device = await<Device>([&](auto done) {
            m_devices->createDevice(user->user.id, QStringLiteral("d"), {},
                                    username.toUtf8() + QByteArray::number(i), 100, std::nullopt,
                                    done);
        });
        ids->append(device ? device->id : 0);
    }
    return user->user.id;
}

Protocol::Result<qint64> TestServerStore::publish(qint64 deviceId, const DeviceKeys &keys)
{
    return await<qint64>([&](auto done) { m_keys->publishKeys(deviceId, keys, done); });
}

Protocol::Result<QList<KeyBundle>> TestServerStore::take(qint64 userId, QList<qint64> only)
{
    return await<QList<KeyBundle>>([&](auto done) { m_keys->takeBundles(userId, only, done); });
}

qint64 TestServerStore::preKeyRows(qint64 deviceId)
{
    Storage::Connection connection;
    if (!connection.open(
            {m_dir->filePath(QStringLiteral("t.db")), QStringLiteral("FULL"), true, 1000})) {
        return -1;
    }
    QSqlQuery query(connection.database());
    query.prepare(QStringLiteral("SELECT COUNT(*) FROM one_time_prekeys WHERE device_id = ?"));
    query.bindValue(0, deviceId);
    return query.exec() && query.next() ? query.value(0).toLongLong() : -1;
}

void TestServerStore::firstPublicationNeedsIdentityAndSignedPreKey()
{
    QList<qint64> devices;
    const qint64 user = userWithDevices(QStringLiteral("kim"), 1, &devices);
    const qint64 device = devices.first();
    QVERIFY(!m_keys->keyStatus(device).hasKeys);
    QVERIFY(!m_devices->devicesOf(user).first().hasKeys);

    const DeviceKeys full = fullKeys(10);
    for (int missing = 0; missing < 3; ++missing) {
        DeviceKeys partial = full;
        if (missing == 0) {
            partial.identityKey.clear();
        } else if (missing == 1) {
            partial.registrationId = 0;
        } else {
            partial.signedPreKey.reset();
        }
        const auto refused = publish(device, partial);
        QCOMPARE(refused.error().status, 400);
        QVERIFY2(refused.error().message.contains(QStringLiteral("first publication")),
                 qPrintable(refused.error().message));
    }
    QCOMPARE(preKeyRows(device), 0); // The refused ones stored nothing.
    QVERIFY(!m_keys->keyStatus(device).hasKeys);

    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    const auto count = publish(device, full);
    QVERIFY(count.ok());
    QCOMPARE(*count, 10);
    const KeyStatus status = m_keys->keyStatus(device);
    QVERIFY(status.hasKeys);
    QCOMPARE(status.preKeyCount, 10);
    QCOMPARE(status.signedPreKeyId, 1);
    QVERIFY(status.signedPreKeyAt >= before);
    QVERIFY(m_devices->devicesOf(user).first().hasKeys);

    // Later publications may carry any part, or nothing.
    QCOMPARE(*publish(device, DeviceKeys{{}, 0, std::nullopt, preKeys(11, 5)}), 15);
    QCOMPARE(*publish(device, DeviceKeys{}), 15);
    QCOMPARE(publish(424242, full).error().status, 404);
}

void TestServerStore::identityCannotChange()
{
    QList<qint64> devices;
    userWithDevices(QStringLiteral("lea"), 1, &devices);
    const qint64 device = devices.first();
    const DeviceKeys keys = fullKeys(5);
    QVERIFY(publish(device, keys).ok());

    DeviceKeys otherIdentity = fullKeys(0);
    otherIdentity.registrationId = keys.registrationId;
    otherIdentity.preKeys = preKeys(100, 3);
    const auto conflict = publish(device, otherIdentity);
    QCOMPARE(conflict.error().status, 409);
    QCOMPARE(conflict.error().code, QStringLiteral("identity_conflict"));

    DeviceKeys otherRegistration = keys;
    otherRegistration.registrationId = keys.registrationId % 16380 + 1;
    QCOMPARE(publish(device, otherRegistration).error().code, QStringLiteral("identity_conflict"));
    QCOMPARE(m_keys->keyStatus(device).preKeyCount, 5); // Nothing of the refused ones stored.

    // The same identity again is fine.
    DeviceKeys same = keys;
    same.preKeys = preKeys(6, 2);
    QCOMPARE(*publish(device, same), 7);
    const auto bundles = take(m_devices->authenticate("lea0")->userId);
    QCOMPARE(bundles->size(), 1);
    QCOMPARE(bundles->first().identityKey, keys.identityKey);
    QCOMPARE(bundles->first().registrationId, keys.registrationId);
}

void TestServerStore::signedPreKeyAndPreKeysAreReplaced()
{
    QList<qint64> devices;
    const qint64 user = userWithDevices(QStringLiteral("max"), 1, &devices);
    const qint64 device = devices.first();
    const DeviceKeys keys = fullKeys(3);
    QVERIFY(publish(device, keys).ok());
    const qint64 firstAt = m_keys->keyStatus(device).signedPreKeyAt;

    QTRY_VERIFY(QDateTime::currentMSecsSinceEpoch() > firstAt);
    DeviceKeys update;
    update.signedPreKey = SignedPreKey{2, publicKey(), randomBytes(64)};
    const QByteArray newFirst = publicKey();
    update.preKeys = {{1, newFirst}}; // Same id as a stored one: replaces it.
    QCOMPARE(*publish(device, update), 3);
    const KeyStatus status = m_keys->keyStatus(device);
    QCOMPARE(status.signedPreKeyId, 2);
    QVERIFY(status.signedPreKeyAt > firstAt);

    const auto bundles = take(user);
    QCOMPARE(bundles->size(), 1);
    const KeyBundle &bundle = bundles->first();
    QCOMPARE(bundle.signedPreKey.id, 2);
    QCOMPARE(bundle.signedPreKey.publicKey, update.signedPreKey->publicKey);
    QCOMPARE(bundle.signedPreKey.signature, update.signedPreKey->signature);
    QCOMPARE(bundle.identityKey, keys.identityKey);
    QVERIFY(bundle.preKey.has_value());
    QCOMPARE(bundle.preKey->id, 1);
    QCOMPARE(bundle.preKey->publicKey, newFirst);
}

void TestServerStore::atMostThousandPreKeys()
{
    QList<qint64> devices;
    userWithDevices(QStringLiteral("ned"), 1, &devices);
    const qint64 device = devices.first();
    QCOMPARE(*publish(device, fullKeys(990)), 990);
    const auto over = publish(device, DeviceKeys{{}, 0, std::nullopt, preKeys(991, 11)});
    QCOMPARE(over.error().status, 400);
    QVERIFY2(over.error().message.contains(QStringLiteral("at most 1000")),
             qPrintable(over.error().message));
    QCOMPARE(m_keys->keyStatus(device).preKeyCount, 990); // All or nothing.
    QCOMPARE(*publish(device, DeviceKeys{{}, 0, std::nullopt, preKeys(991, 10)}), 1000);
    // At the limit, replacing existing ids is still fine; adding one is not.
    QCOMPARE(*publish(device, DeviceKeys{{}, 0, std::nullopt, preKeys(1, 200)}), 1000);
    QCOMPARE(publish(device, DeviceKeys{{}, 0, std::nullopt, preKeys(5000, 1)}).error().status,
             400);
}

void TestServerStore::devicesAreCreatedWithTheirKeys()
{
    auto account = await<NewAccount>([&](auto done) {
        m_users->createUser(QStringLiteral("olga"), QStringLiteral("h"), {},
                            FirstDevice{QStringLiteral("laptop"), "olga-1", fullKeys(7)}, done);
    });
    QVERIFY(account.ok());
    QVERIFY(account->device.hasKeys);
    QCOMPARE(m_keys->keyStatus(account->device.id).preKeyCount, 7);

    auto second = await<Device>([&](auto done) {
        m_devices->createDevice(account->user.id, QStringLiteral("phone"), {}, "olga-2", 5,
                                fullKeys(4), done);
    });
    QVERIFY(second.ok());
    QVERIFY(second->hasKeys);
    QCOMPARE(m_keys->keyStatus(second->id).preKeyCount, 4);
    const QList<Device> listed = m_devices->devicesOf(account->user.id);
    QCOMPARE(listed.size(), 2);
    QVERIFY(listed[0].hasKeys && listed[1].hasKeys);

    // Refused keys refuse the device, and the account with it.
    DeviceKeys incomplete = fullKeys(1);
    incomplete.signedPreKey.reset();
    auto refused = await<Device>([&](auto done) {
        m_devices->createDevice(account->user.id, QStringLiteral("tablet"), {}, "olga-3", 5,
                                incomplete, done);
    });
    QCOMPARE(refused.error().status, 400);
    QVERIFY(!m_devices->authenticate("olga-3"));
    QCOMPARE(m_devices->devicesOf(account->user.id).size(), 2);

    auto tooMany = await<NewAccount>([&](auto done) {
        m_users->createUser(QStringLiteral("pia"), QStringLiteral("h"), {},
                            FirstDevice{QStringLiteral("pc"), "pia-1", fullKeys(1001)}, done);
    });
    QCOMPARE(tooMany.error().status, 400);
    QVERIFY(!m_users->userByName(QStringLiteral("pia")));
    QVERIFY(!m_devices->authenticate("pia-1"));
}

void TestServerStore::bundlesConsumeOnePreKeyPerDevice()
{
    QList<qint64> devices;
    const qint64 user = userWithDevices(QStringLiteral("quinn"), 4, &devices);
    QVERIFY(publish(devices[0], fullKeys(2)).ok());
    QVERIFY(publish(devices[1], fullKeys(3)).ok());
    // devices[2] has no keys; devices[3] has keys but is revoked.
    QVERIFY(publish(devices[3], fullKeys(3)).ok());
    QVERIFY(await<bool>([&](auto done) { m_devices->revokeDevice(user, devices[3], done); }).ok());

    for (int round = 1; round <= 3; ++round) {
        const auto bundles = take(user);
        QVERIFY(bundles.ok());
        QCOMPARE(bundles->size(), 2);
        QCOMPARE(bundles->at(0).deviceId, devices[0]);
        QCOMPARE(bundles->at(1).deviceId, devices[1]);
        for (const KeyBundle &bundle : *bundles) {
            QCOMPARE(bundle.signedPreKey.id, 1);
            QCOMPARE(bundle.signedPreKey.signature.size(), 64);
            QCOMPARE(bundle.identityKey.size(), 33);
        }
        // Lowest id first; device 0 runs out after two rounds and then only has its signed
        // prekey to offer.
        QCOMPARE(bundles->at(0).preKey.has_value(), round <= 2);
        if (round <= 2) {
            QCOMPARE(bundles->at(0).preKey->id, round);
        }
        QVERIFY(bundles->at(1).preKey.has_value());
        QCOMPARE(bundles->at(1).preKey->id, round);
    }
    QCOMPARE(m_keys->keyStatus(devices[0]).preKeyCount, 0);
    QCOMPARE(m_keys->keyStatus(devices[1]).preKeyCount, 0);
    const auto empty = take(user);
    QCOMPARE(empty->size(), 2);
    QVERIFY(!empty->at(0).preKey && !empty->at(1).preKey);

    // A filter limits both the bundles and what is consumed.
    QCOMPARE(*publish(devices[0], DeviceKeys{{}, 0, std::nullopt, preKeys(50, 2)}), 2);
    QCOMPARE(*publish(devices[1], DeviceKeys{{}, 0, std::nullopt, preKeys(50, 2)}), 2);
    const auto filtered = take(user, {devices[1], devices[2], devices[3], 99999});
    QCOMPARE(filtered->size(), 1);
    QCOMPARE(filtered->first().deviceId, devices[1]);
    QCOMPARE(filtered->first().preKey->id, 50);
    QCOMPARE(m_keys->keyStatus(devices[0]).preKeyCount, 2);
    QCOMPARE(m_keys->keyStatus(devices[1]).preKeyCount, 1);
    QVERIFY(take(424242)->isEmpty());
}

void TestServerStore::concurrentBundleTakersNeverShareAPreKey()
{
    constexpr int PreKeysPerDevice = 150;
    constexpr int Threads = 8;
    constexpr int PerThread = 50; // 400 takes of 2 bundles: more than the 300 prekeys.
    QList<qint64> devices;
    const qint64 user = userWithDevices(QStringLiteral("rita"), 2, &devices);
    for (const qint64 device : devices) {
        QVERIFY(publish(device, fullKeys(PreKeysPerDevice)).ok());
    }

    std::mutex mutex;
    QList<QPair<qint64, qint64>> handedOut;
    std::atomic<int> failures{0};
    std::atomic<int> bundles{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < Threads; ++t) {
        threads.emplace_back([&] {
            std::vector<std::future<void>> waits;
            for (int i = 0; i < PerThread; ++i) {
                auto promise = std::make_shared<std::promise<void>>();
                waits.push_back(promise->get_future());
                m_keys->takeBundles(user, {}, [&, promise](Protocol::Result<QList<KeyBundle>> r) {
                    if (!r) {
                        ++failures;
                    } else {
                        std::lock_guard lock(mutex);
                        for (const KeyBundle &bundle : *r) {
                            ++bundles;
                            if (bundle.preKey) {
                                handedOut.append({bundle.deviceId, bundle.preKey->id});
                            }
                        }
                    }
                    promise->set_value();
                });
            }
            for (auto &w : waits) {
                w.get();
            }
        });
    }
    for (auto &thread : threads) {
        thread.join();
    }
    QCOMPARE(failures.load(), 0);
    QCOMPARE(bundles.load(), Threads * PerThread * 2);
    const QSet<QPair<qint64, qint64>> distinct(handedOut.cbegin(), handedOut.cend());
    QCOMPARE(distinct.size(), handedOut.size());      // Never the same prekey twice.
    QCOMPARE(handedOut.size(), 2 * PreKeysPerDevice); // And every published one exactly once.
    for (const qint64 device : devices) {
        QCOMPARE(m_keys->keyStatus(device).preKeyCount, 0);
    }
}

void TestServerStore::revokeDropsPreKeys()
{
    QList<qint64> devices;
    const qint64 user = userWithDevices(QStringLiteral("sam"), 2, &devices);
    QVERIFY(publish(devices[0], fullKeys(20)).ok());
    QVERIFY(publish(devices[1], fullKeys(20)).ok());
    QCOMPARE(preKeyRows(devices[0]), 20);
    QVERIFY(await<bool>([&](auto done) { m_devices->revokeDevice(user, devices[0], done); }).ok());
    QCOMPARE(preKeyRows(devices[0]), 0);
    QCOMPARE(preKeyRows(devices[1]), 20);
    QVERIFY(!m_keys->keyStatus(devices[0]).hasKeys);
    QCOMPARE(take(user)->size(), 1);
    // A revoked device cannot publish again.
    QCOMPARE(publish(devices[0], DeviceKeys{{}, 0, std::nullopt, preKeys(1, 1)}).error().status,
             404);
    QCOMPARE(preKeyRows(devices[0]), 0);
}

void TestServerStore::upgradeFromSchemaOneKeepsDevices()
{
    const QString path = m_dir->filePath(QStringLiteral("old.db"));
    {
        Storage::Connection connection;
        QVERIFY(connection.open({path, QStringLiteral("FULL"), false, 1000}));
        Storage::Migrations schemaOne({serverMigrations().steps().first()});
        QVERIFY2(schemaOne.apply(connection.database()), qPrintable(schemaOne.lastError()));
        QCOMPARE(Storage::Migrations::currentVersion(connection.database()), 1);
        QVERIFY(connection.exec(QStringLiteral("INSERT INTO users (id, username, password_hash, "
                                               "created_at) VALUES (7, 'old', 'h', 1)")));
        QVERIFY(connection.exec(QStringLiteral(
            "INSERT INTO devices (id, user_id, name, token_hash, created_at, last_seen) "
            "VALUES (3, 7, 'pc', x'00', 1, 1)")));
    }
    SqliteBackend backend;
    QString error;
    QVERIFY2(backend.open(path, QStringLiteral("FULL"), &error), qPrintable(error));
    SqliteDeviceStore devices(backend);
    SqliteKeyStore keys(backend);
    const QList<Device> listed = devices.devicesOf(7);
    QCOMPARE(listed.size(), 1);
    QVERIFY(!listed.first().hasKeys);
    QVERIFY(!keys.keyStatus(3).hasKeys);
    const auto count = await<qint64>([&](auto done) { keys.publishKeys(3, fullKeys(2), done); });
    QCOMPARE(*count, 2);
    QVERIFY(devices.devicesOf(7).first().hasKeys);
    backend.close();
    backend.releaseThreadConnection();
}

void TestServerStore::peersAreKeptBeyondRetention()
{
    QList<qint64> devices;
    const qint64 ann = userWithDevices(QStringLiteral("ann"), 1, &devices);
    const qint64 ben = userWithDevices(QStringLiteral("ben"), 1, &devices);
    const qint64 cat = userWithDevices(QStringLiteral("cat"), 1, &devices);
    auto dm = [&](qint64 from, const QString &fromName, qint64 to, const QString &toName,
                  const QString &conversation) {
        NewMessage m = message(newId(), {devices.last()}, conversation);
        m.senderUserId = from;
        m.senderUsername = fromName;
        m.recipientUserId = to;
        m.recipientUsername = toName;
        return await<StoredMessage>([&](auto done) { m_messages->storeMessage(m, done); }).ok();
    };
    QVERIFY(m_users->peersOf(ann).isEmpty());
    // ben -> ann and ann -> ann (notes to self): ann's only peer is ben, and ben's is ann.
    QVERIFY(
        dm(ben, QStringLiteral("ben"), ann, QStringLiteral("ann"), QStringLiteral("dm:ann:ben")));
    QVERIFY(
        dm(ann, QStringLiteral("ann"), ann, QStringLiteral("ann"), QStringLiteral("dm:ann:ann")));
    // Not a direct conversation: no peers from it.
    QVERIFY(dm(cat, QStringLiteral("cat"), ann, QStringLiteral("ann"), QStringLiteral("group:9")));
    const QList<Peer> annPeers = m_users->peersOf(ann);
    QCOMPARE(annPeers.size(), 1);
    QCOMPARE(annPeers.first().userId, ben);
    QCOMPARE(annPeers.first().username, QStringLiteral("ben"));
    QVERIFY(annPeers.first().showsPresence);
    QCOMPARE(m_users->peersOf(ben).size(), 1);
    QCOMPARE(m_users->peersOf(ben).first().userId, ann);
    QVERIFY(m_users->peersOf(cat).isEmpty());

    // Retention purges the messages; the peers stay.
    const qint64 cutoff = QDateTime::currentMSecsSinceEpoch() + 1;
    QTRY_VERIFY(QDateTime::currentMSecsSinceEpoch() > cutoff);
    QVERIFY(await<qint64>([&](auto done) { m_messages->purgeBefore(cutoff, done); }).ok());
    QCOMPARE(m_messages->pending(devices.last(), {}, 10).size(), 0);
    QCOMPARE(m_users->peersOf(ann).size(), 1);
}

void TestServerStore::presenceSettingsAndLastSeen()
{
    QList<qint64> devices;
    const qint64 dan = userWithDevices(QStringLiteral("dan"), 2, &devices);
    QVERIFY(m_users->showsPresence(dan));
    QVERIFY(!m_users->showsPresence(dan + 1000)); // No such user: nothing to show.
    QCOMPARE(*await<bool>([&](auto done) { m_users->setShowsPresence(dan, false, done); }), false);
    QVERIFY(!m_users->showsPresence(dan));
    QVERIFY(await<bool>([&](auto done) { m_users->setShowsPresence(dan, true, done); }).ok());
    QVERIFY(m_users->showsPresence(dan));

    // Last seen is the latest over the user's devices, and never goes back.
    const qint64 created = m_users->lastSeen(dan);
    QVERIFY(created > 0);
    QVERIFY(
        await<bool>([&](auto done) { m_devices->touch(devices[0], created + 5000, done); }).ok());
    QVERIFY(
        await<bool>([&](auto done) { m_devices->touch(devices[1], created + 3000, done); }).ok());
    QCOMPARE(m_users->lastSeen(dan), created + 5000);
    QVERIFY(
        await<bool>([&](auto done) { m_devices->touch(devices[0], created + 1000, done); }).ok());
    QCOMPARE(m_users->lastSeen(dan), created + 5000);
    QCOMPARE(m_users->lastSeen(dan + 1000), 0);
}

void TestServerStore::upgradeToSchemaFourFindsExistingPeers()
{
    const QString path = m_dir->filePath(QStringLiteral("v2.db"));
    {
        Storage::Connection connection;
        QVERIFY(connection.open({path, QStringLiteral("FULL"), false, 1000}));
        QList<Storage::Migration> steps;
        const Storage::Migrations all = serverMigrations();
        for (const Storage::Migration &step : all.steps()) {
            if (step.version <= 2) {
                steps.append(step);
            }
        }
        Storage::Migrations schemaTwo(steps);
        QVERIFY2(schemaTwo.apply(connection.database()), qPrintable(schemaTwo.lastError()));
        QVERIFY(connection.exec(
            QStringLiteral("INSERT INTO users (id, username, password_hash, created_at) VALUES "
                           "(1, 'amy', 'h', 1), (2, 'bo', 'h', 1), (3, 'cy', 'h', 1)")));
        QVERIFY(connection.exec(QStringLiteral(
            "INSERT INTO messages (sender_user, sender_name, sender_device, client_id, "
            "conversation, seq, recipient, server_ts) VALUES "
            "(2, 'bo', 1, 'c1', 'dm:amy:bo', 1, 'amy', 1), "
            "(3, 'cy', 1, 'c2', 'dm:cy:cy', 1, 'cy', 1)")));
    }
    SqliteBackend backend;
    QString error;
    QVERIFY2(backend.open(path, QStringLiteral("FULL"), &error), qPrintable(error));
    SqliteUserStore users(backend);
    QCOMPARE(users.peersOf(1).size(), 1);
    QCOMPARE(users.peersOf(1).first().username, QStringLiteral("bo"));
    QCOMPARE(users.peersOf(2).size(), 1);
    QVERIFY(users.peersOf(3).isEmpty());
    QVERIFY(users.showsPresence(3));
    backend.close();
    backend.releaseThreadConnection();
}

MediaRecord TestServerStore::media(qint64 owner, qint64 size, const QByteArray &digest,
                                   qint64 createdAt)
{
    MediaRecord record;
    record.id = QString::fromLatin1(randomBytes(16).toHex());
    record.ownerUserId = owner;
    record.ownerDeviceId = owner * 10;
    record.size = size;
    record.createdAt = createdAt;
    auto created = await<MediaRecord>([&](auto done) { m_media->createMedia(record, done); });
    if (!created) {
        qWarning("createMedia failed: %s", qPrintable(created.error().message));
        return {};
    }
    if (!digest.isEmpty()) {
        auto completed = complete(record.id, digest);
        if (!completed) {
            return {};
        }
        return *completed;
    }
    return *created;
}

Protocol::Result<MediaRecord> TestServerStore::complete(const QString &id, const QByteArray &digest,
                                                        int *published, bool publishes)
{
    auto calls = std::make_shared<std::atomic<int>>(0);
    auto result = await<MediaRecord>([&](auto done) {
        m_media->completeMedia(
            id, digest, 5000,
            [calls, publishes] {
                ++*calls;
                return publishes;
            },
            done);
    });
    if (published) {
        *published = calls->load();
    }
    return result;
}

Protocol::Result<bool> TestServerStore::attach(qint64 userId, const QStringList &ids,
                                               const QString &conversation, qint64 at)
{
    return await<bool>(
        [&](auto done) { m_media->attachMedia(userId, ids, conversation, at, done); });
}

void TestServerStore::mediaIsCreatedUploading()
{
    const MediaRecord created = media(1, 4096, {}, 1234);
    QVERIFY(!created.id.isEmpty());
    QCOMPARE(created.state, QStringLiteral("uploading"));
    QCOMPARE(created.size, 4096);
    QCOMPARE(created.ownerUserId, 1);
    QCOMPARE(created.ownerDeviceId, 10);
    QCOMPARE(created.createdAt, 1234);
    QVERIFY(created.sha256.isEmpty());
    const auto read = m_media->media(created.id);
    QVERIFY(read);
    QCOMPARE(read->id, created.id);
    QCOMPARE(read->state, QStringLiteral("uploading"));
    QCOMPARE(read->completedAt, 0);
    QVERIFY(!m_media->media(QString::fromLatin1(randomBytes(16).toHex())));
    QVERIFY(m_media->conversationsOf(created.id).isEmpty());

    // Ids are unique.
    MediaRecord again = created;
    const auto duplicate =
        await<MediaRecord>([&](auto done) { m_media->createMedia(again, done); });
    QVERIFY(!duplicate.ok());
}

void TestServerStore::mediaCompletesOnceAfterPublishing()
{
    const MediaRecord upload = media(1, 10);
    const QByteArray digest = randomBytes(32);

    // The blob cannot be moved into place: nothing changes.
    int published = 0;
    auto failed = complete(upload.id, digest, &published, false);
    QVERIFY(!failed.ok());
    QCOMPARE(failed.error().status, 507);
    QCOMPARE(published, 1);
    QCOMPARE(m_media->media(upload.id)->state, QStringLiteral("uploading"));
    QVERIFY(!m_media->blobInUse(digest));

    auto done = complete(upload.id, digest, &published);
    QVERIFY(done.ok());
    QCOMPARE(published, 1);
    QCOMPARE(done->state, QStringLiteral("complete"));
    QCOMPARE(done->sha256, digest);
    QCOMPARE(done->completedAt, 5000);
    QCOMPARE(m_media->media(upload.id)->sha256, digest);
    QVERIFY(m_media->blobInUse(digest));

    // A second completion (a retried request) publishes nothing and keeps the first digest.
    auto again = complete(upload.id, randomBytes(32), &published);
    QVERIFY(again.ok());
    QCOMPARE(published, 0);
    QCOMPARE(again->sha256, digest);

    auto unknown = complete(QString::fromLatin1(randomBytes(16).toHex()), digest, &published);
    QCOMPARE(unknown.error().status, 404);
    QCOMPARE(unknown.error().code, QStringLiteral("unknown_media"));
    QCOMPARE(published, 0);
}

void TestServerStore::mediaAttachChecksOwnerStateAndExistence()
{
    const MediaRecord mine = media(1, 10, randomBytes(32));
    const MediaRecord second = media(1, 20, randomBytes(32));
    const MediaRecord unfinished = media(1, 30);
    const MediaRecord theirs = media(2, 40, randomBytes(32));
    const QString unknown = QString::fromLatin1(randomBytes(16).toHex());
    const QString dm = QStringLiteral("dm:ann:ben");

    QCOMPARE(attach(1, {theirs.id}, dm).error().status, 403);
    QCOMPARE(attach(1, {theirs.id}, dm).error().code, QStringLiteral("forbidden"));
    QCOMPARE(attach(1, {unfinished.id}, dm).error().status, 409);
    QCOMPARE(attach(1, {unfinished.id}, dm).error().code, QStringLiteral("media_not_ready"));
    QCOMPARE(attach(1, {unknown}, dm).error().status, 404);
    QCOMPARE(attach(1, {unknown}, dm).error().code, QStringLiteral("unknown_media"));
    // All or nothing: one bad id in the list attaches none of them.
    QVERIFY(!attach(1, {mine.id, second.id, theirs.id}, dm).ok());
    QVERIFY(!attach(1, {mine.id, unfinished.id}, dm).ok());
    QVERIFY(m_media->conversationsOf(mine.id).isEmpty());
    QVERIFY(m_media->conversationsOf(second.id).isEmpty());

    QVERIFY(attach(1, {mine.id, second.id}, dm).ok());
    QCOMPARE(m_media->conversationsOf(mine.id), QStringList{dm});
    QCOMPARE(m_media->conversationsOf(second.id), QStringList{dm});
    // Again in the same conversation: still one reference; in a group: two.
    QVERIFY(attach(1, {mine.id}, dm, 3000).ok());
    QCOMPARE(m_media->conversationsOf(mine.id).size(), 1);
    QVERIFY(attach(1, {mine.id}, QStringLiteral("group:g1")).ok());
    QStringList conversations = m_media->conversationsOf(mine.id);
    conversations.sort();
    QCOMPARE(conversations, (QStringList{dm, QStringLiteral("group:g1")}));
    QVERIFY(m_media->conversationsOf(theirs.id).isEmpty());
    QVERIFY(m_media->conversationsOf(unfinished.id).isEmpty());
}

void TestServerStore::mediaDeleteIsRefusedOnceReferenced()
{
    const QByteArray shared = randomBytes(32);
    const MediaRecord sent = media(1, 10, randomBytes(32));
    const MediaRecord draft = media(1, 10, shared);
    const MediaRecord sameBytes = media(3, 10, shared); // Another upload of the same blob.
    const MediaRecord unfinished = media(1, 10);
    QVERIFY(attach(1, {sent.id}, QStringLiteral("dm:ann:ben")).ok());

    auto remove = [&](qint64 user, const QString &id, MediaPurge *unlinked) {
        return await<MediaRecord>([&](auto done) {
            m_media->deleteMedia(
                user, id, [unlinked](const MediaPurge &purge) { *unlinked = purge; }, done);
        });
    };
    MediaPurge unlinked;
    unlinked.orphanBlobs.append("untouched");
    auto refused = remove(1, sent.id, &unlinked);
    QCOMPARE(refused.error().status, 409);
    QCOMPARE(unlinked.orphanBlobs, QList<QByteArray>{"untouched"}); // Nothing to unlink.
    QVERIFY(m_media->media(sent.id));
    // Someone else's media is as good as unknown.
    QCOMPARE(remove(2, draft.id, &unlinked).error().status, 404);
    QVERIFY(m_media->media(draft.id));

    // The blob of a deleted upload stays while another upload has the same bytes...
    auto removed = remove(1, draft.id, &unlinked);
    QVERIFY(removed.ok());
    QCOMPARE(removed->id, draft.id);
    QVERIFY(!m_media->media(draft.id));
    QCOMPARE(unlinked.removed.size(), 1);
    QCOMPARE(unlinked.removed.first().id, draft.id);
    QVERIFY(unlinked.orphanBlobs.isEmpty());
    QVERIFY(m_media->blobInUse(shared));
    // ...and goes with the last of them.
    removed = remove(3, sameBytes.id, &unlinked);
    QVERIFY(removed.ok());
    QCOMPARE(unlinked.orphanBlobs, QList<QByteArray>{shared});
    QVERIFY(!m_media->blobInUse(shared));

    // An unfinished upload has no blob, only its partial file (removed by the caller).
    removed = remove(1, unfinished.id, &unlinked);
    QVERIFY(removed.ok());
    QCOMPARE(unlinked.removed.size(), 1);
    QCOMPARE(unlinked.removed.first().state, QStringLiteral("uploading"));
    QVERIFY(unlinked.orphanBlobs.isEmpty());
    QCOMPARE(remove(1, unfinished.id, &unlinked).error().status, 404);
}

void TestServerStore::mediaPurgeDropsOldRefsAndUnreferencedMedia()
{
    const QByteArray kept = randomBytes(32);
    const QByteArray twice = randomBytes(32);
    const QByteArray once = randomBytes(32);
    // Old and unreferenced: purged; young and unreferenced: kept for its grace period.
    const MediaRecord oldDraft = media(1, 10, once, 100);
    const MediaRecord oldUnfinished = media(1, 10, {}, 100);
    const MediaRecord youngDraft = media(1, 10, {}, 9000);
    // Old, referenced recently: kept. Referenced long ago: the reference expires, then the
    // media goes too.
    const MediaRecord recentlySent = media(1, 10, kept, 100);
    const MediaRecord longAgoSent = media(1, 10, twice, 100);
    // A second, young upload of longAgoSent's blob keeps that file alive.
    const MediaRecord youngCopy = media(2, 10, twice, 9000);
    QVERIFY(attach(1, {recentlySent.id}, QStringLiteral("dm:a:b"), 8000).ok());
    QVERIFY(attach(1, {longAgoSent.id}, QStringLiteral("group:g"), 200).ok());

    MediaPurge unlinked;
    auto purged = await<qint64>([&](auto done) {
        m_media->purgeMedia(
            5000, 5000, [&unlinked](const MediaPurge &purge) { unlinked = purge; }, done);
    });
    QVERIFY(purged.ok());
    QCOMPARE(*purged, 3);
    QStringList removedIds;
    for (const MediaRecord &record : std::as_const(unlinked.removed)) {
        removedIds.append(record.id);
    }
    removedIds.sort();
    QStringList expected{oldDraft.id, oldUnfinished.id, longAgoSent.id};
    expected.sort();
    QCOMPARE(removedIds, expected);
    // Only the blob no remaining media uses is an orphan.
    QCOMPARE(unlinked.orphanBlobs, QList<QByteArray>{once});
    for (const QString &id : std::as_const(expected)) {
        QVERIFY(!m_media->media(id));
        QVERIFY(m_media->conversationsOf(id).isEmpty());
    }
    QVERIFY(m_media->media(youngDraft.id));
    QVERIFY(m_media->media(recentlySent.id));
    QVERIFY(m_media->media(youngCopy.id));
    QCOMPARE(m_media->conversationsOf(recentlySent.id), QStringList{QStringLiteral("dm:a:b")});
    QVERIFY(m_media->blobInUse(twice));
    QVERIFY(m_media->blobInUse(kept));
    QVERIFY(!m_media->blobInUse(once));

    // Nothing left to do: a second purge removes nothing.
    purged = await<qint64>([&](auto done) {
        m_media->purgeMedia(
            5000, 5000, [&unlinked](const MediaPurge &purge) { unlinked = purge; }, done);
    });
    QCOMPARE(*purged, 0);
    QVERIFY(unlinked.removed.isEmpty());
    QVERIFY(unlinked.orphanBlobs.isEmpty());

    // Later, the last copy of a shared blob goes and takes the file with it, once.
    purged = await<qint64>([&](auto done) {
        m_media->purgeMedia(
            100000, 100000, [&unlinked](const MediaPurge &purge) { unlinked = purge; }, done);
    });
    QCOMPARE(*purged, 3);
    QList<QByteArray> orphans = unlinked.orphanBlobs;
    std::sort(orphans.begin(), orphans.end());
    QList<QByteArray> wanted{kept, twice};
    std::sort(wanted.begin(), wanted.end());
    QCOMPARE(orphans, wanted);
}

void TestServerStore::upgradeFromSchemaEightAddsMedia()
{
    const QString path = m_dir->filePath(QStringLiteral("v8.db"));
    {
        Storage::Connection connection;
        QVERIFY(connection.open({path, QStringLiteral("FULL"), false, 1000}));
        QList<Storage::Migration> steps;
        const Storage::Migrations all = serverMigrations();
        QVERIFY(all.latestVersion() >= 9);
        for (const Storage::Migration &step : all.steps()) {
            if (step.version <= 8) {
                steps.append(step);
            }
        }
        Storage::Migrations schemaEight(steps);
        QVERIFY2(schemaEight.apply(connection.database()), qPrintable(schemaEight.lastError()));
        QCOMPARE(Storage::Migrations::currentVersion(connection.database()), 8);
        QSqlQuery query(connection.database());
        QVERIFY(!query.exec(QStringLiteral("SELECT COUNT(*) FROM media")));
        QVERIFY(connection.exec(QStringLiteral("INSERT INTO users (id, username, password_hash, "
                                               "created_at) VALUES (4, 'eve', 'h', 1)")));
    }
    SqliteBackend backend;
    QString error;
    QVERIFY2(backend.open(path, QStringLiteral("FULL"), &error), qPrintable(error));
    {
        Storage::Connection connection;
        QVERIFY(connection.open({path, QStringLiteral("FULL"), true, 1000}));
        QCOMPARE(Storage::Migrations::currentVersion(connection.database()),
                 serverMigrations().latestVersion());
    }
    SqliteUserStore users(backend);
    QCOMPARE(users.userByName(QStringLiteral("eve"))->id, 4);
    // The new tables work: a media of the old user, completed and referenced.
    SqliteMediaStore store(backend);
    MediaRecord record;
    record.id = QString::fromLatin1(randomBytes(16).toHex());
    record.ownerUserId = 4;
    record.ownerDeviceId = 1;
    record.size = 3;
    record.createdAt = 1;
    QVERIFY(await<MediaRecord>([&](auto done) { store.createMedia(record, done); }).ok());
    const QByteArray digest = randomBytes(32);
    QVERIFY(await<MediaRecord>([&](auto done) {
                store.completeMedia(
                    record.id, digest, 2, [] { return true; }, done);
            }).ok());
    QVERIFY(await<bool>([&](auto done) {
                store.attachMedia(4, {record.id}, QStringLiteral("dm:eve:eve"), 3, done);
            }).ok());
    QCOMPARE(store.conversationsOf(record.id), QStringList{QStringLiteral("dm:eve:eve")});
    QVERIFY(store.blobInUse(digest));
    backend.close();
    backend.releaseThreadConnection();
}

QTEST_GUILESS_MAIN(TestServerStore)
#include "tst_serverstore.moc"
