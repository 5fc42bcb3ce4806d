#pragma once

#include "bench/loadgen/Accounts.h"
#include "bench/loadgen/Endpoint.h"
#include "bench/loadgen/OnThread.h"
#include "bench/loadgen/Stats.h"

#include <QObject>
#include <QTimer>
#include <QWebSocket>

#include <atomic>
#include <memory>
#include <optional>
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

//! What every holder of member streams counts (read from the benchmark's thread).
struct MemberCounters
{
    std::atomic<qint64> connected{0};
    std::atomic<qint64> synced{0};       //!< Streams that got their first `synced`.
    std::atomic<qint64> disconnected{0}; //!< Streams that closed after connecting.
    std::atomic<qint64> errors{0};       //!< `error` frames, or socket errors.
    std::atomic<qint64> envelopes{0};    //!< Every envelope received (events too).
};

//! Some of the member devices, with their streams open from construction to destruction.
class MemberStreams : public MemberCounters
{
public:
    virtual ~MemberStreams() = default;
    //! The phase whose messages are counted from now on (others are only acknowledged).
    virtual void setPhase(GroupPhase *phase) = 0;
};

//! What a member needs of an envelope frame: its id, and the first 21 bytes of its payload.
struct EnvelopeHead
{
    qint64 id = -1;
    QByteArray head;
};
//! Reads an envelope frame's id and payload head; nullopt when `text` is not an envelope frame.
//! The daemon writes compact JSON with sorted keys, so both are found without parsing the whole
//! frame; anything unexpected takes the parser.
std::optional<EnvelopeHead> envelopeHead(QByteArrayView text);
//! Counts the arrival of a benchmark message (its stamp, phase and index in `head`).
void countArrival(GroupPhase *phase, const QByteArray &head, int64_t now);

//! Some of the member devices on QWebSockets: one /v1/stream WebSocket each, ACKing every
//! envelope like the reference client (collected for `ackDelayMs`, or once the event loop is
//! idle when 0), without decrypting (the sender-key decrypt is measured by
//! tincan-bench-crypto). Counts each arrival of a benchmark message in the current GroupPhase.
//! Own thread (QtMemberStreams).
class GroupReceiver : public QObject
{
    Q_OBJECT

public:
    GroupReceiver(const Endpoint &server, QList<Account> accounts, int ackDelayMs,
                  MemberCounters &counters);
    ~GroupReceiver() override;

    void start();
    void stop();
    void setPhase(GroupPhase *phase) { m_phase = phase; }

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
    MemberCounters &m_counters;
    std::vector<Stream> m_streams;
    std::vector<size_t> m_dirty; //!< Streams with ACKs to send.
    int m_ackDelayMs = 0;
    QTimer *m_ackTimer = nullptr;
    QTimer *m_pingTimer = nullptr;
    std::atomic<GroupPhase *> m_phase{nullptr};
};

//! GroupReceiver on a thread of its own, with the epoll dispatcher.
class QtMemberStreams final : public MemberStreams
{
public:
    QtMemberStreams(const Endpoint &server, QList<Account> accounts, int ackDelayMs)
        : m_thread(new GroupReceiver(server, std::move(accounts), ackDelayMs, *this), "members",
                   true)
    {}
    void setPhase(GroupPhase *phase) override { m_thread->setPhase(phase); }

private:
    OnThread<GroupReceiver> m_thread;
};

} // namespace Tincan::Bench
