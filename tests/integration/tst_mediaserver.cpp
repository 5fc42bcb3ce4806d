// Media against the real daemon, over raw HTTP: reserving, resumable uploads on signed URLs,
// ranged and cacheable downloads, signature and expiry checks, who may download what, deletion,
// storage limits and the purge of forgotten uploads; over TLS and over plain HTTP.
#include "tests/common/RawHttp.h"
#include "tests/common/TestClient.h"
#include "tests/common/TestKeys.h"
#include "tests/common/TestServer.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QUrlQuery>
#include <QUuid>
#include <QtTest>

#include <optional>

using namespace Tincan;
using namespace Tincan::Test;

namespace {

constexpr int Timeout = 20000;

const QString PlainConfig = QStringLiteral("[tls]\nenabled=false\n");
//! 1 PiB: more free space than any test machine has.
const QString HugeMinFree = QStringLiteral("[media]\nmin_free_bytes=1125899906842624\n");

//! Rewrites the daemon's config (the test defaults plus `extra`) and restarts it on its port,
//! with its data.
bool reconfigure(TestServer &server, const QString &extra)
{
    if (server.isRunning() && !server.stop()) {
        qWarning("tincand did not stop cleanly: %s", qPrintable(server.output().right(3000)));
        return false;
    }
    QFile file(server.configPath());
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        return false;
    }
    file.write("[auth]\nargon2_memory_kib=1024\nargon2_iterations=1\n"
               "[rate]\nauth_per_minute=100000\nauth_burst=100000\n"
               "[server]\nthreads=2\n");
    file.write(extra.toUtf8());
    file.close();
    return server.restart();
}

QString blobPath(const TestServer &server, const QByteArray &hex)
{
    return server.dataDir() + QStringLiteral("/media/blobs/") + QString::fromLatin1(hex.left(2)) +
           QLatin1Char('/') + QString::fromLatin1(hex);
}

QString partialPath(const TestServer &server, const QString &id)
{
    return server.dataDir() + QStringLiteral("/media/partial/") + id;
}

//! Regular files under a directory, recursively.
QStringList filesUnder(const QString &directory)
{
    QStringList files;
    QDirIterator it(directory, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        files.append(it.next());
    }
    return files;
}

QJsonObject directMessage(const QString &to, qint64 device, const QStringList &media)
{
    return QJsonObject{
        {QStringLiteral("clientMessageId"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
        {QStringLiteral("to"), to},
        {QStringLiteral("payloads"),
         QJsonArray{QJsonObject{{QStringLiteral("device"), device},
                                {QStringLiteral("body"), QStringLiteral("eA==")}}}},
        {QStringLiteral("media"), QJsonArray::fromStringList(media)}};
}

} // namespace

class TestMediaServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void uploadAndDownload_data();
    void uploadAndDownload();
    void headAnswersCarryNoBody_data();
    void headAnswersCarryNoBody();
    void resumeAfterCutConnection_data();
    void resumeAfterCutConnection();
    void uploadOnKeptAliveConnection_data();
    void uploadOnKeptAliveConnection();
    void uploadWithNetworkAccessManager_data();
    void uploadWithNetworkAccessManager();
    void offsetsAndSizesAreChecked();
    void expectContinue();
    void oneRequestUploadsAtATime();
    void stalledUploadIsClosedAndKept();
    void deleteDuringUpload();
    void malformedUploadsAreRefused();
    void reservationsAreLimited();
    void insufficientStorage();
    void tamperedUrlsAreRefused();
    void expiredUrlsAreRefused();
    void completedUploadCannotBeReplayed();
    void directMessageGrantsAccess();
    void groupMessageGrantsAccessToMembers();
    void leavingTheGroupEndsAccess();
    void sendingNeedsOwnCompleteMedia();
    void unknownAndUnfinishedMedia();
    void deleteOnlyUnreferencedMedia();
    void purgeRemovesForgottenUploads();

private:
    struct Site
    {
        std::unique_ptr<TestServer> server;
        std::unique_ptr<TestClient> alice;
    };
    //! The shared TLS daemon (with alice, bob, carol, dave) or the plain-HTTP one (alice).
    TestServer &server(bool tls) { return tls ? *m_tls.server : *m_plain.server; }
    TestClient &alice(bool tls) { return tls ? *m_tls.alice : *m_plain.alice; }

    //! POST /v1/media; the reply body holds id, uploadUrl, expiresAt, maxSize.
    Client::ApiResult reserve(TestClient &owner, qint64 size);
    //! One PATCH of `bytes` at `offset` on a connection of its own.
    HttpResponse patch(const TestServer &server, const QByteArray &url, qint64 offset,
                       const QByteArray &bytes);
    HttpResponse head(const TestServer &server, const QByteArray &url);
    //! Reserves and uploads `bytes` in one PATCH; the media id, or empty (with a warning).
    QString upload(TestServer &server, TestClient &owner, const QByteArray &bytes);
    //! POST /v1/media/{id}/download-url as `caller`.
    Client::ApiResult downloadUrl(TestClient &caller, const QString &id);

    Site m_tls;
    Site m_plain;
    std::unique_ptr<TestClient> m_bob;
    std::unique_ptr<TestClient> m_carol;
    std::unique_ptr<TestClient> m_dave;
    QString m_groupId;
    QString m_groupMedia;
};

void TestMediaServer::initTestCase()
{
    m_tls.server = std::make_unique<TestServer>(QStringLiteral("[media]\nmax_size=8388608\n"));
    QVERIFY(m_tls.server->start());
    QVERIFY(m_tls.server->tls());
    m_plain.server = std::make_unique<TestServer>(PlainConfig);
    QVERIFY(m_plain.server->start());
    QVERIFY(!m_plain.server->tls());
    m_tls.alice = std::make_unique<TestClient>(m_tls.server->url());
    m_plain.alice = std::make_unique<TestClient>(m_plain.server->url());
    m_bob = std::make_unique<TestClient>(m_tls.server->url());
    m_carol = std::make_unique<TestClient>(m_tls.server->url());
    m_dave = std::make_unique<TestClient>(m_tls.server->url());
    QVERIFY(m_tls.alice->registerAccount(QStringLiteral("alice")));
    QVERIFY(m_plain.alice->registerAccount(QStringLiteral("alice")));
    QVERIFY(m_bob->registerAccount(QStringLiteral("bob")));
    QVERIFY(m_carol->registerAccount(QStringLiteral("carol")));
    QVERIFY(m_dave->registerAccount(QStringLiteral("dave")));
    // Only devices with keys can be sent to.
    for (TestClient *client : {m_tls.alice.get(), m_bob.get(), m_carol.get(), m_dave.get()}) {
        QVERIFY(ensureKeys(*client));
    }
}

void TestMediaServer::cleanupTestCase()
{
    QVERIFY2(m_tls.server->stop(), qPrintable(m_tls.server->output().right(5000)));
    QVERIFY2(m_plain.server->stop(), qPrintable(m_plain.server->output().right(5000)));
}

Client::ApiResult TestMediaServer::reserve(TestClient &owner, qint64 size)
{
    const QJsonObject body{{QStringLiteral("size"), size}};
    return owner.call("POST", QStringLiteral("/v1/media"), &body);
}

HttpResponse TestMediaServer::patch(const TestServer &server, const QByteArray &url, qint64 offset,
                                    const QByteArray &bytes)
{
    HttpHeaders headers = uploadHeaders(offset);
    if (bytes.isEmpty()) {
        headers.emplaceBack("Content-Length", "0");
    }
    return httpRequest(server, "PATCH", url, headers, bytes);
}

HttpResponse TestMediaServer::head(const TestServer &server, const QByteArray &url)
{
    return httpRequest(server, "HEAD", url);
}

QString TestMediaServer::upload(TestServer &server, TestClient &owner, const QByteArray &bytes)
{
    const auto reserved = reserve(owner, bytes.size());
    if (reserved.status != 201) {
        qWarning("reserve failed: %d %s", reserved.status, qPrintable(reserved.error.message));
        return {};
    }
    const HttpResponse done = patch(
        server, reserved.body.value(QStringLiteral("uploadUrl")).toString().toUtf8(), 0, bytes);
    if (done.status != 204 || done.header("Tincan-Sha256") != sha256Hex(bytes)) {
        qWarning("upload failed: %d %s", done.status, done.body.constData());
        return {};
    }
    return reserved.body.value(QStringLiteral("id")).toString();
}

