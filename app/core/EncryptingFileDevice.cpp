#include "app/core/EncryptingFileDevice.h"

#include <algorithm>
#include <cstring>

namespace Tincan::Client {

using namespace Crypto::MediaCipher;

EncryptingFileDevice::EncryptingFileDevice(const QString &path, const QByteArray &key,
                                           const QByteArray &salt, QObject *parent)
    : QIODevice(parent)
    , m_file(path)
    , m_encryptor(key, salt)
{}

EncryptingFileDevice::~EncryptingFileDevice()
{
    if (isOpen()) {
        close();
    }
}

bool EncryptingFileDevice::open(OpenMode mode)
{
    if (isOpen()) {
        setErrorString(QStringLiteral("The device is already open."));
        return false;
    }
    if ((mode | Unbuffered) != (ReadOnly | Unbuffered)) {
        setErrorString(QStringLiteral("An encrypting file device is read-only."));
        return false;
    }
    if (!m_encryptor.ok()) {
        setErrorString(QStringLiteral("The media key or salt is invalid."));
        return false;
    }
    // Unbuffered: the plaintext is read a chunk at a time, and QIODevice's own buffer would only
    // add a copy.
    if (!m_file.open(QIODevice::ReadOnly | QIODevice::Unbuffered)) {
        setErrorString(
            QStringLiteral("Cannot open %1: %2").arg(m_file.fileName(), m_file.errorString()));
        return false;
    }
    if (m_file.isSequential()) {
        m_file.close();
        setErrorString(QStringLiteral("%1 is not a regular file.").arg(m_file.fileName()));
        return false;
    }
    m_plainSize = m_file.size();
    m_plain.resize(ChunkSize + 1); // + 1: reading past the last chunk shows that the file grew.
    m_chunk.resize(CipherChunkSize);
    m_chunkIndex = -1;
    m_pos = 0;
    m_failed = false;
    return QIODevice::open(ReadOnly | Unbuffered);
}

void EncryptingFileDevice::close()
{
    m_file.close();
    m_plain.fill('\0');
    m_plain.clear();
    m_chunk.clear();
    m_chunkIndex = -1;
    m_pos = 0;
    QIODevice::close();
}

qint64 EncryptingFileDevice::size() const
{
    if (!isOpen()) {
        return 0;
    }
    return m_end >= 0 ? std::min(m_end, cipherSize()) : cipherSize();
}

void EncryptingFileDevice::setEnd(qint64 end)
{
    m_end = end < 0 ? -1 : end;
}

bool EncryptingFileDevice::seek(qint64 pos)
{
    if (!isOpen() || pos < 0 || pos > size() || !QIODevice::seek(pos)) {
        return false;
    }
    m_pos = pos;
    return true;
}

qint64 EncryptingFileDevice::failRead(const QString &message)
{
    m_failed = true;
    m_chunkIndex = -1;
    setErrorString(message);
    return -1;
}

bool EncryptingFileDevice::loadChunk(qint64 index)
{
    if (index == m_chunkIndex) {
        return true;
    }
    m_chunkIndex = -1;
    const qint64 last = chunkCount(m_plainSize) - 1;
    const bool final = index == last;
    const qint64 offset = index * ChunkSize;
    const qint64 length = final ? m_plainSize - offset : ChunkSize;
    const auto changed = [this] {
        failRead(QStringLiteral("%1 changed while it was being encrypted (it had %2 bytes).")
                     .arg(m_file.fileName())
                     .arg(m_plainSize));
        return false;
    };
    if (index > last || m_file.size() != m_plainSize) {
        return changed();
    }
    if (m_file.pos() != offset && !m_file.seek(offset)) {
        failRead(
            QStringLiteral("Cannot seek in %1: %2").arg(m_file.fileName(), m_file.errorString()));
        return false;
    }
    const qint64 wanted = length + (final ? 1 : 0);
    qint64 got = 0;
    while (got < wanted) {
        const qint64 n = m_file.read(m_plain.data() + got, wanted - got);
        if (n < 0) {
            failRead(
                QStringLiteral("Cannot read %1: %2").arg(m_file.fileName(), m_file.errorString()));
            return false;
        }
        if (n == 0) {
            break;
        }
        got += n;
    }
    if (got != length) {
        return changed();
    }
    if (!m_encryptor.encryptChunk(static_cast<quint64>(index),
                                  QByteArrayView(m_plain.constData(), length), final,
                                  m_chunk.data())) {
        failRead(QStringLiteral("Encrypting %1 failed.").arg(m_file.fileName()));
        return false;
    }
    m_chunkIndex = index;
    m_chunkLength = length + TagBytes;
    return true;
}

qint64 EncryptingFileDevice::readData(char *data, qint64 maxSize)
{
    if (m_failed) {
        return -1;
    }
    const qint64 end = size();
    const QByteArray header = m_encryptor.header();
    qint64 total = 0;
    while (total < maxSize && m_pos < end) {
        qint64 n = 0;
        if (m_pos < HeaderBytes) {
            n = std::min({maxSize - total, HeaderBytes - m_pos, end - m_pos});
            std::memcpy(data + total, header.constData() + m_pos, static_cast<size_t>(n));
        } else {
            const qint64 offset = m_pos - HeaderBytes;
            const qint64 within = offset % CipherChunkSize;
            if (!loadChunk(offset / CipherChunkSize)) {
                return -1;
            }
            n = std::min({maxSize - total, m_chunkLength - within, end - m_pos});
            std::memcpy(data + total, m_chunk.constData() + within, static_cast<size_t>(n));
        }
        total += n;
        m_pos += n;
    }
    return total;
}

qint64 EncryptingFileDevice::writeData(const char *, qint64)
{
    return -1;
}

std::optional<QByteArray> EncryptingFileDevice::digestOf(const QString &path, const QByteArray &key,
                                                         const QByteArray &salt, QString *error)
{
    const auto fail = [error](const QString &message) {
        if (error) {
            *error = message;
        }
        return std::nullopt;
    };
    if (salt.size() != SaltBytes) {
        return fail(QStringLiteral("The digest of a media blob needs its salt."));
    }
    EncryptingFileDevice device(path, key, salt);
    if (!device.open(QIODevice::ReadOnly)) {
        return fail(device.errorString());
    }
    Crypto::MediaDigest digest;
    QByteArray buffer(2 * CipherChunkSize, Qt::Uninitialized);
    for (;;) {
        const qint64 n = device.read(buffer.data(), buffer.size());
        if (n < 0) {
            return fail(device.errorString());
        }
        if (n == 0) {
            break;
        }
        digest.addData(QByteArrayView(buffer.constData(), n));
    }
    const QByteArray result = digest.result();
    if (device.pos() != device.cipherSize() || result.isEmpty()) {
        return fail(QStringLiteral("Hashing the encrypted %1 failed.").arg(path));
    }
    return result;
}

} // namespace Tincan::Client
