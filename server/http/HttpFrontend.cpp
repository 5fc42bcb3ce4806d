#include "server/http/HttpFrontend.h"

#include "server/core/Logging.h"
#include "server/http/Router.h"
#include "server/ws/StreamMailbox.h"
#include "server/ws/StreamSession.h"
#include "server/ws/StreamTransport.h"
#include "server/ws/WebSocketCodec.h"

#include <QHttpServerRequest>
#include <QJsonDocument>
#include <QSslSocket>
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
    case 100:
        return QByteArrayLiteral("Continue");
    case 200:
        return QByteArrayLiteral("OK");
    case 201:
        return QByteArrayLiteral("Created");
    case 204:
        return QByteArrayLiteral("No Content");
    case 206:
        return QByteArrayLiteral("Partial Content");
    case 304:
        return QByteArrayLiteral("Not Modified");
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
    case 416:
        return QByteArrayLiteral("Range Not Satisfiable");
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
    case 507:
        return QByteArrayLiteral("Insufficient Storage");
    default:
        return QByteArrayLiteral("Status");
    }
}

//! Streams a response body from a file (media content) without holding it in memory: writes
//! pieces while little is waiting in the socket, and more each time the socket wrote some.
//! Answers to later requests on the same connection wait until the body is out.
class BlobResponder : public QObject
{
public:
    static constexpr qint64 Piece = 256 * 1024;
    static constexpr qint64 HighWater = 1024 * 1024;
    //! How activeResponder() finds it (no Q_OBJECT, so findChild cannot tell it by type).
    static constexpr auto ObjectName = "tincan-blob-responder";

    BlobResponder(QTcpSocket *socket, std::shared_ptr<QIODevice> stream, qint64 length, bool close)
        : QObject(socket)
        , m_socket(socket)
        , m_stream(std::move(stream))
        , m_left(length)
        , m_close(close)
    {
        setObjectName(ObjectName);
        connect(socket, &QTcpSocket::bytesWritten, this, &BlobResponder::pump);
        if (auto *tls = qobject_cast<QSslSocket *>(socket)) {
            connect(tls, &QSslSocket::encryptedBytesWritten, this, &BlobResponder::pump);
        }
    }

    //! A later answer: written once the body is out.
    void queue(const QByteArray &bytes, bool close)
    {
        m_after += bytes;
        m_close = m_close || close;
    }

    void pump()
    {
        if (m_done) {
            return;
        }
        QByteArray buffer;
        while (m_left > 0 && waiting() < HighWater) {
            buffer.resize(std::min(m_left, Piece));
            const qint64 n = m_stream->read(buffer.data(), buffer.size());
            if (n <= 0) {
                // The file went away or shrank: the length was announced, so only cutting the
                // connection tells the client the body is incomplete.
                qCWarning(lcServerHttp) << "media file read failed; closing the connection";
                m_done = true;
                m_socket->abort();
                return;
            }
            m_socket->write(buffer.constData(), n);
            m_left -= n;
        }
        if (m_left > 0) {
            return;
        }
        m_done = true;
        m_stream.reset();
        if (!m_after.isEmpty()) {
            m_socket->write(m_after);
        }
        if (m_close) {
            m_socket->disconnectFromHost();
        }
        deleteLater();
    }

private:
    qint64 waiting() const
    {
        qint64 pending = m_socket->bytesToWrite();
        if (auto *tls = qobject_cast<QSslSocket *>(m_socket)) {
            pending += tls->encryptedBytesToWrite();
        }
        return pending;
    }

    QTcpSocket *m_socket;
    std::shared_ptr<QIODevice> m_stream;
    qint64 m_left;
    bool m_close;
    bool m_done = false;
    QByteArray m_after;
};

BlobResponder *activeResponder(QTcpSocket *socket)
{
    return static_cast<BlobResponder *>(socket->findChild<QObject *>(
        QLatin1String(BlobResponder::ObjectName), Qt::FindDirectChildrenOnly));
}

QByteArray responseBytes(const ApiResponse &response, bool close, bool headOnly)
{
    const bool streamed = response.streamLength >= 0;
    const QByteArray body = response.noBody || streamed
                                ? QByteArray()
                                : QJsonDocument(response.body).toJson(QJsonDocument::Compact);
    QByteArray out;
    out.reserve(body.size() + 300);
    out += "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status) +
           "\r\n";
    if (streamed) {
        out += "Content-Type: " + response.contentType + "\r\n";
        out += "Content-Length: " + QByteArray::number(response.streamLength) + "\r\n";
    } else {
        if (!response.noBody) {
            out += "Content-Type: application/json\r\n";
        }
        // 304 has no body and announces none.
        if (response.status != 304) {
            out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        }
    }
    for (const auto &[name, value] : response.headers) {
        out += name + ": " + value + "\r\n";
    }
    if (close) {
        out += "Connection: close\r\n";
    }
    out += "\r\n";
    if (!headOnly) {
        out += body;
    }
    return out;
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
    m_mailbox = new StreamMailbox(this);
    connect(this, &QAbstractHttpServer::newWebSocketConnection, this,
            &HttpFrontend::onNewWebSocket);
}

HttpFrontend::~HttpFrontend()
{
    {
        std::lock_guard lock(m_handle->mutex);
        m_handle->frontend = nullptr;
    }
    // Sessions detach from the mailbox as they go: they go first.
    qDeleteAll(findChildren<StreamSession *>(Qt::FindDirectChildrenOnly));
}

void HttpFrontend::writeResponse(QTcpSocket *socket, const ApiResponse &response, bool close,
                                 bool headOnly)
{
    const QByteArray out = responseBytes(response, close, headOnly);
    if (BlobResponder *responder = activeResponder(socket)) {
        responder->queue(out, close);
        return;
    }
    socket->write(out);
    if (close) {
        socket->disconnectFromHost();
    }
}

