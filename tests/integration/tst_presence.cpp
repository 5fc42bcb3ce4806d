// Presence and typing against the real tincand with real client cores (and raw streams where a
// device must stay silent or send what a client would not): online and offline with the
// shortened timeouts, last seen, several devices, visibility to peers only, hiding presence,
// typing relay, expiry, coalescing, refusal, and that typing never reaches the disk.
#include "tests/common/RawStream.h"
#include "tests/common/TestClient.h"
#include "tests/common/TestServer.h"

#include <QDateTime>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QtTest>

using namespace Tincan;
using namespace Tincan::Test;

namespace {

constexpr int Timeout = 20000;

// Clients are told to ping every second; a device silent for 3 s stops counting.
const QString Config = QStringLiteral("[presence]\nheartbeat_seconds=1\noffline_after_seconds=3\n");

struct PresenceEvent
{
    QString user;
    bool online = false;
    qint64 lastSeen = 0;
};

//! What a core reported about presence and typing.
class Watcher : public QObject
{
public:
    explicit Watcher(Client::ClientCore &core)
    {
        connect(&core, &Client::ClientCore::presenceChanged, this,
                [this](const QString &user, bool online, qint64 lastSeen) {
                    presence.append({user, online, lastSeen});
                });
        connect(&core, &Client::ClientCore::typingChanged, this,
                [this](const QString &conversation, const QString &user, bool typing) {
                    typingEvents.append(
                        QStringLiteral("%1 %2 %3")
                            .arg(conversation, user,
                                 typing ? QStringLiteral("started") : QStringLiteral("stopped")));
                });
    }

    QList<PresenceEvent> about(const QString &user) const
    {
        QList<PresenceEvent> result;
        for (const PresenceEvent &event : presence) {
            if (event.user == user) {
                result.append(event);
            }
        }
        return result;
    }

    QList<PresenceEvent> presence;
    QStringList typingEvents;
};

//! Frames of one type a raw stream received.
QList<QJsonObject> framesOf(const RawStream &stream, const QString &type)
{
    QList<QJsonObject> result;
    for (const QJsonObject &frame : stream.frames) {
        if (frame.value(QStringLiteral("type")).toString() == type) {
            result.append(frame);
        }
    }
    return result;
}

QString typingFrame(const QString &conversation, const QString &state)
{
    return QString::fromUtf8(
        QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("typing")},
                                  {QStringLiteral("conversation"), conversation},
                                  {QStringLiteral("state"), state}})
            .toJson(QJsonDocument::Compact));
}

} // namespace

class TestPresence : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void cleanup() { m_clients.clear(); }
    void presenceFollowsDevicesAndHeartbeats();
    void presenceIsOnlyForPeers();
    void presenceRequestIsChecked();
    void hidingPresenceWorksBothWays();
    void typingReachesPeerAndExpires();
    void typingIsCoalesced();
    void typingOutsideOwnConversationsIsRefused();
    void typingIsNeverStored();
    void groupMembersArePeers();

private:
    //! A registered user on a fresh profile (kept until the test function ends); null on
    //! failure.
    TestClient *user(const QString &name);
    //! `from` sends `to` a message and waits until it is stored: they now share a conversation.
    void converse(TestClient &from, const QString &to);
    //! Connects the core and waits until its stream caught up.
    void online(TestClient &client);
    //! Returns once the server answered a ping on the client's stream: whatever the server
    //! queued for this device before has been received by then.
    void barrier(TestClient &client);
    //! GET /v1/presence as `viewer`: user -> the item.
    QHash<QString, QJsonObject> presenceSeenBy(TestClient &viewer, const QStringList &users);

    std::unique_ptr<TestServer> m_server;
    std::vector<std::unique_ptr<TestClient>> m_clients;
};

void TestPresence::initTestCase()
{
    m_server = std::make_unique<TestServer>(Config);
    QVERIFY2(m_server->start(), qPrintable(m_server->output()));
}

void TestPresence::cleanupTestCase()
{
    QVERIFY2(m_server->stop(), qPrintable(m_server->output()));
}

TestClient *TestPresence::user(const QString &name)
{
    auto client = std::make_unique<TestClient>(m_server->url());
    if (!client->registerAccount(name)) {
        return nullptr;
    }
    m_clients.push_back(std::move(client));
    return m_clients.back().get();
}

