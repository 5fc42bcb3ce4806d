// Transport security: the daemon serves HTTPS and WSS with a certificate it made itself, clients
// pin it on first use and refuse any other before a byte of a request leaves, plain HTTP only
// where it was explicitly allowed.
#include "shared/protocol/Fingerprint.h"
#include "tests/common/Raw.h"
#include "tests/common/RawStream.h"
#include "tests/common/RawStreamSocket.h"
#include "tests/common/TestClient.h"
#include "tests/common/TestKeys.h"
#include "tests/common/TestServer.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QRegularExpression>
#include <QSettings>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpSocket>
#include <QUuid>
#include <QtEndian>
#include <QtTest>

using namespace Tincan;
using namespace Tincan::Test;

namespace {

const QString OtherFingerprint = QStringLiteral("00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                                                "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF");

using Run = ProcessRun;

//! A TLS server that is not the one the client pinned (a man in the middle, or a server that
//! was replaced): it completes handshakes with its own certificate and records every decrypted
//! byte a client sends it.
class Impostor
{
public:
    bool start(const TestServer &donor)
    {
        // Any other valid certificate will do: take the one another daemon made.
        QFile certificate(donor.tlsDir() + QStringLiteral("/certificate.pem"));
        QFile key(donor.tlsDir() + QStringLiteral("/private-key.pem"));
        if (!certificate.open(QIODevice::ReadOnly) || !key.open(QIODevice::ReadOnly)) {
            return false;
        }
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setLocalCertificate(QSslCertificate(certificate.readAll()));
        configuration.setPrivateKey(QSslKey(key.readAll(), QSsl::Ec));
        configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
        m_server.setSslConfiguration(configuration);
        QObject::connect(&m_server, &QSslServer::startedEncryptionHandshake, &m_server,
                         [this](QSslSocket *socket) {
                             ++connections;
                             QObject::connect(socket, &QSslSocket::readyRead, socket,
                                              [this, socket] { received += socket->readAll(); });
                         });
        return m_server.listen(QHostAddress::LocalHost);
    }
    QUrl url() const
    {
        return QUrl(QStringLiteral("https://127.0.0.1:%1").arg(m_server.serverPort()));
    }

    int connections = 0;
    QByteArray received;

private:
    QSslServer m_server;
};

} // namespace

class TestTls : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void firstUsePinsAndReports();
    void wrongPinSendsNothing();
    void changedCertificateIsRefused();
    void plainHttpIsRefusedByTlsDaemon();
    void stalledHandshakeIsClosed();
    void plainHttpOnNetworkNeedsExplicitConsent();
    void plainHttpOnLoopbackWhenEnabled();
    void clientAcceptsHttpOnlyForLoopback();
    void cliServerFingerprint();
    void configuredCertificateIsServedAndPinned();
    void streamAlpnConnectionsTakeTheLeanPath();
    void leanStreamWaitsForASlowPeer();
    void leanStreamGetsItsCloseFrameAtShutdown();
};

void TestTls::firstUsePinsAndReports()
{
    TestServer server;
    QVERIFY(server.start());
    QCOMPARE(server.fingerprint().size(), 95); // 32 pairs of hex digits and 31 colons.
    QVERIFY(server.url().toString().startsWith(QStringLiteral("https://")));
    // The key is the owner's alone.
    QFile key(server.tlsDir() + QStringLiteral("/private-key.pem"));
    QCOMPARE(key.permissions() &
                 ~(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadUser | QFile::WriteUser),
             QFile::Permissions());

    TestClient alice(server.url());
    QSignalSpy pinned(&alice.core(), &Client::ClientCore::certificatePinned);
    QVERIFY(alice.registerAccount(QStringLiteral("alice")));
    QCOMPARE(pinned.size(), 1);
    QCOMPARE(pinned.first().first().toString(), server.fingerprint());
    QCOMPARE(alice->profile().serverFingerprint(), server.fingerprint());
    QSettings ini(alice.profileDir() + QStringLiteral("/profile.ini"), QSettings::IniFormat);
    QCOMPARE(ini.value(QStringLiteral("server/certificate_sha256")).toString(),
             server.fingerprint());

    // The stream uses the same pin, and a restarted app keeps it (no second report).
    alice.reopen();
    QSignalSpy pinnedAgain(&alice.core(), &Client::ClientCore::certificatePinned);
    QCOMPARE(alice->certificatePin().fingerprint(), server.fingerprint());
    Recorder seen(alice.core());
    alice->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(seen.syncedCount, 1, 10000);
    QCOMPARE(alice.call("GET", QStringLiteral("/v1/account")).status, 200);
    QCOMPARE(pinnedAgain.size(), 0);
    QVERIFY(seen.fatalErrors.isEmpty());

    // What the administrator sees is what the client pinned, and the daemon keeps it.
    const Run print =
        runProcess(QStringLiteral(TINCAND_PATH), {QStringLiteral("--data-dir"), server.dataDir(),
                                                  QStringLiteral("--print-fingerprint")});
    QCOMPARE(print.exitCode, 0);
    QCOMPARE(print.out.trimmed(), alice->profile().serverFingerprint());
    QVERIFY(server.stop());
    QVERIFY(server.restart());
    QCOMPARE(server.fingerprint(), alice->profile().serverFingerprint());
    QVERIFY2(server.stop(), qPrintable(server.output()));
}

