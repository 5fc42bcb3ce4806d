#include "app/core/Keychain.h"

#include <qt6keychain/keychain.h>

#include <QCoreApplication>
#include <QEventLoop>
#include <QSemaphore>
#include <QThread>
#include <QTimer>

#include <functional>
#include <memory>

namespace Tincan::Client {

namespace {

//! What a job produced, shared between the thread that runs it and the one that waits.
struct Outcome
{
    Keychain::Result result;
    QSemaphore done;
    QEventLoop *loop = nullptr; //!< Waiting on the job's own thread, if any.
};

//! Starts `makeJob()` on the calling thread; `outcome` is filled and released when it ends.
//! Jobs delete themselves (QtKeychain's executor still refers to a job after `finished`).
void startJob(const std::function<QKeychain::Job *()> &makeJob, std::shared_ptr<Outcome> outcome)
{
    QKeychain::Job *job = makeJob();
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    QObject::connect(job, &QKeychain::Job::finished, job, [outcome](QKeychain::Job *finished) {
        Keychain::Result &result = outcome->result;
        result.ok = finished->error() == QKeychain::NoError;
        result.notFound = finished->error() == QKeychain::EntryNotFound;
        if (!result.ok) {
            result.error = QStringLiteral("The keychain refused (%1): %2")
                               .arg(static_cast<int>(finished->error()))
                               .arg(finished->errorString());
        }
        if (auto *read = qobject_cast<QKeychain::ReadPasswordJob *>(finished); read && result.ok) {
            result.secret = read->binaryData();
        }
        outcome->done.release();
        if (outcome->loop) {
            outcome->loop->quit();
        }
    });
    job->start();
}

Keychain::Result run(const std::function<QKeychain::Job *()> &makeJob, int timeoutMs)
{
    auto outcome = std::make_shared<Outcome>();
    QCoreApplication *app = QCoreApplication::instance();
    if (app && QThread::currentThread() != app->thread()) {
        // QtKeychain's job executor and the Secret Service callbacks belong to the main thread:
        // a client core on its own thread has its jobs run there and waits for them.
        QMetaObject::invokeMethod(
            app, [makeJob, outcome] { startJob(makeJob, outcome); }, Qt::QueuedConnection);
        if (!outcome->done.tryAcquire(1, timeoutMs)) {
            Keychain::Result late;
            late.error =
                QStringLiteral("The keychain did not answer within %1 s.").arg(timeoutMs / 1000);
            return late;
        }
        return outcome->result;
    }
    QEventLoop loop;
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    outcome->loop = &loop;
    startJob(makeJob, outcome);
    if (outcome->done.available() == 0) {
        timeout.start(timeoutMs);
        loop.exec();
    }
    outcome->loop = nullptr; // A job finishing after the timeout must not touch the loop.
    if (!outcome->done.tryAcquire(1)) {
        Keychain::Result late;
        late.error =
            QStringLiteral("The keychain did not answer within %1 s.").arg(timeoutMs / 1000);
        return late;
    }
    return outcome->result;
}

} // namespace

Keychain::Result Keychain::read(const QString &key, int timeoutMs)
{
    return run(
        [key] {
            auto *job = new QKeychain::ReadPasswordJob(QLatin1String(Service));
            job->setKey(key);
            return job;
        },
        timeoutMs);
}

Keychain::Result Keychain::write(const QString &key, const QByteArray &secret, int timeoutMs)
{
    return run(
        [key, secret] {
            auto *job = new QKeychain::WritePasswordJob(QLatin1String(Service));
            job->setKey(key);
            job->setBinaryData(secret);
            return job;
        },
        timeoutMs);
}

Keychain::Result Keychain::remove(const QString &key, int timeoutMs)
{
    return run(
        [key] {
            auto *job = new QKeychain::DeletePasswordJob(QLatin1String(Service));
            job->setKey(key);
            return job;
        },
        timeoutMs);
}

} // namespace Tincan::Client
