// The key directory against the real tincand, over raw HTTP with well-formed fake keys:
// publication at sign-up, sign-in and PUT /v1/keys, status, bundles that consume one prekey per
// device (never the same one twice), exhaustion, the reachability rule (devices without keys are
// neither listed nor required), targeted sends, and the errors.
#include "tests/common/Raw.h"
#include "tests/common/TestKeys.h"
#include "tests/common/TestServer.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSet>
#include <QUuid>
#include <QtTest>

using namespace Tincan;
using namespace Tincan::Test;

namespace {
struct Account
{
    QString username;
    QByteArray token;
    qint64 userId = 0;
    qint64 deviceId = 0;
};

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject payload(qint64 device)
{
    return {{QStringLiteral("device"), device}, {QStringLiteral("body"), QStringLiteral("eA==")}};
}

QJsonArray payloads(const QList<qint64> &devices)
{
    QJsonArray array;
    for (const qint64 device : devices) {
        array.append(payload(device));
    }
    return array;
}

QList<qint64> ids(const QJsonArray &array)
{
    QList<qint64> result;
    for (const QJsonValue &value : array) {
        result.append(value.isObject() ? value.toObject().value(QStringLiteral("id")).toInteger()
                                       : value.toInteger());
    }
    return result;
}
} // namespace

class TestKeys : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void signUpWithKeysAndReadStatus();
    void publishReplaceAndLowWatermark();
    void identityCannotChange();
    void preKeyLimit();
    void bundlesConsumeOnePreKeyPerDevice();
    void concurrentFetchersGetDistinctPreKeys();
    void exhaustionFallsBackToSignedPreKey();
    void keylessDeviceIsNotReachable();
    void targetedSends();
    void bundleFetchesAreRateLimited();
    void badInput_data();
    void badInput();

private:
    RawReply call(const QByteArray &method, const QString &path, const QByteArray &body,
                  const QByteArray &token);
    RawReply call(const QByteArray &method, const QString &path, const QJsonObject &body,
                  const QByteArray &token)
    {
        return call(method, path, json(body), token);
    }
    RawReply get(const QString &path, const Account &account)
    {
        return call("GET", path, QByteArray(), account.token);
    }
    //! POST /v1/accounts (or /v1/sessions for `signIn`) with `keys` unless it is empty.
    Account signUp(const QString &username, const QJsonObject &keys, bool signIn = false);
    RawReply send(const Account &from, const QString &to, const QList<qint64> &devices,
                  bool targeted = false, const QString &clientId = newId());
    qint64 inboxSize(const Account &account);
    qint64 preKeyCount(const Account &account);

    std::unique_ptr<TestServer> m_server;
    QNetworkAccessManager m_network;
    Account m_zoe; //!< Has keys; used by the bad-input rows.
};

void TestKeys::initTestCase()
{
    m_server = std::make_unique<TestServer>(QStringLiteral("[keys]\nlow_watermark=5\n"));
    QVERIFY2(m_server->start(), qPrintable(m_server->output()));
    m_zoe = signUp(QStringLiteral("zoe"), fakeDeviceKeys(10));
    QVERIFY(m_zoe.deviceId > 0);
}

void TestKeys::cleanupTestCase()
{
    QVERIFY2(m_server->stop(), qPrintable(m_server->output()));
}

void TestKeys::bundleFetchesAreRateLimited()
{
    // Each fetch uses up one-time pre-keys: one device cannot drain another's quickly.
    auto limited = std::make_unique<TestServer>(
        QStringLiteral("[rate]\nkey_fetches_per_minute=1\nkey_fetch_burst=3\n"));
    QVERIFY2(limited->start(), qPrintable(limited->output()));
    std::swap(m_server, limited);
    const Account tara = signUp(QStringLiteral("tara"), fakeDeviceKeys(10));
    const Account finn = signUp(QStringLiteral("finn"), fakeDeviceKeys(10));
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(get(QStringLiteral("/v1/users/tara/keys"), finn).status, 200);
    }
    const RawReply refused = get(QStringLiteral("/v1/users/tara/keys"), finn);
    QCOMPARE(refused.status, 429);
    QCOMPARE(refused.body.value(QStringLiteral("error")).toString(),
             QStringLiteral("rate_limited"));
    QVERIFY(!refused.body.value(QStringLiteral("message")).toString().isEmpty());
    QCOMPARE(preKeyCount(tara), 7);
    // The limit is per fetching device: tara's own device still fetches.
    QCOMPARE(get(QStringLiteral("/v1/users/finn/keys"), tara).status, 200);
    std::swap(m_server, limited);
    QVERIFY2(limited->stop(), qPrintable(limited->output()));
}

RawReply TestKeys::call(const QByteArray &method, const QString &path, const QByteArray &body,
                        const QByteArray &token)
{
    return rawRequest(m_network, *m_server, method, path, body, token);
}

