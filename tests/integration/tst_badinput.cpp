// Bad input of every kind gets its documented error, and the server keeps serving others.
#include "tests/common/Raw.h"
#include "tests/common/RawStream.h"
#include "tests/common/RawStreamSocket.h"
#include "tests/common/TestClient.h"
#include "tests/common/TestKeys.h"
#include "tests/common/TestServer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSslSocket>
#include <QUuid>
#include <QWebSocket>
#include <QtTest>

using namespace Tincan;
using namespace Tincan::Test;

namespace {

//! A masked client frame; `first`: FIN, RSV and opcode.
QByteArray clientFrame(quint8 first, const QByteArray &payload, bool masked = true)
{
    QByteArray out;
    out += char(first);
    out += char((masked ? 0x80 : 0) | payload.size()); // Short payloads only.
    const char mask[4] = {0x11, 0x22, 0x33, 0x44};
    if (masked) {
        out.append(mask, 4);
    }
    for (qsizetype i = 0; i < payload.size(); ++i) {
        out += masked ? char(payload[i] ^ mask[i & 3]) : payload[i];
    }
    return out;
}

} // namespace

class TestBadInput : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void matrix_data();
    void matrix();
    void oversizedBodyIsRefusedBeforeItIsRead();
    void oversizedHeadersAreRefused();
    void badStreamFrames();
    void streamHandshakeAndFramesOnARawSocket();
    void floodIsRateLimitedWhileOthersAreServed();
    void signInFloodIsRateLimited();

private:
    RawReply raw(const QByteArray &method, const QString &path, const QByteArray &body,
                 const QByteArray &token, const TestServer *server = nullptr);
    QByteArray
    sendBody(const QString &to, const QJsonArray &payloads,
             const QString &clientId = QUuid::createUuid().toString(QUuid::WithoutBraces));

    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<TestClient> m_alice;
    std::unique_ptr<TestClient> m_bob;
    QNetworkAccessManager m_network;
};

void TestBadInput::initTestCase()
{
    m_server = std::make_unique<TestServer>(QStringLiteral(
        "[limits]\nmax_request_body=65536\nmax_payload_bytes=1024\nmax_devices_per_message=4\n"));
    QVERIFY(m_server->start());
    m_alice = std::make_unique<TestClient>(m_server->url());
    m_bob = std::make_unique<TestClient>(m_server->url());
    QVERIFY(m_alice->registerAccount(QStringLiteral("alice")));
    QVERIFY(m_bob->registerAccount(QStringLiteral("bob")));
}

void TestBadInput::cleanupTestCase()
{
    QVERIFY2(m_server->stop(), qPrintable(m_server->output()));
}

RawReply TestBadInput::raw(const QByteArray &method, const QString &path, const QByteArray &body,
                           const QByteArray &token, const TestServer *server)
{
    return rawRequest(m_network, server ? *server : *m_server, method, path, body, token);
}

QByteArray TestBadInput::sendBody(const QString &to, const QJsonArray &payloads,
                                  const QString &clientId)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("clientMessageId"), clientId},
                                     {QStringLiteral("to"), to},
                                     {QStringLiteral("payloads"), payloads}})
        .toJson(QJsonDocument::Compact);
}

