#pragma once

#include "bench/loadgen/Accounts.h"
#include "bench/loadgen/Stats.h"

#include <QObject>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

#include <atomic>
#include <memory>
#include <vector>

namespace Tincan::Bench {

//! The recipients: one /v1/stream WebSocket per account; measures sender-stamp-to-arrival
//! latency and ACKs like a real client (batched). Own thread.
class Receiver : public QObject
{
    Q_OBJECT

public:
    //! `e2ee`: payloads are decrypted with each recipient's device (Account::cryptoPath).
    Receiver(const Endpoint &server, QList<Account> accounts, bool e2ee);
    ~Receiver() override;

    void start();
    void stop();
    //! Latency is recorded for messages stamped inside [from, to] (steady-clock micros).
    void setWindow(int64_t from, int64_t to);

    std::atomic<qint64> connected{0};
    std::atomic<qint64> delivered{0};
    LatencyStats latency;

private:
    struct Stream
    {
        std::unique_ptr<QWebSocket> socket;
        QList<qint64> acks;
        std::unique_ptr<class BenchDevice> device;
    };

    void onText(Stream &stream, const QString &text);

    Endpoint m_server;
    QList<Account> m_accounts;
    std::vector<Stream> m_streams;
    bool m_e2ee = false;
    QTimer *m_ackTimer = nullptr;
    std::atomic<int64_t> m_windowFrom{INT64_MAX};
    std::atomic<int64_t> m_windowTo{INT64_MAX};
};

} // namespace Tincan::Bench
