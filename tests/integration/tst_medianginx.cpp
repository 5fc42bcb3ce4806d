// Media through nginx as packaged (packaging/nginx/tincan.conf) in front of a plain-HTTP tincand:
// uploads stream through it, downloads are cached by path, and a cached blob is still only
// served to URLs that tincand's signature check accepts.
#include "tests/common/NginxProcess.h"
#include "tests/common/RawHttp.h"
#include "tests/common/TestClient.h"
#include "tests/common/TestServer.h"

#include <QCryptographicHash>
#include <QFile>
#include <QRandomGenerator>
#include <QUrlQuery>
#include <QtTest>

using namespace Tincan;
using namespace Tincan::Test;

namespace {

constexpr int Timeout = 20000;

const QString PlainConfig = QStringLiteral("[tls]\nenabled=false\n");

} // namespace

class TestMediaNginx : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void uploadStreamsThroughNginx();
    void downloadsAreCachedByPath();
    void rangesAreServedFromTheCache();
    void cachedMediaNeedsAValidSignature();
    void pathTricksDoNotBorrowASignature();
    void emptyMediaThroughNginx();
    void blobOfSeveralSlices();
    void expiredUrlIsRefusedForCachedMedia();

private:
    //! A request to nginx on a connection of its own.
    HttpResponse get(const QByteArray &target, const HttpHeaders &headers = {},
                     const QByteArray &method = "GET")
    {
        return httpRequest(m_nginx->port(), method, target, headers);
    }
    Client::ApiResult reserve(qint64 size)
    {
        const QJsonObject body{{QStringLiteral("size"), size}};
        return m_alice->call("POST", QStringLiteral("/v1/media"), &body);
    }
    QByteArray downloadUrl(const QString &id)
    {
        const QJsonObject empty;
        return m_alice->call("POST", QStringLiteral("/v1/media/%1/download-url").arg(id), &empty)
            .body.value(QStringLiteral("url"))
            .toString()
            .toUtf8();
    }
    //! Uploads in one PATCH through nginx; the media id or empty.
    QString upload(const QByteArray &data);
    //! How many requests for this media nginx logged as cache misses (fetched from tincand).
    int upstreamFetches(const QString &id) const;

    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<NginxProcess> m_nginx;
    std::unique_ptr<TestClient> m_alice;
    QString m_id;
    QByteArray m_data;
};

void TestMediaNginx::initTestCase()
{
    if (!NginxProcess::available()) {
        QSKIP("nginx is not installed (/usr/sbin/nginx); scripts/install-deps.sh installs it");
    }
    m_server = std::make_unique<TestServer>(PlainConfig);
    QVERIFY(m_server->start());
    QString error;
    const QString site = NginxProcess::tincanSite(m_server->port(), &error);
    QVERIFY2(!site.isEmpty(), qPrintable(error));
    m_nginx = std::make_unique<NginxProcess>(site);
    QVERIFY2(m_nginx->start(), qPrintable(m_nginx->diagnostics()));
    // The client only knows nginx.
    m_alice = std::make_unique<TestClient>(m_nginx->url());
    QVERIFY(m_alice->registerAccount(QStringLiteral("alice")));
}

void TestMediaNginx::cleanupTestCase()
{
    if (m_nginx) {
        QVERIFY2(m_nginx->stop(), qPrintable(m_nginx->diagnostics()));
    }
    if (m_server) {
        QVERIFY2(m_server->stop(), qPrintable(m_server->output().right(3000)));
    }
}

QString TestMediaNginx::upload(const QByteArray &data)
{
    const auto reserved = reserve(data.size());
    if (reserved.status != 201) {
        return {};
    }
    HttpHeaders headers = uploadHeaders(0);
    if (data.isEmpty()) {
        headers.emplaceBack("Content-Length", "0");
    }
    const HttpResponse done = httpRequest(
        m_nginx->port(), "PATCH",
        reserved.body.value(QStringLiteral("uploadUrl")).toString().toUtf8(), headers, data);
    if (done.status != 204 || done.header("Tincan-Sha256") != sha256Hex(data)) {
        qWarning("upload through nginx failed: %d %s", done.status, done.body.constData());
        return {};
    }
    return reserved.body.value(QStringLiteral("id")).toString();
}

