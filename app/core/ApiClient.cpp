#include "app/core/ApiClient.h"

#include "app/core/CertificatePin.h"
#include "app/core/Logging.h"

#include <QJsonDocument>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSysInfo>

#include <memory>

namespace Tincan::Client {

namespace {
constexpr int TransferTimeoutMs = 30000;
}

ApiClient::ApiClient(QObject *parent)
    : QObject(parent)
{}

void ApiClient::resetConnections()
{
    m_network.clearConnectionCache();
}

QUrl ApiClient::streamUrl() const
{
    QUrl url = m_base;
    url.setScheme(m_base.scheme() == QLatin1String("https") ? QStringLiteral("wss")
                                                            : QStringLiteral("ws"));
    url.setPath(QStringLiteral("/v1/stream"));
    return url;
}

void ApiClient::call(const QByteArray &verb, const QString &path, const QJsonObject *body,
                     ApiCallback done)
{
    QUrl url = m_base;
    const qsizetype queryStart = path.indexOf(QLatin1Char('?'));
    url.setPath(queryStart < 0 ? path : path.left(queryStart));
    if (queryStart >= 0) {
        url.setQuery(path.mid(queryStart + 1));
    }
    QNetworkRequest request(url);
    request.setTransferTimeout(TransferTimeoutMs);
    const bool pinned = m_pin && url.scheme() == QLatin1String("https");
    if (pinned) {
        request.setSslConfiguration(CertificatePin::clientConfiguration());
    }
    if (!m_token.isEmpty()) {
        request.setRawHeader(QByteArrayLiteral("Authorization"), "Bearer " + m_token);
    }
    QByteArray data;
    if (body) {
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        data = QJsonDocument(*body).toJson(QJsonDocument::Compact);
    }
    QNetworkReply *reply = m_network.sendCustomRequest(request, verb, data);
    // Filled by the pin when the server shows another certificate: the request was not sent.
    auto pinError = std::make_shared<QString>();
    if (pinned) {
        m_pin->guard(reply, pinError.get());
    }
    connect(reply, &QNetworkReply::finished, this, [reply, pinError, done = std::move(done)] {
        reply->deleteLater();
        ApiResult result;
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray bytes = reply->readAll();
        if (!pinError->isEmpty()) {
            result.status = 0;
            result.error.code = QString::fromLatin1(ClientErrorCode::CertificateChanged);
            result.error.message = *pinError;
        } else if (result.status == 0) {
            result.error.code = QString::fromLatin1(ClientErrorCode::Network);
            result.error.message = reply->errorString();
            qCInfo(lcNet) << "request failed:" << reply->errorString();
        } else if (!result.ok()) {
            result.error = Protocol::ApiError::fromJson(result.status, bytes);
            if (result.error.message.isEmpty()) {
                result.error.message =
                    QStringLiteral("The server answered HTTP %1.").arg(result.status);
            }
            result.retryAfterSeconds = reply->rawHeader(QByteArrayLiteral("Retry-After")).toInt();
        } else {
            result.body = QJsonDocument::fromJson(bytes).object();
        }
        done(result);
    });
}

QNetworkReply *ApiClient::transfer(const QByteArray &verb, const QString &url,
                                   const QList<QPair<QByteArray, QByteArray>> &headers,
                                   QIODevice *body, std::shared_ptr<QString> pinError)
{
    const QUrl target = m_base.resolved(QUrl(url));
    QNetworkRequest request(target);
    // A stalled transfer is given up after this long without a byte (not a limit on its length).
    request.setTransferTimeout(TransferTimeoutMs);
    const bool pinned = m_pin && target.scheme() == QLatin1String("https");
    if (pinned) {
        request.setSslConfiguration(CertificatePin::clientConfiguration());
    }
    for (const auto &[name, value] : headers) {
        request.setRawHeader(name, value);
    }
    // Upload bodies are read as they are sent, not copied into memory first.
    request.setAttribute(QNetworkRequest::DoNotBufferUploadDataAttribute, true);
    QNetworkReply *reply = body ? m_network.sendCustomRequest(request, verb, body)
                                : m_network.sendCustomRequest(request, verb);
    if (pinned) {
        m_pin->guard(reply, pinError.get());
    }
    return reply;
}

QString ApiClient::platformName()
{
    return QSysInfo::prettyProductName().left(64).trimmed();
}

void ApiClient::registerAccount(const QString &username, const QString &password,
                                const QString &deviceName, const QString &inviteCode,
                                ApiCallback done)
{
    QJsonObject body{{QStringLiteral("username"), username},
                     {QStringLiteral("password"), password},
                     {QStringLiteral("deviceName"), deviceName},
                     {QStringLiteral("platform"), platformName()}};
    if (!m_signInKeys.isEmpty()) {
        body.insert(QStringLiteral("keys"), m_signInKeys);
    }
    if (!inviteCode.isEmpty()) {
        body.insert(QStringLiteral("inviteCode"), inviteCode);
    }
    call("POST", QStringLiteral("/v1/accounts"), &body, std::move(done));
}

void ApiClient::login(const QString &username, const QString &password, const QString &deviceName,
                      ApiCallback done)
{
    QJsonObject body{{QStringLiteral("username"), username},
                     {QStringLiteral("password"), password},
                     {QStringLiteral("deviceName"), deviceName},
                     {QStringLiteral("platform"), platformName()}};
    if (!m_signInKeys.isEmpty()) {
        body.insert(QStringLiteral("keys"), m_signInKeys);
    }
    call("POST", QStringLiteral("/v1/sessions"), &body, std::move(done));
}

void ApiClient::account(ApiCallback done)
{
    call("GET", QStringLiteral("/v1/account"), nullptr, std::move(done));
}

void ApiClient::devices(ApiCallback done)
{
    call("GET", QStringLiteral("/v1/devices"), nullptr, std::move(done));
}

void ApiClient::revokeDevice(qint64 deviceId, ApiCallback done)
{
    call("DELETE", QStringLiteral("/v1/devices/%1").arg(deviceId), nullptr, std::move(done));
}

void ApiClient::userDevices(const QString &username, ApiCallback done)
{
    call("GET", QStringLiteral("/v1/users/%1/devices").arg(username), nullptr, std::move(done));
}

void ApiClient::sendMessage(const QJsonObject &request, ApiCallback done)
{
    call("POST", QStringLiteral("/v1/messages"), &request, std::move(done));
}

} // namespace Tincan::Client
