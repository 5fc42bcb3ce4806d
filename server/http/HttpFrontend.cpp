#include "server/http/HttpFrontend.h"

#include "server/core/Logging.h"
#include "server/http/Router.h"
#include "server/ws/StreamSession.h"

#include <QHttpServerRequest>
#include <QJsonDocument>
#include <QThread>
#include <QWebSocket>

namespace Tincan::Server {

using Protocol::ApiError;

namespace {

QByteArray methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get:
        return QByteArrayLiteral("GET");
    case QHttpServerRequest::Method::Post:
        return QByteArrayLiteral("POST");
    case QHttpServerRequest::Method::Put:
        return QByteArrayLiteral("PUT");
    case QHttpServerRequest::Method::Delete:
        return QByteArrayLiteral("DELETE");
    case QHttpServerRequest::Method::Head:
        return QByteArrayLiteral("HEAD");
    case QHttpServerRequest::Method::Options:
        return QByteArrayLiteral("OPTIONS");
    case QHttpServerRequest::Method::Patch:
        return QByteArrayLiteral("PATCH");
    default:
        return QByteArrayLiteral("OTHER");
    }
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return QByteArrayLiteral("OK");
    case 201:
        return QByteArrayLiteral("Created");
    case 204:
        return QByteArrayLiteral("No Content");
    case 400:
        return QByteArrayLiteral("Bad Request");
    case 401:
        return QByteArrayLiteral("Unauthorized");
    case 403:
        return QByteArrayLiteral("Forbidden");
    case 404:
        return QByteArrayLiteral("Not Found");
    case 405:
        return QByteArrayLiteral("Method Not Allowed");
    case 409:
        return QByteArrayLiteral("Conflict");
    case 413:
        return QByteArrayLiteral("Payload Too Large");
    case 426:
        return QByteArrayLiteral("Upgrade Required");
    case 429:
        return QByteArrayLiteral("Too Many Requests");
    case 431:
        return QByteArrayLiteral("Request Header Fields Too Large");
    case 500:
        return QByteArrayLiteral("Internal Server Error");
    case 503:
        return QByteArrayLiteral("Service Unavailable");
    default:
        return QByteArrayLiteral("Status");
    }
}

} // namespace

HttpFrontend::HttpFrontend(const Config &config, ApiService &api, MessageStore &messages,
                           SessionRegistry &registry, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_config(config)
    , m_api(api)
    , m_messages(messages)
    , m_registry(registry)
    , m_handle(std::make_shared<Handle>())
{
    m_handle->frontend = this;
    connect(this, &QAbstractHttpServer::newWebSocketConnection, this,
            &HttpFrontend::onNewWebSocket);
}

HttpFrontend::~HttpFrontend()
{
    std::lock_guard lock(m_handle->mutex);
    m_handle->frontend = nullptr;
}

void HttpFrontend::writeResponse(QTcpSocket *socket, const ApiResponse &response, bool close)
{
    const QByteArray body = response.noBody
                                ? QByteArray()
                                : QJsonDocument(response.body).toJson(QJsonDocument::Compact);
    QByteArray out;
    out.reserve(body.size() + 200);
    out += "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status) +
           "\r\n";
    if (!response.noBody) {
        out += "Content-Type: application/json\r\n";
    }
    out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    for (const auto &[name, value] : response.headers) {
        out += name + ": " + value + "\r\n";
    }
    if (close) {
        out += "Connection: close\r\n";
    }
    out += "\r\n";
    out += body;
    socket->write(out);
    if (close) {
        socket->disconnectFromHost();
    }
}

bool HttpFrontend::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    const QByteArray method = methodName(request.method());
    const QString path = request.url().path();
    // The same test QtHttpServer applies before it hands a socket to QWebSocketServer: an Upgrade
    // header naming websocket plus "upgrade" among the Connection tokens.
    const bool upgrade =
        request.value(QByteArrayLiteral("upgrade")).compare("websocket", Qt::CaseInsensitive) ==
            0 &&
        request.value(QByteArrayLiteral("connection")).toLower().contains("upgrade");
    const bool close = request.value(QByteArrayLiteral("connection")).toLower() == "close";

    const Router::Route *route = nullptr;
    ApiRequest apiRequest;
    const Router::Match match = Router::api().match(method, path, &route, &apiRequest.params);

    auto answerNow = [&](const ApiError &error) {
        writeResponse(socket, ApiResponse::error(error), close || upgrade);
        if (upgrade) {
            m_answeredUpgrade = true;
            return false; // QtHttpServer then closes the socket instead of upgrading.
        }
        return true;
    };

    if (match == Router::Match::NotFound) {
        return answerNow(
            ApiError::notFound(QStringLiteral("No such endpoint: %1").arg(path.left(200))));
    }
    if (match == Router::Match::WrongMethod) {
        return answerNow(ApiError{405,
                                  QString::fromLatin1(Protocol::ErrorCode::MethodNotAllowed),
                                  QStringLiteral("%1 is not allowed on %2.")
                                      .arg(QString::fromLatin1(method), path.left(200)),
                                  {}});
    }
    if (route->authenticated) {
        apiRequest.auth = m_api.authenticate(request.value(QByteArrayLiteral("authorization")));
        if (!apiRequest.auth) {
            return answerNow(ApiError::unauthenticated(
                QStringLiteral("A valid 'Authorization: Bearer <token>' header is required.")));
        }
    }
    if (route->webSocket) {
        if (!upgrade) {
            return answerNow(ApiError{426,
                                      QString::fromLatin1(Protocol::ErrorCode::UpgradeRequired),
                                      QStringLiteral("/v1/stream is a WebSocket endpoint."),
                                      {}});
        }
        return true; // QtHttpServer completes the handshake; onNewWebSocket takes over.
    }
    if (upgrade) {
        return answerNow(ApiError::badRequest(QStringLiteral("Only /v1/stream accepts WebSocket "
                                                             "upgrades.")));
    }
    if (request.body().size() > m_config.limits.maxRequestBody) {
        return answerNow(
            ApiError::tooLarge(QStringLiteral("The request body is larger than %1 bytes.")
                                   .arg(m_config.limits.maxRequestBody)));
    }

    apiRequest.body = request.body();
    apiRequest.query = request.query();
    apiRequest.peer = request.remoteAddress().toString();

    const quint64 id = ++m_nextRequestId;
    m_pending.emplace(id, Pending{QPointer<QTcpSocket>(socket), close});
    Reply reply = [handle = m_handle, id](ApiResponse response) {
        // Any thread. The lock keeps the front end alive while we post to it; once it is gone
        // the answer has nowhere to go (its socket is gone too).
        std::lock_guard lock(handle->mutex);
        HttpFrontend *frontend = handle->frontend;
        if (!frontend) {
            return;
        }
        if (QThread::currentThread() == frontend->thread()) {
            frontend->finish(id, response);
            return;
        }
        QMetaObject::invokeMethod(
            frontend, [frontend, id, response] { frontend->finish(id, response); },
            Qt::QueuedConnection);
    };
    (m_api.*(route->handler))(apiRequest, std::move(reply));
    return true;
}