void TestTls::wrongPinSendsNothing()
{
    TestServer server;
    QVERIFY(server.start());
    TestServer other;
    QVERIFY(other.start());
    QVERIFY(server.fingerprint() != other.fingerprint());

    // A profile that trusts another certificate: registering sends nothing, so the account is
    // never created, and the error names both certificates.
    TestClient mallory(server.url());
    Recorder malloryErrors(mallory.core());
    QString error;
    QVERIFY(mallory->pinServerCertificate(other.fingerprint(), &error));
    const Client::ApiResult refused = waitFor([&](Client::ApiCallback done) {
        mallory->registerAccount(QStringLiteral("mallory"), QStringLiteral("secret password"),
                                 QStringLiteral("d"), {}, done);
    });
    QCOMPARE(refused.status, 0);
    QCOMPARE(refused.error.code, QStringLiteral("certificate_changed"));
    QVERIFY2(refused.error.message.contains(server.fingerprint()) &&
                 refused.error.message.contains(other.fingerprint()),
             qPrintable(refused.error.message));
    QCOMPARE(malloryErrors.fatalErrors.size(), 1);
    QVERIFY(!mallory->profile().isSignedIn());
    QCOMPARE(mallory->profile().serverFingerprint(), other.fingerprint()); // Not replaced.
    TestClient honest(server.url());
    QVERIFY(honest.registerAccount(QStringLiteral("mallory"))); // The name was still free.

    // A signed-in profile talking to an impostor: neither a request nor the stream handshake
    // (both carry the token) reaches it.
    Impostor impostor;
    QVERIFY(impostor.start(other));
    TestClient alice(server.url());
    QVERIFY(alice.registerAccount(QStringLiteral("alice")));
    QVERIFY(alice->setServerUrl(impostor.url(), &error));
    QVERIFY(alice->pinServerCertificate(server.fingerprint(), &error));
    Recorder aliceSeen(alice.core());
    const Client::ApiResult account = alice.call("GET", QStringLiteral("/v1/account"));
    QCOMPARE(account.error.code, QStringLiteral("certificate_changed"));
    alice->connectToServer();
    QString sendError;
    alice->send(QStringLiteral("mallory"), QStringLiteral("for mallory only"), &sendError);
    QTest::qWait(1500); // Let the stream and the outbox try (and back off).
    QVERIFY(impostor.connections >= 2);
    QVERIFY2(impostor.received.isEmpty(), impostor.received.left(200).constData());
    QCOMPARE(aliceSeen.connectedCount, 0);
    QCOMPARE(aliceSeen.fatalErrors.size(), 1); // Once per offending certificate.
    QVERIFY(aliceSeen.fatalErrors.first().contains(other.fingerprint()));
    QCOMPARE(alice->outboxSize(), 1); // Kept for when the right server is back.
    QVERIFY(!alice->stream().isConnected());
    QVERIFY2(server.stop(), qPrintable(server.output()));
    QVERIFY2(other.stop(), qPrintable(other.output()));
}

