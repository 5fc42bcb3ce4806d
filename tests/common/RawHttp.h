#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QSslSocket>

namespace Tincan::Test {

class TestServer;

using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

//! One HTTP response exactly as it came over the wire.
struct HttpResponse
{
    int status = 0; //!< 0: no complete response within the timeout.
    HttpHeaders headers;
    QByteArray body;

    //! The first header of that name (case-insensitive); empty if absent.
    QByteArray header(const QByteArray &name) const;
    bool hasHeader(const QByteArray &name) const;
    QJsonObject json() const;
    //! The `error` code of a JSON error body.
    QString error() const;
};

//! A bare HTTP/1.1 connection for tests that need what QNetworkAccessManager hides or fixes up:
//! exact header bytes, several requests on one connection, a body cut short, a path that is not
//! normalized. TLS (trusting the test daemon's certificate, as a pinning client would) when the
//! daemon has it; plain TCP otherwise or to a plain port such as nginx's.
class HttpConnection
{
public:
    //! Connects to the daemon; isConnected() tells whether that worked within 10 s.
    explicit HttpConnection(const TestServer &server);
    //! Connects with plain HTTP to 127.0.0.1:`port`.
    explicit HttpConnection(quint16 port);

    bool isConnected() const { return m_connected; }
    QSslSocket &socket() { return m_socket; }

    //! The request's bytes: request line, Host, `headers`, Content-Length when `body` is not
    //! empty or `contentLength` >= 0 (which then announces that length whatever `body` holds).
    static QByteArray format(const QByteArray &method, const QByteArray &target,
                             const HttpHeaders &headers = {}, const QByteArray &body = {},
                             qint64 contentLength = -1);
    //! Writes bytes and waits until the socket has handed them all to the kernel.
    bool write(const QByteArray &bytes, int timeoutMs = 30000);
    //! Waits until the peer acknowledged everything written (nothing left in the kernel's send
    //! queue): after that, closing cannot lose bytes in flight.
    bool waitAcknowledged(int timeoutMs = 30000);
    //! Reads the next response (skipping 1xx); a HEAD's has no body whatever it announces.
    HttpResponse readResponse(bool headRequest = false, int timeoutMs = 30000);
    //! format() + write() + readResponse().
    HttpResponse request(const QByteArray &method, const QByteArray &target,
                         const HttpHeaders &headers = {}, const QByteArray &body = {});
    //! Bytes received but not part of a response read so far.
    QByteArray leftover() const { return m_buffer; }
    //! Waits until the peer closed the connection (or it failed).
    bool waitClosed(int timeoutMs = 10000);

private:
    bool fill(int waitMs);

    QSslSocket m_socket;
    QByteArray m_buffer;
    bool m_connected = false;
    bool m_peerClosed = false;
};

//! One request on a connection of its own.
HttpResponse httpRequest(const TestServer &server, const QByteArray &method,
                         const QByteArray &target, const HttpHeaders &headers = {},
                         const QByteArray &body = {});
HttpResponse httpRequest(quint16 plainPort, const QByteArray &method, const QByteArray &target,
                         const HttpHeaders &headers = {}, const QByteArray &body = {});

//! `size` random bytes.
QByteArray randomBytes(qint64 size);
//! SHA-256 in lower-case hex, as in ETag and Tincan-Sha256.
QByteArray sha256Hex(const QByteArray &bytes);
//! The headers of a media upload PATCH from `offset`.
HttpHeaders uploadHeaders(qint64 offset);

//! A relative signed URL (media) with one query item replaced.
QByteArray withQueryItem(const QByteArray &url, const QString &name, const QString &value);
//! A signed URL whose signature has one character in the middle changed.
QByteArray withTamperedSignature(const QByteArray &url);

} // namespace Tincan::Test
