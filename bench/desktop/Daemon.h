#pragma once

#include "app/core/ApiClient.h"

#include <QProcess>
#include <QString>
#include <QUrl>

#include <functional>

namespace Tincan::Client {
class ClientCore;
}

namespace Tincan::Bench {

//! A tincand child process for the desktop benchmark's tools: 127.0.0.1 on a free port, TLS
//! with the self-signed certificate it makes on first start, cheap password hashing and no
//! sign-in rate limits (the tools register dozens of accounts from one address). Stopped
//! (SIGTERM) when destroyed.
class Daemon
{
public:
    Daemon() = default;
    ~Daemon();
    Daemon(const Daemon &) = delete;
    Daemon &operator=(const Daemon &) = delete;

    //! Starts `binary` with its data in `dataDirectory` and waits until it listens.
    bool start(const QString &binary, const QString &dataDirectory, QString *error);
    //! https://127.0.0.1:PORT
    QUrl url() const { return m_url; }
    //! The certificate's SHA-256 fingerprint as the daemon printed it ("AB:CD:...").
    QString fingerprint() const { return m_fingerprint; }

private:
    QProcess m_process;
    QUrl m_url;
    QString m_fingerprint;
};

//! Runs the event loop until `call` answers (status -1 after `timeoutMs`).
Client::ApiResult waitForApi(const std::function<void(Client::ApiCallback)> &call,
                             int timeoutMs = 30000);
//! Runs the event loop until `condition` holds; false after `timeoutMs`.
bool waitUntil(const std::function<bool()> &condition, int timeoutMs = 30000);

//! Points a fresh core at the server (certificate pinned) and creates `user` with this device.
bool signUp(Client::ClientCore &core, const QUrl &server, const QString &fingerprint,
            const QString &user, QString *error);

} // namespace Tincan::Bench