Client::ApiResult TestMediaServer::downloadUrl(TestClient &caller, const QString &id)
{
    const QJsonObject empty;
    return caller.call("POST", QStringLiteral("/v1/media/%1/download-url").arg(id), &empty);
}

// --------------------------------------------------------------------------- the whole path

void TestMediaServer::uploadAndDownload_data()
{
    QTest::addColumn<bool>("tls");
    QTest::addColumn<qint64>("size");
    QTest::newRow("tls, 700 KB") << true << 700001LL;
    QTest::newRow("plain, 700 KB") << false << 700001LL;
    QTest::newRow("tls, 1 byte") << true << 1LL;
    QTest::newRow("tls, empty") << true << 0LL;
    QTest::newRow("plain, empty") << false << 0LL;
}

void TestMediaServer::uploadAndDownload()
{
    QFETCH(bool, tls);
    QFETCH(qint64, size);
    TestServer &daemon = server(tls);
    const QByteArray data = randomBytes(size);
    const QByteArray digest = sha256Hex(data);

    // Reserve.
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    const auto reserved = reserve(alice(tls), size);
    QCOMPARE(reserved.status, 201);
    const QString id = reserved.body.value(QStringLiteral("id")).toString();
    QVERIFY2(QRegularExpression(QStringLiteral("^[0-9a-f]{32}$")).match(id).hasMatch(),
             qPrintable(id));
    const QByteArray uploadUrl =
        reserved.body.value(QStringLiteral("uploadUrl")).toString().toUtf8();
    QVERIFY2(uploadUrl.startsWith("/v1/media/" + id.toLatin1() + "/upload?"),
             uploadUrl.constData());
    QCOMPARE(reserved.body.value(QStringLiteral("maxSize")).toInteger(), size);
    QVERIFY(reserved.body.value(QStringLiteral("expiresAt")).toInteger() > before);

    // Nothing stored yet.
    HttpResponse status = head(daemon, uploadUrl);
    QCOMPARE(status.status, 200);
    QCOMPARE(status.header("Upload-Offset"), QByteArray("0"));
    QCOMPARE(status.header("Upload-Length"), QByteArray::number(size));
    QVERIFY(!status.hasHeader("Tincan-Sha256"));
    QCOMPARE(status.header("Cache-Control"), QByteArray("no-store"));

    // Upload everything at once: the answer names the digest, and the connection closes.
    HttpConnection connection(daemon);
    QVERIFY(connection.isConnected());
    HttpHeaders headers = uploadHeaders(0);
    if (size == 0) {
        headers.emplaceBack("Content-Length", "0");
    }
    const HttpResponse uploaded = connection.request("PATCH", uploadUrl, headers, data);
    QCOMPARE(uploaded.status, 204);
    QCOMPARE(uploaded.header("Tincan-Sha256"), digest);
    QCOMPARE(uploaded.header("Upload-Offset"), QByteArray::number(size));
    QCOMPARE(uploaded.header("Connection").toLower(), QByteArray("close"));
    QVERIFY(connection.waitClosed());

    status = head(daemon, uploadUrl);
    QCOMPARE(status.status, 200);
    QCOMPARE(status.header("Upload-Offset"), QByteArray::number(size));
    QCOMPARE(status.header("Tincan-Sha256"), digest);
    QVERIFY(QFile::exists(blobPath(daemon, digest)));
    QVERIFY(!QFile::exists(partialPath(daemon, id)));

    // A download URL, and the bytes behind it.
    const auto signedUrl = downloadUrl(alice(tls), id);
    QCOMPARE(signedUrl.status, 200);
    QCOMPARE(signedUrl.body.value(QStringLiteral("size")).toInteger(), size);
    QCOMPARE(signedUrl.body.value(QStringLiteral("sha256")).toString().toLatin1(), digest);
    QVERIFY(signedUrl.body.value(QStringLiteral("expiresAt")).toInteger() > before);
    const QByteArray url = signedUrl.body.value(QStringLiteral("url")).toString().toUtf8();
    QVERIFY2(url.startsWith("/v1/media/" + id.toLatin1() + "/content?"), url.constData());

    const QByteArray etag = '"' + digest + '"';
    HttpResponse got = httpRequest(daemon, "GET", url);
    QCOMPARE(got.status, 200);
    QCOMPARE(got.body.size(), size);
    QVERIFY(got.body == data);
    QCOMPARE(got.header("Content-Length"), QByteArray::number(size));
    QCOMPARE(got.header("ETag"), etag);
    QCOMPARE(got.header("Cache-Control"), QByteArray("public, max-age=31536000, immutable"));
    QCOMPARE(got.header("Accept-Ranges"), QByteArray("bytes"));
    QCOMPARE(got.header("Content-Type"), QByteArray("application/octet-stream"));
    QVERIFY(!got.hasHeader("Content-Range"));

    // Revalidation: the same ETag is not sent again; another one is.
    got = httpRequest(daemon, "GET", url, {{"If-None-Match", etag}});
    QCOMPARE(got.status, 304);
    QVERIFY(got.body.isEmpty());
    QCOMPARE(got.header("ETag"), etag);
    got = httpRequest(daemon, "GET", url, {{"If-None-Match", "\"" + QByteArray(64, '0') + "\""}});
    QCOMPARE(got.status, 200);
    QVERIFY(got.body == data);

    // HEAD: the length, not the bytes.
    got = httpRequest(daemon, "HEAD", url);
    QCOMPARE(got.status, 200);
    QCOMPARE(got.header("Content-Length"), QByteArray::number(size));
    QCOMPARE(got.header("ETag"), etag);

    if (size == 0) {
        // An empty blob has no satisfiable range: the whole (empty) body answers any.
        got = httpRequest(daemon, "GET", url, {{"Range", "bytes=0-"}});
        QCOMPARE(got.status, 200);
        QVERIFY(got.body.isEmpty());
        QCOMPARE(sha256Hex({}), digest);
        return;
    }

    // Ranges.
    const QByteArray total = '/' + QByteArray::number(size);
    got = httpRequest(daemon, "GET", url, {{"Range", "bytes=0-0"}});
    QCOMPARE(got.status, 206);
    QCOMPARE(got.header("Content-Range"), "bytes 0-0" + total);
    QCOMPARE(got.body, data.left(1));
    if (size >= 1000) {
        got = httpRequest(daemon, "GET", url, {{"Range", "bytes=100-899"}});
        QCOMPARE(got.status, 206);
        QCOMPARE(got.header("Content-Range"), "bytes 100-899" + total);
        QCOMPARE(got.header("Content-Length"), QByteArray("800"));
        QCOMPARE(got.header("ETag"), etag);
        QVERIFY(got.body == data.mid(100, 800));
        got = httpRequest(daemon, "GET", url, {{"Range", "bytes=-300"}});
        QCOMPARE(got.status, 206);
        QCOMPARE(got.header("Content-Range"), "bytes " + QByteArray::number(size - 300) + '-' +
                                                  QByteArray::number(size - 1) + total);
        QVERIFY(got.body == data.right(300));
        // Resuming a download from an offset.
        got = httpRequest(daemon, "GET", url, {{"Range", "bytes=500000-"}});
        QCOMPARE(got.status, 206);
        QVERIFY(got.body == data.mid(500000));
        // If-Range with the current ETag honours the range; with another it sends everything.
        got = httpRequest(daemon, "GET", url, {{"Range", "bytes=10-19"}, {"If-Range", etag}});
        QCOMPARE(got.status, 206);
        QVERIFY(got.body == data.mid(10, 10));
        got = httpRequest(daemon, "GET", url,
                          {{"Range", "bytes=10-19"}, {"If-Range", "\"something else\""}});
        QCOMPARE(got.status, 200);
        QVERIFY(got.body == data);
    }
    for (const QByteArray &unsatisfiable :
         {"bytes=" + QByteArray::number(size) + '-', QByteArray("bytes=-0"),
          "bytes=" + QByteArray::number(size + 10) + '-' + QByteArray::number(size + 20)}) {
        got = httpRequest(daemon, "GET", url, {{"Range", unsatisfiable}});
        QCOMPARE(got.status, 416);
        QCOMPARE(got.header("Content-Range"), "bytes */" + QByteArray::number(size));
        QCOMPARE(got.error(), QStringLiteral("range_not_satisfiable"));
    }
    // Several ranges: the whole body is a valid answer.
    got = httpRequest(daemon, "GET", url, {{"Range", "bytes=0-0,2-2"}});
    QCOMPARE(got.status, 200);
    QVERIFY(got.body == data);
}

