#pragma once

#include <QHostAddress>
#include <QList>
#include <QSslConfiguration>
#include <QString>

#include <memory>
#include <optional>

class QThread;

namespace Tincan::Server {

struct Config;
class ApiService;
class MessageStore;
class SessionRegistry;
class TlsContext;
class Worker;

//! Runs the connection-serving threads. Each worker thread has its own listening socket on the
//! same address and port (SO_REUSEPORT, backlog 4096), so accepting, HTTP parsing and
//! WebSockets are spread over the threads by the kernel, and no event loop has to poll every
//! socket of the process. Every thread terminates TLS on its own connections (`tls`; empty for
//! plain HTTP). Owned and driven by the main thread.
class Listener
{
public:
    //! `streamTls`: OpenSSL's context for the streams of clients that offer the stream ALPN
    //! (TlsStream); null: every TLS connection goes through QSslSocket.
    Listener(const Config &config, ApiService &api, MessageStore &messages,
             SessionRegistry &registry, std::optional<QSslConfiguration> tls,
             std::shared_ptr<TlsContext> streamTls = {});
    ~Listener();

    //! Before start(): the connection threads run this many nice levels below the process
    //! (so that the database writer comes first when it could not be raised instead).
    void setThreadNiceness(int steps) { m_niceness = steps; }
    bool start(QString *error);
    //! Closes the listening sockets; open connections keep being served.
    void stopAccepting();
    //! Stops accepting, closes streams, flushes answers, and joins the threads.
    void stop();
    quint16 port() const { return m_port; }
    int threadCount() const { return static_cast<int>(m_threads.size()); }

private:
    const Config &m_config;
    ApiService &m_api;
    MessageStore &m_messages;
    SessionRegistry &m_registry;
    std::optional<QSslConfiguration> m_tls;
    std::shared_ptr<TlsContext> m_streamTls;
    quint16 m_port = 0;
    int m_niceness = 0;
    QList<QThread *> m_threads;
    QList<Worker *> m_workers;
};

} // namespace Tincan::Server
