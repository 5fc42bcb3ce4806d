#include "server/media/UrlSigner.h"

#include <QFile>
#include <QFileInfo>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace Tincan::Server {

namespace {
constexpr qsizetype KeyBytes = 32;
} // namespace

bool UrlSigner::load(const QString &keyFile, QString *error)
{
    QFile file(keyFile);
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read %1: %2").arg(keyFile, file.errorString());
            return false;
        }
        m_key = file.readAll();
        if (m_key.size() != KeyBytes) {
            *error = QStringLiteral("%1 is not a media URL key (%2 bytes, want %3); delete it to "
                                    "make a new one (outstanding media URLs then stop working)")
                         .arg(keyFile)
                         .arg(m_key.size())
                         .arg(KeyBytes);
            m_key.clear();
            return false;
        }
        return true;
    }
    QByteArray key(KeyBytes, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(key.data()), KeyBytes) != 1) {
        *error = QStringLiteral("no random bytes for the media URL key");
        return false;
    }
    const QString temporary = keyFile + QStringLiteral(".new");
    QFile out(temporary);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        *error = QStringLiteral("cannot write %1: %2").arg(temporary, out.errorString());
        return false;
    }
    out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    if (out.write(key) != KeyBytes || !out.flush()) {
        *error = QStringLiteral("cannot write %1: %2").arg(temporary, out.errorString());
        return false;
    }
    out.close();
    QFile::remove(keyFile);
    if (!QFile::rename(temporary, keyFile)) {
        *error = QStringLiteral("cannot create %1").arg(keyFile);
        return false;
    }
    m_key = key;
    return true;
}

QString UrlSigner::path(Op op, const QString &id)
{
    return QStringLiteral("/v1/media/") + id +
           (op == Op::Upload ? QStringLiteral("/upload") : QStringLiteral("/content"));
}

QByteArray UrlSigner::mac(Op op, const QString &id, qint64 maxSize, qint64 expires) const
{
    const QByteArray message = QByteArrayLiteral("tincan-media-v1\n") +
                               (op == Op::Upload ? "upload" : "download") + '\n' +
                               path(op, id).toUtf8() + '\n' + id.toUtf8() + '\n' +
                               QByteArray::number(maxSize) + '\n' + QByteArray::number(expires);
    unsigned char out[EVP_MAX_MD_SIZE];
    size_t length = 0;
    if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, m_key.constData(),
                   static_cast<size_t>(m_key.size()),
                   reinterpret_cast<const unsigned char *>(message.constData()),
                   static_cast<size_t>(message.size()), out, sizeof out, &length)) {
        return {};
    }
    return QByteArray(reinterpret_cast<const char *>(out), static_cast<qsizetype>(length));
}

QString UrlSigner::sign(Op op, const QString &id, qint64 maxSize, qint64 expiresAtSeconds) const
{
    const QByteArray signature =
        mac(op, id, maxSize, expiresAtSeconds)
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    return path(op, id) + QStringLiteral("?exp=%1&max=%2&sig=%3")
                              .arg(expiresAtSeconds)
                              .arg(maxSize)
                              .arg(QString::fromLatin1(signature));
}

UrlSigner::Check UrlSigner::check(Op op, const QString &id, const QUrlQuery &query,
                                  qint64 nowSeconds, qint64 *maxSize) const
{
    // Everything is compared in the one spelling sign() makes. Parsing the numbers leniently or
    // decoding the signature first would accept variants (leading zeros, a plus sign or white
    // space; the last base64 character's unused bits, characters the decoder skips), so one URL
    // could be spelled many ways.
    bool okExpiry = false;
    bool okMax = false;
    const QString expiryText = query.queryItemValue(QStringLiteral("exp"));
    const QString maxText = query.queryItemValue(QStringLiteral("max"));
    const qint64 expires = expiryText.toLongLong(&okExpiry);
    const qint64 max = maxText.toLongLong(&okMax);
    okExpiry = okExpiry && QString::number(expires) == expiryText;
    okMax = okMax && QString::number(max) == maxText;
    const QByteArray given = query.queryItemValue(QStringLiteral("sig")).toLatin1();
    if (!okExpiry || !okMax || max < 0 || m_key.isEmpty()) {
        return Check::Invalid;
    }
    const QByteArray wanted =
        mac(op, id, max, expires)
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    if (wanted.isEmpty() || wanted.size() != given.size() ||
        CRYPTO_memcmp(wanted.constData(), given.constData(), static_cast<size_t>(given.size())) !=
            0) {
        return Check::Invalid;
    }
    if (expires <= nowSeconds) {
        return Check::Expired;
    }
    *maxSize = max;
    return Check::Valid;
}

} // namespace Tincan::Server
