// Media end to end, against the real tincand with real client cores and the real CLI: files of
// 0 B, 1 B, 10 MB (TLS) and 1 GB (plain HTTP) encrypted, uploaded, sent, downloaded, checked and
// decrypted; an image with its preview; a video with its poster frame and length; an upload cut by
// killing the client and resumed; a tampered and a truncated blob rejected by the recipient; no
// plaintext in the daemon's data; several transfers at once with pause, resume and cancel; the
// message of a file shown while it uploads; the upload sender's certificate pin.
#include "app/core/EncryptingFileDevice.h"
#include "app/core/Thumbnail.h"
#include "app/core/UploadSender.h"
#include "shared/crypto/MediaCipher.h"
#include "shared/protocol/Validation.h"
#include "tests/common/Raw.h"
#include "tests/common/TestClient.h"
#include "tests/common/TestServer.h"

#include "shared/protocol/Validation.h"
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QEventLoop>
#include <QImage>
#include <QProcess>
#include <QRandomGenerator>
#include <QStorageInfo>
#include <QTimer>

#include <QtTest>

using namespace Tincan;
using namespace Tincan::Test;

namespace {

constexpr int Timeout = 60000;

//! Writes `size` bytes of varied (incompressible) data; with `marker`, the file is that text
//! over and over (to look for it later).
bool makeFile(const QString &path, qint64 size, const QByteArray &marker = {})
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        return false;
    }
    QByteArray block(1024 * 1024, Qt::Uninitialized);
    if (marker.isEmpty()) {
        QRandomGenerator generator(static_cast<quint32>(size));
        generator.fillRange(reinterpret_cast<quint32 *>(block.data()), block.size() / 4);
    } else {
        for (qsizetype i = 0; i < block.size(); ++i) {
            block[i] = marker[i % marker.size()];
        }
    }
    for (qint64 written = 0, index = 0; written < size; ++index) {
        if (marker.isEmpty()) {
            // Every block differs: the index goes into its first bytes.
            std::memcpy(block.data(), &index, sizeof index);
        }
        const qint64 n = std::min<qint64>(block.size(), size - written);
        if (file.write(block.constData(), n) != n) {
            return false;
        }
        written += n;
    }
    return file.flush();
}

QByteArray sha256Of(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return hash.result();
}

QStringList filesUnder(const QString &dir)
{
    QStringList files;
    QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        files.append(it.next());
    }
    return files;
}

//! Whether any file under `dir` contains `needle`.
bool containsBytes(const QString &dir, const QByteArray &needle)
{
    for (const QString &path : filesUnder(dir)) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            continue;
        }
        QByteArray carry;
        while (!file.atEnd()) {
            const QByteArray piece = carry + file.read(4 * 1024 * 1024);
            if (piece.contains(needle)) {
                return true;
            }
            carry = piece.right(needle.size());
        }
    }
    return false;
}

//! Runs the event loop until `done` holds (checked every 20 ms) or `timeoutMs` passed. Unlike
//! QTest::qWaitFor (which sleeps between rounds of events), the loop waits in poll(), so a
//! transfer runs at full speed meanwhile.
bool waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    QEventLoop loop;
    QTimer check;
    QTimer limit;
    limit.setSingleShot(true);
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (done()) {
            loop.quit();
        }
    });
    QObject::connect(&limit, &QTimer::timeout, &loop, &QEventLoop::quit);
    if (done()) {
        return true;
    }
    check.start(20);
    limit.start(timeoutMs);
    loop.exec();
    return done();
}

//! What a transfer ended with.
struct Outcome
{
    bool finished = false;
    bool ok = false;
    QString error;
};

//! Follows the transfers of one core.
class Transfers : public QObject
{
public:
    explicit Transfers(Client::ClientCore &core)
    {
        connect(&core, &Client::ClientCore::transferFinished, this,
                [this](const QString &id, bool ok, const QString &error) {
                    outcomes[id] = Outcome{true, ok, error};
                });
        connect(&core, &Client::ClientCore::transferProgress, this,
                [this](const QString &id, qint64 done, qint64) { progress[id] = done; });
    }
    QHash<QString, Outcome> outcomes;
    QHash<QString, qint64> progress;
};

} // namespace

class MediaTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void roundTrip_data();
    void roundTrip();
    void imageGetsPreview();
    void videoGetsPosterAndDuration();
    void noPlaintextOnTheServer();
    void damagedBlobIsRejected_data();
    void damagedBlobIsRejected();
    void severalTransfersPauseResumeCancel();
    void downloadContinuesFromItsPart();
    void uploadIsAMessageAtOnce();
    void pauseAndResumeMidTransfer();
    void uploadSenderChecksThePin();
    void killedUploadResumes();
    void oneGigabyte();

private:
    //! alice sends `path` to bob; bob downloads it to `destination`. Returns the message id.
    QString sendAndFetch(TwoUsers &users, const QString &path, const QString &destination,
                         Outcome *download);
    //! alice sends a new file of `size` bytes to bob, who receives the message (not the file).
    QString deliverFile(TwoUsers &users, const QString &name, qint64 size);
    QTemporaryDir m_dir;
};

void MediaTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

