// Unit tests for the media building blocks without a daemon: the Range header parser
// (server/http/HttpRange) and the signed media URLs (server/media/UrlSigner).

#include "server/http/HttpRange.h"
#include "server/media/UrlSigner.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QUrl>
#include <QUrlQuery>
#include <QtTest>

using namespace Tincan::Server;

Q_DECLARE_METATYPE(Tincan::Server::RangeResult)

namespace {

const QString MediaId = QStringLiteral("0123456789abcdef0123456789abcdef");
const QString OtherId = QStringLiteral("fedcba9876543210fedcba9876543210");
constexpr qint64 Now = 1700000000;

QByteArray key(char fill)
{
    return QByteArray(32, fill);
}

QUrlQuery queryOf(const QString &relativeUrl)
{
    return QUrlQuery(QUrl(relativeUrl));
}

//! `query` with one item's value replaced.
QUrlQuery withItem(QUrlQuery query, const QString &name, const QString &value)
{
    query.removeAllQueryItems(name);
    query.addQueryItem(name, value);
    return query;
}

} // namespace

class TestMediaUnits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseRange_data();
    void parseRange();

    void signedUrlRoundTrip_data();
    void signedUrlRoundTrip();
    void anyChangeInvalidates_data();
    void anyChangeInvalidates();
    void everySignatureCharacterCounts();
    void expiry();
    void forgedAndExpiredIsInvalid();
    void operationsAreNotInterchangeable();
    void keyFileIsCreatedOnceAndKept();
    void badKeyFileIsRefused();
};

// ------------------------------------------------------------------------------------ ranges

