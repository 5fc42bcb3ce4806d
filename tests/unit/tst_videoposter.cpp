// Unit tests of video previews (app/core/VideoPoster, through makeThumbnail as sendFile calls
// it): the poster frame's size, rotation and colours, the duration and the MIME type of the
// committed test videos (tests/data/README.md says how they were made); damaged and cut videos
// give no preview and do not crash; files that are not videos are unaffected.

#include "app/core/Thumbnail.h"
#include "app/core/VideoPoster.h"

#include <QFile>
#include <QImage>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

#include <optional>
#include <thread>
#include <vector>

using namespace Tincan;

namespace {

QString dataFile(const char *name)
{
    return QStringLiteral(TINCAN_TEST_DATA_DIR "/") + QLatin1String(name);
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool isRed(QColor c)
{
    return c.red() > 200 && c.green() < 60 && c.blue() < 60;
}

bool isBlue(QColor c)
{
    return c.blue() > 200 && c.red() < 60 && c.green() < 60;
}

QString describe(QColor c)
{
    return QStringLiteral("rgb(%1, %2, %3)").arg(c.red()).arg(c.green()).arg(c.blue());
}

//! Where a top-level MP4 box of `type` starts and how long it is; {-1, 0} if there is none.
QPair<qsizetype, qsizetype> boxOf(const QByteArray &mp4, const char *type)
{
    for (qsizetype offset = 0; offset + 8 <= mp4.size();) {
        const auto size = static_cast<qsizetype>(qFromBigEndian<quint32>(mp4.constData() + offset));
        if (size < 8) {
            break;
        }
        if (mp4.mid(offset + 4, 4) == type) {
            return {offset, size};
        }
        offset += size;
    }
    return {-1, 0};
}

} // namespace

class TestVideoPoster : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void posterIsTheKeyframeAtOneSecond();
    void rotatedVideoIsShownUpright();
    void contentDecidesNotTheName();
    void damagedVideo_data();
    void damagedVideo();
    void anyCutOrFlippedByteIsSurvived();
    void notAVideo_data();
    void notAVideo();
    void imagesAreUnaffected();
    void threadSafe();

private:
    QString writeFile(const QString &name, const QByteArray &bytes);
    QTemporaryDir m_dir;
    QByteArray m_video;
};

void TestVideoPoster::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_video = readAll(dataFile("video-blue-then-red.mp4"));
    QVERIFY2(m_video.size() > 1000, "tests/data/video-blue-then-red.mp4 is missing");
    QVERIFY(boxOf(m_video, "moov").first > 0);
    QVERIFY(boxOf(m_video, "mdat").first > boxOf(m_video, "moov").first);
}

QString TestVideoPoster::writeFile(const QString &name, const QByteArray &bytes)
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        file.write(bytes) != bytes.size()) {
        return {};
    }
    return path;
}

void TestVideoPoster::posterIsTheKeyframeAtOneSecond()
{
    QString error;
    const auto info = Client::makeThumbnail(dataFile("video-blue-then-red.mp4"), &error);
    QVERIFY2(info, qPrintable(error));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(info->width, 160);
    QCOMPARE(info->height, 90);
    QVERIFY2(qAbs(info->durationMs - 3000) <= 50, qPrintable(QString::number(info->durationMs)));
    QCOMPARE(info->mime, QStringLiteral("video/mp4"));
    QVERIFY(info->jpegThumbnail.startsWith("\xff\xd8\xff"));
    QVERIFY(info->jpegThumbnail.size() <= Client::Thumbnail::MaxBytes);
    // What a receiver does with it.
    const QImage poster = Client::decodeThumbnail(info->jpegThumbnail);
    QCOMPARE(poster.size(), QSize(160, 90));
    // Red: the keyframe at 1 s, past the blue first second.
    for (const QPoint point : {QPoint(80, 45), QPoint(5, 5), QPoint(154, 84)}) {
        const QColor c = poster.pixelColor(point);
        QVERIFY2(isRed(c), qPrintable(describe(c)));
    }
    // Also when called directly.
    const auto direct = Client::makeVideoPoster(dataFile("video-blue-then-red.mp4"), &error);
    QVERIFY2(direct, qPrintable(error));
    QCOMPARE(direct->durationMs, info->durationMs);
}

