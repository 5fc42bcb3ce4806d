// Online and offline delivery, self-sync, idempotent retries and device-mismatch recovery,
// against the real tincand with real client cores.
#include "tests/common/RawStream.h"
#include "tests/common/TestClient.h"
#include "tests/common/TestServer.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QUuid>
#include <QWebSocket>
#include <QtTest>

using namespace Tincan;
using namespace Tincan::Test;

class TestDelivery : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void onlineDeliveryWithSelfSync();
    void offlineHundredInOrderOnce();
    void retryOfSameClientIdCreatesNoDuplicate();
    void deviceMismatchIsResolvedAutomatically();
    void streamReconnectsAfterServerRestart();
    void noteToSelfReachesOwnOtherDevice();
    void sendersDevicesAreToldItWasStored();
    void silentStreamIsClosedAfterIdleTimeout();
    void streamAckOfAnEnvelopeItDidNotPushIsSettledToo();

private:
    std::unique_ptr<TestServer> m_server;
};

void TestDelivery::initTestCase()
{
    m_server = std::make_unique<TestServer>();
    QVERIFY2(m_server->start(), qPrintable(m_server->output()));
}

void TestDelivery::cleanupTestCase()
{
    QVERIFY2(m_server->stop(), qPrintable(m_server->output()));
}