int TestMediaNginx::upstreamFetches(const QString &id) const
{
    // Only the blob fetches (GET with a slice range) count, not the auth_request HEADs, which
    // the access log does not list (subrequests are not logged).
    int count = 0;
    const QStringList lines = m_nginx->accessLog().split(QLatin1Char('\n'));
    for (const QString &line : lines) {
        if (line.contains(id) && line.contains(QStringLiteral("cache=MISS"))) {
            ++count;
        }
    }
    return count;
}

void TestMediaNginx::uploadStreamsThroughNginx()
{
    // Big enough that nginx could not have buffered it in memory (client_body_buffer_size is
    // 16k): with proxy_request_buffering off it streams, and the offset works as direct.
    const qint64 size = 3 * 1024 * 1024 + 777;
    m_data = randomBytes(size);
    const auto reserved = reserve(size);
    QCOMPARE(reserved.status, 201);
    m_id = reserved.body.value(QStringLiteral("id")).toString();
    const QByteArray url = reserved.body.value(QStringLiteral("uploadUrl")).toString().toUtf8();

    HttpResponse status = get(url, {}, "HEAD");
    QCOMPARE(status.status, 200);
    QCOMPARE(status.header("Upload-Offset"), QByteArray("0"));

    const qint64 half = size / 2;
    HttpResponse answer =
        httpRequest(m_nginx->port(), "PATCH", url, uploadHeaders(0), m_data.left(half));
    QCOMPARE(answer.status, 204);
    QCOMPARE(answer.header("Upload-Offset"), QByteArray::number(half));
    QCOMPARE(get(url, {}, "HEAD").header("Upload-Offset"), QByteArray::number(half));
    // tincand's refusals come through as they are.
    answer = httpRequest(m_nginx->port(), "PATCH", url, uploadHeaders(0), m_data.left(10));
    QCOMPARE(answer.status, 409);
    QCOMPARE(answer.error(), QStringLiteral("offset_mismatch"));
    QCOMPARE(answer.header("Upload-Offset"), QByteArray::number(half));

    answer = httpRequest(m_nginx->port(), "PATCH", url, uploadHeaders(half), m_data.mid(half));
    QCOMPARE(answer.status, 204);
    QCOMPARE(answer.header("Tincan-Sha256"), sha256Hex(m_data));
    status = get(url, {}, "HEAD");
    QCOMPARE(status.header("Upload-Offset"), QByteArray::number(size));
    QCOMPARE(status.header("Tincan-Sha256"), sha256Hex(m_data));
    // Nginx never stored the body on its disk.
    QVERIFY2(!m_nginx->errorLog().contains(QStringLiteral("buffered to a temporary file")),
             qPrintable(m_nginx->errorLog()));
    QVERIFY(QFile::exists(m_server->dataDir() + QStringLiteral("/media/blobs/") +
                          QString::fromLatin1(sha256Hex(m_data).left(2)) + QLatin1Char('/') +
                          QString::fromLatin1(sha256Hex(m_data))));
}

void TestMediaNginx::downloadsAreCachedByPath()
{
    QVERIFY(!m_id.isEmpty());
    const QByteArray url = downloadUrl(m_id);
    QVERIFY(!url.isEmpty());
    const QByteArray etag = '"' + sha256Hex(m_data) + '"';

    HttpResponse first = get(url);
    QCOMPARE(first.status, 200);
    QCOMPARE(first.header("X-Cache-Status"), QByteArray("MISS"));
    QCOMPARE(first.body.size(), m_data.size());
    QVERIFY(first.body == m_data);
    QCOMPARE(first.header("ETag"), etag);
    QCOMPARE(first.header("Content-Length"), QByteArray::number(m_data.size()));

    HttpResponse second = get(url);
    QCOMPARE(second.status, 200);
    QCOMPARE(second.header("X-Cache-Status"), QByteArray("HIT"));
    QVERIFY(second.body == m_data);
    QCOMPARE(second.header("ETag"), etag);

    // Another query (an item tincand does not sign; a later URL of the media would do as
    // well) is the same cache entry: the key is the path.
    const HttpResponse third = get(url + "&client=2");
    QCOMPARE(third.status, 200);
    QCOMPARE(third.header("X-Cache-Status"), QByteArray("HIT"));
    QVERIFY(third.body == m_data);
    // The blob went through tincand once, for the first request.
    QTRY_COMPARE_WITH_TIMEOUT(upstreamFetches(m_id), 1, Timeout);
}

