#include "bench/loadgen/IdleHolder.h"

#include "shared/protocol/Frames.h"

namespace Tincan::Bench {

namespace {
constexpr int ConnectBatch = 200;

//! A masked client text frame (RFC 6455 section 5.2) with a zero mask key.
QByteArray clientTextFrame(const QByteArray &payload)
{
    QByteArray frame;
    frame.append(char(0x81));
    frame.append(char(0x80 | payload.size())); // Small frames only (< 126 bytes).
    frame.append(4, '\0');
    frame.append(payload);
    return frame;
}
} // namespace

IdleHolder::IdleHolder(const Endpoint &server, QList<Account> accounts, QList<QHostAddress> sources)
    : m_server(server)
    , m_accounts(std::move(accounts))
    , m_sources(std::move(sources))
{}

void IdleHolder::start()
{
    m_heartbeat = new QTimer(this);
    m_heartbeat->setInterval(25000);
    connect(m_heartbeat, &QTimer::timeout, this, [this] {
        const QByteArray ping = clientTextFrame(Protocol::pingFrame());
        for (QSslSocket *socket : std::as_const(m_sockets)) {
            if (m_server.ready(socket)) {
                socket->write(ping);
            }
        }
    });
    m_heartbeat->start();
    // Open in batches so the server's accept queue and our own event loop keep up.
    for (int i = 0; i < ConnectBatch && m_next < m_accounts.size(); ++i) {
        open(m_next++);
    }
}

void IdleHolder::stop()
{
    m_heartbeat->stop();
    for (QSslSocket *socket : std::as_const(m_sockets)) {
        socket->abort();
    }
}

void IdleHolder::open(qsizetype index)
{
    auto *socket = new QSslSocket(this);
    m_sockets.append(socket);
    if (!m_sources.isEmpty()) {
        socket->bind(m_sources[index % m_sources.size()], 0);
    }
    auto *handshakeDone = new bool(false);
    connect(socket, &QObject::destroyed, socket, [handshakeDone] { delete handshakeDone; });
    auto upgrade = [this, socket, index] {
        socket->write("GET /v1/stream HTTP/1.1\r\nHost: " + m_server.url.host().toLatin1() +
                      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                      "Authorization: Bearer " +
                      m_accounts[index].token + "\r\n\r\n");
    };
    if (m_server.tls()) {
        connect(socket, &QSslSocket::encrypted, this, upgrade);
    } else {
        connect(socket, &QTcpSocket::connected, this, upgrade);
    }
    connect(socket, &QTcpSocket::readyRead, this, [this, socket, handshakeDone] {
        const QByteArray data = socket->readAll();
        if (!*handshakeDone) {
            *handshakeDone = true;
            if (data.startsWith("HTTP/1.1 101")) {
                ++upgraded;
            } else {
                ++failed;
            }
            if (m_next < m_accounts.size()) {
                open(m_next++);
            }
        }
    });
    connect(socket, &QTcpSocket::errorOccurred, this, [this, handshakeDone] {
        if (!*handshakeDone) {
            *handshakeDone = true;
            ++failed;
            if (m_next < m_accounts.size()) {
                open(m_next++);
            }
        }
    });
    m_server.connect(socket);
}

} // namespace Tincan::Bench
