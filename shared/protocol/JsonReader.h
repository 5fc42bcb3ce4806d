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

    //! Whether the member is present and not null.
    bool has(const QString &key) const;
    QString string(const QString &key, int maxLength = 1024);
    QString optionalString(const QString &key, int maxLength = 1024);
    qint64 integer(const QString &key, qint64 min, qint64 max);
    qint64 optionalInteger(const QString &key, qint64 min, qint64 max, qint64 fallback);
    bool optionalBoolean(const QString &key, bool fallback);
    QJsonArray array(const QString &key, qsizetype maxCount);
    //! An array, or an empty one when the field is absent or null.
    QJsonArray optionalArray(const QString &key, qsizetype maxCount);
    QJsonObject object(const QString &key);
    //! A base64 (standard alphabet) string decoded to bytes.
    QByteArray base64(const QString &key, qsizetype maxDecodedBytes);
    //! Exactly `size` bytes in standard base64 with padding; anything else is a 400.
    QByteArray fixedBase64(const QString &key, qsizetype size);

    bool ok() const { return m_error.isNull(); }
    const ApiError &error() const { return m_error; }
    void fail(const ApiError &error);
    //! The member's name as error messages show it (with the context).
    QString name(const QString &key) const;

private:
    QJsonValue require(const QString &key);

    QJsonObject m_object;
    QString m_context;
    ApiError m_error;
};

} // namespace Tincan::Protocol