void TestMediaNginx::rangesAreServedFromTheCache()
{
    QVERIFY(!m_id.isEmpty());
    const QByteArray url = downloadUrl(m_id);
    const QByteArray total = '/' + QByteArray::number(m_data.size());
    HttpResponse got = get(url, {{"Range", "bytes=100-199"}});
    QCOMPARE(got.status, 206);
    QCOMPARE(got.header("Content-Range"), "bytes 100-199" + total);
    QVERIFY(got.body == m_data.mid(100, 100));
    QCOMPARE(got.header("X-Cache-Status"), QByteArray("HIT"));
    got = get(url, {{"Range", "bytes=-50"}});
    QCOMPARE(got.status, 206);
    QVERIFY(got.body == m_data.right(50));
    got = get(url, {{"Range", "bytes=2000000-"}});
    QCOMPARE(got.status, 206);
    QVERIFY(got.body == m_data.mid(2000000));
    got = get(url, {{"Range", "bytes=" + QByteArray::number(m_data.size()) + '-'}});
    QCOMPARE(got.status, 416);
    QCOMPARE(got.header("Content-Range"), "bytes */" + QByteArray::number(m_data.size()));
    QVERIFY(!got.body.contains(m_data.left(16)));
    // Still one fetch from tincand.
    QCOMPARE(upstreamFetches(m_id), 1);
}

void TestMediaNginx::cachedMediaNeedsAValidSignature()
{
    QVERIFY(!m_id.isEmpty());
    const QByteArray url = downloadUrl(m_id);
    QCOMPARE(get(url).header("X-Cache-Status"), QByteArray("HIT"));
    const qint64 exp =
        QUrlQuery(QUrl::fromEncoded(url)).queryItemValue(QStringLiteral("exp")).toLongLong();
    const QList<QPair<const char *, QByteArray>> forged{
        {"tampered sig", withTamperedSignature(url)},
        {"no sig", withQueryItem(url, QStringLiteral("sig"), {})},
        {"changed exp", withQueryItem(url, QStringLiteral("exp"), QString::number(exp + 3600))},
        {"changed max", withQueryItem(url, QStringLiteral("max"), QStringLiteral("1"))},
        {"no query", url.left(url.indexOf('?'))},
    };
    for (const auto &[name, target] : forged) {
        for (const QByteArray &method : {QByteArray("GET"), QByteArray("HEAD")}) {
            const HttpResponse answer = get(target, {{"Range", "bytes=0-99"}}, method);
            QVERIFY2(answer.status == 403, name);
            QVERIFY2(!answer.body.contains(m_data.left(16)), name);
            QVERIFY2(!answer.body.contains(m_data.mid(50, 16)), name);
            QVERIFY2(answer.header("X-Cache-Status") != "HIT", name);
            if (method == "GET") {
                QVERIFY2(answer.error() == QLatin1String("invalid_signature"), name);
            }
        }
    }
    // An unknown media is tincand's 404, not a cache entry.
    const HttpResponse unknown =
        get("/v1/media/" + QByteArray(32, 'f') + "/content?exp=1&max=1&sig=x");
    QCOMPARE(unknown.status, 404);
    QCOMPARE(unknown.error(), QStringLiteral("unknown_media"));
}

