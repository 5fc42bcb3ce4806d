// tincan-loadgen: load generator for tincand, speaking the real protocol.
//
//   relay: N online sender->recipient pairs; POST /v1/messages at a fixed total rate (open loop)
//          or as fast as the server answers (--rate 0, closed loop); recipients on /v1/stream.
//          Reports delivered messages/s, end-to-end latency percentiles (sender stamp to
//          recipient receipt) and, with --server-pid, the server's CPU time per message.
//   groups: --groups G of --members M online members (one device each); group messages
//          (POST /v1/groups/{id}/messages, opaque bodies) at --rate, or, with --rate 0, a search
//          for the saturation rate and then a run at half of it. Reports deliveries/s and the
//          latency to the last member device; see GroupBench.h.
//   idle:  opens --idle authenticated WebSockets that stay idle (bound to several 127.0.0.x
//          source addresses), reports the server's memory per connection, then runs one active
//          pair at --rate and reports its latency while the idle ones are held.
#include "bench/loadgen/Accounts.h"
#include "bench/loadgen/E2ee.h"
#include "bench/loadgen/GroupBench.h"
#include "bench/loadgen/HttpSender.h"
#include "bench/loadgen/IdleHolder.h"
#include "bench/loadgen/OnThread.h"
#include "bench/loadgen/Receiver.h"
#include "bench/loadgen/Stats.h"

#include "shared/protocol/Fingerprint.h"
#include "shared/protocol/Frames.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <cstdio>
#include <sys/resource.h>

using namespace Tincan::Bench;

