#pragma once

#include "shared/protocol/Result.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace Tincan::Protocol {

//! Parses a request body that must be one JSON object. Empty, invalid or non-object input is a
//! `bad_json` error.
Result<QJsonObject> parseJsonObject(const QByteArray &bytes);

//! Reads typed members of a JSON object and remembers the first problem, naming the member, so
//! that a handler can read all fields and then report one clear 400.
class JsonReader
{
public:
    explicit JsonReader(const QJsonObject &object, QString context = {});

    QString string(const QString &key, int maxLength = 1024);
    QString optionalString(const QString &key, int maxLength = 1024);
    qint64 integer(const QString &key, qint64 min, qint64 max);
    qint64 optionalInteger(const QString &key, qint64 min, qint64 max, qint64 fallback);
    QJsonArray array(const QString &key, qsizetype maxCount);
    QJsonObject object(const QString &key);
    //! A base64 (standard alphabet) string decoded to bytes.
    QByteArray base64(const QString &key, qsizetype maxDecodedBytes);

    bool ok() const { return m_error.isNull(); }
    const ApiError &error() const { return m_error; }
    void fail(const ApiError &error);

private:
    QJsonValue require(const QString &key);
    QString name(const QString &key) const;

    QJsonObject m_object;
    QString m_context;
    ApiError m_error;
};

} // namespace Tincan::Protocol