void TestTls::changedCertificateIsRefused()
{
    TestServer server;
    QVERIFY(server.start());
    const QString before = server.fingerprint();
    TestClient alice(server.url());
    QVERIFY(alice.registerAccount(QStringLiteral("alice")));
    QVERIFY(server.stop());

    // The daemon makes a new certificate when its files are gone.
    QVERIFY(QDir(server.tlsDir()).removeRecursively());
    QVERIFY(server.restart());
    const QString after = server.fingerprint();
    QVERIFY(!after.isEmpty() && after != before);

    Recorder seen(alice.core());
    const Client::ApiResult account = alice.call("GET", QStringLiteral("/v1/account"));
    QCOMPARE(account.status, 0);
    QCOMPARE(account.error.code, QStringLiteral("certificate_changed"));
    QVERIFY(account.error.message.contains(before) && account.error.message.contains(after));
    alice->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(seen.fatalErrors.size(), 1, 10000);
    QTest::qWait(500);
    QCOMPARE(seen.connectedCount, 0);
    QVERIFY(!alice->stream().isConnected());
    alice->disconnectFromServer();

    // Once the user confirms the new certificate, everything works again.
    QString error;
    QVERIFY(alice->pinServerCertificate(after.toLower().remove(QLatin1Char(':')), &error));
    QCOMPARE(alice->profile().serverFingerprint(), after);
    QCOMPARE(alice.call("GET", QStringLiteral("/v1/account")).status, 200);
    alice->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(seen.syncedCount, 1, 10000);
    QVERIFY2(server.stop(), qPrintable(server.output()));
}

void TestTls::plainHttpIsRefusedByTlsDaemon()
{
    TestServer server;
    QVERIFY(server.start());
    TestClient alice(server.url());
    QVERIFY(alice.registerAccount(QStringLiteral("alice")));

    // A client that speaks plain HTTP to the TLS port gets no answer, and learns nothing.
    QUrl plain = server.url();
    plain.setScheme(QStringLiteral("http"));
    TestClient confused(plain);
    const Client::ApiResult result = confused.call("GET", QStringLiteral("/healthz"));
    QCOMPARE(result.status, 0);
    for (int i = 0; i < 20; ++i) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, server.port());
        QVERIFY(socket.waitForConnected(5000));
        socket.write(i % 2 ? QByteArray("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                           : QByteArray(3000, '\x16'));
        QElapsedTimer closing;
        closing.start();
        QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 5000);
        QVERIFY(closing.elapsed() < 3000);
        QVERIFY(!socket.readAll().contains("HTTP/1.1"));
    }
    // Others are served as before, and the log did not grow with the failed handshakes.
    QCOMPARE(alice.call("GET", QStringLiteral("/v1/account")).status, 200);
    QVERIFY2(server.stop(), qPrintable(server.output()));
    QVERIFY2(server.output().count(QLatin1Char('\n')) < 10, qPrintable(server.output()));
}

void TestTls::stalledHandshakeIsClosed()
{
    TestServer server(QStringLiteral("[tls]\nhandshake_timeout_seconds=1\n"));
    QVERIFY(server.start());
    QTcpSocket silent;
    silent.connectToHost(QHostAddress::LocalHost, server.port());
    QVERIFY(silent.waitForConnected(5000));
    QElapsedTimer elapsed;
    elapsed.start();
    QTRY_COMPARE_WITH_TIMEOUT(silent.state(), QAbstractSocket::UnconnectedState, 10000);
    QVERIFY(elapsed.elapsed() >= 800);
    QCOMPARE(RawStream::connect(server, {}), RawStream::Outcome::Refused); // Still answering.
    QVERIFY2(server.stop(), qPrintable(server.output()));
}

