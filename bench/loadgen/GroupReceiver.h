#pragma once

#include "bench/loadgen/Accounts.h"
#include "bench/loadgen/Stats.h"

#include <QObject>
#include <QTimer>
#include <QWebSocket>

#include <atomic>
#include <memory>
#include <vector>

namespace Tincan::Bench {

//! What the group benchmark knows about the messages of one measured phase, shared by the
//! sender thread (which stamps them) and the receiver threads (which count their arrivals).
//! Message `index` of the phase carries (stamp, phase, index) in its first 20 payload bytes.
struct GroupPhase
{
    GroupPhase(int phaseId, qint64 capacity, int expectedPerMessage);

    const int id;
    const qint64 capacity;
    const int expected; //!< Member devices each message must reach (members - 1).
    std::unique_ptr<std::atomic<int64_t>[]> stamp;       //!< Due time; 0 = not issued.
    std::unique_ptr<std::atomic<int32_t>[]> status;      //!< HTTP answer; 0 = none yet.
    std::unique_ptr<std::atomic<int32_t>[]> arrived;     //!< Member devices reached so far.
    std::unique_ptr<std::atomic<int64_t>[]> lastArrival; //!< Latest arrival (steady micros).
    std::atomic<qint64> issued{0};
    std::atomic<int64_t> windowFrom{INT64_MAX};
    std::atomic<int64_t> windowTo{INT64_MAX};
    std::atomic<qint64> deliveriesInWindow{0}; //!< Arrivals whose arrival time is in the window.
    std::atomic<qint64> deliveriesTotal{0};
    LatencyStats deliveryLatency; //!< Each delivery of a message due inside the window.

    //! Receiver threads: one arrival of message `index` at `now`.
    void arrival(qint64 index, int64_t stampValue, int64_t now);
};

//! Some of the member devices: one /v1/stream WebSocket each, ACKing every envelope like the
//! reference client (after the event loop has handled what arrived, one `ack` frame per
//! stream), without decrypting (the sender-key decrypt is measured by tincan-bench-crypto).
//! Counts each arrival of a benchmark message in the current GroupPhase. Own thread.
class GroupReceiver : public QObject
{
    Q_OBJECT

public:
    //! `ackDelayMs` 0: ACK like the reference client (once the event loop is idle); more:
    //! collect a stream's ACKs for that long (an experiment: fewer, larger ACK frames).
    GroupReceiver(const Endpoint &server, QList<Account> accounts, int ackDelayMs = 0);
    ~GroupReceiver() override;

    void start();
    void stop();
    //! The phase whose messages are counted from now on (others are only acknowledged).
    void setPhase(GroupPhase *phase) { m_phase = phase; }

    std::atomic<qint64> connected{0};
    std::atomic<qint64> synced{0};       //!< Streams that got their first `synced`.
    std::atomic<qint64> disconnected{0}; //!< Streams that closed after connecting.
    std::atomic<qint64> errors{0};       //!< `error` frames, or socket errors.
    std::atomic<qint64> envelopes{0};    //!< Every envelope received (events too).

private:
    struct Stream
    {
        std::unique_ptr<QWebSocket> socket;
        QList<qint64> acks;
        bool synced = false;
        bool open = false;
    };

    void onText(size_t stream, const QString &text);
    void flushAcks();

    Endpoint m_server;
    QList<Account> m_accounts;
    std::vector<Stream> m_streams;
    std::vector<size_t> m_dirty; //!< Streams with ACKs to send.
    int m_ackDelayMs = 0;
    QTimer *m_ackTimer = nullptr;
    QTimer *m_pingTimer = nullptr;
    std::atomic<GroupPhase *> m_phase{nullptr};
};

} // namespace Tincan::Bench
