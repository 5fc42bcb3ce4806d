// Receipts against the real tincand with real client cores: delivered and read ticks on all of
// the sender's devices, read state synced to the reader's other devices, "N of M" in groups,
// catch-up after being offline, and refused marks.
#include "shared/protocol/Validation.h"
#include "tests/common/RawStream.h"
#include "tests/common/TestClient.h"
#include "tests/common/TestServer.h"

#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QtTest>

using namespace Tincan;
using namespace Tincan::Test;
using Status = Client::StoredMessage::Status;

namespace {

constexpr int Timeout = 30000;

using Device = TestDevice;

Status statusOf(Device &device, const QString &sender, const QString &id)
{
    const auto m = device.core().store().message(sender, id);
    return m ? m->status : Status::Pending;
}

//! User -> delivered position in `conversation`, as `client` (one of the sender's devices)
//! reads them from GET /v1/receipts; users with nothing delivered are left out.
QMap<QString, qint64> deliveredPositions(TestClient &client, const QString &conversation)
{
    QMap<QString, qint64> positions;
    const auto page = client.call("GET", QStringLiteral("/v1/receipts"));
    for (const QJsonValue &value : page.body.value(QStringLiteral("receipts")).toArray()) {
        const QJsonObject state = value.toObject();
        if (state.value(QStringLiteral("conversation")).toString() == conversation &&
            state.value(QStringLiteral("delivered")).toInteger() > 0) {
            positions.insert(state.value(QStringLiteral("user")).toString(),
                             state.value(QStringLiteral("delivered")).toInteger());
        }
    }
    return positions;
}

} // namespace

