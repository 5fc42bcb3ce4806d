#include "bench/loadgen/Accounts.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>

#include <functional>

namespace Tincan::Bench {

namespace {
const QString Password = QStringLiteral("benchmark password");

QList<Account> run(const Endpoint &server, int total, int parallel, const QString &path,
                   const std::function<QJsonObject(int)> &body, QString *error)
{
    QNetworkAccessManager network;
    QList<Account> accounts(total);
    int next = 0;
    int finished = 0;
    int inFlight = 0;
    QEventLoop loop;
    std::function<void()> pump = [&] {
        while (inFlight < parallel && next < total) {
            const int index = next++;
            QUrl url = server.url;
            url.setPath(path);
            QNetworkRequest request(url);
            request.setHeader(QNetworkRequest::ContentTypeHeader,
                              QByteArrayLiteral("application/json"));
            QNetworkReply *reply =
                network.post(request, QJsonDocument(body(index)).toJson(QJsonDocument::Compact));
            server.accept(reply);
            ++inFlight;
            QObject::connect(reply, &QNetworkReply::finished, &loop, [&, reply, index] {
                reply->deleteLater();
                --inFlight;
                ++finished;
                const QJsonObject answer = QJsonDocument::fromJson(reply->readAll()).object();
                if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 201) {
                    if (error->isEmpty()) {
                        *error = QStringLiteral("%1 failed: %2 %3")
                                     .arg(path, reply->errorString(),
                                          answer.value(QStringLiteral("message")).toString());
                    }
                } else {
                    accounts[index] = {answer.value(QStringLiteral("username")).toString(),
                                       answer.value(QStringLiteral("userId")).toInteger(),
                                       answer.value(QStringLiteral("deviceId")).toInteger(),
                                       answer.value(QStringLiteral("token")).toString().toLatin1(),
                                       {}};
                }
                if (finished == total) {
                    loop.quit();
                } else {
                    pump();
                }
            });
        }
    };
    pump();
    if (total > 0) {
        loop.exec();
    }
    return error->isEmpty() ? accounts : QList<Account>();
}
} // namespace

QList<Account> registerAccounts(const Endpoint &server, const QStringList &usernames, int parallel,
                                QString *error, const QList<QJsonObject> &keys)
{
    return run(
        server, static_cast<int>(usernames.size()), parallel, QStringLiteral("/v1/accounts"),
        [&](int i) {
            QJsonObject body{{QStringLiteral("username"), usernames[i]},
                             {QStringLiteral("password"), Password},
                             {QStringLiteral("deviceName"), QStringLiteral("loadgen")}};
            if (i < keys.size()) {
                body.insert(QStringLiteral("keys"), keys[i]);
            }
            return body;
        },
        error);
}

QList<Account> loginDevices(const Endpoint &server, const QString &username, int count,
                            int parallel, QString *error)
{
    return run(
        server, count, parallel, QStringLiteral("/v1/sessions"),
        [&](int i) {
            return QJsonObject{{QStringLiteral("username"), username},
                               {QStringLiteral("password"), Password},
                               {QStringLiteral("deviceName"), QStringLiteral("idle %1").arg(i)}};
        },
        error);
}

} // namespace Tincan::Bench
