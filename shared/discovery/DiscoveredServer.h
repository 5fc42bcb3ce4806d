#pragma once

#include <QHostAddress>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>

namespace Tincan::Discovery {

//! The DNS-SD service type tincand advertises and the app browses for.
inline QString serviceType()
{
    return QStringLiteral("_tincan._tcp");
}
//! The protocol version advertised in the `v` TXT key (the `/v1` of docs/protocol.md).
inline constexpr int ProtocolVersion = 1;

//! A Tincan server found on the local network. Plain data.
struct DiscoveredServer
{
    QString name; //!< The DNS-SD instance name, e.g. "Tincan on files": unique on the network.
    QString host; //!< Its mDNS host name, e.g. "files.local"; not needed to connect.
    //! Resolved addresses: IPv4 first, then IPv6 (link-local ones carry their scope id). Connect
    //! to these (no nss-mdns needed).
    QList<QHostAddress> addresses;
    quint16 port = 0;
    //! The server's certificate fingerprint in the canonical form ("AB:CD:...", see
    //! shared/protocol/Fingerprint.h); empty when the TXT record has none or a malformed one.
    //! Compare it with what the server shows once connected: the TXT record itself is not
    //! authenticated, so anyone on the LAN could announce anything.
    QString fingerprint;
    bool tls = true;         //!< `tls=1`: https/wss; `tls=0`: plain http/ws.
    int protocolVersion = 0; //!< From `v`; 0 when absent or not a number.

    friend bool operator==(const DiscoveredServer &, const DiscoveredServer &) = default;
};

//! The TXT record a server advertises: `fp` (the fingerprint as 64 upper-case hex digits, no
//! colons; left out when empty), `v` (ProtocolVersion) and `tls` (1 or 0).
QMap<QString, QByteArray> serverTxtRecord(const QString &fingerprint, bool tls);

//! Fills the TXT-derived members of `server` (fingerprint, tls, protocolVersion) from `txt`.
void readServerTxtRecord(const QMap<QString, QByteArray> &txt, DiscoveredServer *server);

} // namespace Tincan::Discovery

Q_DECLARE_METATYPE(Tincan::Discovery::DiscoveredServer)
