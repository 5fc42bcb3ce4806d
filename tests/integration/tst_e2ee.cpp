// End-to-end encryption against the real tincand with real client cores: every device decrypts
// every message, the server and the disk never hold plaintext, out-of-order and duplicated
// delivery, a large offline backlog, pre-key exhaustion and top-up, signed pre-key rotation,
// automatic repair of a broken session, safety numbers and changed identities.
#include "app/core/DatabaseKey.h"
#include "app/core/Keychain.h"
#include "shared/crypto/DeviceCrypto.h"
#include "shared/protocol/Envelope.h"
#include "shared/storage/Connection.h"
#include "tests/common/TestClient.h"
#include "tests/common/TestServer.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QJsonArray>
#include <QSettings>
#include <QSqlQuery>
#include <QThread>
#include <QUuid>
#include <QtTest>

using namespace Tincan;
using namespace Tincan::Test;
using Status = Client::StoredMessage::Status;

namespace {

constexpr int Timeout = 30000;

const QString Config = QStringLiteral("[rate]\nmessages_per_second=100000\nmessage_burst=100000\n"
                                      "[limits]\n");

QString marker()
{
    return QStringLiteral("tincan-marker-") + QUuid::createUuid().toString(QUuid::Id128);
}

//! Every file under `dir` whose bytes contain `needle`.
QStringList filesContaining(const QString &dir, const QByteArray &needle)
{
    QStringList hits;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        if (file.open(QIODevice::ReadOnly) && file.readAll().contains(needle)) {
            hits.append(path);
        }
    }
    return hits;
}

//! The raw envelopes waiting in a device's server inbox.
QList<Protocol::Envelope> inbox(TestClient &client)
{
    QList<Protocol::Envelope> envelopes;
    const auto result = client.call("GET", QStringLiteral("/v1/inbox?limit=500"));
    for (const QJsonValue &value : result.body.value(QStringLiteral("envelopes")).toArray()) {
        auto envelope = Protocol::Envelope::fromJson(value.toObject());
        if (envelope) {
            envelopes.append(*envelope);
        }
    }
    return envelopes;
}

QStringList textsOf(const QList<Client::StoredMessage> &messages)
{
    QStringList texts;
    for (const auto &m : messages) {
        if (m.status != Status::System) {
            texts.append(m.text);
        }
    }
    return texts;
}

} // namespace

class TestE2ee : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();
    void everyDeviceDecryptsEverythingAcrossRestarts();
    void serverAndDiskNeverHoldPlaintext();
    void identicalPlaintextsDifferOnTheServer();
    void outOfOrderAndDuplicatedDelivery();
    void thousandOfflineMessagesDecryptOnceInOrder();
    void preKeyExhaustionAndTopUp();
    void signedPreKeyRotation();
    void brokenSessionIsRepairedAutomatically();
    void changedSafetyNumberIsSurfacedAndGuarded();
    void databaseKeyLivesInTheKeychain();
    void clientCoreRunsOnItsOwnThread();
    void olderPlaintextDatabaseIsEncrypted();
    void retryRequestsCannotExtractOthersMessages();
    void newOwnDeviceChangesVerifiedNumbers();

private:
    //! Two new users, each signed in on one device; the clients live until the test ends.
    struct Users
    {
        QString alice;
        QString bob;
        TestClient &a;
        TestClient &b;
        bool registered;
    };
    Users registerTwo()
    {
        m_a = std::make_unique<TestClient>(m_server->url());
        m_b = std::make_unique<TestClient>(m_server->url());
        const QString alice = newUser(QStringLiteral("alice"));
        const QString bob = newUser(QStringLiteral("bob"));
        const bool registered = m_a->registerAccount(alice) && m_b->registerAccount(bob);
        return {alice, bob, *m_a, *m_b, registered};
    }
    QString newUser(const QString &prefix) { return prefix + QString::number(++m_users); }

    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<TestClient> m_a;
    std::unique_ptr<TestClient> m_b;
    int m_users = 0;
};

