#pragma once

#include <QObject>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QTimer>

#include <memory>
#include <optional>

namespace Tincan::Server {

struct Config;
class ApiService;
class HttpFrontend;
class MediaService;
class MessageStore;
class SessionRegistry;
class TlsContext;

//! Accepts connections on its own listening socket and sets each one up: TCP_NODELAY, TLS (the
//! server side of the handshake, bounded in time), and a guard that answers oversized requests
//! with 413 before QtHttpServer buffers their body. With TLS, a connection reaches QtHttpServer
//! (as a QSslSocket) only once its handshake succeeded; one that fails or stalls is closed here.
class GuardedTcpServer : public QTcpServer
{
    Q_OBJECT

public:
    //! `tls` empty: plain HTTP.
    //! `media` may be null (no uploads).
    //! `streamTls` (may be null): connections whose ClientHello offers the stream ALPN become
    //! TlsStreams instead of QSslSockets.
    GuardedTcpServer(qint64 maxRequestBody, std::optional<QSslConfiguration> tls,
                     std::shared_ptr<TlsContext> streamTls, int handshakeTimeoutMs,
                     HttpFrontend *frontend, MediaService *media, int idleTimeoutMs,
                     QObject *parent = nullptr);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    //! The Qt path: a QTcpSocket or QSslSocket, the guard, then QtHttpServer.
    void acceptWithQt(qintptr descriptor);
    //! Peeks at the ClientHello to choose between the Qt path and a TlsStream.
    void sniff(int descriptor);
    void startHandshake(QTcpSocket *socket, QObject *guard);
    //! Passes a ready connection on to QtHttpServer.
    void hand(QTcpSocket *socket, QObject *guard);

    qint64 m_maxRequestBody;
    HttpFrontend *m_frontend;
    MediaService *m_media;
    int m_idleTimeoutMs;
    std::optional<QSslConfiguration> m_tls;
    std::shared_ptr<TlsContext> m_streamTls;
    int m_handshakeTimeoutMs;
};

//! One connection-serving event loop: a listening socket of its own (the kernel spreads new
//! connections over the workers' sockets with SO_REUSEPORT), its HttpFrontend and the
//! StreamSessions it accepted. Lives on its own thread; all methods run there.
class Worker : public QObject
{
    Q_OBJECT

public:
    //! `tls` empty: plain HTTP.
    Worker(const Config &config, ApiService &api, MessageStore &messages, SessionRegistry &registry,
           std::optional<QSslConfiguration> tls, std::shared_ptr<TlsContext> streamTls,
           qintptr listeningDescriptor);
    ~Worker() override;

    //! Takes over the listening socket; returns false if that fails.
    bool start();
    void stopAccepting();
    //! Closes streams and flushes pending answers.
    void shutdown();

private:
    const Config &m_config;
    ApiService &m_api;
    MessageStore &m_messages;
    SessionRegistry &m_registry;
    std::optional<QSslConfiguration> m_tls;
    std::shared_ptr<TlsContext> m_streamTls;
    qintptr m_descriptor;
    HttpFrontend *m_frontend = nullptr;
    GuardedTcpServer *m_server = nullptr;
    QTimer *m_idleSweep = nullptr;
};

} // namespace Tincan::Server