Account TestKeys::signUp(const QString &username, const QJsonObject &keys, bool signIn)
{
    QJsonObject body{{QStringLiteral("username"), username},
                     {QStringLiteral("password"), QStringLiteral("correct horse")}};
    if (!keys.isEmpty()) {
        body.insert(QStringLiteral("keys"), keys);
    }
    const RawReply reply =
        call("POST", signIn ? QStringLiteral("/v1/sessions") : QStringLiteral("/v1/accounts"), body,
             QByteArray());
    if (reply.status != 201) {
        qWarning("sign-up/in of %s failed: %d %s", qPrintable(username), reply.status,
                 qPrintable(QString::fromUtf8(json(reply.body))));
        return {};
    }
    return {username, reply.body.value(QStringLiteral("token")).toString().toLatin1(),
            reply.body.value(QStringLiteral("userId")).toInteger(),
            reply.body.value(QStringLiteral("deviceId")).toInteger()};
}

RawReply TestKeys::send(const Account &from, const QString &to, const QList<qint64> &devices,
                        bool targeted, const QString &clientId)
{
    QJsonObject body{{QStringLiteral("clientMessageId"), clientId},
                     {QStringLiteral("to"), to},
                     {QStringLiteral("payloads"), payloads(devices)}};
    if (targeted) {
        body.insert(QStringLiteral("targeted"), true);
    }
    return call("POST", QStringLiteral("/v1/messages"), body, from.token);
}

qint64 TestKeys::inboxSize(const Account &account)
{
    const RawReply reply = get(QStringLiteral("/v1/inbox?limit=500"), account);
    return reply.status == 200 ? reply.body.value(QStringLiteral("envelopes")).toArray().size()
                               : -1;
}

qint64 TestKeys::preKeyCount(const Account &account)
{
    const RawReply reply = get(QStringLiteral("/v1/keys"), account);
    return reply.status == 200 ? reply.body.value(QStringLiteral("preKeyCount")).toInteger() : -1;
}

void TestKeys::signUpWithKeysAndReadStatus()
{
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    const Account kate = signUp(QStringLiteral("kate"), fakeDeviceKeys(10));
    QVERIFY(kate.deviceId > 0);
    const RawReply status = get(QStringLiteral("/v1/keys"), kate);
    QCOMPARE(status.status, 200);
    QCOMPARE(status.body.value(QStringLiteral("hasKeys")).toBool(), true);
    QCOMPARE(status.body.value(QStringLiteral("preKeyCount")).toInteger(), 10);
    QCOMPARE(status.body.value(QStringLiteral("signedPreKeyId")).toInteger(), 1);
    QVERIFY(status.body.value(QStringLiteral("signedPreKeyAt")).toInteger() >= before);
    QCOMPARE(status.body.value(QStringLiteral("low")).toBool(), false);

    const RawReply devices = get(QStringLiteral("/v1/devices"), kate);
    QCOMPARE(devices.status, 200);
    const QJsonArray list = devices.body.value(QStringLiteral("devices")).toArray();
    QCOMPARE(list.size(), 1);
    QCOMPARE(list[0].toObject().value(QStringLiteral("hasKeys")).toBool(), true);

    // Keys are optional at sign-up; such a device reports it has none.
    const Account bare = signUp(QStringLiteral("kate2"), {});
    QVERIFY(bare.deviceId > 0);
    const RawReply none = get(QStringLiteral("/v1/keys"), bare);
    QCOMPARE(none.status, 200);
    QCOMPARE(none.body, (QJsonObject{{QStringLiteral("hasKeys"), false},
                                     {QStringLiteral("preKeyCount"), 0},
                                     {QStringLiteral("signedPreKeyId"), 0},
                                     {QStringLiteral("signedPreKeyAt"), 0},
                                     {QStringLiteral("low"), true}}));
}