bool HttpFrontend::busyWith(QTcpSocket *socket) const
{
    if (activeResponder(socket)) {
        return true;
    }
    for (const auto &[id, pending] : m_pending) {
        if (pending.socket == socket) {
            return true;
        }
    }
    return false;
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
        writeResponse(socket, ApiResponse::error(error), close || upgrade, method == "HEAD");
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
        // RequestGuard takes every stream upgrade over before QtHttpServer sees it; one that
        // got here did not look like one to it (RequestGuard::isStreamUpgrade).
        return answerNow(ApiError::badRequest(
            QStringLiteral("Upgrade /v1/stream with 'GET /v1/stream HTTP/1.1' and 'Upgrade: "
                           "websocket'.")));
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

    apiRequest.method = method;
    apiRequest.body = request.body();
    apiRequest.query = request.query();
    apiRequest.peer = request.remoteAddress().toString();
    for (const QByteArray &name : {QByteArrayLiteral("range"), QByteArrayLiteral("if-range"),
                                   QByteArrayLiteral("if-none-match")}) {
        const QByteArray value = request.value(name);
        if (!value.isEmpty()) {
            apiRequest.headers.insert(name, value);
        }
    }

    const quint64 id = ++m_nextRequestId;
    m_pending.emplace(id, Pending{QPointer<QTcpSocket>(socket), close, method == "HEAD"});
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
    if (!pending.socket || pending.socket->state() != QAbstractSocket::ConnectedState) {
        return;
    }
    if (response.stream && !pending.head && activeResponder(pending.socket)) {
        // Pipelined downloads: one body at a time; the client asks again on a new connection.
        writeResponse(
            pending.socket,
            ApiResponse::error(ApiError{503,
                                        QString::fromLatin1(Protocol::ErrorCode::Unavailable),
                                        QStringLiteral("One download at a time per "
                                                       "connection."),
                                        {}}),
            true);
        return;
    }
    if (response.stream && !pending.head) {
        // Head now, body in pieces as the socket drains. Answers to later requests on this
        // connection queue behind the body.
        writeResponse(pending.socket, response, false, true);
        auto *responder = new BlobResponder(pending.socket, response.stream, response.streamLength,
                                            pending.close);
        responder->pump();
        return;
    }
    writeResponse(pending.socket, response, pending.close, pending.head);
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
    // QtHttpServer hands a socket over only when handleRequest() accepts an upgrade, which it
    // never does (streams are taken over by RequestGuard); the slot stays connected because
    // without one QtHttpServer drops other upgrade requests without an answer.
    while (hasPendingWebSocketConnections()) {
        if (std::unique_ptr<QWebSocket> socket = nextPendingWebSocketConnection()) {
            socket->abort();
        }
    }
}

QByteArray HttpFrontend::refusalResponse(const StreamRefusal &refusal)
{
    ApiResponse response = ApiResponse::error(
        ApiError{refusal.status, QString::fromLatin1(refusal.code), refusal.message, {}});
    response.headers = refusal.headers;
    return responseBytes(response, true, false);
}

std::optional<HttpFrontend::StreamRefusal>
HttpFrontend::checkStreamUpgrade(const QHash<QByteArray, QByteArray> &fields,
                                 StreamUpgrade *upgrade)
{
    std::optional<AuthContext> auth = m_api.authenticate(fields.value("authorization"));
    if (!auth) {
        return StreamRefusal{
            401,
            Protocol::ErrorCode::Unauthenticated,
            QStringLiteral("A valid 'Authorization: Bearer <token>' header is required."),
            {}};
    }
    if (!fields.value("connection").toLower().contains("upgrade")) {
        return StreamRefusal{400,
                             Protocol::ErrorCode::InvalidRequest,
                             QStringLiteral("A WebSocket upgrade needs 'Connection: Upgrade'."),
                             {}};
    }
    if (fields.value("sec-websocket-version") != "13") {
        return StreamRefusal{426,
                             Protocol::ErrorCode::UpgradeRequired,
                             QStringLiteral("Only WebSocket version 13 is supported."),
                             {{QByteArrayLiteral("Sec-WebSocket-Version"), "13"}}};
    }
    QByteArray key = fields.value("sec-websocket-key");
    if (!WebSocket::validClientKey(key)) {
        return StreamRefusal{400,
                             Protocol::ErrorCode::InvalidRequest,
                             QStringLiteral("The Sec-WebSocket-Key is not base64 of 16 bytes."),
                             {}};
    }
    upgrade->auth = std::move(*auth);
    upgrade->key = std::move(key);
    return std::nullopt;
}

void HttpFrontend::openStream(StreamTransport *transport, StreamUpgrade upgrade, QByteArray pending)
{
    transport->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                     "Upgrade\r\nSec-WebSocket-Accept: " +
                     WebSocket::acceptKey(upgrade.key) + "\r\n\r\n");
    const qint64 deviceId = upgrade.auth.deviceId;
    auto *session = new StreamSession(transport, std::move(pending), std::move(upgrade.auth),
                                      m_messages, m_registry, m_api.presence(), *m_mailbox,
                                      m_config.limits.streamWindow, m_config.limits.maxClientFrame,
                                      m_config.idleTimeoutSeconds, m_config.receiptDelayMs, this);
    session->setAckObserver([api = &m_api](const AuthContext &device,
                                           const QList<PushedEnvelope> &pushed,
                                           const QList<qint64> &others) {
        api->envelopesAcknowledged(device, pushed);
        api->messagesAcknowledged(device, others);
    });
    session->start();
    m_api.deviceConnected(deviceId);
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
