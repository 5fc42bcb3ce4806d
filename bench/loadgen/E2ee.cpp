#include "bench/loadgen/E2ee.h"

#include "shared/storage/Migrations.h"

#include <QJsonArray>

namespace Tincan::Bench {

BenchDevice::BenchDevice(QString path)
    : m_path(std::move(path))
{}

BenchDevice::~BenchDevice()
{
    m_crypto.reset(); // Before the connection it uses.
}

bool BenchDevice::open(QString *error)
{
    if (!m_connection.open({m_path, QStringLiteral("OFF"), false, 5000})) {
        *error = m_connection.lastError();
        return false;
    }
    Storage::Migrations migrations({{1, Crypto::SignalStore::schema()}});
    if (!migrations.apply(m_connection.database())) {
        *error = migrations.lastError();
        return false;
    }
    m_crypto = std::make_unique<Crypto::DeviceCrypto>(m_connection.database());
    return m_crypto->init(error);
}

QJsonObject BenchDevice::createKeys(QString *error)
{
    if (!m_crypto->createIdentity(error)) {
        return {};
    }
    m_preKeys = m_crypto->generatePreKeys(2, error);
    const auto spk = m_crypto->currentSignedPreKey();
    if (m_preKeys.isEmpty() || !spk) {
        return {};
    }
    QJsonArray preKeys;
    for (const auto &key : std::as_const(m_preKeys)) {
        preKeys.append(QJsonObject{
            {QStringLiteral("id"), static_cast<qint64>(key.id)},
            {QStringLiteral("publicKey"), QString::fromLatin1(key.publicKey.toBase64())}});
    }
    return {{QStringLiteral("identityKey"),
             QString::fromLatin1(m_crypto->identityPublicKey().toBase64())},
            {QStringLiteral("registrationId"), static_cast<qint64>(m_crypto->registrationId())},
            {QStringLiteral("signedPreKey"),
             QJsonObject{
                 {QStringLiteral("id"), static_cast<qint64>(spk->id)},
                 {QStringLiteral("publicKey"), QString::fromLatin1(spk->publicKey.toBase64())},
                 {QStringLiteral("signature"), QString::fromLatin1(spk->signature.toBase64())}}},
            {QStringLiteral("preKeys"), preKeys}};
}

Crypto::PreKeyBundle BenchDevice::bundle(int deviceId)
{
    Crypto::PreKeyBundle bundle;
    bundle.deviceId = deviceId;
    bundle.registrationId = m_crypto->registrationId();
    bundle.identityKey = m_crypto->identityPublicKey();
    bundle.signedPreKey = *m_crypto->currentSignedPreKey();
    if (!m_preKeys.isEmpty()) {
        bundle.preKey = m_preKeys.takeFirst();
    }
    return bundle;
}

bool establishSession(BenchDevice &sender, const Account &senderAccount, BenchDevice &recipient,
                      const Account &recipientAccount, QString *error)
{
    const int senderDevice = static_cast<int>(senderAccount.deviceId);
    const int recipientDevice = static_cast<int>(recipientAccount.deviceId);
    auto built =
        sender.crypto().processBundle(recipientAccount.username, recipient.bundle(recipientDevice));
    if (!built.ok()) {
        *error = built.error.message;
        return false;
    }
    auto hello = sender.crypto().encrypt(recipientAccount.username, recipientDevice, "hello");
    auto opened =
        hello.ok() ? recipient.crypto().decrypt(senderAccount.username, senderDevice, *hello.value)
                   : Crypto::Outcome<Crypto::Decrypted>{};
    auto reply = opened.ok()
                     ? recipient.crypto().encrypt(senderAccount.username, senderDevice, "hi")
                     : Crypto::Outcome<QByteArray>{};
    auto read = reply.ok() ? sender.crypto().decrypt(recipientAccount.username, recipientDevice,
                                                     *reply.value)
                           : Crypto::Outcome<Crypto::Decrypted>{};
    if (!read.ok()) {
        *error = QStringLiteral("cannot establish a session: %1 %2 %3 %4")
                     .arg(hello.error.message, opened.error.message, reply.error.message,
                          read.error.message);
        return false;
    }
    return true;
}

} // namespace Tincan::Bench
