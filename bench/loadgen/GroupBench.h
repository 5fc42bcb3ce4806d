#pragma once

#include "bench/loadgen/Endpoint.h"
#include "shared/protocol/Frames.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace Tincan::Bench {

struct GroupBenchOptions
{
    Endpoint server;
    int groups = 20;
    int members = 100;    //!< Per group, creator included; one device each.
    double rate = 0;      //!< Group messages/s for the measured run (0: half the saturation).
    double warmup = 3;    //!< Seconds before the measured window.
    double duration = 15; //!< Seconds measured.
    double drain = 10;    //!< Most seconds to wait for the window's messages to arrive.
    int connections = 16; //!< HTTP connections for sending.
    int receiverThreads = 2;
    int payloadBytes = 200; //!< Opaque body (the sender-key ciphertext is not decrypted).
    //! Like the reference client once live (0: ACK after each read); see RawMemberStreams.
    int ackDelayMs = Protocol::AckDelayMs;
    bool qtReceivers = false; //!< Members on QWebSockets (GroupReceiver) instead of raw streams.
    // The saturation search (used when rate is 0): open-loop steps from sweepFrom, each
    // sweepFactor times the last, until one is not sustained; then `sweepRefine` bisections.
    double sweepFrom = 200;
    double sweepFactor = 1.25;
    double sweepMax = 20000;
    int sweepRefine = 2;
    double sweepWarmup = 2;
    double sweepDuration = 6;
    qint64 serverPid = 0;
    QString label; //!< Copied into every result (e.g. the daemon's fan-out mode).
};

//! 20 groups of 100 online members (by default): registers one account with one device and
//! published keys per member, creates the groups, opens every member's stream and waits for
//! `synced`; then finds the saturation rate (the highest open-loop rate of group messages whose
//! deliveries keep up, without a growing backlog) unless a rate is given, and measures
//! deliveries/s and the latency to the last member device at half of it (or at the rate).
//! Returns one JSON object per measured phase (sweep steps, then the run); an object with
//! `error` ends the list on failure. Main thread.
QList<QJsonObject> runGroupBench(const GroupBenchOptions &options);

} // namespace Tincan::Bench
