// Multi-device against the real tincand with real client cores: linking a third device with a
// link code (its own keys and inbox, the history sent sealed through the server, sender keys
// included), self-sync of sent messages afterwards, the device list, the per-user maximum,
// revoking from another device, and every way a link can be refused.
#include "shared/protocol/DeviceLink.h"
#include "shared/protocol/Validation.h"
#include "tests/common/Raw.h"
#include "tests/common/TestClient.h"
#include "tests/common/TestKeys.h"
#include "tests/common/TestServer.h"

#include <QDir>
#include <QDirIterator>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QTemporaryDir>
#include <QtTest>

using namespace Tincan;
using namespace Tincan::Test;
using Status = Client::StoredMessage::Status;

namespace {

constexpr int Timeout = 30000;

using Device = TestDevice;

//! What a link attempt on a new device produced.
struct LinkAttempt
{
    QString verification;
    QString username;
    bool finished = false;
    Client::ApiResult result;
};

QStringList texts(const QList<Client::StoredMessage> &messages)
{
    QStringList result;
    for (const auto &m : messages) {
        result.append(m.text);
    }
    return result;
}

//! Every byte the daemon keeps on disk (database, WAL), to look for plaintext.
QByteArray serverFiles(const QString &dir)
{
    QByteArray all;
    QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile file(it.next());
        if (file.open(QIODevice::ReadOnly)) {
            all += file.readAll();
        }
    }
    return all;
}

} // namespace

