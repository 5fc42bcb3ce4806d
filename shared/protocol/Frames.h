#pragma once

#include "shared/protocol/Envelope.h"
#include "shared/protocol/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace Tincan::Protocol {

//! Sub-protocol version spoken on /v1/stream; sent in the hello frame.
inline constexpr int StreamProtocolVersion = 1;

//! Confirmation that a message was stored: the answer to POST /v1/messages and the "sent" frame.
struct SendReceipt
{
    QString clientMessageId;
    qint64 messageId = 0;
    QString conversation;
    qint64 seq = 0;
    qint64 serverTimestamp = 0;

    QJsonObject toJson() const;
    static Result<SendReceipt> fromJson(const QJsonObject &object);
};

//! A frame a client sends on /v1/stream.
struct ClientFrame
{
    enum class Type { Ack, Ping };
    Type type = Type::Ping;
    QList<qint64> ids; //!< For Ack: server message ids now stored by the client.
};

Result<ClientFrame> parseClientFrame(const QByteArray &text, qsizetype maxAckIds = 4096);
QByteArray ackFrame(const QList<qint64> &ids);
QByteArray pingFrame();

//! A frame the server sends on /v1/stream.
struct ServerFrame
{
    enum class Type { Hello, Envelope, Sent, Synced, Pong, Error, Unknown };
    Type type = Type::Unknown;
    Protocol::Envelope envelope; //!< For Envelope.
    SendReceipt receipt;         //!< For Sent.
    QString user;                //!< For Hello.
    qint64 device = 0;           //!< For Hello.
    ApiError error;              //!< For Error.
};

Result<ServerFrame> parseServerFrame(const QByteArray &text);
QByteArray helloFrame(const QString &user, qint64 device);
QByteArray envelopeFrame(const Envelope &envelope);
QByteArray sentFrame(const SendReceipt &receipt);
//! Tells the device that everything stored for it so far has been pushed.
QByteArray syncedFrame();
QByteArray pongFrame();
QByteArray errorFrame(const ApiError &error);

} // namespace Tincan::Protocol