void TestMediaServer::headAnswersCarryNoBody_data()
{
    QTest::addColumn<bool>("tls");
    QTest::newRow("tls") << true;
    QTest::newRow("plain") << false;
}

void TestMediaServer::headAnswersCarryNoBody()
{
    // On one kept-alive connection: a HEAD announcing a length, then another request. Had the
    // HEAD's answer carried the bytes, the next answer would not parse.
    QFETCH(bool, tls);
    TestServer &daemon = server(tls);
    const QByteArray data = randomBytes(100000);
    const QString id = upload(daemon, alice(tls), data);
    QVERIFY(!id.isEmpty());
    const QByteArray url =
        downloadUrl(alice(tls), id).body.value(QStringLiteral("url")).toString().toUtf8();

    HttpConnection connection(daemon);
    QVERIFY(connection.isConnected());
    HttpResponse answer = connection.request("HEAD", url);
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.header("Content-Length"), QByteArray("100000"));
    answer = connection.request("GET", "/healthz");
    QCOMPARE(answer.status, 200);
    QVERIFY2(!answer.json().isEmpty(), answer.body.left(100).constData());
    // A HEAD refusal (bad signature) has no body either.
    answer = connection.request("HEAD", withTamperedSignature(url));
    QCOMPARE(answer.status, 403);
    answer = connection.request("GET", "/healthz");
    QCOMPARE(answer.status, 200);
    // And a GET after a GET: the first body ends where announced.
    answer = connection.request("GET", url, {{"Range", "bytes=0-9"}});
    QCOMPARE(answer.status, 206);
    answer = connection.request("GET", url);
    QCOMPARE(answer.status, 200);
    QVERIFY(answer.body == data);
    answer = connection.request("GET", "/healthz");
    QCOMPARE(answer.status, 200);
    QVERIFY(connection.leftover().isEmpty());

    // Pipelined: a download, a HEAD and an API request written at once are answered in order.
    QVERIFY(connection.write(HttpConnection::format("GET", url) +
                             HttpConnection::format("HEAD", url) +
                             HttpConnection::format("GET", "/healthz")));
    answer = connection.readResponse();
    QCOMPARE(answer.status, 200);
    QVERIFY(answer.body == data);
    answer = connection.readResponse(true);
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.header("Content-Length"), QByteArray("100000"));
    answer = connection.readResponse();
    QCOMPARE(answer.status, 200);
    QVERIFY2(!answer.json().isEmpty(), answer.body.left(100).constData());
}

// ------------------------------------------------------------------------------- resumption

void TestMediaServer::resumeAfterCutConnection_data()
{
    QTest::addColumn<bool>("tls");
    QTest::newRow("tls") << true;
    QTest::newRow("plain") << false;
}

void TestMediaServer::resumeAfterCutConnection()
{
    QFETCH(bool, tls);
    // A daemon of its own, so that its blob store holds this upload only.
    TestServer daemon(tls ? QString() : PlainConfig);
    QVERIFY(daemon.start());
    TestClient owner(daemon.url());
    QVERIFY(owner.registerAccount(QStringLiteral("owner")));

    const qint64 size = 3 * 1024 * 1024 + 12345;
    const qint64 half = size / 2;
    const QByteArray data = randomBytes(size);
    const auto reserved = reserve(owner, size);
    QCOMPARE(reserved.status, 201);
    const QString id = reserved.body.value(QStringLiteral("id")).toString();
    const QByteArray url = reserved.body.value(QStringLiteral("uploadUrl")).toString().toUtf8();

    {
        // The whole body announced, half of it sent, then the connection is dropped.
        HttpConnection cut(daemon);
        QVERIFY(cut.isConnected());
        QVERIFY(cut.write(
            HttpConnection::format("PATCH", url, uploadHeaders(0), data.left(half), size)));
        // Everything sent has arrived, so the cut loses nothing in flight.
        QVERIFY(cut.waitAcknowledged());
        cut.socket().abort();
    }
    // The daemon notices the cut on its own time; until then the upload may look busy.
    QTRY_COMPARE_WITH_TIMEOUT(head(daemon, url).header("Upload-Offset"), QByteArray::number(half),
                              Timeout);
    QCOMPARE(QFileInfo(partialPath(daemon, id)).size(), half);
    // An empty PATCH is answered 409 upload_busy until the cut request is over.
    QTRY_COMPARE_WITH_TIMEOUT(patch(daemon, url, half, {}).status, 204, Timeout);
    HttpResponse status = head(daemon, url);
    QCOMPARE(status.header("Upload-Length"), QByteArray::number(size));
    QVERIFY(!status.hasHeader("Tincan-Sha256"));

    // The owner can also ask for a fresh upload URL, which reports the offset too.
    const QJsonObject empty;
    const auto fresh =
        owner.call("POST", QStringLiteral("/v1/media/%1/upload-url").arg(id), &empty);
    QCOMPARE(fresh.status, 200);
    QCOMPARE(fresh.body.value(QStringLiteral("offset")).toInteger(), half);
    const QByteArray freshUrl = fresh.body.value(QStringLiteral("uploadUrl")).toString().toUtf8();
    QCOMPARE(head(daemon, freshUrl).header("Upload-Offset"), QByteArray::number(half));

    // The rest, from there: the digest covers all of it.
    const HttpResponse done = patch(daemon, freshUrl, half, data.mid(half));
    QCOMPARE(done.status, 204);
    QCOMPARE(done.header("Upload-Offset"), QByteArray::number(size));
    QCOMPARE(done.header("Tincan-Sha256"), sha256Hex(data));

    const QString media = daemon.dataDir() + QStringLiteral("/media");
    const QStringList blobs = filesUnder(media + QStringLiteral("/blobs"));
    QCOMPARE(blobs, QStringList{blobPath(daemon, sha256Hex(data))});
    QCOMPARE(QFileInfo(blobs.first()).size(), size);
    QVERIFY2(filesUnder(media + QStringLiteral("/partial")).isEmpty(),
             qPrintable(filesUnder(media + QStringLiteral("/partial")).join(QLatin1Char(' '))));
    const auto signedUrl = downloadUrl(owner, id);
    QCOMPARE(signedUrl.status, 200);
    const HttpResponse got =
        httpRequest(daemon, "GET", signedUrl.body.value(QStringLiteral("url")).toString().toUtf8());
    QCOMPARE(got.status, 200);
    QVERIFY(got.body == data);
    QVERIFY2(daemon.stop(), qPrintable(daemon.output().right(3000)));
}

void TestMediaServer::uploadOnKeptAliveConnection_data()
{
    QTest::addColumn<bool>("tls");
    QTest::newRow("tls") << true;
    QTest::newRow("plain") << false;
}

void TestMediaServer::uploadOnKeptAliveConnection()
{
    // A connection that already carried API requests and a download then carries an upload
    // (what a client's connection pool, or nginx's upstream keepalive, does).
    QFETCH(bool, tls);
    TestServer &daemon = server(tls);
    const QByteArray earlier = randomBytes(300000);
    const QString earlierId = upload(daemon, alice(tls), earlier);
    QVERIFY(!earlierId.isEmpty());
    const QByteArray earlierUrl =
        downloadUrl(alice(tls), earlierId).body.value(QStringLiteral("url")).toString().toUtf8();
    const QByteArray data = randomBytes(200000);
    const auto reserved = reserve(alice(tls), data.size());
    QCOMPARE(reserved.status, 201);
    const QByteArray url = reserved.body.value(QStringLiteral("uploadUrl")).toString().toUtf8();

    HttpConnection connection(daemon);
    QVERIFY(connection.isConnected());
    QCOMPARE(connection.request("GET", "/healthz").status, 200);
    QCOMPARE(connection.request("HEAD", url).header("Upload-Offset"), QByteArray("0"));
    const HttpResponse downloaded = connection.request("GET", earlierUrl);
    QCOMPARE(downloaded.status, 200);
    QVERIFY(downloaded.body == earlier);
    const HttpResponse done = connection.request("PATCH", url, uploadHeaders(0), data);
    QCOMPARE(done.status, 204);
    QCOMPARE(done.header("Tincan-Sha256"), sha256Hex(data));
    QVERIFY(connection.waitClosed());
}

