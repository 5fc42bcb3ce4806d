// tincand: the Tincan server daemon. Wiring only; the logic lives in Tincan::Server.
#include "server/core/Config.h"
#include "server/core/Server.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLoggingCategory>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {
int s_signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(s_signalPipe[1], &byte, 1);
}

int fail(const QString &message)
{
    std::fprintf(stderr, "tincand: %s\n", qPrintable(message));
    return 1;
}
} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    // QtHttpServer warns on every refused WebSocket upgrade; refusals are answered (401 JSON)
    // and anyone could fill the log with them. QT_LOGGING_RULES still overrides this.
    QLoggingCategory::setFilterRules(QStringLiteral("qt.httpserver.warning=false"));
    QCoreApplication::setApplicationName(QStringLiteral("tincand"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TINCAN_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Tincan server daemon"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption configOption(QStringLiteral("config"),
                                          QStringLiteral("Read settings from this INI file."),
                                          QStringLiteral("FILE"));
    const QCommandLineOption dataOption(QStringLiteral("data-dir"),
                                        QStringLiteral("Keep the database in DIR."),
                                        QStringLiteral("DIR"));
    const QCommandLineOption listenOption(
        QStringLiteral("listen"), QStringLiteral("Listen on ADDR:PORT (default 127.0.0.1:7420)."),
        QStringLiteral("ADDR:PORT"));
    const QCommandLineOption threadsOption(QStringLiteral("threads"),
                                           QStringLiteral("Connection threads (0: automatic)."),
                                           QStringLiteral("N"));
    const QCommandLineOption inviteOption(
        QStringLiteral("create-invite"),
        QStringLiteral("Create an invite code valid for HOURS hours, print it, and exit."),
        QStringLiteral("HOURS"));
    const QCommandLineOption fingerprintOption(
        QStringLiteral("print-fingerprint"),
        QStringLiteral(
            "Print the SHA-256 fingerprint of the server's TLS certificate (creating the "
            "self-signed one if needed) and exit."));
    const QCommandLineOption noAdvertiseOption(
        QStringLiteral("no-advertise"),
        QStringLiteral("Do not advertise the server on the local network (DNS-SD), whatever "
                       "[discovery] advertise says."));
    parser.addOptions({configOption, dataOption, listenOption, threadsOption, inviteOption,
                       fingerprintOption, noAdvertiseOption});
    parser.process(app);

    Tincan::Server::Config config;
    QString error;
    if (parser.isSet(configOption) && !config.loadFile(parser.value(configOption), &error)) {
        return fail(error);
    }
    if (parser.isSet(dataOption)) {
        config.dataDir = parser.value(dataOption);
    }
    if (parser.isSet(listenOption) && !config.setListen(parser.value(listenOption), &error)) {
        return fail(error);
    }
    if (parser.isSet(noAdvertiseOption)) {
        config.advertise = false;
    }
    if (parser.isSet(threadsOption)) {
        bool ok = false;
        config.threads = parser.value(threadsOption).toInt(&ok);
        if (!ok || config.threads < 0 || config.threads > 256) {
            return fail(QStringLiteral("--threads must be between 0 and 256."));
        }
    }

    if (parser.isSet(inviteOption)) {
        bool ok = false;
        const double hours = parser.value(inviteOption).toDouble(&ok);
        if (!ok || hours <= 0 || hours > 24 * 365) {
            return fail(QStringLiteral("--create-invite needs a number of hours (up to a year)."));
        }
        QString code;
        if (!Tincan::Server::Server::createInvite(config, static_cast<qint64>(hours * 3600), &code,
                                                  &error)) {
            return fail(error);
        }
        std::printf("%s\n", qPrintable(code));
        return 0;
    }

    if (parser.isSet(fingerprintOption)) {
        QString fingerprint;
        if (!Tincan::Server::Server::certificateFingerprint(config, &fingerprint, &error)) {
            return fail(error);
        }
        std::printf("%s\n", qPrintable(fingerprint));
        return 0;
    }

    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, s_signalPipe) != 0) {
        return fail(QStringLiteral("Cannot set up signal handling."));
    }
    QSocketNotifier signalNotifier(s_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&signalNotifier, &QSocketNotifier::activated, &app, [] {
        char byte = 0;
        [[maybe_unused]] const auto got = ::read(s_signalPipe[0], &byte, 1);
        QCoreApplication::quit();
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    // Every WebSocket is a file descriptor: allow as many as the administrator's hard limit does.
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &files);
    }

    Tincan::Server::Server server(config);
    if (!server.start(&error)) {
        return fail(error);
    }
    const QString host = config.listenAddress.protocol() == QAbstractSocket::IPv6Protocol
                             ? QStringLiteral("[%1]").arg(config.listenAddress.toString())
                             : config.listenAddress.toString();
    if (server.createdCertificate()) {
        std::printf("tincand created a self-signed TLS certificate in %s\n",
                    qPrintable(config.tlsDirectory()));
    }
    if (!server.fingerprint().isEmpty()) {
        // Users compare this with what their client pinned (see docs/admin.md).
        std::printf("tincand certificate SHA-256 fingerprint %s\n",
                    qPrintable(server.fingerprint()));
    }
    std::printf("tincand listening on %s://%s:%u\n", qPrintable(server.scheme()), qPrintable(host),
                server.port());
    std::fflush(stdout);

    const int rc = QCoreApplication::exec();
    server.stop();
    std::printf("tincand stopped\n");
    return rc;
}
