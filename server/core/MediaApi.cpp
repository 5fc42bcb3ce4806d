// The asset service: reserving uploads, signed upload and download URLs, and the blob content
// (with ranges, for resumed downloads and for caching proxies). The upload bodies themselves are
// received by the connection (server/http/MediaUpload), not here.

#include "server/core/ApiService.h"
#include "server/core/Logging.h"
#include "server/http/HttpRange.h"
#include "server/media/MediaService.h"
#include "shared/protocol/JsonReader.h"

#include <QDateTime>

namespace Tincan::Server {

using Protocol::ApiError;
using Protocol::JsonReader;
using Protocol::Result;

namespace {

ApiError unavailable()
{
    return ApiError{503,
                    QString::fromLatin1(Protocol::ErrorCode::Unavailable),
                    QStringLiteral("This server does not store media."),
                    {}};
}

ApiError insufficientStorage(qint64 size)
{
    return ApiError{507,
                    QString::fromLatin1(Protocol::ErrorCode::InsufficientStorage),
                    QStringLiteral("The server does not have room for %1 more bytes.").arg(size),
                    {}};
}

ApiError signatureError(UrlSigner::Check check)
{
    if (check == UrlSigner::Check::Expired) {
        return ApiError::forbidden(QStringLiteral("This media URL expired; ask for a new one."),
                                   Protocol::ErrorCode::UrlExpired);
    }
    return ApiError::forbidden(QStringLiteral("This media URL is not valid (changed or not "
                                              "signed by this server)."),
                               Protocol::ErrorCode::InvalidSignature);
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QByteArray etagOf(const MediaRecord &media)
{
    return '"' + media.sha256.toHex() + '"';
}

} // namespace

std::optional<MediaRecord> ApiService::pathMedia(const ApiRequest &request, const Reply &reply,
                                                 bool ownOnly)
{
    if (!m_media) {
        reply(ApiResponse::error(unavailable()));
        return std::nullopt;
    }
    const QString id = request.params.value(QStringLiteral("id"));
    std::optional<MediaRecord> media;
    if (MediaService::isValidId(id)) {
        media = m_media->store().media(id);
    }
    if (!media || (ownOnly && (!request.auth || media->ownerUserId != request.auth->userId))) {
        reply(ApiResponse::error(
            ApiError::notFound(QStringLiteral("There is no media %1.").arg(id.left(64)),
                               Protocol::ErrorCode::UnknownMedia)));
        return std::nullopt;
    }
    return media;
}

std::optional<MediaRecord> ApiService::signedMedia(const ApiRequest &request, const Reply &reply,
                                                   bool upload)
{
    auto media = pathMedia(request, reply, false);
    if (!media) {
        return std::nullopt;
    }
    qint64 max = 0;
    const UrlSigner::Check check =
        m_media->signer().check(upload ? UrlSigner::Op::Upload : UrlSigner::Op::Download, media->id,
                                request.query, nowMs() / 1000, &max);
    if (check != UrlSigner::Check::Valid || max != media->size) {
        reply(ApiResponse::error(signatureError(check)));
        return std::nullopt;
    }
    return media;
}

QJsonObject ApiService::signedUrl(const MediaRecord &media, bool upload) const
{
    const qint64 expires = nowMs() / 1000 + m_config.mediaUrlTtlSeconds;
    return {{upload ? QStringLiteral("uploadUrl") : QStringLiteral("url"),
             m_media->signer().sign(upload ? UrlSigner::Op::Upload : UrlSigner::Op::Download,
                                    media.id, media.size, expires)},
            {QStringLiteral("expiresAt"), expires * 1000}};
}

void ApiService::createMedia(const ApiRequest &request, Reply reply)
{
    if (!m_media) {
        reply(ApiResponse::error(unavailable()));
        return;
    }
    const AuthContext &owner = *request.auth;
    if (!withinRate(m_messageLimiter, QString::number(owner.deviceId),
                    QStringLiteral("This device is sending too fast; slow down and retry."),
                    reply)) {
        return;
    }
    auto body = Protocol::parseJsonObject(request.body);
    if (!body) {
        reply(ApiResponse::error(body.error()));
        return;
    }
    JsonReader reader(*body);
    const qint64 size =
        reader.integer(QStringLiteral("size"), 0, std::numeric_limits<qint64>::max());
    if (!reader.ok()) {
        reply(ApiResponse::error(reader.error()));
        return;
    }
    if (size > m_config.mediaMaxSize) {
        reply(ApiResponse::error(
            ApiError::tooLarge(QStringLiteral("Files are limited to %1 bytes on this server (this "
                                              "one has %2).")
                                   .arg(m_config.mediaMaxSize)
                                   .arg(size))));
        return;
    }
    const qint64 free = m_media->blobs().freeBytes();
    if (free >= 0 && free - size < m_config.mediaMinFreeBytes) {
        reply(ApiResponse::error(insufficientStorage(size)));
        return;
    }
    MediaRecord media;
    media.id = MediaService::newId();
    media.ownerUserId = owner.userId;
    media.ownerDeviceId = owner.deviceId;
    media.size = size;
    media.createdAt = nowMs();
    // Writer thread: signing reads only the configuration and the signer's key.
    m_media->store().createMedia(media, [this, reply](Result<MediaRecord> created) {
        if (!created) {
            reply(ApiResponse::error(created.error()));
            return;
        }
        QJsonObject answer = signedUrl(*created, true);
        answer.insert(QStringLiteral("id"), created->id);
        answer.insert(QStringLiteral("maxSize"), created->size);
        reply(ApiResponse::json(201, answer));
    });
}

void ApiService::mediaUploadUrl(const ApiRequest &request, Reply reply)
{
    const auto media = pathMedia(request, reply, true);
    if (!media) {
        return;
    }
    if (media->state == QLatin1String("complete")) {
        reply(ApiResponse::error(
            ApiError::conflict(QStringLiteral("This media is completely uploaded."),
                               Protocol::ErrorCode::UploadClosed)));
        return;
    }
    QJsonObject answer = signedUrl(*media, true);
    answer.insert(QStringLiteral("offset"), m_media->blobs().partialSize(media->id));
    reply(ApiResponse::json(200, answer));
}

void ApiService::mediaDownloadUrl(const ApiRequest &request, Reply reply)
{
    const auto media = pathMedia(request, reply, false);
    if (!media) {
        return;
    }
    const AuthContext &caller = *request.auth;
    if (!m_media->mayDownload(caller.userId, caller.username, *media)) {
        reply(ApiResponse::error(ApiError::forbidden(
            QStringLiteral("This media was not shared in a conversation you take part in."))));
        return;
    }
    if (media->state != QLatin1String("complete")) {
        reply(ApiResponse::error(
            ApiError::conflict(QStringLiteral("This media is not completely uploaded yet."),
                               Protocol::ErrorCode::MediaNotReady)));
        return;
    }
    QJsonObject answer = signedUrl(*media, false);
    answer.insert(QStringLiteral("size"), media->size);
    answer.insert(QStringLiteral("sha256"), QString::fromLatin1(media->sha256.toHex()));
    reply(ApiResponse::json(200, answer));
}

void ApiService::deleteMedia(const ApiRequest &request, Reply reply)
{
    const auto media = pathMedia(request, reply, true);
    if (!media) {
        return;
    }
    MediaService *service = m_media;
    m_media->store().deleteMedia(
        request.auth->userId, media->id,
        [service](const MediaPurge &purge) { service->removeFiles(purge); },
        [reply](Result<MediaRecord> removed) {
            if (!removed) {
                reply(ApiResponse::error(removed.error()));
                return;
            }
            ApiResponse response;
            response.status = 204;
            response.noBody = true;
            reply(response);
        });
}

void ApiService::mediaUploadStatus(const ApiRequest &request, Reply reply)
{
    const auto media = signedMedia(request, reply, true);
    if (!media) {
        return;
    }
    const bool complete = media->state == QLatin1String("complete");
    ApiResponse response;
    response.status = 200;
    response.noBody = true;
    response.headers = {
        {QByteArrayLiteral("Upload-Offset"),
         QByteArray::number(complete ? media->size : m_media->blobs().partialSize(media->id))},
        {QByteArrayLiteral("Upload-Length"), QByteArray::number(media->size)},
        {QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store")}};
    if (complete) {
        response.headers.append({QByteArrayLiteral("Tincan-Sha256"), media->sha256.toHex()});
    }
    reply(response);
}

void ApiService::mediaUploadMisrouted(const ApiRequest &, Reply reply)
{
    reply(ApiResponse::error(ApiError::badRequest(
        QStringLiteral("Upload bodies must be sent on a connection of their own."))));
}

void ApiService::mediaContent(const ApiRequest &request, Reply reply)
{
    const auto media = signedMedia(request, reply, false);
    if (!media) {
        return;
    }
    if (media->state != QLatin1String("complete")) {
        reply(ApiResponse::error(
            ApiError::conflict(QStringLiteral("This media is not completely uploaded yet."),
                               Protocol::ErrorCode::MediaNotReady)));
        return;
    }
    const QByteArray etag = etagOf(*media);
    ApiResponse response;
    response.headers = {
        {QByteArrayLiteral("ETag"), etag},
        {QByteArrayLiteral("Accept-Ranges"), QByteArrayLiteral("bytes")},
        // The bytes behind an id never change (the id names one upload, the ETag its digest):
        // any cache may keep them. Access is checked per request through the signature.
        {QByteArrayLiteral("Cache-Control"),
         QByteArrayLiteral("public, max-age=31536000, immutable")}};
    const QByteArray ifNoneMatch = request.headers.value(QByteArrayLiteral("if-none-match"));
    if (!ifNoneMatch.isEmpty() && (ifNoneMatch.contains(etag) || ifNoneMatch.trimmed() == "*")) {
        response.status = 304;
        response.noBody = true;
        reply(response);
        return;
    }
    ByteRange range{0, media->size - 1};
    RangeResult result = RangeResult::Whole;
    const QByteArray rangeHeader = request.headers.value(QByteArrayLiteral("range"));
    const QByteArray ifRange = request.headers.value(QByteArrayLiteral("if-range"));
    if (!rangeHeader.isEmpty() && (ifRange.isEmpty() || ifRange.trimmed() == etag)) {
        result = parseRange(rangeHeader, media->size, &range);
    }
    if (result == RangeResult::Unsatisfiable) {
        ApiError error{
            416,
            QString::fromLatin1(Protocol::ErrorCode::RangeNotSatisfiable),
            QStringLiteral("The range is outside the %1 bytes of this media.").arg(media->size),
            {}};
        ApiResponse refusal = ApiResponse::error(error);
        refusal.headers = response.headers;
        refusal.headers.append(
            {QByteArrayLiteral("Content-Range"), "bytes */" + QByteArray::number(media->size)});
        reply(refusal);
        return;
    }
    if (result == RangeResult::Whole) {
        range = ByteRange{0, media->size - 1};
    }
    std::shared_ptr<QIODevice> blob = m_media->blobs().openBlob(media->sha256);
    if (!blob) {
        qCWarning(lcServer).noquote() << "media" << media->id << "has no blob file";
        reply(ApiResponse::error(ApiError::internal(QStringLiteral("The media file is missing."))));
        return;
    }
    if (blob->size() != media->size) {
        qCWarning(lcServer).noquote() << "media" << media->id << "has a damaged blob file";
        reply(ApiResponse::error(ApiError::internal(QStringLiteral("The media file is damaged."))));
        return;
    }
    if (media->size > 0 && !blob->seek(range.first)) {
        reply(ApiResponse::error(ApiError::internal(QStringLiteral("The media file is short."))));
        return;
    }
    response.status = result == RangeResult::Partial ? 206 : 200;
    if (result == RangeResult::Partial) {
        response.headers.append(
            {QByteArrayLiteral("Content-Range"), "bytes " + QByteArray::number(range.first) + '-' +
                                                     QByteArray::number(range.last) + '/' +
                                                     QByteArray::number(media->size)});
    }
    response.contentType = QByteArrayLiteral("application/octet-stream");
    response.streamLength = media->size == 0 ? 0 : range.length();
    if (request.method == "HEAD") {
        response.noBody = true;
    } else {
        response.stream = std::move(blob);
    }
    reply(response);
}

std::optional<QStringList> ApiService::readMediaIds(const QJsonObject &body, const Reply &reply)
{
    QStringList ids;
    const QJsonValue value = body.value(QStringLiteral("media"));
    if (value.isUndefined() || value.isNull()) {
        return ids;
    }
    const QJsonArray items = value.toArray();
    if (!value.isArray() || items.size() > 32) {
        reply(ApiResponse::error(ApiError::badRequest(
            QStringLiteral("'media' must be an array of at most 32 media ids."))));
        return std::nullopt;
    }
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QString id = items[i].toString();
        if (!MediaService::isValidId(id)) {
            reply(ApiResponse::error(ApiError::badRequest(
                QStringLiteral("media[%1] must be a media id (32 lower-case hex digits).")
                    .arg(i))));
            return std::nullopt;
        }
        if (!ids.contains(id)) {
            ids.append(id);
        }
    }
    if (!ids.isEmpty() && !m_media) {
        reply(ApiResponse::error(unavailable()));
        return std::nullopt;
    }
    return ids;
}

void ApiService::attachMedia(const AuthContext &sender, const QStringList &ids,
                             const QString &conversation, const Reply &reply,
                             std::function<void()> next)
{
    if (ids.isEmpty()) {
        next();
        return;
    }
    m_media->store().attachMedia(sender.userId, ids, conversation, nowMs(),
                                 [reply, next = std::move(next)](Result<bool> attached) {
                                     if (!attached) {
                                         reply(ApiResponse::error(attached.error()));
                                         return;
                                     }
                                     next();
                                 });
}

} // namespace Tincan::Server
