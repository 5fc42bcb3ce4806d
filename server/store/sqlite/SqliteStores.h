#pragma once

#include "server/store/Stores.h"
#include "server/store/sqlite/SqliteBackend.h"

#include <memory>

namespace Tincan::Server {

//! The embedded (SQLite) implementations of the store interfaces, sharing one SqliteBackend.
class SqliteUserStore final : public UserStore
{
public:
    explicit SqliteUserStore(SqliteBackend &backend)
        : m_backend(backend)
    {}
    std::optional<User> userByName(const QString &username) override;
    QStringList findUsers(const QString &prefix, int limit) override;
    QList<Peer> peersOf(qint64 userId) override;
    bool showsPresence(qint64 userId) override;
    qint64 lastSeen(qint64 userId) override;
    void setShowsPresence(qint64 userId, bool show, Done<bool> done) override;
    bool sendsReadReceipts(qint64 userId) override;
    void setSendsReadReceipts(qint64 userId, bool send, Done<bool> done) override;
    void createUser(const QString &username, const QString &passwordHash,
                    const QByteArray &inviteCodeHash, const std::optional<FirstDevice> &firstDevice,
                    Done<NewAccount> done) override;
    void createInvite(const QByteArray &codeHash, qint64 expiresAt, Done<bool> done) override;

private:
    SqliteBackend &m_backend;
};

class SqliteDeviceStore final : public DeviceStore
{
public:
    explicit SqliteDeviceStore(SqliteBackend &backend)
        : m_backend(backend)
    {}
    std::optional<AuthContext> authenticate(const QByteArray &tokenHash) override;
    QList<Device> devicesOf(qint64 userId) override;
    void createDevice(qint64 userId, const QString &name, const QString &platform,
                      const QByteArray &tokenHash, qint64 maxDevices,
                      const std::optional<DeviceKeys> &keys, Done<Device> done) override;
    void revokeDevice(qint64 userId, qint64 deviceId, Done<bool> done) override;
    void touch(qint64 deviceId, qint64 atMs, Done<bool> done) override;

private:
    SqliteBackend &m_backend;
};

class SqliteKeyStore final : public KeyStore
{
public:
    explicit SqliteKeyStore(SqliteBackend &backend)
        : m_backend(backend)
    {}
    void publishKeys(qint64 deviceId, DeviceKeys keys, Done<qint64> done) override;
    KeyStatus keyStatus(qint64 deviceId) override;
    void takeBundles(qint64 userId, QList<qint64> onlyDevices,
                     Done<QList<KeyBundle>> done) override;

private:
    SqliteBackend &m_backend;
};

class SqliteMessageStore final : public MessageStore
{
public:
    explicit SqliteMessageStore(SqliteBackend &backend);
    ~SqliteMessageStore() override;
    void storeMessage(NewMessage message, Done<StoredMessage> done) override;
    std::optional<Protocol::SendReceipt> findStored(qint64 senderUserId,
                                                    const QString &clientMessageId) override;
    QList<Protocol::Envelope> pending(qint64 deviceId, InboxPosition after, qint64 limit) override;
    void acknowledge(qint64 deviceId, QList<qint64> messageIds, Done<qint64> done) override;
    void acknowledgePushed(qint64 deviceId, QList<PushedEnvelope> envelopes,
                           Done<qint64> done) override;
    void purgeBefore(qint64 cutoffMs, Done<qint64> done) override;
    void releaseThreadResources() override { m_backend.releaseThreadConnection(); }

private:
    struct Acks; //!< ACKs of all devices, applied together (WriteCoalescer).
    SqliteBackend &m_backend;
    std::unique_ptr<Acks> m_acks;
};

} // namespace Tincan::Server
