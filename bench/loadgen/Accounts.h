#pragma once

#include "bench/loadgen/Endpoint.h"

#include <QJsonObject>
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
    QString cryptoPath; //!< The device's Signal protocol state (E2EE runs), see E2ee.h.
};

//! Creates accounts and devices over the real HTTP API, `parallel` requests at a time.
//! Main thread. Returns an empty list (with `error`) on failure.
//! `keys`, when given, holds each account's device keys (see PUT /v1/keys).
QList<Account> registerAccounts(const Endpoint &server, const QStringList &usernames, int parallel,
                                QString *error, const QList<QJsonObject> &keys = {});
//! Signs `count` new devices of one account in.
QList<Account> loginDevices(const Endpoint &server, const QString &username, int count,
                            int parallel, QString *error);

} // namespace Tincan::Bench