void TestMediaServer::uploadWithNetworkAccessManager_data()
{
    QTest::addColumn<bool>("tls");
    QTest::newRow("tls") << true;
    QTest::newRow("plain") << false;
}

void TestMediaServer::uploadWithNetworkAccessManager()
{
    // What a Qt client does: QNetworkAccessManager keeps connections to the host alive and
    // reuses them, here for an API call, then the upload, then the download.
    QFETCH(bool, tls);
    TestServer &daemon = server(tls);
    QNetworkAccessManager network;
    struct Answer
    {
        int status = 0;
        QNetworkReply::NetworkError error = QNetworkReply::NoError;
        QByteArray sha256;
        QByteArray body;
    };
    auto send = [&](const QNetworkRequest &request, const QByteArray &method,
                    const QByteArray &body) {
        std::unique_ptr<QNetworkReply> reply(network.sendCustomRequest(request, method, body));
        daemon.trust(reply.get());
        QSignalSpy finished(reply.get(), &QNetworkReply::finished);
        if (!reply->isFinished()) {
            finished.wait(Timeout);
        }
        return Answer{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                      reply->error(), reply->rawHeader("Tincan-Sha256"), reply->readAll()};
    };
    auto urlOf = [&](const QByteArray &relative) {
        return daemon.url().resolved(QUrl::fromEncoded(relative));
    };
    const QNetworkRequest health(urlOf("/healthz"));
    QCOMPARE(send(health, "GET", {}).status, 200);

    const QByteArray data = randomBytes(500000);
    const auto reserved = reserve(alice(tls), data.size());
    QCOMPARE(reserved.status, 201);
    QNetworkRequest patchRequest(
        urlOf(reserved.body.value(QStringLiteral("uploadUrl")).toString().toUtf8()));
    patchRequest.setRawHeader("Upload-Offset", "0");
    patchRequest.setHeader(QNetworkRequest::ContentTypeHeader,
                           QByteArrayLiteral("application/offset+octet-stream"));
    Answer answer = send(patchRequest, "PATCH", data);
    QCOMPARE(answer.error, QNetworkReply::NoError);
    QCOMPARE(answer.status, 204);
    QCOMPARE(answer.sha256, sha256Hex(data));

    // Another request right after: the closed upload connection is not reused.
    answer = send(health, "GET", {});
    QCOMPARE(answer.error, QNetworkReply::NoError);
    QCOMPARE(answer.status, 200);

    const auto signedUrl =
        downloadUrl(alice(tls), reserved.body.value(QStringLiteral("id")).toString());
    QCOMPARE(signedUrl.status, 200);
    QNetworkRequest get(urlOf(signedUrl.body.value(QStringLiteral("url")).toString().toUtf8()));
    answer = send(get, "GET", {});
    QCOMPARE(answer.status, 200);
    QVERIFY(answer.body == data);
    get.setRawHeader("Range", "bytes=1000-1999");
    answer = send(get, "GET", {});
    QCOMPARE(answer.status, 206);
    QVERIFY(answer.body == data.mid(1000, 1000));
}

// --------------------------------------------------------------------------- upload checks

void TestMediaServer::offsetsAndSizesAreChecked()
{
    TestServer &daemon = server(true);
    const QByteArray data = randomBytes(1000);
    const auto reserved = reserve(alice(true), data.size());
    QCOMPARE(reserved.status, 201);
    const QByteArray url = reserved.body.value(QStringLiteral("uploadUrl")).toString().toUtf8();

    // Not where the server is: told where it is.
    HttpResponse answer = patch(daemon, url, 5, data.mid(5, 100));
    QCOMPARE(answer.status, 409);
    QCOMPARE(answer.error(), QStringLiteral("offset_mismatch"));
    QCOMPARE(answer.header("Upload-Offset"), QByteArray("0"));

    // A first part, then a mismatch behind and ahead of it.
    answer = patch(daemon, url, 0, data.left(400));
    QCOMPARE(answer.status, 204);
    QCOMPARE(answer.header("Upload-Offset"), QByteArray("400"));
    QVERIFY(!answer.hasHeader("Tincan-Sha256"));
    for (const qint64 wrong : {0LL, 399LL, 401LL}) {
        answer = patch(daemon, url, wrong, data.mid(wrong, 10));
        QCOMPARE(answer.status, 409);
        QCOMPARE(answer.error(), QStringLiteral("offset_mismatch"));
        QCOMPARE(answer.header("Upload-Offset"), QByteArray("400"));
    }
    // More than the declared size: refused before anything is stored.
    answer = patch(daemon, url, 400, data.mid(400) + "x");
    QCOMPARE(answer.status, 413);
    QCOMPARE(answer.error(), QStringLiteral("too_large"));
    QCOMPARE(head(daemon, url).header("Upload-Offset"), QByteArray("400"));
    // An empty PATCH changes nothing.
    answer = patch(daemon, url, 400, {});
    QCOMPARE(answer.status, 204);
    QCOMPARE(answer.header("Upload-Offset"), QByteArray("400"));

    answer = patch(daemon, url, 400, data.mid(400));
    QCOMPARE(answer.status, 204);
    QCOMPARE(answer.header("Upload-Offset"), QByteArray("1000"));
    QCOMPARE(answer.header("Tincan-Sha256"), sha256Hex(data));
}

void TestMediaServer::expectContinue()
{
    // A client that asks before sending the body gets "100 Continue" when the upload can go
    // on, and the refusal (without reading the body) when it cannot.
    TestServer &daemon = server(true);
    const QByteArray data = randomBytes(64000);
    const auto reserved = reserve(alice(true), data.size());
    QCOMPARE(reserved.status, 201);
    const QByteArray url = reserved.body.value(QStringLiteral("uploadUrl")).toString().toUtf8();
    HttpHeaders headers = uploadHeaders(7);
    headers.emplaceBack("Expect", "100-continue");
    {
        HttpConnection refused(daemon);
        QVERIFY(refused.isConnected());
        QVERIFY(refused.write(HttpConnection::format("PATCH", url, headers, {}, data.size())));
        const HttpResponse answer = refused.readResponse();
        QCOMPARE(answer.status, 409);
        QCOMPARE(answer.error(), QStringLiteral("offset_mismatch"));
    }
    headers[0].second = "0";
    HttpConnection connection(daemon);
    QVERIFY(connection.isConnected());
    QVERIFY(connection.write(HttpConnection::format("PATCH", url, headers, {}, data.size())));
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            connection.socket().waitForReadyRead(10);
            return connection.socket().peek(100).startsWith("HTTP/1.1 100");
        }(),
        Timeout);
    QVERIFY(connection.write(data));
    const HttpResponse answer = connection.readResponse();
    QCOMPARE(answer.status, 204);
    QCOMPARE(answer.header("Tincan-Sha256"), sha256Hex(data));
}

void TestMediaServer::oneRequestUploadsAtATime()
{
    TestServer &daemon = server(true);
    const QByteArray data = randomBytes(100000);
    const auto reserved = reserve(alice(true), data.size());
    QCOMPARE(reserved.status, 201);
    const QByteArray url = reserved.body.value(QStringLiteral("uploadUrl")).toString().toUtf8();

    // A first request is receiving (its body is not complete)...
    HttpConnection first(daemon);
    QVERIFY(first.isConnected());
    QVERIFY(first.write(
        HttpConnection::format("PATCH", url, uploadHeaders(0), data.left(30000), data.size())));
    QTRY_COMPARE_WITH_TIMEOUT(head(daemon, url).header("Upload-Offset"), QByteArray("30000"),
                              Timeout);
    // ...so a second one for the same media is told to wait, whatever its offset.
    for (const qint64 offset : {0LL, 30000LL}) {
        const HttpResponse busy = patch(daemon, url, offset, data.mid(offset, 100));
        QCOMPARE(busy.status, 409);
        QCOMPARE(busy.error(), QStringLiteral("upload_busy"));
        QCOMPARE(busy.header("Retry-After"), QByteArray("1"));
    }
    // The first one goes on undisturbed.
    QVERIFY(first.write(data.mid(30000)));
    const HttpResponse done = first.readResponse();
    QCOMPARE(done.status, 204);
    QCOMPARE(done.header("Tincan-Sha256"), sha256Hex(data));
}