void TestBadInput::matrix_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");

    const qint64 bobDevice = 2; // Second account on a fresh server.
    auto payload = [](qint64 device, const QString &body) {
        return QJsonObject{{QStringLiteral("device"), device}, {QStringLiteral("body"), body}};
    };
    const QString ok = QStringLiteral("aGVsbG8=");
    const QByteArray post = "POST";

    QTest::newRow("malformed json") << post << QStringLiteral("/v1/messages") << QByteArray("{bad")
                                    << 400 << QStringLiteral("bad_json");
    QTest::newRow("empty body") << post << QStringLiteral("/v1/messages") << QByteArray() << 400
                                << QStringLiteral("bad_json");
    QTest::newRow("json array") << post << QStringLiteral("/v1/messages") << QByteArray("[]") << 400
                                << QStringLiteral("bad_json");
    QTest::newRow("missing fields") << post << QStringLiteral("/v1/messages") << QByteArray("{}")
                                    << 400 << QStringLiteral("invalid_request");
    QTest::newRow("id wrong type")
        << post << QStringLiteral("/v1/messages")
        << QByteArray(R"({"clientMessageId":5,"to":"bob","payloads":[]})") << 400
        << QStringLiteral("invalid_request");
    QTest::newRow("id not uuid") << post << QStringLiteral("/v1/messages")
                                 << sendBody(QStringLiteral("bob"), {payload(bobDevice, ok)},
                                             QStringLiteral("not-a-uuid"))
                                 << 400 << QStringLiteral("invalid_request");
    QTest::newRow("bad recipient name")
        << post << QStringLiteral("/v1/messages")
        << sendBody(QStringLiteral("Bob!"), {payload(bobDevice, ok)}) << 400
        << QStringLiteral("invalid_request");
    QTest::newRow("unknown recipient")
        << post << QStringLiteral("/v1/messages")
        << sendBody(QStringLiteral("nobody"), {payload(bobDevice, ok)}) << 404
        << QStringLiteral("unknown_user");
    QTest::newRow("payloads not array")
        << post << QStringLiteral("/v1/messages")
        << QByteArray(
               R"({"clientMessageId":"0f8fad5b-d9cb-469f-a165-70867728950e","to":"bob","payloads":{}})")
        << 400 << QStringLiteral("invalid_request");
    QTest::newRow("payload not object") << post << QStringLiteral("/v1/messages")
                                        << sendBody(QStringLiteral("bob"), {QJsonValue(3)}) << 400
                                        << QStringLiteral("invalid_request");
    QTest::newRow("device as string")
        << post << QStringLiteral("/v1/messages")
        << sendBody(QStringLiteral("bob"),
                    {QJsonObject{{QStringLiteral("device"), QStringLiteral("2")},
                                 {QStringLiteral("body"), ok}}})
        << 400 << QStringLiteral("invalid_request");
    QTest::newRow("body not base64")
        << post << QStringLiteral("/v1/messages")
        << sendBody(QStringLiteral("bob"), {payload(bobDevice, QStringLiteral("***"))}) << 400
        << QStringLiteral("invalid_request");
    QTest::newRow("empty payload")
        << post << QStringLiteral("/v1/messages")
        << sendBody(QStringLiteral("bob"), {payload(bobDevice, QString())}) << 400
        << QStringLiteral("invalid_request");
    QTest::newRow("device twice") << post << QStringLiteral("/v1/messages")
                                  << sendBody(QStringLiteral("bob"),
                                              {payload(bobDevice, ok), payload(bobDevice, ok)})
                                  << 400 << QStringLiteral("invalid_request");
    QTest::newRow("payload too large")
        << post << QStringLiteral("/v1/messages")
        << sendBody(QStringLiteral("bob"),
                    {payload(bobDevice, QString::fromLatin1(QByteArray(2000, 'x').toBase64()))})
        << 413 << QStringLiteral("too_large");
    QJsonArray many;
    for (int i = 1; i <= 5; ++i) {
        many.append(payload(i, ok));
    }
    QTest::newRow("too many devices")
        << post << QStringLiteral("/v1/messages") << sendBody(QStringLiteral("bob"), many) << 413
        << QStringLiteral("too_large");
    QTest::newRow("wrong devices") << post << QStringLiteral("/v1/messages")
                                   << sendBody(QStringLiteral("bob"), {payload(77, ok)}) << 409
                                   << QStringLiteral("device_mismatch");
    QTest::newRow("register bad username")
        << post << QStringLiteral("/v1/accounts")
        << QByteArray(R"({"username":"A","password":"password1"})") << 400
        << QStringLiteral("invalid_request");
    QTest::newRow("register short password")
        << post << QStringLiteral("/v1/accounts")
        << QByteArray(R"({"username":"zed","password":"short"})") << 400
        << QStringLiteral("invalid_request");
    QTest::newRow("register taken") << post << QStringLiteral("/v1/accounts")
                                    << QByteArray(R"({"username":"bob","password":"password1"})")
                                    << 409 << QStringLiteral("username_taken");
    QTest::newRow("register control chars in device")
        << post << QStringLiteral("/v1/accounts")
        << QByteArray(
               "{\"username\":\"zed\",\"password\":\"password1\",\"deviceName\":\"a\\u0007b\"}")
        << 400 << QStringLiteral("invalid_request");
    QTest::newRow("login wrong types") << post << QStringLiteral("/v1/sessions")
                                       << QByteArray(R"({"username":["bob"],"password":1})") << 400
                                       << QStringLiteral("invalid_request");
    QTest::newRow("unknown endpoint") << QByteArray("GET") << QStringLiteral("/v1/nothing")
                                      << QByteArray() << 404 << QStringLiteral("not_found");
    QTest::newRow("wrong method") << QByteArray("PUT") << QStringLiteral("/v1/messages")
                                  << QByteArray("{}") << 405
                                  << QStringLiteral("method_not_allowed");
    QTest::newRow("inbox bad limit") << QByteArray("GET") << QStringLiteral("/v1/inbox?limit=abc")
                                     << QByteArray() << 400 << QStringLiteral("invalid_request");
    QTest::newRow("inbox limit too big")
        << QByteArray("GET") << QStringLiteral("/v1/inbox?limit=100000") << QByteArray() << 400
        << QStringLiteral("invalid_request");
    QTest::newRow("ack bad ids") << post << QStringLiteral("/v1/inbox/ack")
                                 << QByteArray(R"({"ids":["x"]})") << 400
                                 << QStringLiteral("invalid_request");
    QTest::newRow("revoke bad id") << QByteArray("DELETE") << QStringLiteral("/v1/devices/abc")
                                   << QByteArray() << 400 << QStringLiteral("invalid_request");
    QTest::newRow("unknown user devices")
        << QByteArray("GET") << QStringLiteral("/v1/users/nobody/devices") << QByteArray() << 404
        << QStringLiteral("unknown_user");
    QTest::newRow("stream without upgrade")
        << QByteArray("GET") << QStringLiteral("/v1/stream") << QByteArray() << 426
        << QStringLiteral("upgrade_required");
    QTest::newRow("body over limit")
        << post << QStringLiteral("/v1/messages") << QByteArray(70000, ' ') << 413
        << QStringLiteral("too_large");
}