QString MediaTest::sendAndFetch(TwoUsers &users, const QString &path, const QString &destination,
                                Outcome *download)
{
    Recorder aliceRecorder(users.alice->core());
    Recorder bobRecorder(users.bob->core());
    Transfers aliceTransfers(users.alice->core());
    Transfers bobTransfers(users.bob->core());
    QString error;
    const QString id = users.alice->core().sendFile(QStringLiteral("bob"), path,
                                                    QStringLiteral("caption"), &error);
    if (id.isEmpty()) {
        qWarning() << "sendFile:" << error;
        return {};
    }
    if (!waitUntil([&] { return aliceTransfers.outcomes.value(id).finished; }, 600000)) {
        qWarning() << "the upload did not finish";
        return {};
    }
    if (!aliceTransfers.outcomes.value(id).ok) {
        qWarning() << "upload failed:" << aliceTransfers.outcomes.value(id).error;
        return {};
    }
    if (!waitUntil([&] { return aliceRecorder.sent.contains(id); }, Timeout)) {
        qWarning() << "the message was not sent";
        return {};
    }
    users.bob->core().connectToServer();
    if (!waitUntil(
            [&] {
                for (const auto &m : bobRecorder.received) {
                    if (m.clientMessageId == id) {
                        return true;
                    }
                }
                return false;
            },
            Timeout)) {
        qWarning() << "bob did not get the message";
        return {};
    }
    const QString transfer = users.bob->core().fetchMedia(id, 0, destination, &error);
    if (transfer.isEmpty()) {
        qWarning() << "fetchMedia:" << error;
        return {};
    }
    if (!waitUntil([&] { return bobTransfers.outcomes.value(transfer).finished; }, 600000)) {
        qWarning() << "the download did not finish";
        return {};
    }
    *download = bobTransfers.outcomes.value(transfer);
    return id;
}

QString MediaTest::deliverFile(TwoUsers &users, const QString &name, qint64 size)
{
    Recorder bobRecorder(users.bob->core());
    Transfers aliceTransfers(users.alice->core());
    const QString source = m_dir.filePath(name);
    QString error;
    if (!makeFile(source, size)) {
        return {};
    }
    const QString id = users.alice->core().sendFile(QStringLiteral("bob"), source, {}, &error);
    if (id.isEmpty() ||
        !waitUntil([&] { return aliceTransfers.outcomes.value(id).finished; }, Timeout) ||
        !aliceTransfers.outcomes.value(id).ok) {
        qWarning() << "the upload failed:" << error << aliceTransfers.outcomes.value(id).error;
        return {};
    }
    users.bob->core().connectToServer();
    if (!waitUntil([&] { return !bobRecorder.received.isEmpty(); }, Timeout)) {
        qWarning() << "bob did not get the message";
        return {};
    }
    return id;
}

void MediaTest::roundTrip_data()
{
    QTest::addColumn<qint64>("size");
    QTest::newRow("0 B") << qint64(0);
    QTest::newRow("1 B") << qint64(1);
    QTest::newRow("one chunk") << qint64(65536);
    QTest::newRow("10 MB") << qint64(10'000'000);
}

void MediaTest::roundTrip()
{
    QFETCH(qint64, size);
    TwoUsers users; // TLS, as by default.
    QVERIFY(users.start());
    const QString source = m_dir.filePath(QStringLiteral("source-%1.bin").arg(size));
    const QString destination = m_dir.filePath(QStringLiteral("received-%1.bin").arg(size));
    QVERIFY(makeFile(source, size));
    Outcome download;
    const QString id = sendAndFetch(users, source, destination, &download);
    QVERIFY(!id.isEmpty());
    QVERIFY2(download.ok, qPrintable(download.error));
    QCOMPARE(sha256Of(destination), sha256Of(source));
    QCOMPARE(QFileInfo(destination).size(), size);

    // Both sides keep the attachment with the message; the server has one blob.
    const auto received = users.bob->core().store().messageByClientId(id);
    QVERIFY(received);
    const auto attachments = Client::ClientCore::attachmentsOf(*received);
    QCOMPARE(attachments.size(), 1);
    QCOMPARE(attachments[0].name, QFileInfo(source).fileName());
    QCOMPARE(attachments[0].size, size);
    QCOMPARE(received->text, QStringLiteral("caption"));
    const auto sent = users.alice->core().store().messageByClientId(id);
    QVERIFY(sent && !Client::ClientCore::attachmentsOf(*sent).isEmpty());
    QCOMPARE(filesUnder(users.server.dataDir() + QStringLiteral("/media/blobs")).size(), 1);
    QCOMPARE(filesUnder(users.server.dataDir() + QStringLiteral("/media/partial")).size(), 0);

    // A second fetch is served from the encrypted cache (checked and decrypted again).
    Transfers bobTransfers(users.bob->core());
    QString error;
    const QString again = users.bob->core().fetchMedia(
        id, 0, m_dir.filePath(QStringLiteral("again-%1.bin").arg(size)), &error);
    QVERIFY2(!again.isEmpty(), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(bobTransfers.outcomes.value(again).finished, Timeout);
    QVERIFY(bobTransfers.outcomes.value(again).ok);
    QCOMPARE(sha256Of(m_dir.filePath(QStringLiteral("again-%1.bin").arg(size))), sha256Of(source));
}

void MediaTest::imageGetsPreview()
{
    TwoUsers users;
    QVERIFY(users.start());
    QImage image(1600, 900, QImage::Format_RGB32);
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            image.setPixel(x, y, qRgb(x % 256, y % 256, (x * y) % 256));
        }
    }
    const QString source = m_dir.filePath(QStringLiteral("picture.png"));
    QVERIFY(image.save(source, "PNG"));
    Outcome download;
    const QString id =
        sendAndFetch(users, source, m_dir.filePath(QStringLiteral("picture-out.png")), &download);
    QVERIFY(!id.isEmpty());
    QVERIFY2(download.ok, qPrintable(download.error));
    const auto received = users.bob->core().store().messageByClientId(id);
    QVERIFY(received);
    const auto attachment = Client::ClientCore::attachmentsOf(*received).value(0);
    QCOMPARE(attachment.mime, QStringLiteral("image/png"));
    QCOMPARE(attachment.width, 1600);
    QCOMPARE(attachment.height, 900);
    const QImage preview = Client::decodeThumbnail(attachment.thumbnail);
    QVERIFY(!preview.isNull());
    QCOMPARE(std::max(preview.width(), preview.height()), 320);
    QCOMPARE(sha256Of(m_dir.filePath(QStringLiteral("picture-out.png"))), sha256Of(source));
}