void TestMediaServer::stalledUploadIsClosedAndKept()
{
    // An upload that stops sending is closed after the idle timeout; what arrived stays.
    TestServer daemon(PlainConfig + QStringLiteral("[stream]\nidle_timeout_seconds=5\n"));
    QVERIFY(daemon.start());
    TestClient owner(daemon.url());
    QVERIFY(owner.registerAccount(QStringLiteral("owner")));
    const QByteArray data = randomBytes(10000);
    const auto reserved = reserve(owner, data.size());
    QCOMPARE(reserved.status, 201);
    const QByteArray url = reserved.body.value(QStringLiteral("uploadUrl")).toString().toUtf8();
    HttpConnection stalled(daemon);
    QVERIFY(stalled.isConnected());
    QVERIFY(stalled.write(
        HttpConnection::format("PATCH", url, uploadHeaders(0), data.left(4000), data.size())));
    QVERIFY(stalled.waitClosed(Timeout));
    QCOMPARE(head(daemon, url).header("Upload-Offset"), QByteArray("4000"));
    const HttpResponse done = patch(daemon, url, 4000, data.mid(4000));
    QCOMPARE(done.status, 204);
    QCOMPARE(done.header("Tincan-Sha256"), sha256Hex(data));
    QVERIFY2(daemon.stop(), qPrintable(daemon.output().right(3000)));
}

void TestMediaServer::deleteDuringUpload()
{
    // The owner cancels (DELETE) while a request is still uploading: the upload cannot complete
    // into a media that no longer exists, and nothing is left on disk.
    TestServer &daemon = server(true);
    const QByteArray data = randomBytes(50000);
    const auto reserved = reserve(alice(true), data.size());
    QCOMPARE(reserved.status, 201);
    const QString id = reserved.body.value(QStringLiteral("id")).toString();
    const QByteArray url = reserved.body.value(QStringLiteral("uploadUrl")).toString().toUtf8();
    HttpConnection uploading(daemon);
    QVERIFY(uploading.isConnected());
    QVERIFY(uploading.write(
        HttpConnection::format("PATCH", url, uploadHeaders(0), data.left(20000), data.size())));
    QTRY_COMPARE_WITH_TIMEOUT(head(daemon, url).header("Upload-Offset"), QByteArray("20000"),
                              Timeout);
    QCOMPARE(alice(true).call("DELETE", QStringLiteral("/v1/media/%1").arg(id)).status, 204);
    QVERIFY(!QFile::exists(partialPath(daemon, id)));

    uploading.write(data.mid(20000));
    const HttpResponse answer = uploading.readResponse();
    QCOMPARE(answer.status, 404);
    QCOMPARE(answer.error(), QStringLiteral("unknown_media"));
    QVERIFY(!QFile::exists(partialPath(daemon, id)));
    QVERIFY(!QFile::exists(blobPath(daemon, sha256Hex(data))));
    QCOMPARE(downloadUrl(alice(true), id).status, 404);
}

void TestMediaServer::malformedUploadsAreRefused()
{
    TestServer &daemon = server(true);
    const auto reserved = reserve(alice(true), 100);
    QCOMPARE(reserved.status, 201);
    const QString id = reserved.body.value(QStringLiteral("id")).toString();
    const QByteArray url = reserved.body.value(QStringLiteral("uploadUrl")).toString().toUtf8();
    const QByteArray body(10, 'x');

    // No Upload-Offset.
    HttpResponse answer = httpRequest(daemon, "PATCH", url, {}, body);
    QCOMPARE(answer.status, 400);
    QCOMPARE(answer.error(), QStringLiteral("invalid_request"));
    // Chunked (no Content-Length).
    {
        HttpConnection connection(daemon);
        QVERIFY(connection.isConnected());
        HttpHeaders chunked = uploadHeaders(0);
        chunked.emplaceBack("Transfer-Encoding", "chunked");
        connection.write(HttpConnection::format("PATCH", url, chunked) +
                         "a\r\nxxxxxxxxxx\r\n0\r\n\r\n");
        answer = connection.readResponse();
        QCOMPARE(answer.status, 400);
        QCOMPARE(answer.error(), QStringLiteral("invalid_request"));
    }
    // Not an upload path.
    answer = httpRequest(daemon, "PATCH", "/v1/messages", uploadHeaders(0), body);
    QCOMPARE(answer.status, 404);
    // An unknown media.
    answer = httpRequest(daemon, "PATCH",
                         "/v1/media/" + QByteArray(32, 'a') + "/upload?exp=1&max=1&sig=x",
                         uploadHeaders(0), body);
    QCOMPARE(answer.status, 404);
    QCOMPARE(answer.error(), QStringLiteral("unknown_media"));
    // No signature at all.
    answer = httpRequest(daemon, "PATCH", "/v1/media/" + id.toLatin1() + "/upload",
                         uploadHeaders(0), body);
    QCOMPARE(answer.status, 403);
    QCOMPARE(answer.error(), QStringLiteral("invalid_signature"));
    // None of it stored anything, and the server still serves.
    QCOMPARE(head(daemon, url).header("Upload-Offset"), QByteArray("0"));
    QCOMPARE(httpRequest(daemon, "GET", "/healthz").status, 200);
}

void TestMediaServer::reservationsAreLimited()
{
    // max_size=8388608 on the TLS daemon.
    auto reserved = reserve(alice(true), 8388609);
    QCOMPARE(reserved.status, 413);
    QCOMPARE(reserved.error.code, QStringLiteral("too_large"));
    reserved = reserve(alice(true), 8388608);
    QCOMPARE(reserved.status, 201);
    QCOMPARE(reserved.body.value(QStringLiteral("maxSize")).toInteger(), 8388608);
    reserved = reserve(alice(true), -1);
    QCOMPARE(reserved.status, 400);
    QJsonObject text{{QStringLiteral("size"), QStringLiteral("12")}};
    QCOMPARE(alice(true).call("POST", QStringLiteral("/v1/media"), &text).status, 400);
    QJsonObject none;
    QCOMPARE(alice(true).call("POST", QStringLiteral("/v1/media"), &none).status, 400);
}

void TestMediaServer::insufficientStorage()
{
    TestServer daemon(PlainConfig);
    QVERIFY(daemon.start());
    TestClient owner(daemon.url());
    QVERIFY(owner.registerAccount(QStringLiteral("owner")));
    const QByteArray data = randomBytes(5000);
    auto reserved = reserve(owner, data.size());
    QCOMPARE(reserved.status, 201);
    const QByteArray url = reserved.body.value(QStringLiteral("uploadUrl")).toString().toUtf8();
    QCOMPARE(patch(daemon, url, 0, data.left(1000)).status, 204);

    // The disk is "full" now: no new reservations, no more bytes; the stored ones stay.
    QVERIFY(reconfigure(daemon, PlainConfig + HugeMinFree));
    const auto refused = reserve(owner, 10);
    QCOMPARE(refused.status, 507);
    QCOMPARE(refused.error.code, QStringLiteral("insufficient_storage"));
    HttpResponse answer = patch(daemon, url, 1000, data.mid(1000));
    QCOMPARE(answer.status, 507);
    QCOMPARE(answer.error(), QStringLiteral("insufficient_storage"));
    QCOMPARE(answer.header("Upload-Offset"), QByteArray("1000"));
    QCOMPARE(head(daemon, url).header("Upload-Offset"), QByteArray("1000"));

    // Room again: the upload goes on where it stopped.
    QVERIFY(reconfigure(daemon, PlainConfig));
    answer = patch(daemon, url, 1000, data.mid(1000));
    QCOMPARE(answer.status, 204);
    QCOMPARE(answer.header("Tincan-Sha256"), sha256Hex(data));
    QVERIFY2(daemon.stop(), qPrintable(daemon.output().right(3000)));
}

// ------------------------------------------------------------------------------- signatures