void TestBadInput::matrix()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, code);
    QCOMPARE(m_bob->core().profile().deviceId(), 2);

    const RawReply reply = raw(method, path, body, m_alice->core().profile().token());
    QCOMPARE(reply.status, status);
    QCOMPARE(reply.body.value(QStringLiteral("error")).toString(), code);
    QVERIFY(!reply.body.value(QStringLiteral("message")).toString().isEmpty());
    // And the server is still fine.
    QCOMPARE(raw("GET", QStringLiteral("/healthz"), {}, {}).status, 200);
}

void TestBadInput::oversizedBodyIsRefusedBeforeItIsRead()
{
    QSslSocket socket;
    QVERIFY(m_server->connectSocket(&socket));
    socket.write("POST /v1/messages HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " +
                 m_alice->core().profile().token() + "\r\nContent-Length: 5000000000\r\n\r\n{");
    const QByteArray answer =
        readUntil(socket, [](const QByteArray &answer) { return answer.contains("\r\n\r\n{"); });
    QVERIFY2(answer.startsWith("HTTP/1.1 413"), answer.constData());
    QVERIFY(answer.contains("too_large"));
    QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 10000);
}

void TestBadInput::oversizedHeadersAreRefused()
{
    QSslSocket socket;
    QVERIFY(m_server->connectSocket(&socket));
    socket.write("GET /healthz HTTP/1.1\r\nX-Junk: " + QByteArray(40000, 'a'));
    const QByteArray answer =
        readUntil(socket, [](const QByteArray &answer) { return answer.contains("\r\n\r\n"); });
    QVERIFY2(answer.startsWith("HTTP/1.1 431"), answer.left(100).constData());
    QCOMPARE(raw("GET", QStringLiteral("/healthz"), {}, {}).status, 200);
}

void TestBadInput::badStreamFrames()
{
    const QByteArray token = m_bob->core().profile().token();
    RawStream stream(*m_server, token);
    QTRY_VERIFY_WITH_TIMEOUT(stream.has(QStringLiteral("hello")), 10000);
    stream.socket.sendTextMessage(QStringLiteral("this is not json"));
    QTRY_VERIFY_WITH_TIMEOUT(stream.hasError(QStringLiteral("bad_json")), 10000);
    stream.socket.sendTextMessage(QStringLiteral(R"({"type":"ack","ids":[-4]})"));
    QTRY_VERIFY_WITH_TIMEOUT(stream.hasError(QStringLiteral("invalid_request")), 10000);
    stream.socket.sendTextMessage(QStringLiteral(R"({"type":"ping"})"));
    QTRY_VERIFY_WITH_TIMEOUT(stream.has(QStringLiteral("pong")), 10000);
    // A frame over the limit closes the connection.
    stream.socket.sendTextMessage(QString(100000, QLatin1Char('x')));
    QTRY_COMPARE_WITH_TIMEOUT(stream.socket.state(), QAbstractSocket::UnconnectedState, 10000);

    RawStream binary(*m_server, token);
    QTRY_VERIFY_WITH_TIMEOUT(binary.has(QStringLiteral("hello")), 10000);
    binary.socket.sendBinaryMessage(QByteArrayLiteral("\x01\x02"));
    QTRY_COMPARE_WITH_TIMEOUT(binary.socket.state(), QAbstractSocket::UnconnectedState, 10000);
    QCOMPARE(int(binary.socket.closeCode()), 4400);
    QCOMPARE(raw("GET", QStringLiteral("/healthz"), {}, {}).status, 200);
}

