// LAN discovery: tincand advertises itself with DNS-SD as _tincan._tcp (its certificate
// fingerprint in the TXT record), ServiceBrowser finds it live, with the addresses to connect to,
// and loses it when it stops. Runs against a real Avahi daemon: scripts/with-avahi.sh starts a
// throwaway one (run-tests.sh does); without any, the tests that need one are skipped.
#include "shared/discovery/DiscoveredServer.h"
#include "shared/discovery/ServiceAdvertiser.h"
#include "shared/discovery/ServiceBrowser.h"
#include "shared/protocol/Fingerprint.h"
#include "tests/common/TestServer.h"

#include <QDeadlineTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cstdio>
#include <optional>

using namespace Tincan;
using namespace Tincan::Discovery;
using namespace Tincan::Test;

namespace {

constexpr int Timeout = 20000;

//! A name no other test run (in parallel, on the same daemon or network) uses.
QString uniqueName(const QString &what)
{
    return QStringLiteral("tst_discovery %1 %2 %3")
        .arg(what)
        .arg(QCoreApplication::applicationPid())
        .arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
}

QString randomFingerprint()
{
    QByteArray digest(32, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(digest.data()), 8);
    return Protocol::formatFingerprint(digest);
}

//! Sets an environment variable for one scope (the Avahi client reads DBUS_SYSTEM_BUS_ADDRESS
//! each time it connects; tincand inherits the environment).
class ScopedEnv
{
public:
    ScopedEnv(const char *name, const QByteArray &value)
        : m_name(name)
        , m_had(qEnvironmentVariableIsSet(name))
        , m_old(qgetenv(name))
    {
        qputenv(name, value);
    }
    ~ScopedEnv()
    {
        if (m_had) {
            qputenv(m_name, m_old);
        } else {
            qunsetenv(m_name);
        }
    }

private:
    const char *m_name;
    bool m_had;
    QByteArray m_old;
};

//! GET /healthz at a discovered server's first reachable address, trusting exactly the
//! certificate its TXT record names, as the app does before pinning it. The status, or 0.
int healthStatus(const DiscoveredServer &server, QString *failure)
{
    const QByteArray digest = Protocol::parseFingerprint(server.fingerprint);
    QNetworkAccessManager network;
    for (const QHostAddress &address : server.addresses) {
        QUrl url;
        url.setScheme(server.tls ? QStringLiteral("https") : QStringLiteral("http"));
        url.setHost(address.toString());
        url.setPort(server.port);
        url.setPath(QStringLiteral("/healthz"));
        QNetworkReply *reply = network.get(QNetworkRequest(url));
        QObject::connect(
            reply, &QNetworkReply::sslErrors, reply,
            [reply, digest](const QList<QSslError> &errors) {
                const QSslCertificate peer = reply->sslConfiguration().peerCertificate();
                if (!peer.isNull() && Protocol::certificateDigest(peer.toDer()) == digest) {
                    reply->ignoreSslErrors(errors);
                }
            });
        QSignalSpy finished(reply, &QNetworkReply::finished);
        if (!finished.wait(Timeout)) {
            *failure += QStringLiteral("%1: no answer; ").arg(url.toString());
            reply->deleteLater();
            continue;
        }
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->readAll();
        const QString error = reply->errorString();
        reply->deleteLater();
        if (status == 200 && body.contains("\"ok\"")) {
            return status;
        }
        *failure += QStringLiteral("%1: %2 %3 %4; ")
                        .arg(url.toString())
                        .arg(status)
                        .arg(error, QString::fromUtf8(body));
    }
    return 0;
}

//! Whether `spy` (on serverLost) has seen `name`.
bool hasLost(const QSignalSpy &spy, const QString &name)
{
    return std::any_of(spy.cbegin(), spy.cend(), [&](const QList<QVariant> &args) {
        return args.first().toString() == name;
    });
}

} // namespace

class TestDiscovery : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void txtRecordRoundTrip();
    void advertiserAndBrowser();
    void takenNameGetsAnother();
    void tincandIsFoundAndLost();
    void disabledAdvertisingNeverAppears();
    void noBusOrDaemonFailsGracefully();

private:
    //! Why there is no Avahi daemon to test against; empty when there is one.
    QString m_noAvahi;
};

#define REQUIRE_AVAHI()                                                                            \
    do {                                                                                           \
        if (!m_noAvahi.isEmpty()) {                                                                \
            QSKIP(qPrintable(m_noAvahi));                                                          \
        }                                                                                          \
    } while (false)

