// Unit tests for media (issue 5) on the client side: the ciphertext format (MediaCipher), the
// encrypting upload device, previews, and the agreement between the protocol's size rule and
// the cipher's.

#include "app/core/EncryptingFileDevice.h"
#include "app/core/Thumbnail.h"
#include "shared/crypto/MediaCipher.h"
#include "shared/protocol/MessageContent.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QImageReader>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

#include <cstring>
#include <memory>
#include <optional>

using namespace Tincan;
using namespace Tincan::Crypto;
using MediaCipher::ChunkSize;
using MediaCipher::CipherChunkSize;
using MediaCipher::HeaderBytes;
using MediaCipher::TagBytes;

namespace {

const QByteArray TestKey = [] {
    QByteArray key(32, Qt::Uninitialized);
    for (int i = 0; i < 32; ++i) {
        key[i] = static_cast<char>(i);
    }
    return key;
}();

const QByteArray TestSalt = [] {
    QByteArray salt(16, Qt::Uninitialized);
    for (int i = 0; i < 16; ++i) {
        salt[i] = static_cast<char>(0x40 + i);
    }
    return salt;
}();

//! Byte i is (7 i + 3) mod 256: the plaintext of the known answers.
QByteArray pattern(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i) {
        bytes[i] = static_cast<char>((i * 7 + 3) & 0xff);
    }
    return bytes;
}

QByteArray randomBytes(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; i += 4) {
        const quint32 word = QRandomGenerator::global()->generate();
        std::memcpy(bytes.data() + i, &word, static_cast<size_t>(std::min<qsizetype>(4, size - i)));
    }
    return bytes;
}

QByteArray encryptBlob(const QByteArray &key, const QByteArray &salt, const QByteArray &plain)
{
    MediaEncryptor encryptor(key, salt);
    if (!encryptor.ok()) {
        return {};
    }
    QByteArray blob = encryptor.header();
    const qint64 chunks = MediaCipher::chunkCount(plain.size());
    for (qint64 i = 0; i < chunks; ++i) {
        const qint64 offset = i * ChunkSize;
        const QByteArrayView piece =
            QByteArrayView(plain).sliced(offset, std::min(ChunkSize, plain.size() - offset));
        const QByteArray chunk =
            encryptor.encryptChunk(static_cast<quint64>(i), piece, i == chunks - 1);
        if (chunk.isEmpty()) {
            return {};
        }
        blob += chunk;
    }
    return blob;
}

//! Feeds `blob` in pieces of `piece` bytes (all at once if 0) and finishes.
std::optional<QByteArray> decryptBlob(const QByteArray &key, const QByteArray &blob,
                                      qsizetype piece = 0, QString *error = nullptr)
{
    MediaDecryptor decryptor(key);
    QByteArray plain;
    QString message;
    const qsizetype step = piece > 0 ? piece : std::max<qsizetype>(1, blob.size());
    for (qsizetype at = 0; at < blob.size(); at += step) {
        if (!decryptor.update(QByteArrayView(blob).sliced(at, std::min(step, blob.size() - at)),
                              &plain, &message)) {
            if (error) {
                *error = message;
            }
            return std::nullopt;
        }
    }
    if (!decryptor.finish(&plain, &message)) {
        if (error) {
            *error = message;
        }
        return std::nullopt;
    }
    if (decryptor.consumed() != blob.size()) {
        return std::nullopt;
    }
    return plain;
}

QByteArray sha256(const QByteArray &bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256);
}

//! CRC-32 (ISO-HDLC, as PNG uses it), to patch a PNG header in a test.
quint32 crc32(QByteArrayView bytes)
{
    quint32 crc = 0xffffffffu;
    for (const char byte : bytes) {
        crc ^= static_cast<quint8>(byte);
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

} // namespace

class TestMediaCipher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    // MediaCipher
    void sizes_data();
    void sizes();
    void sizesAreConsistent();
    void protocolAgreesOnCipherSize();
    void knownAnswers();
    void roundTrip_data();
    void roundTrip();
    void chunksAreStateless();
    void freshKeysAndSalts();
    void encryptorRefusesMisuse();
    void rejects_data();
    void rejects();
    void rejectionErrorsSayWhy();
    void decryptorStaysFailed();
    void digestMatchesSha256();

    // EncryptingFileDevice
    void deviceReadAllMatches_data();
    void deviceReadAllMatches();
    void deviceSeeks();
    void deviceWindow();
    void deviceOutputDecrypts();
    void deviceDetectsChangedFile_data();
    void deviceDetectsChangedFile();
    void deviceRefusesMisuse();
    void digestOf();

    // Thumbnail
    void thumbnailOfLargeImage();
    void thumbnailOfSmallImageKeepsSize();
    void thumbnailTransparencyIsWhite();
    void thumbnailRefusesDecompressionBomb();
    void thumbnailOfNonImage_data();
    void thumbnailOfNonImage();
    void decodeThumbnailOnlyTakesSmallJpeg();
    void mimeTypes();

private:
    QString writeFile(const QString &name, const QByteArray &bytes);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestMediaCipher::initTestCase()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

QString TestMediaCipher::writeFile(const QString &name, const QByteArray &bytes)
{
    const QString path = m_dir->filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        file.write(bytes) != bytes.size()) {
        return {};
    }
    return path;
}