void TestVideoPoster::rotatedVideoIsShownUpright()
{
    // Stored 160 x 90, left red and right blue; its display matrix turns it a quarter
    // counterclockwise. At 2 s it is too short to skip a second: the first frame.
    QString error;
    const auto info = Client::makeThumbnail(dataFile("video-rotated-90.mp4"), &error);
    QVERIFY2(info, qPrintable(error));
    QCOMPARE(info->width, 90);
    QCOMPARE(info->height, 160);
    QVERIFY2(qAbs(info->durationMs - 2000) <= 50, qPrintable(QString::number(info->durationMs)));
    const QImage poster = Client::decodeThumbnail(info->jpegThumbnail);
    QCOMPARE(poster.size(), QSize(90, 160));
    const QColor top = poster.pixelColor(45, 30);
    const QColor bottom = poster.pixelColor(45, 130);
    QVERIFY2(isBlue(top), qPrintable(describe(top)));
    QVERIFY2(isRed(bottom), qPrintable(describe(bottom)));
}

void TestVideoPoster::contentDecidesNotTheName()
{
    // A video under a misleading name is still a video, with a video's MIME type...
    const QString renamed = writeFile(QStringLiteral("holiday.txt"), m_video);
    QString error;
    const auto info = Client::makeThumbnail(renamed, &error);
    QVERIFY2(info, qPrintable(error));
    QVERIFY2(info->mime.startsWith(QLatin1String("video/")), qPrintable(info->mime));
    QVERIFY(info->durationMs > 0);
    // ...and a file named like a video that is not one gets nothing (and no error).
    const QString fake = writeFile(QStringLiteral("clip.mp4"), "this is not a video\n");
    error.clear();
    QVERIFY(!Client::makeThumbnail(fake, &error));
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

void TestVideoPoster::damagedVideo_data()
{
    QTest::addColumn<QByteArray>("bytes");
    const auto moov = boxOf(m_video, "moov");
    const auto mdat = boxOf(m_video, "mdat");
    QTest::newRow("cut in the file type") << m_video.left(20);
    QTest::newRow("cut in the header") << m_video.left(moov.first + moov.second / 2);
    QTest::newRow("cut after the header") << m_video.left(mdat.first + 8);
    QByteArray noise = m_video;
    QRandomGenerator generator(42);
    for (qsizetype i = mdat.first + 8; i < noise.size(); ++i) {
        noise[i] = static_cast<char>(generator.generate());
    }
    QTest::newRow("frames are noise") << noise;
    QByteArray zeros = m_video;
    zeros.replace(mdat.first + 8, mdat.second - 8, QByteArray(mdat.second - 8, '\0'));
    QTest::newRow("frames are zeros") << zeros;
}

void TestVideoPoster::damagedVideo()
{
    QFETCH(QByteArray, bytes);
    const QString path = writeFile(QStringLiteral("damaged.mp4"), bytes);
    QString error;
    QVERIFY(!Client::makeThumbnail(path, &error));
    qDebug() << "error:" << error;
}

void TestVideoPoster::anyCutOrFlippedByteIsSurvived()
{
    // No crash, hang or bogus preview whatever the damage: the file is cut at every 37th byte,
    // or one byte of it is changed. A preview, if any, must be one a receiver can show.
    const auto check = [](const QString &path) {
        QString error;
        const auto info = Client::makeThumbnail(path, &error);
        if (info) {
            QVERIFY(!Client::decodeThumbnail(info->jpegThumbnail).isNull());
            QVERIFY(info->width > 0 && info->height > 0);
            QVERIFY(info->durationMs >= 0);
        }
    };
    QElapsedTimer timer;
    timer.start();
    for (qsizetype cut = 0; cut < m_video.size(); cut += 37) {
        check(writeFile(QStringLiteral("cut.mp4"), m_video.left(cut)));
    }
    QRandomGenerator generator(7);
    for (int round = 0; round < 150; ++round) {
        QByteArray flipped = m_video;
        const auto at = static_cast<qsizetype>(generator.bounded(static_cast<int>(m_video.size())));
        flipped[at] = static_cast<char>(flipped[at] ^ (1 + generator.bounded(255)));
        check(writeFile(QStringLiteral("flipped.mp4"), flipped));
    }
    qDebug() << "checked in" << timer.elapsed() << "ms";
}

void TestVideoPoster::notAVideo_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("bytes");
    QByteArray random(20'000, Qt::Uninitialized);
    QRandomGenerator generator(3);
    for (auto &byte : random) {
        byte = static_cast<char>(generator.generate());
    }
    QTest::newRow("text") << QStringLiteral("notes.txt") << QByteArray("just some text\n");
    // FFmpeg would take a .txt file for ANSI art if it went by the name.
    QTest::newRow("escape codes") << QStringLiteral("art.txt")
                                  << QByteArray("\x1b[31mred\x1b[0m text\n").repeated(20);
    QTest::newRow("empty") << QStringLiteral("empty.mp4") << QByteArray();
    QTest::newRow("random") << QStringLiteral("random.mkv") << random;
    QTest::newRow("playlist") << QStringLiteral("list.m3u8")
                              << QByteArray("#EXTM3U\n#EXTINF:1,\n/etc/passwd\n");
    QTest::newRow("concat script")
        << QStringLiteral("list.ffconcat") << QByteArray("ffconcat version 1.0\nfile /etc/hosts\n");
}

void TestVideoPoster::notAVideo()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, bytes);
    const QString path = writeFile(name, bytes);
    QString error;
    QVERIFY(!Client::makeThumbnail(path, &error));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(!Client::makeVideoPoster(path, &error));
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