void TestE2ee::initTestCase()
{
    m_server = std::make_unique<TestServer>(Config);
    QVERIFY2(m_server->start(), qPrintable(m_server->output()));
}

void TestE2ee::cleanup()
{
    m_a.reset();
    m_b.reset();
}

void TestE2ee::cleanupTestCase()
{
    QVERIFY2(m_server->stop(), qPrintable(m_server->output()));
}

void TestE2ee::everyDeviceDecryptsEverythingAcrossRestarts()
{
    const QString alice = newUser(QStringLiteral("alice"));
    const QString bob = newUser(QStringLiteral("bob"));
    TestClient aLaptop(m_server->url());
    TestClient aPhone(m_server->url());
    TestClient bLaptop(m_server->url());
    TestClient bPhone(m_server->url());
    QVERIFY(aLaptop.registerAccount(alice));
    QVERIFY(aPhone.login(alice));
    QVERIFY(bLaptop.registerAccount(bob));
    QVERIFY(bPhone.login(bob));
    QList<TestClient *> devices{&aLaptop, &aPhone, &bLaptop, &bPhone};
    const QString conversation = QStringLiteral("dm:%1:%2").arg(alice, bob);

    QStringList expected;
    for (int round = 0; round < 2; ++round) {
        for (TestClient *device : devices) {
            device->core().connectToServer();
        }
        // Every device writes to the other user: 4 messages, each read by 3 other devices.
        QString error;
        for (TestClient *device : devices) {
            const bool isAlice = device == &aLaptop || device == &aPhone;
            const QString text = QStringLiteral("round %1 from %2 device %3")
                                     .arg(round)
                                     .arg(device->core().profile().username())
                                     .arg(device->core().profile().deviceId());
            QVERIFY2(!device->core().send(isAlice ? bob : alice, text, &error).isEmpty(),
                     qPrintable(error));
            expected.append(text);
        }
        for (TestClient *device : devices) {
            QTRY_COMPARE_WITH_TIMEOUT(device->core().outboxSize(), 0, Timeout);
        }
        for (TestClient *device : devices) {
            QTRY_COMPARE_WITH_TIMEOUT(
                textsOf(device->core().store().history(conversation, 100)).size(), expected.size(),
                Timeout);
            QStringList texts = textsOf(device->core().store().history(conversation, 100));
            texts.sort();
            QStringList want = expected;
            want.sort();
            QCOMPARE(texts, want);
            QVERIFY(device->core().store().undecryptable().isEmpty());
        }
        // Restart every app, and the server, between rounds.
        for (TestClient *device : devices) {
            device->core().disconnectFromServer();
            device->reopen();
        }
        QVERIFY2(m_server->stop(), qPrintable(m_server->output()));
        QVERIFY2(m_server->restart(), qPrintable(m_server->output()));
    }
}

