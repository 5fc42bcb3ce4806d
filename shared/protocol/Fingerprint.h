#pragma once

#include <QByteArray>
#include <QString>
#include <QStringView>

namespace Tincan::Protocol {

//! Certificate fingerprints as server, client and people compare them: the SHA-256 of the DER
//! certificate, written as 64 upper-case hex digits in pairs joined by colons
//! ("AB:CD:...:EF"), which is also what `openssl x509 -noout -fingerprint -sha256` prints.
//! Parsing accepts the digits with or without colons (or spaces), in either case.

//! The SHA-256 digest of a DER-encoded certificate.
QByteArray certificateDigest(const QByteArray &der);
//! "AB:CD:...": the canonical text of a 32-byte digest (empty for anything else).
QString formatFingerprint(const QByteArray &digest);
//! The 32-byte digest written in `text`, or an empty array if it is not a SHA-256 fingerprint.
QByteArray parseFingerprint(QStringView text);

} // namespace Tincan::Protocol
