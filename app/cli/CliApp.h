#pragma once

#include "app/core/ClientCore.h"

#include <QStringList>

#include <functional>

#include <memory>
#include <optional>

namespace Tincan::Cli {

//! tincan-cli's commands on top of ClientCore. Exit codes: 0 success, 1 usage or local error,
//! 2 the server refused, 3 the server could not be reached, timed out, or showed another TLS
//! certificate than the pinned one, 4 `listen` ended before --count messages arrived.
class CliApp
{
public:
    enum ExitCode { Ok = 0, Usage = 1, Refused = 2, Unreachable = 3, Incomplete = 4 };

    int run(const QStringList &arguments);

private:
    int registerOrLogin(bool create, const QStringList &args);
    int whoami();
    int devices(bool json);
    int link(const QString &history, bool yes, int timeoutSeconds);
    int linkDevice(const QStringList &args, bool waitHistory, int timeoutSeconds);
    int revokeDevice(const QStringList &args);
    //! Until message `*id` reached the server (`*stored`) or failed (`*failure`), or a fatal
    //! error: then `done`.
    void followSent(const QString *id, bool *stored, QString *failure,
                    const std::function<void()> &done);
    int send(const QStringList &args);
    int flush();
    int sendFile(const QStringList &args, const QString &caption, int timeoutSeconds);
    int fetchMedia(const QStringList &args, int index, int timeoutSeconds);
    void showProgress(const QString &label, qint64 done, qint64 total, qint64 rate);
    //! Shows the progress of transfer `*id` (null: of every transfer) under `label`.
    void followProgress(const QString &label, const QString *id);
    //! The exit of send-file and fetch-media: prints what happened, returns the exit code.
    int transferExit(const QString &id, const QString &startError, bool finished, bool ok,
                     const QString &failure, const QString &timeoutText, const QString &result);
    int listen(bool json, int count, int timeoutSeconds);
    int history(const QStringList &args, bool json, int limit);
    int trust(const QString &command, const QStringList &args, bool json);
    int group(const QString &command, const QStringList &args, bool json);
    int presence(const QStringList &args, bool json);
    int privacy(const QString &presenceSetting, const QString &receiptsSetting);
    int markRead(const QStringList &args);
    int receipts(const QStringList &args, bool json);
    int typing(const QStringList &args);
    static std::optional<QString> readPassphrase(bool creating, const QString &reason);

    //! Runs the event loop until `done` is called or `timeoutMs` passes (then returns false).
    bool wait(const std::function<void(std::function<void()>)> &start, int timeoutMs);
    //! One API call, waited for; status 0 (unreachable) when it does not finish in time.
    Client::ApiResult callApi(const std::function<void(Client::ApiCallback)> &call);
    int reportApiError(const Client::ApiResult &result);
    //! After the pin refused the server's certificate: prints why, returns Unreachable.
    int reportCertificateError();
    QString readPassword();

    std::unique_ptr<Client::ClientCore> m_core;
    bool m_passwordStdin = false;
    QString m_deviceName;
    QString m_invite;
    QString m_certificateError; //!< Set when the pin refused the server's certificate.
    int m_lastPercent = -1;     //!< Of the progress line shown last; -1: none yet.
    int m_timeoutSeconds = 30;
};

} // namespace Tincan::Cli