void TestE2ee::serverAndDiskNeverHoldPlaintext()
{
    auto [alice, bob, a, b, registered] = registerTwo();
    QVERIFY(registered);
    const QString toBob = marker();
    const QString toAlice = marker();
    QString error;
    // Bob is offline: the ciphertext waits in his inbox on the server.
    QVERIFY(!a->send(bob, toBob, &error).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(a->outboxSize(), 0, Timeout);
    QCOMPARE(b.inboxSize(), 1);
    QVERIFY(filesContaining(m_server->dataDir(), toBob.toUtf8()).isEmpty());
    QVERIFY(!m_server->output().contains(toBob));

    Client::ClientCore &bobCore = b.core();
    Recorder bobSeen(bobCore);
    bobCore.connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.received.size(), 1, Timeout);
    QCOMPARE(bobSeen.received.first().text, toBob);
    QVERIFY(!bobCore.send(alice, toAlice, &error).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(bobCore.outboxSize(), 0, Timeout);

    for (const QString &m : {toBob, toAlice}) {
        const QStringList onServer = filesContaining(m_server->dataDir(), m.toUtf8());
        QVERIFY2(onServer.isEmpty(), qPrintable(onServer.join(QLatin1Char(' '))));
        QVERIFY(!m_server->output().contains(m));
        // The clients' disks hold no plaintext either (SQLCipher, WAL included).
        QVERIFY(filesContaining(a.profileDir(), m.toUtf8()).isEmpty());
        QVERIFY(filesContaining(b.profileDir(), m.toUtf8()).isEmpty());
    }
    // Nor the UTF-16 form, for the clients.
    const QByteArray utf16(reinterpret_cast<const char *>(toBob.utf16()), toBob.size() * 2);
    QVERIFY(filesContaining(b.profileDir(), utf16).isEmpty());
}

void TestE2ee::identicalPlaintextsDifferOnTheServer()
{
    auto [alice, bob, a, b, registered] = registerTwo();
    QVERIFY(registered);
    QString error;
    QVERIFY(!a->send(bob, QStringLiteral("same words"), &error).isEmpty());
    QVERIFY(!a->send(bob, QStringLiteral("same words"), &error).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(a->outboxSize(), 0, Timeout);
    const auto envelopes = inbox(b);
    QCOMPARE(envelopes.size(), 2);
    QVERIFY(envelopes.at(0).payload != envelopes.at(1).payload);
    for (const auto &envelope : envelopes) {
        QVERIFY(!envelope.payload.contains("same words"));
        QVERIFY(Crypto::DeviceCrypto::isPreKeyPayload(envelope.payload));
    }
}

void TestE2ee::outOfOrderAndDuplicatedDelivery()
{
    auto [alice, bob, a, b, registered] = registerTwo();
    QVERIFY(registered);
    // A first exchange, so that later messages are normal (not pre-key) ones.
    QString error;
    Recorder bobSeen(b.core());
    Recorder aliceSeen(a.core());
    b->connectToServer();
    a->connectToServer();
    QVERIFY(!a->send(bob, QStringLiteral("hello"), &error).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.received.size(), 1, Timeout);
    QVERIFY(!b->send(alice, QStringLiteral("hi"), &error).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(aliceSeen.received.size(), 1, Timeout);
    b->disconnectFromServer();

    const QStringList texts = a.sendNumbered(bob, QStringLiteral("ooo"), 20);
    QTRY_COMPARE_WITH_TIMEOUT(a->outboxSize(), 0, Timeout);
    QList<Protocol::Envelope> envelopes = inbox(b);
    QCOMPARE(envelopes.size(), 20);
    QVERIFY(!Crypto::DeviceCrypto::isPreKeyPayload(envelopes.first().payload));
    // Delivered backwards, then all of them again: each is decrypted and shown once.
    std::reverse(envelopes.begin(), envelopes.end());
    for (const auto &envelope : std::as_const(envelopes)) {
        Q_EMIT b->stream().envelopeReceived(envelope);
    }
    for (const auto &envelope : std::as_const(envelopes)) {
        Q_EMIT b->stream().envelopeReceived(envelope);
    }
    QCOMPARE(bobSeen.received.size(), 21);
    // And the server delivers them once more when the stream opens (they were never ACKed).
    b->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(b.inboxSize(), 0, Timeout);
    QCOMPARE(bobSeen.received.size(), 21);
    QVERIFY(b->store().undecryptable().isEmpty());
    const auto history = b->store().history(QStringLiteral("dm:%1:%2").arg(alice, bob), 100);
    const QStringList want = QStringList{QStringLiteral("hello"), QStringLiteral("hi")} + texts;
    QCOMPARE(textsOf(history), want);
}

void TestE2ee::thousandOfflineMessagesDecryptOnceInOrder()
{
    auto [alice, bob, a, b, registered] = registerTwo();
    QVERIFY(registered);
    const QStringList texts = a.sendNumbered(bob, QStringLiteral("backlog"), 1000);
    QTRY_COMPARE_WITH_TIMEOUT(a->outboxSize(), 0, 120000);
    Recorder bobSeen(b.core());
    b->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.received.size(), 1000, 120000);
    QTRY_COMPARE_WITH_TIMEOUT(b.inboxSize(), 0, Timeout);
    QCOMPARE(bobSeen.texts(), texts);
    QCOMPARE(b->store().messageCount(), 1000);
    QVERIFY(b->store().undecryptable().isEmpty());
}

void TestE2ee::preKeyExhaustionAndTopUp()
{
    const QString bob = newUser(QStringLiteral("bob"));
    TestClient b(m_server->url());
    b->setKeyPolicy(7LL * 24 * 3600 * 1000, 30LL * 24 * 3600 * 1000, 3);
    QVERIFY(b.registerAccount(bob));
    QCOMPARE(
        b.call("GET", QStringLiteral("/v1/keys")).body.value(QStringLiteral("preKeyCount")).toInt(),
        3);
    // Five senders use up bob's three one-time pre-keys; the last two fall back to the signed
    // pre-key alone. Everything decrypts.
    std::vector<std::unique_ptr<TestClient>> senders;
    QString error;
    for (int i = 0; i < 5; ++i) {
        senders.push_back(std::make_unique<TestClient>(m_server->url()));
        const QString name = newUser(QStringLiteral("sender"));
        QVERIFY(senders.back()->registerAccount(name));
        QVERIFY(!senders.back()
                     ->core()
                     .send(bob, QStringLiteral("from %1").arg(name), &error)
                     .isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(senders.back()->core().outboxSize(), 0, Timeout);
    }
    QCOMPARE(
        b.call("GET", QStringLiteral("/v1/keys")).body.value(QStringLiteral("preKeyCount")).toInt(),
        0);
    Recorder bobSeen(b.core());
    b->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.received.size(), 5, Timeout);
    QVERIFY(b->store().undecryptable().isEmpty());
    // Bob's client notices and tops the server up.
    QTRY_VERIFY_WITH_TIMEOUT(!bobSeen.keysPublished.isEmpty(), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(
        b.call("GET", QStringLiteral("/v1/keys")).body.value(QStringLiteral("preKeyCount")).toInt(),
        3, Timeout);
}

void TestE2ee::signedPreKeyRotation()
{
    const QString bob = newUser(QStringLiteral("bob"));
    const QString carol = newUser(QStringLiteral("carol"));
    TestClient b(m_server->url());
    TestClient c(m_server->url());
    QVERIFY(b.registerAccount(bob));
    QVERIFY(c.registerAccount(carol));
    const qint64 before = b.call("GET", QStringLiteral("/v1/keys"))
                              .body.value(QStringLiteral("signedPreKeyId"))
                              .toInteger();
    // Carol starts a session on the current signed pre-key while bob is away.
    QString error;
    QVERIFY(!c->send(bob, QStringLiteral("built on the old key"), &error).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(c->outboxSize(), 0, Timeout);
    // Bob's rotation interval has passed (zero here): his client rotates, keeping the old one
    // for the grace period.
    b->setKeyPolicy(0, 3600 * 1000, 100);
    bool done = false;
    bool ok = false;
    b->maintainKeys([&](bool result) {
        done = true;
        ok = result;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, Timeout);
    QVERIFY(ok);
    const qint64 after = b.call("GET", QStringLiteral("/v1/keys"))
                             .body.value(QStringLiteral("signedPreKeyId"))
                             .toInteger();
    QVERIFY(after != before);
    b->setKeyPolicy(7LL * 24 * 3600 * 1000, 3600 * 1000, 100);
    Recorder bobSeen(b.core());
    b->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.received.size(), 1, Timeout);
    QCOMPARE(bobSeen.received.first().text, QStringLiteral("built on the old key"));
}

void TestE2ee::brokenSessionIsRepairedAutomatically()
{
    auto [alice, bob, a, b, registered] = registerTwo();
    QVERIFY(registered);
    Recorder aliceSeen(a.core());
    Recorder bobSeen(b.core());
    a->connectToServer();
    b->connectToServer();
    QString error;
    QVERIFY(!a->send(bob, QStringLiteral("one"), &error).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.received.size(), 1, Timeout);
    QVERIFY(!b->send(alice, QStringLiteral("two"), &error).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(aliceSeen.received.size(), 1, Timeout);

    // Bob's copy of the session is corrupted: replaced by garbage that still parses nowhere.
    QSqlQuery corrupt(b->store().database());
    QVERIFY(corrupt.exec(QStringLiteral("UPDATE crypto_sessions SET record = x'0a0b0c0d0e0f'")));
    QVERIFY(corrupt.numRowsAffected() > 0);

    // Two messages in flight on the broken session: bob cannot read them, records why, and
    // asks alice's device to resend (the retries start new sessions, the old state is
    // archived, not deleted); the resends repair both.
    const QString id = a->send(bob, QStringLiteral("after the damage"), &error);
    const QString second = a->send(bob, QStringLiteral("and another"), &error);
    QVERIFY(!id.isEmpty() && !second.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.decryptionFailures.size(), 2, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.repaired.size(), 2, Timeout);
    QStringList repairedIds;
    for (const auto &m : std::as_const(bobSeen.repaired)) {
        QCOMPARE(m.status, Status::Received);
        repairedIds.append(m.clientMessageId);
    }
    QVERIFY(repairedIds.contains(id) && repairedIds.contains(second));
    QCOMPARE(b->store().message(alice, id)->text, QStringLiteral("after the damage"));
    QCOMPARE(b->store().message(alice, second)->text, QStringLiteral("and another"));
    QVERIFY(b->store().undecryptable().isEmpty());
    const auto statuses = b->store().deviceStatuses(alice);
    QCOMPARE(statuses.size(), 1);
    QCOMPARE(statuses.first().failures, 2);
    QVERIFY(!statuses.first().lastFailure.isEmpty());
    // The new session works both ways.
    QVERIFY(!b->send(alice, QStringLiteral("back to normal"), &error).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(aliceSeen.received.size(), 2, Timeout);
    QVERIFY(!a->send(bob, QStringLiteral("indeed"), &error).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.received.size(), 2, Timeout);
    QVERIFY(b->store().undecryptable().isEmpty());
    QCOMPARE(bobSeen.received.last().text, QStringLiteral("indeed"));
}

void TestE2ee::changedSafetyNumberIsSurfacedAndGuarded()
{
    const QString alice = newUser(QStringLiteral("alice"));
    const QString bob = newUser(QStringLiteral("bob"));
    TestClient a(m_server->url());
    auto b = std::make_unique<TestClient>(m_server->url());
    QVERIFY(a.registerAccount(alice));
    QVERIFY(b->registerAccount(bob));
    Recorder aliceSeen(a.core());
    QString error;
    QVERIFY(!a->send(bob, QStringLiteral("hello"), &error).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(a->outboxSize(), 0, Timeout);

    // Both see the same safety number; alice verifies it.
    Recorder bobSeen(b->core());
    b->core().connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.received.size(), 1, Timeout);
    const auto aliceView = a->safetyNumber(bob);
    const auto bobView = b->core().safetyNumber(alice);
    QVERIFY(aliceView && bobView);
    QCOMPARE(aliceView->digits, bobView->digits);
    QVERIFY(a->markVerified(bob, &error));
    QVERIFY(a->store().trust(bob).verified);

    // Bob reinstalls: a new device with a new identity key; the old one is revoked.
    const qint64 oldDevice = b->core().profile().deviceId();
    b->core().disconnectFromServer();
    TestClient reinstalled(m_server->url());
    QVERIFY(reinstalled.login(bob));
    QCOMPARE(reinstalled.call("DELETE", QStringLiteral("/v1/devices/%1").arg(oldDevice)).status,
             200);
    b.reset();

    // Alice's next message finds the new device: the number changes, the change is surfaced,
    // and since bob was verified, sending stops until alice confirms.
    const QString held = a->send(bob, QStringLiteral("are you still you?"), &error);
    QVERIFY(!held.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(aliceSeen.safetyNumberChanges,
                              QStringList{bob + QStringLiteral(" (verified)")}, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(aliceSeen.failed, QStringList{held}, Timeout);
    QVERIFY(!a->store().trust(bob).verified);
    QVERIFY(a->store().trust(bob).confirmationRequired);
    QVERIFY(a->send(bob, QStringLiteral("blocked"), &error).isEmpty());
    QVERIFY(error.contains(QStringLiteral("safety number")));
    // The conversation says so.
    const auto history = a->store().history(QStringLiteral("dm:%1:%2").arg(alice, bob), 50);
    QVERIFY(std::any_of(history.begin(), history.end(), [](const Client::StoredMessage &m) {
        return m.status == Status::System && m.text.contains(QStringLiteral("safety number"));
    }));
    QVERIFY(a->safetyNumber(bob)->digits != aliceView->digits);

    // After confirming, messages flow to the new device.
    QVERIFY(a->acceptSafetyNumberChange(bob));
    QVERIFY(!a->send(bob, QStringLiteral("confirmed"), &error).isEmpty());
    Recorder newSeen(reinstalled.core());
    reinstalled->connectToServer();
    QTRY_VERIFY_WITH_TIMEOUT(newSeen.texts().contains(QStringLiteral("confirmed")), Timeout);
}

void TestE2ee::databaseKeyLivesInTheKeychain()
{
    const QString alice = newUser(QStringLiteral("alice"));
    TestClient a(m_server->url());
    QVERIFY(a.registerAccount(alice));
    QCOMPARE(a->profile().keySource(), Client::Profile::KeySource::Keychain);
    // The key is in the real Secret Service, and it is what opens the file.
    const auto stored = Client::Keychain::read(a->profile().keychainKey());
    QVERIFY2(stored.ok, qPrintable(stored.error));
    QCOMPARE(stored.secret.size(), 32);
    // Nothing secret in profile.ini: no token, no key.
    QFile ini(a.profileDir() + QStringLiteral("/profile.ini"));
    QVERIFY(ini.open(QIODevice::ReadOnly));
    const QByteArray text = ini.readAll();
    QVERIFY(!text.contains(a->profile().token()));
    QVERIFY(!text.contains(stored.secret.toHex()));
    QVERIFY(!text.contains("token"));
    // The database is SQLCipher.
    QFile db(a->profile().databasePath());
    QVERIFY(db.open(QIODevice::ReadOnly));
    QVERIFY(!db.read(16).startsWith("SQLite format 3"));
    QVERIFY(!Client::DatabaseKey::cipherVersion(a->store().database()).isEmpty());
    // Reopening finds the key and the token again.
    const QByteArray token = a->profile().token();
    a.reopen();
    QCOMPARE(a->profile().token(), token);
    // Without its keychain entry the profile does not open, and says why.
    QVERIFY(Client::Keychain::remove(a->profile().keychainKey()).ok);
    Client::ClientCore orphan(a.profileDir());
    QString error;
    QVERIFY(!orphan.open(&error));
    QVERIFY2(error.contains(QStringLiteral("keychain")), qPrintable(error));
}

void TestE2ee::clientCoreRunsOnItsOwnThread()
{
    // The desktop app drives its ClientCore (SQLCipher connection, libsignal context, sockets)
    // on a thread of its own, so that decrypting a backlog never runs on the UI thread.
    const QString alice = newUser(QStringLiteral("alice"));
    const QString bob = newUser(QStringLiteral("bob"));
    QTemporaryDir dir;
    const QString bobProfile = dir.path() + QStringLiteral("/bob");
    TestClient a(m_server->url());
    QVERIFY(a.registerAccount(alice));
    {
        TestClient b(m_server->url(), bobProfile);
        QVERIFY(b.registerAccount(bob));
    }
    const QStringList texts = a.sendNumbered(bob, QStringLiteral("threaded"), 300);
    QTRY_COMPARE_WITH_TIMEOUT(a->outboxSize(), 0, Timeout);

    QThread thread;
    thread.setObjectName(QStringLiteral("client core"));
    thread.start();
    QObject anchor;
    anchor.moveToThread(&thread);
    Client::ClientCore *core = nullptr;
    QThread *coreThread = nullptr;
    std::atomic<int> received{0};
    std::atomic<bool> started{false};
    QStringList seen; // Written on the core's thread, read after it stopped.
    QString error;
    bool opened = false;
    // Not a blocking call: opening the profile reads the keychain, whose jobs run on the main
    // thread, which must keep spinning (as the UI thread does).
    QMetaObject::invokeMethod(
        &anchor,
        [&] {
            core = new Client::ClientCore(bobProfile);
            opened = core->open(&error);
            coreThread = core->thread();
            QObject::connect(core, &Client::ClientCore::messageReceived,
                             [&](const Client::StoredMessage &m) {
                                 seen.append(m.text);
                                 ++received;
                             });
            if (opened) {
                core->connectToServer();
            }
            started = true;
        },
        Qt::QueuedConnection);
    QTRY_VERIFY_WITH_TIMEOUT(started.load(), Timeout);
    QVERIFY2(opened, qPrintable(error));
    QCOMPARE(coreThread, &thread);
    // Meanwhile this (the "UI") thread only spins its own event loop.
    QTRY_COMPARE_WITH_TIMEOUT(received.load(), 300, 120000);
    qint64 stored = 0;
    QMetaObject::invokeMethod(
        &anchor,
        [&] {
            stored = core->store().messageCount();
            core->disconnectFromServer();
            delete core;
        },
        Qt::BlockingQueuedConnection);
    thread.quit();
    QVERIFY(thread.wait(30000));
    QCOMPARE(seen, texts);
    QCOMPARE(stored, 300);
}

void TestE2ee::olderPlaintextDatabaseIsEncrypted()
{
    // A profile written by the first version: plain SQLite, schema 1, a message in it.
    QTemporaryDir dir;
    const QString profileDir = dir.path() + QStringLiteral("/old");
    QVERIFY(QDir().mkpath(profileDir));
    {
        Storage::Connection plain;
        QVERIFY(plain.open(
            {profileDir + QStringLiteral("/client.db"), QStringLiteral("FULL"), false, 5000}));
        QSqlQuery query(plain.database());
        QVERIFY(query.exec(QStringLiteral(
            "CREATE TABLE messages (id INTEGER PRIMARY KEY, conversation TEXT NOT NULL, sender "
            "TEXT NOT NULL, sender_device INTEGER NOT NULL, client_id TEXT NOT NULL, server_id "
            "INTEGER, seq INTEGER, text TEXT NOT NULL, server_ts INTEGER, local_ts INTEGER NOT "
            "NULL, outgoing INTEGER NOT NULL, status INTEGER NOT NULL, error TEXT, UNIQUE (sender, "
            "client_id))")));
        QVERIFY(query.exec(QStringLiteral(
            "CREATE TABLE outbox (client_id TEXT PRIMARY KEY, recipient TEXT NOT NULL, text TEXT "
            "NOT NULL, created_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0)")));
        QVERIFY(query.exec(QStringLiteral(
            "INSERT INTO messages (conversation, sender, sender_device, client_id, text, local_ts, "
            "outgoing, status) VALUES ('dm:ann:ben', 'ben', 3, "
            "'3f1c9a56-0b7e-4e51-9a8c-2d4f6b1e7c90', 'kept across the upgrade', 1, 0, 3)")));
        QVERIFY(query.exec(QStringLiteral("PRAGMA user_version = 1")));
    }
    QFile before(profileDir + QStringLiteral("/client.db"));
    QVERIFY(before.open(QIODevice::ReadOnly));
    QVERIFY(before.read(16).startsWith("SQLite format 3"));
    before.close();

    Client::ClientCore core(profileDir);
    QString error;
    QVERIFY2(core.open(&error), qPrintable(error));
    QFile after(profileDir + QStringLiteral("/client.db"));
    QVERIFY(after.open(QIODevice::ReadOnly));
    const QByteArray bytes = after.readAll();
    QVERIFY(!bytes.startsWith("SQLite format 3"));
    QVERIFY(!bytes.contains("kept across the upgrade"));
    const auto history = core.store().history(QStringLiteral("dm:ann:ben"), 10);
    QCOMPARE(history.size(), 1);
    QCOMPARE(history.first().text, QStringLiteral("kept across the upgrade"));
    QVERIFY(!QFile::exists(profileDir + QStringLiteral("/client.db.encrypting")));
}

void TestE2ee::retryRequestsCannotExtractOthersMessages()
{
    auto [alice, bob, a, b, registered] = registerTwo();
    QVERIFY(registered);
    TestClient mallory(m_server->url());
    const QString malloryName = newUser(QStringLiteral("mallory"));
    QVERIFY(mallory.registerAccount(malloryName));
    QString error;
    const QString secret = a->send(bob, QStringLiteral("for bob only"), &error);
    QVERIFY(!secret.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(a->outboxSize(), 0, Timeout);

    // Mallory (who may have learnt the message id from the server) asks alice's device to
    // "resend" it to her.
    Client::OutboxEntry retry;
    retry.clientMessageId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    retry.recipient = alice;
    retry.createdAt = QDateTime::currentMSecsSinceEpoch();
    retry.kind = QStringLiteral("retry");
    retry.ref = secret;
    retry.targetDevice = a->profile().deviceId();
    retry.freshSession = true;
    QVERIFY(mallory->store().queueControl(retry));
    mallory->flushOutbox();
    QTRY_COMPARE_WITH_TIMEOUT(mallory->outboxSize(), 0, Timeout);

    Recorder malloryHears(mallory.core());
    mallory->connectToServer();
    a->connectToServer();
    // Alice reads the request (her inbox empties) and queues nothing for mallory.
    QTRY_COMPARE_WITH_TIMEOUT(a.inboxSize(), 0, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(a->outboxSize() == 0, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(malloryHears.syncedCount >= 1, Timeout);
    QCOMPARE(mallory.inboxSize(), 0);
    QVERIFY(malloryHears.received.isEmpty());
    QVERIFY(malloryHears.repaired.isEmpty());
    QVERIFY(!mallory->store().message(alice, secret).has_value());
}

void TestE2ee::newOwnDeviceChangesVerifiedNumbers()
{
    // A device added to alice's own account (by her, or by a malicious server) changes her
    // safety numbers: a verified contact loses the mark and sending to them is held.
    auto [alice, bob, a, b, registered] = registerTwo();
    QVERIFY(registered);
    QString error;
    QVERIFY(!a->send(bob, QStringLiteral("hello"), &error).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(a->outboxSize(), 0, Timeout);
    QVERIFY(a->markVerified(bob, &error));
    Recorder aliceSeen(a.core());

    TestClient laptop(m_server->url());
    QVERIFY(laptop.login(alice));
    // Alice's next message finds her new device (self-sync) and says what changed.
    const QString held = a->send(bob, QStringLiteral("after linking"), &error);
    QVERIFY(!held.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(aliceSeen.safetyNumberChanges,
                              QStringList{bob + QStringLiteral(" (verified)")}, Timeout);
    QVERIFY(!a->store().trust(bob).verified);
    QVERIFY(a->store().trust(bob).confirmationRequired);
    QTRY_COMPARE_WITH_TIMEOUT(aliceSeen.failed, QStringList{held}, Timeout);
}

QTEST_GUILESS_MAIN(TestE2ee)
#include "tst_e2ee.moc"