void TestDiscovery::initTestCase()
{
    ServiceBrowser probe;
    probe.start();
    QTRY_VERIFY_WITH_TIMEOUT(probe.isAvailable() || !probe.unavailableReason().isEmpty(), Timeout);
    if (!probe.isAvailable()) {
        m_noAvahi = QStringLiteral("No Avahi daemon to test against (%1). Run the tests through "
                                   "scripts/with-avahi.sh, which starts a throwaway one.")
                        .arg(probe.unavailableReason());
    }
}

void TestDiscovery::txtRecordRoundTrip()
{
    const QString fingerprint = randomFingerprint();
    const auto txt = serverTxtRecord(fingerprint, true);
    QCOMPARE(txt.value(QStringLiteral("fp")),
             Protocol::parseFingerprint(fingerprint).toHex().toUpper());
    QCOMPARE(txt.value(QStringLiteral("v")), QByteArray("1"));
    QCOMPARE(txt.value(QStringLiteral("tls")), QByteArray("1"));
    DiscoveredServer server;
    readServerTxtRecord(txt, &server);
    QCOMPARE(server.fingerprint, fingerprint);
    QVERIFY(server.tls);
    QCOMPARE(server.protocolVersion, 1);

    // Keys are case-insensitive; a malformed fingerprint is none; no TLS without the key's "0".
    readServerTxtRecord({{QStringLiteral("FP"), "not-hex"},
                         {QStringLiteral("TLS"), "0"},
                         {QStringLiteral("v"), "x"}},
                        &server);
    QVERIFY(server.fingerprint.isEmpty());
    QVERIFY(!server.tls);
    QCOMPARE(server.protocolVersion, 0);
    QVERIFY(!serverTxtRecord(QString(), false).contains(QStringLiteral("fp")));

    // DNS-SD instance names are at most 63 bytes of UTF-8, cut at a character boundary.
    const QString longName = QString(40, QChar(0x00E9)); // 80 bytes
    const QString cut = ServiceAdvertiser::truncatedInstanceName(longName);
    QCOMPARE(cut.toUtf8().size(), 62);
    QVERIFY(longName.startsWith(cut));
}

