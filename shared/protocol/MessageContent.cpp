#include "shared/protocol/MessageContent.h"

#include "shared/protocol/JsonReader.h"
#include "shared/protocol/Validation.h"

#include <QJsonDocument>

#include <limits>

namespace Tincan::Protocol {

QByteArray MessageContent::encode() const
{
    QJsonObject object{{QStringLiteral("v"), Version}};
    if (kind == Kind::Retry) {
        object.insert(QStringLiteral("kind"), QStringLiteral("retry"));
    } else if (kind == Kind::SenderKey) {
        object.insert(QStringLiteral("kind"), QStringLiteral("sender_key"));
        object.insert(QStringLiteral("key"), QString::fromLatin1(key.toBase64()));
    } else if (kind == Kind::History) {
        object.insert(QStringLiteral("kind"), QStringLiteral("history"));
        object.insert(QStringLiteral("key"), QString::fromLatin1(key.toBase64()));
        object.insert(QStringLiteral("link"), link);
        object.insert(QStringLiteral("size"), size);
        object.insert(QStringLiteral("sha256"), QString::fromLatin1(digest.toBase64()));
    } else {
        object.insert(QStringLiteral("kind"), QStringLiteral("text"));
        object.insert(QStringLiteral("text"), text);
    }
    if (!ref.isEmpty()) {
        object.insert(QStringLiteral("ref"), ref);
    }
    if (!group.isEmpty()) {
        object.insert(QStringLiteral("group"), group);
    }
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
    if (kind == QLatin1String("retry")) {
        content.kind = Kind::Retry;
    } else if (kind == QLatin1String("text")) {
        content.text = reader.string(QStringLiteral("text"), MaxTextLength);
    } else if (kind == QLatin1String("sender_key")) {
        content.kind = Kind::SenderKey;
        content.key = reader.base64(QStringLiteral("key"), 4096);
    } else if (kind == QLatin1String("history")) {
        content.kind = Kind::History;
        content.key = reader.base64(QStringLiteral("key"), 32);
        content.link =
            reader.integer(QStringLiteral("link"), 1, std::numeric_limits<qint64>::max());
        content.size =
            reader.integer(QStringLiteral("size"), 1, std::numeric_limits<qint64>::max());
        content.digest = reader.base64(QStringLiteral("sha256"), 32);
        if (reader.ok() && (content.key.size() != 32 || content.digest.size() != 32)) {
            return ApiError::badRequest(
                QStringLiteral("content.key and content.sha256 must be 32 bytes."));
        }
    }
    if (object->contains(QStringLiteral("group")) || content.kind == Kind::SenderKey) {
        content.group = reader.string(QStringLiteral("group"), 32);
        if (reader.ok() && !isValidGroupId(content.group)) {
            return ApiError::badRequest(QStringLiteral("content.group must be a group id."));
        }
    }
    if (object->contains(QStringLiteral("ref")) || content.kind == Kind::Retry) {
        content.ref = reader.string(QStringLiteral("ref"), 64);
        if (reader.ok() && !isValidClientMessageId(content.ref)) {
            return ApiError::badRequest(QStringLiteral("content.ref must be a message id."));
        }
    }
    if (!reader.ok()) {
        return reader.error();
    }
    if (version > Version ||
        (kind != QLatin1String("text") && kind != QLatin1String("retry") &&
         kind != QLatin1String("sender_key") && kind != QLatin1String("history"))) {
        return ApiError::badRequest(
            QStringLiteral("Unsupported message content (version %1, kind '%2').")
                .arg(version)
                .arg(kind));
    }
    return content;
}

} // namespace Tincan::Protocol
