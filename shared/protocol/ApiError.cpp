#include "shared/protocol/ApiError.h"

#include <QJsonDocument>

namespace Tincan::Protocol {

QJsonObject ApiError::toJson() const
{
    QJsonObject object = details;
    object.insert(QStringLiteral("error"), code);
    object.insert(QStringLiteral("message"), message);
    return object;
}

QByteArray ApiError::toJsonBytes() const
{
    return QJsonDocument(toJson()).toJson(QJsonDocument::Compact);
}

ApiError ApiError::fromJson(int status, const QByteArray &body)
{
    ApiError error;
    error.status = status;
    const QJsonDocument document = QJsonDocument::fromJson(body);
    if (!document.isObject()) {
        return error;
    }
    QJsonObject object = document.object();
    error.code = object.take(QStringLiteral("error")).toString();
    error.message = object.take(QStringLiteral("message")).toString();
    error.details = object;
    return error;
}

static ApiError make(int status, const char *code, const QString &message)
{
    return ApiError{status, QString::fromLatin1(code), message, {}};
}

ApiError ApiError::badRequest(const QString &message, const char *code)
{
    return make(400, code, message);
}

ApiError ApiError::unauthenticated(const QString &message)
{
    return make(401, ErrorCode::Unauthenticated, message);
}

ApiError ApiError::forbidden(const QString &message, const char *code)
{
    return make(403, code, message);
}

ApiError ApiError::notFound(const QString &message, const char *code)
{
    return make(404, code, message);
}

ApiError ApiError::conflict(const QString &message, const char *code)
{
    return make(409, code, message);
}

ApiError ApiError::tooLarge(const QString &message)
{
    return make(413, ErrorCode::TooLarge, message);
}

ApiError ApiError::rateLimited(const QString &message)
{
    return make(429, ErrorCode::RateLimited, message);
}

ApiError ApiError::internal(const QString &message)
{
    return make(500, ErrorCode::Internal, message);
}

} // namespace Tincan::Protocol
