#include "tests/common/TestKeys.h"

#include "tests/common/TestClient.h"

#include <QRandomGenerator>

namespace Tincan::Test {

namespace {
QByteArray randomBytes(int size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (char &byte : bytes) {
        byte = static_cast<char>(QRandomGenerator::global()->bounded(256));
    }
    return bytes;
}
} // namespace

QString fakePublicKey()
{
    return QString::fromLatin1((QByteArray(1, '\x05') + randomBytes(32)).toBase64());
}

QString fakeSignature()
{
    return QString::fromLatin1(randomBytes(64).toBase64());
}

QJsonObject fakeSignedPreKey(qint64 id)
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("publicKey"), fakePublicKey()},
            {QStringLiteral("signature"), fakeSignature()}};
}

QJsonArray fakePreKeys(qint64 firstId, int count)
{
    QJsonArray keys;
    for (int i = 0; i < count; ++i) {
        keys.append(QJsonObject{{QStringLiteral("id"), firstId + i},
                                {QStringLiteral("publicKey"), fakePublicKey()}});
    }
    return keys;
}

QJsonObject fakeDeviceKeys(int preKeys)
{
    return {{QStringLiteral("identityKey"), fakePublicKey()},
            {QStringLiteral("registrationId"), QRandomGenerator::global()->bounded(1, 16381)},
            {QStringLiteral("signedPreKey"), fakeSignedPreKey(1)},
            {QStringLiteral("preKeys"), fakePreKeys(1, preKeys)}};
}

bool ensureKeys(TestClient &client)
{
    const auto status = client.call("GET", QStringLiteral("/v1/keys"));
    if (!status.ok()) {
        qWarning("GET /v1/keys failed: %d %s", status.status, qPrintable(status.error.message));
        return false;
    }
    if (status.body.value(QStringLiteral("hasKeys")).toBool()) {
        return true;
    }
    const QJsonObject keys = fakeDeviceKeys(20);
    const auto published = client.call("PUT", QStringLiteral("/v1/keys"), &keys);
    if (!published.ok()) {
        qWarning("PUT /v1/keys failed: %d %s", published.status,
                 qPrintable(published.error.message));
    }
    return published.ok();
}

} // namespace Tincan::Test
