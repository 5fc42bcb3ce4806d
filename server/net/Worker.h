#pragma once

#include <QObject>
#include <QTcpServer>
#include <QTimer>

namespace Tincan::Server {

struct Config;
class ApiService;
class HttpFrontend;
class MessageStore;
class SessionRegistry;

//! Accepts connections on its own listening socket and sets each one up: TCP_NODELAY and a
//! guard that answers oversized requests with 413 before QtHttpServer buffers their body.
class GuardedTcpServer : public QTcpServer
{
    Q_OBJECT

public:
    GuardedTcpServer(qint64 maxRequestBody, QObject *parent = nullptr);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    qint64 m_maxRequestBody;
};

//! One connection-serving event loop: a listening socket of its own (the kernel spreads new
//! connections over the workers' sockets with SO_REUSEPORT), its HttpFrontend and the
//! StreamSessions it accepted. Lives on its own thread; all methods run there.
class Worker : public QObject
{
    Q_OBJECT

public:
    Worker(const Config &config, ApiService &api, MessageStore &messages, SessionRegistry &registry,
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
    qintptr m_descriptor;
    HttpFrontend *m_frontend = nullptr;
    GuardedTcpServer *m_server = nullptr;
    QTimer *m_idleSweep = nullptr;
};

} // namespace Tincan::Server