void TestMediaServer::tamperedUrlsAreRefused()
{
    TestServer &daemon = server(true);
    const QByteArray data = randomBytes(2000);
    const QString done = upload(daemon, alice(true), data);
    QVERIFY(!done.isEmpty());
    const QByteArray content =
        downloadUrl(alice(true), done).body.value(QStringLiteral("url")).toString().toUtf8();
    // A second complete media, whose id is swapped into the first one's download URL.
    const QString second = upload(daemon, alice(true), randomBytes(2000));
    QVERIFY(!second.isEmpty());
    // Two uploads in progress, of the same size: one's URL is no URL for the other.
    const auto reserved = reserve(alice(true), 2000);
    QCOMPARE(reserved.status, 201);
    const QString pending = reserved.body.value(QStringLiteral("id")).toString();
    const QByteArray target = reserved.body.value(QStringLiteral("uploadUrl")).toString().toUtf8();
    const auto another = reserve(alice(true), 2000);
    QCOMPARE(another.status, 201);
    const QString anotherId = another.body.value(QStringLiteral("id")).toString();

    // The genuine URLs work.
    QCOMPARE(httpRequest(daemon, "GET", content).status, 200);
    QCOMPARE(head(daemon, target).status, 200);

    struct Case
    {
        const char *name;
        QByteArray url;
    };
    const qint64 contentExp =
        QUrlQuery(QUrl::fromEncoded(content)).queryItemValue(QStringLiteral("exp")).toLongLong();
    const QList<Case> downloads{
        {"tampered sig", withTamperedSignature(content)},
        {"no sig", withQueryItem(content, QStringLiteral("sig"), {})},
        {"changed max", withQueryItem(content, QStringLiteral("max"), QStringLiteral("1999"))},
        {"changed exp",
         withQueryItem(content, QStringLiteral("exp"), QString::number(contentExp + 3600))},
        {"other id in path", QByteArray(content).replace(done.toLatin1(), second.toLatin1())},
        {"upload signature on content", QByteArray(target)
                                            .replace("/upload?", "/content?")
                                            .replace(pending.toLatin1(), done.toLatin1())},
    };
    for (const Case &c : downloads) {
        const HttpResponse answer = httpRequest(daemon, "GET", c.url);
        QVERIFY2(answer.status == 403, c.name);
        QVERIFY2(answer.error() == QLatin1String("invalid_signature"), c.name);
        QVERIFY2(!answer.body.contains(data.left(16)), c.name);
        QVERIFY2(httpRequest(daemon, "HEAD", c.url).status == 403, c.name);
    }

    const qint64 targetExp =
        QUrlQuery(QUrl::fromEncoded(target)).queryItemValue(QStringLiteral("exp")).toLongLong();
    const QList<Case> uploads{
        {"tampered sig", withTamperedSignature(target)},
        {"changed max", withQueryItem(target, QStringLiteral("max"), QStringLiteral("1000000"))},
        {"changed exp",
         withQueryItem(target, QStringLiteral("exp"), QString::number(targetExp + 3600))},
        {"other id in path", QByteArray(target).replace(pending.toLatin1(), anotherId.toLatin1())},
        {"download signature on upload", QByteArray(content)
                                             .replace("/content?", "/upload?")
                                             .replace(done.toLatin1(), pending.toLatin1())},
    };
    for (const Case &c : uploads) {
        const HttpResponse patched = patch(daemon, c.url, 0, QByteArray(2000, 'x'));
        QVERIFY2(patched.status == 403, c.name);
        QVERIFY2(patched.error() == QLatin1String("invalid_signature"), c.name);
        QVERIFY2(head(daemon, c.url).status == 403, c.name);
    }
    // Nothing was stored through them.
    QCOMPARE(head(daemon, target).header("Upload-Offset"), QByteArray("0"));
    QCOMPARE(head(daemon, another.body.value(QStringLiteral("uploadUrl")).toString().toUtf8())
                 .header("Upload-Offset"),
             QByteArray("0"));
}

void TestMediaServer::expiredUrlsAreRefused()
{
    TestServer daemon(PlainConfig);
    QVERIFY(daemon.start());
    TestClient owner(daemon.url());
    QVERIFY(owner.registerAccount(QStringLiteral("owner")));
    const QByteArray data = randomBytes(3000);
    const QString complete = upload(daemon, owner, data);
    QVERIFY(!complete.isEmpty());
    const QByteArray longLived =
        downloadUrl(owner, complete).body.value(QStringLiteral("url")).toString().toUtf8();
    const auto pending = reserve(owner, 100);
    QCOMPARE(pending.status, 201);
    const QString pendingId = pending.body.value(QStringLiteral("id")).toString();

    // URLs now live one second.
    QVERIFY(reconfigure(daemon, PlainConfig + QStringLiteral("[media]\nurl_ttl_seconds=1\n")));
    // The signing key survived the restart: URLs handed out before it still work.
    HttpResponse got = httpRequest(daemon, "GET", longLived);
    QCOMPARE(got.status, 200);
    QVERIFY(got.body == data);

    const QJsonObject empty;
    const auto fresh =
        owner.call("POST", QStringLiteral("/v1/media/%1/upload-url").arg(pendingId), &empty);
    QCOMPARE(fresh.status, 200);
    const qint64 expiresAt = fresh.body.value(QStringLiteral("expiresAt")).toInteger();
    QVERIFY(expiresAt <= QDateTime::currentMSecsSinceEpoch() + 1000);
    const QByteArray uploadUrl = fresh.body.value(QStringLiteral("uploadUrl")).toString().toUtf8();
    QTRY_COMPARE_WITH_TIMEOUT(head(daemon, uploadUrl).status, 403, Timeout);
    HttpResponse answer = patch(daemon, uploadUrl, 0, QByteArray(100, 'x'));
    QCOMPARE(answer.status, 403);
    QCOMPARE(answer.error(), QStringLiteral("url_expired"));
    QCOMPARE(head(daemon, pending.body.value(QStringLiteral("uploadUrl")).toString().toUtf8())
                 .header("Upload-Offset"),
             QByteArray("0"));

    const QByteArray shortLived =
        downloadUrl(owner, complete).body.value(QStringLiteral("url")).toString().toUtf8();
    QTRY_COMPARE_WITH_TIMEOUT(httpRequest(daemon, "GET", shortLived).status, 403, Timeout);
    got = httpRequest(daemon, "GET", shortLived);
    QCOMPARE(got.error(), QStringLiteral("url_expired"));
    QVERIFY(!got.body.contains(data.left(16)));
    // A forged expiry is a forgery, not an expiry.
    got = httpRequest(daemon, "GET",
                      withQueryItem(shortLived, QStringLiteral("exp"),
                                    QString::number(QDateTime::currentSecsSinceEpoch() + 3600)));
    QCOMPARE(got.error(), QStringLiteral("invalid_signature"));
    QVERIFY2(daemon.stop(), qPrintable(daemon.output().right(3000)));
}

void TestMediaServer::completedUploadCannotBeReplayed()
{
    TestServer &daemon = server(true);
    const QByteArray data = randomBytes(1500);
    const auto reserved = reserve(alice(true), data.size());
    const QString id = reserved.body.value(QStringLiteral("id")).toString();
    const QByteArray url = reserved.body.value(QStringLiteral("uploadUrl")).toString().toUtf8();
    QCOMPARE(patch(daemon, url, 0, data).status, 204);

    // The same URL again, with the same bytes or others, at any offset.
    for (const qint64 offset : {0LL, 1500LL}) {
        const HttpResponse answer = patch(daemon, url, offset, randomBytes(offset == 0 ? 1500 : 0));
        QCOMPARE(answer.status, 403);
        QCOMPARE(answer.error(), QStringLiteral("upload_closed"));
    }
    const QJsonObject empty;
    const auto again =
        alice(true).call("POST", QStringLiteral("/v1/media/%1/upload-url").arg(id), &empty);
    QCOMPARE(again.status, 409);
    QCOMPARE(again.error.code, QStringLiteral("upload_closed"));
    // The stored bytes are the first ones.
    const HttpResponse got = httpRequest(
        daemon, "GET",
        downloadUrl(alice(true), id).body.value(QStringLiteral("url")).toString().toUtf8());
    QVERIFY(got.body == data);
    QCOMPARE(head(daemon, url).header("Tincan-Sha256"), sha256Hex(data));
}

// ----------------------------------------------------------------------------------- access