void TestMediaNginx::pathTricksDoNotBorrowASignature()
{
    // A valid URL for a small media of one's own, and a cached media one may not download:
    // nginx normalises the path before the cache look-up, and sends tincand that normalised
    // path to check the signature against.
    QVERIFY(!m_id.isEmpty());
    const QByteArray own = randomBytes(64);
    const QString ownId = upload(own);
    QVERIFY(!ownId.isEmpty());
    const QByteArray ownUrl = downloadUrl(ownId);
    QCOMPARE(get(ownUrl).status, 200);
    const QByteArray query = ownUrl.mid(ownUrl.indexOf('?'));
    const QByteArray victim = m_id.toLatin1();
    for (const QByteArray &path : {
             "/v1/media/" + ownId.toLatin1() + "/../" + victim + "/content",
             "/v1/media/" + ownId.toLatin1() + "/%2E%2E/" + victim + "/content",
             "/v1/media/" + victim + "/content",
             "/v1/media/" + victim + "//content",
             "/v1/media/./" + victim + "/content",
         }) {
        const HttpResponse answer = get(path + query);
        QVERIFY2(answer.status == 403 || answer.status == 404 || answer.status == 400,
                 (path + " -> " + QByteArray::number(answer.status)).constData());
        QVERIFY2(!answer.body.contains(m_data.left(16)), path.constData());
        QVERIFY2(answer.body.size() < 1000, path.constData());
    }
}

void TestMediaNginx::emptyMediaThroughNginx()
{
    const QString id = upload({});
    QVERIFY(!id.isEmpty());
    const QByteArray url = downloadUrl(id);
    for (int i = 0; i < 2; ++i) {
        const HttpResponse got = get(url);
        QCOMPARE(got.status, 200);
        QVERIFY(got.body.isEmpty());
        QCOMPARE(got.header("Content-Length"), QByteArray("0"));
        QCOMPARE(got.header("ETag"), '"' + sha256Hex({}) + '"');
    }
    QCOMPARE(get(withTamperedSignature(url)).status, 403);
}

void TestMediaNginx::blobOfSeveralSlices()
{
    // nginx caches in 8 MiB slices, each fetched from tincand with a Range: a blob of two, read
    // first by a range across the boundary (cold cache), then whole.
    const qint64 slice = 8 * 1024 * 1024;
    const QByteArray data = randomBytes(slice + 100000);
    const QString id = upload(data);
    QVERIFY(!id.isEmpty());
    const QByteArray url = downloadUrl(id);
    HttpResponse got = get(url, {{"Range", "bytes=8388000-8389000"}});
    QCOMPARE(got.status, 206);
    QCOMPARE(got.header("Content-Range"),
             "bytes 8388000-8389000/" + QByteArray::number(data.size()));
    QVERIFY(got.body == data.mid(8388000, 1001));
    for (int i = 0; i < 2; ++i) {
        got = get(url);
        QCOMPARE(got.status, 200);
        QCOMPARE(got.body.size(), data.size());
        QVERIFY(got.body == data);
        QCOMPARE(got.header("ETag"), '"' + sha256Hex(data) + '"');
    }
    QCOMPARE(got.header("X-Cache-Status"), QByteArray("HIT"));
    got = get(url, {{"Range", "bytes=-10"}});
    QCOMPARE(got.status, 206);
    QVERIFY(got.body == data.right(10));
}

void TestMediaNginx::expiredUrlIsRefusedForCachedMedia()
{
    QVERIFY(!m_id.isEmpty());
    QCOMPARE(get(downloadUrl(m_id)).header("X-Cache-Status"), QByteArray("HIT"));
    // tincand restarts with one-second URLs; nginx stays up and keeps its cache.
    QVERIFY(m_server->stop());
    QFile file(m_server->configPath());
    QVERIFY(file.open(QIODevice::Append));
    file.write("[media]\nurl_ttl_seconds=1\n");
    file.close();
    QVERIFY(m_server->restart());
    const QByteArray url = downloadUrl(m_id);
    QVERIFY(!url.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(get(url).status, 403, Timeout);
    const HttpResponse answer = get(url);
    QCOMPARE(answer.error(), QStringLiteral("url_expired"));
    QVERIFY(!answer.body.contains(m_data.left(16)));
    QVERIFY(answer.header("X-Cache-Status") != "HIT");
}

QTEST_GUILESS_MAIN(TestMediaNginx)
#include "tst_medianginx.moc"