// ---- MediaCipher -------------------------------------------------------------------------------

void TestMediaCipher::sizes_data()
{
    QTest::addColumn<qint64>("plain");
    QTest::addColumn<qint64>("cipher");

    QTest::newRow("empty: one empty final chunk") << qint64(0) << qint64(20 + 16);
    QTest::newRow("1") << qint64(1) << qint64(20 + 1 + 16);
    QTest::newRow("65535") << qint64(65535) << qint64(20 + 65535 + 16);
    QTest::newRow("65536: one full final chunk") << qint64(65536) << qint64(20 + 65536 + 16);
    QTest::newRow("65537") << qint64(65537) << qint64(20 + 65537 + 32);
    QTest::newRow("3 chunks + 5") << qint64(3 * 65536 + 5) << qint64(20 + 3 * 65536 + 5 + 64);
    QTest::newRow("4 GiB") << (qint64(4) << 30) << (qint64(4) << 30) + 20 + 65536 * 16;
}

void TestMediaCipher::sizes()
{
    QFETCH(qint64, plain);
    QFETCH(qint64, cipher);

    QCOMPARE(MediaCipher::cipherSize(plain), cipher);
    QCOMPARE(MediaCipher::plainSize(cipher), plain);
    QCOMPARE(MediaCipher::chunkCount(plain), (cipher - 20 - plain) / 16);
}

void TestMediaCipher::sizesAreConsistent()
{
    // Every blob size either maps to exactly one plaintext size or to none.
    QCOMPARE(MediaCipher::cipherSize(-1), -1);
    QCOMPARE(MediaCipher::cipherSize(std::numeric_limits<qint64>::max()), -1);
    for (qint64 cipher = -1; cipher < HeaderBytes + TagBytes; ++cipher) {
        QCOMPARE(MediaCipher::plainSize(cipher), -1);
    }
    qint64 valid = 0;
    for (qint64 cipher = HeaderBytes; cipher < 20 + 3 * CipherChunkSize + 100; ++cipher) {
        const qint64 plain = MediaCipher::plainSize(cipher);
        if (plain >= 0) {
            ++valid;
            QCOMPARE(MediaCipher::cipherSize(plain), cipher);
        }
    }
    // 3 chunks' worth of plaintext sizes (0..196608) plus the 84 after them, each exactly once.
    // 0..3 * ChunkSize (three chunks at most), then 83 sizes with a fourth chunk end below the
    // limit: one blob size per plaintext size, and no two plaintext sizes share one.
    QCOMPARE(valid, 3 * ChunkSize + 1 + 83);
    for (const qint64 cipher :
         {qint64(20 + 65552 + 1), qint64(20 + 65552 + 16), qint64(20 + 2 * 65552 + 15)}) {
        QCOMPARE(MediaCipher::plainSize(cipher), -1);
    }
}

void TestMediaCipher::protocolAgreesOnCipherSize()
{
    for (const qint64 plain : {qint64(0), qint64(1), qint64(65535), qint64(65536), qint64(65537),
                               qint64(131072), qint64(3 * 65536 + 5), qint64(10'000'000),
                               qint64(4) << 30, Protocol::Attachment::MaxSize}) {
        QCOMPARE(Protocol::Attachment::expectedCipherSize(plain), MediaCipher::cipherSize(plain));
    }
}

void TestMediaCipher::knownAnswers()
{
    // Computed independently (Python's cryptography package: HKDF-SHA256 and AESGCM) from the
    // spec, with key 00..1f and salt 40..4f.
    const QByteArray empty = QByteArray::fromHex(
        "54434d31404142434445464748494a4b4c4d4e4f972fed3d779f63edd7eb20fadc83a5b6");
    const QByteArray hello =
        QByteArray::fromHex("54434d31404142434445464748494a4b4c4d4e4f468b1c722b"
                            "2e2841af17f96659db66d4b631797393");
    QCOMPARE(encryptBlob(TestKey, TestSalt, {}), empty);
    QCOMPARE(encryptBlob(TestKey, TestSalt, "hello"), hello);
    QCOMPARE(decryptBlob(TestKey, empty), QByteArray(""));
    QCOMPARE(decryptBlob(TestKey, hello), QByteArray("hello"));

    // Two chunks (index and final flag in the nonce), and one full final chunk.
    const QByteArray twoChunks = encryptBlob(TestKey, TestSalt, pattern(65536 + 5));
    QCOMPARE(twoChunks.size(), 65593);
    QCOMPARE(sha256(twoChunks).toHex(),
             QByteArray("b2a7b6c3fe32298e45a900e82f47aa563c5f38fcb5c13501874cd445cfb88579"));
    const QByteArray fullFinal = encryptBlob(TestKey, TestSalt, pattern(65536));
    QCOMPARE(fullFinal.size(), 65572);
    QCOMPARE(sha256(fullFinal).toHex(),
             QByteArray("c5df0178a9dc91394b5c5708bc10b13c80ee4b1cbb55a010f4d17487910a9b3c"));
}