void TestMediaUnits::parseRange_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<qint64>("size");
    QTest::addColumn<RangeResult>("result");
    QTest::addColumn<qint64>("first");
    QTest::addColumn<qint64>("last");

    const auto whole = RangeResult::Whole;
    const auto partial = RangeResult::Partial;
    const auto unsatisfiable = RangeResult::Unsatisfiable;

    QTest::newRow("absent") << QByteArray() << 100LL << whole << 0LL << 0LL;
    QTest::newRow("first byte") << QByteArray("bytes=0-0") << 100LL << partial << 0LL << 0LL;
    QTest::newRow("all explicitly") << QByteArray("bytes=0-99") << 100LL << partial << 0LL << 99LL;
    QTest::newRow("middle") << QByteArray("bytes=10-19") << 100LL << partial << 10LL << 19LL;
    QTest::newRow("open end") << QByteArray("bytes=10-") << 100LL << partial << 10LL << 99LL;
    QTest::newRow("last byte open") << QByteArray("bytes=99-") << 100LL << partial << 99LL << 99LL;
    QTest::newRow("last clamped") << QByteArray("bytes=50-1000") << 100LL << partial << 50LL
                                  << 99LL;
    QTest::newRow("last = size") << QByteArray("bytes=0-100") << 100LL << partial << 0LL << 99LL;
    QTest::newRow("suffix") << QByteArray("bytes=-10") << 100LL << partial << 90LL << 99LL;
    QTest::newRow("suffix = size") << QByteArray("bytes=-100") << 100LL << partial << 0LL << 99LL;
    QTest::newRow("suffix > size") << QByteArray("bytes=-200") << 100LL << partial << 0LL << 99LL;
    QTest::newRow("suffix 1") << QByteArray("bytes=-1") << 100LL << partial << 99LL << 99LL;
    QTest::newRow("leading zeros") << QByteArray("bytes=007-008") << 100LL << partial << 7LL << 8LL;
    QTest::newRow("white space") << QByteArray("  bytes= 5-9 ") << 100LL << partial << 5LL << 9LL;
    QTest::newRow("18 digits end")
        << QByteArray("bytes=1-999999999999999999") << 100LL << partial << 1LL << 99LL;
    QTest::newRow("beyond 4 GiB") << QByteArray("bytes=4294967296-") << 5368709120LL << partial
                                  << 4294967296LL << 5368709119LL;
    QTest::newRow("suffix beyond 4 GiB") << QByteArray("bytes=-4294967297") << 5368709120LL
                                         << partial << 1073741823LL << 5368709119LL;
    QTest::newRow("one byte resource") << QByteArray("bytes=0-") << 1LL << partial << 0LL << 0LL;
    QTest::newRow("one byte suffix") << QByteArray("bytes=-5") << 1LL << partial << 0LL << 0LL;

    QTest::newRow("start = size") << QByteArray("bytes=100-") << 100LL << unsatisfiable << 0LL
                                  << 0LL;
    QTest::newRow("start beyond") << QByteArray("bytes=100-200") << 100LL << unsatisfiable << 0LL
                                  << 0LL;
    QTest::newRow("empty suffix") << QByteArray("bytes=-0") << 100LL << unsatisfiable << 0LL << 0LL;
    QTest::newRow("one byte, start 1")
        << QByteArray("bytes=1-") << 1LL << unsatisfiable << 0LL << 0LL;

    // Malformed or unsupported: ignored, the whole resource is sent (RFC 9110 §14.2).
    QTest::newRow("reversed") << QByteArray("bytes=20-10") << 100LL << whole << 0LL << 0LL;
    QTest::newRow("several ranges")
        << QByteArray("bytes=0-10,20-30") << 100LL << whole << 0LL << 0LL;
    QTest::newRow("other unit") << QByteArray("items=0-10") << 100LL << whole << 0LL << 0LL;
    QTest::newRow("no unit") << QByteArray("0-10") << 100LL << whole << 0LL << 0LL;
    QTest::newRow("no dash") << QByteArray("bytes=5") << 100LL << whole << 0LL << 0LL;
    QTest::newRow("dash only") << QByteArray("bytes=-") << 100LL << whole << 0LL << 0LL;
    QTest::newRow("empty spec") << QByteArray("bytes=") << 100LL << whole << 0LL << 0LL;
    QTest::newRow("letters") << QByteArray("bytes=abc-") << 100LL << whole << 0LL << 0LL;
    QTest::newRow("letters at end") << QByteArray("bytes=1-2x") << 100LL << whole << 0LL << 0LL;
    QTest::newRow("plus sign") << QByteArray("bytes=+5-9") << 100LL << whole << 0LL << 0LL;
    QTest::newRow("negative end") << QByteArray("bytes=5--9") << 100LL << whole << 0LL << 0LL;
    QTest::newRow("suffix with end") << QByteArray("bytes=-5-9") << 100LL << whole << 0LL << 0LL;
    QTest::newRow("overflowing start")
        << QByteArray("bytes=99999999999999999999-") << 100LL << whole << 0LL << 0LL;
    QTest::newRow("overflowing suffix")
        << QByteArray("bytes=-99999999999999999999") << 100LL << whole << 0LL << 0LL;
    // An empty resource has no satisfiable range, and its whole (empty) body answers any.
    QTest::newRow("empty resource") << QByteArray("bytes=0-") << 0LL << whole << 0LL << 0LL;
    QTest::newRow("empty resource, suffix") << QByteArray("bytes=-5") << 0LL << whole << 0LL << 0LL;
}

void TestMediaUnits::parseRange()
{
    QFETCH(QByteArray, header);
    QFETCH(qint64, size);
    QFETCH(RangeResult, result);
    QFETCH(qint64, first);
    QFETCH(qint64, last);

    ByteRange range{-7, -7};
    QCOMPARE(Tincan::Server::parseRange(header, size, &range), result);
    if (result == RangeResult::Partial) {
        QCOMPARE(range.first, first);
        QCOMPARE(range.last, last);
        QCOMPARE(range.length(), last - first + 1);
        QVERIFY(range.first >= 0 && range.last < size && range.first <= range.last);
    }
}

// ------------------------------------------------------------------------------- signed URLs

void TestMediaUnits::signedUrlRoundTrip_data()
{
    QTest::addColumn<bool>("upload");
    QTest::addColumn<qint64>("maxSize");
    QTest::newRow("upload") << true << 12345LL;
    QTest::newRow("download") << false << 12345LL;
    QTest::newRow("empty upload") << true << 0LL;
    QTest::newRow("4 GiB download") << false << 4LL * 1024 * 1024 * 1024;
}