void TestBadInput::streamHandshakeAndFramesOnARawSocket()
{
    const QByteArray token = m_bob->core().profile().token();
    // Refused upgrades are HTTP answers with the usual JSON error.
    struct Refusal
    {
        QByteArray request;
        QByteArray status;
        QByteArray code;
    };
    const QList<Refusal> refusals{
        {streamUpgradeRequest(token, "8"), "HTTP/1.1 426", "upgrade_required"},
        {streamUpgradeRequest(token, "13", "c2hvcnQ="), "HTTP/1.1 400", "invalid_request"},
        {streamUpgradeRequest("not-a-token"), "HTTP/1.1 401", "unauthenticated"},
    };
    for (const Refusal &refusal : refusals) {
        QSslSocket socket;
        QVERIFY(m_server->connectSocket(&socket));
        socket.write(refusal.request);
        const QByteArray answer = readUntil(socket, [](const QByteArray &answer) {
            return answer.contains("\r\n\r\n{") && answer.endsWith('}');
        });
        QVERIFY2(answer.startsWith(refusal.status), answer.constData());
        QVERIFY2(answer.contains(refusal.code), answer.constData());
        if (refusal.code == "upgrade_required") {
            QVERIFY(answer.contains("Sec-WebSocket-Version: 13\r\n"));
        }
    }

    // The path matches as every route does: a trailing slash and a query are fine.
    {
        QSslSocket socket;
        QVERIFY(m_server->connectSocket(&socket));
        QByteArray request = streamUpgradeRequest(token);
        request.replace("GET /v1/stream ", "GET /v1/stream/?from=test ");
        socket.write(request);
        const QByteArray answer =
            readUntil(socket, [](const QByteArray &answer) { return answer.contains("\r\n\r\n"); });
        QVERIFY2(answer.startsWith("HTTP/1.1 101"), answer.constData());
    }

    // A good one: 101 with the RFC's accept key, then the hello frame.
    QSslSocket socket;
    QVERIFY(m_server->connectSocket(&socket));
    socket.write(streamUpgradeRequest(token));
    QByteArray buffer;
    QList<ServerFrame> frames;
    auto readFrames = [&](auto done) {
        return QTest::qWaitFor(
            [&] {
                socket.waitForReadyRead(50);
                buffer += socket.readAll();
                if (buffer.startsWith("HTTP/")) {
                    return done();
                }
                ServerFrame frame;
                while (takeServerFrame(buffer, &frame)) {
                    frames.append(frame);
                }
                return done();
            },
            10000);
    };
    QVERIFY(readFrames([&] { return buffer.contains("\r\n\r\n"); }));
    QVERIFY2(buffer.startsWith("HTTP/1.1 101"), buffer.constData());
    QVERIFY(buffer.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    buffer.remove(0, buffer.indexOf("\r\n\r\n") + 4);
    auto hasText = [&](const QByteArray &needle) {
        for (const ServerFrame &frame : std::as_const(frames)) {
            if (frame.opcode == 0x1 && frame.payload.contains(needle)) {
                return true;
            }
        }
        return false;
    };
    QVERIFY(readFrames([&] { return hasText(R"("type":"hello")"); }));

    // A WebSocket ping is answered with its payload; a fragmented text message is one message.
    socket.write(clientFrame(0x89, "are you there"));
    socket.write(clientFrame(0x01, R"({"type":)") + clientFrame(0x80, R"("ping"})"));
    QVERIFY(readFrames([&] {
        const bool pong = std::any_of(frames.cbegin(), frames.cend(), [](const ServerFrame &f) {
            return f.opcode == 0xA && f.payload == "are you there";
        });
        return pong && hasText(R"("type":"pong")");
    }));

    // An unmasked frame breaks the protocol: close frame 1002, then the connection ends.
    socket.write(clientFrame(0x81, R"({"type":"ping"})", false));
    QVERIFY(readFrames([&] {
        return std::any_of(frames.cbegin(), frames.cend(), [](const ServerFrame &f) {
            return f.opcode == 0x8 && f.payload.startsWith("\x03\xea");
        });
    }));
    QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 10000);
    QCOMPARE(raw("GET", QStringLiteral("/healthz"), {}, {}).status, 200);
}

