// Groups against the real tincand with real client cores: membership and its events, sender keys
// (one encryption per message, rotation when someone leaves, no reading of what came before
// joining), the same order on every device, a 100-member group fanned out on write and on read,
// and a daemon killed with SIGKILL in the middle of a fan-out.
#include "shared/crypto/DeviceCrypto.h"
#include "shared/protocol/Validation.h"
#include "tests/common/TestClient.h"
#include "tests/common/TestServer.h"

#include <QFile>
#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QtTest>

using namespace Tincan;
using namespace Tincan::Test;
using Status = Client::StoredMessage::Status;

namespace {

constexpr int Timeout = 60000;
constexpr int CrowdSize = 100;

const QString BaseConfig =
    QStringLiteral("[rate]\nmessages_per_second=100000\nmessage_burst=100000\n"
                   "key_fetches_per_minute=100000\nkey_fetch_burst=100000\n");

//! Stored readable: received, or ours and confirmed by the server (receipts may have moved it on).
bool readable(Status status)
{
    return status == Status::Received || status == Status::Sent || status == Status::Delivered ||
           status == Status::Read;
}

//! A member: one client core (one device) with what it saw.
struct Member
{
    QString name;
    std::unique_ptr<TestClient> client;
    std::unique_ptr<Recorder> recorder;
};

} // namespace