void TestMediaUnits::signedUrlRoundTrip()
{
    QFETCH(bool, upload);
    QFETCH(qint64, maxSize);
    const UrlSigner::Op op = upload ? UrlSigner::Op::Upload : UrlSigner::Op::Download;

    UrlSigner signer;
    signer.setKey(key('k'));
    const QString url = signer.sign(op, MediaId, maxSize, Now + 60);
    const QUrl parsed(url);
    QVERIFY(parsed.isRelative());
    QCOMPARE(parsed.path(), QStringLiteral("/v1/media/") + MediaId +
                                (upload ? QStringLiteral("/upload") : QStringLiteral("/content")));
    QCOMPARE(parsed.path(), UrlSigner::path(op, MediaId));
    const QUrlQuery query(parsed);
    QCOMPARE(query.queryItemValue(QStringLiteral("exp")), QString::number(Now + 60));
    QCOMPARE(query.queryItemValue(QStringLiteral("max")), QString::number(maxSize));
    // URL-safe: nothing in the signature needs escaping.
    const QString sig = query.queryItemValue(QStringLiteral("sig"));
    QVERIFY(!sig.isEmpty());
    QCOMPARE(QString::fromLatin1(QUrl::toPercentEncoding(sig)), sig);

    qint64 max = -1;
    QCOMPARE(signer.check(op, MediaId, query, Now, &max), UrlSigner::Check::Valid);
    QCOMPARE(max, maxSize);
    QCOMPARE(signer.check(op, MediaId, query, Now + 59, &max), UrlSigner::Check::Valid);

    // The same inputs sign the same way (the URL is a pure function of them and the key)...
    QCOMPARE(signer.sign(op, MediaId, maxSize, Now + 60), url);
    // ...and another key's signer neither makes nor accepts it.
    UrlSigner other;
    other.setKey(key('o'));
    QVERIFY(other.sign(op, MediaId, maxSize, Now + 60) != url);
    QCOMPARE(other.check(op, MediaId, query, Now, &max), UrlSigner::Check::Invalid);
}

void TestMediaUnits::anyChangeInvalidates_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("item");
    QTest::addColumn<QString>("value"); // Empty with an item: that item removed.

    QTest::newRow("other id") << OtherId << QString() << QString();
    QTest::newRow("id one digit off")
        << QStringLiteral("0123456789abcdef0123456789abcdee") << QString() << QString();
    QTest::newRow("max + 1") << MediaId << QStringLiteral("max") << QStringLiteral("1001");
    QTest::newRow("max - 1") << MediaId << QStringLiteral("max") << QStringLiteral("999");
    QTest::newRow("max 0") << MediaId << QStringLiteral("max") << QStringLiteral("0");
    QTest::newRow("max negative") << MediaId << QStringLiteral("max") << QStringLiteral("-1000");
    QTest::newRow("max not a number") << MediaId << QStringLiteral("max") << QStringLiteral("lots");
    QTest::newRow("max missing") << MediaId << QStringLiteral("max") << QString();
    // The same numbers spelled otherwise: one URL has one spelling.
    QTest::newRow("max leading zero")
        << MediaId << QStringLiteral("max") << QStringLiteral("01000");
    QTest::newRow("max plus sign") << MediaId << QStringLiteral("max") << QStringLiteral("+1000");
    QTest::newRow("max white space") << MediaId << QStringLiteral("max") << QStringLiteral(" 1000");
    QTest::newRow("exp leading zero")
        << MediaId << QStringLiteral("exp") << QStringLiteral("0%1").arg(Now + 60);
    QTest::newRow("exp white space")
        << MediaId << QStringLiteral("exp") << QStringLiteral("%1 ").arg(Now + 60);
    QTest::newRow("exp + 1") << MediaId << QStringLiteral("exp") << QString::number(Now + 61);
    QTest::newRow("exp far away") << MediaId << QStringLiteral("exp")
                                  << QString::number(Now + 10LL * 365 * 86400);
    QTest::newRow("exp not a number")
        << MediaId << QStringLiteral("exp") << QStringLiteral("never");
    QTest::newRow("exp missing") << MediaId << QStringLiteral("exp") << QString();
    QTest::newRow("sig missing") << MediaId << QStringLiteral("sig") << QString();
    QTest::newRow("sig garbage") << MediaId << QStringLiteral("sig") << QStringLiteral("abc");
    QTest::newRow("sig of zeros") << MediaId << QStringLiteral("sig")
                                  << QString::fromLatin1(QByteArray(32, '\0').toBase64(
                                         QByteArray::Base64UrlEncoding |
                                         QByteArray::OmitTrailingEquals));
}