void TestVideoPoster::imagesAreUnaffected()
{
    QImage image(300, 200, QImage::Format_RGB32);
    image.fill(QColor(0, 200, 0));
    const QString path = m_dir.filePath(QStringLiteral("green.png"));
    QVERIFY(image.save(path, "PNG"));
    QString error;
    const auto info = Client::makeThumbnail(path, &error);
    QVERIFY2(info, qPrintable(error));
    QCOMPARE(info->mime, QStringLiteral("image/png"));
    QCOMPARE(QSize(info->width, info->height), QSize(300, 200));
    QCOMPARE(info->durationMs, qint64(0));
    QCOMPARE(Client::decodeThumbnail(info->jpegThumbnail).size(), QSize(300, 200));
    // An image is not a video.
    QVERIFY(!Client::makeVideoPoster(path, &error));
}

void TestVideoPoster::threadSafe()
{
    // sendFile runs on the client core's thread, and several cores may run at once.
    constexpr int Threads = 4;
    std::vector<std::optional<Client::ImageInfo>> results(Threads);
    std::vector<std::thread> threads;
    const QString path = dataFile("video-blue-then-red.mp4");
    for (int i = 0; i < Threads; ++i) {
        threads.emplace_back([&results, &path, i] {
            for (int round = 0; round < 5; ++round) {
                results[static_cast<size_t>(i)] = Client::makeThumbnail(path, nullptr);
            }
        });
    }
    for (std::thread &thread : threads) {
        thread.join();
    }
    for (const auto &result : results) {
        QVERIFY(result);
        QCOMPARE(result->jpegThumbnail, results.front()->jpegThumbnail);
        QCOMPARE(result->durationMs, results.front()->durationMs);
    }
}

QTEST_GUILESS_MAIN(TestVideoPoster)
#include "tst_videoposter.moc"
