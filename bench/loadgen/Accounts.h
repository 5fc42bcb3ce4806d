#pragma once

#include "bench/loadgen/Endpoint.h"

#include <QList>
#include <QString>
#include <QUrl>

namespace Tincan::Bench {

struct Account
{
    QString username;
    qint64 userId = 0;
    qint64 deviceId = 0;
    QByteArray token;
};

//! Creates accounts and devices over the real HTTP API, `parallel` requests at a time.
//! Main thread. Returns an empty list (with `error`) on failure.
QList<Account> registerAccounts(const Endpoint &server, const QStringList &usernames, int parallel,
                                QString *error);
//! Signs `count` new devices of one account in.
QList<Account> loginDevices(const Endpoint &server, const QString &username, int count,
                            int parallel, QString *error);

} // namespace Tincan::Bench