void TestTls::plainHttpOnNetworkNeedsExplicitConsent()
{
    TestServer refused(QStringLiteral("[tls]\nenabled=false\n"));
    Run run =
        runProcess(QStringLiteral(TINCAND_PATH),
                   {QStringLiteral("--config"), refused.configPath(), QStringLiteral("--data-dir"),
                    refused.dataDir(), QStringLiteral("--listen"), QStringLiteral("0.0.0.0:0")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("tls/allow_plain_http_on_network")),
             qPrintable(run.err));
    QVERIFY(!QFile::exists(refused.dataDir() + QStringLiteral("/tincand.db")));

    TestServer allowed(QStringLiteral("[tls]\nenabled=false\nallow_plain_http_on_network=true\n"));
    QProcess daemon;
    daemon.setProcessChannelMode(QProcess::MergedChannels);
    daemon.start(QStringLiteral(TINCAND_PATH),
                 {QStringLiteral("--config"), allowed.configPath(), QStringLiteral("--data-dir"),
                  allowed.dataDir(), QStringLiteral("--listen"), QStringLiteral("0.0.0.0:0")});
    QByteArray output;
    QVERIFY(QTest::qWaitFor(
        [&] {
            daemon.waitForReadyRead(100);
            output += daemon.readAll();
            return output.contains("listening on") || daemon.state() == QProcess::NotRunning;
        },
        20000));
    QVERIFY2(output.contains("listening on http://0.0.0.0:"), output.constData());
    daemon.terminate();
    QVERIFY(daemon.waitForFinished(30000));
    QCOMPARE(daemon.exitCode(), 0);
}

void TestTls::plainHttpOnLoopbackWhenEnabled()
{
    TestServer server(QStringLiteral("[tls]\nenabled=false\n"));
    QVERIFY(server.start());
    QVERIFY(!server.tls());
    QVERIFY(server.fingerprint().isEmpty());
    QVERIFY(server.url().toString().startsWith(QStringLiteral("http://127.0.0.1:")));
    QVERIFY(!QFile::exists(server.tlsDir()));

    TestClient alice(server.url());
    TestClient bob(server.url());
    QSignalSpy pinned(&alice.core(), &Client::ClientCore::certificatePinned);
    QVERIFY(alice.registerAccount(QStringLiteral("alice")));
    QVERIFY(bob.registerAccount(QStringLiteral("bob")));
    Recorder bobSeen(bob.core());
    bob->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.syncedCount, 1, 10000);
    QString error;
    QVERIFY(!alice->send(QStringLiteral("bob"), QStringLiteral("in the clear"), &error).isEmpty());
    alice->flushOutbox();
    QTRY_COMPARE_WITH_TIMEOUT(bobSeen.texts(), QStringList{QStringLiteral("in the clear")}, 10000);
    QCOMPARE(pinned.size(), 0);
    QVERIFY(alice->profile().serverFingerprint().isEmpty());
    QCOMPARE(RawStream::connect(server, bob->profile().token()), RawStream::Outcome::Accepted);

    const Run print =
        runProcess(QStringLiteral(TINCAND_PATH),
                   {QStringLiteral("--config"), server.configPath(), QStringLiteral("--data-dir"),
                    server.dataDir(), QStringLiteral("--print-fingerprint")});
    QCOMPARE(print.exitCode, 1);
    QVERIFY(print.err.contains(QStringLiteral("TLS is off")));
    QVERIFY2(server.stop(), qPrintable(server.output()));
}

