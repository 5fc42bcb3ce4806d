// End to end under a real X server (Xvfb): two real `tincan` processes, one hosting the server
// (tincand as its child) and one connecting to it by address, exchange messages typed with
// real key events (xdotool).
#include "tests/common/Raw.h"

#include <QDir>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Tincan;

namespace {

constexpr int Timeout = 60000;

quint16 freePort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    return server.serverPort();
}

bool accepts(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    return socket.waitForConnected(1000);
}

} // namespace

class TestDesktopE2e : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void twoAppsExchangeMessages();

private:
    Test::ProcessRun cli(const QString &profile, const QStringList &args,
                         const QByteArray &input = {});
    Test::ProcessRun xdotool(const QStringList &args);
    //! Types `text` and Enter into the focused widget of the window whose title matches.
    void typeInto(const QString &titlePattern, const QString &text);
    QString history(const QString &profile, const QString &peer);

    QTemporaryDir m_dir;
    QProcess m_xvfb;
    QString m_display;
    QProcessEnvironment m_env;
    QProcess m_appA;
    QProcess m_appB;
    quint16 m_port = 0;
};

Test::ProcessRun TestDesktopE2e::cli(const QString &profile, const QStringList &args,
                                     const QByteArray &input)
{
    QStringList all{QStringLiteral("--profile"), profile};
    all += args;
    return Test::runProcess(QStringLiteral(TINCAN_CLI_PATH), all, input, m_env);
}

Test::ProcessRun TestDesktopE2e::xdotool(const QStringList &args)
{
    return Test::runProcess(QStringLiteral("xdotool"), args, {}, m_env);
}

void TestDesktopE2e::typeInto(const QString &titlePattern, const QString &text)
{
    Test::ProcessRun search;
    QTRY_VERIFY_WITH_TIMEOUT(
        (search = xdotool({QStringLiteral("search"), QStringLiteral("--onlyvisible"),
                           QStringLiteral("--name"), titlePattern}))
                .exitCode == 0,
        Timeout);
    const QString window = search.out.split(QLatin1Char('\n')).first().trimmed();
    QVERIFY(!window.isEmpty());
    QCOMPARE(xdotool({QStringLiteral("windowfocus"), QStringLiteral("--sync"), window}).exitCode,
             0);
    QCOMPARE(
        xdotool({QStringLiteral("type"), QStringLiteral("--delay"), QStringLiteral("30"), text})
            .exitCode,
        0);
    QCOMPARE(xdotool({QStringLiteral("key"), QStringLiteral("Return")}).exitCode, 0);
}

QString TestDesktopE2e::history(const QString &profile, const QString &peer)
{
    return cli(profile, {QStringLiteral("history"), peer}).out;
}

