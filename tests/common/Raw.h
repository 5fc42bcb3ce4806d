#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

class QNetworkAccessManager;

namespace Tincan::Test {

class TestServer;

//! The answer to a raw HTTP request.
struct RawReply
{
    int status = 0; //!< 0: no HTTP answer within the timeout.
    QJsonObject body;
    QByteArray retryAfter;
};

//! One HTTP request to the test daemon (HTTPS, trusting its certificate as a pinned client
//! would), with an optional bearer token; waits up to 30 s. `path` may carry a query.
RawReply rawRequest(QNetworkAccessManager &network, const TestServer &server,
                    const QByteArray &method, const QString &path, const QByteArray &body = {},
                    const QByteArray &token = {});

//! What a finished process printed.
struct ProcessRun
{
    int exitCode = -1; //!< -1: it crashed or did not finish within 60 s.
    QString out;
    QString err;
};

ProcessRun
runProcess(const QString &program, const QStringList &args, const QByteArray &input = {},
           const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());

} // namespace Tincan::Test