class GroupsTest : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestServer> m_server;
    std::vector<Member> m_crowd;

    //! Rewrites the daemon's config (base + `extra`) and restarts it on the same port.
    bool reconfigure(const QString &extra)
    {
        if (m_server->isRunning() && !m_server->stop()) {
            qWarning("the daemon did not stop cleanly: %s",
                     qPrintable(m_server->output().right(3000)));
            return false;
        }
        QFile file(m_server->configPath());
        if (!file.open(QIODevice::WriteOnly)) {
            return false;
        }
        file.write("[auth]\nargon2_memory_kib=1024\nargon2_iterations=1\n"
                   "[rate]\nauth_per_minute=100000\nauth_burst=100000\n"
                   "[server]\nthreads=2\n");
        file.write(BaseConfig.toUtf8());
        file.write(extra.toUtf8());
        file.close();
        return m_server->restart();
    }

    Member &member(int i) { return m_crowd[static_cast<size_t>(i)]; }

    Member addMember(const QString &name, bool connect = true)
    {
        Member m;
        m.name = name;
        m.client = std::make_unique<TestClient>(m_server->url());
        m.client->core().stream().setBackoff(50, 1000);
        m.recorder = std::make_unique<Recorder>(m.client->core());
        if (!m.client->registerAccount(name)) {
            qFatal("cannot register %s", qPrintable(name));
        }
        if (connect) {
            m.client->core().connectToServer();
        }
        return m;
    }

    //! Creates a group of the first `count` crowd members (member 0 creates it).
    QString createGroup(const QString &name, int count)
    {
        QStringList names;
        for (int i = 1; i < count; ++i) {
            names.append(member(i).name);
        }
        const auto result = waitFor(
            [&](Client::ApiCallback done) {
                member(0).client->core().createGroup(name, names, done);
            },
            Timeout);
        if (!result.ok()) {
            qWarning("create group failed (HTTP %d): %s", result.status,
                     qPrintable(result.error.message));
            return {};
        }
        return result.body.value(QStringLiteral("id")).toString();
    }

    //! How many messages of `conversation` member `i` holds, by status other than System.
    static QList<Client::StoredMessage> messagesIn(TestClient &client, const QString &conversation)
    {
        QList<Client::StoredMessage> result;
        for (const auto &m : client.core().store().history(conversation, 100000)) {
            if (m.status != Status::System) {
                result.append(m);
            }
        }
        return result;
    }

    //! Reads one value from the daemon's database (it may be running: WAL allows readers).
    QVariant serverValue(const QString &sql)
    {
        QVariant value;
        {
            const QString name = QUuid::createUuid().toString();
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(m_server->dataDir() + QStringLiteral("/tincand.db"));
            if (db.open()) {
                QSqlQuery query(db);
                if (query.exec(sql) && query.next()) {
                    value = query.value(0);
                } else {
                    qWarning("server database query failed: %s",
                             qPrintable(query.lastError().text()));
                }
            } else {
                qWarning("cannot open the server database: %s", qPrintable(db.lastError().text()));
            }
            db.close();
        }
        return value;
    }

    QByteArray storedPayload(const QString &clientMessageId)
    {
        return serverValue(QStringLiteral("SELECT payload FROM messages WHERE client_id = '%1'")
                               .arg(clientMessageId))
            .toByteArray();
    }

    //! Every member device of `conversation` among the first `count` members has each message
    //! of `ids` exactly once, all in the same order.
    void verifyEveryoneHas(const QString &conversation, int count, const QStringList &ids)
    {
        QList<int> members;
        for (int i = 0; i < count; ++i) {
            members.append(i);
        }
        verifyMembersHave(conversation, members, ids);
        if (QTest::currentTestFailed()) {
            return;
        }
    }

    void verifyMembersHave(const QString &conversation, const QList<int> &members,
                           const QStringList &ids)
    {
        QStringList reference;
        for (const int i : members) {
            TestClient &client = *member(i).client;
            QTRY_VERIFY2_WITH_TIMEOUT(
                [&] {
                    const auto held = messagesIn(client, conversation);
                    int found = 0;
                    for (const auto &m : held) {
                        found += ids.contains(m.clientMessageId) && readable(m.status) ? 1 : 0;
                    }
                    return found == ids.size();
                }(),
                qPrintable(member(i).name), Timeout);
            QStringList order;
            for (const auto &m : messagesIn(client, conversation)) {
                if (ids.contains(m.clientMessageId)) {
                    order.append(m.clientMessageId);
                }
            }
            QCOMPARE(order.size(), ids.size()); // Once each.
            if (reference.isEmpty()) {
                reference = order;
            }
            QCOMPARE(order, reference); // The same order everywhere.
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<TestServer>(BaseConfig);
        QVERIFY(m_server->start());
        QVERIFY(reconfigure(QStringLiteral("[groups]\nfanout_read_threshold=1000\n")));
        for (int i = 0; i < CrowdSize; ++i) {
            m_crowd.push_back(addMember(QStringLiteral("m%1").arg(i, 3, 10, QLatin1Char('0'))));
        }
        for (int i = 0; i < CrowdSize; ++i) {
            QTRY_VERIFY_WITH_TIMEOUT(member(i).recorder->syncedCount > 0, Timeout);
        }
    }

    void membershipAndSenderKeys()
    {
        // m000 (admin) with m001, m002; m001 has a second device.
        const QString id = createGroup(QStringLiteral("team"), 3);
        QVERIFY(Protocol::isValidGroupId(id));
        const QString conversation = Protocol::groupConversationId(id);
        TestClient second(m_server->url());
        second.core().stream().setBackoff(50, 1000);
        Recorder secondSeen(second.core());
        QVERIFY(second.login(member(1).name));
        second.core().connectToServer();
        QTRY_VERIFY_WITH_TIMEOUT(secondSeen.syncedCount > 0, Timeout);

        // Everyone sees the creation as a notice, and knows the group.
        QTRY_VERIFY_WITH_TIMEOUT(member(2).client->core().group(id).has_value(), Timeout);
        QCOMPARE(member(2).client->core().group(id)->name, QStringLiteral("team"));
        QTRY_VERIFY_WITH_TIMEOUT(
            !member(2).client->core().store().history(conversation, 10).isEmpty(), Timeout);
        const auto notice = member(2).client->core().store().history(conversation, 10).first();
        QCOMPARE(notice.status, Status::System);
        QVERIFY2(notice.text.contains(QStringLiteral("m000 created the group \"team\"")),
                 qPrintable(notice.text));

        QString error;
        const QString hello =
            member(0).client->core().send(conversation, QStringLiteral("hello"), &error);
        QVERIFY2(!hello.isEmpty(), qPrintable(error));
        const QString reply =
            member(1).client->core().send(conversation, QStringLiteral("hi back"), &error);
        QVERIFY2(!reply.isEmpty(), qPrintable(error));
        verifyEveryoneHas(conversation, 3, {hello, reply});
        if (QTest::currentTestFailed()) {
            return;
        }
        // The second device of m001 got both too: m000's message and its own user's (self-sync).
        QTRY_COMPARE_WITH_TIMEOUT(messagesIn(second, conversation).size(), 2, Timeout);
        for (const auto &m : messagesIn(second, conversation)) {
            QCOMPARE(m.outgoing, m.text == QStringLiteral("hi back"));
        }
        // The server holds one ciphertext per message, not the text.
        const QByteArray helloCipher = storedPayload(hello);
        QVERIFY(!helloCipher.isEmpty());
        QVERIFY(!helloCipher.contains("hello"));

        // Only admins add; members may rename.
        const auto refused = waitFor([&](Client::ApiCallback done) {
            member(2).client->core().addGroupMembers(id, {member(3).name}, done);
        });
        QCOMPARE(refused.status, 403);
        const auto renamed = waitFor([&](Client::ApiCallback done) {
            member(2).client->core().renameGroup(id, QStringLiteral("the team"), done);
        });
        QVERIFY2(renamed.ok(), qPrintable(renamed.error.message));
        QTRY_COMPARE_WITH_TIMEOUT(member(0).client->core().group(id)->name,
                                  QStringLiteral("the team"), Timeout);

        // A new member reads what follows, not what came before.
        const auto added = waitFor([&](Client::ApiCallback done) {
            member(0).client->core().addGroupMembers(id, {member(3).name}, done);
        });
        QVERIFY2(added.ok(), qPrintable(added.error.message));
        QTRY_VERIFY_WITH_TIMEOUT(member(3).client->core().group(id).has_value() &&
                                     member(3).client->core().group(id)->name ==
                                         QStringLiteral("the team"),
                                 Timeout);
        const QString after =
            member(0).client->core().send(conversation, QStringLiteral("welcome"), &error);
        QVERIFY(!after.isEmpty());
        verifyEveryoneHas(conversation, 4, {after});
        if (QTest::currentTestFailed()) {
            return;
        }
        QCOMPARE(messagesIn(*member(3).client, conversation).size(), 1);
        const auto old = member(3).client->core().crypto().groupDecrypt(
            id, member(0).name, static_cast<int>(member(0).client->core().profile().deviceId()),
            helloCipher);
        QVERIFY2(!old.ok(), "a new member must not read a message sent before it joined");

        // Removal: the removed member sees it, and cannot read the next message even with the
        // ciphertext in hand (the sender rotated its key).
        const auto removed = waitFor([&](Client::ApiCallback done) {
            member(0).client->core().removeGroupMember(id, member(2).name, done);
        });
        QVERIFY2(removed.ok(), qPrintable(removed.error.message));
        QTRY_VERIFY_WITH_TIMEOUT(!member(2).client->core().group(id)->member, Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const auto &m : member(1).client->core().store().history(conversation, 50)) {
                    if (m.text == QStringLiteral("m000 removed m002")) {
                        return true;
                    }
                }
                return false;
            }(),
            Timeout);
        const QString secret =
            member(1).client->core().send(conversation, QStringLiteral("after removal"), &error);
        QVERIFY(!secret.isEmpty());
        verifyEveryoneHas(conversation, 2, {secret});
        if (QTest::currentTestFailed()) {
            return;
        }
        QTRY_COMPARE_WITH_TIMEOUT(messagesIn(*member(3).client, conversation).size(), 2, Timeout);
        const auto leaked = member(2).client->core().crypto().groupDecrypt(
            id, member(1).name, static_cast<int>(member(1).client->core().profile().deviceId()),
            storedPayload(secret));
        QVERIFY2(!leaked.ok(), "a removed member must not read the next message");
        QCOMPARE(messagesIn(*member(2).client, conversation).size(), 3);
        // ... and can no longer send.
        QVERIFY(member(2).client->core().send(conversation, QStringLiteral("x"), &error).isEmpty());

        // The last admin leaves: the longest-standing member takes over.
        const auto left = waitFor(
            [&](Client::ApiCallback done) { member(0).client->core().leaveGroup(id, done); });
        QVERIFY2(left.ok(), qPrintable(left.error.message));
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const auto g = member(1).client->core().group(id);
                if (!g) {
                    return false;
                }
                for (const auto &m : g->members) {
                    if (m.user == member(1).name) {
                        return m.admin && g->members.size() == 2;
                    }
                }
                return false;
            }(),
            Timeout);
        // Revoking a device closes it out of the group too: the next message is not for it.
        const qint64 secondDevice = second.core().profile().deviceId();
        second.core().disconnectFromServer();
        QCOMPARE(member(1)
                     .client->call("DELETE", QStringLiteral("/v1/devices/%1").arg(secondDevice))
                     .status,
                 200);
        const QString afterRevoke =
            member(1).client->core().send(conversation, QStringLiteral("revoked"), &error);
        QVERIFY(!afterRevoke.isEmpty());
        verifyMembersHave(conversation, {1, 3}, {afterRevoke});
        if (QTest::currentTestFailed()) {
            return;
        }
        QCOMPARE(
            serverValue(
                QStringLiteral("SELECT COUNT(*) FROM inbox WHERE device_id = %1").arg(secondDevice))
                .toInt(),
            0);
    }

    void hundredMembersFanOutOnWrite()
    {
        const QString id = createGroup(QStringLiteral("everyone"), CrowdSize);
        QVERIFY(!id.isEmpty());
        const QString conversation = Protocol::groupConversationId(id);
        // Three members send at once, five messages each.
        QStringList ids;
        QString error;
        for (int round = 0; round < 5; ++round) {
            for (const int sender : {0, 41, 99}) {
                const QString sent = member(sender).client->core().send(
                    conversation, QStringLiteral("msg %1 from %2").arg(round).arg(sender), &error);
                QVERIFY2(!sent.isEmpty(), qPrintable(error));
                ids.append(sent);
            }
        }
        verifyEveryoneHas(conversation, CrowdSize, ids);
        if (QTest::currentTestFailed()) {
            return;
        }
        // Fanned out on write: inbox entries, nothing left in the queue, one stored copy each.
        QCOMPARE(serverValue(QStringLiteral("SELECT COUNT(*) FROM messages WHERE conversation = "
                                            "'%1' AND fanout = 1 AND event IS NULL")
                                 .arg(conversation))
                     .toInt(),
                 15);
        QTRY_COMPARE_WITH_TIMEOUT(
            serverValue(QStringLiteral("SELECT COUNT(*) FROM fanout_jobs")).toInt(), 0, Timeout);
    }

    void hundredMembersFanOutOnRead()
    {
        QVERIFY(reconfigure(QStringLiteral("[groups]\nfanout_read_threshold=10\n")));
        const QString id = createGroup(QStringLiteral("big room"), CrowdSize);
        QVERIFY(!id.isEmpty());
        const QString conversation = Protocol::groupConversationId(id);
        // Some members are offline while it happens: they read the log when they come back.
        for (int i = 90; i < CrowdSize; ++i) {
            member(i).client->core().disconnectFromServer();
        }
        QStringList ids;
        QString error;
        for (int round = 0; round < 4; ++round) {
            for (const int sender : {3, 50, 77}) {
                const QString sent = member(sender).client->core().send(
                    conversation, QStringLiteral("read %1 from %2").arg(round).arg(sender), &error);
                QVERIFY2(!sent.isEmpty(), qPrintable(error));
                ids.append(sent);
            }
        }
        verifyEveryoneHas(conversation, 90, ids);
        if (QTest::currentTestFailed()) {
            return;
        }
        for (int i = 90; i < CrowdSize; ++i) {
            member(i).client->core().connectToServer();
        }
        verifyEveryoneHas(conversation, CrowdSize, ids);
        if (QTest::currentTestFailed()) {
            return;
        }
        // Stored once, no inbox entry per device.
        QCOMPARE(serverValue(QStringLiteral("SELECT COUNT(*) FROM messages WHERE conversation = "
                                            "'%1' AND fanout = 2")
                                 .arg(conversation))
                     .toInt(),
                 ids.size());
        QCOMPARE(serverValue(QStringLiteral("SELECT COUNT(*) FROM inbox i JOIN messages m ON m.id "
                                            "= i.message_id WHERE m.conversation = '%1' AND "
                                            "m.event IS NULL")
                                 .arg(conversation))
                     .toInt(),
                 0);
        // Acknowledged: every cursor moved past the last message.
        const QString behind =
            QStringLiteral("SELECT %2 FROM group_cursors WHERE conversation = '%1' AND after_id < "
                           "(SELECT MAX(id) FROM messages WHERE conversation = '%1' AND fanout = 2 "
                           "AND sender_device <> device_id)")
                .arg(conversation);
        QTRY_VERIFY2_WITH_TIMEOUT(
            serverValue(behind.arg(QStringLiteral("COUNT(*)"))).toInt() == 0,
            qPrintable(serverValue(behind.arg(QStringLiteral("group_concat(device_id || ':' || "
                                                             "after_id)")))
                           .toString()),
            Timeout);
    }

    void killedDuringFanOut()
    {
        // One delivery per transaction, 60 ms apart: a 100-member fan-out takes six seconds,
        // far more than the test process (100 client cores) needs to notice the first delivery.
        QList<int> synced;
        for (int i = 0; i < CrowdSize; ++i) {
            synced.append(member(i).recorder->syncedCount);
        }
        QVERIFY(
            reconfigure(QStringLiteral("[groups]\nfanout_read_threshold=1000\n"
                                       "fanout_round_deliveries=1\nfanout_round_pause_ms=60\n")));
        // Every member is back and caught up (its catch-up work is done) before it starts.
        for (int i = 0; i < CrowdSize; ++i) {
            QTRY_VERIFY_WITH_TIMEOUT(member(i).recorder->syncedCount > synced[i], Timeout);
        }
        const QString id = createGroup(QStringLiteral("crash test"), CrowdSize);
        QVERIFY(!id.isEmpty());
        const QString conversation = Protocol::groupConversationId(id);
        for (int i = 0; i < CrowdSize; ++i) {
            QTRY_VERIFY_WITH_TIMEOUT(member(i).client->core().group(id).has_value(), Timeout);
        }
        QString error;
        QStringList ids;
        for (int i = 0; i < 2; ++i) {
            ids.append(member(0).client->core().send(conversation,
                                                     QStringLiteral("crash %1").arg(i), &error));
            QVERIFY(!ids.last().isEmpty());
        }
        // SIGKILL as soon as the first member device has the first message.
        bool killed = false;
        for (int i = 1; i < CrowdSize; ++i) {
            connect(&member(i).client->core(), &Client::ClientCore::messageReceived, this,
                    [&](const Client::StoredMessage &m) {
                        if (!killed && m.clientMessageId == ids.first()) {
                            killed = true;
                            m_server->kill();
                        }
                    });
        }
        QTRY_VERIFY_WITH_TIMEOUT(killed, Timeout);
        for (int i = 1; i < CrowdSize; ++i) {
            disconnect(&member(i).client->core(), &Client::ClientCore::messageReceived, this,
                       nullptr);
        }
        // It really was in the middle: fan-out work was left in the queue.
        QVERIFY(serverValue(QStringLiteral("SELECT COUNT(*) FROM fanout_jobs")).toInt() > 0);
        QVERIFY(m_server->restart());
        verifyEveryoneHas(conversation, CrowdSize, ids);
        if (QTest::currentTestFailed()) {
            return;
        }
        // Exactly once on every device (re-deliveries are de-duplicated by the client).
        for (int i = 1; i < CrowdSize; ++i) {
            int seen = 0;
            for (const auto &m : member(i).recorder->received) {
                seen += ids.contains(m.clientMessageId) ? 1 : 0;
            }
            QCOMPARE(seen, ids.size());
        }
    }

    void groupMessageFannedOutAfterLaterDirectMessage()
    {
        // The group message is stored first, but reaches a member's inbox after a direct
        // message stored later: the member's open stream must still get both, without
        // reconnecting. One delivery per round, 50 ms apart, and the member has the highest
        // device id of 30: its entry is written at least 1.4 s after the message was stored.
        QVERIFY(reconfigure(QStringLiteral("[groups]\nfanout_round_deliveries=1\n"
                                           "fanout_round_pause_ms=50\n")));
        Member &a = member(30);
        Member &b = member(59);
        Member &c = member(22);
        QStringList others;
        for (int i = 31; i < 60; ++i) {
            others.append(member(i).name);
        }
        const auto created = waitFor(
            [&](Client::ApiCallback done) {
                a.client->core().createGroup(QStringLiteral("slow"), others, done);
            },
            Timeout);
        QVERIFY(created.ok());
        const QString conversation = created.body.value(QStringLiteral("conversation")).toString();
        const QString groupId = created.body.value(QStringLiteral("id")).toString();
        QTRY_VERIFY_WITH_TIMEOUT(b.client->core().group(groupId).has_value(), Timeout);
        // c and b already have a session: the direct message is one request.
        QString error;
        const QString hello = c.client->core().send(b.name, QStringLiteral("hello"), &error);
        QTRY_VERIFY_WITH_TIMEOUT(b.client->core().store().message(c.name, hello), Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(b.client->core().stream().isConnected(), Timeout);
        const int connections = b.recorder->connectedCount;
        const qsizetype before = b.recorder->received.size();
        const QString groupMessage =
            a.client->core().send(conversation, QStringLiteral("stored first"), &error);
        QTRY_VERIFY_WITH_TIMEOUT(a.recorder->sent.contains(groupMessage), Timeout);
        const QString direct =
            c.client->core().send(b.name, QStringLiteral("stored later"), &error);
        auto indexOf = [&](const QString &id) {
            for (qsizetype i = before; i < b.recorder->received.size(); ++i) {
                if (b.recorder->received[i].clientMessageId == id) {
                    return i;
                }
            }
            return qsizetype(-1);
        };
        QTRY_VERIFY_WITH_TIMEOUT(indexOf(direct) >= 0, Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(indexOf(groupMessage) >= 0, Timeout);
        QVERIFY2(indexOf(direct) < indexOf(groupMessage), "the scenario did not happen");
        QCOMPARE(b.recorder->connectedCount, connections); // No reconnection was needed.
    }

    void badRequests()
    {
        QVERIFY(reconfigure(QStringLiteral("[groups]\nmax_members=4\n")));
        TestClient &owner = *member(10).client;
        TestClient &outsider = *member(11).client;
        const auto created = waitFor([&](Client::ApiCallback done) {
            owner.core().createGroup(QStringLiteral("small"), {member(12).name}, done);
        });
        QVERIFY(created.ok());
        const QString id = created.body.value(QStringLiteral("id")).toString();
        const QString path = QStringLiteral("/v1/groups/") + id;

        // Not a member: as if the group did not exist.
        auto result = outsider.call("GET", path);
        QCOMPARE(result.status, 404);
        QCOMPARE(result.error.code, QStringLiteral("unknown_group"));
        QCOMPARE(outsider.call("GET", QStringLiteral("/v1/groups/nonsense")).status, 404);
        QJsonObject message{
            {QStringLiteral("clientMessageId"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
            {QStringLiteral("epoch"), 1},
            {QStringLiteral("body"), QStringLiteral("AQQAAA==")}};
        QCOMPARE(outsider.call("POST", path + QStringLiteral("/messages"), &message).status, 404);
        // A stale epoch, and a key for a device outside the group.
        message.insert(QStringLiteral("epoch"), 999);
        result = owner.call("POST", path + QStringLiteral("/messages"), &message);
        QCOMPARE(result.status, 409);
        QCOMPARE(result.error.code, QStringLiteral("group_changed"));
        QVERIFY(result.error.details.value(QStringLiteral("epoch")).toInteger() > 0);
        message.insert(QStringLiteral("epoch"),
                       result.error.details.value(QStringLiteral("epoch")).toInteger());
        message.insert(
            QStringLiteral("keys"),
            QJsonArray{QJsonObject{{QStringLiteral("device"), outsider.core().profile().deviceId()},
                                   {QStringLiteral("body"), QStringLiteral("AQID")}}});
        result = owner.call("POST", path + QStringLiteral("/messages"), &message);
        QCOMPARE(result.status, 409);
        QCOMPARE(result.error.code, QStringLiteral("device_mismatch"));
        message.insert(QStringLiteral("body"), QStringLiteral("not base64!"));
        QCOMPARE(owner.call("POST", path + QStringLiteral("/messages"), &message).status, 400);

        // Membership rules.
        QJsonObject users{{QStringLiteral("users"),
                           QJsonArray{member(13).name, member(14).name, member(15).name}}};
        result = owner.call("POST", path + QStringLiteral("/members"), &users);
        QCOMPARE(result.status, 409);
        QCOMPARE(result.error.code, QStringLiteral("group_full"));
        users = {{QStringLiteral("users"), QJsonArray{QStringLiteral("nobody-here")}}};
        result = owner.call("POST", path + QStringLiteral("/members"), &users);
        QCOMPARE(result.status, 404);
        QCOMPARE(result.error.code, QStringLiteral("unknown_user"));
        users = {{QStringLiteral("users"), QJsonArray{member(12).name}}};
        QCOMPARE(owner.call("POST", path + QStringLiteral("/members"), &users).status, 400);
        users = {{QStringLiteral("users"), QJsonArray()}};
        QCOMPARE(owner.call("POST", path + QStringLiteral("/members"), &users).status, 400);
        QCOMPARE(member(12)
                     .client->call("DELETE", path + QStringLiteral("/members/") + member(10).name)
                     .status,
                 403);
        QCOMPARE(owner.call("DELETE", path + QStringLiteral("/members/") + member(13).name).status,
                 404);
        QJsonObject role{{QStringLiteral("role"), QStringLiteral("member")}};
        result = owner.call(
            "PUT", path + QStringLiteral("/members/") + member(10).name + QStringLiteral("/role"),
            &role);
        QCOMPARE(result.status, 400); // The last admin cannot step down.
        role = {{QStringLiteral("role"), QStringLiteral("boss")}};
        QCOMPARE(owner
                     .call("PUT",
                           path + QStringLiteral("/members/") + member(12).name +
                               QStringLiteral("/role"),
                           &role)
                     .status,
                 400);
        QJsonObject name{{QStringLiteral("name"), QStringLiteral("\u0007")}};
        QCOMPARE(owner.call("PUT", path + QStringLiteral("/name"), &name).status, 400);
        QJsonObject group{{QStringLiteral("name"), QStringLiteral("x")},
                          {QStringLiteral("members"), QJsonArray{1, 2}}};
        QCOMPARE(owner.call("POST", QStringLiteral("/v1/groups"), &group).status, 400);
        // Every error is JSON with a message.
        QVERIFY(!result.error.message.isEmpty());
    }

    void cleanupTestCase()
    {
        for (Member &m : m_crowd) {
            m.client->core().disconnectFromServer();
        }
        m_crowd.clear();
        m_server.reset();
    }
};

QTEST_GUILESS_MAIN(GroupsTest)
#include "tst_groups.moc"