void TestKeys::publishReplaceAndLowWatermark()
{
    const QJsonObject keys = fakeDeviceKeys(6);
    const Account lars = signUp(QStringLiteral("lars"), keys);
    const Account reader = signUp(QStringLiteral("lars-reader"), fakeDeviceKeys(1));

    RawReply put = call("PUT", QStringLiteral("/v1/keys"),
                        QJsonObject{{QStringLiteral("preKeys"), fakePreKeys(7, 2)}}, lars.token);
    QCOMPARE(put.status, 200);
    QCOMPARE(put.body, (QJsonObject{{QStringLiteral("preKeyCount"), 8}}));

    const qint64 firstAt = get(QStringLiteral("/v1/keys"), lars)
                               .body.value(QStringLiteral("signedPreKeyAt"))
                               .toInteger();
    QTest::qWait(5);
    const QJsonObject signedPreKey = fakeSignedPreKey(2);
    // The same identity again, with a new signed prekey and a replaced one-time prekey (id 1).
    const QJsonArray replaced = fakePreKeys(1, 1);
    put = call("PUT", QStringLiteral("/v1/keys"),
               QJsonObject{
                   {QStringLiteral("identityKey"), keys.value(QStringLiteral("identityKey"))},
                   {QStringLiteral("registrationId"), keys.value(QStringLiteral("registrationId"))},
                   {QStringLiteral("signedPreKey"), signedPreKey},
                   {QStringLiteral("preKeys"), replaced}},
               lars.token);
    QCOMPARE(put.status, 200);
    QCOMPARE(put.body.value(QStringLiteral("preKeyCount")).toInteger(), 8);
    RawReply status = get(QStringLiteral("/v1/keys"), lars);
    QCOMPARE(status.body.value(QStringLiteral("signedPreKeyId")).toInteger(), 2);
    QVERIFY(status.body.value(QStringLiteral("signedPreKeyAt")).toInteger() > firstAt);

    const RawReply bundle = get(QStringLiteral("/v1/users/lars/keys"), reader);
    QCOMPARE(bundle.status, 200);
    const QJsonObject device = bundle.body.value(QStringLiteral("devices")).toArray()[0].toObject();
    QCOMPARE(device.value(QStringLiteral("signedPreKey")).toObject(), signedPreKey);
    QCOMPARE(device.value(QStringLiteral("preKey")).toObject(), replaced[0].toObject());

    // 8 - 4 = 4 left, below the configured watermark of 5.
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(get(QStringLiteral("/v1/users/lars/keys"), reader).status, 200);
    }
    status = get(QStringLiteral("/v1/keys"), lars);
    QCOMPARE(status.body.value(QStringLiteral("preKeyCount")).toInteger(), 4);
    QCOMPARE(status.body.value(QStringLiteral("low")).toBool(), true);
    put = call("PUT", QStringLiteral("/v1/keys"),
               QJsonObject{{QStringLiteral("preKeys"), fakePreKeys(100, 1)}}, lars.token);
    QCOMPARE(put.body.value(QStringLiteral("preKeyCount")).toInteger(), 5);
    QCOMPARE(get(QStringLiteral("/v1/keys"), lars).body.value(QStringLiteral("low")).toBool(),
             false);

    // A device without keys publishes them with PUT; the first time, completely.
    const Account late = signUp(QStringLiteral("lars"), {}, true);
    QVERIFY(late.deviceId > 0);
    put = call("PUT", QStringLiteral("/v1/keys"),
               QJsonObject{{QStringLiteral("preKeys"), fakePreKeys(1, 3)}}, late.token);
    QCOMPARE(put.status, 400);
    QCOMPARE(put.body.value(QStringLiteral("error")).toString(), QStringLiteral("invalid_request"));
    put = call("PUT", QStringLiteral("/v1/keys"), fakeDeviceKeys(3), late.token);
    QCOMPARE(put.status, 200);
    QCOMPARE(put.body.value(QStringLiteral("preKeyCount")).toInteger(), 3);
    QCOMPARE(ids(get(QStringLiteral("/v1/users/lars/devices"), reader)
                     .body.value(QStringLiteral("devices"))
                     .toArray()),
             (QList<qint64>{lars.deviceId, late.deviceId}));
}

void TestKeys::identityCannotChange()
{
    const QJsonObject keys = fakeDeviceKeys(2);
    const Account mia = signUp(QStringLiteral("mia"), keys);
    RawReply put = call("PUT", QStringLiteral("/v1/keys"),
                        QJsonObject{{QStringLiteral("identityKey"), fakePublicKey()},
                                    {QStringLiteral("preKeys"), fakePreKeys(10, 5)}},
                        mia.token);
    QCOMPARE(put.status, 409);
    QCOMPARE(put.body.value(QStringLiteral("error")).toString(),
             QStringLiteral("identity_conflict"));
    QVERIFY(!put.body.value(QStringLiteral("message")).toString().isEmpty());
    const int otherRegistration =
        static_cast<int>(keys.value(QStringLiteral("registrationId")).toInteger()) % 16380 + 1;
    put = call("PUT", QStringLiteral("/v1/keys"),
               QJsonObject{{QStringLiteral("registrationId"), otherRegistration}}, mia.token);
    QCOMPARE(put.status, 409);
    QCOMPARE(put.body.value(QStringLiteral("error")).toString(),
             QStringLiteral("identity_conflict"));
    QCOMPARE(preKeyCount(mia), 2); // Nothing of the refused requests was stored.
}

void TestKeys::preKeyLimit()
{
    const Account nora = signUp(QStringLiteral("nora"), fakeDeviceKeys(0));
    for (int batch = 0; batch < 5; ++batch) {
        const RawReply put =
            call("PUT", QStringLiteral("/v1/keys"),
                 QJsonObject{{QStringLiteral("preKeys"), fakePreKeys(1 + batch * 200, 200)}},
                 nora.token);
        QCOMPARE(put.status, 200);
        QCOMPARE(put.body.value(QStringLiteral("preKeyCount")).toInteger(), (batch + 1) * 200);
    }
    const RawReply over =
        call("PUT", QStringLiteral("/v1/keys"),
             QJsonObject{{QStringLiteral("preKeys"), fakePreKeys(1001, 1)}}, nora.token);
    QCOMPARE(over.status, 400);
    QCOMPARE(over.body.value(QStringLiteral("error")).toString(),
             QStringLiteral("invalid_request"));
    QVERIFY2(over.body.value(QStringLiteral("message")).toString().contains(QStringLiteral("1000")),
             qPrintable(over.body.value(QStringLiteral("message")).toString()));
    QCOMPARE(preKeyCount(nora), 1000);
}

