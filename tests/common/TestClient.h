#pragma once

#include "app/core/ClientCore.h"
#include "tests/common/TestServer.h"

#include <QJsonObject>
#include <QTemporaryDir>

#include <map>
#include <memory>

namespace Tincan::Test {

//! Waits for an async API call; returns a result with status -1 on timeout.
Client::ApiResult waitFor(const std::function<void(Client::ApiCallback)> &call,
                          int timeoutMs = 30000);

//! A real client core with its own profile directory, for integration tests.
class TestClient
{
public:
    explicit TestClient(const QUrl &server, const QString &profileDir = {});

    Client::ClientCore &core() { return *m_core; }
    Client::ClientCore *operator->() { return m_core.get(); }
    QString profileDir() const { return m_profileDir; }

    bool registerAccount(const QString &username,
                         const QString &password = QStringLiteral("correct horse"));
    bool login(const QString &username, const QString &password = QStringLiteral("correct horse"),
               const QString &deviceName = QStringLiteral("second device"));
    //! Raw HTTP call with this client's token (or none).
    Client::ApiResult call(const QByteArray &verb, const QString &path,
                           const QJsonObject *body = nullptr);
    //! Envelopes waiting in this device's server inbox (GET /v1/inbox), or -1 on error.
    qint64 inboxSize();
    //! Queues `count` messages "<prefix> 0", "<prefix> 1", ... to `to`; returns their texts.
    QStringList sendNumbered(const QString &to, const QString &prefix, int count);
    //! Re-creates the core from the same profile (as after a restart of the app).
    void reopen();

private:
    QTemporaryDir m_tempDir;
    QString m_profileDir;
    QUrl m_server;
    std::unique_ptr<Client::ClientCore> m_core;
};

} // namespace Tincan::Test

namespace Tincan::Test {

//! Records what a client core reports, for assertions.
class Recorder : public QObject
{
    Q_OBJECT

public:
    explicit Recorder(Client::ClientCore &core);

    QList<Client::StoredMessage> received;
    QStringList sent;   //!< Client message ids that reached status Sent.
    QStringList failed; //!< Client message ids that failed for good.
    int syncedCount = 0;
    int connectedCount = 0;
    QStringList fatalErrors;
    QList<Client::StoredMessage> repaired; //!< Undecryptable messages that became readable.
    QStringList decryptionFailures;        //!< "user.device" of each failure.
    QStringList safetyNumberChanges;       //!< "user" or "user (verified)".
    QList<int> keysPublished;              //!< Pre-key counts the server reported.

    QStringList texts() const;
};

} // namespace Tincan::Test

namespace Tincan::Test {

//! A running tincand with two registered users, "alice" and "bob", each on one device.
struct TwoUsers
{
    explicit TwoUsers(const QString &config = {})
        : server(config)
    {}
    //! Starts the server and registers both users; false (with a warning) if anything failed.
    bool start();

    TestServer server;
    std::unique_ptr<TestClient> alice;
    std::unique_ptr<TestClient> bob;
};

} // namespace Tincan::Test

namespace Tincan::Test {

//! A client core with a recorder, for tests with many users and devices.
struct TestDevice
{
    std::unique_ptr<TestClient> client;
    std::unique_ptr<Recorder> recorder;
    Client::ClientCore &core() { return client->core(); }

    //! A device that is not signed in yet (fast stream reconnects).
    static TestDevice fresh(const QUrl &server);
    //! Registers `user` (or signs a new device of it in) and opens the stream; qFatal on failure.
    static TestDevice signedIn(const QUrl &server, const QString &user, bool registerUser);
};

//! Devices by name ("a1", "b2"...), for tests with several users on one server.
class TestDevices : public std::map<QString, TestDevice>
{
public:
    //! Signs a device in (see TestDevice::signedIn) and keeps it under `key`.
    TestDevice &add(const QUrl &server, const QString &key, const QString &user, bool registerUser)
    {
        return emplace(key, TestDevice::signedIn(server, user, registerUser)).first->second;
    }
};

} // namespace Tincan::Test
