#include "shared/protocol/MessageContent.h"

#include "shared/protocol/JsonReader.h"
#include "shared/protocol/Validation.h"

#include <QJsonDocument>

#include <limits>

namespace Tincan::Protocol {

namespace {

QString base64(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toBase64());
}

QJsonObject encodeAttachment(const Attachment &attachment)
{
    QJsonObject object{{QStringLiteral("id"), attachment.mediaId},
                       {QStringLiteral("key"), base64(attachment.key)},
                       {QStringLiteral("sha256"), base64(attachment.digest)},
                       {QStringLiteral("size"), attachment.size},
                       {QStringLiteral("cipherSize"), attachment.cipherSize},
                       {QStringLiteral("name"), attachment.name},
                       {QStringLiteral("mime"), attachment.mime}};
    // Optional members only when known, to keep messages small.
    if (attachment.width > 0) {
        object.insert(QStringLiteral("width"), attachment.width);
    }
    if (attachment.height > 0) {
        object.insert(QStringLiteral("height"), attachment.height);
    }
    if (!attachment.thumbnail.isEmpty()) {
        object.insert(QStringLiteral("thumbnail"), base64(attachment.thumbnail));
    }
    if (attachment.durationMs > 0) {
        object.insert(QStringLiteral("durationMs"), attachment.durationMs);
    }
    return object;
}

Result<Attachment> decodeAttachment(const QJsonObject &object, const QString &context)
{
    JsonReader reader(object, context);
    Attachment attachment;
    attachment.mediaId = reader.string(QStringLiteral("id"), 32);
    attachment.key = reader.fixedBase64(QStringLiteral("key"), Attachment::KeyBytes);
    attachment.digest = reader.fixedBase64(QStringLiteral("sha256"), Attachment::DigestBytes);
    attachment.size = reader.integer(QStringLiteral("size"), 0, Attachment::MaxSize);
    attachment.cipherSize = reader.integer(QStringLiteral("cipherSize"), 0,
                                           Attachment::expectedCipherSize(Attachment::MaxSize));
    attachment.name = reader.string(QStringLiteral("name"), Attachment::MaxNameLength);
    attachment.mime = reader.string(QStringLiteral("mime"), Attachment::MaxMimeLength);
    attachment.width = static_cast<int>(
        reader.optionalInteger(QStringLiteral("width"), 0, Attachment::MaxDimension, 0));
    attachment.height = static_cast<int>(
        reader.optionalInteger(QStringLiteral("height"), 0, Attachment::MaxDimension, 0));
    if (reader.has(QStringLiteral("thumbnail"))) {
        attachment.thumbnail =
            reader.base64(QStringLiteral("thumbnail"), Attachment::MaxThumbnailBytes);
    }
    attachment.durationMs =
        reader.optionalInteger(QStringLiteral("durationMs"), 0, Attachment::MaxDurationMs, 0);
    if (!reader.ok()) {
        return reader.error();
    }
    const auto invalid = [&reader](const QString &key, const QString &what) {
        return ApiError::badRequest(QStringLiteral("%1 must be %2.").arg(reader.name(key), what));
    };
    if (!isValidMediaId(attachment.mediaId)) {
        return invalid(QStringLiteral("id"), QStringLiteral("a media id"));
    }
    if (attachment.cipherSize != Attachment::expectedCipherSize(attachment.size)) {
        return invalid(QStringLiteral("cipherSize"),
                       QStringLiteral("the encrypted size of %1 bytes").arg(attachment.size));
    }
    if (!isValidAttachmentName(attachment.name)) {
        return invalid(QStringLiteral("name"), QStringLiteral("a file name"));
    }
    if (!isValidMimeType(attachment.mime)) {
        return invalid(QStringLiteral("mime"), QStringLiteral("a MIME type"));
    }
    // Previews are decoded by every receiver: only JPEG (start of image marker) is accepted.
    if (reader.has(QStringLiteral("thumbnail")) &&
        !attachment.thumbnail.startsWith(QByteArrayView("\xff\xd8\xff", 3))) {
        return invalid(QStringLiteral("thumbnail"), QStringLiteral("a JPEG image"));
    }
    return attachment;
}

} // namespace

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
    } else if (kind == Kind::Media) {
        object.insert(QStringLiteral("kind"), QStringLiteral("media"));
        if (!text.isEmpty()) {
            object.insert(QStringLiteral("text"), text);
        }
        QJsonArray list;
        for (const Attachment &attachment : attachments) {
            list.append(encodeAttachment(attachment));
        }
        object.insert(QStringLiteral("attachments"), list);
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
    } else if (kind == QLatin1String("media")) {
        content.kind = Kind::Media;
        content.text = reader.optionalString(QStringLiteral("text"), MaxTextLength);
        const QJsonArray list = reader.array(QStringLiteral("attachments"), MaxAttachments);
        if (reader.ok() && list.isEmpty()) {
            return ApiError::badRequest(
                QStringLiteral("content.attachments must list at least one file."));
        }
        for (qsizetype i = 0; reader.ok() && i < list.size(); ++i) {
            const QString context = QStringLiteral("content.attachments[%1]").arg(i);
            if (!list.at(i).isObject()) {
                return ApiError::badRequest(QStringLiteral("%1 must be an object.").arg(context));
            }
            auto attachment = decodeAttachment(list.at(i).toObject(), context);
            if (!attachment) {
                return attachment.error();
            }
            content.attachments.append(*attachment);
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
    if (version > Version || (kind != QLatin1String("text") && kind != QLatin1String("retry") &&
                              kind != QLatin1String("sender_key") &&
                              kind != QLatin1String("history") && kind != QLatin1String("media"))) {
        return ApiError::badRequest(
            QStringLiteral("Unsupported message content (version %1, kind '%2').")
                .arg(version)
                .arg(kind));
    }
    return content;
}

} // namespace Tincan::Protocol
