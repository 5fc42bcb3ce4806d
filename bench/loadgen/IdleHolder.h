#pragma once

#include "bench/loadgen/Accounts.h"

#include <QHostAddress>
#include <QObject>
#include <QSslSocket>
#include <QTimer>
#include <QUrl>

#include <atomic>

namespace Tincan::Bench {

//! Holds many authenticated, idle /v1/stream connections: a minimal WebSocket client on raw
//! sockets, so each can be bound to its own 127.0.0.x source address (about 28k ports per
//! source address), over TLS when the server has it. Sends a heartbeat every 25 s like a real
//! client. Own thread.
class IdleHolder : public QObject
{
    Q_OBJECT

public:
    IdleHolder(const Endpoint &server, QList<Account> accounts, QList<QHostAddress> sources);

    void start();
    void stop();

    std::atomic<qint64> upgraded{0};
    std::atomic<qint64> failed{0};

private:
    void open(qsizetype index);

    Endpoint m_server;
    QList<Account> m_accounts;
    QList<QHostAddress> m_sources;
    QList<QSslSocket *> m_sockets;
    QTimer *m_heartbeat = nullptr;
    qsizetype m_next = 0;
};

} // namespace Tincan::Bench