void TestKeys::bundlesConsumeOnePreKeyPerDevice()
{
    const QJsonObject laptopKeys = fakeDeviceKeys(3);
    const QJsonObject phoneKeys = fakeDeviceKeys(3);
    const Account bob = signUp(QStringLiteral("bob"), laptopKeys);
    const Account bobPhone = signUp(QStringLiteral("bob"), phoneKeys, true);
    const Account alice = signUp(QStringLiteral("alice"), fakeDeviceKeys(3));
    QVERIFY(bobPhone.deviceId > 0 && alice.deviceId > 0);

    const RawReply reply = get(QStringLiteral("/v1/users/bob/keys"), alice);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.body.value(QStringLiteral("username")).toString(), QStringLiteral("bob"));
    QCOMPARE(reply.body.value(QStringLiteral("userId")).toInteger(), bob.userId);
    const QJsonArray devices = reply.body.value(QStringLiteral("devices")).toArray();
    QCOMPARE(ids(devices), (QList<qint64>{bob.deviceId, bobPhone.deviceId}));
    const QList<QJsonObject> published{laptopKeys, phoneKeys};
    for (qsizetype i = 0; i < devices.size(); ++i) {
        const QJsonObject device = devices[i].toObject();
        const QJsonObject &keys = published[i];
        QCOMPARE(device.value(QStringLiteral("identityKey")),
                 keys.value(QStringLiteral("identityKey")));
        QCOMPARE(device.value(QStringLiteral("registrationId")),
                 keys.value(QStringLiteral("registrationId")));
        QCOMPARE(device.value(QStringLiteral("signedPreKey")),
                 keys.value(QStringLiteral("signedPreKey")));
        // The lowest prekey id first.
        QCOMPARE(device.value(QStringLiteral("preKey")).toObject(),
                 keys.value(QStringLiteral("preKeys")).toArray()[0].toObject());
    }
    QCOMPARE(preKeyCount(bob), 2);
    QCOMPARE(preKeyCount(bobPhone), 2);

    // A filter: only the phone's bundle, and only its prekey is consumed.
    const RawReply phoneOnly =
        get(QStringLiteral("/v1/users/bob/keys?devices=%1,999999").arg(bobPhone.deviceId), alice);
    QCOMPARE(phoneOnly.status, 200);
    const QJsonArray phoneBundles = phoneOnly.body.value(QStringLiteral("devices")).toArray();
    QCOMPARE(ids(phoneBundles), QList<qint64>{bobPhone.deviceId});
    QCOMPARE(phoneBundles[0].toObject().value(QStringLiteral("preKey")).toObject(),
             phoneKeys.value(QStringLiteral("preKeys")).toArray()[1].toObject());
    QCOMPARE(preKeyCount(bob), 2);
    QCOMPARE(preKeyCount(bobPhone), 1);

    // Asking for one's own account leaves out the calling device.
    const RawReply own = get(QStringLiteral("/v1/users/bob/keys"), bob);
    QCOMPARE(ids(own.body.value(QStringLiteral("devices")).toArray()),
             QList<qint64>{bobPhone.deviceId});
    QCOMPARE(preKeyCount(bob), 2);
    QCOMPARE(preKeyCount(bobPhone), 0);
    const RawReply self =
        get(QStringLiteral("/v1/users/bob/keys?devices=%1").arg(bob.deviceId), bob);
    QCOMPARE(self.status, 200);
    QVERIFY(self.body.value(QStringLiteral("devices")).toArray().isEmpty());
    QCOMPARE(preKeyCount(bob), 2);
}

void TestKeys::concurrentFetchersGetDistinctPreKeys()
{
    constexpr int PreKeys = 100;
    constexpr int Fetches = 60;
    const Account carol = signUp(QStringLiteral("carol"), fakeDeviceKeys(PreKeys));
    const Account dave = signUp(QStringLiteral("dave"), fakeDeviceKeys(1));
    const Account erin = signUp(QStringLiteral("erin"), fakeDeviceKeys(1));

    QList<QNetworkReply *> replies;
    QUrl url = m_server->url();
    url.setPath(QStringLiteral("/v1/users/carol/keys"));
    for (int i = 0; i < Fetches; ++i) {
        QNetworkRequest request(url);
        request.setRawHeader(QByteArrayLiteral("Authorization"),
                             "Bearer " + (i % 2 ? dave.token : erin.token));
        replies.append(m_network.get(request));
    }
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(replies.cbegin(), replies.cend(),
                                         [](QNetworkReply *r) { return r->isFinished(); }),
                             30000);
    QList<qint64> handedOut;
    for (QNetworkReply *reply : std::as_const(replies)) {
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        const QJsonArray devices = QJsonDocument::fromJson(reply->readAll())
                                       .object()
                                       .value(QStringLiteral("devices"))
                                       .toArray();
        QCOMPARE(devices.size(), 1);
        handedOut.append(devices[0]
                             .toObject()
                             .value(QStringLiteral("preKey"))
                             .toObject()
                             .value(QStringLiteral("id"))
                             .toInteger());
        reply->deleteLater();
    }
    const QSet<qint64> distinct(handedOut.cbegin(), handedOut.cend());
    QCOMPARE(distinct.size(), Fetches); // No prekey went to two fetchers.
    QVERIFY(!distinct.contains(0));
    QCOMPARE(preKeyCount(carol), PreKeys - Fetches);
}

