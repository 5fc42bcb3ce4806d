// Authentication and authorisation: every endpoint without a token, with a revoked token and with
// another user's token; revocation cutting a device off at once; invite-only registration.
#include "server/http/Router.h"
#include "tests/common/RawStream.h"
#include "tests/common/TestClient.h"
#include "tests/common/TestServer.h"

#include <QJsonArray>
#include <QNetworkRequest>
#include <QProcess>
#include <QWebSocket>
#include <QtTest>

using namespace Tincan;
using namespace Tincan::Test;

class TestSecurity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void everyEndpointRefusesMissingOrBadTokens_data();
    void everyEndpointRefusesMissingOrBadTokens();
    void streamRefusesMissingAndRevokedTokens();
    void revokedDeviceIsCutOffAtOnce();
    void noUserReadsAnotherUsersData();
    void wrongPasswordsAreRefusedAlike();
    void secretsNeverReachTheLog();
    void inviteOnlyRegistration();

private:
    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<TestClient> m_revoked;
};

void TestSecurity::initTestCase()
{
    m_server = std::make_unique<TestServer>();
    QVERIFY(m_server->start());
    // A device that existed and was revoked: its token must be worthless everywhere.
    TestClient owner(m_server->url());
    QVERIFY(owner.registerAccount(QStringLiteral("owner")));
    m_revoked = std::make_unique<TestClient>(m_server->url());
    QVERIFY(m_revoked->login(QStringLiteral("owner")));
    const auto revoke = owner.call(
        "DELETE", QStringLiteral("/v1/devices/%1").arg(m_revoked->core().profile().deviceId()));
    QCOMPARE(revoke.status, 200);
}

void TestSecurity::cleanupTestCase()
{
    QVERIFY2(m_server->stop(), qPrintable(m_server->output()));
}

void TestSecurity::everyEndpointRefusesMissingOrBadTokens_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    for (const auto &route : Server::Router::api().routes()) {
        if (!route.authenticated || route.webSocket) {
            continue;
        }
        QString path = route.pattern;
        path.replace(QStringLiteral("{id}"), QStringLiteral("1"));
        path.replace(QStringLiteral("{username}"), QStringLiteral("owner"));
        QTest::newRow(
            qPrintable(QString::fromLatin1(route.method) + QLatin1Char(' ') + route.pattern))
            << route.method << path;
    }
}

void TestSecurity::everyEndpointRefusesMissingOrBadTokens()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    const QJsonObject body;
    const QJsonObject *bodyPointer = method == "POST" ? &body : nullptr;

    TestClient anonymous(m_server->url());
    auto result = anonymous.call(method, path, bodyPointer);
    QCOMPARE(result.status, 401);
    QCOMPARE(result.error.code, QStringLiteral("unauthenticated"));
    QVERIFY(result.body.isEmpty());

    anonymous->api().setToken(QByteArrayLiteral("not-a-real-token"));
    result = anonymous.call(method, path, bodyPointer);
    QCOMPARE(result.status, 401);

    result = m_revoked->call(method, path, bodyPointer);
    QCOMPARE(result.status, 401);
    QCOMPARE(result.error.code, QStringLiteral("unauthenticated"));
}

void TestSecurity::streamRefusesMissingAndRevokedTokens()
{
    TestClient good(m_server->url());
    QVERIFY(good.registerAccount(QStringLiteral("streamer")));
    QCOMPARE(RawStream::connect(*m_server, good->profile().token()), RawStream::Outcome::Accepted);
    QCOMPARE(RawStream::connect(*m_server, {}), RawStream::Outcome::Refused);
    QCOMPARE(RawStream::connect(*m_server, QByteArrayLiteral("garbage")),
             RawStream::Outcome::Refused);
    QCOMPARE(RawStream::connect(*m_server, m_revoked->core().profile().token()),
             RawStream::Outcome::Refused);
}