void MediaTest::videoGetsPosterAndDuration()
{
    TwoUsers users;
    QVERIFY(users.start());
    // 160 x 90, 3 s: blue for 1 s, then red (tests/data/README.md).
    const QString source = m_dir.filePath(QStringLiteral("clip.mp4"));
    QVERIFY(QFile::copy(QStringLiteral(TINCAN_SOURCE_DIR "/tests/data/video-blue-then-red.mp4"),
                        source));
    Outcome download;
    const QString id =
        sendAndFetch(users, source, m_dir.filePath(QStringLiteral("clip-out.mp4")), &download);
    QVERIFY(!id.isEmpty());
    QVERIFY2(download.ok, qPrintable(download.error));
    QCOMPARE(sha256Of(m_dir.filePath(QStringLiteral("clip-out.mp4"))), sha256Of(source));

    // What bob got in the message, before and without the file.
    const auto received = users.bob->core().store().messageByClientId(id);
    QVERIFY(received);
    const auto attachment = Client::ClientCore::attachmentsOf(*received).value(0);
    QCOMPARE(attachment.name, QStringLiteral("clip.mp4"));
    QCOMPARE(attachment.mime, QStringLiteral("video/mp4"));
    QCOMPARE(attachment.width, 160);
    QCOMPARE(attachment.height, 90);
    QVERIFY2(qAbs(attachment.durationMs - 3000) <= 50,
             qPrintable(QString::number(attachment.durationMs)));
    const QImage poster = Client::decodeThumbnail(attachment.thumbnail);
    QCOMPARE(poster.size(), QSize(160, 90));
    const QColor middle = poster.pixelColor(80, 45);
    QVERIFY2(middle.red() > 200 && middle.green() < 60 && middle.blue() < 60,
             qPrintable(middle.name()));
    // The sender keeps the same.
    const auto sent = users.alice->core().store().messageByClientId(id);
    QVERIFY(sent);
    QCOMPARE(Client::ClientCore::attachmentsOf(*sent).value(0), attachment);
}

void MediaTest::noPlaintextOnTheServer()
{
    TwoUsers users;
    QVERIFY(users.start());
    const QByteArray marker = "TINCAN-MEDIA-PLAINTEXT-MARKER-7f3a9c";
    const QString source = m_dir.filePath(QStringLiteral("marked.txt"));
    QVERIFY(makeFile(source, 3'000'000, marker));
    Outcome download;
    const QString id =
        sendAndFetch(users, source, m_dir.filePath(QStringLiteral("marked-out.txt")), &download);
    QVERIFY(!id.isEmpty());
    QVERIFY2(download.ok, qPrintable(download.error));
    QCOMPARE(sha256Of(m_dir.filePath(QStringLiteral("marked-out.txt"))), sha256Of(source));
    // Neither the daemon's data (blobs, database, WAL) nor the recipient's media cache holds
    // the plaintext.
    QVERIFY(!containsBytes(users.server.dataDir(), marker));
    QVERIFY(!containsBytes(users.bob->core().mediaCacheDirectory(), marker));
    QVERIFY(!filesUnder(users.bob->core().mediaCacheDirectory()).isEmpty());
}

void MediaTest::damagedBlobIsRejected_data()
{
    QTest::addColumn<bool>("truncate");
    QTest::addColumn<QString>("reason");
    // Someone with access to the server's disk flips one byte of the stored ciphertext, or cuts
    // the file short.
    QTest::newRow("one byte flipped") << false << QStringLiteral("digest");
    QTest::newRow("truncated") << true << QString();
}

