#include "shared/protocol/DeviceLink.h"

#include "shared/protocol/Fingerprint.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>
#include <QUrlQuery>

namespace Tincan::Protocol::DeviceLink {

namespace {
const QString Alphabet = QStringLiteral("0123456789ABCDEFGHJKMNPQRSTVWXYZ");
} // namespace

QString normalizeCode(const QString &text)
{
    QString code;
    for (const QChar c : text) {
        if (c == QLatin1Char('-') || c.isSpace()) {
            continue;
        }
        QChar upper = c.toUpper();
        if (upper == QLatin1Char('O')) {
            upper = QLatin1Char('0');
        } else if (upper == QLatin1Char('I') || upper == QLatin1Char('L')) {
            upper = QLatin1Char('1');
        }
        if (!Alphabet.contains(upper) || code.size() >= LinkCodeLength) {
            return {};
        }
        code.append(upper);
    }
    return code.size() == LinkCodeLength ? code : QString();
}

QString formatCode(const QString &code)
{
    return code.left(LinkCodeLength / 2) + QLatin1Char('-') + code.mid(LinkCodeLength / 2);
}

QString uri(const QString &code, const QUrl &server, const QString &fingerprint,
            const QByteArray &secret)
{
    QString text = QStringLiteral("tincan://link?code=") + code;
    if (!server.isEmpty()) {
        text += QStringLiteral("&server=") +
                QString::fromLatin1(QUrl::toPercentEncoding(server.toString(QUrl::FullyEncoded)));
    }
    const QByteArray digest = parseFingerprint(fingerprint);
    if (!digest.isEmpty()) {
        text += QStringLiteral("&fp=") + QString::fromLatin1(digest.toHex().toUpper());
    }
    if (!secret.isEmpty()) {
        text += QStringLiteral("&s=") +
                QString::fromLatin1(secret.toBase64(QByteArray::Base64UrlEncoding |
                                                    QByteArray::OmitTrailingEquals));
    }
    return text;
}

std::optional<Invitation> parse(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (!trimmed.startsWith(QLatin1String("tincan:"), Qt::CaseInsensitive)) {
        const QString code = normalizeCode(trimmed);
        if (code.isEmpty()) {
            return std::nullopt;
        }
        return Invitation{code, {}, {}, {}};
    }
    const QUrl url(trimmed, QUrl::StrictMode);
    if (!url.isValid() || url.host() != QLatin1String("link")) {
        return std::nullopt;
    }
    const QUrlQuery query(url);
    Invitation invitation;
    invitation.code = normalizeCode(query.queryItemValue(QStringLiteral("code")));
    if (invitation.code.isEmpty()) {
        return std::nullopt;
    }
    if (query.hasQueryItem(QStringLiteral("server"))) {
        invitation.server = QUrl(query.queryItemValue(QStringLiteral("server"), QUrl::FullyDecoded),
                                 QUrl::StrictMode);
        const QString scheme = invitation.server.scheme();
        if (!invitation.server.isValid() || invitation.server.host().isEmpty() ||
            (scheme != QLatin1String("https") && scheme != QLatin1String("http"))) {
            return std::nullopt;
        }
    }
    if (query.hasQueryItem(QStringLiteral("fp"))) {
        const QByteArray digest = parseFingerprint(query.queryItemValue(QStringLiteral("fp")));
        if (digest.isEmpty()) {
            return std::nullopt;
        }
        invitation.fingerprint = formatFingerprint(digest);
    }
    if (query.hasQueryItem(QStringLiteral("s"))) {
        const auto decoded = QByteArray::fromBase64Encoding(
            query.queryItemValue(QStringLiteral("s")).toLatin1(),
            QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || decoded.decoded.size() != LinkSecretBytes) {
            return std::nullopt;
        }
        invitation.secret = decoded.decoded;
    }
    return invitation;
}

QByteArray keyProof(const QByteArray &secret, const QByteArray &identityKey)
{
    return QMessageAuthenticationCode::hash(identityKey, secret, QCryptographicHash::Sha256);
}

QString verificationCode(const QByteArray &identityKey)
{
    const QByteArray digest = QCryptographicHash::hash(identityKey, QCryptographicHash::Sha256);
    quint64 value = 0;
    for (int i = 0; i < 5; ++i) {
        value = (value << 8) | static_cast<quint8>(digest.at(i));
    }
    const QString digits =
        QStringLiteral("%1").arg(value % 1000000000000ULL, 12, 10, QLatin1Char('0'));
    return digits.left(4) + QLatin1Char(' ') + digits.mid(4, 4) + QLatin1Char(' ') + digits.mid(8);
}

} // namespace Tincan::Protocol::DeviceLink
