#include "shared/protocol/Envelope.h"

#include "shared/protocol/JsonReader.h"
#include "shared/protocol/Validation.h"

namespace Tincan::Protocol {

QJsonObject Envelope::toJson() const
{
    return QJsonObject{
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
    envelope.toUser = reader.string(QStringLiteral("to"), 32);
    envelope.serverTimestamp = reader.integer(QStringLiteral("serverTs"), 0, maxId);
    envelope.payload = reader.base64(QStringLiteral("payload"), 64 * 1024 * 1024);
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
        !isValidUsername(envelope.toUser)) {
        return ApiError::badRequest(QStringLiteral("The envelope has malformed identifiers."));
    }
    return envelope;
}

} // namespace Tincan::Protocol