void TestMediaCipher::roundTrip_data()
{
    QTest::addColumn<qsizetype>("size");

    QTest::newRow("0") << qsizetype(0);
    QTest::newRow("1") << qsizetype(1);
    QTest::newRow("65535") << qsizetype(65535);
    QTest::newRow("65536") << qsizetype(65536);
    QTest::newRow("65537") << qsizetype(65537);
    QTest::newRow("3 chunks + 5") << qsizetype(3 * 65536 + 5);
    QTest::newRow("10 MB") << qsizetype(10'000'000);
}

void TestMediaCipher::roundTrip()
{
    QFETCH(qsizetype, size);

    const QByteArray key = MediaCipher::generateKey();
    const QByteArray plain = randomBytes(size);
    const QByteArray blob = encryptBlob(key, {}, plain);
    QCOMPARE(blob.size(), MediaCipher::cipherSize(size));
    QVERIFY(blob.startsWith("TCM1"));
    if (size >= 64) {
        QVERIFY(!blob.contains(plain.left(64)));
    }
    // Any cut of the stream into pieces gives the same plaintext.
    for (const qsizetype piece : {qsizetype(0), qsizetype(7), qsizetype(4096), CipherChunkSize,
                                  CipherChunkSize + 1, qsizetype(100'000)}) {
        QString error;
        const auto decrypted = decryptBlob(key, blob, piece, &error);
        QVERIFY2(decrypted, qPrintable(error));
        QVERIFY2(*decrypted == plain, qPrintable(QString::number(piece)));
    }
    if (size <= 3 * 65536 + 5) {
        const auto decrypted = decryptBlob(key, blob, 1);
        QVERIFY(decrypted);
        QVERIFY(*decrypted == plain);
    }
}

void TestMediaCipher::chunksAreStateless()
{
    const QByteArray plain = randomBytes(3 * ChunkSize);
    MediaEncryptor a(TestKey, TestSalt);
    MediaEncryptor b(TestKey, TestSalt);
    const QByteArrayView view(plain);
    // Made out of order, and again, chunks are the same bytes.
    const QByteArray two = a.encryptChunk(2, view.sliced(2 * ChunkSize), true);
    const QByteArray zero = a.encryptChunk(0, view.first(ChunkSize), false);
    QCOMPARE(a.encryptChunk(2, view.sliced(2 * ChunkSize), true), two);
    QCOMPARE(b.encryptChunk(0, view.first(ChunkSize), false), zero);
    QCOMPARE(b.encryptChunk(2, view.sliced(2 * ChunkSize), true), two);
    // The index and the final flag change the chunk.
    QVERIFY(b.encryptChunk(1, view.first(ChunkSize), false) != zero);
    QVERIFY(b.encryptChunk(0, view.first(ChunkSize), true) != zero);
    // The output-buffer overload writes the same.
    QByteArray out(CipherChunkSize, Qt::Uninitialized);
    QVERIFY(b.encryptChunk(0, view.first(ChunkSize), false, out.data()));
    QCOMPARE(out, zero);
}

void TestMediaCipher::freshKeysAndSalts()
{
    const QByteArray key1 = MediaCipher::generateKey();
    const QByteArray key2 = MediaCipher::generateKey();
    QCOMPARE(key1.size(), 32);
    QVERIFY(key1 != key2);
    MediaEncryptor a(key1);
    MediaEncryptor b(key1);
    QVERIFY(a.ok() && b.ok());
    QCOMPARE(a.header().size(), HeaderBytes);
    QVERIFY(a.header().startsWith("TCM1"));
    QVERIFY(a.header() != b.header());
    QCOMPARE(a.salt(), a.header().mid(4));
    QCOMPARE(MediaEncryptor(key1, TestSalt).header(), QByteArray("TCM1") + TestSalt);
    // Another salt, another subkey: the same plaintext chunk differs.
    QVERIFY(a.encryptChunk(0, "x", true) != b.encryptChunk(0, "x", true));
}

void TestMediaCipher::encryptorRefusesMisuse()
{
    QVERIFY(!MediaEncryptor(QByteArray(31, 'k')).ok());
    QVERIFY(!MediaEncryptor(QByteArray(33, 'k')).ok());
    QVERIFY(!MediaEncryptor(TestKey, QByteArray(15, 's')).ok());
    QVERIFY(MediaEncryptor(TestKey, {}).header().isEmpty() == false);

    MediaEncryptor encryptor(TestKey, TestSalt);
    QVERIFY(encryptor.ok());
    // Only the final chunk may be short, and no chunk may be long.
    QVERIFY(encryptor.encryptChunk(0, QByteArray(ChunkSize - 1, 'a'), false).isEmpty());
    QVERIFY(encryptor.encryptChunk(0, QByteArray(ChunkSize + 1, 'a'), true).isEmpty());
    QVERIFY(encryptor.encryptChunk(0, QByteArray(), false).isEmpty());
    QCOMPARE(encryptor.encryptChunk(0, QByteArray(ChunkSize, 'a'), false).size(), CipherChunkSize);
    QCOMPARE(encryptor.encryptChunk(0, QByteArray(), true).size(), TagBytes);
}

void TestMediaCipher::rejects_data()
{
    QTest::addColumn<QByteArray>("blob");
    QTest::addColumn<QByteArray>("key");

    const QByteArray plain = randomBytes(3 * ChunkSize + 5);
    const QByteArray blob = encryptBlob(TestKey, TestSalt, plain);
    const auto flipped = [&blob](qsizetype at) {
        QByteArray copy = blob;
        copy[at] = static_cast<char>(copy.at(at) ^ 0x01);
        return copy;
    };
    const qsizetype chunk1 = HeaderBytes + CipherChunkSize;
    const qsizetype lastChunk = HeaderBytes + 3 * CipherChunkSize;

    QTest::newRow("magic changed") << flipped(0) << TestKey;
    QTest::newRow("version changed") << flipped(3) << TestKey;
    QTest::newRow("salt changed") << flipped(10) << TestKey;
    QTest::newRow("first data byte changed") << flipped(HeaderBytes) << TestKey;
    QTest::newRow("middle byte changed") << flipped(chunk1 + 1000) << TestKey;
    QTest::newRow("tag changed") << flipped(chunk1 - 1) << TestKey;
    QTest::newRow("last byte changed") << flipped(blob.size() - 1) << TestKey;
    QTest::newRow("final chunk dropped") << blob.left(lastChunk) << TestKey;
    QTest::newRow("last two chunks dropped") << blob.left(chunk1 + CipherChunkSize) << TestKey;
    QTest::newRow("cut mid-chunk") << blob.left(chunk1 + 1000) << TestKey;
    QTest::newRow("cut in the final chunk") << blob.left(blob.size() - 1) << TestKey;
    QTest::newRow("cut in the header") << blob.left(10) << TestKey;
    QTest::newRow("header only") << blob.left(HeaderBytes) << TestKey;
    QTest::newRow("nothing") << QByteArray() << TestKey;
    QByteArray swapped = blob;
    swapped.replace(HeaderBytes, CipherChunkSize, blob.mid(chunk1, CipherChunkSize));
    swapped.replace(chunk1, CipherChunkSize, blob.mid(HeaderBytes, CipherChunkSize));
    QTest::newRow("chunks 0 and 1 swapped") << swapped << TestKey;
    QByteArray duplicated = blob;
    duplicated.insert(chunk1, blob.mid(HeaderBytes, CipherChunkSize));
    QTest::newRow("chunk 0 repeated") << duplicated << TestKey;
    QTest::newRow("one extra byte") << blob + QByteArray(1, '\0') << TestKey;
    QTest::newRow("extra chunk-sized tail") << blob + QByteArray(CipherChunkSize, 'x') << TestKey;
    QTest::newRow("final chunk twice") << blob + blob.mid(lastChunk) << TestKey;
    QTest::newRow("wrong key") << blob << MediaCipher::generateKey();
    QTest::newRow("short key") << blob << TestKey.left(16);
    // A full final chunk (65536 bytes) must not pass as a non-final one, and vice versa.
    const QByteArray full = encryptBlob(TestKey, TestSalt, plain.left(2 * ChunkSize));
    QTest::newRow("full final chunk dropped") << full.left(chunk1) << TestKey;
    QTest::newRow("full final chunk + more")
        << full + encryptBlob(TestKey, TestSalt, plain.left(5)).mid(HeaderBytes) << TestKey;
    // Chunks of another blob with the same key but another salt.
    const QByteArray other = encryptBlob(TestKey, QByteArray(16, 's'), plain);
    QTest::newRow("header of another blob")
        << other.left(HeaderBytes) + blob.mid(HeaderBytes) << TestKey;
    QTest::newRow("chunk of another blob")
        << blob.left(chunk1) + other.mid(chunk1, CipherChunkSize) + blob.mid(2 * chunk1 - 20)
        << TestKey;
}

void TestMediaCipher::rejects()
{
    QFETCH(QByteArray, blob);
    QFETCH(QByteArray, key);

    for (const qsizetype piece : {qsizetype(0), qsizetype(1000), CipherChunkSize}) {
        QString error;
        QVERIFY(!decryptBlob(key, blob, piece, &error));
        QVERIFY(!error.isEmpty());
    }
}

void TestMediaCipher::rejectionErrorsSayWhy()
{
    const QByteArray blob = encryptBlob(TestKey, TestSalt, randomBytes(3 * ChunkSize));
    QString error;
    QVERIFY(!decryptBlob(TestKey, blob.left(HeaderBytes + 2 * CipherChunkSize), 0, &error));
    QVERIFY2(error.contains(QLatin1String("truncated")), qPrintable(error));
    QVERIFY(!decryptBlob(TestKey, blob.left(HeaderBytes), 0, &error));
    QVERIFY2(error.contains(QLatin1String("truncated")), qPrintable(error));
    QVERIFY(!decryptBlob(TestKey, blob + blob.right(CipherChunkSize), 0, &error));
    QVERIFY2(error.contains(QLatin1String("after its final chunk")), qPrintable(error));
    QVERIFY(!decryptBlob(TestKey, "TCM2" + blob.mid(4), 0, &error));
    QVERIFY2(error.contains(QLatin1String("header")), qPrintable(error));
    QVERIFY(!decryptBlob(MediaCipher::generateKey(), blob, 0, &error));
    QVERIFY2(error.contains(QLatin1String("chunk 0")), qPrintable(error));
}

void TestMediaCipher::decryptorStaysFailed()
{
    const QByteArray blob = encryptBlob(TestKey, TestSalt, randomBytes(2 * ChunkSize + 1));
    QByteArray corrupt = blob;
    corrupt[HeaderBytes + 5] = static_cast<char>(corrupt.at(HeaderBytes + 5) ^ 0x80);
    MediaDecryptor decryptor(TestKey);
    QByteArray plain;
    QString error;
    QVERIFY(!decryptor.update(corrupt, &plain, &error));
    QVERIFY(plain.isEmpty()); // nothing unauthenticated came out
    QVERIFY(decryptor.failed());
    // The good bytes after a failure do not revive it.
    QVERIFY(!decryptor.update(QByteArrayView(blob).sliced(HeaderBytes), &plain, &error));
    QVERIFY(!decryptor.finish(&plain, &error));
    QVERIFY(plain.isEmpty());

    MediaDecryptor done(TestKey);
    QVERIFY(done.update(blob, &plain, &error));
    QVERIFY(done.finish(&plain, &error));
    QCOMPARE(plain.size(), 2 * ChunkSize + 1);
    QVERIFY(!done.update("x", &plain, &error));
    QVERIFY(!done.finish(&plain, &error));
}

void TestMediaCipher::digestMatchesSha256()
{
    const QByteArray data = randomBytes(300'000);
    MediaDigest digest;
    digest.addData(QByteArrayView(data).first(1));
    digest.addData(QByteArrayView(data).sliced(1, 99'999));
    digest.addData(QByteArrayView(data).sliced(100'000));
    QCOMPARE(digest.result(), sha256(data));
    // It starts over after a result.
    digest.addData("abc");
    QCOMPARE(digest.result(), sha256("abc"));
    QCOMPARE(MediaDigest().result(), sha256({}));
}

// ---- EncryptingFileDevice ----------------------------------------------------------------------

void TestMediaCipher::deviceReadAllMatches_data()
{
    QTest::addColumn<qsizetype>("size");
    QTest::addColumn<qint64>("readSize");

    QTest::newRow("0") << qsizetype(0) << qint64(1 << 20);
    QTest::newRow("1") << qsizetype(1) << qint64(3);
    QTest::newRow("65536") << qsizetype(65536) << qint64(16384);
    QTest::newRow("3 chunks + 5, odd reads") << qsizetype(3 * 65536 + 5) << qint64(999);
    QTest::newRow("3 chunks + 5, big reads") << qsizetype(3 * 65536 + 5) << qint64(1 << 20);
    QTest::newRow("1 MB, chunk reads") << qsizetype(1'000'000) << CipherChunkSize;
}

void TestMediaCipher::deviceReadAllMatches()
{
    QFETCH(qsizetype, size);
    QFETCH(qint64, readSize);

    const QByteArray plain = randomBytes(size);
    const QString path = writeFile(QStringLiteral("plain-%1").arg(size), plain);
    QVERIFY(!path.isEmpty());
    Client::EncryptingFileDevice device(path, TestKey, TestSalt);
    QVERIFY2(device.open(QIODevice::ReadOnly), qPrintable(device.errorString()));
    QVERIFY(!device.isSequential());
    QCOMPARE(device.plainSize(), size);
    QCOMPARE(device.size(), MediaCipher::cipherSize(size));
    QCOMPARE(device.salt(), TestSalt);
    QByteArray blob;
    while (!device.atEnd()) {
        const QByteArray piece = device.read(readSize);
        QVERIFY(!piece.isEmpty());
        blob += piece;
    }
    QVERIFY(!device.failed());
    QCOMPARE(blob.size(), MediaCipher::cipherSize(size));
    QVERIFY(blob == encryptBlob(TestKey, TestSalt, plain));
    QCOMPARE(device.read(10), QByteArray());
}

void TestMediaCipher::deviceSeeks()
{
    const QByteArray plain = randomBytes(3 * ChunkSize + 5);
    const QByteArray blob = encryptBlob(TestKey, TestSalt, plain);
    const QString path = writeFile(QStringLiteral("seek"), plain);
    Client::EncryptingFileDevice device(path, TestKey, TestSalt);
    QVERIFY(device.open(QIODevice::ReadOnly));
    const qint64 size = device.size();
    // Resume points: in the header, at and around chunk boundaries, inside chunks, at the end.
    const QList<qint64> positions{0,
                                  5,
                                  HeaderBytes - 1,
                                  HeaderBytes,
                                  HeaderBytes + 1,
                                  HeaderBytes + CipherChunkSize - 1,
                                  HeaderBytes + CipherChunkSize,
                                  HeaderBytes + CipherChunkSize + 12345,
                                  HeaderBytes + 3 * CipherChunkSize,
                                  size - 1,
                                  size};
    // Forwards, then backwards (a chunk already passed is made again).
    QList<qint64> order = positions;
    for (auto it = positions.crbegin(); it != positions.crend(); ++it) {
        order.append(*it);
    }
    for (const qint64 pos : order) {
        QVERIFY(device.seek(pos));
        QCOMPARE(device.pos(), pos);
        QVERIFY2(device.readAll() == blob.mid(pos), qPrintable(QString::number(pos)));
    }
    // A short read, a seek back into the same chunk, and on.
    QVERIFY(device.seek(HeaderBytes + 100));
    QCOMPARE(device.read(50), blob.mid(HeaderBytes + 100, 50));
    QVERIFY(device.seek(HeaderBytes + 10));
    QCOMPARE(device.read(200), blob.mid(HeaderBytes + 10, 200));
    QVERIFY(!device.seek(size + 1));
    QVERIFY(!device.seek(-1));
    QVERIFY(device.reset());
    QVERIFY(device.readAll() == blob);
}

void TestMediaCipher::deviceWindow()
{
    const QByteArray plain = randomBytes(2 * ChunkSize + 77);
    const QByteArray blob = encryptBlob(TestKey, TestSalt, plain);
    const QString path = writeFile(QStringLiteral("window"), plain);
    Client::EncryptingFileDevice device(path, TestKey, TestSalt);
    QVERIFY(device.open(QIODevice::ReadOnly));
    // One PATCH of [begin, end): QNAM sends size() - pos() bytes.
    const qint64 begin = 30'000;
    const qint64 end = 100'000;
    QVERIFY(device.seek(begin));
    device.setEnd(end);
    QCOMPARE(device.size(), end);
    QCOMPARE(device.bytesAvailable(), end - begin);
    QVERIFY(device.readAll() == blob.mid(begin, end - begin));
    QVERIFY(device.atEnd());
    // Beyond the blob it is clamped; -1 gives back the whole blob.
    device.setEnd(blob.size() + 1000);
    QCOMPARE(device.size(), blob.size());
    QVERIFY(device.readAll() == blob.mid(end));
    device.setEnd(-1);
    QVERIFY(device.reset());
    QVERIFY(device.readAll() == blob);
}

void TestMediaCipher::deviceOutputDecrypts()
{
    const QByteArray plain = randomBytes(5 * ChunkSize - 3);
    const QString path = writeFile(QStringLiteral("decrypts"), plain);
    const QByteArray key = MediaCipher::generateKey();
    Client::EncryptingFileDevice device(path, key);
    QVERIFY(device.open(QIODevice::ReadOnly));
    QCOMPARE(device.salt().size(), MediaCipher::SaltBytes);
    MediaDecryptor decryptor(key);
    QByteArray out;
    QString error;
    while (!device.atEnd()) {
        QVERIFY2(decryptor.update(device.read(12345), &out, &error), qPrintable(error));
    }
    QVERIFY2(decryptor.finish(&out, &error), qPrintable(error));
    QVERIFY(out == plain);
}

void TestMediaCipher::deviceDetectsChangedFile_data()
{
    QTest::addColumn<qint64>("newSize");
    QTest::addColumn<qint64>("readFirst");

    const qint64 size = 3 * ChunkSize + 5;
    QTest::newRow("grows by one byte") << size + 1 << qint64(0);
    QTest::newRow("grows after the first chunk was read") << size + 100'000 << CipherChunkSize;
    QTest::newRow("shrinks by one byte") << size - 1 << qint64(0);
    QTest::newRow("shrinks to a chunk boundary") << 2 * ChunkSize << qint64(0);
    QTest::newRow("emptied") << qint64(0) << qint64(100);
}

void TestMediaCipher::deviceDetectsChangedFile()
{
    QFETCH(qint64, newSize);
    QFETCH(qint64, readFirst);

    const QByteArray plain = randomBytes(3 * ChunkSize + 5);
    const QString path = writeFile(QStringLiteral("changing"), plain);
    Client::EncryptingFileDevice device(path, TestKey, TestSalt);
    QVERIFY(device.open(QIODevice::ReadOnly));
    if (readFirst > 0) {
        QCOMPARE(device.read(readFirst).size(), readFirst);
    }
    QFile other(path);
    QVERIFY(other.open(QIODevice::ReadWrite));
    QVERIFY(other.resize(newSize));
    other.close();

    QByteArray buffer(1 << 20, Qt::Uninitialized);
    qint64 n = 0;
    while ((n = device.read(buffer.data(), buffer.size())) > 0) {
    }
    QCOMPARE(n, -1);
    QVERIFY(device.failed());
    QVERIFY2(device.errorString().contains(QLatin1String("changed")),
             qPrintable(device.errorString()));
    // It stays failed, wherever it goes.
    QVERIFY(device.seek(0));
    QCOMPARE(device.read(buffer.data(), 10), -1);
}

void TestMediaCipher::deviceRefusesMisuse()
{
    const QString path = writeFile(QStringLiteral("misuse"), "some bytes");
    {
        Client::EncryptingFileDevice device(path, TestKey, TestSalt);
        QVERIFY(!device.open(QIODevice::ReadWrite));
        QVERIFY(!device.open(QIODevice::WriteOnly));
        QVERIFY(device.open(QIODevice::ReadOnly));
        QCOMPARE(device.write("x"), -1);
    }
    {
        Client::EncryptingFileDevice device(m_dir->filePath(QStringLiteral("missing")), TestKey);
        QVERIFY(!device.open(QIODevice::ReadOnly));
        QVERIFY(!device.errorString().isEmpty());
    }
    {
        Client::EncryptingFileDevice device(path, QByteArray(16, 'k'));
        QVERIFY(!device.open(QIODevice::ReadOnly));
        QVERIFY(!device.errorString().isEmpty());
    }
}

void TestMediaCipher::digestOf()
{
    const QByteArray plain = randomBytes(2 * ChunkSize + 9);
    const QString path = writeFile(QStringLiteral("digest"), plain);
    QString error;
    const auto digest = Client::EncryptingFileDevice::digestOf(path, TestKey, TestSalt, &error);
    QVERIFY2(digest, qPrintable(error));
    QCOMPARE(*digest, sha256(encryptBlob(TestKey, TestSalt, plain)));
    QVERIFY(!Client::EncryptingFileDevice::digestOf(path, TestKey, {}, &error));
    QVERIFY(!error.isEmpty());
    error.clear();
    QVERIFY(!Client::EncryptingFileDevice::digestOf(m_dir->filePath(QStringLiteral("missing")),
                                                    TestKey, TestSalt, &error));
    QVERIFY(!error.isEmpty());
}

// ---- Thumbnail ---------------------------------------------------------------------------------

void TestMediaCipher::thumbnailOfLargeImage()
{
    // Noise is the worst case for JPEG size: at 400 x 240 (little smoothing by the scaling) the
    // quality has to come down below the first try.
    QImage image(400, 240, QImage::Format_RGB32);
    for (int y = 0; y < image.height(); ++y) {
        auto *line = reinterpret_cast<quint32 *>(image.scanLine(y));
        for (int x = 0; x < image.width(); ++x) {
            line[x] = 0xff000000u | (QRandomGenerator::global()->generate() & 0xffffffu);
        }
    }
    const QString path = m_dir->filePath(QStringLiteral("noise.png"));
    QVERIFY(image.save(path, "PNG"));
    QString error;
    const auto info = Client::makeThumbnail(path, &error);
    QVERIFY2(info, qPrintable(error));
    QCOMPARE(info->width, 400);
    QCOMPARE(info->height, 240);
    QCOMPARE(info->mime, QStringLiteral("image/png"));
    QVERIFY(info->jpegThumbnail.size() <= Client::Thumbnail::MaxBytes);
    QVERIFY(info->jpegThumbnail.startsWith("\xff\xd8\xff"));
    const QImage thumbnail = QImage::fromData(info->jpegThumbnail, "JPEG");
    QVERIFY(!thumbnail.isNull());
    // Lowering the quality was enough: the preview keeps the full preview size, 5:3.
    QCOMPARE(thumbnail.size(), QSize(Client::Thumbnail::MaxSide, 192));
    // The aspect ratio is kept (5:3).
    QVERIFY(qAbs(thumbnail.width() * 3 - thumbnail.height() * 5) <= 5);
    QCOMPARE(Client::decodeThumbnail(info->jpegThumbnail).size(), thumbnail.size());
}

void TestMediaCipher::thumbnailOfSmallImageKeepsSize()
{
    QImage image(100, 50, QImage::Format_RGB32);
    image.fill(QColor(10, 120, 200));
    const QString path = m_dir->filePath(QStringLiteral("small.jpg"));
    QVERIFY(image.save(path, "JPEG"));
    QString error;
    const auto info = Client::makeThumbnail(path, &error);
    QVERIFY2(info, qPrintable(error));
    QCOMPARE(info->mime, QStringLiteral("image/jpeg"));
    const QImage thumbnail = QImage::fromData(info->jpegThumbnail, "JPEG");
    QCOMPARE(thumbnail.size(), QSize(100, 50));
    QCOMPARE(QSize(info->width, info->height), QSize(100, 50));
}

void TestMediaCipher::thumbnailTransparencyIsWhite()
{
    QImage image(400, 400, QImage::Format_ARGB32);
    image.fill(Qt::transparent);
    const QString path = m_dir->filePath(QStringLiteral("transparent.png"));
    QVERIFY(image.save(path, "PNG"));
    const auto info = Client::makeThumbnail(path, nullptr);
    QVERIFY(info);
    const QImage thumbnail = QImage::fromData(info->jpegThumbnail, "JPEG");
    QCOMPARE(thumbnail.size(), QSize(320, 320));
    QVERIFY(qGray(thumbnail.pixel(160, 160)) > 240);
}

void TestMediaCipher::thumbnailRefusesDecompressionBomb()
{
    // A real, tiny PNG whose header then claims 50000 x 50000 pixels (10 GB as RGB32).
    QImage image(16, 16, QImage::Format_RGB32);
    image.fill(Qt::red);
    QByteArray png;
    {
        QBuffer buffer(&png);
        QVERIFY(buffer.open(QIODevice::WriteOnly));
        QVERIFY(image.save(&buffer, "PNG"));
    }
    // Signature (8), IHDR length (4), "IHDR" (4) at 12, width and height at 16 and 20, CRC at 29.
    QCOMPARE(png.mid(12, 4), QByteArray("IHDR"));
    qToBigEndian<quint32>(50000, png.data() + 16);
    qToBigEndian<quint32>(50000, png.data() + 20);
    qToBigEndian<quint32>(crc32(QByteArrayView(png).sliced(12, 17)), png.data() + 29);
    const QString path = writeFile(QStringLiteral("bomb.png"), png);
    QImageReader check(path);
    QCOMPARE(check.size(), QSize(50000, 50000)); // the patched header is valid

    QElapsedTimer timer;
    timer.start();
    QString error;
    QVERIFY(!Client::makeThumbnail(path, &error));
    QVERIFY2(error.contains(QLatin1String("50000 x 50000")), qPrintable(error));
    // Refused from the header: no time spent decoding.
    QVERIFY(timer.elapsed() < 2000);
}

void TestMediaCipher::thumbnailOfNonImage_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("bytes");

    QTest::newRow("text") << QStringLiteral("notes.txt") << QByteArray("just some text\n");
    QTest::newRow("text named .png") << QStringLiteral("fake.png") << QByteArray("not a png\n");
    QTest::newRow("empty") << QStringLiteral("empty.jpg") << QByteArray();
    QTest::newRow("random") << QStringLiteral("random.bin") << randomBytes(10'000).prepend("\x7f");
}

void TestMediaCipher::thumbnailOfNonImage()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, bytes);

    const QString path = writeFile(name, bytes);
    QString error;
    QVERIFY(!Client::makeThumbnail(path, &error));
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

void TestMediaCipher::decodeThumbnailOnlyTakesSmallJpeg()
{
    QImage image(200, 100, QImage::Format_RGB32);
    image.fill(Qt::green);
    const auto encode = [](const QImage &picture, const char *format) {
        QByteArray bytes;
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        picture.save(&buffer, format);
        return bytes;
    };
    QCOMPARE(Client::decodeThumbnail(encode(image, "JPEG")).size(), QSize(200, 100));
    QVERIFY(Client::decodeThumbnail(encode(image, "PNG")).isNull());
    QVERIFY(Client::decodeThumbnail(QByteArray()).isNull());
    QVERIFY(Client::decodeThumbnail("\xff\xd8\xff garbage").isNull());
    QImage big(2000, 10, QImage::Format_RGB32);
    big.fill(Qt::black);
    QVERIFY(Client::decodeThumbnail(encode(big, "JPEG")).isNull());
}

void TestMediaCipher::mimeTypes()
{
    QImage image(4, 4, QImage::Format_RGB32);
    image.fill(Qt::blue);
    QByteArray png;
    QBuffer buffer(&png);
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    QVERIFY(image.save(&buffer, "PNG"));
    // The content decides over a misleading name.
    QCOMPARE(Client::mimeTypeOf(writeFile(QStringLiteral("picture.bin"), png)),
             QStringLiteral("image/png"));
    QCOMPARE(Client::mimeTypeOf(writeFile(QStringLiteral("readme.txt"), "hello\n")),
             QStringLiteral("text/plain"));
    QCOMPARE(Client::mimeTypeOf(writeFile(QStringLiteral("blob.dat"),
                                          randomBytes(4096).prepend(QByteArray(1, '\0')))),
             QStringLiteral("application/octet-stream"));
}

QTEST_GUILESS_MAIN(TestMediaCipher)
#include "tst_mediacipher.moc"
