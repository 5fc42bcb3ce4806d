#pragma once

#include "bench/loadgen/Accounts.h"
#include "shared/crypto/DeviceCrypto.h"
#include "shared/storage/Connection.h"

#include <QJsonObject>
#include <QString>

#include <memory>

namespace Tincan::Bench {

//! One simulated device's Signal protocol state in its own SQLite file, like a client's
//! (without SQLCipher: the load generator measures the server and the protocol, not disks).
//! Thread-bound like DeviceCrypto: open, use and destroy it on one thread.
class BenchDevice
{
public:
    explicit BenchDevice(QString path);
    ~BenchDevice();
    bool open(QString *error);
    Crypto::DeviceCrypto &crypto() { return *m_crypto; }
    //! Creates the identity and a few one-time pre-keys; returns the keys for sign-up.
    QJsonObject createKeys(QString *error);
    //! A bundle of this device as the server would serve it.
    Crypto::PreKeyBundle bundle(int deviceId);

private:
    QString m_path;
    Tincan::Storage::Connection m_connection;
    std::unique_ptr<Crypto::DeviceCrypto> m_crypto;
    QList<Crypto::PublicPreKey> m_preKeys;
};

//! Starts a session between a sender and a recipient and exchanges one message each way, so
//! that the measured messages are normal (not pre-key) Signal messages, as in a conversation.
bool establishSession(BenchDevice &sender, const Account &senderAccount, BenchDevice &recipient,
                      const Account &recipientAccount, QString *error);

} // namespace Tincan::Bench
