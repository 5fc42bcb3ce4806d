#include "tests/common/Raw.h"

#include "tests/common/TestServer.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QSignalSpy>

namespace Tincan::Test {

RawReply rawRequest(QNetworkAccessManager &network, const TestServer &server,
                    const QByteArray &method, const QString &path, const QByteArray &body,
                    const QByteArray &token)
{
    QUrl url = server.url();
    const qsizetype query = path.indexOf(QLatin1Char('?'));
    url.setPath(query < 0 ? path : path.left(query));
    if (query >= 0) {
        url.setQuery(path.mid(query + 1));
    }
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (!token.isEmpty()) {
        request.setRawHeader(QByteArrayLiteral("Authorization"), "Bearer " + token);
    }
    QNetworkReply *reply = network.sendCustomRequest(request, method, body);
    server.trust(reply);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished()) {
        finished.wait(30000);
    }
    RawReply result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = QJsonDocument::fromJson(reply->readAll()).object();
    result.retryAfter = reply->rawHeader(QByteArrayLiteral("Retry-After"));
    reply->deleteLater();
    return result;
}

ProcessRun runProcess(const QString &program, const QStringList &args, const QByteArray &input,
                      const QProcessEnvironment &environment)
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(program, args);
    process.write(input);
    process.closeWriteChannel();
    ProcessRun run;
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished();
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

} // namespace Tincan::Test
