#include "shared/discovery/DiscoveredServer.h"

#include "shared/protocol/Fingerprint.h"

namespace Tincan::Discovery {

QMap<QString, QByteArray> serverTxtRecord(const QString &fingerprint, bool tls)
{
    QMap<QString, QByteArray> txt;
    const QByteArray digest = Protocol::parseFingerprint(fingerprint);
    if (!digest.isEmpty()) {
        // Without colons: 64 bytes instead of 95 in a packet that is best kept small.
        txt.insert(QStringLiteral("fp"), digest.toHex().toUpper());
    }
    txt.insert(QStringLiteral("v"), QByteArray::number(ProtocolVersion));
    txt.insert(QStringLiteral("tls"), tls ? QByteArrayLiteral("1") : QByteArrayLiteral("0"));
    return txt;
}

void readServerTxtRecord(const QMap<QString, QByteArray> &txt, DiscoveredServer *server)
{
    // DNS-SD keys are case-insensitive (RFC 6763 §6.4).
    QMap<QString, QByteArray> lower;
    for (auto it = txt.cbegin(); it != txt.cend(); ++it) {
        lower.insert(it.key().toLower(), it.value());
    }
    server->fingerprint = Protocol::formatFingerprint(
        Protocol::parseFingerprint(QString::fromLatin1(lower.value(QStringLiteral("fp")))));
    server->tls = lower.value(QStringLiteral("tls"), QByteArrayLiteral("1")).trimmed() != "0";
    bool ok = false;
    const int version = lower.value(QStringLiteral("v")).trimmed().toInt(&ok);
    server->protocolVersion = ok ? version : 0;
}

} // namespace Tincan::Discovery