void TestKeys::exhaustionFallsBackToSignedPreKey()
{
    const QJsonObject keys = fakeDeviceKeys(1);
    const Account finn = signUp(QStringLiteral("finn"), keys);
    const Account reader = signUp(QStringLiteral("finn-reader"), fakeDeviceKeys(1));
    const QJsonObject first = get(QStringLiteral("/v1/users/finn/keys"), reader)
                                  .body.value(QStringLiteral("devices"))
                                  .toArray()[0]
                                  .toObject();
    QCOMPARE(
        first.value(QStringLiteral("preKey")).toObject().value(QStringLiteral("id")).toInteger(),
        1);
    const RawReply second = get(QStringLiteral("/v1/users/finn/keys"), reader);
    QCOMPARE(second.status, 200);
    const QJsonObject bundle = second.body.value(QStringLiteral("devices")).toArray()[0].toObject();
    QVERIFY(!bundle.contains(QStringLiteral("preKey")));
    QCOMPARE(bundle.value(QStringLiteral("signedPreKey")),
             keys.value(QStringLiteral("signedPreKey")));
    QCOMPARE(bundle.value(QStringLiteral("identityKey")),
             keys.value(QStringLiteral("identityKey")));
    const RawReply status = get(QStringLiteral("/v1/keys"), finn);
    QCOMPARE(status.body.value(QStringLiteral("preKeyCount")).toInteger(), 0);
    QCOMPARE(status.body.value(QStringLiteral("low")).toBool(), true);
}

void TestKeys::keylessDeviceIsNotReachable()
{
    const Account gina = signUp(QStringLiteral("gina"), fakeDeviceKeys(5));
    const Account ginaBare = signUp(QStringLiteral("gina"), {}, true);
    const Account hank = signUp(QStringLiteral("hank"), fakeDeviceKeys(5));
    const Account hankBare = signUp(QStringLiteral("hank"), {}, true);
    QVERIFY(ginaBare.deviceId > 0 && hankBare.deviceId > 0);

    QCOMPARE(ids(get(QStringLiteral("/v1/users/gina/devices"), hank)
                     .body.value(QStringLiteral("devices"))
                     .toArray()),
             QList<qint64>{gina.deviceId});
    QCOMPARE(ids(get(QStringLiteral("/v1/users/gina/keys"), hank)
                     .body.value(QStringLiteral("devices"))
                     .toArray()),
             QList<qint64>{gina.deviceId});
    // Own device management still lists every device.
    const QJsonArray own =
        get(QStringLiteral("/v1/devices"), gina).body.value(QStringLiteral("devices")).toArray();
    QCOMPARE(ids(own), (QList<qint64>{gina.deviceId, ginaBare.deviceId}));
    QCOMPARE(own[0].toObject().value(QStringLiteral("hasKeys")).toBool(), true);
    QCOMPARE(own[1].toObject().value(QStringLiteral("hasKeys")).toBool(), false);

    // Neither gina's nor hank's keyless device is required, and neither may get a payload.
    QCOMPARE(send(hank, QStringLiteral("gina"), {gina.deviceId}).status, 201);
    QCOMPARE(inboxSize(gina), 1);
    QCOMPARE(inboxSize(ginaBare), 0);
    QCOMPARE(inboxSize(hankBare), 0);
    RawReply refused = send(hank, QStringLiteral("gina"), {gina.deviceId, ginaBare.deviceId});
    QCOMPARE(refused.status, 409);
    QCOMPARE(refused.body.value(QStringLiteral("error")).toString(),
             QStringLiteral("device_mismatch"));
    QCOMPARE(ids(refused.body.value(QStringLiteral("staleDevices")).toArray()),
             QList<qint64>{ginaBare.deviceId});
    QVERIFY(refused.body.value(QStringLiteral("missingDevices")).toArray().isEmpty());
    refused = send(hank, QStringLiteral("gina"), {gina.deviceId, hankBare.deviceId});
    QCOMPARE(refused.status, 409);
    QCOMPARE(ids(refused.body.value(QStringLiteral("staleDevices")).toArray()),
             QList<qint64>{hankBare.deviceId});
    // A device without keys may still send; its account's devices with keys get their copy.
    QCOMPARE(send(hankBare, QStringLiteral("gina"), {gina.deviceId, hank.deviceId}).status, 201);
    QCOMPARE(inboxSize(hank), 1);

    // Once it publishes keys, the device is listed and required.
    QCOMPARE(call("PUT", QStringLiteral("/v1/keys"), fakeDeviceKeys(2), ginaBare.token).status,
             200);
    QCOMPARE(ids(get(QStringLiteral("/v1/users/gina/devices"), hank)
                     .body.value(QStringLiteral("devices"))
                     .toArray()),
             (QList<qint64>{gina.deviceId, ginaBare.deviceId}));
    refused = send(hank, QStringLiteral("gina"), {gina.deviceId});
    QCOMPARE(refused.status, 409);
    const QJsonArray missing = refused.body.value(QStringLiteral("missingDevices")).toArray();
    QCOMPARE(missing.size(), 1);
    QCOMPARE(missing[0].toObject(), (QJsonObject{{QStringLiteral("user"), QStringLiteral("gina")},
                                                 {QStringLiteral("device"), ginaBare.deviceId}}));
    QCOMPARE(send(hank, QStringLiteral("gina"), {gina.deviceId, ginaBare.deviceId}).status, 201);
    QCOMPARE(inboxSize(ginaBare), 1);
}