void TestPresence::converse(TestClient &from, const QString &to)
{
    Recorder recorder(from.core());
    QString error;
    const QString id = from->send(to, QStringLiteral("hi"), &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(recorder.sent.contains(id), Timeout);
}

void TestPresence::online(TestClient &client)
{
    Recorder recorder(client.core());
    client->connectToServer();
    QTRY_VERIFY_WITH_TIMEOUT(recorder.syncedCount >= 1, Timeout);
}

void TestPresence::barrier(TestClient &client)
{
    QSignalSpy pong(&client->stream(), &Client::StreamClient::pongReceived);
    QVERIFY(client->stream().sendPing());
    QVERIFY(pong.wait(Timeout));
}

QHash<QString, QJsonObject> TestPresence::presenceSeenBy(TestClient &viewer,
                                                         const QStringList &users)
{
    QHash<QString, QJsonObject> result;
    const auto reply = waitFor([&](Client::ApiCallback done) {
        viewer->fetchPresence(users, [done](const Client::ApiResult &r,
                                            const QList<Protocol::PresenceUpdate> &) { done(r); });
    });
    if (reply.status != 200) {
        qWarning("GET /v1/presence: %d %s", reply.status, qPrintable(reply.error.message));
        return result;
    }
    for (const QJsonValue &item : reply.body.value(QStringLiteral("presence")).toArray()) {
        result.insert(item.toObject().value(QStringLiteral("user")).toString(), item.toObject());
    }
    return result;
}

void TestPresence::presenceFollowsDevicesAndHeartbeats()
{
    auto alice = user(QStringLiteral("alice"));
    auto carol = user(QStringLiteral("carol"));
    auto bob = user(QStringLiteral("bob"));
    QVERIFY(alice && carol && bob);
    TestClient alicePhone(m_server->url());
    QVERIFY(alicePhone.login(QStringLiteral("alice")));
    converse(*alice, QStringLiteral("bob"));
    converse(*bob, QStringLiteral("carol"));

    Watcher bobSees(bob->core());
    online(*bob);
    QCOMPARE(presenceSeenBy(*bob, {QStringLiteral("alice")})
                 .value(QStringLiteral("alice"))
                 .value(QStringLiteral("state"))
                 .toString(),
             QStringLiteral("offline"));

    // Alice's first device: a stream that never sends anything (no heartbeat).
    RawStream aliceSilent(*m_server, (*alice)->profile().token());
    QTRY_VERIFY_WITH_TIMEOUT(aliceSilent.has(QStringLiteral("hello")), Timeout);
    QCOMPARE(aliceSilent.first(QStringLiteral("hello")).value(QStringLiteral("heartbeatSeconds")),
             1);
    QTRY_COMPARE_WITH_TIMEOUT(bobSees.about(QStringLiteral("alice")).size(), 1, Timeout);
    QVERIFY(bobSees.about(QStringLiteral("alice")).first().online);
    QCOMPARE(presenceSeenBy(*bob, {QStringLiteral("alice")})
                 .value(QStringLiteral("alice"))
                 .value(QStringLiteral("state"))
                 .toString(),
             QStringLiteral("online"));

    // Her phone heartbeats (the hello told it to ping every second).
    online(alicePhone);
    QCOMPARE(alicePhone->stream().heartbeatInterval(), 1000);

    // Carol's only device is silent too: when she goes offline, alice's silent device (opened
    // before) has stopped counting as well, yet alice stays online thanks to her phone.
    const qint64 carolConnected = QDateTime::currentMSecsSinceEpoch();
    RawStream carolSilent(*m_server, (*carol)->profile().token());
    QTRY_VERIFY_WITH_TIMEOUT(carolSilent.has(QStringLiteral("hello")), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(bobSees.about(QStringLiteral("carol")).size(), 2, Timeout);
    const PresenceEvent carolOffline = bobSees.about(QStringLiteral("carol")).last();
    const qint64 offlineSeen = QDateTime::currentMSecsSinceEpoch();
    QVERIFY(!carolOffline.online);
    // Offline after the presence timeout, although the socket is still open.
    QVERIFY(offlineSeen - carolConnected >= 3000);
    QCOMPARE(carolSilent.socket.state(), QAbstractSocket::ConnectedState);
    // Last seen: when her device last sent something (it connected, then stayed silent).
    QVERIFY2(carolOffline.lastSeen >= carolConnected - 1000 && carolOffline.lastSeen <= offlineSeen,
             qPrintable(QString::number(carolOffline.lastSeen - carolConnected)));
    QTRY_COMPARE_WITH_TIMEOUT(presenceSeenBy(*bob, {QStringLiteral("carol")})
                                  .value(QStringLiteral("carol"))
                                  .value(QStringLiteral("lastSeen"))
                                  .toInteger(),
                              carolOffline.lastSeen, Timeout);

    QCOMPARE(bobSees.about(QStringLiteral("alice")).size(), 1); // No offline for alice.
    QCOMPARE(presenceSeenBy(*bob, {QStringLiteral("alice")})
                 .value(QStringLiteral("alice"))
                 .value(QStringLiteral("state"))
                 .toString(),
             QStringLiteral("online"));

    // Any frame brings a silent device back.
    carolSilent.socket.sendTextMessage(QStringLiteral(R"({"type":"ping"})"));
    QTRY_COMPARE_WITH_TIMEOUT(bobSees.about(QStringLiteral("carol")).size(), 3, Timeout);
    QVERIFY(bobSees.about(QStringLiteral("carol")).last().online);

    // Alice's phone leaves: her last live device is gone, so she is offline, last seen now.
    const qint64 beforeLeaving = QDateTime::currentMSecsSinceEpoch();
    alicePhone->disconnectFromServer();
    QTRY_COMPARE_WITH_TIMEOUT(bobSees.about(QStringLiteral("alice")).size(), 2, Timeout);
    const PresenceEvent aliceOffline = bobSees.about(QStringLiteral("alice")).last();
    QVERIFY(!aliceOffline.online);
    QVERIFY(aliceOffline.lastSeen >= beforeLeaving);
    QVERIFY(aliceOffline.lastSeen <= QDateTime::currentMSecsSinceEpoch());
    // The last seen time is kept by the server.
    QTRY_VERIFY_WITH_TIMEOUT(presenceSeenBy(*bob, {QStringLiteral("alice")})
                                     .value(QStringLiteral("alice"))
                                     .value(QStringLiteral("lastSeen"))
                                     .toInteger() >= beforeLeaving,
                             Timeout);
}

void TestPresence::presenceIsOnlyForPeers()
{
    auto dave = user(QStringLiteral("dave"));
    auto frank = user(QStringLiteral("frank"));
    auto erin = user(QStringLiteral("erin"));
    QVERIFY(dave && frank && erin);
    converse(*frank, QStringLiteral("dave"));

    Watcher frankSees(frank->core());
    Watcher erinSees(erin->core());
    online(*frank);
    online(*erin);

    online(*dave);
    QTRY_COMPARE_WITH_TIMEOUT(frankSees.about(QStringLiteral("dave")).size(), 1, Timeout);
    (*dave)->disconnectFromServer();
    QTRY_COMPARE_WITH_TIMEOUT(frankSees.about(QStringLiteral("dave")).size(), 2, Timeout);
    QVERIFY(frankSees.about(QStringLiteral("dave")).first().online);
    QVERIFY(!frankSees.about(QStringLiteral("dave")).last().online);
    // The stranger was told nothing, and asking reveals nothing either; not even whether the
    // user exists.
    barrier(*erin);
    QVERIFY(erinSees.presence.isEmpty());
    const auto seen = presenceSeenBy(
        *erin, {QStringLiteral("dave"), QStringLiteral("frank"), QStringLiteral("nobody-here")});
    QCOMPARE(seen.size(), 3);
    for (const QJsonObject &item : seen) {
        QCOMPARE(item.value(QStringLiteral("state")).toString(), QStringLiteral("unknown"));
        QVERIFY(!item.contains(QStringLiteral("lastSeen")));
    }
    // The peer, in the other direction too (dave received, frank sent).
    QCOMPARE(presenceSeenBy(*dave, {QStringLiteral("frank")})
                 .value(QStringLiteral("frank"))
                 .value(QStringLiteral("state"))
                 .toString(),
             QStringLiteral("online"));
}

void TestPresence::presenceRequestIsChecked()
{
    auto gus = user(QStringLiteral("gus"));
    QVERIFY(gus);
    auto expect400 = [&](const QString &path) {
        const auto result = gus->call("GET", path);
        QCOMPARE(result.status, 400);
        QCOMPARE(result.error.code, QStringLiteral("invalid_request"));
        QVERIFY(!result.error.message.isEmpty());
    };
    expect400(QStringLiteral("/v1/presence"));
    expect400(QStringLiteral("/v1/presence?users="));
    expect400(QStringLiteral("/v1/presence?users=Not%20A%20Name"));
    QStringList many;
    for (int i = 0; i < 257; ++i) {
        many.append(QStringLiteral("user%1").arg(i));
    }
    expect400(QStringLiteral("/v1/presence?users=") + many.join(QLatin1Char(',')));

    const QJsonObject notBool{{QStringLiteral("showPresence"), QStringLiteral("no")}};
    const auto bad = gus->call("PUT", QStringLiteral("/v1/account/privacy"), &notBool);
    QCOMPARE(bad.status, 400);
    QCOMPARE(bad.error.code, QStringLiteral("invalid_request"));

    TestClient anonymous(m_server->url());
    QCOMPARE(anonymous.call("GET", QStringLiteral("/v1/presence?users=gus")).status, 401);
}

void TestPresence::hidingPresenceWorksBothWays()
{
    auto gina = user(QStringLiteral("gina"));
    auto hank = user(QStringLiteral("hank"));
    QVERIFY(gina && hank);
    converse(*gina, QStringLiteral("hank"));
    Watcher hankSees(hank->core());
    Watcher ginaSees(gina->core());
    online(*hank);

    QCOMPARE(gina->call("GET", QStringLiteral("/v1/account/privacy"))
                 .body.value(QStringLiteral("showPresence")),
             true);
    const auto hidden = waitFor(
        [&](Client::ApiCallback done) { (*gina)->setPresenceVisible(false, std::move(done)); });
    QCOMPARE(hidden.status, 200);
    QCOMPARE(hidden.body.value(QStringLiteral("showPresence")), false);
    QCOMPARE(gina->call("GET", QStringLiteral("/v1/account/privacy"))
                 .body.value(QStringLiteral("showPresence")),
             false);
    // Hank is told that gina's presence is hidden now (no last seen).
    QTRY_COMPARE_WITH_TIMEOUT(hankSees.about(QStringLiteral("gina")).size(), 1, Timeout);
    QVERIFY(!hankSees.about(QStringLiteral("gina")).first().online);
    QCOMPARE(hankSees.about(QStringLiteral("gina")).first().lastSeen, 0);

    // Gina comes online hidden: nothing is pushed, and asking shows "hidden".
    online(*gina);
    QCOMPARE(presenceSeenBy(*hank, {QStringLiteral("gina")})
                 .value(QStringLiteral("gina"))
                 .value(QStringLiteral("state"))
                 .toString(),
             QStringLiteral("hidden"));
    // And she sees no one's presence: hank is online, yet hidden to her; she still sees her own.
    const auto ginaView = presenceSeenBy(*gina, {QStringLiteral("hank"), QStringLiteral("gina")});
    QCOMPARE(ginaView.value(QStringLiteral("hank")).value(QStringLiteral("state")).toString(),
             QStringLiteral("hidden"));
    QVERIFY(!ginaView.value(QStringLiteral("hank")).contains(QStringLiteral("lastSeen")));
    QCOMPARE(ginaView.value(QStringLiteral("gina")).value(QStringLiteral("state")).toString(),
             QStringLiteral("online"));
    // Hank's presence changes are not pushed to her: he leaves and comes back.
    (*hank)->disconnectFromServer();
    online(*hank);

    // Showing it again tells hank the current state at once.
    const auto shown = waitFor(
        [&](Client::ApiCallback done) { (*gina)->setPresenceVisible(true, std::move(done)); });
    QCOMPARE(shown.status, 200);
    barrier(*hank);
    barrier(*gina);
    QTRY_COMPARE_WITH_TIMEOUT(hankSees.about(QStringLiteral("gina")).size(), 2, Timeout);
    QVERIFY(hankSees.about(QStringLiteral("gina")).last().online);
    // Only the "hidden" and this one: her coming online while hidden was not pushed.
    QCOMPARE(hankSees.about(QStringLiteral("gina")).size(), 2);
    QVERIFY2(ginaSees.about(QStringLiteral("hank")).isEmpty(),
             "a user who hides their presence was sent someone else's");
    // Now she sees his again.
    QCOMPARE(presenceSeenBy(*gina, {QStringLiteral("hank")})
                 .value(QStringLiteral("hank"))
                 .value(QStringLiteral("state"))
                 .toString(),
             QStringLiteral("online"));
}

void TestPresence::typingReachesPeerAndExpires()
{
    auto jack = user(QStringLiteral("jack"));
    auto kate = user(QStringLiteral("kate"));
    QVERIFY(jack && kate);
    TestClient jackLaptop(m_server->url());
    QVERIFY(jackLaptop.login(QStringLiteral("jack")));
    Watcher kateSees(kate->core());
    Watcher laptopSees(jackLaptop.core());
    online(*kate);
    online(*jack);
    online(jackLaptop);

    // No message was exchanged yet: typing the first one is shown too.
    const QString conversation = QStringLiteral("dm:jack:kate");
    QElapsedTimer elapsed;
    (*jack)->setTyping(conversation, true);
    elapsed.start();
    QTRY_COMPARE_WITH_TIMEOUT(kateSees.typingEvents,
                              QStringList{QStringLiteral("dm:jack:kate jack started")}, Timeout);
    // Nothing more from jack: it ends by itself after the expiry.
    QTRY_COMPARE_WITH_TIMEOUT(kateSees.typingEvents.size(), 2, Timeout);
    QCOMPARE(kateSees.typingEvents.last(), QStringLiteral("dm:jack:kate jack stopped"));
    QVERIFY2(elapsed.elapsed() >= Client::TypingTracker::DefaultExpiryMs - 500,
             qPrintable(QString::number(elapsed.elapsed())));

    // Started and stopped explicitly: the stop arrives well before the expiry.
    (*jack)->setTyping(conversation, true);
    QTRY_COMPARE_WITH_TIMEOUT(kateSees.typingEvents.size(), 3, Timeout);
    elapsed.restart();
    (*jack)->setTyping(conversation, false);
    QTRY_COMPARE_WITH_TIMEOUT(kateSees.typingEvents.size(), 4, Timeout);
    QCOMPARE(kateSees.typingEvents.last(), QStringLiteral("dm:jack:kate jack stopped"));
    QVERIFY(elapsed.elapsed() < Client::TypingTracker::DefaultExpiryMs - 1000);

    // Kate types back: jack's devices see it, and his message... ends kate's typing at his side.
    (*kate)->setTyping(conversation, true);
    QTRY_COMPARE_WITH_TIMEOUT(laptopSees.typingEvents,
                              QStringList{QStringLiteral("dm:jack:kate kate started")}, Timeout);
    converse(*kate, QStringLiteral("jack"));
    QTRY_COMPARE_WITH_TIMEOUT(laptopSees.typingEvents.size(), 2, Timeout);
    QCOMPARE(laptopSees.typingEvents.last(), QStringLiteral("dm:jack:kate kate stopped"));
    // Jack's own typing was never shown on his other device.
    for (const QString &event : std::as_const(laptopSees.typingEvents)) {
        QVERIFY2(!event.contains(QStringLiteral(" jack ")), qPrintable(event));
    }
}

void TestPresence::typingIsCoalesced()
{
    auto lena = user(QStringLiteral("lena"));
    auto mike = user(QStringLiteral("mike"));
    QVERIFY(lena && mike);
    RawStream mikeRaw(*m_server, (*mike)->profile().token());
    RawStream lenaRaw(*m_server, (*lena)->profile().token());
    QTRY_VERIFY_WITH_TIMEOUT(mikeRaw.has(QStringLiteral("hello")), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(lenaRaw.has(QStringLiteral("hello")), Timeout);

    // A client that does not throttle: five "started" at once, a "stopped", another "stopped".
    const QString conversation = QStringLiteral("dm:lena:mike");
    for (int i = 0; i < 5; ++i) {
        lenaRaw.socket.sendTextMessage(typingFrame(conversation, QStringLiteral("started")));
    }
    lenaRaw.socket.sendTextMessage(typingFrame(conversation, QStringLiteral("stopped")));
    lenaRaw.socket.sendTextMessage(typingFrame(conversation, QStringLiteral("stopped")));
    lenaRaw.socket.sendTextMessage(QStringLiteral(R"({"type":"ping"})"));
    QTRY_VERIFY_WITH_TIMEOUT(lenaRaw.has(QStringLiteral("pong")), Timeout);
    // Relayed in order, so once the "stopped" is there, everything relayed before it is too.
    QTRY_VERIFY_WITH_TIMEOUT(!framesOf(mikeRaw, QStringLiteral("typing")).isEmpty() &&
                                 framesOf(mikeRaw, QStringLiteral("typing"))
                                         .last()
                                         .value(QStringLiteral("state"))
                                         .toString() == QLatin1String("stopped"),
                             Timeout);
    mikeRaw.socket.sendTextMessage(QStringLiteral(R"({"type":"ping"})"));
    QTRY_VERIFY_WITH_TIMEOUT(mikeRaw.has(QStringLiteral("pong")), Timeout);
    const QList<QJsonObject> typing = framesOf(mikeRaw, QStringLiteral("typing"));
    QCOMPARE(typing.size(), 2);
    QCOMPARE(typing[0].value(QStringLiteral("state")).toString(), QStringLiteral("started"));
    QCOMPARE(typing[0].value(QStringLiteral("from")).toString(), QStringLiteral("lena"));
    QCOMPARE(typing[0].value(QStringLiteral("fromDevice")).toInteger(),
             (*lena)->profile().deviceId());
    QCOMPARE(typing[0].value(QStringLiteral("conversation")).toString(), conversation);
    QCOMPARE(typing[1].value(QStringLiteral("state")).toString(), QStringLiteral("stopped"));
    // The excess is dropped silently, not answered with errors.
    QVERIFY(framesOf(lenaRaw, QStringLiteral("error")).isEmpty());
    // The typer's own stream gets nothing back.
    QVERIFY(framesOf(lenaRaw, QStringLiteral("typing")).isEmpty());
}

void TestPresence::typingOutsideOwnConversationsIsRefused()
{
    auto nina = user(QStringLiteral("nina"));
    auto omar = user(QStringLiteral("omar"));
    auto paul = user(QStringLiteral("paul"));
    QVERIFY(nina && omar && paul);
    RawStream ninaRaw(*m_server, (*nina)->profile().token());
    RawStream omarRaw(*m_server, (*omar)->profile().token());
    RawStream paulRaw(*m_server, (*paul)->profile().token());
    QTRY_VERIFY_WITH_TIMEOUT(ninaRaw.has(QStringLiteral("hello")), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(omarRaw.has(QStringLiteral("hello")), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(paulRaw.has(QStringLiteral("hello")), Timeout);

    auto refusal = [&](const QString &frame) {
        const qsizetype before = framesOf(ninaRaw, QStringLiteral("error")).size();
        ninaRaw.socket.sendTextMessage(frame);
        if (!QTest::qWaitFor(
                [&] { return framesOf(ninaRaw, QStringLiteral("error")).size() > before; },
                Timeout)) {
            return QString();
        }
        return framesOf(ninaRaw, QStringLiteral("error"))
            .last()
            .value(QStringLiteral("error"))
            .toString();
    };
    const QString started = QStringLiteral("started");
    QCOMPARE(refusal(typingFrame(QStringLiteral("dm:omar:paul"), started)),
             QStringLiteral("forbidden"));
    QCOMPARE(refusal(typingFrame(QStringLiteral("dm:omar:nina"), started)), // Not sorted.
             QStringLiteral("forbidden"));
    QCOMPARE(refusal(typingFrame(QStringLiteral("group:1"), started)), QStringLiteral("forbidden"));
    QCOMPARE(refusal(typingFrame(QStringLiteral("dm:nina:nobody-here"), started)),
             QStringLiteral("unknown_user"));
    QCOMPARE(refusal(typingFrame(QStringLiteral("dm:nina:omar"), QStringLiteral("maybe"))),
             QStringLiteral("invalid_request"));
    QCOMPARE(refusal(QStringLiteral(R"({"type":"typing","state":"started"})")),
             QStringLiteral("invalid_request"));
    // The stream stays open, and a frame for her own conversation still goes through.
    ninaRaw.socket.sendTextMessage(typingFrame(QStringLiteral("dm:nina:omar"), started));
    QTRY_COMPARE_WITH_TIMEOUT(framesOf(omarRaw, QStringLiteral("typing")).size(), 1, Timeout);
    QVERIFY(framesOf(paulRaw, QStringLiteral("typing")).isEmpty());
}

void TestPresence::typingIsNeverStored()
{
    auto quinn = user(QStringLiteral("quinn"));
    auto rosa = user(QStringLiteral("rosa"));
    QVERIFY(quinn && rosa);
    Watcher rosaSees(rosa->core());
    online(*rosa);
    online(*quinn);
    const QString conversation = QStringLiteral("dm:quinn:rosa");
    (*quinn)->setTyping(conversation, true);
    QTRY_COMPARE_WITH_TIMEOUT(rosaSees.typingEvents.size(), 1, Timeout);
    (*quinn)->setTyping(conversation, false);
    QTRY_COMPARE_WITH_TIMEOUT(rosaSees.typingEvents.size(), 2, Timeout);

    // Nothing waits in an inbox, and the conversation id appears nowhere in the server's
    // files (database and write-ahead log), though its frames passed through.
    QCOMPARE(rosa->inboxSize(), 0);
    QDirIterator files(m_server->dataDir(), QDir::Files | QDir::Hidden,
                       QDirIterator::Subdirectories);
    int checked = 0;
    while (files.hasNext()) {
        QFile file(files.next());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY2(!file.readAll().contains(conversation.toUtf8()), qPrintable(file.fileName()));
        ++checked;
    }
    QVERIFY(checked >= 1);

    // The check sees what is stored: a message makes the conversation id appear.
    converse(*quinn, QStringLiteral("rosa"));
    bool found = false;
    QDirIterator again(m_server->dataDir(), QDir::Files | QDir::Hidden,
                       QDirIterator::Subdirectories);
    while (again.hasNext()) {
        QFile file(again.next());
        found = found ||
                (file.open(QIODevice::ReadOnly) && file.readAll().contains(conversation.toUtf8()));
    }
    QVERIFY(found);
}

void TestPresence::groupMembersArePeers()
{
    // Never a direct message between them: sharing a group is enough, for presence and typing.
    auto tara = user(QStringLiteral("tara"));
    auto uma = user(QStringLiteral("uma"));
    auto vic = user(QStringLiteral("vic"));
    QVERIFY(tara && uma && vic);
    const auto created = waitFor([&](Client::ApiCallback done) {
        (*tara)->createGroup(QStringLiteral("peers"), {QStringLiteral("uma")}, done);
    });
    QVERIFY2(created.ok(), qPrintable(created.error.message));
    const QString conversation = created.body.value(QStringLiteral("conversation")).toString();
    Watcher umaSees(uma->core());
    Watcher vicSees(vic->core());
    online(*uma);
    online(*vic);
    online(*tara);
    QTRY_VERIFY_WITH_TIMEOUT(!umaSees.about(QStringLiteral("tara")).isEmpty(), Timeout);
    QVERIFY(umaSees.about(QStringLiteral("tara")).last().online);
    QCOMPARE(presenceSeenBy(*uma, {QStringLiteral("tara")})
                 .value(QStringLiteral("tara"))
                 .value(QStringLiteral("state"))
                 .toString(),
             QStringLiteral("online"));
    (*tara)->setTyping(conversation, true);
    QTRY_COMPARE_WITH_TIMEOUT(umaSees.typingEvents,
                              QStringList{conversation + QStringLiteral(" tara started")}, Timeout);
    // The outsider hears of neither.
    barrier(*vic);
    QVERIFY(vicSees.about(QStringLiteral("tara")).isEmpty());
    QVERIFY(vicSees.typingEvents.isEmpty());
    QCOMPARE(presenceSeenBy(*vic, {QStringLiteral("tara")})
                 .value(QStringLiteral("tara"))
                 .value(QStringLiteral("state"))
                 .toString(),
             QStringLiteral("unknown"));
}

QTEST_GUILESS_MAIN(TestPresence)
#include "tst_presence.moc"