void TestMediaServer::directMessageGrantsAccess()
{
    TestServer &daemon = server(true);
    TestClient &owner = alice(true);
    const QByteArray data = randomBytes(4000);
    const QString id = upload(daemon, owner, data);
    QVERIFY(!id.isEmpty());

    // Not shared yet: only the uploader's account may download.
    auto bobUrl = downloadUrl(*m_bob, id);
    QCOMPARE(bobUrl.status, 403);
    QCOMPARE(bobUrl.error.code, QStringLiteral("forbidden"));
    QCOMPARE(downloadUrl(owner, id).status, 200);

    const QJsonObject message =
        directMessage(QStringLiteral("bob"), m_bob->core().profile().deviceId(), {id});
    const auto sent = owner.call("POST", QStringLiteral("/v1/messages"), &message);
    QCOMPARE(sent.status, 201);

    bobUrl = downloadUrl(*m_bob, id);
    QCOMPARE(bobUrl.status, 200);
    const HttpResponse got =
        httpRequest(daemon, "GET", bobUrl.body.value(QStringLiteral("url")).toString().toUtf8());
    QCOMPARE(got.status, 200);
    QVERIFY(got.body == data);
    // Someone outside the conversation still may not.
    const auto carolUrl = downloadUrl(*m_carol, id);
    QCOMPARE(carolUrl.status, 403);
    QCOMPARE(carolUrl.error.code, QStringLiteral("forbidden"));
    // Nor may bob share it on: it is not his.
    const QJsonObject forward =
        directMessage(QStringLiteral("carol"), m_carol->core().profile().deviceId(), {id});
    const auto forwarded = m_bob->call("POST", QStringLiteral("/v1/messages"), &forward);
    QCOMPARE(forwarded.status, 403);
    QCOMPARE(forwarded.error.code, QStringLiteral("forbidden"));
    QCOMPARE(downloadUrl(*m_carol, id).status, 403);
}