void TestDiscovery::advertiserAndBrowser()
{
    REQUIRE_AVAHI();
    ServiceBrowser browser;
    QSignalSpy found(&browser, &ServiceBrowser::serverFound);
    QSignalSpy lost(&browser, &ServiceBrowser::serverLost);
    browser.start();

    const QString name = uniqueName(QStringLiteral("unit"));
    const QString fingerprint = randomFingerprint();
    auto txt = serverTxtRecord(fingerprint, false);
    txt.insert(QStringLiteral("x"), QByteArray("custom value"));
    ServiceAdvertiser advertiser;
    QSignalSpy registered(&advertiser, &ServiceAdvertiser::registered);
    QString error;
    QVERIFY2(advertiser.start(name, 4242, txt, &error), qPrintable(error));
    QVERIFY(registered.wait(Timeout));
    QCOMPARE(registered.first().first().toString(), name);
    QCOMPARE(advertiser.registeredName(), name);

    QTRY_VERIFY_WITH_TIMEOUT(browser.server(name).has_value(), Timeout);
    const DiscoveredServer server = *browser.server(name);
    QCOMPARE(server.port, quint16(4242));
    QCOMPARE(server.fingerprint, fingerprint);
    QVERIFY(!server.tls);
    QCOMPARE(server.protocolVersion, 1);
    QVERIFY(!server.host.isEmpty());
    QVERIFY(!server.addresses.isEmpty());
    QVERIFY(browser.servers().contains(server));
    // The signal carries the same data once it has been delivered.
    QTRY_VERIFY_WITH_TIMEOUT(std::any_of(found.cbegin(), found.cend(),
                                         [&](const QList<QVariant> &args) {
                                             return args.first().value<DiscoveredServer>() ==
                                                    server;
                                         }),
                             Timeout);

    advertiser.stop();
    QTRY_VERIFY_WITH_TIMEOUT(!browser.server(name).has_value(), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(hasLost(lost, name), Timeout);
}

void TestDiscovery::takenNameGetsAnother()
{
    REQUIRE_AVAHI();
    const QString name = uniqueName(QStringLiteral("twice"));
    ServiceAdvertiser first;
    ServiceAdvertiser second;
    QSignalSpy firstRegistered(&first, &ServiceAdvertiser::registered);
    QSignalSpy secondRegistered(&second, &ServiceAdvertiser::registered);
    QString error;
    QVERIFY2(first.start(name, 1111, serverTxtRecord(randomFingerprint(), true), &error),
             qPrintable(error));
    QVERIFY(firstRegistered.wait(Timeout));
    QVERIFY2(second.start(name, 2222, serverTxtRecord(randomFingerprint(), true), &error),
             qPrintable(error));
    QVERIFY(secondRegistered.wait(Timeout));
    const QString secondName = secondRegistered.first().first().toString();
    QVERIFY(secondName != name);
    QVERIFY2(secondName.startsWith(name), qPrintable(secondName));

    ServiceBrowser browser;
    browser.start();
    QTRY_VERIFY_WITH_TIMEOUT(browser.server(name).has_value() && browser.server(secondName),
                             Timeout);
    QCOMPARE(browser.server(name)->port, quint16(1111));
    QCOMPARE(browser.server(secondName)->port, quint16(2222));
}

void TestDiscovery::tincandIsFoundAndLost()
{
    REQUIRE_AVAHI();
    ServiceBrowser browser;
    QSignalSpy lost(&browser, &ServiceBrowser::serverLost);
    browser.start();

    const QString name = uniqueName(QStringLiteral("tincand"));
    TestServer server(QStringLiteral("[discovery]\nname=%1\n").arg(name));
    server.setAdvertise(true);
    QVERIFY(server.start());
    QVERIFY(!server.fingerprint().isEmpty());

    QTRY_VERIFY_WITH_TIMEOUT(browser.server(name).has_value(), Timeout);
    const DiscoveredServer found = *browser.server(name);
    QCOMPARE(found.port, server.port());
    QCOMPARE(found.fingerprint, server.fingerprint());
    QVERIFY(found.tls);
    QCOMPARE(found.protocolVersion, ProtocolVersion);
    // The app connects to an address it was given (no mDNS host name lookup) and checks the
    // certificate against the advertised fingerprint.
    QString failure;
    QVERIFY2(healthStatus(found, &failure) == 200, qPrintable(failure));

    QVERIFY(server.stop());
    QTRY_VERIFY_WITH_TIMEOUT(!browser.server(name).has_value(), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(hasLost(lost, name), Timeout);
    QVERIFY2(server.output().contains(
                 QStringLiteral("advertised on the local network (DNS-SD _tincan._tcp) as %1")
                     .arg(name)),
             qPrintable(server.output()));
}

void TestDiscovery::disabledAdvertisingNeverAppears()
{
    REQUIRE_AVAHI();
    ServiceBrowser browser;
    QSignalSpy found(&browser, &ServiceBrowser::serverFound);
    browser.start();

    // Off in the config file; off with --no-advertise (TestServer's default); on, as control.
    const QString offByConfig = uniqueName(QStringLiteral("config-off"));
    TestServer configOff(
        QStringLiteral("[discovery]\nadvertise=false\nname=%1\n").arg(offByConfig));
    configOff.setAdvertise(true);
    QVERIFY(configOff.start());
    const QString offByFlag = uniqueName(QStringLiteral("flag-off"));
    TestServer flagOff(QStringLiteral("[discovery]\nname=%1\n").arg(offByFlag));
    QVERIFY(flagOff.start());
    const QString control = uniqueName(QStringLiteral("control"));
    TestServer on(QStringLiteral("[discovery]\nname=%1\n").arg(control));
    on.setAdvertise(true);
    QVERIFY(on.start());

    // Started last, the control is found: had the others advertised, they would be too by now.
    QTRY_VERIFY_WITH_TIMEOUT(browser.server(control).has_value(), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(found.size() >= 1, Timeout);
    for (const auto &args : std::as_const(found)) {
        const auto seen = args.first().value<DiscoveredServer>();
        QVERIFY2(seen.fingerprint != configOff.fingerprint(), qPrintable(seen.name));
        QVERIFY2(seen.fingerprint != flagOff.fingerprint(), qPrintable(seen.name));
    }
    QVERIFY(!browser.server(offByConfig));
    QVERIFY(!browser.server(offByFlag));
    QVERIFY(configOff.stop());
    QVERIFY(flagOff.stop());
    QVERIFY(on.stop());
    QVERIFY2(!configOff.output().contains(QStringLiteral("advertis")),
             qPrintable(configOff.output()));
    QVERIFY2(!flagOff.output().contains(QStringLiteral("advertis")), qPrintable(flagOff.output()));
    QVERIFY2(on.output().contains(QStringLiteral("advertised")), qPrintable(on.output()));
}

void TestDiscovery::noBusOrDaemonFailsGracefully()
{
    // libdbus reads DBUS_SYSTEM_BUS_ADDRESS once per process: each case runs in a process of its
    // own, this test's binary as a probe (see main()) or tincand.
    const auto runProbe = [](const QByteArray &busAddress, QString *output) {
        QProcess probe;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("DBUS_SYSTEM_BUS_ADDRESS"), QString::fromLatin1(busAddress));
        env.insert(QStringLiteral("TST_DISCOVERY_PROBE"), QStringLiteral("1"));
        probe.setProcessEnvironment(env);
        probe.setProcessChannelMode(QProcess::MergedChannels);
        probe.start(QCoreApplication::applicationFilePath(), {});
        const bool finished = probe.waitForFinished(Timeout);
        *output = QString::fromUtf8(probe.readAll());
        return finished && probe.exitCode() == 0;
    };

    // No D-Bus system bus at all.
    const QByteArray noBus = "unix:path=/nonexistent/tincan-test-bus";
    QString output;
    QVERIFY2(runProbe(noBus, &output), qPrintable(output));
    QVERIFY2(output.contains(QStringLiteral("advertiser: not started: the D-Bus system bus cannot "
                                            "be reached")),
             qPrintable(output));
    QVERIFY2(output.contains(QStringLiteral("browser: unavailable: the D-Bus system bus cannot be "
                                            "reached")),
             qPrintable(output));
    {
        // tincand serves anyway and says why it does not advertise.
        const ScopedEnv bus("DBUS_SYSTEM_BUS_ADDRESS", noBus);
        TestServer server;
        server.setAdvertise(true);
        QVERIFY(server.start());
        QNetworkAccessManager network;
        QNetworkReply *reply =
            network.get(QNetworkRequest(server.url().resolved(QUrl(QStringLiteral("/healthz")))));
        server.trust(reply);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        QVERIFY(finished.wait(Timeout));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        reply->deleteLater();
        QVERIFY(server.stop());
        QVERIFY2(server.output().contains(QStringLiteral("Not advertising on the local network")),
                 qPrintable(server.output()));
    }

    // A bus with no Avahi daemon on it.
    const QString dbusDaemon = QStandardPaths::findExecutable(QStringLiteral("dbus-daemon"));
    if (dbusDaemon.isEmpty()) {
        QSKIP("dbus-daemon is not installed: the bus-without-Avahi case is not tested.");
    }
    QTemporaryDir dir;
    QProcess bus;
    bus.start(dbusDaemon, {QStringLiteral("--session"), QStringLiteral("--nofork"),
                           QStringLiteral("--nopidfile"), QStringLiteral("--print-address=1"),
                           QStringLiteral("--address=unix:path=%1/bus").arg(dir.path())});
    QVERIFY(bus.waitForReadyRead(Timeout));
    const QByteArray address = bus.readLine().trimmed();
    QVERIFY(!address.isEmpty());
    QVERIFY2(runProbe(address, &output), qPrintable(output));
    QVERIFY2(output.contains(QStringLiteral("advertiser: not started: the Avahi daemon "
                                            "(avahi-daemon) is not running")),
             qPrintable(output));
    QVERIFY2(output.contains(QStringLiteral("browser: unavailable: the Avahi daemon "
                                            "(avahi-daemon) is not running; waiting for it")),
             qPrintable(output));
    bus.terminate();
    QVERIFY(bus.waitForFinished(Timeout));
}

namespace {
//! The probe: what ServiceAdvertiser and ServiceBrowser report on this process's system bus.
int probe(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    ServiceAdvertiser advertiser;
    QString error;
    if (advertiser.start(QStringLiteral("tst_discovery probe"), 1, {}, &error)) {
        std::printf("advertiser: started\n");
    } else {
        std::printf("advertiser: not started: %s\n", qPrintable(error));
    }
    ServiceBrowser browser;
    browser.start();
    QDeadlineTimer deadline(Timeout);
    while (!browser.isAvailable() && browser.unavailableReason().isEmpty() &&
           !deadline.hasExpired()) {
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 100);
    }
    if (browser.isAvailable()) {
        std::printf("browser: available\n");
    } else {
        std::printf("browser: unavailable: %s\n", qPrintable(browser.unavailableReason()));
    }
    return 0;
}
} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsSet("TST_DISCOVERY_PROBE")) {
        return probe(argc, argv);
    }
    QCoreApplication app(argc, argv);
    TestDiscovery test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_discovery.moc"
