#include "bench/loadgen/GroupBench.h"

#include "bench/loadgen/Accounts.h"
#include "bench/loadgen/E2ee.h"
#include "bench/loadgen/GroupReceiver.h"
#include "bench/loadgen/HttpSender.h"
#include "bench/loadgen/OnThread.h"
#include "bench/loadgen/RawMemberStreams.h"
#include "bench/loadgen/Stats.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QUuid>
#include <QtEndian>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <unistd.h>

namespace Tincan::Bench {

namespace {

struct Group
{
    QString id;
    qint64 epoch = 0;
    QList<int> members; //!< Indexes into the accounts, creator first.
};

QJsonObject failure(const QString &message)
{
    return {{QStringLiteral("scenario"), QStringLiteral("groups")},
            {QStringLiteral("error"), message}};
}

void print(const QJsonObject &result)
{
    std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
}

void progress(const QString &message)
{
    std::fprintf(stderr, "tincan-loadgen: %s\n", qPrintable(message));
}

//! POST /v1/groups for each group, one at a time (there are few). Fills id and epoch.
bool createGroups(const Endpoint &server, const QList<Account> &accounts, QList<Group> &groups,
                  QString *error)
{
    QNetworkAccessManager network;
    for (qsizetype g = 0; g < groups.size(); ++g) {
        Group &group = groups[g];
        QJsonArray members;
        for (qsizetype m = 1; m < group.members.size(); ++m) {
            members.append(accounts[group.members[m]].username);
        }
        QUrl url = server.url;
        url.setPath(QStringLiteral("/v1/groups"));
        QNetworkRequest request(url);
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        request.setRawHeader(QByteArrayLiteral("Authorization"),
                             "Bearer " + accounts[group.members.first()].token);
        request.setTransferTimeout(60000);
        const QJsonObject body{{QStringLiteral("name"), QStringLiteral("bench %1").arg(g)},
                               {QStringLiteral("members"), members}};
        QNetworkReply *reply =
            network.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
        server.accept(reply);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray raw = reply->readAll();
        const QJsonObject answer = QJsonDocument::fromJson(raw).object();
        if (status != 201) {
            *error = QStringLiteral("POST /v1/groups answered %1 (%2): %3")
                         .arg(status)
                         .arg(reply->errorString(), QString::fromUtf8(raw.left(300)));
            return false;
        }
        group.id = answer.value(QStringLiteral("id")).toString();
        group.epoch = answer.value(QStringLiteral("epoch")).toInteger();
        const qsizetype listed = answer.value(QStringLiteral("members")).toArray().size();
        if (group.id.isEmpty() || group.epoch < 1 || listed != group.members.size()) {
            *error = QStringLiteral("POST /v1/groups: unexpected answer (%1 members listed of %2): "
                                    "%3")
                         .arg(listed)
                         .arg(group.members.size())
                         .arg(QString::fromUtf8(raw.left(300)));
            return false;
        }
    }
    return true;
}

double percentileMs(std::vector<int64_t> &values, double p)
{
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    const size_t index = std::min(
        values.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(values.size())));
    return static_cast<double>(values[index]) / 1000.0;
}

class Bench
{
public:
    Bench(const GroupBenchOptions &options)
        : m_options(options)
    {}

    bool setUp(QJsonObject *timings, QString *error);
    //! One open-loop phase at `rate` group messages/s; the JSON result.
    QJsonObject phase(double rate, double warmup, double duration, const QString &scenario);
    bool sustained(const QJsonObject &result) const;
    void tearDown();

private:
    QByteArray request(const GroupPhase &phase, qint64 index, int64_t stamp) const;

