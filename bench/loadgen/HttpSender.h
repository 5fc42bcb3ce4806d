#pragma once

#include "bench/loadgen/Accounts.h"
#include "bench/loadgen/Stats.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QSslSocket>
#include <QTimer>
#include <QUrl>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

namespace Tincan::Bench {

struct Pair
{
    Account sender;
    Account recipient;
};

//! Sends messages with POST /v1/messages over a pool of keep-alive HTTP connections, written by
//! hand so the load generator costs little CPU. Open loop at a fixed rate (each message is
//! stamped with the time it was due, so queueing delay is counted: no coordinated omission), or
//! closed loop (rate 0: each connection sends again as soon as it is answered). Over TLS when
//! the server has it, like real clients. Own thread.
class HttpSender : public QObject
{
    Q_OBJECT

public:
    //! `e2ee`: each payload is a real Signal-protocol message from the pair's sender device
    //! (Account::cryptoPath), encrypted when it is sent; otherwise opaque bytes of that size.
    HttpSender(const Endpoint &server, QList<Pair> pairs, int connections, double ratePerSecond,
               bool e2ee);
    //! Builds the whole HTTP/1.1 request of message `index` (0, 1, 2, ... in issue order), due
    //! at `stamp` (steady-clock micros). Called on the sender's thread.
    using RequestFactory = std::function<QByteArray(qint64 index, int64_t stamp)>;
    //! Told the HTTP status of message `index` when its answer arrives. Sender's thread.
    using AnswerHook = std::function<void(qint64 index, int status)>;
    //! Sends whatever `request` builds instead of 1:1 messages (e.g. group messages).
    HttpSender(const Endpoint &server, RequestFactory request, AnswerHook answered, int connections,
               double ratePerSecond);
    ~HttpSender() override;

    void start();
    void stop();

    std::atomic<qint64> accepted{0};
    std::atomic<qint64> refused{0};
    LatencyStats roundTrip;

private:
    struct Connection
    {
        QSslSocket *socket = nullptr;
        QByteArray buffer;
        bool busy = false;
        int64_t sentAt = 0;
        qint64 index = 0; //!< Of the message in flight.
    };
    struct Due
    {
        qint64 index = 0;
        int64_t stamp = 0;
    };

    void tick();
    void dispatch();
    void send(Connection &connection, const Due &due);
    void onReadyRead(Connection &connection);

    Endpoint m_server;
    QList<Pair> m_pairs;
    RequestFactory m_request;
    AnswerHook m_answered;
    int m_connectionCount;
    double m_rate;
    std::vector<Connection> m_connections;
    bool m_e2ee = false;
    std::vector<std::unique_ptr<class BenchDevice>> m_devices; //!< Per pair: the sender's.
    std::deque<Due> m_queue;
    QTimer *m_timer = nullptr;
    int64_t m_start = 0;
    qint64 m_issued = 0;
    bool m_running = false;
};

} // namespace Tincan::Bench