namespace {

struct Options
{
    Endpoint server;
    QString scenario;
    int pairs = 10;
    double rate = 1000;
    int connections = 16;
    double warmup = 2;
    double duration = 10;
    int idle = 0;
    int sources = 4;
    qint64 serverPid = 0;
    bool e2ee = true;  //!< Real Signal-protocol payloads (else opaque bytes).
    QString cryptoDir; //!< Where the simulated devices keep their protocol state.
};

void pause(double seconds)
{
    waitUntil([] { return false; }, static_cast<int>(seconds * 1000));
}

QString runTag()
{
    return QString::number(QRandomGenerator::system()->bounded(1000000u), 36);
}

QList<Pair> makePairs(const Options &options, QString *error)
{
    const QString tag = runTag();
    QStringList names;
    for (int i = 0; i < options.pairs; ++i) {
        names << QStringLiteral("s%1-%2").arg(tag).arg(i)
              << QStringLiteral("r%1-%2").arg(tag).arg(i);
    }
    // Every device has real keys (the server only delivers to devices with keys).
    std::vector<std::unique_ptr<BenchDevice>> devices;
    QList<QJsonObject> keys;
    for (const QString &name : std::as_const(names)) {
        devices.push_back(std::make_unique<BenchDevice>(options.cryptoDir + QLatin1Char('/') +
                                                        name + QStringLiteral(".db")));
        if (!devices.back()->open(error)) {
            return {};
        }
        keys.append(devices.back()->createKeys(error));
        if (keys.last().isEmpty()) {
            return {};
        }
    }
    QList<Account> accounts = registerAccounts(options.server, names, 16, error, keys);
    QList<Pair> pairs;
    for (qsizetype i = 0; i + 1 < accounts.size(); i += 2) {
        accounts[i].cryptoPath =
            options.cryptoDir + QLatin1Char('/') + names[i] + QStringLiteral(".db");
        accounts[i + 1].cryptoPath =
            options.cryptoDir + QLatin1Char('/') + names[i + 1] + QStringLiteral(".db");
        if (options.e2ee &&
            !establishSession(*devices[static_cast<size_t>(i)], accounts[i],
                              *devices[static_cast<size_t>(i + 1)], accounts[i + 1], error)) {
            return {};
        }
        pairs.append({accounts[i], accounts[i + 1]});
    }
    return pairs;
}

//! One measured relay run; returns the result as JSON.
QJsonObject relay(const Options &options, const QList<Pair> &pairs)
{
    QList<Account> recipients;
    for (const Pair &pair : pairs) {
        recipients.append(pair.recipient);
    }
    OnThread<Receiver> receiver(new Receiver(options.server, recipients, options.e2ee), "receiver");
    waitUntil([&] { return receiver->connected.load() == recipients.size(); }, 30000);
    if (receiver->connected.load() != recipients.size()) {
        return {{QStringLiteral("error"), QStringLiteral("recipients could not connect")}};
    }
    pause(0.5); // Let the hello/synced frames settle.

    const int64_t start = nowMicros();
    const int64_t windowFrom = start + static_cast<int64_t>(options.warmup * 1e6);
    const int64_t windowTo = windowFrom + static_cast<int64_t>(options.duration * 1e6);
    receiver->setWindow(windowFrom, windowTo);
    OnThread<HttpSender> sender(
        new HttpSender(options.server, pairs, options.connections, options.rate, options.e2ee),
        "sender");

    waitUntil([&] { return nowMicros() >= windowFrom; },
              static_cast<int>(options.warmup * 1000) + 1000);
    const int64_t cpuBefore = options.serverPid ? processCpuMicros(options.serverPid) : -1;
    const qint64 acceptedBefore = sender->accepted.load();
    waitUntil([&] { return nowMicros() >= windowTo; },
              static_cast<int>(options.duration * 1000) + 1000);
    const int64_t cpuAfter = options.serverPid ? processCpuMicros(options.serverPid) : -1;
    const qint64 acceptedInWindow = sender->accepted.load() - acceptedBefore;
    // Give messages stamped inside the window time to arrive.
    pause(2.0);

    const double delivered = static_cast<double>(receiver->delivered.load());
    QJsonObject result{
        {QStringLiteral("scenario"), QStringLiteral("relay")},
        {QStringLiteral("pairs"), options.pairs},
        {QStringLiteral("target_rate"), options.rate},
        {QStringLiteral("payload"),
         options.e2ee ? QStringLiteral("e2ee") : QStringLiteral("opaque")},
        {QStringLiteral("http_connections"), options.connections},
        {QStringLiteral("duration_s"), options.duration},
        {QStringLiteral("accepted_per_s"),
         static_cast<double>(acceptedInWindow) / options.duration},
        {QStringLiteral("delivered_per_s"), delivered / options.duration},
        {QStringLiteral("refused"), static_cast<double>(sender->refused.load())},
        {QStringLiteral("latency_p50_ms"), receiver->latency.percentileMs(50)},
        {QStringLiteral("latency_p99_ms"), receiver->latency.percentileMs(99)},
        {QStringLiteral("latency_p999_ms"), receiver->latency.percentileMs(99.9)},
        {QStringLiteral("latency_max_ms"), receiver->latency.maxMs()},
        {QStringLiteral("http_p50_ms"), sender->roundTrip.percentileMs(50)},
        {QStringLiteral("http_p99_ms"), sender->roundTrip.percentileMs(99)},
    };
    if (cpuBefore >= 0 && cpuAfter >= 0 && delivered > 0) {
        result.insert(QStringLiteral("server_cpu_us_per_msg"),
                      static_cast<double>(cpuAfter - cpuBefore) / delivered);
        result.insert(QStringLiteral("server_cpu_cores"),
                      static_cast<double>(cpuAfter - cpuBefore) / (options.duration * 1e6));
    }
    return result;
}

QJsonObject idle(const Options &options)
{
    QString error;
    const QString user = QStringLiteral("idle%1").arg(runTag());
    QList<Account> owner = registerAccounts(options.server, {user}, 1, &error);
    if (owner.isEmpty()) {
        return {{QStringLiteral("error"), error}};
    }
    QElapsedTimer timer;
    timer.start();
    QList<Account> devices = loginDevices(options.server, user, options.idle, 32, &error);
    if (devices.isEmpty()) {
        return {{QStringLiteral("error"), error}};
    }
    const double loginSeconds = static_cast<double>(timer.elapsed()) / 1000.0;
    const int64_t rssBefore = options.serverPid ? processRssKiB(options.serverPid) : -1;

    QList<QHostAddress> sources;
    for (int i = 0; i < options.sources; ++i) {
        sources.append(QHostAddress(QStringLiteral("127.0.0.%1").arg(2 + i)));
    }
    // Several holder threads, so that the load generator's own event loops stay small.
    constexpr int Holders = 4;
    std::vector<std::unique_ptr<OnThread<IdleHolder>>> holders;
    timer.restart();
    for (int h = 0; h < Holders; ++h) {
        QList<Account> share;
        for (qsizetype i = h; i < devices.size(); i += Holders) {
            share.append(devices[i]);
        }
        holders.push_back(std::make_unique<OnThread<IdleHolder>>(
            new IdleHolder(options.server, share, sources), "idle"));
    }
    auto settled = [&] {
        qint64 total = 0;
        for (auto &holder : holders) {
            total += (*holder)->upgraded.load() + (*holder)->failed.load();
        }
        return total;
    };
    waitUntil([&] { return settled() >= options.idle; }, 300000);
    qint64 upgraded = 0;
    qint64 failed = 0;
    for (auto &holder : holders) {
        upgraded += (*holder)->upgraded.load();
        failed += (*holder)->failed.load();
    }
    const double openSeconds = static_cast<double>(timer.elapsed()) / 1000.0;
    pause(2.0);
    const int64_t rssAfter = options.serverPid ? processRssKiB(options.serverPid) : -1;

    Options active = options;
    active.pairs = 1;
    active.connections = 1;
    QList<Pair> pairs = makePairs(active, &error);
    QJsonObject result =
        pairs.isEmpty() ? QJsonObject{{QStringLiteral("error"), error}} : relay(active, pairs);
    result.insert(QStringLiteral("scenario"), QStringLiteral("idle"));
    result.insert(QStringLiteral("idle_requested"), options.idle);
    result.insert(QStringLiteral("idle_connected"), upgraded);
    result.insert(QStringLiteral("idle_failed"), failed);
    result.insert(QStringLiteral("device_logins_s"), loginSeconds);
    result.insert(QStringLiteral("idle_open_s"), openSeconds);
    if (rssBefore > 0 && rssAfter > 0 && upgraded > 0) {
        result.insert(QStringLiteral("server_rss_before_mib"),
                      static_cast<double>(rssBefore) / 1024.0);
        result.insert(QStringLiteral("server_rss_after_mib"),
                      static_cast<double>(rssAfter) / 1024.0);
        result.insert(QStringLiteral("server_kib_per_connection"),
                      static_cast<double>(rssAfter - rssBefore) / static_cast<double>(upgraded));
    }
    return result;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Load generator for tincand"));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("server"), QStringLiteral("Server URL."), QStringLiteral("URL"),
         QStringLiteral("https://127.0.0.1:7420")},
        {QStringLiteral("server-fingerprint"),
         QStringLiteral("SHA-256 fingerprint of the server's certificate (https; see tincand "
                        "--print-fingerprint)."),
         QStringLiteral("SHA256")},
        {QStringLiteral("scenario"), QStringLiteral("relay, idle or groups."),
         QStringLiteral("NAME"), QStringLiteral("relay")},
        {QStringLiteral("pairs"), QStringLiteral("Sender/recipient pairs."), QStringLiteral("N"),
         QStringLiteral("10")},
        {QStringLiteral("rate"),
         QStringLiteral("Total messages/s (0: closed loop, as fast as answered)."),
         QStringLiteral("R"), QStringLiteral("1000")},
        {QStringLiteral("connections"), QStringLiteral("HTTP connections for sending."),
         QStringLiteral("N"), QStringLiteral("16")},
        {QStringLiteral("warmup"), QStringLiteral("Seconds before measuring."), QStringLiteral("S"),
         QStringLiteral("2")},
        {QStringLiteral("duration"), QStringLiteral("Seconds measured."), QStringLiteral("S"),
         QStringLiteral("10")},
        {QStringLiteral("idle"), QStringLiteral("idle: connections to hold."), QStringLiteral("N"),
         QStringLiteral("1000")},
        {QStringLiteral("sources"), QStringLiteral("idle: source addresses 127.0.0.2..."),
         QStringLiteral("N"), QStringLiteral("4")},
        {QStringLiteral("server-pid"), QStringLiteral("Server process id, for CPU and memory."),
         QStringLiteral("PID"), QStringLiteral("0")},
        {QStringLiteral("payload"),
         QStringLiteral("relay: e2ee (real Signal-protocol messages, encrypted and decrypted by "
                        "the load generator) or opaque (random bytes)."),
         QStringLiteral("KIND"), QStringLiteral("e2ee")},
        {QStringLiteral("groups"), QStringLiteral("groups: number of groups."), QStringLiteral("N"),
         QStringLiteral("20")},
        {QStringLiteral("members"),
         QStringLiteral("groups: members per group, creator included (one device each)."),
         QStringLiteral("N"), QStringLiteral("100")},
        {QStringLiteral("drain"),
         QStringLiteral("groups: most seconds to wait for the window's messages to arrive."),
         QStringLiteral("S"), QStringLiteral("10")},
        {QStringLiteral("receiver-threads"),
         QStringLiteral("groups: threads holding the member streams."), QStringLiteral("N"),
         QStringLiteral("2")},
        {QStringLiteral("sweep-from"),
         QStringLiteral("groups, --rate 0: first rate of the saturation search (messages/s)."),
         QStringLiteral("R"), QStringLiteral("200")},
        {QStringLiteral("sweep-factor"),
         QStringLiteral("groups, --rate 0: each search step's rate over the last."),
         QStringLiteral("F"), QStringLiteral("1.25")},
        {QStringLiteral("sweep-refine"),
         QStringLiteral("groups, --rate 0: bisection steps after the first unsustained rate."),
         QStringLiteral("N"), QStringLiteral("2")},
        {QStringLiteral("sweep-duration"),
         QStringLiteral("groups, --rate 0: seconds measured per search step (after 2 s of "
                        "warm-up)."),
         QStringLiteral("S"), QStringLiteral("6")},
        {QStringLiteral("ack-delay-ms"),
         QStringLiteral("groups: each member collects its ACKs for this long (or 64 of them), "
                        "like the reference client once it caught up (Protocol::AckDelayMs); "
                        "0 = when its event loop is idle."),
         QStringLiteral("MS"), QString::number(Tincan::Protocol::AckDelayMs)},
        {QStringLiteral("members-on"),
         QStringLiteral("groups: raw (member streams on epoll and OpenSSL, RawMemberStreams) or "
                        "qt (QWebSocket, like the client; costs the machine more per delivery)."),
         QStringLiteral("KIND"), QStringLiteral("raw")},
        {QStringLiteral("label"), QStringLiteral("groups: a note copied into every result."),
         QStringLiteral("TEXT")},
    });
    parser.process(app);
    Options options;
    options.server.url = QUrl(parser.value(QStringLiteral("server")));
    options.server.certificateDigest =
        Tincan::Protocol::parseFingerprint(parser.value(QStringLiteral("server-fingerprint")));
    if (options.server.tls() && options.server.certificateDigest.isEmpty()) {
        std::fprintf(stderr, "tincan-loadgen: https needs --server-fingerprint\n");
        return 1;
    }
    options.scenario = parser.value(QStringLiteral("scenario"));
    options.pairs = parser.value(QStringLiteral("pairs")).toInt();
    options.rate = parser.value(QStringLiteral("rate")).toDouble();
    options.connections = parser.value(QStringLiteral("connections")).toInt();
    options.warmup = parser.value(QStringLiteral("warmup")).toDouble();
    options.duration = parser.value(QStringLiteral("duration")).toDouble();
    options.idle = parser.value(QStringLiteral("idle")).toInt();
    options.sources = parser.value(QStringLiteral("sources")).toInt();
    options.serverPid = parser.value(QStringLiteral("server-pid")).toLongLong();
    options.e2ee = parser.value(QStringLiteral("payload")) != QLatin1String("opaque");
    QTemporaryDir cryptoDir;
    options.cryptoDir = cryptoDir.path();
    if (options.pairs < 1 || options.connections < 1 || options.duration <= 0 || options.rate < 0) {
        std::fprintf(stderr, "tincan-loadgen: bad numbers\n");
        return 1;
    }

    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0) {
        files.rlim_cur = files.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &files);
    }

    QJsonObject result;
    if (options.scenario == QLatin1String("relay")) {
        QString error;
        const QList<Pair> pairs = makePairs(options, &error);
        result =
            pairs.isEmpty() ? QJsonObject{{QStringLiteral("error"), error}} : relay(options, pairs);
    } else if (options.scenario == QLatin1String("idle")) {
        result = idle(options);
    } else if (options.scenario == QLatin1String("groups")) {
        GroupBenchOptions groups;
        groups.server = options.server;
        groups.groups = parser.value(QStringLiteral("groups")).toInt();
        groups.members = parser.value(QStringLiteral("members")).toInt();
        groups.rate = options.rate;
        groups.warmup = options.warmup;
        groups.duration = options.duration;
        groups.drain = parser.value(QStringLiteral("drain")).toDouble();
        groups.connections = options.connections;
        groups.receiverThreads = parser.value(QStringLiteral("receiver-threads")).toInt();
        groups.sweepFrom = parser.value(QStringLiteral("sweep-from")).toDouble();
        groups.sweepFactor = parser.value(QStringLiteral("sweep-factor")).toDouble();
        groups.sweepRefine = parser.value(QStringLiteral("sweep-refine")).toInt();
        groups.sweepDuration = parser.value(QStringLiteral("sweep-duration")).toDouble();
        groups.serverPid = options.serverPid;
        groups.label = parser.value(QStringLiteral("label"));
        groups.ackDelayMs = parser.value(QStringLiteral("ack-delay-ms")).toInt();
        groups.qtReceivers = parser.value(QStringLiteral("members-on")) == QLatin1String("qt");
        if (groups.sweepFrom <= 0 || groups.sweepFactor <= 1 || groups.sweepDuration <= 0) {
            std::fprintf(stderr, "tincan-loadgen: bad sweep numbers\n");
            return 1;
        }
        // Each phase's result is printed as it is measured (one JSON object per line).
        const QList<QJsonObject> results = runGroupBench(groups);
        for (const QJsonObject &each : results) {
            if (each.contains(QStringLiteral("error"))) {
                return 2;
            }
        }
        return results.isEmpty() ? 2 : 0;
    } else {
        std::fprintf(stderr, "tincan-loadgen: unknown scenario\n");
        return 1;
    }
    std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    return result.contains(QStringLiteral("error")) ? 2 : 0;
}
