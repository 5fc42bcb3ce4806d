#include "shared/protocol/Envelope.h"

#include "shared/protocol/JsonReader.h"
#include "shared/protocol/Validation.h"

namespace Tincan::Protocol {

QJsonObject Envelope::toJson() const
{
    QJsonObject object{
        {QStringLiteral("id"), id},
        {QStringLiteral("clientMessageId"), clientMessageId},
        {QStringLiteral("conversation"), conversation},
        {QStringLiteral("seq"), seq},
        {QStringLiteral("from"),
         QJsonObject{{QStringLiteral("user"), fromUser}, {QStringLiteral("device"), fromDevice}}},
        {QStringLiteral("to"), toUser},
        {QStringLiteral("serverTs"), serverTimestamp},
        {QStringLiteral("payload"), QString::fromLatin1(payload.toBase64())},
    };
    if (!senderKey.isEmpty()) {
        object.insert(QStringLiteral("senderKey"), QString::fromLatin1(senderKey.toBase64()));
    }
    if (!event.isEmpty()) {
        object.insert(QStringLiteral("event"), event);
    }
    return object;
}

Result<Envelope> Envelope::fromJson(const QJsonObject &object)
{
    JsonReader reader(object, QStringLiteral("envelope"));
    Envelope envelope;
    constexpr qint64 maxId = (qint64(1) << 53);
    envelope.id = reader.integer(QStringLiteral("id"), 1, maxId);
    envelope.clientMessageId = reader.string(QStringLiteral("clientMessageId"), 36);
    envelope.conversation = reader.string(QStringLiteral("conversation"), 128);
    envelope.seq = reader.integer(QStringLiteral("seq"), 1, maxId);
    const QJsonObject from = reader.object(QStringLiteral("from"));
    const bool group = !groupIdOf(envelope.conversation).isEmpty();
    envelope.toUser = group ? reader.optionalString(QStringLiteral("to"), 32)
                            : reader.string(QStringLiteral("to"), 32);
    envelope.serverTimestamp = reader.integer(QStringLiteral("serverTs"), 0, maxId);
    envelope.payload = reader.base64(QStringLiteral("payload"), 64 * 1024 * 1024);
    if (object.contains(QStringLiteral("senderKey"))) {
        envelope.senderKey = reader.base64(QStringLiteral("senderKey"), 64 * 1024);
    }
    if (object.contains(QStringLiteral("event"))) {
        envelope.event = reader.object(QStringLiteral("event"));
    }
    if (!reader.ok()) {
        return reader.error();
    }
    JsonReader fromReader(from, QStringLiteral("envelope.from"));
    envelope.fromUser = fromReader.string(QStringLiteral("user"), 32);
    envelope.fromDevice = fromReader.integer(QStringLiteral("device"), 1, maxId);
    if (!fromReader.ok()) {
        return fromReader.error();
    }
    if (!isValidClientMessageId(envelope.clientMessageId) || !isValidUsername(envelope.fromUser) ||
        (group ? !envelope.toUser.isEmpty() : !isValidUsername(envelope.toUser))) {
        return ApiError::badRequest(QStringLiteral("The envelope has malformed identifiers."));
    }
    return envelope;
}

} // namespace Tincan::Protocol
