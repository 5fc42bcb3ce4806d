#include "server/ws/WebSocketCodec.h"

#include <QCryptographicHash>

namespace Tincan::Server::WebSocket {

namespace {
constexpr qsizetype MaxControlPayload = 125;

bool knownOpcode(quint8 opcode)
{
    return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA);
}

//! Close codes a peer may send (RFC 6455 §7.4.1 and §7.4.2).
bool validCloseCode(int code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
           (code >= 3000 && code <= 4999);
}
} // namespace

QByteArray acceptKey(QByteArrayView clientKey)
{
    QCryptographicHash hash(QCryptographicHash::Sha1);
    hash.addData(clientKey);
    hash.addData(QByteArrayView("258EAFA5-E914-47DA-95CA-C5AB0DC85B11"));
    return hash.result().toBase64();
}

bool validClientKey(QByteArrayView clientKey)
{
    if (clientKey.size() != 24) {
        return false;
    }
    const auto decoded = QByteArray::fromBase64Encoding(clientKey.toByteArray(),
                                                        QByteArray::AbortOnBase64DecodingErrors);
    return decoded && decoded.decoded.size() == 16;
}

void appendFrame(QByteArray &out, Opcode opcode, QByteArrayView payload)
{
    const auto length = static_cast<quint64>(payload.size());
    out.reserve(out.size() + payload.size() + 10);
    out += static_cast<char>(0x80 | static_cast<quint8>(opcode));
    if (length <= 125) {
        out += static_cast<char>(length);
    } else if (length <= 0xFFFF) {
        out += static_cast<char>(126);
        out += static_cast<char>(length >> 8);
        out += static_cast<char>(length & 0xFF);
    } else {
        out += static_cast<char>(127);
        for (int shift = 56; shift >= 0; shift -= 8) {
            out += static_cast<char>((length >> shift) & 0xFF);
        }
    }
    out.append(payload.data(), payload.size());
}

QByteArray frame(Opcode opcode, QByteArrayView payload)
{
    QByteArray out;
    appendFrame(out, opcode, payload);
    return out;
}

QByteArray closePayload(int code, const QString &reason)
{
    QByteArray out;
    out += static_cast<char>((code >> 8) & 0xFF);
    out += static_cast<char>(code & 0xFF);
    QByteArray text = reason.toUtf8();
    if (text.size() > MaxControlPayload - 2) {
        // Cut before a continuation byte would be split from its lead byte.
        qsizetype cut = MaxControlPayload - 2;
        while (cut > 0 && (static_cast<quint8>(text[cut]) & 0xC0) == 0x80) {
            --cut;
        }
        text.truncate(cut);
    }
    out += text;
    return out;
}

Reader::Reader(qint64 maxMessageBytes)
    : m_maxMessage(maxMessageBytes)
{}

void Reader::fail(QList<Event> &events, int code, const QString &reason)
{
    m_finished = true;
    m_buffer.clear();
    m_message.clear();
    m_offset = 0;
    events.append(Event{Event::Kind::Error, {}, code, reason});
}

void Reader::feed(QByteArrayView bytes, QList<Event> &events)
{
    if (m_finished) {
        return;
    }
    m_buffer.append(bytes.data(), bytes.size());
    while (!m_finished && parseFrame(events)) {
    }
    if (m_finished) {
        return;
    }
    // Drop what was consumed (rarely anything is left: a frame split between reads).
    if (m_offset == m_buffer.size()) {
        m_buffer.clear();
    } else if (m_offset > 0) {
        m_buffer.remove(0, m_offset);
    }
    m_offset = 0;
}

