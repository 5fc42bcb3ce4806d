#pragma once

#include <QByteArray>
#include <QUrl>

class QNetworkReply;
class QSslSocket;
class QWebSocket;

namespace Tincan::Bench {

//! The server under test: its URL and, for https, the SHA-256 digest of the certificate it
//! must show (tincand --print-fingerprint). Like a client that pinned it, the load generator
//! accepts that certificate and no other. Copyable; each thread uses its own sockets.
struct Endpoint
{
    QUrl url;
    QByteArray certificateDigest;

    bool tls() const { return url.scheme() == QLatin1String("https"); }
    //! wss:// (or ws://) URL of /v1/stream.
    QUrl streamUrl() const;
    //! Connects a raw socket, with TLS when the server has it; ready() tells when it can write.
    void connect(QSslSocket *socket) const;
    bool ready(const QSslSocket *socket) const;
    //! Lets the handshake through for the expected certificate only.
    void accept(QSslSocket *socket) const;
    void accept(QNetworkReply *reply) const;
    //! The same for a stream socket, which also offers the stream ALPN as the client core does
    //! (docs/protocol.md §8), so that the server serves it as it serves real clients.
    void accept(QWebSocket *socket) const;
};

} // namespace Tincan::Bench
