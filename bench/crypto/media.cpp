// tincan-bench-media: throughput of the media ciphertext format (issue 5) on one core.
//
//   encrypt      MediaEncryptor, 64 KiB chunks, from memory to memory
//   decrypt      MediaDecryptor fed 1 MiB pieces (as a download arrives), memory to memory
//   sha256       MediaDigest over the blob (the digest in the message)
//   device_read  EncryptingFileDevice read to the end in 256 KiB reads (as QNAM uploads), the
//                file in the page cache
//   digest_of    EncryptingFileDevice::digestOf: the first pass before an upload
//
// Prints one JSON object per line (MB/s = 10^6 bytes of plaintext per second, median of the
// repetitions). Usage: tincan-bench-media [--mb N] [--reps R]
#include "app/core/EncryptingFileDevice.h"
#include "shared/crypto/MediaCipher.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <cstring>
#include <functional>
#include <vector>

using namespace Tincan;
using namespace Tincan::Crypto;

namespace {

int argument(const QStringList &args, const QString &name, int fallback)
{
    const qsizetype at = args.indexOf(name);
    return at >= 0 && at + 1 < args.size() ? args.at(at + 1).toInt() : fallback;
}

//! Median MB/s of `reps` runs of `run` over `bytes` bytes; exits if a run fails.
double measure(int reps, qint64 bytes, const std::function<bool()> &run)
{
    std::vector<double> rates;
    QElapsedTimer timer;
    for (int i = 0; i < reps; ++i) {
        timer.start();
        if (!run()) {
            qFatal("a benchmark run failed");
        }
        const double seconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
        rates.push_back(static_cast<double>(bytes) / 1e6 / seconds);
    }
    std::sort(rates.begin(), rates.end());
    return rates.at(rates.size() / 2);
}

void print(const QString &name, double megabytesPerSecond, qint64 bytes)
{
    const QJsonObject line{{QStringLiteral("bench"), name},
                           {QStringLiteral("mb_per_s"), qRound(megabytesPerSecond)},
                           {QStringLiteral("bytes"), bytes}};
    QTextStream(stdout) << QJsonDocument(line).toJson(QJsonDocument::Compact) << Qt::endl;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const qint64 size = qint64(argument(args, QStringLiteral("--mb"), 64)) * 1024 * 1024;
    const int reps = std::max(1, argument(args, QStringLiteral("--reps"), 7));

    QByteArray plain(size, Qt::Uninitialized);
    for (qint64 i = 0; i < size; i += 4) {
        const quint32 word = QRandomGenerator::global()->generate();
        std::memcpy(plain.data() + i, &word, 4);
    }
    const QByteArray key = MediaCipher::generateKey();
    MediaEncryptor encryptor(key);
    if (!encryptor.ok()) {
        qFatal("no encryptor");
    }
    QByteArray blob(MediaCipher::cipherSize(size), Qt::Uninitialized);

    const auto encryptAll = [&] {
        std::memcpy(blob.data(), encryptor.header().constData(), MediaCipher::HeaderBytes);
        const qint64 chunks = MediaCipher::chunkCount(size);
        char *out = blob.data() + MediaCipher::HeaderBytes;
        for (qint64 i = 0; i < chunks; ++i) {
            const qint64 offset = i * MediaCipher::ChunkSize;
            const qint64 length = std::min(MediaCipher::ChunkSize, size - offset);
            if (!encryptor.encryptChunk(static_cast<quint64>(i),
                                        QByteArrayView(plain.constData() + offset, length),
                                        i == chunks - 1, out)) {
                return false;
            }
            out += length + MediaCipher::TagBytes;
        }
        return true;
    };
    print(QStringLiteral("encrypt"), measure(reps, size, encryptAll), size);

    QByteArray decrypted;
    decrypted.reserve(size);
    const auto decryptAll = [&] {
        MediaDecryptor decryptor(key);
        decrypted.resize(0);
        QString error;
        const qint64 piece = 1024 * 1024;
        for (qint64 at = 0; at < blob.size(); at += piece) {
            if (!decryptor.update(
                    QByteArrayView(blob.constData() + at, std::min(piece, blob.size() - at)),
                    &decrypted, &error)) {
                return false;
            }
        }
        return decryptor.finish(&decrypted, &error) && decrypted.size() == size;
    };
    print(QStringLiteral("decrypt"), measure(reps, size, decryptAll), size);
    if (decrypted != plain) {
        qFatal("the round trip changed the data");
    }
    decrypted = QByteArray();

    const auto hashAll = [&] {
        MediaDigest digest;
        digest.addData(blob);
        return digest.result().size() == MediaCipher::DigestBytes;
    };
    print(QStringLiteral("sha256"), measure(reps, size, hashAll), size);

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("plain"));
    {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(plain) != size) {
            qFatal("cannot write the test file");
        }
    }
    plain = QByteArray();
    const QByteArray salt = encryptor.salt();
    QByteArray buffer(256 * 1024, Qt::Uninitialized);
    const auto readDevice = [&] {
        Client::EncryptingFileDevice device(path, key, salt);
        if (!device.open(QIODevice::ReadOnly)) {
            return false;
        }
        qint64 total = 0;
        qint64 n = 0;
        while ((n = device.read(buffer.data(), buffer.size())) > 0) {
            total += n;
        }
        return n == 0 && total == blob.size();
    };
    print(QStringLiteral("device_read"), measure(reps, size, readDevice), size);

    const QByteArray expected = [&] {
        MediaDigest digest;
        digest.addData(blob);
        return digest.result();
    }();
    const auto digestOf = [&] {
        QString error;
        const auto digest = Client::EncryptingFileDevice::digestOf(path, key, salt, &error);
        return digest && *digest == expected;
    };
    print(QStringLiteral("digest_of"), measure(reps, size, digestOf), size);
    return 0;
}
