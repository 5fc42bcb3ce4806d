#pragma once

#include <QByteArray>
#include <QtGlobal>

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

} // namespace Tincan::Test