void TestSecurity::revokedDeviceIsCutOffAtOnce()
{
    TestClient laptop(m_server->url());
    TestClient phone(m_server->url());
    TestClient alice(m_server->url());
    QVERIFY(laptop.registerAccount(QStringLiteral("revoker")));
    QVERIFY(phone.login(QStringLiteral("revoker")));
    QVERIFY(alice.registerAccount(QStringLiteral("alice")));

    Recorder phoneSeen(phone.core());
    phone->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(phoneSeen.syncedCount, 1, 10000);

    // Alice learns both devices by sending once.
    Recorder aliceSeen(alice.core());
    QString error;
    alice->send(QStringLiteral("revoker"), QStringLiteral("to both"), &error);
    QTRY_COMPARE_WITH_TIMEOUT(aliceSeen.sent.size(), 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(phoneSeen.received.size(), 1, 10000);

    const qint64 phoneId = phone->profile().deviceId();
    const auto revoke = laptop.call("DELETE", QStringLiteral("/v1/devices/%1").arg(phoneId));
    QCOMPARE(revoke.status, 200);

    // The open stream is closed at once and the token stops working.
    QTRY_COMPARE_WITH_TIMEOUT(phoneSeen.fatalErrors.size(), 1, 10000);
    QCOMPARE(phone.call("GET", QStringLiteral("/v1/account")).status, 401);
    const auto devices = laptop.call("GET", QStringLiteral("/v1/devices"));
    QCOMPARE(devices.body.value(QStringLiteral("devices")).toArray().size(), 1);

    // Alice's next message goes only to the remaining device, without her doing anything.
    alice->send(QStringLiteral("revoker"), QStringLiteral("after revoke"), &error);
    QTRY_COMPARE_WITH_TIMEOUT(aliceSeen.sent.size(), 2, 10000);
    QCOMPARE(phoneSeen.received.size(), 1);
}

void TestSecurity::noUserReadsAnotherUsersData()
{
    TestClient alice(m_server->url());
    TestClient bob(m_server->url());
    TestClient carol(m_server->url());
    QVERIFY(alice.registerAccount(QStringLiteral("alice2")));
    QVERIFY(bob.registerAccount(QStringLiteral("bob2")));
    QVERIFY(carol.registerAccount(QStringLiteral("carol2")));
    Recorder aliceSeen(alice.core());
    QString error;
    alice->send(QStringLiteral("bob2"), QStringLiteral("for bob only"), &error);
    QTRY_COMPARE_WITH_TIMEOUT(aliceSeen.sent.size(), 1, 10000);

    const auto bobInbox = bob.call("GET", QStringLiteral("/v1/inbox"));
    const QJsonArray bobEnvelopes = bobInbox.body.value(QStringLiteral("envelopes")).toArray();
    QCOMPARE(bobEnvelopes.size(), 1);
    const qint64 messageId =
        bobEnvelopes.first().toObject().value(QStringLiteral("id")).toInteger();

    for (TestClient *other : {&carol, &alice}) {
        const auto inbox = other->call("GET", QStringLiteral("/v1/inbox"));
        QCOMPARE(inbox.status, 200);
        QCOMPARE(inbox.body.value(QStringLiteral("envelopes")).toArray().size(), 0);
        const QJsonObject ack{{QStringLiteral("ids"), QJsonArray{messageId}}};
        const auto acked = other->call("POST", QStringLiteral("/v1/inbox/ack"), &ack);
        QCOMPARE(acked.status, 200);
        QCOMPARE(acked.body.value(QStringLiteral("removed")).toInteger(), 0);
    }
    QCOMPARE(bob.call("GET", QStringLiteral("/v1/inbox"))
                 .body.value(QStringLiteral("envelopes"))
                 .toArray()
                 .size(),
             1);

    // Nor can anyone revoke someone else's device.
    const auto revoke =
        carol.call("DELETE", QStringLiteral("/v1/devices/%1").arg(bob->profile().deviceId()));
    QCOMPARE(revoke.status, 403);
    QCOMPARE(bob.call("GET", QStringLiteral("/v1/account")).status, 200);
    const auto missing = carol.call("DELETE", QStringLiteral("/v1/devices/987654"));
    QCOMPARE(missing.status, 404);

    // The device list a sender sees has ids only: no names, no activity.
    const auto listed = carol.call("GET", QStringLiteral("/v1/users/bob2/devices"));
    const QJsonObject device =
        listed.body.value(QStringLiteral("devices")).toArray().first().toObject();
    QCOMPARE(device.keys(), QStringList{QStringLiteral("id")});
}

void TestSecurity::wrongPasswordsAreRefusedAlike()
{
    TestClient alice(m_server->url());
    QVERIFY(alice.registerAccount(QStringLiteral("alice3"), QStringLiteral("the right one")));
    TestClient attacker(m_server->url());
    const auto wrong = waitFor([&](Client::ApiCallback done) {
        attacker->login(QStringLiteral("alice3"), QStringLiteral("a wrong one"),
                        QStringLiteral("x"), done);
    });
    const auto unknown = waitFor([&](Client::ApiCallback done) {
        attacker->login(QStringLiteral("nobody3"), QStringLiteral("a wrong one"),
                        QStringLiteral("x"), done);
    });
    QCOMPARE(wrong.status, 401);
    QCOMPARE(unknown.status, 401);
    QCOMPARE(wrong.error.message, unknown.error.message);
    QVERIFY(!attacker->profile().isSignedIn());
}

void TestSecurity::secretsNeverReachTheLog()
{
    TestServer server(QStringLiteral("[rate]\nauth_per_minute=100000\n"));
    QVERIFY(server.start());
    TestClient alice(server.url());
    TestClient bob(server.url());
    const QString password = QStringLiteral("very secret password");
    QVERIFY(alice.registerAccount(QStringLiteral("alice"), password));
    QVERIFY(bob.registerAccount(QStringLiteral("bob")));
    Recorder aliceSeen(alice.core());
    QString error;
    alice->send(QStringLiteral("bob"), QStringLiteral("private words"), &error);
    QTRY_COMPARE_WITH_TIMEOUT(aliceSeen.sent.size(), 1, 10000);
    QVERIFY2(server.stop(), qPrintable(server.output()));
    const QString log = server.output();
    QVERIFY(log.contains(QStringLiteral("tincand stopped")));
    QVERIFY(!log.contains(password));
    QVERIFY(!log.contains(QString::fromLatin1(alice->profile().token())));
    QVERIFY(!log.contains(QStringLiteral("private words")));
}

void TestSecurity::inviteOnlyRegistration()
{
    TestServer server(QStringLiteral("[registration]\npolicy=invite\n"));
    QVERIFY(server.start());
    TestClient newcomer(server.url());
    const auto refused = waitFor([&](Client::ApiCallback done) {
        newcomer->registerAccount(QStringLiteral("newcomer"), QStringLiteral("password123"),
                                  QStringLiteral("pc"), {}, done);
    });
    QCOMPARE(refused.status, 403);
    QCOMPARE(refused.error.code, QStringLiteral("invite_required"));
    const auto badCode = waitFor([&](Client::ApiCallback done) {
        newcomer->registerAccount(QStringLiteral("newcomer"), QStringLiteral("password123"),
                                  QStringLiteral("pc"), QStringLiteral("made-up"), done);
    });
    QCOMPARE(badCode.status, 403);

    // An administrator creates a code with the daemon's own command, while it runs.
    QProcess admin;
    admin.start(QStringLiteral(TINCAND_PATH),
                {QStringLiteral("--config"), server.configPath(), QStringLiteral("--data-dir"),
                 server.dataDir(), QStringLiteral("--create-invite"), QStringLiteral("24")});
    QVERIFY(admin.waitForFinished(30000));
    QCOMPARE(admin.exitCode(), 0);
    const QString code = QString::fromUtf8(admin.readAllStandardOutput()).trimmed();
    QVERIFY(!code.isEmpty());

    const auto accepted = waitFor([&](Client::ApiCallback done) {
        newcomer->registerAccount(QStringLiteral("newcomer"), QStringLiteral("password123"),
                                  QStringLiteral("pc"), code, done);
    });
    QCOMPARE(accepted.status, 201);
    TestClient second(server.url());
    const auto reused = waitFor([&](Client::ApiCallback done) {
        second->registerAccount(QStringLiteral("second"), QStringLiteral("password123"),
                                QStringLiteral("pc"), code, done);
    });
    QCOMPARE(reused.status, 403);
    QVERIFY2(server.stop(), qPrintable(server.output()));
}

QTEST_GUILESS_MAIN(TestSecurity)
#include "tst_security.moc"