void TestDesktopE2e::initTestCase()
{
    const QString xvfb = QStandardPaths::findExecutable(QStringLiteral("Xvfb"));
    const QString xdo = QStandardPaths::findExecutable(QStringLiteral("xdotool"));
    QVERIFY2(!xvfb.isEmpty() && !xdo.isEmpty(),
             "Xvfb and xdotool are needed (scripts/install-deps.sh installs them)");
    // Xvfb picks a free display and writes its number on the given descriptor (1: stdout).
    m_xvfb.start(xvfb,
                 {QStringLiteral("-displayfd"), QStringLiteral("1"), QStringLiteral("-screen"),
                  QStringLiteral("0"), QStringLiteral("1280x900x24"), QStringLiteral("-nolisten"),
                  QStringLiteral("tcp")});
    QVERIFY(m_xvfb.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(m_xvfb.canReadLine(), Timeout);
    m_display = QStringLiteral(":") + QString::fromLatin1(m_xvfb.readLine().trimmed());
    m_env = QProcessEnvironment::systemEnvironment();
    m_env.remove(QStringLiteral("QT_QPA_PLATFORM")); // the real xcb platform this time
    m_env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    m_env.insert(QStringLiteral("DISPLAY"), m_display);
    m_env.insert(QStringLiteral("TINCAN_NO_OPEN"), QStringLiteral("1"));
    m_env.insert(QStringLiteral("TINCAN_TINCAND"), QStringLiteral(TINCAND_PATH));

    // Alice's computer will host the server; its data lives beside her profile. Create both
    // accounts on it first (as two earlier runs of the app would have).
    m_port = freePort();
    const QString profileA = m_dir.filePath(QStringLiteral("alice"));
    const QString profileB = m_dir.filePath(QStringLiteral("bob"));
    QProcess server;
    server.setProcessChannelMode(QProcess::MergedChannels);
    server.start(QStringLiteral(TINCAND_PATH),
                 {QStringLiteral("--data-dir"), profileA + QStringLiteral("/hosted-server"),
                  QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(m_port)});
    QByteArray output;
    QTRY_VERIFY_WITH_TIMEOUT((output += server.readAll()).contains("listening on"), Timeout);
    const QString url = QStringLiteral("https://127.0.0.1:%1").arg(m_port);
    for (const auto &[profile, user] : {std::pair{profileA, QStringLiteral("alice")},
                                        std::pair{profileB, QStringLiteral("bob")}}) {
        const Test::ProcessRun run =
            cli(profile,
                {QStringLiteral("--server"), url, QStringLiteral("register"), user,
                 QStringLiteral("--password-stdin")},
                "correct horse battery\n");
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
    }
    // Each has the chat already (the app opens the last one on start).
    Test::ProcessRun hello =
        cli(profileA, {QStringLiteral("send"), QStringLiteral("bob"), QStringLiteral("hi bob")});
    QVERIFY2(hello.exitCode == 0, qPrintable(hello.err));
    hello = cli(profileB,
                {QStringLiteral("send"), QStringLiteral("alice"), QStringLiteral("hi alice")});
    QVERIFY2(hello.exitCode == 0, qPrintable(hello.err));
    server.terminate();
    QVERIFY(server.waitForFinished(30000));
    QTRY_VERIFY_WITH_TIMEOUT(!accepts(m_port), Timeout);
}

void TestDesktopE2e::cleanupTestCase()
{
    for (QProcess *process : {&m_appB, &m_appA, &m_xvfb}) {
        if (process->state() != QProcess::NotRunning) {
            process->terminate();
            if (!process->waitForFinished(20000)) {
                process->kill();
                process->waitForFinished();
            }
        }
    }
}

void TestDesktopE2e::twoAppsExchangeMessages()
{
    const QString profileA = m_dir.filePath(QStringLiteral("alice"));
    const QString profileB = m_dir.filePath(QStringLiteral("bob"));
    for (QProcess *app : {&m_appA, &m_appB}) {
        app->setProcessEnvironment(m_env);
        app->setProcessChannelMode(QProcess::ForwardedChannels);
    }
    // Alice's app hosts the server (tincand as its child process) on the port her profile and
    // bob's know.
    m_appA.start(QStringLiteral(TINCAN_APP_PATH),
                 {QStringLiteral("--profile"), profileA, QStringLiteral("--host"),
                  QStringLiteral("--host-listen"), QStringLiteral("127.0.0.1:%1").arg(m_port)});
    QVERIFY(m_appA.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(accepts(m_port), Timeout);
    // Bob's app connects to it by address (remembered in his profile).
    m_appB.start(QStringLiteral(TINCAN_APP_PATH), {QStringLiteral("--profile"), profileB});
    QVERIFY(m_appB.waitForStarted());

    // Both windows open on their chat; alice types, bob's app receives and stores it.
    typeInto(QStringLiteral("Tincan — alice$"), QStringLiteral("hello from the desktop app"));
    QTRY_VERIFY_WITH_TIMEOUT(history(profileB, QStringLiteral("alice"))
                                 .contains(QStringLiteral("hello from the desktop app")),
                             Timeout);
    // Bob answers from his window.
    typeInto(QStringLiteral("Tincan — bob$"), QStringLiteral("hello alice, got it"));
    QTRY_VERIFY_WITH_TIMEOUT(
        history(profileA, QStringLiteral("bob")).contains(QStringLiteral("hello alice, got it")),
        Timeout);

    // Quitting the hosting app stops the server for everyone.
    m_appA.terminate();
    QVERIFY(m_appA.waitForFinished(30000));
    QTRY_VERIFY_WITH_TIMEOUT(!accepts(m_port), Timeout);
}

QTEST_GUILESS_MAIN(TestDesktopE2e)
#include "tst_desktop_e2e.moc"