void TestKeys::targetedSends()
{
    const Account ivan = signUp(QStringLiteral("ivan"), fakeDeviceKeys(2));
    const Account ivanPhone = signUp(QStringLiteral("ivan"), fakeDeviceKeys(2), true);
    const Account ivanBare = signUp(QStringLiteral("ivan"), {}, true);
    const Account judy = signUp(QStringLiteral("judy"), fakeDeviceKeys(2));
    const Account judyPhone = signUp(QStringLiteral("judy"), fakeDeviceKeys(2), true);
    QVERIFY(ivanBare.deviceId > 0 && judyPhone.deviceId > 0);

    // Only the listed device: no completeness check, no self-sync copy.
    const QString id = newId();
    RawReply reply = send(judy, QStringLiteral("ivan"), {ivanPhone.deviceId}, true, id);
    QCOMPARE(reply.status, 201);
    QCOMPARE(reply.body.value(QStringLiteral("duplicate")).toBool(), false);
    const qint64 messageId = reply.body.value(QStringLiteral("messageId")).toInteger();
    QCOMPARE(inboxSize(ivanPhone), 1);
    QCOMPARE(inboxSize(ivan), 0);
    QCOMPARE(inboxSize(judyPhone), 0);
    // Idempotent like any send.
    reply = send(judy, QStringLiteral("ivan"), {ivanPhone.deviceId}, true, id);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.body.value(QStringLiteral("duplicate")).toBool(), true);
    QCOMPARE(reply.body.value(QStringLiteral("messageId")).toInteger(), messageId);
    QCOMPARE(inboxSize(ivanPhone), 1);

    // Every listed device must be a device with keys of `to`, and not the sending one.
    const QList<QPair<QList<qint64>, qint64>> bad{
        {{ivan.deviceId, judyPhone.deviceId}, judyPhone.deviceId}, // the sender's own device
        {{ivanBare.deviceId}, ivanBare.deviceId},                  // no keys
        {{ivan.deviceId, 999999}, 999999},                         // unknown
        {{judy.deviceId, ivan.deviceId}, judy.deviceId},           // the sending device
    };
    for (const auto &[devices, stale] : bad) {
        reply = send(judy, QStringLiteral("ivan"), devices, true);
        QCOMPARE(reply.status, 409);
        QCOMPARE(reply.body.value(QStringLiteral("error")).toString(),
                 QStringLiteral("device_mismatch"));
        QCOMPARE(ids(reply.body.value(QStringLiteral("staleDevices")).toArray()),
                 QList<qint64>{stale});
        QVERIFY(reply.body.value(QStringLiteral("missingDevices")).toArray().isEmpty());
    }
    QCOMPARE(inboxSize(ivan), 0);

    // To one's own other device.
    reply = send(judy, QStringLiteral("judy"), {judy.deviceId}, true);
    QCOMPARE(reply.status, 409);
    QCOMPARE(send(judy, QStringLiteral("judy"), {judyPhone.deviceId}, true).status, 201);
    QCOMPARE(inboxSize(judyPhone), 1);

    reply = send(judy, QStringLiteral("ivan"), {}, true);
    QCOMPARE(reply.status, 400);
    QCOMPARE(reply.body.value(QStringLiteral("error")).toString(),
             QStringLiteral("invalid_request"));
}