    GroupBenchOptions m_options;
    QList<Account> m_accounts;
    QList<Group> m_groups;
    std::vector<std::unique_ptr<MemberStreams>> m_receivers;
    std::vector<std::shared_ptr<GroupPhase>> m_phases; //!< Kept: late arrivals may name them.
    QByteArray m_filler;
};

bool Bench::setUp(QJsonObject *timings, QString *error)
{
    const int users = m_options.groups * m_options.members;
    // Every member device publishes keys (the daemon delivers only to devices with keys). The
    // members never decrypt, so they share one valid key set, made by a real Signal device.
    QTemporaryDir keyDir;
    BenchDevice keyDevice(keyDir.filePath(QStringLiteral("keys.db")));
    if (!keyDevice.open(error)) {
        return false;
    }
    const QJsonObject keys = keyDevice.createKeys(error);
    if (keys.isEmpty()) {
        return false;
    }
    const QString tag = QString::number(QRandomGenerator::system()->bounded(1000000u), 36);
    QStringList names;
    QList<QJsonObject> keyList;
    for (int i = 0; i < users; ++i) {
        names << QStringLiteral("g%1-%2").arg(tag).arg(i);
        keyList << keys;
    }
    QElapsedTimer timer;
    timer.start();
    progress(QStringLiteral("registering %1 accounts").arg(users));
    m_accounts = registerAccounts(m_options.server, names, 16, error, keyList);
    if (m_accounts.isEmpty()) {
        *error = QStringLiteral("registration: ") + *error;
        return false;
    }
    timings->insert(QStringLiteral("setup_register_s"),
                    static_cast<double>(timer.elapsed()) / 1000);

    timer.restart();
    progress(
        QStringLiteral("creating %1 groups of %2").arg(m_options.groups).arg(m_options.members));
    for (int g = 0; g < m_options.groups; ++g) {
        Group group;
        for (int m = 0; m < m_options.members; ++m) {
            group.members.append(g * m_options.members + m);
        }
        m_groups.append(group);
    }
    if (!createGroups(m_options.server, m_accounts, m_groups, error)) {
        return false;
    }
    timings->insert(QStringLiteral("setup_groups_s"), static_cast<double>(timer.elapsed()) / 1000);

    timer.restart();
    progress(QStringLiteral("opening %1 streams").arg(users));
    const int threads = std::max(1, m_options.receiverThreads);
    for (int t = 0; t < threads; ++t) {
        QList<Account> share;
        for (qsizetype i = t; i < m_accounts.size(); i += threads) {
            share.append(m_accounts[i]);
        }
        if (m_options.qtReceivers) {
            m_receivers.push_back(
                std::make_unique<QtMemberStreams>(m_options.server, share, m_options.ackDelayMs));
        } else {
            m_receivers.push_back(
                std::make_unique<RawMemberStreams>(m_options.server, share, m_options.ackDelayMs));
        }
    }
    auto count = [this](auto member) {
        qint64 total = 0;
        for (auto &receiver : m_receivers) {
            total += (receiver.get()->*member).load();
        }
        return total;
    };
    // Every stream has caught up (its `created` event included) once it said `synced`.
    const bool allSynced = waitUntil(
        [&] {
            return count(&MemberCounters::synced) == users || count(&MemberCounters::errors) > 0;
        },
        180000);
    if (!allSynced || count(&MemberCounters::errors) > 0) {
        *error = QStringLiteral("streams did not all sync within 180 s: %1 connected, %2 synced, "
                                "%3 errors, %4 closed, of %5")
                     .arg(count(&MemberCounters::connected))
                     .arg(count(&MemberCounters::synced))
                     .arg(count(&MemberCounters::errors))
                     .arg(count(&MemberCounters::disconnected))
                     .arg(users);
        return false;
    }
    // Each member receives its group's `created` event: wait for those too, so that the first
    // phase starts from an empty inbox.
    const bool events =
        waitUntil([&] { return count(&MemberCounters::envelopes) >= users; }, 60000);
    if (!events) {
        *error = QStringLiteral("only %1 of %2 `created` events arrived within 60 s")
                     .arg(count(&MemberCounters::envelopes))
                     .arg(users);
        return false;
    }
    timings->insert(QStringLiteral("setup_streams_s"), static_cast<double>(timer.elapsed()) / 1000);

    m_filler.resize(std::max(20, m_options.payloadBytes));
    QRandomGenerator generator(42);
    for (char &byte : m_filler) {
        byte = static_cast<char>(generator.bounded(256));
    }
    return true;
}

QByteArray Bench::request(const GroupPhase &phase, qint64 index, int64_t stamp) const
{
    // Message `index` goes to group index % groups, from each member of it in turn.
    const auto groupCount = static_cast<qint64>(m_groups.size());
    const Group &group = m_groups[static_cast<qsizetype>(index % groupCount)];
    const int sender =
        group.members[static_cast<qsizetype>((index / groupCount) % group.members.size())];
    QByteArray body = m_filler;
    qToBigEndian<qint64>(stamp, body.data());
    qToBigEndian<qint32>(phase.id, body.data() + 8);
    qToBigEndian<qint64>(index, body.data() + 12);
    const QByteArray json = "{\"body\":\"" + body.toBase64() + "\",\"clientMessageId\":\"" +
                            QUuid::createUuid().toByteArray(QUuid::WithoutBraces) +
                            "\",\"epoch\":" + QByteArray::number(group.epoch) + "}";
    return "POST /v1/groups/" + group.id.toLatin1() +
           "/messages HTTP/1.1\r\nHost: " + m_options.server.url.host().toLatin1() +
           "\r\nAuthorization: Bearer " + m_accounts[sender].token +
           "\r\nContent-Type: application/json\r\nContent-Length: " +
           QByteArray::number(json.size()) + "\r\n\r\n" + json;
}

QJsonObject Bench::phase(double rate, double warmup, double duration, const QString &scenario)
{
    const int expected = m_options.members - 1;
    const auto capacity =
        static_cast<qint64>(std::ceil(rate * (warmup + duration + m_options.drain + 5))) + 64;
    auto phase =
        std::make_shared<GroupPhase>(static_cast<int>(m_phases.size()) + 1, capacity, expected);
    m_phases.push_back(phase);
    GroupPhase *current = phase.get();
    for (auto &receiver : m_receivers) {
        receiver->setPhase(current);
    }
    std::atomic<qint64> refused{0};
    std::atomic<int> firstRefusal{0};

    const int64_t start = nowMicros();
    const int64_t windowFrom = start + static_cast<int64_t>(warmup * 1e6);
    const int64_t windowTo = windowFrom + static_cast<int64_t>(duration * 1e6);
    current->windowFrom = windowFrom;
    current->windowTo = windowTo;
    auto sender = std::make_unique<OnThread<HttpSender>>(
        new HttpSender(
            m_options.server,
            [this, current](qint64 index, int64_t stamp) {
                if (index < current->capacity) {
                    current->stamp[index] = stamp;
                    current->issued = index + 1;
                }
                return request(*current, index, stamp);
            },
            [current, &refused, &firstRefusal](qint64 index, int status) {
                if (index < current->capacity) {
                    current->status[index] = status;
                }
                if (status != 201) {
                    int none = 0;
                    firstRefusal.compare_exchange_strong(none, status);
                    ++refused;
                }
            },
            m_options.connections, rate),
        "sender");

    waitUntil([&] { return nowMicros() >= windowFrom; }, static_cast<int>(warmup * 1000) + 5000);
    const int64_t serverCpuBefore =
        m_options.serverPid ? processCpuMicros(m_options.serverPid) : -1;
    const int64_t selfCpuBefore = processCpuMicros(::getpid());
    waitUntil([&] { return nowMicros() >= windowTo; }, static_cast<int>(duration * 1000) + 5000);
    const int64_t serverCpuAfter = m_options.serverPid ? processCpuMicros(m_options.serverPid) : -1;
    const int64_t selfCpuAfter = processCpuMicros(::getpid());
    const int64_t rss = m_options.serverPid ? processRssKiB(m_options.serverPid) : -1;
    const qint64 deliveriesInWindow = current->deliveriesInWindow.load();

    // The messages due inside the window: [first, last).
    const qint64 issued = std::min(current->issued.load(), capacity);
    qint64 first = 0;
    while (first < issued && current->stamp[first] < windowFrom) {
        ++first;
    }
    qint64 last = first;
    while (last < issued && current->stamp[last] < windowTo) {
        ++last;
    }
    // The load goes on while the window's last messages travel, as in a steady state.
    auto complete = [&] {
        for (qint64 i = first; i < last; ++i) {
            const int status = current->status[i];
            if (status == 0) {
                return false; // Not answered yet.
            }
            if ((status == 201 || status == 200) && current->arrived[i] < expected) {
                return false;
            }
        }
        return true;
    };
    const bool drained = waitUntil(complete, static_cast<int>(m_options.drain * 1000));
    const double httpP50 = (*sender)->roundTrip.percentileMs(50);
    const double httpP99 = (*sender)->roundTrip.percentileMs(99);
    sender.reset();

    std::vector<int64_t> lastMember;
    std::vector<int64_t> early; // First fifth of the window.
    std::vector<int64_t> late;  // Last fifth.
    qint64 accepted = 0;
    qint64 incomplete = 0;
    qint64 deliveries = 0;
    const int64_t fifth = (windowTo - windowFrom) / 5;
    for (qint64 i = first; i < last; ++i) {
        const int status = current->status[i];
        if (status != 201 && status != 200) {
            continue;
        }
        ++accepted;
        deliveries += current->arrived[i];
        if (current->arrived[i] < expected) {
            ++incomplete;
            continue;
        }
        const int64_t latency = current->lastArrival[i] - current->stamp[i];
        lastMember.push_back(latency);
        if (current->stamp[i] < windowFrom + fifth) {
            early.push_back(latency);
        } else if (current->stamp[i] >= windowTo - fifth) {
            late.push_back(latency);
        }
    }
    const double earlyP50 = percentileMs(early, 50);
    const double lateP50 = percentileMs(late, 50);
    QJsonObject result{
        {QStringLiteral("scenario"), scenario},
        {QStringLiteral("groups"), m_options.groups},
        {QStringLiteral("members"), m_options.members},
        {QStringLiteral("payload"), QStringLiteral("opaque")},
        {QStringLiteral("payload_bytes"), m_filler.size()},
        {QStringLiteral("ack_delay_ms"), m_options.ackDelayMs},
        {QStringLiteral("target_rate"), rate},
        {QStringLiteral("target_deliveries_per_s"), rate * expected},
        {QStringLiteral("http_connections"), m_options.connections},
        {QStringLiteral("duration_s"), duration},
        {QStringLiteral("accepted_per_s"), static_cast<double>(accepted) / duration},
        {QStringLiteral("refused"), static_cast<double>(refused.load())},
        {QStringLiteral("deliveries_per_s"), static_cast<double>(deliveriesInWindow) / duration},
        {QStringLiteral("window_messages"), static_cast<double>(accepted)},
        {QStringLiteral("window_deliveries"), static_cast<double>(deliveries)},
        {QStringLiteral("incomplete_messages"), static_cast<double>(incomplete)},
        {QStringLiteral("drained"), drained},
        {QStringLiteral("last_member_p50_ms"), percentileMs(lastMember, 50)},
        {QStringLiteral("last_member_p99_ms"), percentileMs(lastMember, 99)},
        {QStringLiteral("last_member_p999_ms"), percentileMs(lastMember, 99.9)},
        {QStringLiteral("last_member_max_ms"), percentileMs(lastMember, 100)},
        {QStringLiteral("last_member_p50_first_fifth_ms"), earlyP50},
        {QStringLiteral("last_member_p50_last_fifth_ms"), lateP50},
        {QStringLiteral("delivery_p50_ms"), current->deliveryLatency.percentileMs(50)},
        {QStringLiteral("delivery_p99_ms"), current->deliveryLatency.percentileMs(99)},
        {QStringLiteral("http_p50_ms"), httpP50},
        {QStringLiteral("http_p99_ms"), httpP99},
    };
    if (firstRefusal.load() != 0) {
        result.insert(QStringLiteral("first_refusal_status"), firstRefusal.load());
    }
    if (serverCpuBefore >= 0 && serverCpuAfter >= 0) {
        const double cpu = static_cast<double>(serverCpuAfter - serverCpuBefore);
        result.insert(QStringLiteral("server_cpu_cores"), cpu / (duration * 1e6));
        if (deliveriesInWindow > 0) {
            result.insert(QStringLiteral("server_cpu_us_per_delivery"),
                          cpu / static_cast<double>(deliveriesInWindow));
        }
    }
    if (rss > 0) {
        result.insert(QStringLiteral("server_rss_mib"), static_cast<double>(rss) / 1024.0);
    }
    if (selfCpuBefore >= 0 && selfCpuAfter >= 0) {
        result.insert(QStringLiteral("loadgen_cpu_cores"),
                      static_cast<double>(selfCpuAfter - selfCpuBefore) / (duration * 1e6));
    }
    qint64 closed = 0;
    qint64 errors = 0;
    for (auto &receiver : m_receivers) {
        closed += receiver->disconnected.load();
        errors += receiver->errors.load();
    }
    if (closed > 0 || errors > 0) {
        result.insert(QStringLiteral("error"),
                      QStringLiteral("%1 member streams closed, %2 stream errors (see stderr)")
                          .arg(closed)
                          .arg(errors));
    }
    if (!m_options.label.isEmpty()) {
        result.insert(QStringLiteral("label"), m_options.label);
    }
    result.insert(QStringLiteral("members_on"),
                  m_options.qtReceivers ? QStringLiteral("qt") : QStringLiteral("raw"));

    // Before the next phase: let what this one sent arrive (messages issued after the window
    // included), so that no backlog carries over.
    const qint64 issuedAll = std::min(current->issued.load(), capacity);
    waitUntil(
        [&] {
            for (qint64 i = 0; i < issuedAll; ++i) {
                const int status = current->status[i];
                if ((status == 201 || status == 200) && current->arrived[i] < expected) {
                    return false;
                }
            }
            return true;
        },
        120000);
    return result;
}

bool Bench::sustained(const QJsonObject &result) const
{
    // Keeping up: no refusals, every message of the window reached every member within the
    // drain time, deliveries at least 97% of the offered rate, and no growing backlog (the
    // last-member latency at the end of the window no more than 100 ms above its start).
    const double offered = result.value(QStringLiteral("target_deliveries_per_s")).toDouble();
    return !result.contains(QStringLiteral("error")) &&
           result.value(QStringLiteral("refused")).toDouble() == 0 &&
           result.value(QStringLiteral("incomplete_messages")).toDouble() == 0 &&
           result.value(QStringLiteral("deliveries_per_s")).toDouble() >= 0.97 * offered &&
           result.value(QStringLiteral("last_member_p50_last_fifth_ms")).toDouble() <=
               result.value(QStringLiteral("last_member_p50_first_fifth_ms")).toDouble() + 100 &&
           result.value(QStringLiteral("last_member_p99_ms")).toDouble() <= 1000;
}

void Bench::tearDown()
{
    m_receivers.clear();
}

} // namespace