void TestTls::clientAcceptsHttpOnlyForLoopback()
{
    QTemporaryDir dir;
    Client::ClientCore core(dir.path());
    QString error;
    QVERIFY(core.open(&error));
    QCOMPARE(core.profile().serverUrl(), QUrl(QStringLiteral("https://127.0.0.1:7420")));
    QVERIFY(core.setServerUrl(QUrl(QStringLiteral("https://chat.example.org:7420")), &error));
    QVERIFY(core.setServerUrl(QUrl(QStringLiteral("http://127.0.0.1:7420")), &error));
    QVERIFY(core.setServerUrl(QUrl(QStringLiteral("http://localhost:7420")), &error));
    QVERIFY(core.setServerUrl(QUrl(QStringLiteral("http://[::1]:7420")), &error));
    QVERIFY(!core.setServerUrl(QUrl(QStringLiteral("http://192.0.2.7:7420")), &error));
    QVERIFY2(error.contains(QStringLiteral("unencrypted")), qPrintable(error));
    QVERIFY(!core.setServerUrl(QUrl(QStringLiteral("ftp://127.0.0.1")), &error));
    core.setPlainHttpAllowed(true);
    QVERIFY(core.setServerUrl(QUrl(QStringLiteral("http://192.0.2.7:7420")), &error));

    // The pin belongs to one server: another URL drops it, the same one keeps it.
    QVERIFY(core.setServerUrl(QUrl(QStringLiteral("https://chat.example.org:7420")), &error));
    QVERIFY(!core.pinServerCertificate(QStringLiteral("12:34"), &error));
    QVERIFY(!core.pinServerCertificate(OtherFingerprint + QStringLiteral(":00"), &error));
    QVERIFY(core.pinServerCertificate(OtherFingerprint.toLower(), &error));
    QCOMPARE(core.profile().serverFingerprint(), OtherFingerprint);
    QVERIFY(core.setServerUrl(QUrl(QStringLiteral("https://chat.example.org:7420/")), &error));
    QCOMPARE(core.profile().serverFingerprint(), OtherFingerprint);
    QVERIFY(core.setServerUrl(QUrl(QStringLiteral("https://other.example.org:7420")), &error));
    QVERIFY(core.profile().serverFingerprint().isEmpty());
    QVERIFY(core.certificatePin().digest().isEmpty());

    // A garbled pin is an error, never a silent return to trust on first use.
    {
        QSettings ini(dir.filePath(QStringLiteral("profile.ini")), QSettings::IniFormat);
        ini.setValue(QStringLiteral("server/certificate_sha256"), QStringLiteral("AB:CD"));
    }
    Client::ClientCore garbled(dir.path());
    QVERIFY(!garbled.open(&error));
    QVERIFY2(error.contains(QStringLiteral("certificate_sha256")), qPrintable(error));

    // The fingerprint text: 64 hex digits, colons optional, any case.
    const QByteArray digest = Protocol::parseFingerprint(OtherFingerprint);
    QCOMPARE(digest.size(), 32);
    QCOMPARE(Protocol::parseFingerprint(QString(OtherFingerprint).remove(QLatin1Char(':'))),
             digest);
    QCOMPARE(Protocol::parseFingerprint(OtherFingerprint.toLower()), digest);
    QCOMPARE(Protocol::formatFingerprint(digest), OtherFingerprint);
    QVERIFY(Protocol::parseFingerprint(QStringLiteral("zz") + OtherFingerprint.mid(2)).isEmpty());
}

void TestTls::cliServerFingerprint()
{
    TestServer server;
    QVERIFY(server.start());
    QTemporaryDir dir;
    auto cli = [&](const QString &profile, const QStringList &args, const QByteArray &input = {}) {
        return runProcess(QStringLiteral(TINCAN_CLI_PATH),
                          QStringList{QStringLiteral("--profile"), dir.filePath(profile),
                                      QStringLiteral("--server"), server.url().toString()} +
                              args,
                          input);
    };
    const QStringList registerArgs{QStringLiteral("register"), QStringLiteral("alice"),
                                   QStringLiteral("--password-stdin")};

    // Trust on first use, reported on stderr.
    Run run = cli(QStringLiteral("first"), registerArgs, "hunter2hunter2\n");
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.err.contains(QStringLiteral("Pinned server certificate SHA-256 ") +
                              server.fingerprint()),
             qPrintable(run.err));

    // A known fingerprint (any spelling) instead of trust on first use.
    const QString bare = server.fingerprint().toLower().remove(QLatin1Char(':'));
    run = cli(QStringLiteral("known"),
              {QStringLiteral("login"), QStringLiteral("alice"), QStringLiteral("--password-stdin"),
               QStringLiteral("--server-fingerprint"), bare},
              "hunter2hunter2\n");
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(!run.err.contains(QStringLiteral("Pinned")), qPrintable(run.err));
    run = cli(QStringLiteral("known"), {QStringLiteral("whoami")});
    QCOMPARE(run.exitCode, 0);

    // A wrong one: refused before the password leaves, exit code 3, both fingerprints named.
    run =
        cli(QStringLiteral("wrong"),
            {QStringLiteral("register"), QStringLiteral("bob"), QStringLiteral("--password-stdin"),
             QStringLiteral("--server-fingerprint"), OtherFingerprint},
            "hunter2hunter2\n");
    QCOMPARE(run.exitCode, 3);
    QVERIFY2(run.err.contains(server.fingerprint()) && run.err.contains(OtherFingerprint),
             qPrintable(run.err));
    run =
        cli(QStringLiteral("bob"),
            {QStringLiteral("register"), QStringLiteral("bob"), QStringLiteral("--password-stdin")},
            "hunter2hunter2\n");
    QCOMPARE(run.exitCode, 0); // "bob" was never registered by the refused attempt.

    // A signed-in profile that meets another certificate: every command says so.
    run = cli(QStringLiteral("first"),
              {QStringLiteral("--server-fingerprint"), OtherFingerprint, QStringLiteral("whoami")});
    QCOMPARE(run.exitCode, 3);
    QVERIFY(run.err.contains(QStringLiteral("certificate has changed")));
    run = cli(QStringLiteral("first"),
              {QStringLiteral("send"), QStringLiteral("bob"), QStringLiteral("hello?")});
    QCOMPARE(run.exitCode, 3);
    run = cli(QStringLiteral("first"),
              {QStringLiteral("listen"), QStringLiteral("--timeout"), QStringLiteral("10")});
    QCOMPARE(run.exitCode, 3);
    QVERIFY(run.err.contains(OtherFingerprint));

    run = cli(QStringLiteral("first"), {QStringLiteral("--server-fingerprint"),
                                        QStringLiteral("abc"), QStringLiteral("whoami")});
    QCOMPARE(run.exitCode, 1);
    run = runProcess(QStringLiteral(TINCAN_CLI_PATH), {QStringLiteral("--help")});
    QVERIFY(run.out.contains(QStringLiteral("--server-fingerprint")));
    QVERIFY2(server.stop(), qPrintable(server.output()));
}

