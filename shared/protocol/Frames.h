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

//! How far one participant of a conversation got: every message up to `delivered` reached one
//! of the user's devices, every message up to `read` was seen (seqs of the conversation). The
//! "receipt" frame and GET /v1/receipts carry it; one covers many messages.
struct ReceiptState
{
    QString conversation;
    QString user;
    qint64 delivered = 0;
    qint64 read = 0;
    qint64 updatedAt = 0; //!< Server time (ms) of the last change.

    QJsonObject toJson() const;
    static Result<ReceiptState> fromJson(const QJsonObject &object);
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
    enum class Type { Hello, Envelope, Sent, Synced, Pong, Error, Receipt, Unknown };
    Type type = Type::Unknown;
    Protocol::Envelope envelope; //!< For Envelope.
    SendReceipt receipt;         //!< For Sent.
    ReceiptState receiptState;   //!< For Receipt.
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
QByteArray receiptFrame(const ReceiptState &state);
QByteArray pongFrame();
QByteArray errorFrame(const ApiError &error);

} // namespace Tincan::Protocol