QList<QJsonObject> runGroupBench(const GroupBenchOptions &options)
{
    QList<QJsonObject> results;
    if (options.groups < 1 || options.members < 2) {
        results.append(failure(QStringLiteral("need at least 1 group of 2 members")));
        print(results.last());
        return results;
    }
    Bench bench(options);
    QJsonObject setup;
    QString error;
    if (!bench.setUp(&setup, &error)) {
        bench.tearDown();
        results.append(failure(error));
        print(results.last());
        return results;
    }
    auto finish = [&](QJsonObject result) {
        for (auto it = setup.constBegin(); it != setup.constEnd(); ++it) {
            result.insert(it.key(), it.value());
        }
        print(result);
        results.append(result);
    };

    double rate = options.rate;
    if (rate <= 0) {
        // Saturation search.
        double ok = 0;
        double bad = 0;
        for (double step = options.sweepFrom; step <= options.sweepMax;
             step *= options.sweepFactor) {
            progress(QStringLiteral("sweep: %1 messages/s").arg(step));
            QJsonObject result = bench.phase(step, options.sweepWarmup, options.sweepDuration,
                                             QStringLiteral("groups_sweep"));
            const bool kept = bench.sustained(result);
            result.insert(QStringLiteral("sustained"), kept);
            finish(result);
            if (!kept) {
                bad = step;
                break;
            }
            ok = step;
        }
        for (int i = 0; i < options.sweepRefine && ok > 0 && bad > 0; ++i) {
            const double step = std::round((ok + bad) / 2);
            progress(QStringLiteral("sweep: %1 messages/s").arg(step));
            QJsonObject result = bench.phase(step, options.sweepWarmup, options.sweepDuration,
                                             QStringLiteral("groups_sweep"));
            const bool kept = bench.sustained(result);
            result.insert(QStringLiteral("sustained"), kept);
            finish(result);
            (kept ? ok : bad) = step;
        }
        if (ok <= 0) {
            QJsonObject result = failure(
                QStringLiteral("not even %1 messages/s were sustained").arg(options.sweepFrom));
            finish(result);
            bench.tearDown();
            return results;
        }
        rate = ok / 2;
        setup.insert(QStringLiteral("saturation_rate"), ok);
        setup.insert(QStringLiteral("saturation_deliveries_per_s"), ok * (options.members - 1));
    }
    progress(QStringLiteral("measuring at %1 messages/s").arg(rate));
    finish(bench.phase(rate, options.warmup, options.duration, QStringLiteral("groups")));
    bench.tearDown();
    return results;
}

} // namespace Tincan::Bench
