#include "shared/protocol/Frames.h"

#include "shared/protocol/JsonReader.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

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

constexpr int MaxConversationLength = 128;

QString typingState(bool typing)
{
    return typing ? QStringLiteral("started") : QStringLiteral("stopped");
}

//! Reads `state` ("started" / "stopped") into `typing`; false if it is neither.
bool readTypingState(JsonReader &reader, bool *typing)
{
    const QString state = reader.string(QStringLiteral("state"), 16);
    if (!reader.ok()) {
        return false;
    }
    if (state != QLatin1String("started") && state != QLatin1String("stopped")) {
        reader.fail(
            ApiError::badRequest(QStringLiteral("'state' must be 'started' or 'stopped'.")));
        return false;
    }
    *typing = state == QLatin1String("started");
    return true;
}
} // namespace

QString PresenceUpdate::stateName(State state)
{
    switch (state) {
    case State::Online:
        return QStringLiteral("online");
    case State::Offline:
        return QStringLiteral("offline");
    case State::Hidden:
        return QStringLiteral("hidden");
    case State::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

QJsonObject PresenceUpdate::toJson() const
{
    QJsonObject object{{QStringLiteral("user"), user}, {QStringLiteral("state"), stateName(state)}};
    if (lastSeen > 0) {
        object.insert(QStringLiteral("lastSeen"), lastSeen);
    }
    return object;
}

Result<PresenceUpdate> PresenceUpdate::fromJson(const QJsonObject &object)
{
    JsonReader reader(object);
    PresenceUpdate update;
    update.user = reader.string(QStringLiteral("user"), 64);
    const QString state = reader.string(QStringLiteral("state"), 16);
    update.lastSeen = reader.optionalInteger(QStringLiteral("lastSeen"), 0, MaxId, 0);
    if (!reader.ok()) {
        return reader.error();
    }
    update.state = State::Unknown; // A state a newer server adds reads as unknown.
    for (const State known : {State::Online, State::Offline, State::Hidden}) {
        if (state == stateName(known)) {
            update.state = known;
        }
    }
    return update;
}

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

QJsonObject LinkEvent::toJson() const
{
    QJsonObject object{{QStringLiteral("id"), id},
                       {QStringLiteral("state"), state},
                       {QStringLiteral("createdBy"), createdBy},
                       {QStringLiteral("expiresAt"), expiresAt}};
    if (!deviceName.isEmpty()) {
        object.insert(QStringLiteral("deviceName"), deviceName);
        object.insert(QStringLiteral("platform"), platform);
        object.insert(QStringLiteral("identityKey"), QString::fromLatin1(identityKey.toBase64()));
        if (!keyProof.isEmpty()) {
            object.insert(QStringLiteral("keyProof"), QString::fromLatin1(keyProof.toBase64()));
        }
    }
    if (history >= 0) {
        object.insert(QStringLiteral("history"), history == 1);
    }
    if (deviceId > 0) {
        object.insert(QStringLiteral("deviceId"), deviceId);
    }
    return object;
}

Result<LinkEvent> LinkEvent::fromJson(const QJsonObject &object)
{
    JsonReader reader(object, QStringLiteral("link"));
    LinkEvent link;
    link.id = reader.integer(QStringLiteral("id"), 1, MaxId);
    link.state = reader.string(QStringLiteral("state"), 16);
    link.createdBy = reader.integer(QStringLiteral("createdBy"), 0, MaxId);
    link.expiresAt = reader.integer(QStringLiteral("expiresAt"), 0, MaxId);
    if (object.contains(QStringLiteral("deviceName"))) {
        link.deviceName = reader.string(QStringLiteral("deviceName"), 64);
        link.platform = reader.optionalString(QStringLiteral("platform"), 64);
        link.identityKey = reader.base64(QStringLiteral("identityKey"), 64);
        if (object.contains(QStringLiteral("keyProof"))) {
            link.keyProof = reader.base64(QStringLiteral("keyProof"), 64);
        }
    }
    if (object.contains(QStringLiteral("history"))) {
        link.history = reader.optionalBoolean(QStringLiteral("history"), false) ? 1 : 0;
    }
    if (object.contains(QStringLiteral("deviceId"))) {
        link.deviceId = reader.integer(QStringLiteral("deviceId"), 1, MaxId);
    }
    if (!reader.ok()) {
        return reader.error();
    }
    return link;
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
    if (type == QLatin1String("typing")) {
        frame.type = ClientFrame::Type::Typing;
        JsonReader reader(*object);
        frame.typing.conversation =
            reader.string(QStringLiteral("conversation"), MaxConversationLength);
        if (!readTypingState(reader, &frame.typing.typing)) {
            return reader.error();
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

QByteArray typingClientFrame(const QString &conversation, bool typing)
{
    return compact({{QStringLiteral("type"), QStringLiteral("typing")},
                    {QStringLiteral("conversation"), conversation},
                    {QStringLiteral("state"), typingState(typing)}});
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
        frame.version = object->value(QStringLiteral("version")).toInt();
        frame.heartbeatSeconds = static_cast<int>(std::clamp<qint64>(
            object->value(QStringLiteral("heartbeatSeconds")).toInteger(), 0, 86400));
    } else if (type == QLatin1String("presence")) {
        auto update = PresenceUpdate::fromJson(*object);
        if (!update) {
            return update.error();
        }
        frame.type = ServerFrame::Type::Presence;
        frame.presence = std::move(update).value();
    } else if (type == QLatin1String("typing")) {
        JsonReader reader(*object);
        frame.type = ServerFrame::Type::Typing;
        frame.typing.conversation =
            reader.string(QStringLiteral("conversation"), MaxConversationLength);
        frame.typing.user = reader.string(QStringLiteral("from"), 64);
        frame.typing.device = reader.optionalInteger(QStringLiteral("fromDevice"), 0, MaxId, 0);
        if (!readTypingState(reader, &frame.typing.typing)) {
            return reader.error();
        }
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
        frame.receiptStates.append(std::move(state).value());
    } else if (type == QLatin1String("receipts")) {
        const QJsonValue value = object->value(QStringLiteral("receipts"));
        const QJsonArray list = value.toArray();
        if (!value.isArray() || list.isEmpty() || list.size() > MaxReceiptsPerFrame) {
            return ApiError::badRequest(QStringLiteral("receipts must be a list of 1 to %1 states.")
                                            .arg(MaxReceiptsPerFrame));
        }
        frame.type = ServerFrame::Type::Receipt;
        for (const QJsonValue &item : list) {
            auto state = ReceiptState::fromJson(item.toObject());
            if (!state) {
                return state.error();
            }
            frame.receiptStates.append(std::move(state).value());
        }
    } else if (type == QLatin1String("link")) {
        auto link = LinkEvent::fromJson(object->value(QStringLiteral("link")).toObject());
        if (!link) {
            return link.error();
        }
        frame.type = ServerFrame::Type::Link;
        frame.link = std::move(link).value();
    } else if (type == QLatin1String("error")) {
        frame.type = ServerFrame::Type::Error;
        frame.error.code = object->value(QStringLiteral("error")).toString();
        frame.error.message = object->value(QStringLiteral("message")).toString();
    } else {
        frame.type = ServerFrame::Type::Unknown; // Newer servers may add frames: ignore them.
    }
    return frame;
}

QByteArray helloFrame(const QString &user, qint64 device, int heartbeatSeconds)
{
    QJsonObject object{{QStringLiteral("type"), QStringLiteral("hello")},
                       {QStringLiteral("version"), StreamProtocolVersion},
                       {QStringLiteral("user"), user},
                       {QStringLiteral("device"), device}};
    if (heartbeatSeconds > 0) {
        object.insert(QStringLiteral("heartbeatSeconds"), heartbeatSeconds);
    }
    return compact(object);
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

namespace {

//! Appends `text` as a JSON string (RFC 8259: quotes, backslashes and control characters
//! escaped; everything else as UTF-8).
void appendJsonString(QByteArray &out, const QString &text)
{
    out += '"';
    const QByteArray utf8 = text.toUtf8();
    for (const char c : utf8) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < 0x20) {
            static constexpr char Hex[] = "0123456789abcdef";
            out += "\\u00";
            out += Hex[byte >> 4];
            out += Hex[byte & 0xf];
        } else {
            out += c;
        }
    }
    out += '"';
}

} // namespace

QByteArray receiptsFrame(const QList<ReceiptState> &states)
{
    if (states.size() == 1) {
        return receiptFrame(states.first());
    }
    // Written by hand: a busy group's sender gets one of these every receipt delay, and
    // QJsonObject's maps cost more than the rest of the frame's path (docs/benchmarks.md).
    // The same JSON as ReceiptState::toJson() items.
    QByteArray out;
    out.reserve(32 + states.size() * 112);
    out += R"({"type":"receipts","receipts":[)";
    for (qsizetype i = 0; i < states.size(); ++i) {
        const ReceiptState &state = states[i];
        out += i == 0 ? R"({"conversation":)" : R"(,{"conversation":)";
        appendJsonString(out, state.conversation);
        out += R"(,"user":)";
        appendJsonString(out, state.user);
        out += R"(,"delivered":)";
        out += QByteArray::number(state.delivered);
        out += R"(,"read":)";
        out += QByteArray::number(state.read);
        out += R"(,"updatedAt":)";
        out += QByteArray::number(state.updatedAt);
        out += '}';
    }
    out += "]}";
    return out;
}

QByteArray linkFrame(const LinkEvent &link)
{
    return compact({{QStringLiteral("type"), QStringLiteral("link")},
                    {QStringLiteral("link"), link.toJson()}});
}

QByteArray pongFrame()
{
    return QByteArrayLiteral(R"({"type":"pong"})");
}

QByteArray presenceFrame(const PresenceUpdate &update)
{
    QJsonObject object = update.toJson();
    object.insert(QStringLiteral("type"), QStringLiteral("presence"));
    return compact(object);
}

QByteArray typingFrame(const TypingEvent &event)
{
    return compact({{QStringLiteral("type"), QStringLiteral("typing")},
                    {QStringLiteral("conversation"), event.conversation},
                    {QStringLiteral("from"), event.user},
                    {QStringLiteral("fromDevice"), event.device},
                    {QStringLiteral("state"), typingState(event.typing)}});
}

QByteArray errorFrame(const ApiError &error)
{
    QJsonObject object = error.toJson();
    object.insert(QStringLiteral("type"), QStringLiteral("error"));
    return compact(object);
}

} // namespace Tincan::Protocol