bool Reader::parseFrame(QList<Event> &events)
{
    const qsizetype available = m_buffer.size() - m_offset;
    if (available < 2) {
        return false;
    }
    const auto *head = reinterpret_cast<const quint8 *>(m_buffer.constData() + m_offset);
    const bool fin = head[0] & 0x80;
    const quint8 opcodeBits = head[0] & 0x0F;
    if (head[0] & 0x70) {
        fail(events, CloseProtocolError, QStringLiteral("reserved bits set (no extension)"));
        return false;
    }
    if (!knownOpcode(opcodeBits)) {
        fail(events, CloseProtocolError, QStringLiteral("unknown opcode"));
        return false;
    }
    if (!(head[1] & 0x80)) {
        fail(events, CloseProtocolError, QStringLiteral("client frames must be masked"));
        return false;
    }
    const auto opcode = static_cast<Opcode>(opcodeBits);
    const bool control = opcodeBits >= 0x8;
    quint64 length = head[1] & 0x7F;
    qsizetype headLength = 2;
    if (length == 126) {
        headLength = 4;
        if (available < headLength) {
            return false;
        }
        length = (quint64(head[2]) << 8) | head[3];
    } else if (length == 127) {
        headLength = 10;
        if (available < headLength) {
            return false;
        }
        length = 0;
        for (int i = 2; i < 10; ++i) {
            length = (length << 8) | head[i];
        }
        if (length >> 63) {
            fail(events, CloseProtocolError, QStringLiteral("bad frame length"));
            return false;
        }
    }
    if (control && (!fin || length > MaxControlPayload)) {
        fail(events, CloseProtocolError,
             QStringLiteral("control frames must be final and at most 125 bytes"));
        return false;
    }
    if (!control) {
        if (opcode == Opcode::Continuation && !m_inMessage) {
            fail(events, CloseProtocolError, QStringLiteral("continuation without a message"));
            return false;
        }
        if (opcode != Opcode::Continuation && m_inMessage) {
            fail(events, CloseProtocolError, QStringLiteral("new message inside a fragmented one"));
            return false;
        }
        const quint64 soFar = m_inMessage ? static_cast<quint64>(m_message.size()) : 0;
        if (length > static_cast<quint64>(m_maxMessage) - soFar) {
            fail(events, CloseTooBig,
                 QStringLiteral("message larger than %1 bytes").arg(m_maxMessage));
            return false;
        }
    }
    headLength += 4; // The mask.
    const auto payloadLength = static_cast<qsizetype>(length);
    if (available < headLength + payloadLength) {
        return false;
    }
    const quint8 *mask = head + headLength - 4;
    QByteArray payload(reinterpret_cast<const char *>(head + headLength), payloadLength);
    char *data = payload.data();
    for (qsizetype i = 0; i < payloadLength; ++i) {
        data[i] = static_cast<char>(data[i] ^ static_cast<char>(mask[i & 3]));
    }
    m_offset += headLength + payloadLength;

    switch (opcode) {
    case Opcode::Ping:
        events.append(Event{Event::Kind::Ping, payload, 0, {}});
        return true;
    case Opcode::Pong:
        events.append(Event{Event::Kind::Pong, {}, 0, {}});
        return true;
    case Opcode::Close: {
        Event close{Event::Kind::Close, {}, CloseNoStatus, {}};
        if (payload.size() == 1) {
            fail(events, CloseProtocolError, QStringLiteral("bad close frame"));
            return false;
        }
        if (payload.size() >= 2) {
            close.code = (static_cast<quint8>(payload[0]) << 8) | static_cast<quint8>(payload[1]);
            const QByteArrayView reason = QByteArrayView(payload).sliced(2);
            if (!validCloseCode(close.code) || !reason.isValidUtf8()) {
                fail(events, CloseProtocolError, QStringLiteral("bad close frame"));
                return false;
            }
            close.reason = QString::fromUtf8(reason);
        }
        m_finished = true;
        events.append(std::move(close));
        return false;
    }
    default:
        break;
    }

    // A data frame: a whole message, or a fragment of one.
    if (opcode != Opcode::Continuation) {
        m_inMessage = true;
        m_messageOpcode = opcode;
        m_message = std::move(payload);
    } else {
        m_message += payload;
    }
    if (!fin) {
        return true;
    }
    m_inMessage = false;
    Event message{m_messageOpcode == Opcode::Text ? Event::Kind::Text : Event::Kind::Binary,
                  std::exchange(m_message, {}),
                  0,
                  {}};
    if (message.kind == Event::Kind::Text && !QByteArrayView(message.data).isValidUtf8()) {
        fail(events, CloseBadPayload, QStringLiteral("text message is not UTF-8"));
        return false;
    }
    events.append(std::move(message));
    return true;
}

} // namespace Tincan::Server::WebSocket
