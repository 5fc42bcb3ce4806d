#pragma once

#include <QByteArray>
#include <QSslSocket>
#include <QTest>
#include <QtGlobal>

#include <functional>

namespace Tincan::Test {

//! One WebSocket frame the server sent, read off a raw socket.
struct ServerFrame
{
    quint8 opcode = 0;
    QByteArray payload;
};

//! Takes the next complete server frame off the front of `buffer` (server frames are final and
//! unmasked); false if it is not all there yet, or not a frame a server may send.
inline bool takeServerFrame(QByteArray &buffer, ServerFrame *frame)
{
    if (buffer.size() < 2) {
        return false;
    }
    const auto *bytes = reinterpret_cast<const quint8 *>(buffer.constData());
    if (!(bytes[0] & 0x80) || (bytes[1] & 0x80)) {
        qWarning("server frame not final or masked");
        return false;
    }
    qsizetype head = 2;
    quint64 length = bytes[1] & 0x7F;
    if (length == 126) {
        head = 4;
        if (buffer.size() < head) {
            return false;
        }
        length = (quint64(bytes[2]) << 8) | bytes[3];
    } else if (length == 127) {
        head = 10;
        if (buffer.size() < head) {
            return false;
        }
        length = 0;
        for (int i = 2; i < 10; ++i) {
            length = (length << 8) | bytes[i];
        }
    }
    if (buffer.size() < head + qsizetype(length)) {
        return false;
    }
    frame->opcode = bytes[0] & 0x0F;
    frame->payload = buffer.mid(head, qsizetype(length));
    buffer.remove(0, head + qsizetype(length));
    return true;
}

//! What the server answers on a raw `socket`, read until `done` says it is all there (or 10 s
//! passed: the caller's checks of the answer then fail).
inline QByteArray readUntil(QSslSocket &socket, const std::function<bool(const QByteArray &)> &done)
{
    QByteArray answer;
    [[maybe_unused]] const bool finished = QTest::qWaitFor(
        [&] {
            socket.waitForReadyRead(50);
            answer += socket.readAll();
            return done(answer);
        },
        10000);
    return answer;
}

//! A WebSocket upgrade request for /v1/stream (RFC 6455's example key by default).
inline QByteArray streamUpgradeRequest(const QByteArray &token, const QByteArray &version = "13",
                                       const QByteArray &key = "dGhlIHNhbXBsZSBub25jZQ==")
{
    return "GET /v1/stream HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: "
           "Upgrade\r\nSec-WebSocket-Version: " +
           version + "\r\nSec-WebSocket-Key: " + key + "\r\nAuthorization: Bearer " + token +
           "\r\n\r\n";
}

} // namespace Tincan::Test
