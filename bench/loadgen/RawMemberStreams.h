#pragma once

#include "bench/loadgen/Accounts.h"
#include "bench/loadgen/Endpoint.h"
#include "bench/loadgen/GroupReceiver.h"

#include <atomic>
#include <memory>
#include <thread>

namespace Tincan::Bench {

//! Member devices of the group benchmark on one thread, without Qt's network stack: each is a
//! non-blocking socket on the thread's epoll, with OpenSSL for TLS (pinned to the server's
//! certificate digest, like the client) and the client side of RFC 6455 for /v1/stream.
//! Speaks the same protocol as GroupReceiver and ACKs the same way (Protocol::AckDelayMs or
//! Protocol::AckBatch, like ClientCore once it caught up; `ackDelayMs` 0: after each read).
//!
//! Why: 2,000 QWebSockets cost the load generator about 20 us of CPU per delivery, on the same
//! two cores as the daemon it measures. This costs a fraction of that, so more of the machine
//! goes to the daemon. It only receives; the daemon's side is unchanged.
class RawMemberStreams final : public MemberStreams
{
public:
    RawMemberStreams(const Endpoint &server, QList<Account> accounts, int ackDelayMs);
    ~RawMemberStreams() override;

    void setPhase(GroupPhase *phase) override { m_phase = phase; }

private:
    struct Loop;
    std::atomic<GroupPhase *> m_phase{nullptr};
    std::atomic<bool> m_stop{false};
    std::unique_ptr<Loop> m_loop; // After what it refers to.
    std::thread m_thread;
};

} // namespace Tincan::Bench