void MediaTest::damagedBlobIsRejected()
{
    QFETCH(bool, truncate);
    QFETCH(QString, reason);
    TwoUsers users;
    QVERIFY(users.start());
    Transfers bobTransfers(users.bob->core());
    const QString id = deliverFile(users, QStringLiteral("damaged.bin"), 700'000);
    QVERIFY(!id.isEmpty());

    const QStringList blobs = filesUnder(users.server.dataDir() + QStringLiteral("/media/blobs"));
    QCOMPARE(blobs.size(), 1);
    QFile blob(blobs.first());
    blob.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    if (truncate) {
        QVERIFY(blob.resize(300'000));
    } else {
        QVERIFY(blob.open(QIODevice::ReadWrite));
        blob.seek(250'000);
        char byte = 0;
        blob.getChar(&byte);
        blob.seek(250'000);
        blob.putChar(static_cast<char>(byte ^ 0x01));
        blob.close();
    }

    QString error;
    const QString destination = m_dir.filePath(QStringLiteral("damaged-out.bin"));
    const QString transfer = users.bob->core().fetchMedia(id, 0, destination, &error);
    QVERIFY2(!transfer.isEmpty(), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(bobTransfers.outcomes.value(transfer).finished, Timeout);
    const Outcome outcome = bobTransfers.outcomes.value(transfer);
    QVERIFY(!outcome.ok);
    QVERIFY(!outcome.error.isEmpty());
    QVERIFY2(outcome.error.contains(reason), qPrintable(outcome.error));
    QVERIFY(!QFile::exists(destination));
    if (!truncate) {
        // Bytes that do not match the digest are not kept (a cut download keeps its part, to
        // continue later).
        QVERIFY(filesUnder(users.bob->core().mediaCacheDirectory()).isEmpty());
    }
}

void MediaTest::downloadContinuesFromItsPart()
{
    // A download cut short keeps its ciphertext in the cache's .part; the next fetch hashes and
    // decrypts that again and asks only for the rest (Range). A .part that is not the blob's
    // beginning fails the digest check, is dropped, and the fetch after that starts over.
    TwoUsers users;
    QVERIFY(users.start());
    Client::ClientCore &bob = users.bob->core();
    Transfers bobTransfers(bob);
    QHash<QString, qint64> firstProgress;
    connect(&bob, &Client::ClientCore::transferProgress, this, [&](const QString &id, qint64 done) {
        if (!firstProgress.contains(id)) {
            firstProgress.insert(id, done);
        }
    });
    const QString id = deliverFile(users, QStringLiteral("continued.bin"), 3'000'000);
    QVERIFY(!id.isEmpty());
    const QStringList blobs = filesUnder(users.server.dataDir() + QStringLiteral("/media/blobs"));
    QCOMPARE(blobs.size(), 1);
    QFile blob(blobs.first());
    QVERIFY(blob.open(QIODevice::ReadOnly));
    const QByteArray head = blob.read(1'000'000);
    blob.close();
    const auto message = bob.store().messageByClientId(id);
    QVERIFY(message);
    const Protocol::Attachment attachment = Client::ClientCore::attachmentsOf(*message).value(0);
    QVERIFY(QDir().mkpath(bob.mediaCacheDirectory()));
    const QString part =
        bob.mediaCacheDirectory() + QLatin1Char('/') + attachment.mediaId + QStringLiteral(".part");

    // A .part that is not this blob's beginning.
    {
        QFile file(part);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QByteArray wrong = head;
        wrong[500'000] = static_cast<char>(wrong[500'000] ^ 0x40);
        file.write(wrong);
    }
    QString error;
    const QString destination = m_dir.filePath(QStringLiteral("continued-out.bin"));
    QString transfer = bob.fetchMedia(id, 0, destination, &error);
    QVERIFY2(!transfer.isEmpty(), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(bobTransfers.outcomes.value(transfer).finished, Timeout);
    QVERIFY(!bobTransfers.outcomes.value(transfer).ok);
    QVERIFY2(bobTransfers.outcomes.value(transfer).error.contains(QStringLiteral("digest")),
             qPrintable(bobTransfers.outcomes.value(transfer).error));
    QVERIFY(!QFile::exists(destination));
    QVERIFY(!QFile::exists(part));

    // The blob's real beginning: continued from there, and complete.
    {
        QFile file(part);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(head);
    }
    bobTransfers.outcomes.clear();
    firstProgress.clear();
    transfer = bob.fetchMedia(id, 0, destination, &error);
    QVERIFY2(!transfer.isEmpty(), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(bobTransfers.outcomes.value(transfer).finished, Timeout);
    QVERIFY2(bobTransfers.outcomes.value(transfer).ok,
             qPrintable(bobTransfers.outcomes.value(transfer).error));
    QCOMPARE(firstProgress.value(transfer), 1'000'000);
    QCOMPARE(sha256Of(destination), sha256Of(m_dir.filePath(QStringLiteral("continued.bin"))));
    QVERIFY(!QFile::exists(part));
    QVERIFY(QFile::exists(bob.mediaCacheDirectory() + QLatin1Char('/') + attachment.mediaId));
    QVERIFY(!QFile::exists(destination + QStringLiteral(".tincan-part")));
}

void MediaTest::severalTransfersPauseResumeCancel()
{
    TwoUsers users;
    QVERIFY(users.start());
    Recorder aliceRecorder(users.alice->core());
    Recorder bobRecorder(users.bob->core());
    Transfers aliceTransfers(users.alice->core());
    users.alice->core().setMaxConcurrentTransfers(3);
    QStringList ids;
    QString error;
    for (int i = 0; i < 3; ++i) {
        const QString source = m_dir.filePath(QStringLiteral("several-%1.bin").arg(i));
        QVERIFY(makeFile(source, 20'000'000 + i));
        const QString id = users.alice->core().sendFile(QStringLiteral("bob"), source, {}, &error);
        QVERIFY2(!id.isEmpty(), qPrintable(error));
        ids.append(id);
    }
    // Paused before it could finish, the first waits; the others go on.
    QVERIFY(users.alice->core().pauseTransfer(ids[0]));
    QVERIFY(users.alice->core().cancelTransfer(ids[2]));
    // Messages are not held up by the transfers.
    const QString text = users.alice->core().send(QStringLiteral("bob"),
                                                  QStringLiteral("hello "
                                                                 "meanwhile"),
                                                  &error);
    QVERIFY2(!text.isEmpty(), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(aliceTransfers.outcomes.value(ids[1]).finished, Timeout);
    QVERIFY(aliceTransfers.outcomes.value(ids[1]).ok);
    QVERIFY(aliceTransfers.outcomes.value(ids[2]).finished);
    QVERIFY(!aliceTransfers.outcomes.value(ids[2]).ok);
    QVERIFY(!aliceTransfers.outcomes.value(ids[0]).finished);
    QVERIFY(users.alice->core().activeTransfers().contains(ids[0]));
    QVERIFY(users.alice->core().resumeTransfer(ids[0]));
    QTRY_VERIFY_WITH_TIMEOUT(aliceTransfers.outcomes.value(ids[0]).finished, Timeout);
    QVERIFY2(aliceTransfers.outcomes.value(ids[0]).ok,
             qPrintable(aliceTransfers.outcomes.value(ids[0]).error));
    QTRY_VERIFY_WITH_TIMEOUT(aliceRecorder.sent.contains(ids[0]) &&
                                 aliceRecorder.sent.contains(ids[1]) &&
                                 aliceRecorder.sent.contains(text),
                             Timeout);
    QVERIFY(!aliceRecorder.sent.contains(ids[2]));
    QVERIFY(users.alice->core().store().transfers().isEmpty());
    users.bob->core().connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(bobRecorder.received.size(), 3, Timeout);
    // The cancelled upload left nothing on the server.
    QTRY_COMPARE_WITH_TIMEOUT(
        filesUnder(users.server.dataDir() + QStringLiteral("/media/partial")).size(), 0, Timeout);
    QCOMPARE(filesUnder(users.server.dataDir() + QStringLiteral("/media/blobs")).size(), 2);
}

void MediaTest::uploadIsAMessageAtOnce()
{
    // The chat shows a file from the moment it is chosen: the message exists (Uploading, with
    // the name and preview) while the file uploads, becomes a normal message when the upload
    // completes, goes away when the upload is cancelled, and stays as Failed, with the reason,
    // when the upload fails for good.
    TwoUsers users;
    QVERIFY(users.start());
    Client::ClientCore &alice = users.alice->core();
    Recorder bobRecorder(users.bob->core());
    Transfers aliceTransfers(alice);
    QList<Client::StoredMessage> added;
    QStringList removed;
    QHash<QString, Client::StoredMessage::Status> statuses;
    connect(&alice, &Client::ClientCore::messageAdded, this,
            [&](const Client::StoredMessage &message) { added.append(message); });
    connect(&alice, &Client::ClientCore::messageRemoved, this,
            [&](const QString &, const QString &id) { removed.append(id); });
    connect(
        &alice, &Client::ClientCore::messageStatusChanged, this,
        [&](const QString &id, Client::StoredMessage::Status status) { statuses[id] = status; });
    using Status = Client::StoredMessage::Status;
    const QString conversation =
        Protocol::directConversationId(QStringLiteral("alice"), QStringLiteral("bob"));
    const QString zeros(32, QLatin1Char('0'));

    QStringList ids;
    QStringList sources;
    QString error;
    for (int i = 0; i < 3; ++i) {
        sources.append(m_dir.filePath(QStringLiteral("at-once-%1.bin").arg(i)));
        QVERIFY(makeFile(sources.last(), 3'000'000 + i));
        const QString id = alice.sendFile(QStringLiteral("bob"), sources.last(),
                                          QStringLiteral("file %1").arg(i), &error);
        QVERIFY2(!id.isEmpty(), qPrintable(error));
        // Held where it is (nothing ran yet: no event loop since sendFile).
        QVERIFY(alice.pauseTransfer(id));
        ids.append(id);
    }
    QCOMPARE(added.size(), 3);
    for (int i = 0; i < 3; ++i) {
        const auto message = alice.store().messageByClientId(ids[i]);
        QVERIFY(message);
        QCOMPARE(message->status, Status::Uploading);
        QCOMPARE(message->conversation, conversation);
        QCOMPARE(message->text, QStringLiteral("file %1").arg(i));
        QCOMPARE(added[i].localId, message->localId);
        QVERIFY(added[i].localId > 0);
        const QList<Protocol::Attachment> attachments = Client::ClientCore::attachmentsOf(*message);
        QCOMPARE(attachments.size(), 1);
        QCOMPARE(attachments[0].name, QStringLiteral("at-once-%1.bin").arg(i));
        QCOMPARE(attachments[0].size, 3'000'000 + i);
        QCOMPARE(attachments[0].mediaId, zeros); // not uploaded yet
        QCOMPARE(Client::StoredMessage::statusName(message->status), QStringLiteral("uploading"));
    }
    QCOMPARE(alice.store().history(conversation, 10).size(), 3);
    // Not in the outbox, and not to be fetched.
    QVERIFY(alice.store().outbox().isEmpty());
    QVERIFY(alice.fetchMedia(ids[0], 0, m_dir.filePath(QStringLiteral("x")), &error).isEmpty());
    QVERIFY2(error.contains(QStringLiteral("still uploading")), qPrintable(error));

    // Cancelled: the message goes with it.
    QVERIFY(alice.cancelTransfer(ids[1]));
    QCOMPARE(removed, QStringList{ids[1]});
    QVERIFY(!alice.store().messageByClientId(ids[1]));
    QVERIFY(!alice.store().transfer(ids[1]));

    // The file disappeared before it was read: the upload fails for good, the message stays.
    QVERIFY(QFile::remove(sources[2]));
    QVERIFY(alice.resumeTransfer(ids[2]));
    QTRY_VERIFY_WITH_TIMEOUT(aliceTransfers.outcomes.value(ids[2]).finished, Timeout);
    QVERIFY(!aliceTransfers.outcomes.value(ids[2]).ok);
    QCOMPARE(statuses.value(ids[2]), Status::Failed);
    const auto failed = alice.store().messageByClientId(ids[2]);
    QVERIFY(failed);
    QCOMPARE(failed->status, Status::Failed);
    QVERIFY2(failed->error.contains(QStringLiteral("disappeared")), qPrintable(failed->error));
    QVERIFY(!alice.store().transfer(ids[2]));
    // ... until the user deletes it.
    QVERIFY2(alice.discardUnsent(ids[2], &error), qPrintable(error));
    QVERIFY(!alice.store().messageByClientId(ids[2]));
    QCOMPARE(removed, (QStringList{ids[1], ids[2]}));

    // Completed: the same row becomes a normal message, with the real media id, and is sent.
    QVERIFY(alice.resumeTransfer(ids[0]));
    QTRY_VERIFY_WITH_TIMEOUT(aliceTransfers.outcomes.value(ids[0]).finished, Timeout);
    QVERIFY2(aliceTransfers.outcomes.value(ids[0]).ok,
             qPrintable(aliceTransfers.outcomes.value(ids[0]).error));
    QTRY_VERIFY_WITH_TIMEOUT(alice.store().messageByClientId(ids[0])->status == Status::Sent,
                             Timeout);
    const auto sent = alice.store().messageByClientId(ids[0]);
    QCOMPARE(sent->localId, added[0].localId);
    const QList<Protocol::Attachment> attachments = Client::ClientCore::attachmentsOf(*sent);
    QCOMPARE(attachments.size(), 1);
    QVERIFY(attachments[0].mediaId != zeros);
    QVERIFY(attachments[0].digest != QByteArray(32, '\0'));
    QCOMPARE(alice.store().history(conversation, 10).size(), 1);
    // A sent message is not "unsent".
    QVERIFY(!alice.discardUnsent(ids[0], &error));

    users.bob->core().connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(bobRecorder.received.size(), 1, Timeout);
    const auto received = users.bob->core().store().messageByClientId(ids[0]);
    QVERIFY(received);
    QCOMPARE(Client::ClientCore::attachmentsOf(*received).value(0).mediaId, attachments[0].mediaId);
    QCOMPARE(received->text, QStringLiteral("file 0"));
}

void MediaTest::pauseAndResumeMidTransfer()
{
    // Paused while its request runs on its own thread and resumed at once, an upload and a
    // download each go on from where the server (or the cache) stopped and complete, whole.
    TwoUsers users(QStringLiteral("[tls]\nenabled=false\n"));
    QVERIFY(users.start());
    Client::ClientCore &alice = users.alice->core();
    Client::ClientCore &bob = users.bob->core();
    Recorder bobRecorder(bob);
    Transfers aliceTransfers(alice);
    Transfers bobTransfers(bob);
    const QString source = m_dir.filePath(QStringLiteral("paused.bin"));
    QVERIFY(makeFile(source, 200'000'000));
    QString error;
    const QString id = alice.sendFile(QStringLiteral("bob"), source, {}, &error);
    QVERIFY2(!id.isEmpty(), qPrintable(error));
    QVERIFY(waitUntil([&] { return aliceTransfers.progress.value(id) > 0; }, Timeout));
    QVERIFY(alice.pauseTransfer(id));
    QVERIFY(alice.resumeTransfer(id));
    QVERIFY(waitUntil([&] { return aliceTransfers.outcomes.value(id).finished; }, 300000));
    QVERIFY2(aliceTransfers.outcomes.value(id).ok,
             qPrintable(aliceTransfers.outcomes.value(id).error));
    QCOMPARE(filesUnder(users.server.dataDir() + QStringLiteral("/media/blobs")).size(), 1);

    bob.connectToServer();
    QVERIFY(waitUntil([&] { return !bobRecorder.received.isEmpty(); }, Timeout));
    const QString destination = m_dir.filePath(QStringLiteral("paused-out.bin"));
    const QString download = bob.fetchMedia(id, 0, destination, &error);
    QVERIFY2(!download.isEmpty(), qPrintable(error));
    QVERIFY(waitUntil([&] { return bobTransfers.progress.value(download) > 0; }, Timeout));
    QVERIFY(bob.pauseTransfer(download));
    QVERIFY(bob.resumeTransfer(download));
    QVERIFY(waitUntil([&] { return bobTransfers.outcomes.value(download).finished; }, 300000));
    QVERIFY2(bobTransfers.outcomes.value(download).ok,
             qPrintable(bobTransfers.outcomes.value(download).error));
    QCOMPARE(sha256Of(destination), sha256Of(source));
    QFile::remove(source);
    QFile::remove(destination);
}

void MediaTest::uploadSenderChecksThePin()
{
    // The PATCH sender (libcurl) accepts only the pinned certificate, and refuses another one
    // in the handshake: not a byte of the body reaches the server. With the right pin the
    // digest it took while sending is the server's.
    TwoUsers users;
    QVERIFY(users.start());
    QCOMPARE(users.server.url().scheme(), QStringLiteral("https"));
    const QString source = m_dir.filePath(QStringLiteral("pinned.bin"));
    QVERIFY(makeFile(source, 700'000));
    const QByteArray key = Crypto::MediaCipher::generateKey();
    QByteArray salt(Crypto::MediaCipher::SaltBytes, '\x5a');
    const qint64 cipherSize = Crypto::MediaCipher::cipherSize(700'000);
    const QJsonObject body{{QStringLiteral("size"), cipherSize}};
    const Client::ApiResult reserved =
        users.alice->call("POST", QStringLiteral("/v1/media"), &body);
    QCOMPARE(reserved.status, 201);
    Client::UploadSender::Request request;
    request.url = users.server.url().resolved(
        QUrl(reserved.body.value(QStringLiteral("uploadUrl")).toString()));
    request.path = source;
    request.key = key;
    request.salt = salt;
    request.plainSize = 700'000;
    std::atomic_bool stop = false;
    const auto ignore = [](qint64) {
    };

    request.pin = QByteArray(32, '\x11');
    Client::UploadSender::Result refused = Client::UploadSender::run(request, stop, ignore);
    QVERIFY(refused.pinMismatch);
    QCOMPARE(refused.status, 0);
    QVERIFY2(refused.error.contains(QStringLiteral("certificate")), qPrintable(refused.error));
    const QString partial = users.server.dataDir() + QStringLiteral("/media/partial");
    for (const QString &file : filesUnder(partial)) {
        QCOMPARE(QFileInfo(file).size(), 0);
    }

    request.pin.clear();
    refused = Client::UploadSender::run(request, stop, ignore);
    QCOMPARE(refused.status, 0);
    QVERIFY2(refused.error.contains(QStringLiteral("pinned")), qPrintable(refused.error));

    stop = true;
    request.pin = users.alice->core().certificatePin().digest();
    QVERIFY(!request.pin.isEmpty());
    const Client::UploadSender::Result stopped = Client::UploadSender::run(request, stop, ignore);
    QVERIFY(stopped.stopped);
    QCOMPARE(stopped.status, 0);

    stop = false;
    qint64 progressed = 0;
    const Client::UploadSender::Result sent = Client::UploadSender::run(
        request, stop, [&](qint64 offset) { progressed = std::max(progressed, offset); });
    QCOMPARE(sent.status, 204);
    QCOMPARE(sent.serverDigest.size(), 32);
    QCOMPARE(sent.digest, sent.serverDigest);
    QString error;
    QCOMPARE(sent.digest,
             Client::EncryptingFileDevice::digestOf(source, key, salt, &error).value());
    QVERIFY(progressed <= cipherSize);
}

void MediaTest::killedUploadResumes()
{
    // The real CLI, killed in the middle of its upload; `flush` continues from where the server
    // stopped, not from the start.
    // Signed URLs live one second here: the kept upload URL has expired when the upload goes on,
    // so the client must get a fresh one (the PATCH that runs longer is not cut).
    TestServer server(QStringLiteral("[tls]\nenabled=false\n[media]\nurl_ttl_seconds=1\n"));
    QVERIFY(server.start());
    const QString alice = m_dir.filePath(QStringLiteral("cli-alice"));
    const QString bob = m_dir.filePath(QStringLiteral("cli-bob"));
    auto cli = [&](const QString &profile, const QStringList &args) {
        return runProcess(QStringLiteral(TINCAN_CLI_PATH),
                          QStringList{QStringLiteral("--profile"), profile,
                                      QStringLiteral("--server"), server.url().toString()} +
                              args,
                          "correct horse battery\n");
    };
    QCOMPARE(cli(alice, {QStringLiteral("register"), QStringLiteral("alice"),
                         QStringLiteral("--password-stdin")})
                 .exitCode,
             0);
    QCOMPARE(cli(bob, {QStringLiteral("register"), QStringLiteral("bob"),
                       QStringLiteral("--password-stdin")})
                 .exitCode,
             0);
    const QString source = m_dir.filePath(QStringLiteral("killed.bin"));
    QVERIFY(makeFile(source, 600'000'000));

    QProcess upload;
    upload.setProgram(QStringLiteral(TINCAN_CLI_PATH));
    upload.setArguments({QStringLiteral("--profile"), alice, QStringLiteral("send-file"),
                         QStringLiteral("bob"), source});
    int percent = 0;
    connect(&upload, &QProcess::readyReadStandardError, &upload, [&] {
        const QString text = QString::fromUtf8(upload.readAllStandardError());
        auto it = QRegularExpression(QStringLiteral("(\\d+)%")).globalMatch(text);
        while (it.hasNext()) {
            percent = std::max(percent, it.next().captured(1).toInt());
        }
        if (percent >= 20 && upload.state() == QProcess::Running) {
            upload.kill(); // SIGKILL: no chance to clean up.
        }
    });
    upload.start();
    QVERIFY(upload.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(upload.state() == QProcess::NotRunning, 120000);
    QVERIFY2(upload.exitStatus() == QProcess::CrashExit, "the upload finished before the kill");
    QVERIFY(percent >= 20 && percent < 100);

    // The server kept what arrived.
    const QString partial = server.dataDir() + QStringLiteral("/media/partial");
    QTRY_VERIFY_WITH_TIMEOUT(filesUnder(partial).size() == 1, Timeout);
    const qint64 kept = QFileInfo(filesUnder(partial).first()).size();
    QVERIFY(kept > 0);

    const qint64 killedAt = QDateTime::currentSecsSinceEpoch();
    QTRY_VERIFY_WITH_TIMEOUT(QDateTime::currentSecsSinceEpoch() >= killedAt + 2, Timeout);
    const ProcessRun flush =
        cli(alice, {QStringLiteral("flush"), QStringLiteral("--timeout"), QStringLiteral("300")});
    QVERIFY2(flush.exitCode == 0, qPrintable(flush.err));
    // Its first progress line is where the server was, not 0 %.
    const QRegularExpressionMatch first =
        QRegularExpression(QStringLiteral("(\\d+)%")).match(flush.err);
    QVERIFY2(first.hasMatch(), qPrintable(flush.err));
    QVERIFY2(first.captured(1).toInt() > 0, qPrintable(flush.err));

    QCOMPARE(filesUnder(partial).size(), 0);
    QCOMPARE(filesUnder(server.dataDir() + QStringLiteral("/media/blobs")).size(), 1);
    const ProcessRun history = cli(bob, {QStringLiteral("listen"), QStringLiteral("--json"),
                                         QStringLiteral("--count"), QStringLiteral("1")});
    QCOMPARE(history.exitCode, 0);
    QJsonObject message;
    for (const QString &line : history.out.split(QLatin1Char('\n'))) {
        const QJsonObject object = QJsonDocument::fromJson(line.toUtf8()).object();
        if (object.value(QStringLiteral("type")).toString() == QLatin1String("message")) {
            message = object;
        }
    }
    QCOMPARE(message.value(QStringLiteral("attachments")).toArray().size(), 1);
    const QString id = message.value(QStringLiteral("clientMessageId")).toString();
    QVERIFY2(!id.isEmpty(), qPrintable(history.out));
    const QString destination = m_dir.filePath(QStringLiteral("killed-out.bin"));
    const ProcessRun fetch = cli(bob, {QStringLiteral("fetch-media"), id, destination,
                                       QStringLiteral("--timeout"), QStringLiteral("300")});
    QVERIFY2(fetch.exitCode == 0, qPrintable(fetch.err));
    QCOMPARE(sha256Of(destination), sha256Of(source));
    QFile::remove(source);
    QFile::remove(destination);
}

void MediaTest::oneGigabyte()
{
    const QStorageInfo storage(m_dir.path());
    if (storage.bytesAvailable() < 6LL * 1024 * 1024 * 1024) {
        QSKIP("needs 6 GB free for the 1 GB round trip (source, server, cache, destination)");
    }
    TwoUsers users(QStringLiteral("[tls]\nenabled=false\n"));
    QVERIFY(users.start());
    const QString source = m_dir.filePath(QStringLiteral("big.bin"));
    const QString destination = m_dir.filePath(QStringLiteral("big-out.bin"));
    QVERIFY(makeFile(source, 1'000'000'000));
    Outcome download;
    const QString id = sendAndFetch(users, source, destination, &download);
    QVERIFY(!id.isEmpty());
    QVERIFY2(download.ok, qPrintable(download.error));
    QCOMPARE(QFileInfo(destination).size(), qint64(1'000'000'000));
    QCOMPARE(sha256Of(destination), sha256Of(source));
    QFile::remove(source);
    QFile::remove(destination);
}

QTEST_GUILESS_MAIN(MediaTest)
#include "tst_media.moc"
