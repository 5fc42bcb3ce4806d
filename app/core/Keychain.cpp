#include "app/core/Keychain.h"

#include <qt6keychain/keychain.h>

#include <QEventLoop>
#include <QTimer>

namespace Tincan::Client {

namespace {

Keychain::Result run(QKeychain::Job *job, int timeoutMs)
{
    job->setAutoDelete(false);
    job->setInsecureFallback(false);
    QEventLoop loop;
    QTimer timeout;
    timeout.setSingleShot(true);
    bool timedOut = false;
    QObject::connect(job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    QObject::connect(&timeout, &QTimer::timeout, &loop, [&loop, &timedOut] {
        timedOut = true;
        loop.quit();
    });
    timeout.start(timeoutMs);
    job->start();
    loop.exec();
    Keychain::Result result;
    if (timedOut) {
        result.error =
            QStringLiteral("The keychain did not answer within %1 s.").arg(timeoutMs / 1000);
        job->deleteLater(); // It may still finish; it must not outlive the event loop.
        return result;
    }
    result.ok = job->error() == QKeychain::NoError;
    result.notFound = job->error() == QKeychain::EntryNotFound;
    if (!result.ok) {
        result.error = QStringLiteral("The keychain refused (%1): %2")
                           .arg(static_cast<int>(job->error()))
                           .arg(job->errorString());
    }
    if (auto *read = qobject_cast<QKeychain::ReadPasswordJob *>(job); read && result.ok) {
        result.secret = read->binaryData();
    }
    delete job;
    return result;
}

} // namespace

Keychain::Result Keychain::read(const QString &key, int timeoutMs)
{
    auto *job = new QKeychain::ReadPasswordJob(QLatin1String(Service));
    job->setKey(key);
    return run(job, timeoutMs);
}

Keychain::Result Keychain::write(const QString &key, const QByteArray &secret, int timeoutMs)
{
    auto *job = new QKeychain::WritePasswordJob(QLatin1String(Service));
    job->setKey(key);
    job->setBinaryData(secret);
    return run(job, timeoutMs);
}

Keychain::Result Keychain::remove(const QString &key, int timeoutMs)
{
    auto *job = new QKeychain::DeletePasswordJob(QLatin1String(Service));
    job->setKey(key);
    return run(job, timeoutMs);
}

} // namespace Tincan::Client
