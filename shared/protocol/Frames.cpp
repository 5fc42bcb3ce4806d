#include "shared/protocol/Frames.h"

#include "shared/protocol/JsonReader.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Tincan::Protocol {

namespace {
constexpr qint64 MaxId = (qint64(1) << 53);

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QString typeOf(const QJsonObject &object)
{
    return object.value(QStringLiteral("type")).toString();
}
} // namespace

QJsonObject SendReceipt::toJson() const
{
    return QJsonObject{
        {QStringLiteral("clientMessageId"), clientMessageId},
        {QStringLiteral("messageId"), messageId},
        {QStringLiteral("conversation"), conversation},
        {QStringLiteral("seq"), seq},
        {QStringLiteral("serverTs"), serverTimestamp},
    };
}

Result<SendReceipt> SendReceipt::fromJson(const QJsonObject &object)
{
    JsonReader reader(object);
    SendReceipt receipt;
    receipt.clientMessageId = reader.string(QStringLiteral("clientMessageId"), 36);
    receipt.messageId = reader.integer(QStringLiteral("messageId"), 1, MaxId);
    receipt.conversation = reader.string(QStringLiteral("conversation"), 128);
    receipt.seq = reader.integer(QStringLiteral("seq"), 1, MaxId);
    receipt.serverTimestamp = reader.integer(QStringLiteral("serverTs"), 0, MaxId);
    if (!reader.ok()) {
        return reader.error();
    }
    return receipt;
}

QJsonObject ReceiptState::toJson() const
{
    return QJsonObject{{QStringLiteral("conversation"), conversation},
                       {QStringLiteral("user"), user},
                       {QStringLiteral("delivered"), delivered},
                       {QStringLiteral("read"), read},
                       {QStringLiteral("updatedAt"), updatedAt}};
}

Result<ReceiptState> ReceiptState::fromJson(const QJsonObject &object)
{
    JsonReader reader(object, QStringLiteral("receipt"));
    ReceiptState state;
    state.conversation = reader.string(QStringLiteral("conversation"), 128);
    state.user = reader.string(QStringLiteral("user"), 32);
    state.delivered = reader.integer(QStringLiteral("delivered"), 0, MaxId);
    state.read = reader.integer(QStringLiteral("read"), 0, MaxId);
    state.updatedAt = reader.integer(QStringLiteral("updatedAt"), 0, MaxId);
    if (!reader.ok()) {
        return reader.error();
    }
    return state;
}

Result<ClientFrame> parseClientFrame(const QByteArray &text, qsizetype maxAckIds)
{
    auto object = parseJsonObject(text);
    if (!object) {
        return object.error();
    }
    const QString type = typeOf(*object);
    ClientFrame frame;
    if (type == QLatin1String("ping")) {
        frame.type = ClientFrame::Type::Ping;
        return frame;
    }
    if (type == QLatin1String("ack")) {
        frame.type = ClientFrame::Type::Ack;
        JsonReader reader(*object);
        const QJsonArray ids = reader.array(QStringLiteral("ids"), maxAckIds);
        if (!reader.ok()) {
            return reader.error();
        }
        frame.ids.reserve(ids.size());
        for (const QJsonValue &value : ids) {
            const double number = value.toDouble(-1);
            if (!value.isDouble() || number < 1 || number > static_cast<double>(MaxId) ||
                static_cast<double>(static_cast<qint64>(number)) != number) {
                return ApiError::badRequest(QStringLiteral("ack ids must be positive integers."));
            }
            frame.ids.append(static_cast<qint64>(number));
        }
        return frame;
    }
    return ApiError::badRequest(QStringLiteral("Unknown frame type '%1'.").arg(type.left(32)));
}

QByteArray ackFrame(const QList<qint64> &ids)
{
    QJsonArray array;
    for (const qint64 id : ids) {
        array.append(id);
    }
    return compact(
        {{QStringLiteral("type"), QStringLiteral("ack")}, {QStringLiteral("ids"), array}});
}

QByteArray pingFrame()
{
    return QByteArrayLiteral(R"({"type":"ping"})");
}

Result<ServerFrame> parseServerFrame(const QByteArray &text)
{
    auto object = parseJsonObject(text);
    if (!object) {
        return object.error();
    }
    const QString type = typeOf(*object);
    ServerFrame frame;
    if (type == QLatin1String("envelope")) {
        auto envelope = Envelope::fromJson(object->value(QStringLiteral("envelope")).toObject());
        if (!envelope) {
            return envelope.error();
        }
        frame.type = ServerFrame::Type::Envelope;
        frame.envelope = std::move(envelope).value();
    } else if (type == QLatin1String("sent")) {
        auto receipt = SendReceipt::fromJson(*object);
        if (!receipt) {
            return receipt.error();
        }
        frame.type = ServerFrame::Type::Sent;
        frame.receipt = std::move(receipt).value();
    } else if (type == QLatin1String("hello")) {
        frame.type = ServerFrame::Type::Hello;
        frame.user = object->value(QStringLiteral("user")).toString();
        frame.device = object->value(QStringLiteral("device")).toInteger();
    } else if (type == QLatin1String("synced")) {
        frame.type = ServerFrame::Type::Synced;
    } else if (type == QLatin1String("pong")) {
        frame.type = ServerFrame::Type::Pong;
    } else if (type == QLatin1String("receipt")) {
        auto state = ReceiptState::fromJson(*object);
        if (!state) {
            return state.error();
        }
        frame.type = ServerFrame::Type::Receipt;
        frame.receiptState = std::move(state).value();
    } else if (type == QLatin1String("error")) {
        frame.type = ServerFrame::Type::Error;
        frame.error.code = object->value(QStringLiteral("error")).toString();
        frame.error.message = object->value(QStringLiteral("message")).toString();
    } else {
        frame.type = ServerFrame::Type::Unknown; // Newer servers may add frames: ignore them.
    }
    return frame;
}

QByteArray helloFrame(const QString &user, qint64 device)
{
    return compact({{QStringLiteral("type"), QStringLiteral("hello")},
                    {QStringLiteral("version"), StreamProtocolVersion},
                    {QStringLiteral("user"), user},
                    {QStringLiteral("device"), device}});
}

QByteArray envelopeFrame(const Envelope &envelope)
{
    return compact({{QStringLiteral("type"), QStringLiteral("envelope")},
                    {QStringLiteral("envelope"), envelope.toJson()}});
}

QByteArray sentFrame(const SendReceipt &receipt)
{
    QJsonObject object = receipt.toJson();
    object.insert(QStringLiteral("type"), QStringLiteral("sent"));
    return compact(object);
}

QByteArray syncedFrame()
{
    return QByteArrayLiteral(R"({"type":"synced"})");
}

QByteArray receiptFrame(const ReceiptState &state)
{
    QJsonObject object = state.toJson();
    object.insert(QStringLiteral("type"), QStringLiteral("receipt"));
    return compact(object);
}

QByteArray pongFrame()
{
    return QByteArrayLiteral(R"({"type":"pong"})");
}

QByteArray errorFrame(const ApiError &error)
{
    QJsonObject object = error.toJson();
    object.insert(QStringLiteral("type"), QStringLiteral("error"));
    return compact(object);
}

} // namespace Tincan::Protocol