void TestTls::configuredCertificateIsServedAndPinned()
{
    // The administrator's own pair (here: one another daemon made) is served instead of a
    // self-signed one in the data directory, and pinned the same way.
    TestServer donor;
    QVERIFY(donor.start());
    QVERIFY(donor.stop());
    TestServer server(QStringLiteral("[tls]\ncertificate=%1/certificate.pem\n"
                                     "private_key=%1/private-key.pem\n")
                          .arg(donor.tlsDir()));
    QVERIFY(server.start());
    QCOMPARE(server.fingerprint(), donor.fingerprint());
    QVERIFY(!QFile::exists(server.tlsDir()));
    TestClient alice(server.url());
    QVERIFY(alice.registerAccount(QStringLiteral("alice")));
    QCOMPARE(alice->profile().serverFingerprint(), donor.fingerprint());
    QVERIFY2(server.stop(), qPrintable(server.output()));

    // A key that does not belong to the certificate stops the daemon with a clear error.
    TestServer other;
    QVERIFY(other.start());
    QVERIFY(other.stop());
    TestServer mismatched(QStringLiteral("[tls]\ncertificate=%1/certificate.pem\n"
                                         "private_key=%2/private-key.pem\n")
                              .arg(donor.tlsDir(), other.tlsDir()));
    const Run run = runProcess(QStringLiteral(TINCAND_PATH),
                               {QStringLiteral("--config"), mismatched.configPath(),
                                QStringLiteral("--data-dir"), mismatched.dataDir(),
                                QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("does not belong to the certificate")),
             qPrintable(run.err));
}

namespace {

//! A TLS socket to `server`, offering the stream ALPN or not.
bool openTls(const TestServer &server, QSslSocket &socket, bool streamAlpn)
{
    if (streamAlpn) {
        QSslConfiguration configuration = socket.sslConfiguration();
        configuration.setAllowedNextProtocols(
            {QByteArray(Protocol::StreamAlpn), QByteArray(QSslConfiguration::NextProtocolHttp1_1)});
        socket.setSslConfiguration(configuration);
    }
    return server.connectSocket(&socket);
}

//! Sends `request` on a raw socket and reads the answer until `done` says so.
QByteArray sendAndRead(QSslSocket &socket, const QByteArray &request,
                       const std::function<bool(const QByteArray &)> &done)
{
    socket.write(request);
    return readUntil(socket, done);
}

//! Opens a stream on a connection of its own (ALPN tincan-stream, the lean path) and upgrades
//! it; `rest` gets what came after the 101 answer.
bool openLeanStream(const TestServer &server, QSslSocket &socket, const QByteArray &token,
                    QByteArray *rest)
{
    if (!openTls(server, socket, true) ||
        socket.sslConfiguration().nextNegotiatedProtocol() != QByteArray(Protocol::StreamAlpn)) {
        return false;
    }
    *rest = sendAndRead(socket, streamUpgradeRequest(token),
                        [](const QByteArray &a) { return a.contains("\r\n\r\n"); });
    if (!rest->startsWith("HTTP/1.1 101")) {
        qWarning("upgrade refused: %s", rest->constData());
        return false;
    }
    rest->remove(0, rest->indexOf("\r\n\r\n") + 4);
    return true;
}

} // namespace

