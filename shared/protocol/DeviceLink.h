#pragma once

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <optional>

namespace Tincan::Protocol {

//! Linking a new device from an existing one (POST /v1/links): the existing device shows a
//! short-lived code, as text and as a QR code of a link URI; the new device enters or scans it.
//!
//! Codes (made by the server, for finding the link): LinkCodeLength characters of Crockford's
//! base32 (digits and upper-case letters without I, L, O, U; 50 bits), shown as two groups of
//! five ("7KQ2M-X9D4R"). Reading one forgives case, dashes and spaces, and the look-alikes O (0)
//! and I, L (1).
//!
//! URI: tincan://link?code=7KQ2MX9D4R&server=https%3A%2F%2Fhost%3A8443&fp=<SHA-256 hex>&s=<secret>
//! so a scanned code also tells the new device which server to use and which certificate to
//! pin. `s` is a 128-bit secret the existing device made and never sends to the server: the new
//! device proves its identity key with it (keyProof), so not even the server can put another
//! key in its place. A code typed by hand has no secret: then the user's comparison of the
//! verification code (12 digits) is the check.
namespace DeviceLink {

inline constexpr int LinkCodeLength = 10;
inline constexpr int LinkSecretBytes = 16;
//! A history transfer travels in parts of at most this many (sealed) bytes, base64 in JSON.
inline constexpr qint64 HistoryPartBytes = 1024 * 1024;

//! The code in canonical form (no dashes, upper case), or empty if `text` is not a code.
QString normalizeCode(const QString &text);
//! "7KQ2M-X9D4R".
QString formatCode(const QString &code);

struct Invitation
{
    QString code;        //!< Canonical.
    QUrl server;         //!< Empty when only a code was given.
    QString fingerprint; //!< The server certificate's SHA-256 ("AB:CD:..."), or empty.
    QByteArray secret;   //!< LinkSecretBytes, or empty (a code typed by hand).
};

QString uri(const QString &code, const QUrl &server, const QString &fingerprint,
            const QByteArray &secret);
//! Reads a link URI, or a bare code; nothing if it is neither.
std::optional<Invitation> parse(const QString &text);

//! The code both devices show while the user confirms a link: twelve digits (40 bits) from the
//! SHA-256 of the new device's public identity key, "1234 5678 9012". If they differ, another
//! key than the new device's reached the existing device.
QString verificationCode(const QByteArray &identityKey);

//! The new device's proof that it read the link URI: HMAC-SHA256 keyed with the URI's secret
//! over its public identity key. The existing device, which made the secret, checks it.
QByteArray keyProof(const QByteArray &secret, const QByteArray &identityKey);

} // namespace DeviceLink
} // namespace Tincan::Protocol
