#include "shared/protocol/JsonReader.h"

#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>

namespace Tincan::Protocol {

Result<QJsonObject> parseJsonObject(const QByteArray &bytes)
{
    if (bytes.trimmed().isEmpty()) {
        return ApiError::badRequest(
            QStringLiteral("The request body is empty; a JSON object was expected."),
            ErrorCode::BadJson);
    }
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return ApiError::badRequest(QStringLiteral("The body is not valid JSON: %1 at offset %2.")
                                        .arg(parseError.errorString())
                                        .arg(parseError.offset),
                                    ErrorCode::BadJson);
    }
    if (!document.isObject()) {
        return ApiError::badRequest(QStringLiteral("The body must be a JSON object."),
                                    ErrorCode::BadJson);
    }
    return document.object();
}

JsonReader::JsonReader(const QJsonObject &object, QString context)
    : m_object(object)
    , m_context(std::move(context))
{}

void JsonReader::fail(const ApiError &error)
{
    if (m_error.isNull()) {
        m_error = error;
    }
}

QString JsonReader::name(const QString &key) const
{
    return m_context.isEmpty() ? key : m_context + QLatin1Char('.') + key;
}

QJsonValue JsonReader::require(const QString &key)
{
    const QJsonValue value = m_object.value(key);
    if (value.isUndefined() || value.isNull()) {
        fail(ApiError::badRequest(QStringLiteral("Missing required field '%1'.").arg(name(key))));
    }
    return value;
}

bool JsonReader::has(const QString &key) const
{
    const QJsonValue value = m_object.value(key);
    return !value.isUndefined() && !value.isNull();
}

QString JsonReader::string(const QString &key, int maxLength)
{
    const QJsonValue value = require(key);
    if (!ok()) {
        return {};
    }
    if (!value.isString()) {
        fail(ApiError::badRequest(QStringLiteral("Field '%1' must be a string.").arg(name(key))));
        return {};
    }
    const QString text = value.toString();
    if (text.size() > maxLength) {
        fail(ApiError::badRequest(QStringLiteral("Field '%1' is longer than %2 characters.")
                                      .arg(name(key))
                                      .arg(maxLength)));
        return {};
    }
    return text;
}

QString JsonReader::optionalString(const QString &key, int maxLength)
{
    const QJsonValue value = m_object.value(key);
    if (value.isUndefined() || value.isNull()) {
        return {};
    }
    return string(key, maxLength);
}

qint64 JsonReader::integer(const QString &key, qint64 min, qint64 max)
{
    const QJsonValue value = require(key);
    if (!ok()) {
        return 0;
    }
    const double number = value.toDouble(std::nan(""));
    if (!value.isDouble() || std::isnan(number) || std::floor(number) != number) {
        fail(ApiError::badRequest(QStringLiteral("Field '%1' must be an integer.").arg(name(key))));
        return 0;
    }
    if (number < static_cast<double>(min) || number > static_cast<double>(max)) {
        fail(ApiError::badRequest(QStringLiteral("Field '%1' must be between %2 and %3.")
                                      .arg(name(key))
                                      .arg(min)
                                      .arg(max)));
        return 0;
    }
    return static_cast<qint64>(number);
}

qint64 JsonReader::optionalInteger(const QString &key, qint64 min, qint64 max, qint64 fallback)
{
    const QJsonValue value = m_object.value(key);
    if (value.isUndefined() || value.isNull()) {
        return fallback;
    }
    return integer(key, min, max);
}

bool JsonReader::optionalBoolean(const QString &key, bool fallback)
{
    if (!has(key)) {
        return fallback;
    }
    const QJsonValue value = m_object.value(key);
    if (!value.isBool()) {
        fail(ApiError::badRequest(QStringLiteral("Field '%1' must be a boolean.").arg(name(key))));
        return fallback;
    }
    return value.toBool();
}

QJsonArray JsonReader::array(const QString &key, qsizetype maxCount)
{
    const QJsonValue value = require(key);
    if (!ok()) {
        return {};
    }
    if (!value.isArray()) {
        fail(ApiError::badRequest(QStringLiteral("Field '%1' must be an array.").arg(name(key))));
        return {};
    }
    const QJsonArray array = value.toArray();
    if (array.size() > maxCount) {
        fail(ApiError::tooLarge(
            QStringLiteral("Field '%1' has more than %2 entries.").arg(name(key)).arg(maxCount)));
        return {};
    }
    return array;
}

QJsonArray JsonReader::optionalArray(const QString &key, qsizetype maxCount)
{
    const QJsonValue value = m_object.value(key);
    if (value.isUndefined() || value.isNull()) {
        return {};
    }
    return array(key, maxCount);
}

QJsonObject JsonReader::object(const QString &key)
{
    const QJsonValue value = require(key);
    if (!ok()) {
        return {};
    }
    if (!value.isObject()) {
        fail(ApiError::badRequest(QStringLiteral("Field '%1' must be an object.").arg(name(key))));
        return {};
    }
    return value.toObject();
}

QByteArray JsonReader::base64(const QString &key, qsizetype maxDecodedBytes)
{
    const QJsonValue value = require(key);
    if (!ok()) {
        return {};
    }
    if (!value.isString()) {
        fail(ApiError::badRequest(
            QStringLiteral("Field '%1' must be a base64 string.").arg(name(key))));
        return {};
    }
    const QString text = value.toString();
    // Every 4 base64 characters carry 3 bytes: refuse before decoding anything huge.
    if ((text.size() / 4) * 3 > maxDecodedBytes + 3) {
        fail(ApiError::tooLarge(QStringLiteral("Field '%1' is larger than %2 bytes.")
                                    .arg(name(key))
                                    .arg(maxDecodedBytes)));
        return {};
    }
    auto decoded =
        QByteArray::fromBase64Encoding(text.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        fail(
            ApiError::badRequest(QStringLiteral("Field '%1' is not valid base64.").arg(name(key))));
        return {};
    }
    if (decoded.decoded.size() > maxDecodedBytes) {
        fail(ApiError::tooLarge(QStringLiteral("Field '%1' is larger than %2 bytes.")
                                    .arg(name(key))
                                    .arg(maxDecodedBytes)));
        return {};
    }
    return decoded.decoded;
}

QByteArray JsonReader::fixedBase64(const QString &key, qsizetype size)
{
    const QJsonValue value = require(key);
    if (!ok()) {
        return {};
    }
    const QString text = value.toString();
    // Padding included, the encoding of `size` bytes has exactly this length.
    if (value.isString() && text.size() == (size + 2) / 3 * 4) {
        auto decoded = QByteArray::fromBase64Encoding(text.toLatin1(),
                                                      QByteArray::AbortOnBase64DecodingErrors);
        if (decoded && decoded.decoded.size() == size) {
            return decoded.decoded;
        }
    }
    fail(ApiError::badRequest(
        QStringLiteral("Field '%1' must be %2 bytes of base64.").arg(name(key)).arg(size)));
    return {};
}

} // namespace Tincan::Protocol
