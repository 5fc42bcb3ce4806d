#include "server/core/KeyJson.h"

#include "shared/protocol/JsonReader.h"

#include <QJsonArray>
#include <QSet>

#include <limits>

namespace Tincan::Server {

using Protocol::ApiError;
using Protocol::JsonReader;
using Protocol::Result;

namespace {

QString toBase64(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toBase64());
}

QByteArray readPublicKey(JsonReader &reader, const QString &key)
{
    const QByteArray bytes = reader.fixedBase64(key, KeyShape::PublicKeyBytes);
    if (reader.ok() && bytes.front() != KeyShape::PublicKeyType) {
        reader.fail(ApiError::badRequest(
            QStringLiteral("Field '%1' must be a serialized public key (first byte 0x05).")
                .arg(reader.name(key))));
        return {};
    }
    return bytes;
}

} // namespace

Result<DeviceKeys> readDeviceKeys(const QJsonObject &object, const QString &context)
{
    JsonReader reader(object, context);
    DeviceKeys keys;
    if (reader.has(QStringLiteral("identityKey"))) {
        keys.identityKey = readPublicKey(reader, QStringLiteral("identityKey"));
    }
    keys.registrationId = static_cast<int>(reader.optionalInteger(
        QStringLiteral("registrationId"), 1, KeyShape::MaxRegistrationId, 0));
    if (reader.ok() && reader.has(QStringLiteral("signedPreKey"))) {
        const QJsonObject signedObject = reader.object(QStringLiteral("signedPreKey"));
        if (!reader.ok()) {
            return reader.error();
        }
        JsonReader item(signedObject, reader.name(QStringLiteral("signedPreKey")));
        SignedPreKey signedPreKey;
        signedPreKey.id = item.integer(QStringLiteral("id"), 1, KeyShape::MaxKeyId);
        signedPreKey.publicKey = readPublicKey(item, QStringLiteral("publicKey"));
        signedPreKey.signature =
            item.fixedBase64(QStringLiteral("signature"), KeyShape::SignatureBytes);
        if (!item.ok()) {
            return item.error();
        }
        keys.signedPreKey = std::move(signedPreKey);
    }
    if (reader.ok() && reader.has(QStringLiteral("preKeys"))) {
        const QString arrayName = reader.name(QStringLiteral("preKeys"));
        const QJsonArray preKeys =
            reader.array(QStringLiteral("preKeys"), std::numeric_limits<qsizetype>::max());
        if (!reader.ok()) {
            return reader.error();
        }
        if (preKeys.size() > KeyShape::MaxPreKeysPerRequest) {
            return ApiError::badRequest(
                QStringLiteral("Field '%1' has more than %2 entries; publish at most %2 "
                               "prekeys per request.")
                    .arg(arrayName)
                    .arg(KeyShape::MaxPreKeysPerRequest));
        }
        QSet<qint64> ids;
        keys.preKeys.reserve(preKeys.size());
        for (qsizetype i = 0; i < preKeys.size(); ++i) {
            const QString entryName = QStringLiteral("%1[%2]").arg(arrayName).arg(i);
            if (!preKeys[i].isObject()) {
                return ApiError::badRequest(
                    QStringLiteral("Field '%1' must be an object.").arg(entryName));
            }
            JsonReader item(preKeys[i].toObject(), entryName);
            PreKey preKey;
            preKey.id = item.integer(QStringLiteral("id"), 1, KeyShape::MaxKeyId);
            preKey.publicKey = readPublicKey(item, QStringLiteral("publicKey"));
            if (!item.ok()) {
                return item.error();
            }
            if (ids.contains(preKey.id)) {
                return ApiError::badRequest(
                    QStringLiteral("Field '%1.id': prekey id %2 appears twice in %3.")
                        .arg(entryName)
                        .arg(preKey.id)
                        .arg(arrayName));
            }
            ids.insert(preKey.id);
            keys.preKeys.append(std::move(preKey));
        }
    }
    if (!reader.ok()) {
        return reader.error();
    }
    return keys;
}

QJsonObject keyBundleJson(const KeyBundle &bundle)
{
    QJsonObject json{
        {QStringLiteral("id"), bundle.deviceId},
        {QStringLiteral("registrationId"), bundle.registrationId},
        {QStringLiteral("identityKey"), toBase64(bundle.identityKey)},
        {QStringLiteral("signedPreKey"),
         QJsonObject{{QStringLiteral("id"), bundle.signedPreKey.id},
                     {QStringLiteral("publicKey"), toBase64(bundle.signedPreKey.publicKey)},
                     {QStringLiteral("signature"), toBase64(bundle.signedPreKey.signature)}}}};
    if (bundle.preKey) {
        json.insert(QStringLiteral("preKey"),
                    QJsonObject{{QStringLiteral("id"), bundle.preKey->id},
                                {QStringLiteral("publicKey"), toBase64(bundle.preKey->publicKey)}});
    }
    return json;
}

} // namespace Tincan::Server
