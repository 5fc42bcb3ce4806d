#include "tests/common/RawHttp.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QUrl>
#include <QUrlQuery>

#include "tests/common/TestServer.h"

#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QtTest>

#include <linux/sockios.h>
#include <sys/ioctl.h>

namespace Tincan::Test {

QByteArray HttpResponse::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0) {
            return value;
        }
    }
    return {};
}

bool HttpResponse::hasHeader(const QByteArray &name) const
{
    return std::any_of(headers.cbegin(), headers.cend(), [&](const auto &header) {
        return header.first.compare(name, Qt::CaseInsensitive) == 0;
    });
}

QJsonObject HttpResponse::json() const
{
    return QJsonDocument::fromJson(body).object();
}

QString HttpResponse::error() const
{
    return json().value(QStringLiteral("error")).toString();
}

HttpConnection::HttpConnection(const TestServer &server)
{
    m_connected = server.connectSocket(&m_socket);
}

HttpConnection::HttpConnection(quint16 port)
{
    m_socket.connectToHost(QHostAddress::LocalHost, port);
    m_connected = m_socket.waitForConnected(10000);
}

QByteArray HttpConnection::format(const QByteArray &method, const QByteArray &target,
                                  const HttpHeaders &headers, const QByteArray &body,
                                  qint64 contentLength)
{
    QByteArray out = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto &[name, value] : headers) {
        out += name + ": " + value + "\r\n";
    }
    if (contentLength >= 0) {
        out += "Content-Length: " + QByteArray::number(contentLength) + "\r\n";
    } else if (!body.isEmpty()) {
        out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    }
    return out + "\r\n" + body;
}

bool HttpConnection::write(const QByteArray &bytes, int timeoutMs)
{
    m_socket.write(bytes);
    return QTest::qWaitFor(
               [&] {
                   if (m_socket.bytesToWrite() > 0 || m_socket.encryptedBytesToWrite() > 0) {
                       m_socket.waitForBytesWritten(50);
                   }
                   return m_socket.state() != QAbstractSocket::ConnectedState ||
                          (m_socket.bytesToWrite() == 0 && m_socket.encryptedBytesToWrite() == 0);
               },
               timeoutMs) &&
           m_socket.state() == QAbstractSocket::ConnectedState;
}

bool HttpConnection::waitAcknowledged(int timeoutMs)
{
    return QTest::qWaitFor(
        [&] {
            int unacknowledged = 0;
            if (::ioctl(static_cast<int>(m_socket.socketDescriptor()), SIOCOUTQ, &unacknowledged) !=
                0) {
                return false;
            }
            return unacknowledged == 0;
        },
        timeoutMs);
}

bool HttpConnection::fill(int waitMs)
{
    if (m_socket.bytesAvailable() == 0 && m_socket.state() == QAbstractSocket::ConnectedState) {
        m_socket.waitForReadyRead(waitMs);
    }
    const QByteArray fresh = m_socket.readAll();
    m_buffer += fresh;
    if (m_socket.state() != QAbstractSocket::ConnectedState) {
        m_peerClosed = true;
    }
    return !fresh.isEmpty();
}

HttpResponse HttpConnection::readResponse(bool headRequest, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0) {
            if (!fill(50) && m_peerClosed) {
                return {};
            }
            continue;
        }
        const QList<QByteArray> lines = m_buffer.left(end).split('\n');
        HttpResponse response;
        const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
        if (statusLine.size() < 2 || !statusLine[0].startsWith("HTTP/1.")) {
            qWarning("not an HTTP response: %s", m_buffer.left(200).constData());
            return {};
        }
        response.status = statusLine[1].toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0) {
                response.headers.append(
                    {lines[i].left(colon).trimmed(), lines[i].mid(colon + 1).trimmed()});
            }
        }
        if (response.status >= 100 && response.status < 200) {
            m_buffer.remove(0, end + 4);
            continue;
        }
        qint64 length = 0;
        bool untilClose = false;
        if (!headRequest && response.status != 204 && response.status != 304) {
            bool ok = false;
            length = response.header("Content-Length").toLongLong(&ok);
            if (!ok) {
                untilClose = true;
            }
        }
        while (!deadline.hasExpired() &&
               (untilClose ? !m_peerClosed : m_buffer.size() - end - 4 < length)) {
            if (!fill(50) && m_peerClosed) {
                break;
            }
        }
        if (untilClose) {
            length = m_buffer.size() - end - 4;
        }
        if (m_buffer.size() - end - 4 < length) {
            return {}; // Cut short.
        }
        response.body = m_buffer.mid(end + 4, length);
        m_buffer.remove(0, end + 4 + length);
        return response;
    }
    return {};
}

HttpResponse HttpConnection::request(const QByteArray &method, const QByteArray &target,
                                     const HttpHeaders &headers, const QByteArray &body)
{
    // An early answer (a refusal before the body was read) may come with a close: read it
    // even if not all of the body could be written.
    write(format(method, target, headers, body));
    return readResponse(method == "HEAD");
}

bool HttpConnection::waitClosed(int timeoutMs)
{
    return QTest::qWaitFor(
        [&] {
            fill(50);
            return m_peerClosed;
        },
        timeoutMs);
}

HttpResponse httpRequest(const TestServer &server, const QByteArray &method,
                         const QByteArray &target, const HttpHeaders &headers,
                         const QByteArray &body)
{
    HttpConnection connection(server);
    if (!connection.isConnected()) {
        return {};
    }
    return connection.request(method, target, headers, body);
}

HttpResponse httpRequest(quint16 plainPort, const QByteArray &method, const QByteArray &target,
                         const HttpHeaders &headers, const QByteArray &body)
{
    HttpConnection connection(plainPort);
    if (!connection.isConnected()) {
        return {};
    }
    return connection.request(method, target, headers, body);
}

QByteArray withQueryItem(const QByteArray &url, const QString &name, const QString &value)
{
    QUrl parsed = QUrl::fromEncoded(url);
    QUrlQuery query(parsed);
    query.removeAllQueryItems(name);
    query.addQueryItem(name, value);
    parsed.setQuery(query);
    return parsed.toEncoded();
}

QByteArray withTamperedSignature(const QByteArray &url)
{
    QString sig = QUrlQuery(QUrl::fromEncoded(url)).queryItemValue(QStringLiteral("sig"));
    const qsizetype middle = sig.size() / 2;
    sig[middle] = sig[middle] == QLatin1Char('A') ? QLatin1Char('B') : QLatin1Char('A');
    return withQueryItem(url, QStringLiteral("sig"), sig);
}

QByteArray randomBytes(qint64 size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator *random = QRandomGenerator::global();
    for (qint64 i = 0; i < size; ++i) {
        bytes[i] = static_cast<char>(random->bounded(256));
    }
    return bytes;
}

QByteArray sha256Hex(const QByteArray &bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex();
}

HttpHeaders uploadHeaders(qint64 offset)
{
    return {{"Upload-Offset", QByteArray::number(offset)},
            {"Content-Type", "application/offset+octet-stream"}};
}

} // namespace Tincan::Test
