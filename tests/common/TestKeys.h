#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace Tincan::Test {

class TestClient;

// Well-formed fake Signal-protocol keys, for tests against the server's key directory (the
// server checks shapes, never the curve math).

//! Base64 of a serialized public key: 0x05, then 32 random bytes.
QString fakePublicKey();
//! Base64 of 64 random bytes.
QString fakeSignature();
//! {"id", "publicKey", "signature"}.
QJsonObject fakeSignedPreKey(qint64 id);
//! `count` one-time prekeys {"id", "publicKey"} with ids from `firstId`.
QJsonArray fakePreKeys(qint64 firstId, int count);
//! A complete first publication: identityKey, registrationId, signedPreKey (id 1) and `preKeys`
//! one-time prekeys numbered from 1.
QJsonObject fakeDeviceKeys(int preKeys);
//! Publishes fake keys for the client's device unless it already has keys, so that it can
//! receive messages (only devices with keys can).
bool ensureKeys(TestClient &client);

} // namespace Tincan::Test
