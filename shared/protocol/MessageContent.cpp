#include "shared/protocol/MessageContent.h"

#include "shared/protocol/JsonReader.h"

#include <QJsonDocument>

namespace Tincan::Protocol {

QByteArray MessageContent::encode() const
{
    const QJsonObject object{{QStringLiteral("v"), Version},
                             {QStringLiteral("kind"), QStringLiteral("text")},
                             {QStringLiteral("text"), text}};
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

Result<MessageContent> MessageContent::decode(const QByteArray &bytes)
{
    auto object = parseJsonObject(bytes);
    if (!object) {
        return object.error();
    }
    JsonReader reader(*object, QStringLiteral("content"));
    const qint64 version = reader.integer(QStringLiteral("v"), 1, 1000);
    const QString kind = reader.string(QStringLiteral("kind"), 32);
    MessageContent content;
    content.text = reader.string(QStringLiteral("text"), MaxTextLength);
    if (!reader.ok()) {
        return reader.error();
    }
    if (version > Version || kind != QLatin1String("text")) {
        return ApiError::badRequest(
            QStringLiteral("Unsupported message content (version %1, kind '%2').")
                .arg(version)
                .arg(kind));
    }
    return content;
}

} // namespace Tincan::Protocol
