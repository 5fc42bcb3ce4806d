#pragma once

#include "server/store/Stores.h"

#include <QJsonObject>
#include <QString>

namespace Tincan::Server {

//! The shapes of published keys (libsignal-protocol-c's serialized forms).
namespace KeyShape {
inline constexpr qsizetype PublicKeyBytes = 33; //!< Type byte + 32-byte Curve25519 key.
inline constexpr char PublicKeyType = 0x05;     //!< libsignal's DJB key type.
inline constexpr qsizetype SignatureBytes = 64;
inline constexpr qint64 MaxKeyId = 16777215; //!< Prekey ids are 24-bit, 0 unused.
inline constexpr qint64 MaxRegistrationId = 16380;
inline constexpr qsizetype MaxPreKeysPerRequest = 200;
} // namespace KeyShape

//! Reads published keys: the body of PUT /v1/keys, or the `keys` member at sign-up and sign-in
//! (`context` "keys" prefixes the field names in messages). Every member is optional; a present
//! one must have its exact shape, otherwise a 400 names the field.
Protocol::Result<DeviceKeys> readDeviceKeys(const QJsonObject &object, const QString &context = {});

//! One device's bundle as GET /v1/users/{username}/keys shows it.
QJsonObject keyBundleJson(const KeyBundle &bundle);

} // namespace Tincan::Server