void TestMediaUnits::anyChangeInvalidates()
{
    QFETCH(QString, id);
    QFETCH(QString, item);
    QFETCH(QString, value);

    UrlSigner signer;
    signer.setKey(key('k'));
    for (const UrlSigner::Op op : {UrlSigner::Op::Upload, UrlSigner::Op::Download}) {
        QUrlQuery query = queryOf(signer.sign(op, MediaId, 1000, Now + 60));
        qint64 max = -1;
        QCOMPARE(signer.check(op, MediaId, query, Now, &max), UrlSigner::Check::Valid);
        if (!item.isEmpty()) {
            query.removeAllQueryItems(item);
            if (!value.isEmpty()) {
                query.addQueryItem(item, value);
            }
        }
        max = -1;
        QCOMPARE(signer.check(op, id, query, Now, &max), UrlSigner::Check::Invalid);
        QCOMPARE(max, -1); // Not filled from an invalid URL.
    }
}

void TestMediaUnits::everySignatureCharacterCounts()
{
    UrlSigner signer;
    signer.setKey(key('k'));
    const QUrlQuery query = queryOf(signer.sign(UrlSigner::Op::Download, MediaId, 1000, Now + 60));
    const QString sig = query.queryItemValue(QStringLiteral("sig"));
    qint64 max = 0;
    // Each character replaced by each other base64url character: never valid. (Only one
    // spelling of a signature is accepted, so a URL cannot be varied to dodge a cache or a log
    // filter keyed by it.)
    const QString alphabet =
        QStringLiteral("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
    for (qsizetype i = 0; i < sig.size(); ++i) {
        for (const QChar c : alphabet) {
            if (c == sig[i]) {
                continue;
            }
            QString changed = sig;
            changed[i] = c;
            QVERIFY2(signer.check(UrlSigner::Op::Download, MediaId,
                                  withItem(query, QStringLiteral("sig"), changed), Now,
                                  &max) == UrlSigner::Check::Invalid,
                     qPrintable(QStringLiteral("position %1: %2").arg(i).arg(changed)));
        }
    }
    // Nor with extra characters, padding, or a standard-base64 spelling.
    for (const QString &changed :
         {sig + QLatin1Char('='), sig + QStringLiteral("A"), sig + QLatin1Char('!'),
          QLatin1Char(' ') + sig, sig.left(sig.size() - 1)}) {
        QVERIFY2(signer.check(UrlSigner::Op::Download, MediaId,
                              withItem(query, QStringLiteral("sig"), changed), Now,
                              &max) == UrlSigner::Check::Invalid,
                 qPrintable(changed));
    }
}

void TestMediaUnits::expiry()
{
    UrlSigner signer;
    signer.setKey(key('k'));
    const QUrlQuery query = queryOf(signer.sign(UrlSigner::Op::Upload, MediaId, 10, Now + 60));
    qint64 max = -1;
    QCOMPARE(signer.check(UrlSigner::Op::Upload, MediaId, query, Now + 59, &max),
             UrlSigner::Check::Valid);
    max = -1;
    // Valid strictly before its expiry second.
    QCOMPARE(signer.check(UrlSigner::Op::Upload, MediaId, query, Now + 60, &max),
             UrlSigner::Check::Expired);
    QCOMPARE(signer.check(UrlSigner::Op::Upload, MediaId, query, Now + 100000, &max),
             UrlSigner::Check::Expired);
    QCOMPARE(max, -1);
    // A URL signed with an expiry in the past is expired from the start.
    const QUrlQuery past = queryOf(signer.sign(UrlSigner::Op::Download, MediaId, 10, Now - 1));
    QCOMPARE(signer.check(UrlSigner::Op::Download, MediaId, past, Now, &max),
             UrlSigner::Check::Expired);
}

void TestMediaUnits::forgedAndExpiredIsInvalid()
{
    // A forged URL is reported as forged even when its expiry has passed: "expired" would tell
    // the holder that the rest of it was right.
    UrlSigner signer;
    signer.setKey(key('k'));
    const QUrlQuery query = queryOf(signer.sign(UrlSigner::Op::Upload, MediaId, 10, Now - 5));
    qint64 max = 0;
    QCOMPARE(signer.check(UrlSigner::Op::Upload, MediaId, query, Now, &max),
             UrlSigner::Check::Expired);
    QCOMPARE(signer.check(UrlSigner::Op::Upload, MediaId,
                          withItem(query, QStringLiteral("max"), QStringLiteral("11")), Now, &max),
             UrlSigner::Check::Invalid);
    QCOMPARE(signer.check(UrlSigner::Op::Upload, OtherId, query, Now, &max),
             UrlSigner::Check::Invalid);
}

void TestMediaUnits::operationsAreNotInterchangeable()
{
    UrlSigner signer;
    signer.setKey(key('k'));
    qint64 max = 0;
    const QUrlQuery upload = queryOf(signer.sign(UrlSigner::Op::Upload, MediaId, 10, Now + 60));
    const QUrlQuery download = queryOf(signer.sign(UrlSigner::Op::Download, MediaId, 10, Now + 60));
    QVERIFY(upload.queryItemValue(QStringLiteral("sig")) !=
            download.queryItemValue(QStringLiteral("sig")));
    // A download URL does not let its holder upload, nor the other way round.
    QCOMPARE(signer.check(UrlSigner::Op::Upload, MediaId, download, Now, &max),
             UrlSigner::Check::Invalid);
    QCOMPARE(signer.check(UrlSigner::Op::Download, MediaId, upload, Now, &max),
             UrlSigner::Check::Invalid);
    // Without a key nothing is valid, not even what an empty key would sign.
    UrlSigner keyless;
    QCOMPARE(keyless.check(UrlSigner::Op::Upload, MediaId, upload, Now, &max),
             UrlSigner::Check::Invalid);
    QCOMPARE(keyless.check(UrlSigner::Op::Upload, MediaId,
                           queryOf(keyless.sign(UrlSigner::Op::Upload, MediaId, 10, Now + 60)), Now,
                           &max),
             UrlSigner::Check::Invalid);
}

void TestMediaUnits::keyFileIsCreatedOnceAndKept()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("url-signing.key"));
    UrlSigner first;
    QString error;
    QVERIFY2(first.load(path, &error), qPrintable(error));
    QFileInfo info(path);
    QVERIFY(info.exists());
    QCOMPARE(info.size(), 32);
    QCOMPARE(info.permissions() & (QFileDevice::ReadGroup | QFileDevice::WriteGroup |
                                   QFileDevice::ReadOther | QFileDevice::WriteOther),
             QFileDevice::Permissions());
    QVERIFY(!QFile::exists(path + QStringLiteral(".new")));

    // A restart reads the same key: URLs handed out before it still work.
    const QUrlQuery query = queryOf(first.sign(UrlSigner::Op::Download, MediaId, 7, Now + 60));
    UrlSigner second;
    QVERIFY2(second.load(path, &error), qPrintable(error));
    qint64 max = 0;
    QCOMPARE(second.check(UrlSigner::Op::Download, MediaId, query, Now, &max),
             UrlSigner::Check::Valid);
    QCOMPARE(max, 7);

    // Another data directory has another key.
    QTemporaryDir otherDir;
    UrlSigner third;
    QVERIFY2(third.load(otherDir.filePath(QStringLiteral("k")), &error), qPrintable(error));
    QCOMPARE(third.check(UrlSigner::Op::Download, MediaId, query, Now, &max),
             UrlSigner::Check::Invalid);
}

void TestMediaUnits::badKeyFileIsRefused()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("url-signing.key"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("short");
    file.close();
    UrlSigner signer;
    QString error;
    QVERIFY(!signer.load(path, &error));
    QVERIFY2(error.contains(path), qPrintable(error));
    // Left alone for the administrator to look at, and nothing signs or checks with it.
    QCOMPARE(QFileInfo(path).size(), 5);
    qint64 max = 0;
    UrlSigner other;
    other.setKey(key('k'));
    QCOMPARE(signer.check(UrlSigner::Op::Upload, MediaId,
                          queryOf(other.sign(UrlSigner::Op::Upload, MediaId, 1, Now + 60)), Now,
                          &max),
             UrlSigner::Check::Invalid);
}

QTEST_GUILESS_MAIN(TestMediaUnits)
#include "tst_mediaunits.moc"
