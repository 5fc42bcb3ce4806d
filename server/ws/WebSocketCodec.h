#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

namespace Tincan::Server::WebSocket {

//! The server side of RFC 6455 framing, for the /v1/stream connections: frames the server sends
//! (final, unmasked) and a reader for what clients send (masked, possibly fragmented, with
//! control frames in between). No extensions are negotiated, so reserved bits are errors.
//! Plain data in, plain data out: the socket and TLS are someone else's.

enum class Opcode : quint8 {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

//! Close codes of RFC 6455 §7.4.1 that the reader produces.
enum CloseCode : int {
    CloseNormal = 1000,
    CloseGoingAway = 1001,
    CloseProtocolError = 1002,
    CloseUnsupportedData = 1003,
    CloseNoStatus = 1005, //!< Reported for a close frame without a code; never sent.
    CloseBadPayload = 1007,
    CloseTooBig = 1009,
};

//! The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key (RFC 6455 §4.2.2).
QByteArray acceptKey(QByteArrayView clientKey);
//! Whether a Sec-WebSocket-Key is valid: base64 of 16 bytes.
bool validClientKey(QByteArrayView clientKey);

//! Appends one final, unmasked frame.
void appendFrame(QByteArray &out, Opcode opcode, QByteArrayView payload);
QByteArray frame(Opcode opcode, QByteArrayView payload);
//! A close frame's payload: the code, then the reason (cut to fit a control frame, at a
//! character boundary).
QByteArray closePayload(int code, const QString &reason);

//! Reads a client's byte stream into messages and control frames. Bounded: a message (all of
//! its fragments) larger than `maxMessageBytes` is an error as soon as its length is known,
//! before its payload is buffered.
class Reader
{
public:
    struct Event
    {
        enum class Kind {
            Text,   //!< `data`: a complete text message, valid UTF-8.
            Binary, //!< `data`: a complete binary message.
            Ping,   //!< `data`: the payload to echo in a pong.
            Pong,
            Close, //!< The peer closes: `code` (CloseNoStatus if none) and `reason`.
            Error, //!< The stream is broken: close with `code` and `reason`.
        };
        Kind kind = Kind::Error;
        QByteArray data;
        int code = 0;
        QString reason;
    };

    explicit Reader(qint64 maxMessageBytes);

    //! Consumes `bytes` and appends what they complete to `events`. After a Close or an Error
    //! the reader is finished and ignores everything else.
    void feed(QByteArrayView bytes, QList<Event> &events);
    bool finished() const { return m_finished; }

private:
    //! Parses one frame from the front of m_buffer; false when more bytes are needed (or done).
    bool parseFrame(QList<Event> &events);
    void fail(QList<Event> &events, int code, const QString &reason);

    qint64 m_maxMessage;
    QByteArray m_buffer;
    qsizetype m_offset = 0; //!< Bytes of m_buffer already consumed.
    bool m_inMessage = false;
    Opcode m_messageOpcode = Opcode::Text;
    QByteArray m_message; //!< The fragments of the message so far.
    bool m_finished = false;
};

} // namespace Tincan::Server::WebSocket