class ReceiptsTest : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestServer> m_server;
    TestDevices m_devices;

    Device &add(const QString &key, const QString &user, bool registerUser)
    {
        return m_devices.add(m_server->url(), key, user, registerUser);
    }
    Device &dev(const QString &key) { return m_devices.at(key); }

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<TestServer>(
            QStringLiteral("[rate]\nmessages_per_second=100000\nmessage_burst=100000\n"));
        QVERIFY(m_server->start());
        add(QStringLiteral("a1"), QStringLiteral("alice"), true);
        add(QStringLiteral("a2"), QStringLiteral("alice"), false);
        add(QStringLiteral("b1"), QStringLiteral("bob"), true);
        add(QStringLiteral("b2"), QStringLiteral("bob"), false);
        add(QStringLiteral("c1"), QStringLiteral("carol"), true);
        add(QStringLiteral("d1"), QStringLiteral("dave"), true);
        for (auto &[key, device] : m_devices) {
            QTRY_VERIFY_WITH_TIMEOUT(device.recorder->syncedCount > 0, Timeout);
        }
    }

    void directDeliveredAndRead()
    {
        const QString conversation =
            Protocol::directConversationId(QStringLiteral("alice"), QStringLiteral("bob"));
        const QStringList ids =
            dev(QStringLiteral("a1"))
                .client->sendNumbered(QStringLiteral("bob"), QStringLiteral("tick"), 3);
        QStringList sent;
        for (const auto &m : dev(QStringLiteral("a1")).core().store().history(conversation, 10)) {
            sent.append(m.clientMessageId);
        }
        QCOMPARE(sent.size(), 3);
        // Delivered: bob's devices stored them. Both of alice's devices show it.
        for (const QString &key : {QStringLiteral("a1"), QStringLiteral("a2")}) {
            for (const QString &id : sent) {
                QTRY_COMPARE_WITH_TIMEOUT(statusOf(dev(key), QStringLiteral("alice"), id),
                                          Status::Delivered, Timeout);
            }
        }
        QTRY_COMPARE_WITH_TIMEOUT(dev(QStringLiteral("b2")).core().unreadCount(conversation), 3,
                                  Timeout);
        // One "read up to" on b1 covers all three: read on both of alice's devices, and b2
        // marks the conversation read too.
        QSignalSpy syncedRead(&dev(QStringLiteral("b2")).core(),
                              &Client::ClientCore::conversationRead);
        dev(QStringLiteral("b1")).core().markRead(conversation);
        QCOMPARE(dev(QStringLiteral("b1")).core().unreadCount(conversation), 0);
        for (const QString &key : {QStringLiteral("a1"), QStringLiteral("a2")}) {
            for (const QString &id : sent) {
                QTRY_COMPARE_WITH_TIMEOUT(statusOf(dev(key), QStringLiteral("alice"), id),
                                          Status::Read, Timeout);
            }
        }
        QTRY_VERIFY_WITH_TIMEOUT(!syncedRead.isEmpty(), Timeout);
        QCOMPARE(syncedRead.last().at(0).toString(), conversation);
        QCOMPARE(dev(QStringLiteral("b2")).core().unreadCount(conversation), 0);
        const auto summary = dev(QStringLiteral("a1")).core().receiptSummary(sent.last());
        QCOMPARE(summary.total, 1);
        QCOMPARE(summary.readBy, QStringList{QStringLiteral("bob")});
    }

    void groupCounts()
    {
        Device &alice = dev(QStringLiteral("a1"));
        const auto created = waitFor([&](Client::ApiCallback done) {
            alice.core().createGroup(
                QStringLiteral("ticks"),
                {QStringLiteral("bob"), QStringLiteral("carol"), QStringLiteral("dave")}, done);
        });
        QVERIFY2(created.ok(), qPrintable(created.error.message));
        const QString conversation = created.body.value(QStringLiteral("conversation")).toString();
        QString error;
        const QString id =
            alice.core().send(conversation, QStringLiteral("who read this?"), &error);
        QVERIFY2(!id.isEmpty(), qPrintable(error));
        // Delivered to all three members (three of three), then read by one, then by all.
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(alice, QStringLiteral("alice"), id), Status::Delivered,
                                  Timeout);
        auto summary = alice.core().receiptSummary(id);
        QCOMPARE(summary.total, 3);
        QCOMPARE(summary.deliveredTo.size(), 3);
        QVERIFY(summary.readBy.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(
            dev(QStringLiteral("c1")).core().store().message(QStringLiteral("alice"), id), Timeout);
        dev(QStringLiteral("c1")).core().markRead(conversation);
        QTRY_COMPARE_WITH_TIMEOUT(alice.core().receiptSummary(id).readBy,
                                  QStringList{QStringLiteral("carol")}, Timeout);
        QCOMPARE(statusOf(alice, QStringLiteral("alice"), id), Status::Delivered);
        for (const QString &key : {QStringLiteral("b2"), QStringLiteral("d1")}) {
            QTRY_VERIFY_WITH_TIMEOUT(dev(key).core().store().message(QStringLiteral("alice"), id),
                                     Timeout);
            dev(key).core().markRead(conversation);
        }
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(alice, QStringLiteral("alice"), id), Status::Read,
                                  Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(dev(QStringLiteral("a2")), QStringLiteral("alice"), id),
                                  Status::Read, Timeout);
        summary = alice.core().receiptSummary(id);
        QCOMPARE(summary.readBy.size(), 3);
    }

    void catchUpAfterOffline()
    {
        const QString conversation =
            Protocol::directConversationId(QStringLiteral("alice"), QStringLiteral("dave"));
        Device &alice = dev(QStringLiteral("a1"));
        QString error;
        const QString id =
            alice.core().send(QStringLiteral("dave"), QStringLiteral("later"), &error);
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(alice, QStringLiteral("alice"), id), Status::Delivered,
                                  Timeout);
        // Alice goes offline; dave reads; alice learns it when she is back.
        alice.core().disconnectFromServer();
        dev(QStringLiteral("d1")).core().markRead(conversation);
        QTRY_VERIFY_WITH_TIMEOUT(dev(QStringLiteral("d1"))
                                         .core()
                                         .store()
                                         .setting(QStringLiteral("pending_read_marks")) == "{}",
                                 Timeout);
        QCOMPARE(statusOf(alice, QStringLiteral("alice"), id), Status::Delivered);
        alice.core().connectToServer();
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(alice, QStringLiteral("alice"), id), Status::Read,
                                  Timeout);
    }

    void readReceiptsOff()
    {
        Device &alice = dev(QStringLiteral("a1"));
        Device &dave = dev(QStringLiteral("d1"));
        const QString conversation =
            Protocol::directConversationId(QStringLiteral("alice"), QStringLiteral("dave"));
        const auto off = waitFor(
            [&](Client::ApiCallback done) { dave.core().setReadReceiptsShared(false, done); });
        QVERIFY2(off.ok(), qPrintable(off.error.message));
        QCOMPARE(off.body.value(QStringLiteral("readReceipts")).toBool(), false);
        QString error;
        // Dave reads alice's message: she sees it delivered, never read.
        const QString toDave =
            alice.core().send(QStringLiteral("dave"), QStringLiteral("psst"), &error);
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(alice, QStringLiteral("alice"), toDave),
                                  Status::Delivered, Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(dave.core().store().message(QStringLiteral("alice"), toDave),
                                 Timeout);
        dave.core().markRead(conversation);
        QTRY_VERIFY_WITH_TIMEOUT(
            dave.core().store().setting(QStringLiteral("pending_read_marks")) == "{}", Timeout);
        // Anything pushed to alice before dave's next message has arrived once it has.
        const QString fromDave =
            dave.core().send(QStringLiteral("alice"), QStringLiteral("ok"), &error);
        QTRY_VERIFY_WITH_TIMEOUT(alice.core().store().message(QStringLiteral("dave"), fromDave),
                                 Timeout);
        QCOMPARE(statusOf(alice, QStringLiteral("alice"), toDave), Status::Delivered);
        const auto seen = alice.client->call("GET", QStringLiteral("/v1/receipts"));
        bool found = false;
        for (const QJsonValue &value : seen.body.value(QStringLiteral("receipts")).toArray()) {
            const QJsonObject r = value.toObject();
            if (r.value(QStringLiteral("conversation")).toString() == conversation &&
                r.value(QStringLiteral("user")).toString() == QStringLiteral("dave")) {
                found = true;
                QCOMPARE(r.value(QStringLiteral("read")).toInteger(), 0);
                QVERIFY(r.value(QStringLiteral("delivered")).toInteger() > 0);
            }
        }
        QVERIFY(found);
        // ... and dave sees no one's: alice reads his message, it stays delivered for him.
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(dave, QStringLiteral("dave"), fromDave),
                                  Status::Delivered, Timeout);
        alice.core().markRead(conversation);
        const QString barrier =
            alice.core().send(QStringLiteral("dave"), QStringLiteral("barrier"), &error);
        QTRY_VERIFY_WITH_TIMEOUT(dave.core().store().message(QStringLiteral("alice"), barrier),
                                 Timeout);
        QCOMPARE(statusOf(dave, QStringLiteral("dave"), fromDave), Status::Delivered);
        // Back on: receipts flow again (for what is read from now on).
        const auto on = waitFor(
            [&](Client::ApiCallback done) { dave.core().setReadReceiptsShared(true, done); });
        QVERIFY(on.ok());
        dave.core().markRead(conversation);
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(alice, QStringLiteral("alice"), barrier), Status::Read,
                                  Timeout);
    }

    void refusedMarks()
    {
        TestClient &carol = *dev(QStringLiteral("c1")).client;
        // Not carol's conversation: refused, and its receipts are not shown to her.
        QJsonObject mark{{QStringLiteral("conversation"), QStringLiteral("dm:alice:bob")},
                         {QStringLiteral("seq"), 1}};
        auto result = carol.call("POST", QStringLiteral("/v1/read"), &mark);
        QCOMPARE(result.status, 404);
        QCOMPARE(result.error.code, QStringLiteral("not_found"));
        result = carol.call("GET", QStringLiteral("/v1/receipts"));
        QVERIFY(result.ok());
        for (const QJsonValue &value : result.body.value(QStringLiteral("receipts")).toArray()) {
            QVERIFY2(!value.toObject()
                          .value(QStringLiteral("conversation"))
                          .toString()
                          .startsWith(QStringLiteral("dm:alice:bob")),
                     "receipts of a conversation carol is not in");
        }
        QVERIFY(!result.body.value(QStringLiteral("receipts")).toArray().isEmpty()); // the group
        // Acknowledging someone else's message id claims nothing.
        const QString dm =
            Protocol::directConversationId(QStringLiteral("alice"), QStringLiteral("bob"));
        const auto theirs = dev(QStringLiteral("a1")).core().store().history(dm, 1);
        QCOMPARE(theirs.size(), 1);
        QVERIFY(theirs.first().serverId > 0);
        const QJsonObject ack{{QStringLiteral("ids"), QJsonArray{theirs.first().serverId}}};
        QCOMPARE(carol.call("POST", QStringLiteral("/v1/inbox/ack"), &ack).status, 200);
        const auto seenByAlice =
            dev(QStringLiteral("a1")).client->call("GET", QStringLiteral("/v1/receipts"));
        for (const QJsonValue &value :
             seenByAlice.body.value(QStringLiteral("receipts")).toArray()) {
            QVERIFY2(value.toObject().value(QStringLiteral("user")).toString() !=
                             QStringLiteral("carol") ||
                         value.toObject().value(QStringLiteral("conversation")).toString() != dm,
                     "carol faked a delivered receipt in alice and bob's conversation");
        }
        // Nor does acknowledging a message of a group she is not in.
        Device &alice = dev(QStringLiteral("a1"));
        const auto created = waitFor([&](Client::ApiCallback done) {
            alice.core().createGroup(QStringLiteral("no carol"), {QStringLiteral("bob")}, done);
        });
        QVERIFY2(created.ok(), qPrintable(created.error.message));
        const QString closed = created.body.value(QStringLiteral("conversation")).toString();
        QString error;
        const QString justUs = alice.core().send(closed, QStringLiteral("just us"), &error);
        QVERIFY2(!justUs.isEmpty(), qPrintable(error));
        auto closedId = [&] {
            const auto sent = alice.core().store().message(QStringLiteral("alice"), justUs);
            return sent ? sent->serverId : qint64(0);
        };
        QTRY_VERIFY_WITH_TIMEOUT(closedId() > 0, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(deliveredPositions(*alice.client, closed).keys(),
                                  QStringList{QStringLiteral("bob")}, Timeout);
        const QJsonObject groupAck{{QStringLiteral("ids"), QJsonArray{closedId()}}};
        QCOMPARE(carol.call("POST", QStringLiteral("/v1/inbox/ack"), &groupAck).status, 200);
        // Carol's claim was queued before that answer: once bob's delivery of a later message
        // is stored, hers has been looked at too.
        const QString stillUs = alice.core().send(closed, QStringLiteral("still us"), &error);
        QVERIFY(!stillUs.isEmpty());
        qint64 stillUsSeq = 0;
        QTRY_VERIFY_WITH_TIMEOUT(
            (stillUsSeq = alice.core().store().message(QStringLiteral("alice"), stillUs)->seq) > 0,
            Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(
            deliveredPositions(*alice.client, closed).value(QStringLiteral("bob")), stillUsSeq,
            Timeout);
        QCOMPARE(deliveredPositions(*alice.client, closed).keys(),
                 QStringList{QStringLiteral("bob")});

        // Past the last message, zero, garbage.
        mark = {{QStringLiteral("conversation"), QStringLiteral("dm:bob:carol")},
                {QStringLiteral("seq"), 5}};
        QCOMPARE(carol.call("POST", QStringLiteral("/v1/read"), &mark).status, 400);
        mark.insert(QStringLiteral("seq"), 0);
        QCOMPARE(carol.call("POST", QStringLiteral("/v1/read"), &mark).status, 400);
        mark.insert(QStringLiteral("seq"), QStringLiteral("1"));
        QCOMPARE(carol.call("POST", QStringLiteral("/v1/read"), &mark).status, 400);
        QCOMPARE(carol.call("GET", QStringLiteral("/v1/receipts?since=-1")).status, 400);
        QCOMPARE(carol.call("GET", QStringLiteral("/v1/receipts?limit=0")).status, 400);
        const QJsonObject group{{QStringLiteral("conversation"),
                                 QStringLiteral("group:0123456789abcdef0123456789abcdef")},
                                {QStringLiteral("seq"), 1}};
        QCOMPARE(carol.call("POST", QStringLiteral("/v1/read"), &group).status, 404);
    }

    void pagesWithManyChangesInOneMillisecond()
    {
        // Every position alice can see changed "at the same time" (written straight into the
        // daemon's database): paging one at a time by the `next` cursor still visits each once.
        auto &alice = *dev(QStringLiteral("a1")).client;
        const auto all = alice.call("GET", QStringLiteral("/v1/receipts?limit=1000"));
        QCOMPARE(all.status, 200);
        const int total =
            static_cast<int>(all.body.value(QStringLiteral("receipts")).toArray().size());
        QVERIFY(total >= 3);
        {
            const QString name = QStringLiteral("receipts-writer");
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(m_server->dataDir() + QStringLiteral("/tincand.db"));
            db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
            QVERIFY(db.open());
            QSqlQuery update(db);
            QVERIFY2(update.exec(QStringLiteral("UPDATE receipt_state SET updated_at = 4242")),
                     qPrintable(update.lastError().text()));
            update.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("receipts-writer"));
        QSet<QString> seen;
        QString next;
        for (int page = 0; page < total + 2; ++page) {
            const QString path = next.isEmpty()
                                     ? QStringLiteral("/v1/receipts?since=4242&limit=1")
                                     : QStringLiteral("/v1/receipts?limit=1&after=%1")
                                           .arg(QString::fromLatin1(QUrl::toPercentEncoding(next)));
            const auto result = alice.call("GET", path);
            QCOMPARE(result.status, 200);
            for (const QJsonValue &value :
                 result.body.value(QStringLiteral("receipts")).toArray()) {
                const QJsonObject r = value.toObject();
                const QString key = r.value(QStringLiteral("conversation")).toString() +
                                    QLatin1Char('/') + r.value(QStringLiteral("user")).toString();
                QVERIFY2(!seen.contains(key), qPrintable(key));
                seen.insert(key);
            }
            next = result.body.value(QStringLiteral("next")).toString();
            if (!result.body.value(QStringLiteral("more")).toBool()) {
                break;
            }
        }
        QCOMPARE(seen.size(), total);
        QCOMPARE(alice.call("GET", QStringLiteral("/v1/receipts?after=junk")).status, 400);
    }

    // Receipt changes that reach a device within stream/receipt_delay_ms of each other travel
    // merged in one `receipts` frame, and the client applies every state in it. Bob and carol
    // ACK at once; dave only once they are stored (he connects later): with a delay of 0 that
    // would be two frames, with 5 s it is one.
    void groupReceiptsComeMerged()
    {
        TestServer server(QStringLiteral("[rate]\nmessages_per_second=100000\nmessage_burst="
                                         "100000\n[stream]\nreceipt_delay_ms=5000\n"));
        QVERIFY(server.start());
        TestClient alice(server.url());
        TestClient aliceWatcher(server.url());
        QVERIFY(alice.registerAccount(QStringLiteral("malice")));
        QVERIFY(aliceWatcher.login(QStringLiteral("malice")));
        std::vector<std::unique_ptr<TestClient>> members;
        const QStringList names{QStringLiteral("mbob"), QStringLiteral("mcarol"),
                                QStringLiteral("mdave")};
        for (const QString &name : names) {
            members.push_back(std::make_unique<TestClient>(server.url()));
            QVERIFY(members.back()->registerAccount(name));
        }
        auto connect = [](TestClient &client) {
            QSignalSpy synced(&client.core(), &Client::ClientCore::synced);
            client.core().connectToServer();
            return QTest::qWaitFor([&] { return !synced.isEmpty(); }, Timeout);
        };
        QVERIFY(connect(alice));
        QVERIFY(connect(*members[0]));
        QVERIFY(connect(*members[1]));
        RawStream watcher(server, aliceWatcher.core().profile().token());
        QTRY_VERIFY_WITH_TIMEOUT(watcher.has(QStringLiteral("synced")), Timeout);
        QCOMPARE(watcher.first(QStringLiteral("hello")).value(QStringLiteral("version")).toInt(),
                 Protocol::StreamProtocolVersion);

        const auto created = waitFor([&](Client::ApiCallback done) {
            alice.core().createGroup(QStringLiteral("merged"), names, done);
        });
        QVERIFY2(created.ok(), qPrintable(created.error.message));
        const QString conversation = created.body.value(QStringLiteral("conversation")).toString();
        QString error;
        const QString id = alice.core().send(conversation, QStringLiteral("tick tick"), &error);
        QVERIFY2(!id.isEmpty(), qPrintable(error));
        // Bob's and carol's delivered positions are stored (so their change is on its way)...
        QTRY_COMPARE_WITH_TIMEOUT(deliveredPositions(alice, conversation).keys(), names.mid(0, 2),
                                  Timeout);
        // ...then dave comes online and catches up.
        QVERIFY(connect(*members[2]));
        QTRY_COMPARE_WITH_TIMEOUT(deliveredPositions(alice, conversation).keys(), names, Timeout);
        // alice's own client applies all three states, whatever frame they came in.
        QTRY_COMPARE_WITH_TIMEOUT(alice.core().receiptSummary(id).deliveredTo.size(), 3, Timeout);
        const auto stored = alice.core().store().message(QStringLiteral("malice"), id);
        QVERIFY(stored);
        QCOMPARE(stored->status, Status::Delivered);

        auto receiptFrames = [&] {
            QList<QJsonObject> found;
            for (const QJsonObject &frame : std::as_const(watcher.frames)) {
                const QString type = frame.value(QStringLiteral("type")).toString();
                if (type == QLatin1String("receipt") || type == QLatin1String("receipts")) {
                    found.append(frame);
                }
            }
            return found;
        };
        QTRY_VERIFY_WITH_TIMEOUT(!receiptFrames().isEmpty(), Timeout);
        const QList<QJsonObject> frames = receiptFrames();
        QCOMPARE(frames.size(), 1);
        QCOMPARE(frames[0].value(QStringLiteral("type")).toString(), QStringLiteral("receipts"));
        QStringList users;
        for (const QJsonValue &state : frames[0].value(QStringLiteral("receipts")).toArray()) {
            QCOMPARE(state.toObject().value(QStringLiteral("conversation")).toString(),
                     conversation);
            QVERIFY(state.toObject().value(QStringLiteral("delivered")).toInteger() > 0);
            users.append(state.toObject().value(QStringLiteral("user")).toString());
        }
        users.sort();
        QCOMPARE(users, names);
        for (auto &member : members) {
            member->core().disconnectFromServer();
        }
        alice.core().disconnectFromServer();
    }

    void cleanupTestCase()
    {
        for (auto &[key, device] : m_devices) {
            device.core().disconnectFromServer();
        }
        m_devices.clear();
        m_server.reset();
    }
};

QTEST_GUILESS_MAIN(ReceiptsTest)
#include "tst_receipts.moc"