void TestTls::streamAlpnConnectionsTakeTheLeanPath()
{
    TestServer server;
    QVERIFY(server.start());
    TestClient alice(server.url());
    QVERIFY(alice.registerAccount(QStringLiteral("alice")));
    const QByteArray token = alice->profile().token();
    auto streams = [&](bool alpn, const QByteArray &expectedProtocol) {
        QSslSocket socket;
        if (!openTls(server, socket, alpn)) {
            return false;
        }
        // Only our own OpenSSL path selects the stream protocol; QSslSocket selects none.
        if (socket.sslConfiguration().nextNegotiatedProtocol() != expectedProtocol) {
            qWarning() << "negotiated" << socket.sslConfiguration().nextNegotiatedProtocol();
            return false;
        }
        const QByteArray answer =
            sendAndRead(socket, streamUpgradeRequest(token),
                        [](const QByteArray &a) { return a.contains(R"("type":"hello")"); });
        return answer.startsWith("HTTP/1.1 101") &&
               answer.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") &&
               answer.contains(R"("type":"hello")");
    };
    QVERIFY(streams(true, Protocol::StreamAlpn));
    QVERIFY(streams(false, QByteArray()));

    // On a stream connection, anything but the upgrade is refused, and the connection closed.
    for (const QByteArray &request :
         {QByteArray("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"),
          streamUpgradeRequest("not-a-token")}) {
        QSslSocket socket;
        QVERIFY(openTls(server, socket, true));
        const QByteArray answer = sendAndRead(socket, request, [&](const QByteArray &a) {
            return a.endsWith('}') || socket.state() != QAbstractSocket::ConnectedState;
        });
        QVERIFY2(answer.startsWith(request.contains("healthz") ? "HTTP/1.1 400" : "HTTP/1.1 401"),
                 answer.constData());
        QVERIFY(answer.contains(R"("error":)"));
        QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 10000);
    }
    // The client core's stream takes the lean path, end to end.
    TestClient bob(server.url());
    QVERIFY(bob.registerAccount(QStringLiteral("bob")));
    QSignalSpy synced(&bob.core(), &Client::ClientCore::synced);
    bob.core().connectToServer();
    QTRY_VERIFY_WITH_TIMEOUT(!synced.isEmpty(), 10000);
    QVERIFY2(server.stop(), qPrintable(server.output()));

    // Switched off, the same connection is served by the general path.
    TestServer plain(QStringLiteral("[tls]\nstream_alpn=false\n"));
    QVERIFY(plain.start());
    TestClient carol(plain.url());
    QVERIFY(carol.registerAccount(QStringLiteral("carol")));
    QSslSocket socket;
    QVERIFY2(openTls(plain, socket, true), qPrintable(socket.errorString()));
    QCOMPARE(socket.sslConfiguration().nextNegotiatedProtocol(),
             QByteArray(QSslConfiguration::NextProtocolHttp1_1));
    const QByteArray answer =
        sendAndRead(socket, streamUpgradeRequest(carol->profile().token()),
                    [](const QByteArray &a) { return a.contains(R"("type":"hello")"); });
    QVERIFY2(answer.startsWith("HTTP/1.1 101"), answer.constData());
    QVERIFY2(plain.stop(), qPrintable(plain.output()));
}

