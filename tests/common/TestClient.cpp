#include "tests/common/TestClient.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QTimer>
#include <QtTest>

namespace Tincan::Test {

Client::ApiResult waitFor(const std::function<void(Client::ApiCallback)> &call, int timeoutMs)
{
    // Shared with the callback: an answer that comes after the timeout lands here harmlessly
    // instead of in a stack frame that is gone.
    struct State
    {
        Client::ApiResult result;
        bool done = false;
        QEventLoop *loop = nullptr;
    };
    auto state = std::make_shared<State>();
    state->result.status = -1;
    QEventLoop loop;
    state->loop = &loop;
    call([state](const Client::ApiResult &r) {
        if (!state->loop) {
            return; // Timed out already.
        }
        state->result = r;
        state->done = true;
        state->loop->quit();
    });
    if (!state->done) {
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        loop.exec();
    }
    state->loop = nullptr;
    return state->result;
}

TestClient::TestClient(const QUrl &server, const QString &profileDir)
    : m_profileDir(profileDir.isEmpty() ? m_tempDir.path() + QStringLiteral("/profile")
                                        : profileDir)
    , m_server(server)
{
    reopen();
    QString error;
    if (!m_core->setServerUrl(server, &error)) {
        qFatal("cannot set the server URL: %s", qPrintable(error));
    }
}

void TestClient::reopen()
{
    m_core.reset();
    m_core = std::make_unique<Client::ClientCore>(m_profileDir);
    QString error;
    if (!m_core->open(&error)) {
        qFatal("cannot open the profile: %s", qPrintable(error));
    }
    m_core->setRetryDelays(50, 500);
}

bool TestClient::registerAccount(const QString &username, const QString &password)
{
    const auto result = waitFor([&](Client::ApiCallback done) {
        m_core->registerAccount(username, password, QStringLiteral("test device"), {}, done);
    });
    if (!result.ok()) {
        qWarning("register %s failed: %d %s", qPrintable(username), result.status,
                 qPrintable(result.error.message));
    }
    return result.ok();
}

bool TestClient::login(const QString &username, const QString &password, const QString &deviceName)
{
    const auto result = waitFor(
        [&](Client::ApiCallback done) { m_core->login(username, password, deviceName, done); });
    if (!result.ok()) {
        qWarning("login %s failed: %d %s", qPrintable(username), result.status,
                 qPrintable(result.error.message));
    }
    return result.ok();
}

qint64 TestClient::inboxSize()
{
    const auto result = call("GET", QStringLiteral("/v1/inbox?limit=500"));
    return result.ok() ? result.body.value(QStringLiteral("envelopes")).toArray().size() : -1;
}

QStringList TestClient::sendNumbered(const QString &to, const QString &prefix, int count)
{
    QStringList texts;
    QString error;
    for (int i = 0; i < count; ++i) {
        texts.append(QStringLiteral("%1 %2").arg(prefix).arg(i));
        if (m_core->send(to, texts.last(), &error).isEmpty()) {
            qWarning("send failed: %s", qPrintable(error));
        }
    }
    return texts;
}

Client::ApiResult TestClient::call(const QByteArray &verb, const QString &path,
                                   const QJsonObject *body)
{
    return waitFor([&](Client::ApiCallback done) { m_core->api().call(verb, path, body, done); });
}

} // namespace Tincan::Test

namespace Tincan::Test {

Recorder::Recorder(Client::ClientCore &core)
{
    connect(&core, &Client::ClientCore::messageReceived, this,
            [this](const Client::StoredMessage &m) { received.append(m); });
    connect(&core, &Client::ClientCore::messageStatusChanged, this,
            [this](const QString &id, Client::StoredMessage::Status status, const QString &) {
                if (status == Client::StoredMessage::Status::Sent && !sent.contains(id)) {
                    sent.append(id);
                } else if (status == Client::StoredMessage::Status::Failed) {
                    failed.append(id);
                }
            });
    connect(&core, &Client::ClientCore::synced, this, [this] { ++syncedCount; });
    connect(&core, &Client::ClientCore::connectionStateChanged, this, [this](bool online) {
        if (online) {
            ++connectedCount;
        }
    });
    connect(&core, &Client::ClientCore::fatalError, this,
            [this](const QString &message) { fatalErrors.append(message); });
    connect(&core, &Client::ClientCore::messageRepaired, this,
            [this](const Client::StoredMessage &m) { repaired.append(m); });
    connect(&core, &Client::ClientCore::decryptionFailed, this,
            [this](const QString &user, qint64 device, const QString &) {
                decryptionFailures.append(QStringLiteral("%1.%2").arg(user).arg(device));
            });
    connect(&core, &Client::ClientCore::safetyNumberChanged, this,
            [this](const QString &user, bool wasVerified) {
                safetyNumberChanges.append(wasVerified ? user + QStringLiteral(" (verified)")
                                                       : user);
            });
    connect(&core, &Client::ClientCore::keysPublished, this,
            [this](int count) { keysPublished.append(count); });
}

QStringList Recorder::texts() const
{
    QStringList result;
    for (const auto &m : received) {
        result.append(m.text);
    }
    return result;
}

} // namespace Tincan::Test

namespace Tincan::Test {

bool TwoUsers::start()
{
    if (!server.start()) {
        return false;
    }
    alice = std::make_unique<TestClient>(server.url());
    bob = std::make_unique<TestClient>(server.url());
    return alice->registerAccount(QStringLiteral("alice")) &&
           bob->registerAccount(QStringLiteral("bob"));
}

} // namespace Tincan::Test

namespace Tincan::Test {

TestDevice TestDevice::fresh(const QUrl &server)
{
    TestDevice device;
    device.client = std::make_unique<TestClient>(server);
    device.core().stream().setBackoff(50, 1000);
    device.recorder = std::make_unique<Recorder>(device.core());
    return device;
}

TestDevice TestDevice::signedIn(const QUrl &server, const QString &user, bool registerUser)
{
    TestDevice device = fresh(server);
    const bool ok =
        registerUser ? device.client->registerAccount(user) : device.client->login(user);
    if (!ok) {
        qFatal("cannot sign %s in", qPrintable(user));
    }
    device.core().connectToServer();
    return device;
}

} // namespace Tincan::Test