void TestDelivery::onlineDeliveryWithSelfSync()
{
    TestClient alice(m_server->url());
    TestClient alicePhone(m_server->url());
    TestClient bob(m_server->url());
    QVERIFY(alice.registerAccount(QStringLiteral("alice1")));
    QVERIFY(alicePhone.login(QStringLiteral("alice1")));
    QVERIFY(bob.registerAccount(QStringLiteral("bob1")));

    Recorder bobSeen(bob.core());
    Recorder phoneSeen(alicePhone.core());
    Recorder aliceSeen(alice.core());
    bob->connectToServer();
    alicePhone->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.syncedCount, 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(phoneSeen.syncedCount, 1, 10000);

    QString error;
    const QString id = alice->send(QStringLiteral("bob1"), QStringLiteral("hello bob"), &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(aliceSeen.sent, QStringList{id}, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.received.size(), 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(phoneSeen.received.size(), 1, 10000);

    const Client::StoredMessage atBob = bobSeen.received.first();
    QCOMPARE(atBob.text, QStringLiteral("hello bob"));
    QCOMPARE(atBob.sender, QStringLiteral("alice1"));
    QCOMPARE(atBob.clientMessageId, id);
    QCOMPARE(atBob.conversation, QStringLiteral("dm:alice1:bob1"));
    QVERIFY(!atBob.outgoing);
    QVERIFY(atBob.serverTimestamp > 0);
    QCOMPARE(atBob.seq, 1);

    const Client::StoredMessage atPhone = phoneSeen.received.first();
    QCOMPARE(atPhone.text, QStringLiteral("hello bob"));
    QVERIFY(atPhone.outgoing); // Alice's own message, shown as sent on her other device.
    QCOMPARE(atPhone.clientMessageId, id);
    QCOMPARE(atPhone.serverId, atBob.serverId);

    // The sender's copy carries the same server id and sequence as the recipient's.
    const auto own = alice->store().message(QStringLiteral("alice1"), id);
    QVERIFY(own.has_value());
    QCOMPARE(own->status, Client::StoredMessage::Status::Sent);
    QCOMPARE(own->serverId, atBob.serverId);

    // Acknowledged, so nothing is left in either inbox.
    QTRY_COMPARE_WITH_TIMEOUT(bob.inboxSize(), 0, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(alicePhone.inboxSize(), 0, 10000);
    QCOMPARE(bob->store().messageCount(), 1);
}

void TestDelivery::offlineHundredInOrderOnce()
{
    TestClient alice(m_server->url());
    TestClient bob(m_server->url());
    QVERIFY(alice.registerAccount(QStringLiteral("alice2")));
    QVERIFY(bob.registerAccount(QStringLiteral("bob2")));

    Recorder aliceSeen(alice.core());
    const QStringList expected =
        alice.sendNumbered(QStringLiteral("bob2"), QStringLiteral("message"), 100);
    QTRY_COMPARE_WITH_TIMEOUT(aliceSeen.sent.size(), 100, 60000);
    QCOMPARE(alice->outboxSize(), 0);
    QCOMPARE(bob.inboxSize(), 100);

    Recorder bobSeen(bob.core());
    bob->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.received.size(), 100, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(bobSeen.syncedCount >= 1, 10000);
    QCOMPARE(bobSeen.texts(), expected);
    for (int i = 0; i < 100; ++i) {
        QCOMPARE(bobSeen.received[i].seq, i + 1);
    }
    QTRY_COMPARE_WITH_TIMEOUT(bob.inboxSize(), 0, 10000);

    // A second connection of the same device gets nothing again.
    bob->disconnectFromServer();
    bob.reopen();
    Recorder again(bob.core());
    bob->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(again.syncedCount, 1, 10000);
    QCOMPARE(again.received.size(), 0);
    QCOMPARE(bob->store().messageCount(), 100);
}

void TestDelivery::retryOfSameClientIdCreatesNoDuplicate()
{
    TestClient alice(m_server->url());
    TestClient bob(m_server->url());
    QVERIFY(alice.registerAccount(QStringLiteral("alice3")));
    QVERIFY(bob.registerAccount(QStringLiteral("bob3")));

    const auto devices = alice.call("GET", QStringLiteral("/v1/users/bob3/devices"));
    QVERIFY(devices.ok());
    const qint64 bobDevice = devices.body.value(QStringLiteral("devices"))
                                 .toArray()
                                 .first()
                                 .toObject()
                                 .value(QStringLiteral("id"))
                                 .toInteger();
    const QString clientId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QJsonObject request{
        {QStringLiteral("clientMessageId"), clientId},
        {QStringLiteral("to"), QStringLiteral("bob3")},
        {QStringLiteral("payloads"),
         QJsonArray{QJsonObject{{QStringLiteral("device"), bobDevice},
                                {QStringLiteral("body"), QStringLiteral("b3BhcXVl")}}}}};

    const auto first = alice.call("POST", QStringLiteral("/v1/messages"), &request);
    QCOMPARE(first.status, 201);
    QCOMPARE(first.body.value(QStringLiteral("duplicate")).toBool(), false);
    const auto second = alice.call("POST", QStringLiteral("/v1/messages"), &request);
    QCOMPARE(second.status, 200);
    QCOMPARE(second.body.value(QStringLiteral("duplicate")).toBool(), true);
    QCOMPARE(second.body.value(QStringLiteral("messageId")),
             first.body.value(QStringLiteral("messageId")));
    QCOMPARE(second.body.value(QStringLiteral("seq")), first.body.value(QStringLiteral("seq")));
    QCOMPARE(second.body.value(QStringLiteral("serverTs")),
             first.body.value(QStringLiteral("serverTs")));
    QCOMPARE(bob.inboxSize(), 1);

    // The same id for another conversation is a conflict, not a silent overwrite.
    TestClient carol(m_server->url());
    QVERIFY(carol.registerAccount(QStringLiteral("carol3")));
    const auto carolDevices = alice.call("GET", QStringLiteral("/v1/users/carol3/devices"));
    QJsonObject other = request;
    other.insert(QStringLiteral("to"), QStringLiteral("carol3"));
    other.insert(QStringLiteral("payloads"),
                 QJsonArray{QJsonObject{
                     {QStringLiteral("device"), carolDevices.body.value(QStringLiteral("devices"))
                                                    .toArray()
                                                    .first()
                                                    .toObject()
                                                    .value(QStringLiteral("id"))},
                     {QStringLiteral("body"), QStringLiteral("b3BhcXVl")}}});
    const auto conflict = alice.call("POST", QStringLiteral("/v1/messages"), &other);
    QCOMPARE(conflict.status, 409);
    QCOMPARE(conflict.error.code, QStringLiteral("client_id_conflict"));
    QCOMPARE(carol.inboxSize(), 0);
}

void TestDelivery::deviceMismatchIsResolvedAutomatically()
{
    TestClient alice(m_server->url());
    TestClient bob(m_server->url());
    QVERIFY(alice.registerAccount(QStringLiteral("alice4")));
    QVERIFY(bob.registerAccount(QStringLiteral("bob4")));
    Recorder aliceSeen(alice.core());
    QString error;
    const QString first = alice->send(QStringLiteral("bob4"), QStringLiteral("before"), &error);
    QTRY_COMPARE_WITH_TIMEOUT(aliceSeen.sent.size(), 1, 10000);

    // Bob adds a laptop; Alice's cached device list is now stale.
    TestClient bobLaptop(m_server->url());
    QVERIFY(bobLaptop.login(QStringLiteral("bob4")));

    // The server refuses a send that misses the new device, and says which one is missing.
    const auto devices = alice.call("GET", QStringLiteral("/v1/users/bob4/devices"));
    const QJsonArray list = devices.body.value(QStringLiteral("devices")).toArray();
    QCOMPARE(list.size(), 2);
    const QJsonObject partial{
        {QStringLiteral("clientMessageId"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
        {QStringLiteral("to"), QStringLiteral("bob4")},
        {QStringLiteral("payloads"),
         QJsonArray{
             QJsonObject{{QStringLiteral("device"), list[0].toObject().value(QStringLiteral("id"))},
                         {QStringLiteral("body"), QStringLiteral("eA==")}},
             QJsonObject{{QStringLiteral("device"), 999999},
                         {QStringLiteral("body"), QStringLiteral("eA==")}}}}};
    const auto mismatch = alice.call("POST", QStringLiteral("/v1/messages"), &partial);
    QCOMPARE(mismatch.status, 409);
    QCOMPARE(mismatch.error.code, QStringLiteral("device_mismatch"));
    const QJsonArray missing =
        mismatch.error.details.value(QStringLiteral("missingDevices")).toArray();
    QCOMPARE(missing.size(), 1);
    QCOMPARE(missing[0].toObject().value(QStringLiteral("device")),
             list[1].toObject().value(QStringLiteral("id")));
    QCOMPARE(mismatch.error.details.value(QStringLiteral("staleDevices")).toArray(),
             QJsonArray{999999});

    // The client core recovers by itself: the laptop gets the next message.
    const QString second = alice->send(QStringLiteral("bob4"), QStringLiteral("after"), &error);
    QTRY_COMPARE_WITH_TIMEOUT(aliceSeen.sent.size(), 2, 10000);
    QVERIFY(aliceSeen.failed.isEmpty());
    Recorder laptopSeen(bobLaptop.core());
    bobLaptop->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(laptopSeen.received.size(), 1, 10000);
    QCOMPARE(laptopSeen.received.first().clientMessageId, second);
    QCOMPARE(laptopSeen.received.first().text, QStringLiteral("after"));
    Recorder bobSeen(bob.core());
    bob->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.received.size(), 2, 10000);
    QCOMPARE(bobSeen.texts(), (QStringList{QStringLiteral("before"), QStringLiteral("after")}));
    Q_UNUSED(first);
}

void TestDelivery::streamReconnectsAfterServerRestart()
{
    TestClient alice(m_server->url());
    TestClient bob(m_server->url());
    QVERIFY(alice.registerAccount(QStringLiteral("alice5")));
    QVERIFY(bob.registerAccount(QStringLiteral("bob5")));
    Recorder bobSeen(bob.core());
    bob->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.connectedCount, 1, 10000);

    QVERIFY2(m_server->stop(), qPrintable(m_server->output()));
    QVERIFY2(m_server->restart(), qPrintable(m_server->output()));
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.connectedCount, 2, 20000);

    QString error;
    alice->send(QStringLiteral("bob5"), QStringLiteral("after restart"), &error);
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.received.size(), 1, 10000);
    QCOMPARE(bobSeen.received.first().text, QStringLiteral("after restart"));
}

void TestDelivery::noteToSelfReachesOwnOtherDevice()
{
    TestClient laptop(m_server->url());
    TestClient phone(m_server->url());
    QVERIFY(laptop.registerAccount(QStringLiteral("dana6")));
    QVERIFY(phone.login(QStringLiteral("dana6")));
    Recorder phoneSeen(phone.core());
    phone->connectToServer();
    QString error;
    const QString id =
        laptop->send(QStringLiteral("dana6"), QStringLiteral("note to self"), &error);
    QVERIFY(!id.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(phoneSeen.received.size(), 1, 10000);
    QCOMPARE(phoneSeen.received.first().conversation, QStringLiteral("dm:dana6:dana6"));
    QVERIFY(phoneSeen.received.first().outgoing);
}

void TestDelivery::sendersDevicesAreToldItWasStored()
{
    TestClient alice(m_server->url());
    TestClient alicePhone(m_server->url());
    TestClient bob(m_server->url());
    QVERIFY(alice.registerAccount(QStringLiteral("alice7")));
    QVERIFY(alicePhone.login(QStringLiteral("alice7")));
    QVERIFY(bob.registerAccount(QStringLiteral("bob7")));
    RawStream phone(*m_server, alicePhone->profile().token());
    QTRY_VERIFY_WITH_TIMEOUT(phone.has(QStringLiteral("synced")), 10000);

    QString error;
    const QString id = alice->send(QStringLiteral("bob7"), QStringLiteral("tracked"), &error);
    QTRY_VERIFY_WITH_TIMEOUT(phone.has(QStringLiteral("sent")), 10000);
    const QJsonObject sent = phone.first(QStringLiteral("sent"));
    QCOMPARE(sent.value(QStringLiteral("clientMessageId")).toString(), id);
    QCOMPARE(sent.value(QStringLiteral("conversation")).toString(),
             QStringLiteral("dm:alice7:bob7"));
    QCOMPARE(sent.value(QStringLiteral("seq")).toInteger(), 1);
    QVERIFY(sent.value(QStringLiteral("messageId")).toInteger() > 0);
    QVERIFY(phone.has(QStringLiteral("envelope"))); // And the self-sync copy itself.
}

void TestDelivery::silentStreamIsClosedAfterIdleTimeout()
{
    TestServer server(QStringLiteral("[stream]\nidle_timeout_seconds=5\n"));
    QVERIFY(server.start());
    TestClient bob(server.url());
    QVERIFY(bob.registerAccount(QStringLiteral("bob")));
    RawStream first(server, bob->profile().token());
    QTRY_VERIFY_WITH_TIMEOUT(first.has(QStringLiteral("hello")), 10000);
    // A second connection of the same device replaces the first.
    RawStream second(server, bob->profile().token());
    QTRY_VERIFY_WITH_TIMEOUT(second.has(QStringLiteral("hello")), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(first.socket.state(), QAbstractSocket::UnconnectedState, 10000);
    QCOMPARE(int(first.socket.closeCode()), 4409);
    second.socket.close();

    RawStream quiet(server, bob->profile().token());
    QTRY_VERIFY_WITH_TIMEOUT(quiet.has(QStringLiteral("hello")), 10000);
    QElapsedTimer elapsed;
    elapsed.start();
    QTRY_COMPARE_WITH_TIMEOUT(quiet.socket.state(), QAbstractSocket::UnconnectedState, 30000);
    QCOMPARE(int(quiet.socket.closeCode()), 4000);
    QVERIFY(elapsed.elapsed() >= 4000);

    // A client that pings stays connected past the timeout.
    RawStream pinging(server, bob->profile().token());
    QTRY_VERIFY_WITH_TIMEOUT(pinging.has(QStringLiteral("hello")), 10000);
    QElapsedTimer alive;
    alive.start();
    while (alive.elapsed() < 12000) {
        pinging.socket.sendTextMessage(QStringLiteral(R"({"type":"ping"})"));
        QTest::qWait(1000);
        QCOMPARE(pinging.socket.state(), QAbstractSocket::ConnectedState);
    }
    QVERIFY(pinging.has(QStringLiteral("pong")));
    QVERIFY2(server.stop(), qPrintable(server.output()));
}

void TestDelivery::streamAckOfAnEnvelopeItDidNotPushIsSettledToo()
{
    // A stream settles the ACKs of envelopes it pushed from what it kept of them; an id it did
    // not push (known from GET /v1/inbox, or from an earlier connection) must still leave the
    // inbox and count as delivered. A window of one keeps the second envelope unpushed.
    TestServer server(QStringLiteral("[limits]\nstream_window=1\n"));
    QVERIFY(server.start());
    TestClient alice(server.url());
    TestClient bob(server.url());
    QVERIFY(alice.registerAccount(QStringLiteral("alice")));
    QVERIFY(bob.registerAccount(QStringLiteral("bob")));
    alice.sendNumbered(QStringLiteral("bob"), QStringLiteral("pending"), 2);
    QTRY_COMPARE_WITH_TIMEOUT(bob.inboxSize(), 2, 10000);
    const auto inbox = bob.call("GET", QStringLiteral("/v1/inbox"));
    QVERIFY(inbox.ok());
    const QJsonArray pending = inbox.body.value(QStringLiteral("envelopes")).toArray();
    QCOMPARE(pending.size(), 2);
    const qint64 first = pending[0].toObject().value(QStringLiteral("id")).toInteger();
    const qint64 second = pending[1].toObject().value(QStringLiteral("id")).toInteger();

    RawStream stream(server, bob->profile().token());
    QTRY_VERIFY_WITH_TIMEOUT(stream.has(QStringLiteral("envelope")), 10000);
    QCOMPARE(stream.first(QStringLiteral("envelope"))
                 .value(QStringLiteral("envelope"))
                 .toObject()
                 .value(QStringLiteral("id"))
                 .toInteger(),
             first);
    const auto ack = [&stream](qint64 id) {
        stream.socket.sendTextMessage(QStringLiteral(R"({"type":"ack","ids":[%1]})").arg(id));
    };
    ack(second); // Not pushed on this stream.
    QTRY_COMPARE_WITH_TIMEOUT(bob.inboxSize(), 1, 10000);
    ack(first); // Pushed: the window frees, and nothing is left to push.
    QTRY_VERIFY_WITH_TIMEOUT(stream.has(QStringLiteral("synced")), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(bob.inboxSize(), 0, 10000); // The ACK is stored behind "synced".
    const auto envelopes =
        std::count_if(stream.frames.cbegin(), stream.frames.cend(), [](const QJsonObject &frame) {
            return frame.value(QStringLiteral("type")) == QLatin1String("envelope");
        });
    QCOMPARE(envelopes, 1);
    // Both count for alice's delivered ticks: bob's position reaches the second message.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const auto receipts = alice.call("GET", QStringLiteral("/v1/receipts?since=0"));
            for (const QJsonValue &state :
                 receipts.body.value(QStringLiteral("receipts")).toArray()) {
                const QJsonObject object = state.toObject();
                if (object.value(QStringLiteral("user")) == QLatin1String("bob") &&
                    object.value(QStringLiteral("delivered")).toInteger() == 2) {
                    return true;
                }
            }
            return false;
        }(),
        10000);
    QVERIFY2(server.stop(), qPrintable(server.output()));
}

QTEST_GUILESS_MAIN(TestDelivery)
#include "tst_delivery.moc"