class DevicesTest : public QObject
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

    //! Opens a link on `existing`; returns the offer.
    Client::ClientCore::LinkOffer offerFrom(Device &existing)
    {
        Client::ClientCore::LinkOffer offer;
        const auto result = waitFor([&](Client::ApiCallback done) {
            existing.core().startLink([&offer, done](const Client::ApiResult &r,
                                                     const Client::ClientCore::LinkOffer &made) {
                offer = made;
                done(r);
            });
        });
        if (!result.ok()) {
            qWarning() << "startLink failed:" << result.status << result.error.message;
        }
        return offer;
    }

    //! Starts linking the (fresh) `fresh` device with `code`; the attempt fills in as it goes.
    static void startLinking(Device &fresh, const QString &code, LinkAttempt *attempt,
                             const QString &name = QStringLiteral("laptop"))
    {
        fresh.core().setLinkPollInterval(100);
        fresh.core().linkDevice(
            code, name,
            [attempt](const QString &verification, const QString &username) {
                attempt->verification = verification;
                attempt->username = username;
            },
            [attempt](const Client::ApiResult &result) {
                attempt->result = result;
                attempt->finished = true;
            });
    }

    //! The link as the server shows it to `device` now.
    static Protocol::LinkEvent fetched(Device &device, qint64 id)
    {
        const auto result = device.client->call("GET", QStringLiteral("/v1/links/%1").arg(id));
        auto link = Protocol::LinkEvent::fromJson(result.body);
        return link ? *link : Protocol::LinkEvent{};
    }

    //! A device that is not signed in yet.
    Device fresh() { return TestDevice::fresh(m_server->url()); }

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<TestServer>(
            QStringLiteral("[rate]\nmessages_per_second=100000\nmessage_burst=100000\n"
                           "auth_per_minute=100000\nauth_burst=100000\n"
                           "[limits]\nmax_devices_per_user=4\n"));
        QVERIFY(m_server->start());
        add(QStringLiteral("a1"), QStringLiteral("alice"), true);
        add(QStringLiteral("a2"), QStringLiteral("alice"), false);
        add(QStringLiteral("b1"), QStringLiteral("bob"), true);
        add(QStringLiteral("c1"), QStringLiteral("carol"), true);
        for (auto &[key, device] : m_devices) {
            QTRY_VERIFY_WITH_TIMEOUT(device.recorder->syncedCount > 0, Timeout);
        }
    }

    void cleanupTestCase()
    {
        m_devices.clear();
        QVERIFY2(m_server->stop(), qPrintable(m_server->output()));
    }

    void userDirectory()
    {
        // GET /v1/users?query=PREFIX: the people of the server whose name starts so, in order.
        TestClient &client = *m_devices.at(QStringLiteral("b1")).client;
        auto names = [&client](const QString &query) {
            const Client::ApiResult result =
                client.call("GET", QStringLiteral("/v1/users?") + query);
            QStringList list;
            for (const QJsonValue &user : result.body.value(QStringLiteral("users")).toArray()) {
                list.append(user.toObject().value(QStringLiteral("username")).toString());
            }
            return std::pair{result.status, list};
        };
        QCOMPARE(names(QStringLiteral("query=a")),
                 std::pair(200, QStringList{QStringLiteral("alice")}));
        QCOMPARE(names(QStringLiteral("query=CA")),
                 std::pair(200, QStringList{QStringLiteral("carol")}));
        QCOMPARE(names(QStringLiteral("query=bo")),
                 std::pair(200, QStringList{QStringLiteral("bob")}));
        QCOMPARE(names(QStringLiteral("query=zz")), std::pair(200, QStringList{}));
        // Through the client core, as the desktop app's "New chat" asks.
        QStringList found;
        QVERIFY(waitFor([&](Client::ApiCallback done) {
                    client->findUsers(QStringLiteral(""), [&found, done](const Client::ApiResult &r,
                                                                         const QStringList &n) {
                        found = n;
                        done(r);
                    });
                }).status == 400);
        QVERIFY(waitFor([&](Client::ApiCallback done) {
                    client->findUsers(
                        QStringLiteral("a"),
                        [&found, done](const Client::ApiResult &r, const QStringList &n) {
                            found = n;
                            done(r);
                        });
                }).ok());
        QCOMPARE(found, QStringList{QStringLiteral("alice")});
        // Bad input: a clear 400, never a crash.
        for (const QString &bad :
             {QStringLiteral(""), QStringLiteral("query="), QStringLiteral("query=%25%27"),
              QStringLiteral("query=-a"), QStringLiteral("query=a&limit=0"),
              QStringLiteral("query=a&limit=51"), QStringLiteral("query=a&limit=x"),
              QStringLiteral("query=") + QString(33, QLatin1Char('a'))}) {
            const Client::ApiResult result = client.call("GET", QStringLiteral("/v1/users?") + bad);
            QVERIFY2(result.status == 400, qPrintable(bad));
            QCOMPARE(result.error.code, QStringLiteral("invalid_request"));
        }
        // Only for signed-in devices.
        QNetworkAccessManager network;
        QCOMPARE(rawRequest(network, *m_server, "GET", QStringLiteral("/v1/users?query=a")).status,
                 401);
    }

    void linkThirdDeviceWithHistory()
    {
        Device &a1 = dev(QStringLiteral("a1"));
        Device &b1 = dev(QStringLiteral("b1"));
        Device &c1 = dev(QStringLiteral("c1"));
        const QString dm =
            Protocol::directConversationId(QStringLiteral("alice"), QStringLiteral("bob"));

        // Some history: direct messages both ways, and a group with bob's and alice's messages.
        const QStringList fromAlice =
            a1.client->sendNumbered(QStringLiteral("bob"), QStringLiteral("secret-history"), 3);
        QTRY_COMPARE_WITH_TIMEOUT(b1.recorder->received.size(), 3, Timeout);
        const QStringList fromBob =
            b1.client->sendNumbered(QStringLiteral("alice"), QStringLiteral("bob says"), 2);
        QTRY_COMPARE_WITH_TIMEOUT(a1.recorder->received.size(), 2, Timeout);
        auto created = waitFor([&](Client::ApiCallback done) {
            a1.core().createGroup(QStringLiteral("team"),
                                  {QStringLiteral("bob"), QStringLiteral("carol")}, done);
        });
        QCOMPARE(created.status, 201);
        const QString groupId = created.body.value(QStringLiteral("id")).toString();
        const QString group = Protocol::groupConversationId(groupId);
        QString error;
        QVERIFY(!b1.core().send(group, QStringLiteral("group before link"), &error).isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(texts(a1.core().store().history(group, 50))
                                     .contains(QStringLiteral("group before link")),
                                 Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(texts(c1.core().store().history(group, 50))
                                     .contains(QStringLiteral("group before link")),
                                 Timeout);
        // A file shared in the group: its attachment (key included) travels with the history.
        QTemporaryDir files;
        const QString plan = files.filePath(QStringLiteral("plan.txt"));
        {
            QFile out(plan);
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write("the plan, shared before the link");
        }
        const QString fileId =
            b1.core().sendFile(group, plan, QStringLiteral("group file before link"), &error);
        QVERIFY2(!fileId.isEmpty(), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(texts(a1.core().store().history(group, 50))
                                     .contains(QStringLiteral("group file before link")),
                                 Timeout);
        // Alice reads bob's messages: the read position travels with the history.
        a1.core().markRead(dm);
        QSignalSpy flushed(&a1.core(), &Client::ClientCore::readMarksFlushed);
        QTRY_VERIFY_WITH_TIMEOUT(!flushed.isEmpty(), Timeout);

        // Link a third device: code, claim, same verification code on both, approve.
        QSignalSpy linkEvents(&a1.core(), &Client::ClientCore::linkChanged);
        QSignalSpy sent(&a1.core(), &Client::ClientCore::historySent);
        const auto offer = offerFrom(a1);
        QVERIFY(offer.id > 0);
        QCOMPARE(Protocol::DeviceLink::normalizeCode(offer.code), offer.code);
        const auto invitation = Protocol::DeviceLink::parse(offer.uri);
        QVERIFY(invitation);
        QCOMPARE(invitation->code, offer.code);
        QCOMPARE(invitation->server, m_server->url());

        Device a3 = fresh();
        QSignalSpy received(&a3.core(), &Client::ClientCore::historyReceived);
        LinkAttempt attempt;
        // The URI (as scanned from the QR code), not just the code.
        startLinking(a3, offer.uri, &attempt);
        QTRY_VERIFY_WITH_TIMEOUT(!attempt.verification.isEmpty() || attempt.finished, Timeout);
        QVERIFY2(!attempt.finished, qPrintable(attempt.result.error.message));
        QCOMPARE(attempt.username, QStringLiteral("alice"));
        Protocol::LinkEvent claimed;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const auto &args : linkEvents) {
                    const auto event = args.at(0).value<Protocol::LinkEvent>();
                    if (event.id == offer.id && event.state == QLatin1String("claimed")) {
                        claimed = event;
                        return true;
                    }
                }
                return false;
            }(),
            Timeout);
        QCOMPARE(claimed.deviceName, QStringLiteral("laptop"));
        QVERIFY(!claimed.platform.isEmpty());
        QCOMPARE(Client::ClientCore::linkVerificationCode(claimed), attempt.verification);
        // Not signed in before the approval.
        QVERIFY(!a3.core().profile().isSignedIn());

        auto approved =
            waitFor([&](Client::ApiCallback done) { a1.core().approveLink(claimed, 0, done); });
        QCOMPARE(approved.status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(attempt.finished, Timeout);
        QVERIFY2(attempt.result.ok(), qPrintable(attempt.result.error.message));
        QVERIFY(a3.core().profile().isSignedIn());
        QCOMPARE(a3.core().profile().username(), QStringLiteral("alice"));
        const qint64 a3Id = a3.core().profile().deviceId();
        QVERIFY(a3Id != a1.core().profile().deviceId());

        // The history arrives sealed; the new device has the messages in order.
        a3.core().connectToServer();
        QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, Timeout);
        QVERIFY(received.first().at(0).toInt() >= 6);
        QStringList expected;
        for (const QString &text : fromAlice + fromBob) {
            expected.append(text);
        }
        QCOMPARE(texts(a3.core().store().history(dm, 50)), expected);
        QVERIFY(texts(a3.core().store().history(group, 50))
                    .contains(QStringLiteral("group before link")));
        for (const auto &m : a3.core().store().history(dm, 50)) {
            QCOMPARE(m.outgoing, m.sender == QLatin1String("alice"));
        }
        QCOMPARE(a3.core().unreadCount(dm), 0); // Read state came along.
        const auto shared = a3.core().store().messageByClientId(fileId);
        QVERIFY(shared);
        QCOMPARE(Client::ClientCore::attachmentsOf(*shared).size(), 1);
        QSignalSpy fetched(&a3.core(), &Client::ClientCore::transferFinished);
        const QString copy = files.filePath(QStringLiteral("plan-copy.txt"));
        QVERIFY2(!a3.core().fetchMedia(fileId, 0, copy, &error).isEmpty(), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(fetched.size(), 1, Timeout);
        QVERIFY2(fetched.first().at(1).toBool(), qPrintable(fetched.first().at(2).toString()));
        QFile copied(copy);
        QVERIFY(copied.open(QIODevice::ReadOnly));
        QCOMPARE(copied.readAll(), QByteArray("the plan, shared before the link"));
        QVERIFY(a3.core().group(groupId).has_value());

        // The server relayed ciphertext only, and dropped it once the new device had it.
        QTRY_COMPARE_WITH_TIMEOUT(
            a3.client->call("GET", QStringLiteral("/v1/links/%1/history?part=0").arg(offer.id))
                .status,
            404, Timeout);
        QVERIFY(!serverFiles(m_server->dataDir()).contains("secret-history"));

        // Its own inbox from now on: new direct and group messages reach it, once.
        const int before = static_cast<int>(a3.recorder->received.size());
        QVERIFY(!b1.core()
                     .send(QStringLiteral("alice"), QStringLiteral("after link"), &error)
                     .isEmpty());
        QVERIFY(!c1.core().send(group, QStringLiteral("group after link"), &error).isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(a3.recorder->received.size(), before + 2, Timeout);
        QCOMPARE(a3.recorder->decryptionFailures, QStringList());
        QVERIFY(texts(a3.core().store().history(group, 50))
                    .contains(QStringLiteral("group after link")));

        // Self-sync: what a1 sends shows on a3 as ours, and the other way round.
        const int a3Count = static_cast<int>(a3.core().store().history(dm, 100).size());
        QVERIFY(
            !a1.core().send(QStringLiteral("bob"), QStringLiteral("from a1"), &error).isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(a3.core().store().history(dm, 100).size(), a3Count + 1, Timeout);
        QVERIFY(a3.core().store().history(dm, 100).last().outgoing);
        QVERIFY(
            !a3.core().send(QStringLiteral("bob"), QStringLiteral("from a3"), &error).isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(
            texts(a1.core().store().history(dm, 100)).contains(QStringLiteral("from a3")), Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(
            texts(b1.core().store().history(dm, 100)).contains(QStringLiteral("from a3")), Timeout);

        // The device list: names, platform, last seen, which one is this.
        const auto list = waitFor([&](Client::ApiCallback done) { a3.core().listDevices(done); });
        QCOMPARE(list.status, 200);
        const QJsonArray devices = list.body.value(QStringLiteral("devices")).toArray();
        QCOMPARE(devices.size(), 3);
        bool sawSelf = false;
        for (const QJsonValue &value : devices) {
            const QJsonObject d = value.toObject();
            QVERIFY(!d.value(QStringLiteral("platform")).toString().isEmpty());
            QVERIFY(d.value(QStringLiteral("lastSeen")).toInteger() > 0);
            if (d.value(QStringLiteral("id")).toInteger() == a3Id) {
                sawSelf = true;
                QCOMPARE(d.value(QStringLiteral("name")).toString(), QStringLiteral("laptop"));
                QVERIFY(d.value(QStringLiteral("current")).toBool());
            }
        }
        QVERIFY(sawSelf);
        m_devices.emplace(QStringLiteral("a3"), std::move(a3));
    }

    void noHistoryLimitAndRevoke()
    {
        Device &a2 = dev(QStringLiteral("a2"));
        Device &b1 = dev(QStringLiteral("b1"));
        const QString dm =
            Protocol::directConversationId(QStringLiteral("alice"), QStringLiteral("bob"));

        // A fourth device, linked from a2 without history.
        QSignalSpy sent(&a2.core(), &Client::ClientCore::historySent);
        const auto offer = offerFrom(a2);
        Device a4 = fresh();
        LinkAttempt attempt;
        startLinking(a4, Protocol::DeviceLink::formatCode(offer.code).toLower(), &attempt,
                     QStringLiteral("tablet"));
        QTRY_VERIFY_WITH_TIMEOUT(!attempt.verification.isEmpty() || attempt.finished, Timeout);
        QVERIFY(!attempt.finished);
        QCOMPARE(waitFor([&](Client::ApiCallback done) {
                     a2.core().approveLink(fetched(a2, offer.id), -1, done);
                 }).status,
                 200);
        QTRY_VERIFY_WITH_TIMEOUT(attempt.finished, Timeout);
        QVERIFY2(attempt.result.ok(), qPrintable(attempt.result.error.message));
        QCOMPARE(attempt.result.body.value(QStringLiteral("history")).toBool(true), false);
        a4.core().connectToServer();
        QTRY_COMPARE_WITH_TIMEOUT(a4.recorder->syncedCount, 1, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(sent.size(), 1, Timeout);
        QCOMPARE(sent.first().at(1).toInt(), 0);
        QCOMPARE(a4.core().store().history(dm, 50).size(), 0);

        // Four devices is this server's maximum: a fifth is refused when it picks up its token.
        const auto fifthOffer = offerFrom(a2);
        Device a5 = fresh();
        LinkAttempt refused;
        startLinking(a5, fifthOffer.code, &refused, QStringLiteral("fifth"));
        QTRY_VERIFY_WITH_TIMEOUT(!refused.verification.isEmpty() || refused.finished, Timeout);
        QCOMPARE(waitFor([&](Client::ApiCallback done) {
                     a2.core().approveLink(fetched(a2, fifthOffer.id), 0, done);
                 }).status,
                 200);
        QTRY_VERIFY_WITH_TIMEOUT(refused.finished, Timeout);
        QCOMPARE(refused.result.status, 403);
        QCOMPARE(refused.result.error.code, QStringLiteral("too_many_devices"));
        QVERIFY(!a5.core().profile().isSignedIn());

        // Revoked from another device (a3, not the one that linked it): its stream closes, its
        // token stops working, and messages no longer go to it.
        QString error;
        QVERIFY(
            !b1.core().send(QStringLiteral("alice"), QStringLiteral("to four"), &error).isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(a4.recorder->received.size(), 1, Timeout);
        const qint64 a4Id = a4.core().profile().deviceId();
        const auto revoked = waitFor([&](Client::ApiCallback done) {
            dev(QStringLiteral("a3")).core().revokeDevice(a4Id, done);
        });
        QCOMPARE(revoked.status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(a4.recorder->fatalErrors.size(), 1, Timeout);
        QCOMPARE(a4.client->call("GET", QStringLiteral("/v1/account")).status, 401);
        QCOMPARE(a4.client->call("GET", QStringLiteral("/v1/inbox")).status, 401);
        const int bobSent = static_cast<int>(b1.recorder->sent.size());
        QVERIFY(!b1.core()
                     .send(QStringLiteral("alice"), QStringLiteral("after revoke"), &error)
                     .isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(b1.recorder->sent.size(), bobSent + 1, Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(texts(dev(QStringLiteral("a3")).core().store().history(dm, 100))
                                     .contains(QStringLiteral("after revoke")),
                                 Timeout);
        QCOMPARE(a4.recorder->received.size(), 1);
    }

    void refusedLinks()
    {
        Device &a1 = dev(QStringLiteral("a1"));
        Device &a2 = dev(QStringLiteral("a2"));

        // Not a code at all; a well-formed code nobody issued.
        Device x = fresh();
        LinkAttempt bad;
        startLinking(x, QStringLiteral("not a code"), &bad);
        QVERIFY(bad.finished);
        QCOMPARE(bad.result.error.code, QStringLiteral("invalid_code"));
        LinkAttempt unknown;
        startLinking(x, QStringLiteral("00000-00000"), &unknown);
        QTRY_VERIFY_WITH_TIMEOUT(unknown.finished, Timeout);
        QCOMPARE(unknown.result.status, 404);
        QCOMPARE(unknown.result.error.code, QStringLiteral("unknown_link"));

        // A code works once; the user rejects; approving from another device is refused.
        const auto offer = offerFrom(a1);
        LinkAttempt first;
        startLinking(x, offer.code, &first);
        QTRY_VERIFY_WITH_TIMEOUT(!first.verification.isEmpty(), Timeout);
        Device y = fresh();
        LinkAttempt second;
        startLinking(y, offer.code, &second);
        QTRY_VERIFY_WITH_TIMEOUT(second.finished, Timeout);
        QCOMPARE(second.result.status, 409);
        QCOMPARE(second.result.error.code, QStringLiteral("link_state"));
        const auto wrongDevice = waitFor([&](Client::ApiCallback done) {
            a2.core().approveLink(fetched(a2, offer.id), 0, done);
        });
        QCOMPARE(wrongDevice.status, 403);
        QCOMPARE(
            a2.client->call("POST", QStringLiteral("/v1/links/%1/approve").arg(offer.id)).status,
            403);
        const auto rejected =
            waitFor([&](Client::ApiCallback done) { a1.core().rejectLink(offer.id, done); });
        QCOMPARE(rejected.status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(first.finished, Timeout);
        QCOMPARE(first.result.status, 409);
        QVERIFY(first.result.error.message.contains(QStringLiteral("rejected")));
        QVERIFY(!x.core().profile().isSignedIn());
        // Approving after the rejection changes nothing.
        QCOMPARE(waitFor([&](Client::ApiCallback done) {
                     a1.core().approveLink(fetched(a1, offer.id), 0, done);
                 }).status,
                 409);

        // Raw requests: clear errors, never another user's link.
        QJsonObject junk{{QStringLiteral("code"), 5}};
        QCOMPARE(x.client->call("POST", QStringLiteral("/v1/links/claim"), &junk).status, 400);
        QJsonObject noKeys{{QStringLiteral("code"), QStringLiteral("0000000000")},
                           {QStringLiteral("secret"), QString(40, QLatin1Char('a'))}};
        QCOMPARE(x.client->call("POST", QStringLiteral("/v1/links/claim"), &noKeys).status, 400);
        QJsonObject wrongSecret{{QStringLiteral("secret"), QString(40, QLatin1Char('b'))}};
        const auto complete = x.client->call(
            "POST", QStringLiteral("/v1/links/%1/complete").arg(offer.id), &wrongSecret);
        QCOMPARE(complete.status, 404);
        QCOMPARE(dev(QStringLiteral("b1"))
                     .client->call("GET", QStringLiteral("/v1/links/%1").arg(offer.id))
                     .status,
                 404);
        QCOMPARE(a1.client->call("GET", QStringLiteral("/v1/links/abc")).status, 404);
        const auto history =
            a1.client->call("GET", QStringLiteral("/v1/links/%1/history?part=0").arg(offer.id));
        QCOMPARE(history.status, 403);
    }

    void oldLinkSecretsAreDropped()
    {
        // The secret of a link that expired long ago (never approved) goes when a new link is
        // opened; the secret of a recent one stays.
        Device &a1 = dev(QStringLiteral("a1"));
        const QString old = QStringLiteral("link/secret/999999");
        QVERIFY(a1.core().store().setSetting(
            old, QByteArrayLiteral(R"({"expiresAt":1000,"secret":"AAAAAAAAAAAAAAAAAAAAAA=="})")));
        const auto offer = offerFrom(a1);
        QVERIFY(offer.id > 0);
        QVERIFY(a1.core().store().setting(old).isEmpty());
        QVERIFY(
            !a1.core().store().setting(QStringLiteral("link/secret/%1").arg(offer.id)).isEmpty());
        QCOMPARE(
            waitFor([&](Client::ApiCallback done) { a1.core().rejectLink(offer.id, done); }).status,
            200);
        QVERIFY(
            a1.core().store().setting(QStringLiteral("link/secret/%1").arg(offer.id)).isEmpty());
    }

    void keyWithoutProofIsNeverApproved()
    {
        // A claim whose proof was not made with the secret of our link URI (a server that
        // knows the code, since it made it, but not the secret) is rejected on approval.
        Device &a1 = dev(QStringLiteral("a1"));
        const auto offer = offerFrom(a1);
        const QJsonObject keys = fakeDeviceKeys(5);
        const QByteArray identity =
            QByteArray::fromBase64(keys.value(QStringLiteral("identityKey")).toString().toLatin1());
        QJsonObject claim{
            {QStringLiteral("code"), offer.code},
            {QStringLiteral("keyProof"),
             QString::fromLatin1(
                 Protocol::DeviceLink::keyProof(QByteArray(16, 'x'), identity).toBase64())},
            {QStringLiteral("secret"), QString(43, QLatin1Char('s'))},
            {QStringLiteral("deviceName"), QStringLiteral("intruder")},
            {QStringLiteral("keys"), keys}};
        Device x = fresh();
        QCOMPARE(x.client->call("POST", QStringLiteral("/v1/links/claim"), &claim).status, 202);
        const Protocol::LinkEvent shown = fetched(a1, offer.id);
        QCOMPARE(a1.core().linkProof(shown), Client::ClientCore::LinkProof::Invalid);
        auto approved =
            waitFor([&](Client::ApiCallback done) { a1.core().approveLink(shown, 0, done); });
        QCOMPARE(approved.error.code, QStringLiteral("key_mismatch"));
        QTRY_COMPARE_WITH_TIMEOUT(fetched(a1, offer.id).state, QStringLiteral("rejected"), Timeout);
        QJsonObject secret{{QStringLiteral("secret"), QString(43, QLatin1Char('s'))}};
        QCOMPARE(
            x.client->call("POST", QStringLiteral("/v1/links/%1/complete").arg(offer.id), &secret)
                .status,
            409);

        // A typed code carries no proof; then the key must be the one the user was shown.
        const auto typed = offerFrom(a1);
        claim.insert(QStringLiteral("code"), typed.code);
        claim.remove(QStringLiteral("keyProof"));
        QCOMPARE(x.client->call("POST", QStringLiteral("/v1/links/claim"), &claim).status, 202);
        Protocol::LinkEvent other = fetched(a1, typed.id);
        QCOMPARE(a1.core().linkProof(other), Client::ClientCore::LinkProof::Typed);
        other.identityKey[5] = static_cast<char>(other.identityKey[5] ^ 1);
        approved =
            waitFor([&](Client::ApiCallback done) { a1.core().approveLink(other, 0, done); });
        QCOMPARE(approved.error.code, QStringLiteral("key_mismatch"));
        QTRY_COMPARE_WITH_TIMEOUT(fetched(a1, typed.id).state, QStringLiteral("rejected"), Timeout);

        // A proof of the wrong size is refused outright.
        const auto third = offerFrom(a1);
        claim.insert(QStringLiteral("code"), third.code);
        claim.insert(QStringLiteral("keyProof"),
                     QString::fromLatin1(QByteArray(16, 'p').toBase64()));
        QCOMPARE(x.client->call("POST", QStringLiteral("/v1/links/claim"), &claim).status, 400);
        QCOMPARE(
            waitFor([&](Client::ApiCallback done) { a1.core().rejectLink(third.id, done); }).status,
            200);
    }
};

QTEST_MAIN(DevicesTest)
#include "tst_devices.moc"