void TestTls::leanStreamWaitsForASlowPeer()
{
    // Far more than the kernel's socket buffers hold is sent to a device whose stream does not
    // read: the lean path keeps what the socket cannot take, then delivers all of it, whole and
    // in order, once the device reads again.
    TestServer server(QStringLiteral("[rate]\nmessages_per_second=100000\nmessage_burst=100000\n"));
    QVERIFY(server.start());
    TestClient alice(server.url());
    TestClient bob(server.url());
    QVERIFY(alice.registerAccount(QStringLiteral("alice")));
    QVERIFY(bob.registerAccount(QStringLiteral("bob")));
    QVERIFY(ensureKeys(bob));

    QSslSocket socket;
    socket.setReadBufferSize(4096); // Qt then stops reading the kernel's buffer.
    QByteArray buffer;
    QVERIFY(openLeanStream(server, socket, bob->profile().token(), &buffer));

    constexpr int Messages = 64;
    QNetworkAccessManager network;
    QList<QByteArray> bodies;
    QStringList ids;
    for (int i = 0; i < Messages; ++i) {
        // About 200 KB each: 12.8 MB in all.
        const QByteArray body = QByteArray(150000, char('a' + i % 26)).toBase64();
        bodies.append(body);
        ids.append(QUuid::createUuid().toString(QUuid::WithoutBraces));
        const QJsonObject send{
            {QStringLiteral("clientMessageId"), ids.last()},
            {QStringLiteral("to"), QStringLiteral("bob")},
            {QStringLiteral("payloads"),
             QJsonArray{QJsonObject{{QStringLiteral("device"), bob->profile().deviceId()},
                                    {QStringLiteral("body"), QString::fromLatin1(body)}}}}};
        const RawReply reply = rawRequest(network, server, "POST", QStringLiteral("/v1/messages"),
                                          QJsonDocument(send).toJson(QJsonDocument::Compact),
                                          alice->profile().token());
        QVERIFY2(reply.status == 201,
                 QJsonDocument(reply.body).toJson(QJsonDocument::Compact).constData());
    }

    socket.setReadBufferSize(0);
    QList<QJsonObject> envelopes;
    QVERIFY(QTest::qWaitFor(
        [&] {
            socket.waitForReadyRead(50);
            buffer += socket.readAll();
            ServerFrame frame;
            while (takeServerFrame(buffer, &frame)) {
                const QJsonObject object = QJsonDocument::fromJson(frame.payload).object();
                if (object.value(QStringLiteral("type")).toString() == QLatin1String("envelope")) {
                    envelopes.append(object.value(QStringLiteral("envelope")).toObject());
                }
            }
            return envelopes.size() >= Messages;
        },
        60000));
    QCOMPARE(envelopes.size(), Messages);
    for (int i = 0; i < Messages; ++i) {
        QCOMPARE(envelopes[i].value(QStringLiteral("clientMessageId")).toString(), ids[i]);
        QCOMPARE(envelopes[i].value(QStringLiteral("payload")).toString().toLatin1(), bodies[i]);
    }
    QVERIFY2(server.stop(), qPrintable(server.output()));
}

void TestTls::leanStreamGetsItsCloseFrameAtShutdown()
{
    // A lean stream writes at the end of its thread's loop pass; a daemon shutting down still
    // says why it closes (1001, going away) before the connection ends.
    TestServer server;
    QVERIFY(server.start());
    TestClient bob(server.url());
    QVERIFY(bob.registerAccount(QStringLiteral("bob")));
    QSslSocket socket;
    QByteArray buffer;
    QVERIFY(openLeanStream(server, socket, bob->profile().token(), &buffer));
    QVERIFY2(server.stop(), qPrintable(server.output()));
    int closeCode = 0;
    QVERIFY(QTest::qWaitFor(
        [&] {
            socket.waitForReadyRead(50);
            buffer += socket.readAll();
            ServerFrame frame;
            while (takeServerFrame(buffer, &frame)) {
                if (frame.opcode == 0x8 && frame.payload.size() >= 2) {
                    closeCode = qFromBigEndian<quint16>(frame.payload.constData());
                }
            }
            return closeCode != 0 || socket.state() == QAbstractSocket::UnconnectedState;
        },
        10000));
    QCOMPARE(closeCode, 1001);
}

QTEST_GUILESS_MAIN(TestTls)
#include "tst_tls.moc"
