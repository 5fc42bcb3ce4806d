#pragma once

#include "server/core/ApiService.h"

#include <QAbstractHttpServer>
#include <QHash>
#include <QPointer>
#include <QTcpSocket>

#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace Tincan::Server {

class SessionRegistry;
class StreamMailbox;
class StreamSession;
class StreamTransport;

//! One worker thread's HTTP and WebSocket front end, on QtHttpServer's request parser.
//! Requests are routed through Router::api() to the ApiService; answers may come later from
//! another thread (after a group commit, after Argon2) and are written here, on this thread.
//! WebSocket upgrades of /v1/stream never reach QtHttpServer: RequestGuard takes them over
//! (or they came on a TlsStream), checkStreamUpgrade() authenticates, openStream() answers the
//! handshake, and they become StreamSessions on this thread. Lives on its worker thread; all
//! methods are for that thread.
class HttpFrontend : public QAbstractHttpServer
{
    Q_OBJECT

public:
    HttpFrontend(const Config &config, ApiService &api, MessageStore &messages,
                 SessionRegistry &registry, QObject *parent = nullptr);
    ~HttpFrontend() override;

    void checkIdleStreams(qint64 nowMs);
    void closeAllStreams();
    //! Writes a complete JSON response on a raw socket (also used before routing, e.g. 413).
    //! `headOnly`: the answer to a HEAD request (headers only). A streamed response's head
    //! only: its body follows through a BlobResponder.
    static void writeResponse(QTcpSocket *socket, const ApiResponse &response, bool close,
                              bool headOnly = false);
    //! Whether an answer is still to be written on this connection (then it must not be taken
    //! over for an upload).
    bool busyWith(QTcpSocket *socket) const;

    //! Why an upgrade of /v1/stream was refused: the HTTP answer to give.
    struct StreamRefusal
    {
        int status = 400;
        const char *code = nullptr;
        QString message;
        QList<QPair<QByteArray, QByteArray>> headers;
    };
    //! The answer to a refused upgrade, closing the connection.
    static QByteArray refusalResponse(const StreamRefusal &refusal);
    //! An accepted upgrade request: who, and the handshake's key.
    struct StreamUpgrade
    {
        AuthContext auth;
        QByteArray key;
    };
    //! Checks a /v1/stream upgrade request (`fields`: its header fields, names in lower case):
    //! fills `upgrade`, or says why not (bad token 401, WebSocket version 426, bad handshake
    //! 400).
    std::optional<StreamRefusal> checkStreamUpgrade(const QHash<QByteArray, QByteArray> &fields,
                                                    StreamUpgrade *upgrade);
    //! Answers the upgrade (101) and starts the device's StreamSession on `transport`, which
    //! it owns from then on; `pending`: bytes that followed the request.
    void openStream(StreamTransport *transport, StreamUpgrade upgrade, QByteArray pending);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    void onNewWebSocket();
    void finish(quint64 requestId, const ApiResponse &response);

    //! Lets answers produced on other threads reach this object safely, or nowhere.
    struct Handle
    {
        std::mutex mutex;
        HttpFrontend *frontend = nullptr;
    };

    struct Pending
    {
        QPointer<QTcpSocket> socket;
        bool close = false;
        bool head = false;
    };

    const Config &m_config;
    ApiService &m_api;
    MessageStore &m_messages;
    SessionRegistry &m_registry;
    StreamMailbox *m_mailbox = nullptr; //!< Child; outlives the sessions (see the destructor).
    std::unordered_map<quint64, Pending> m_pending;
    std::shared_ptr<Handle> m_handle;
    quint64 m_nextRequestId = 0;
    bool m_answeredUpgrade = false;
};

} // namespace Tincan::Server