void TestKeys::badInput_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("authenticated");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("mentions"); // Part of the message, naming the field.

    const QString keysPath = QStringLiteral("/v1/keys");
    const QByteArray put = "PUT";
    const QByteArray get = "GET";
    const QByteArray post = "POST";
    auto keysWith = [](const QString &member, const QJsonValue &value) {
        QJsonObject keys = fakeDeviceKeys(5);
        keys.insert(member, value);
        return keys;
    };
    auto b64 = [](const QByteArray &bytes) {
        return QString::fromLatin1(bytes.toBase64());
    };
    const QString short32 = b64(QByteArray(32, '\x05'));
    const QString wrongType = b64(QByteArray(33, '\x04'));
    QJsonObject badSignature = fakeSignedPreKey(1);
    badSignature.insert(QStringLiteral("signature"), b64(QByteArray(63, 'x')));
    QJsonObject unpadded = fakeSignedPreKey(1);
    unpadded.insert(QStringLiteral("signature"), fakeSignature().chopped(2));
    QJsonObject badSignedId = fakeSignedPreKey(16777216);
    QJsonArray badPreKey = fakePreKeys(1, 5);
    badPreKey[3] = QJsonObject{{QStringLiteral("id"), 4}, {QStringLiteral("publicKey"), short32}};
    QJsonArray duplicate = fakePreKeys(1, 3);
    duplicate.append(fakePreKeys(2, 1)[0]);

    QTest::newRow("put: not json") << put << keysPath << QByteArray("{nope") << true << 400
                                   << QStringLiteral("bad_json") << QString();
    QTest::newRow("put: unauthenticated") << put << keysPath << json(fakeDeviceKeys(1)) << false
                                          << 401 << QStringLiteral("unauthenticated") << QString();
    QTest::newRow("identity key 32 bytes")
        << put << keysPath << json(keysWith(QStringLiteral("identityKey"), short32)) << true << 400
        << QStringLiteral("invalid_request") << QStringLiteral("identityKey");
    QTest::newRow("identity key not 0x05")
        << put << keysPath << json(keysWith(QStringLiteral("identityKey"), wrongType)) << true
        << 400 << QStringLiteral("invalid_request") << QStringLiteral("identityKey");
    QTest::newRow("identity key not base64")
        << put << keysPath
        << json(keysWith(QStringLiteral("identityKey"), QString(44, QLatin1Char('*')))) << true
        << 400 << QStringLiteral("invalid_request") << QStringLiteral("identityKey");
    QTest::newRow("signature unpadded")
        << put << keysPath << json(keysWith(QStringLiteral("signedPreKey"), unpadded)) << true
        << 400 << QStringLiteral("invalid_request") << QStringLiteral("signedPreKey.signature");
    QTest::newRow("registration id 0")
        << put << keysPath << json(keysWith(QStringLiteral("registrationId"), 0)) << true << 400
        << QStringLiteral("invalid_request") << QStringLiteral("registrationId");
    QTest::newRow("registration id 16381")
        << put << keysPath << json(keysWith(QStringLiteral("registrationId"), 16381)) << true << 400
        << QStringLiteral("invalid_request") << QStringLiteral("registrationId");
    QTest::newRow("registration id as string")
        << put << keysPath << json(keysWith(QStringLiteral("registrationId"), QStringLiteral("12")))
        << true << 400 << QStringLiteral("invalid_request") << QStringLiteral("registrationId");
    QTest::newRow("signed prekey not an object")
        << put << keysPath << json(keysWith(QStringLiteral("signedPreKey"), 5)) << true << 400
        << QStringLiteral("invalid_request") << QStringLiteral("signedPreKey");
    QTest::newRow("signature 63 bytes")
        << put << keysPath << json(keysWith(QStringLiteral("signedPreKey"), badSignature)) << true
        << 400 << QStringLiteral("invalid_request") << QStringLiteral("signedPreKey.signature");
    QTest::newRow("signed prekey id too big")
        << put << keysPath << json(keysWith(QStringLiteral("signedPreKey"), badSignedId)) << true
        << 400 << QStringLiteral("invalid_request") << QStringLiteral("signedPreKey.id");
    QTest::newRow("prekey 32 bytes")
        << put << keysPath << json(keysWith(QStringLiteral("preKeys"), badPreKey)) << true << 400
        << QStringLiteral("invalid_request") << QStringLiteral("preKeys[3].publicKey");
    QTest::newRow("prekey id twice")
        << put << keysPath << json(keysWith(QStringLiteral("preKeys"), duplicate)) << true << 400
        << QStringLiteral("invalid_request") << QStringLiteral("preKeys[3]");
    QTest::newRow("prekey id 0")
        << put << keysPath
        << json(keysWith(QStringLiteral("preKeys"),
                         QJsonArray{QJsonObject{{QStringLiteral("id"), 0},
                                                {QStringLiteral("publicKey"), fakePublicKey()}}}))
        << true << 400 << QStringLiteral("invalid_request") << QStringLiteral("preKeys[0].id");
    QTest::newRow("prekey not an object")
        << put << keysPath << json(keysWith(QStringLiteral("preKeys"), QJsonArray{7})) << true
        << 400 << QStringLiteral("invalid_request") << QStringLiteral("preKeys[0]");
    QTest::newRow("201 prekeys") << put << keysPath
                                 << json(keysWith(QStringLiteral("preKeys"), fakePreKeys(1, 201)))
                                 << true << 400 << QStringLiteral("invalid_request")
                                 << QStringLiteral("200");
    QTest::newRow("prekeys not an array")
        << put << keysPath << json(keysWith(QStringLiteral("preKeys"), QJsonObject{})) << true
        << 400 << QStringLiteral("invalid_request") << QStringLiteral("preKeys");

    const QJsonObject account{{QStringLiteral("username"), QStringLiteral("newbie")},
                              {QStringLiteral("password"), QStringLiteral("correct horse")}};
    auto withKeys = [&](const QJsonValue &keys) {
        QJsonObject body = account;
        body.insert(QStringLiteral("keys"), keys);
        return json(body);
    };
    QJsonObject noSignedPreKey = fakeDeviceKeys(1);
    noSignedPreKey.remove(QStringLiteral("signedPreKey"));
    QTest::newRow("sign-up: keys not an object")
        << post << QStringLiteral("/v1/accounts") << withKeys(QStringLiteral("keys")) << false
        << 400 << QStringLiteral("invalid_request") << QStringLiteral("keys");
    QTest::newRow("sign-up: keys without signed prekey")
        << post << QStringLiteral("/v1/accounts") << withKeys(noSignedPreKey) << false << 400
        << QStringLiteral("invalid_request") << QStringLiteral("signedPreKey");
    QTest::newRow("sign-up: bad prekey")
        << post << QStringLiteral("/v1/accounts")
        << withKeys(keysWith(QStringLiteral("preKeys"), badPreKey)) << false << 400
        << QStringLiteral("invalid_request") << QStringLiteral("keys.preKeys[3].publicKey");
    QTest::newRow("sign-in: bad identity key")
        << post << QStringLiteral("/v1/sessions")
        << withKeys(keysWith(QStringLiteral("identityKey"), short32)) << false << 400
        << QStringLiteral("invalid_request") << QStringLiteral("keys.identityKey");

    QTest::newRow("bundles: unknown user")
        << get << QStringLiteral("/v1/users/nobody/keys") << QByteArray() << true << 404
        << QStringLiteral("unknown_user") << QString();
    QTest::newRow("bundles: invalid username")
        << get << QStringLiteral("/v1/users/No!/keys") << QByteArray() << true << 404
        << QStringLiteral("unknown_user") << QString();
    QTest::newRow("bundles: unauthenticated")
        << get << QStringLiteral("/v1/users/zoe/keys") << QByteArray() << false << 401
        << QStringLiteral("unauthenticated") << QString();
    QStringList many;
    for (int i = 1; i <= 65; ++i) {
        many.append(QString::number(i));
    }
    for (const QString &filter :
         {QStringLiteral("abc"), QStringLiteral("0"), QStringLiteral("-3"), QString(),
          QStringLiteral("1,,2"), QStringLiteral("1.5"), QStringLiteral("99999999999999999"),
          many.join(QLatin1Char(','))}) {
        QTest::addRow("bundles: devices=%s", qPrintable(filter.left(12)))
            << get << QStringLiteral("/v1/users/zoe/keys?devices=%1").arg(filter) << QByteArray()
            << true << 400 << QStringLiteral("invalid_request") << QStringLiteral("devices");
    }
    QTest::newRow("status: unauthenticated") << get << keysPath << QByteArray() << false << 401
                                             << QStringLiteral("unauthenticated") << QString();
    QTest::newRow("send: targeted not a boolean")
        << post << QStringLiteral("/v1/messages")
        << json({{QStringLiteral("clientMessageId"), newId()},
                 {QStringLiteral("to"), QStringLiteral("zoe")},
                 {QStringLiteral("payloads"), payloads({1})},
                 {QStringLiteral("targeted"), QStringLiteral("yes")}})
        << true << 400 << QStringLiteral("invalid_request") << QStringLiteral("targeted");
}

void TestKeys::badInput()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(bool, authenticated);
    QFETCH(int, status);
    QFETCH(QString, code);
    QFETCH(QString, mentions);

    const qint64 before = preKeyCount(m_zoe);
    const RawReply reply = call(method, path, body, authenticated ? m_zoe.token : QByteArray());
    QCOMPARE(reply.status, status);
    QCOMPARE(reply.body.value(QStringLiteral("error")).toString(), code);
    const QString message = reply.body.value(QStringLiteral("message")).toString();
    QVERIFY(!message.isEmpty());
    QVERIFY2(message.contains(mentions), qPrintable(message));
    // Nothing was stored or consumed, and no account was created.
    QCOMPARE(preKeyCount(m_zoe), before);
    QCOMPARE(call("POST", QStringLiteral("/v1/sessions"),
                  QJsonObject{{QStringLiteral("username"), QStringLiteral("newbie")},
                              {QStringLiteral("password"), QStringLiteral("correct horse")}},
                  QByteArray())
                 .status,
             401);
}

QTEST_GUILESS_MAIN(TestKeys)
#include "tst_keys.moc"
