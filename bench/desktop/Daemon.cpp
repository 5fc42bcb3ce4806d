#include "bench/desktop/Daemon.h"

#include "app/core/ClientCore.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QRegularExpression>
#include <QTimer>

#include <memory>

namespace Tincan::Bench {

Daemon::~Daemon()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(15000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
}

bool Daemon::start(const QString &binary, const QString &dataDirectory, QString *error)
{
    QDir().mkpath(dataDirectory);
    const QString config = dataDirectory + QStringLiteral(".conf");
    QFile file(config);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1").arg(config);
        return false;
    }
    file.write("[auth]\nargon2_memory_kib=1024\nargon2_iterations=1\n"
               "[rate]\nauth_per_minute=100000\nauth_burst=100000\n");
    file.close();
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.start(binary, {QStringLiteral("--config"), config, QStringLiteral("--data-dir"),
                             dataDirectory, QStringLiteral("--listen"),
                             QStringLiteral("127.0.0.1:0"), QStringLiteral("--no-advertise")});
    if (!m_process.waitForStarted(10000)) {
        *error = QStringLiteral("cannot start %1: %2").arg(binary, m_process.errorString());
        return false;
    }
    static const QRegularExpression listening(QStringLiteral("listening on (https?://[^:]+:\\d+)"));
    static const QRegularExpression fingerprint(
        QStringLiteral("certificate SHA-256 fingerprint ([0-9A-F:]+)"));
    QString output;
    QDeadlineTimer deadline(30000);
    while (!deadline.hasExpired() &&
           m_process.waitForReadyRead(static_cast<int>(deadline.remainingTime()))) {
        output += QString::fromUtf8(m_process.readAll());
        const auto match = listening.match(output);
        if (match.hasMatch()) {
            // The fingerprint line comes before the listening line.
            m_url = QUrl(match.captured(1));
            m_fingerprint = fingerprint.match(output).captured(1);
            return true;
        }
    }
    *error = QStringLiteral("tincand did not start: %1").arg(output);
    return false;
}

Client::ApiResult waitForApi(const std::function<void(Client::ApiCallback)> &call, int timeoutMs)
{
    // Shared with the callback: an answer after the timeout lands here, not in a dead frame.
    struct State
    {
        Client::ApiResult result;
        bool done = false;
    };
    auto state = std::make_shared<State>();
    state->result.status = -1;
    call([state](const Client::ApiResult &result) {
        state->result = result;
        state->done = true;
    });
    waitUntil([state] { return state->done; }, timeoutMs);
    return state->result;
}

bool waitUntil(const std::function<bool()> &condition, int timeoutMs)
{
    if (condition()) {
        return true;
    }
    // Events (network replies, queued signals from the core's thread) wake the loop; the timer
    // only bounds how late a condition changed by another thread is noticed.
    QEventLoop loop;
    QTimer tick;
    tick.setInterval(10);
    QDeadlineTimer deadline(timeoutMs);
    bool met = false;
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        met = condition();
        if (met || deadline.hasExpired()) {
            loop.quit();
        }
    });
    tick.start();
    loop.exec();
    return met;
}

bool signUp(Client::ClientCore &core, const QUrl &server, const QString &fingerprint,
            const QString &user, QString *error)
{
    if (!core.setServerUrl(server, error) || !core.pinServerCertificate(fingerprint, error)) {
        return false;
    }
    const Client::ApiResult result = waitForApi([&](Client::ApiCallback done) {
        core.registerAccount(user, QStringLiteral("correct horse battery"),
                             QStringLiteral("desktop"), {}, std::move(done));
    });
    if (!result.ok()) {
        *error = QStringLiteral("registering %1: HTTP %2 %3")
                     .arg(user)
                     .arg(result.status)
                     .arg(result.error.message);
        return false;
    }
    return true;
}

} // namespace Tincan::Bench
