#pragma once

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <optional>

namespace Tincan::Protocol {

//! Linking a new device from an existing one (POST /v1/links): the existing device shows a
//! short-lived code, as text and as a QR code of a link URI; the new device enters or scans it.
//!
//! Codes: LinkCodeLength characters of Crockford's base32 (digits and upper-case letters without
//! I, L, O, U; 50 bits), shown as two groups of five ("7KQ2M-X9D4R"). Reading one forgives case,
//! dashes and spaces, and the look-alikes O (0) and I, L (1).
//!
//! URI: tincan://link?code=7KQ2MX9D4R&server=https%3A%2F%2Fhost%3A8443&fp=<SHA-256 hex>, so a
//! scanned code also tells the new device which server to use and which certificate to pin.
namespace DeviceLink {

inline constexpr int LinkCodeLength = 10;
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
};

QString uri(const QString &code, const QUrl &server, const QString &fingerprint);
//! Reads a link URI, or a bare code; nothing if it is neither.
std::optional<Invitation> parse(const QString &text);

//! The code both devices show while the user confirms a link: six digits from the SHA-256 of
//! the new device's public identity key, "123 456". If they differ, someone else claimed the
//! link code.
QString verificationCode(const QByteArray &identityKey);

//! What binds the new device's identity key to the code: HMAC-SHA256 keyed with the canonical
//! code over the public identity key. The new device sends it with its claim; the existing
//! device, which knows the code, checks it, so a server (which only keeps a hash of the code)
//! cannot slip in a key of its own.
QByteArray keyProof(const QString &code, const QByteArray &identityKey);

} // namespace DeviceLink
} // namespace Tincan::Protocol