void TestMediaServer::groupMessageGrantsAccessToMembers()
{
    TestServer &daemon = server(true);
    TestClient &owner = alice(true);
    const QJsonObject create{{QStringLiteral("name"), QStringLiteral("media group")},
                             {QStringLiteral("members"), QJsonArray{QStringLiteral("dave")}}};
    const auto group = owner.call("POST", QStringLiteral("/v1/groups"), &create);
    QCOMPARE(group.status, 201);
    const QString groupId = group.body.value(QStringLiteral("id")).toString();
    const qint64 epoch = group.body.value(QStringLiteral("epoch")).toInteger();

    const QByteArray data = randomBytes(3000);
    const QString id = upload(daemon, owner, data);
    QVERIFY(!id.isEmpty());
    QCOMPARE(downloadUrl(*m_dave, id).status, 403);

    QJsonObject message{
        {QStringLiteral("clientMessageId"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
        {QStringLiteral("epoch"), epoch},
        {QStringLiteral("body"), QStringLiteral("AQQAAA==")},
        {QStringLiteral("media"), QJsonArray{id}}};
    const auto sent =
        owner.call("POST", QStringLiteral("/v1/groups/%1/messages").arg(groupId), &message);
    QVERIFY2(sent.status == 201, qPrintable(sent.error.message));

    m_groupId = groupId;
    m_groupMedia = id;
    const auto daveUrl = downloadUrl(*m_dave, id);
    QCOMPARE(daveUrl.status, 200);
    const HttpResponse got =
        httpRequest(daemon, "GET", daveUrl.body.value(QStringLiteral("url")).toString().toUtf8());
    QVERIFY(got.body == data);
    QCOMPARE(downloadUrl(*m_carol, id).status, 403);

    // A non-member cannot attach media to the group's messages either.
    const QString carols = upload(daemon, *m_carol, randomBytes(10));
    QVERIFY(!carols.isEmpty());
    message.insert(QStringLiteral("clientMessageId"),
                   QUuid::createUuid().toString(QUuid::WithoutBraces));
    message.insert(QStringLiteral("media"), QJsonArray{carols});
    const auto outsider =
        m_carol->call("POST", QStringLiteral("/v1/groups/%1/messages").arg(groupId), &message);
    QCOMPARE(outsider.status, 404);
    QCOMPARE(downloadUrl(*m_dave, carols).status, 403);
}

void TestMediaServer::leavingTheGroupEndsAccess()
{
    QVERIFY(!m_groupMedia.isEmpty());
    QCOMPARE(downloadUrl(*m_dave, m_groupMedia).status, 200);
    const auto removed =
        alice(true).call("DELETE", QStringLiteral("/v1/groups/%1/members/dave").arg(m_groupId));
    QVERIFY2(removed.ok(), qPrintable(removed.error.message));
    const auto refused = downloadUrl(*m_dave, m_groupMedia);
    QCOMPARE(refused.status, 403);
    QCOMPARE(refused.error.code, QStringLiteral("forbidden"));
    QCOMPARE(downloadUrl(alice(true), m_groupMedia).status, 200);
}

void TestMediaServer::sendingNeedsOwnCompleteMedia()
{
    TestServer &daemon = server(true);
    const QString alices = upload(daemon, alice(true), randomBytes(100));
    QVERIFY(!alices.isEmpty());
    const qint64 aliceDevice = alice(true).core().profile().deviceId();
    const qint64 bobInbox = m_bob->inboxSize();
    const qint64 aliceInbox = alice(true).inboxSize();

    // Someone else's media.
    QJsonObject message = directMessage(QStringLiteral("alice"), aliceDevice, {alices});
    auto sent = m_bob->call("POST", QStringLiteral("/v1/messages"), &message);
    QCOMPARE(sent.status, 403);
    QCOMPARE(sent.error.code, QStringLiteral("forbidden"));
    // One's own, not completely uploaded.
    const auto unfinished = reserve(*m_bob, 100);
    const QString unfinishedId = unfinished.body.value(QStringLiteral("id")).toString();
    message = directMessage(QStringLiteral("alice"), aliceDevice, {unfinishedId});
    sent = m_bob->call("POST", QStringLiteral("/v1/messages"), &message);
    QCOMPARE(sent.status, 409);
    QCOMPARE(sent.error.code, QStringLiteral("media_not_ready"));
    // Unknown and malformed ids.
    message = directMessage(QStringLiteral("alice"), aliceDevice,
                            {QString::fromLatin1(QByteArray(32, 'e'))});
    sent = m_bob->call("POST", QStringLiteral("/v1/messages"), &message);
    QCOMPARE(sent.status, 404);
    QCOMPARE(sent.error.code, QStringLiteral("unknown_media"));
    message = directMessage(QStringLiteral("alice"), aliceDevice, {QStringLiteral("../x")});
    QCOMPARE(m_bob->call("POST", QStringLiteral("/v1/messages"), &message).status, 400);
    // A list mixing a good and a bad id attaches nothing.
    const QString bobs = upload(daemon, *m_bob, randomBytes(100));
    QVERIFY(!bobs.isEmpty());
    message = directMessage(QStringLiteral("alice"), aliceDevice, {bobs, alices});
    QCOMPARE(m_bob->call("POST", QStringLiteral("/v1/messages"), &message).status, 403);
    QCOMPARE(downloadUrl(alice(true), bobs).status, 403);
    // None of these messages went out.
    QCOMPARE(alice(true).inboxSize(), aliceInbox);
    QCOMPARE(m_bob->inboxSize(), bobInbox);
}

void TestMediaServer::unknownAndUnfinishedMedia()
{
    TestServer &daemon = server(true);
    const auto unfinished = reserve(alice(true), 100);
    QCOMPARE(unfinished.status, 201);
    const QString id = unfinished.body.value(QStringLiteral("id")).toString();
    QCOMPARE(patch(daemon, unfinished.body.value(QStringLiteral("uploadUrl")).toString().toUtf8(),
                   0, QByteArray(50, 'x'))
                 .status,
             204);
    auto result = downloadUrl(alice(true), id);
    QCOMPARE(result.status, 409);
    QCOMPARE(result.error.code, QStringLiteral("media_not_ready"));

    const QJsonObject empty;
    for (const QString &unknown :
         {QString::fromLatin1(QByteArray(32, '0')), QStringLiteral("not-a-media-id"),
          QString::fromLatin1(QByteArray(32, 'A'))}) {
        result = downloadUrl(alice(true), unknown);
        QCOMPARE(result.status, 404);
        QCOMPARE(result.error.code, QStringLiteral("unknown_media"));
        result = alice(true).call("POST", QStringLiteral("/v1/media/%1/upload-url").arg(unknown),
                                  &empty);
        QCOMPARE(result.status, 404);
        QCOMPARE(alice(true).call("DELETE", QStringLiteral("/v1/media/%1").arg(unknown)).status,
                 404);
        const HttpResponse got = httpRequest(
            daemon, "GET", "/v1/media/" + unknown.toLatin1() + "/content?exp=1&max=1&sig=x");
        QCOMPARE(got.status, 404);
    }
    // Someone else's upload in progress is none of bob's business: as if it did not exist.
    result = m_bob->call("POST", QStringLiteral("/v1/media/%1/upload-url").arg(id), &empty);
    QCOMPARE(result.status, 404);
    QCOMPARE(m_bob->call("DELETE", QStringLiteral("/v1/media/%1").arg(id)).status, 404);
    result = downloadUrl(*m_bob, id);
    QCOMPARE(result.status, 403);
}

void TestMediaServer::deleteOnlyUnreferencedMedia()
{
    TestServer &daemon = server(true);
    TestClient &owner = alice(true);
    // A complete, unsent upload: its blob goes with it.
    const QByteArray data = randomBytes(2500);
    const QString draft = upload(daemon, owner, data);
    QVERIFY(!draft.isEmpty());
    const QByteArray draftUrl =
        downloadUrl(owner, draft).body.value(QStringLiteral("url")).toString().toUtf8();
    QVERIFY(QFile::exists(blobPath(daemon, sha256Hex(data))));
    QCOMPARE(m_bob->call("DELETE", QStringLiteral("/v1/media/%1").arg(draft)).status, 404);
    QCOMPARE(owner.call("DELETE", QStringLiteral("/v1/media/%1").arg(draft)).status, 204);
    QVERIFY(!QFile::exists(blobPath(daemon, sha256Hex(data))));
    QCOMPARE(downloadUrl(owner, draft).status, 404);
    QCOMPARE(httpRequest(daemon, "GET", draftUrl).status, 404);
    QCOMPARE(owner.call("DELETE", QStringLiteral("/v1/media/%1").arg(draft)).status, 404);

    // Two uploads of the same bytes share one blob file, which stays until neither uses it.
    const QByteArray twice = randomBytes(1200);
    const QString firstCopy = upload(daemon, owner, twice);
    const QString secondCopy = upload(daemon, owner, twice);
    QVERIFY(!firstCopy.isEmpty() && !secondCopy.isEmpty() && firstCopy != secondCopy);
    QCOMPARE(owner.call("DELETE", QStringLiteral("/v1/media/%1").arg(firstCopy)).status, 204);
    QVERIFY(QFile::exists(blobPath(daemon, sha256Hex(twice))));
    const HttpResponse copy = httpRequest(
        daemon, "GET",
        downloadUrl(owner, secondCopy).body.value(QStringLiteral("url")).toString().toUtf8());
    QCOMPARE(copy.status, 200);
    QVERIFY(copy.body == twice);
    QCOMPARE(owner.call("DELETE", QStringLiteral("/v1/media/%1").arg(secondCopy)).status, 204);
    QVERIFY(!QFile::exists(blobPath(daemon, sha256Hex(twice))));

    // A cancelled upload: its partial file goes.
    const auto cancelled = reserve(owner, 1000);
    const QString cancelledId = cancelled.body.value(QStringLiteral("id")).toString();
    const QByteArray cancelledUrl =
        cancelled.body.value(QStringLiteral("uploadUrl")).toString().toUtf8();
    QCOMPARE(patch(daemon, cancelledUrl, 0, QByteArray(300, 'c')).status, 204);
    QCOMPARE(QFileInfo(partialPath(daemon, cancelledId)).size(), 300);
    QCOMPARE(owner.call("DELETE", QStringLiteral("/v1/media/%1").arg(cancelledId)).status, 204);
    QVERIFY(!QFile::exists(partialPath(daemon, cancelledId)));
    QCOMPARE(patch(daemon, cancelledUrl, 300, QByteArray(700, 'c')).status, 404);

    // Once sent, it stays (its recipients may still fetch it).
    const QByteArray sentData = randomBytes(2600);
    const QString sent = upload(daemon, owner, sentData);
    QVERIFY(!sent.isEmpty());
    const QJsonObject message =
        directMessage(QStringLiteral("bob"), m_bob->core().profile().deviceId(), {sent});
    QCOMPARE(owner.call("POST", QStringLiteral("/v1/messages"), &message).status, 201);
    const auto refused = owner.call("DELETE", QStringLiteral("/v1/media/%1").arg(sent));
    QCOMPARE(refused.status, 409);
    QVERIFY(QFile::exists(blobPath(daemon, sha256Hex(sentData))));
    QCOMPARE(downloadUrl(*m_bob, sent).status, 200);
}

// ------------------------------------------------------------------------------------ purge

void TestMediaServer::purgeRemovesForgottenUploads()
{
    // Unreferenced uploads are purged after [media] unreferenced_grace_seconds (at least 60 s).
    // Rather than wait, the test ages them in the database while the daemon is down; the
    // daemon purges when it starts.
    const QString config = PlainConfig + QStringLiteral("[media]\nunreferenced_grace_seconds=60\n");
    TestServer daemon(config);
    QVERIFY(daemon.start());
    TestClient owner(daemon.url());
    TestClient friendly(daemon.url());
    QVERIFY(owner.registerAccount(QStringLiteral("owner")));
    QVERIFY(friendly.registerAccount(QStringLiteral("friend")));
    QVERIFY(ensureKeys(friendly));

    const QByteArray forgottenData = randomBytes(1000);
    const QString forgotten = upload(daemon, owner, forgottenData);
    const auto partial = reserve(owner, 1000);
    const QString partialId = partial.body.value(QStringLiteral("id")).toString();
    QCOMPARE(patch(daemon, partial.body.value(QStringLiteral("uploadUrl")).toString().toUtf8(), 0,
                   QByteArray(10, 'p'))
                 .status,
             204);
    const QByteArray sentData = randomBytes(1000);
    const QString sent = upload(daemon, owner, sentData);
    const QByteArray youngData = randomBytes(1000);
    QVERIFY(!forgotten.isEmpty() && !sent.isEmpty());
    const QJsonObject message =
        directMessage(QStringLiteral("friend"), friendly.core().profile().deviceId(), {sent});
    QCOMPARE(owner.call("POST", QStringLiteral("/v1/messages"), &message).status, 201);

    // Nothing is old enough yet: a restart purges nothing.
    QVERIFY(reconfigure(daemon, config));
    QCOMPARE(downloadUrl(owner, forgotten).status, 200);

    QVERIFY2(daemon.stop(), qPrintable(daemon.output().right(3000)));
    {
        const QString name = QStringLiteral("age-media");
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(daemon.dataDir() + QStringLiteral("/tincand.db"));
            QVERIFY(db.open());
            QSqlQuery query(db);
            QVERIFY(
                query.exec(QStringLiteral("UPDATE media SET created_at = created_at - 3600000")));
            QCOMPARE(query.numRowsAffected(), 3);
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
    }
    QVERIFY(daemon.restart());
    // Made after the ageing: young, kept.
    const QString young = upload(daemon, owner, youngData);
    QVERIFY(!young.isEmpty());

    QTRY_COMPARE_WITH_TIMEOUT(downloadUrl(owner, forgotten).status, 404, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(blobPath(daemon, sha256Hex(forgottenData))), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(partialPath(daemon, partialId)), Timeout);
    QCOMPARE(downloadUrl(owner, partialId).status, 404);
    // What was sent stays for its recipients; the young upload stays for its grace period.
    QCOMPARE(downloadUrl(friendly, sent).status, 200);
    QVERIFY(QFile::exists(blobPath(daemon, sha256Hex(sentData))));
    QCOMPARE(downloadUrl(owner, young).status, 200);
    QVERIFY(QFile::exists(blobPath(daemon, sha256Hex(youngData))));
    QVERIFY2(daemon.stop(), qPrintable(daemon.output().right(3000)));
}

QTEST_GUILESS_MAIN(TestMediaServer)
#include "tst_mediaserver.moc"
