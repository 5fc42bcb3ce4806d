#include "shared/protocol/Fingerprint.h"

#include <QCryptographicHash>

namespace Tincan::Protocol {

namespace {
constexpr qsizetype DigestBytes = 32;
}

QByteArray certificateDigest(const QByteArray &der)
{
    return QCryptographicHash::hash(der, QCryptographicHash::Sha256);
}

QString formatFingerprint(const QByteArray &digest)
{
    if (digest.size() != DigestBytes) {
        return {};
    }
    return QString::fromLatin1(digest.toHex(':').toUpper());
}

QByteArray parseFingerprint(QStringView text)
{
    QByteArray hex;
    hex.reserve(DigestBytes * 2);
    for (const QChar c : text) {
        if (c == QLatin1Char(':') || c.isSpace()) {
            continue;
        }
        const char16_t u = c.unicode();
        const bool hexDigit =
            (u >= u'0' && u <= u'9') || (u >= u'a' && u <= u'f') || (u >= u'A' && u <= u'F');
        if (!hexDigit) {
            return {};
        }
        hex.append(static_cast<char>(u));
    }
    if (hex.size() != DigestBytes * 2) {
        return {};
    }
    return QByteArray::fromHex(hex);
}

} // namespace Tincan::Protocol
