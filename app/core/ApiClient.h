#pragma once

#include "shared/protocol/ApiError.h"

#include <QByteArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QObject>
#include <QUrl>

#include <functional>
#include <memory>

namespace Tincan::Client {

class CertificatePin;

//! Error codes of failures on the client's side (status 0), next to the server's codes.
namespace ClientErrorCode {
inline constexpr auto Network = "network";
//! The server showed another TLS certificate than the pinned one; nothing was sent.
inline constexpr auto CertificateChanged = "certificate_changed";
} // namespace ClientErrorCode

//! The outcome of one HTTP call.
struct ApiResult
{
    int status = 0; //!< 0: no HTTP answer (network error, timeout).
    QJsonObject body;
    Protocol::ApiError error; //!< Filled for non-2xx answers and network errors.
    int retryAfterSeconds = 0;

    bool ok() const { return status >= 200 && status < 300; }
    //! Worth retrying later with the same request: no answer, 429 or a server error.
    bool transient() const { return status == 0 || status == 429 || status >= 500; }
};

using ApiCallback = std::function<void(const ApiResult &)>;

//! Thin async wrapper over the HTTP API (QNetworkAccessManager). Main thread.
class ApiClient : public QObject
{
    Q_OBJECT

public:
    explicit ApiClient(QObject *parent = nullptr);

    void setBaseUrl(const QUrl &url) { m_base = url; }
    QUrl baseUrl() const { return m_base; }
    //! The pin that https:// requests must match (not owned; null: Qt's CA checks).
    void setCertificatePin(CertificatePin *pin) { m_pin = pin; }
    //! Forgets open connections (after the server or its pin changed).
    void resetConnections();
    void setToken(const QByteArray &token) { m_token = token; }
    //! The device's public keys, sent with registration and login (see PUT /v1/keys).
    void setSignInKeys(const QJsonObject &keys) { m_signInKeys = keys; }
    //! What this device runs on, as sent with sign-ins and links ("Debian GNU/Linux 12").
    static QString platformName();
    //! ws:// or wss:// URL of /v1/stream on the same server.
    QUrl streamUrl() const;

    void registerAccount(const QString &username, const QString &password,
                         const QString &deviceName, const QString &inviteCode, ApiCallback done);
    void login(const QString &username, const QString &password, const QString &deviceName,
               ApiCallback done);
    void account(ApiCallback done);
    void devices(ApiCallback done);
    void revokeDevice(qint64 deviceId, ApiCallback done);
    void userDevices(const QString &username, ApiCallback done);
    void sendMessage(const QJsonObject &request, ApiCallback done);

    //! A streaming request (media): `url` relative to the base (a signed URL) or absolute,
    //! `body` (may be null) read as the request goes. The caller owns the reply; `pinError` is
    //! filled if the server showed another certificate than the pinned one.
    QNetworkReply *transfer(const QByteArray &verb, const QString &url,
                            const QList<QPair<QByteArray, QByteArray>> &headers, QIODevice *body,
                            std::shared_ptr<QString> pinError);

    //! Any request, for tools and tests.
    void call(const QByteArray &verb, const QString &path, const QJsonObject *body,
              ApiCallback done);

private:
    QNetworkAccessManager m_network;
    QUrl m_base;
    QByteArray m_token;
    QJsonObject m_signInKeys;
    CertificatePin *m_pin = nullptr;
};

} // namespace Tincan::Client