void TestBadInput::floodIsRateLimitedWhileOthersAreServed()
{
    TestServer server(QStringLiteral("[rate]\nmessages_per_second=5\nmessage_burst=10\n"));
    QVERIFY(server.start());
    TestClient alice(server.url());
    TestClient bob(server.url());
    TestClient carol(server.url());
    QVERIFY(alice.registerAccount(QStringLiteral("alice")));
    QVERIFY(bob.registerAccount(QStringLiteral("bob")));
    QVERIFY(carol.registerAccount(QStringLiteral("carol")));
    QVERIFY(ensureKeys(bob)); // Only a device with keys can receive.
    const QJsonArray toBob{QJsonObject{{QStringLiteral("device"), bob->profile().deviceId()},
                                       {QStringLiteral("body"), QStringLiteral("eA==")}}};

    // 60 sends at once from one device.
    QList<QNetworkReply *> replies;
    QUrl url = server.url();
    url.setPath(QStringLiteral("/v1/messages"));
    for (int i = 0; i < 60; ++i) {
        QNetworkRequest request(url);
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        request.setRawHeader(QByteArrayLiteral("Authorization"),
                             "Bearer " + alice->profile().token());
        replies.append(m_network.post(request, sendBody(QStringLiteral("bob"), toBob)));
        server.trust(replies.last());
    }
    // Meanwhile another user is served normally.
    const QJsonArray toBobFromCarol = toBob;
    const QJsonObject carolSend{
        {QStringLiteral("clientMessageId"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
        {QStringLiteral("to"), QStringLiteral("bob")},
        {QStringLiteral("payloads"), toBobFromCarol}};
    QCOMPARE(carol.call("POST", QStringLiteral("/v1/messages"), &carolSend).status, 201);

    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(replies.cbegin(), replies.cend(),
                                         [](QNetworkReply *r) { return r->isFinished(); }),
                             30000);
    int created = 0;
    int limited = 0;
    for (QNetworkReply *reply : std::as_const(replies)) {
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
        if (status == 201) {
            ++created;
        } else {
            QCOMPARE(status, 429);
            QCOMPARE(body.value(QStringLiteral("error")).toString(),
                     QStringLiteral("rate_limited"));
            QVERIFY(reply->rawHeader(QByteArrayLiteral("Retry-After")).toInt() >= 1);
            ++limited;
        }
        reply->deleteLater();
    }
    QVERIFY2(created >= 10 && created <= 20, qPrintable(QString::number(created)));
    QCOMPARE(created + limited, 60);
    // Exactly the accepted ones (and carol's) wait for bob.
    const auto inbox = bob.call("GET", QStringLiteral("/v1/inbox?limit=500"));
    QCOMPARE(inbox.body.value(QStringLiteral("envelopes")).toArray().size(), created + 1);
    QCOMPARE(raw("GET", QStringLiteral("/healthz"), {}, {}, &server).status, 200);
    QVERIFY2(server.stop(), qPrintable(server.output()));
}

void TestBadInput::signInFloodIsRateLimited()
{
    TestServer server(QStringLiteral("[rate]\nauth_per_minute=5\nauth_burst=5\n"));
    QVERIFY(server.start());
    int limited = 0;
    for (int i = 0; i < 12; ++i) {
        const RawReply reply = raw("POST", QStringLiteral("/v1/sessions"),
                                   QByteArray(R"({"username":"victim","password":"guess)") +
                                       QByteArray::number(i) + "\"}",
                                   {}, &server);
        QVERIFY(reply.status == 401 || reply.status == 429);
        if (reply.status == 429) {
            ++limited;
            QCOMPARE(reply.body.value(QStringLiteral("error")).toString(),
                     QStringLiteral("rate_limited"));
        }
    }
    QVERIFY(limited >= 6);
    QVERIFY2(server.stop(), qPrintable(server.output()));
}

QTEST_GUILESS_MAIN(TestBadInput)
#include "tst_badinput.moc"