void HttpFrontend::finish(quint64 requestId, const ApiResponse &response)
{
    auto it = m_pending.find(requestId);
    if (it == m_pending.end()) {
        return;
    }
    const Pending pending = it->second;
    m_pending.erase(it);
    if (pending.socket && pending.socket->state() == QAbstractSocket::ConnectedState) {
        writeResponse(pending.socket, response, pending.close);
    }
}

void HttpFrontend::missingHandler(const QHttpServerRequest &, QTcpSocket *socket)
{
    if (m_answeredUpgrade) {
        m_answeredUpgrade = false;
        return;
    }
    writeResponse(
        socket,
        ApiResponse::error(ApiError::badRequest(QStringLiteral("The WebSocket handshake failed."))),
        true);
}

void HttpFrontend::onNewWebSocket()
{
    while (hasPendingWebSocketConnections()) {
        std::unique_ptr<QWebSocket> socket = nextPendingWebSocketConnection();
        if (!socket) {
            continue;
        }
        // QWebSocket keeps the handshake's headers: authenticate from the socket's own request
        // (checked once already in handleRequest, so a bad token never gets this far), never
        // from state shared between requests.
        const std::optional<AuthContext> auth =
            m_api.authenticate(socket->request().rawHeader(QByteArrayLiteral("Authorization")));
        if (!auth) {
            socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                          QStringLiteral("unauthenticated"));
            continue;
        }
        auto *session =
            new StreamSession(std::move(socket), *auth, m_messages, m_registry, m_api.presence(),
                              m_config.limits.streamWindow, m_config.limits.maxClientFrame,
                              m_config.idleTimeoutSeconds, this);
        session->setAckObserver(
            [api = &m_api](const AuthContext &device, const QList<qint64> &ids) {
                api->messagesAcknowledged(device, ids);
            });
        session->start();
        m_api.deviceConnected(auth->deviceId);
    }
}

void HttpFrontend::checkIdleStreams(qint64 nowMs)
{
    const auto sessions = findChildren<StreamSession *>(Qt::FindDirectChildrenOnly);
    for (StreamSession *session : sessions) {
        session->checkIdle(nowMs);
    }
}

void HttpFrontend::closeAllStreams()
{
    const auto sessions = findChildren<StreamSession *>(Qt::FindDirectChildrenOnly);
    for (StreamSession *session : sessions) {
        session->closeForShutdown();
    }
}

} // namespace Tincan::Server
