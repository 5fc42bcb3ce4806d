// The real tincan-cli binary against the real tincand: commands, output formats, exit codes.
#include "tests/common/Raw.h"
#include "tests/common/TestServer.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace Tincan::Test;

using Run = ProcessRun;

class TestCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void accountCommands();
    void sendListenHistory();
    void errorsHaveMeaningfulExitCodes();
    void revokeDevice();
    void unreachableServer();
    void passphraseWhenThereIsNoKeychain();
    void safetyNumbersAndVerification();
    void runTincanScriptStartsTheServer();
    void runTincanScriptSaysWhenThereIsNoDisplay();
    void groupsReadAndReceipts();
    void linkDeviceWithHistory();

private:
    Run cli(const QString &profile, const QStringList &args, const QByteArray &input = {},
            const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());
    QString profile(const QString &name) const { return m_dir.path() + QLatin1Char('/') + name; }

    QTemporaryDir m_dir;
    std::unique_ptr<TestServer> m_server;
};

Run TestCli::cli(const QString &profileDir, const QStringList &args, const QByteArray &input,
                 const QProcessEnvironment &environment)
{
    QStringList all{QStringLiteral("--profile"), profileDir};
    if (m_server && m_server->port()) {
        all << QStringLiteral("--server") << m_server->url().toString();
    }
    return runProcess(QStringLiteral(TINCAN_CLI_PATH), all + args, input, environment);
}

void TestCli::initTestCase()
{
    m_server = std::make_unique<TestServer>();
    QVERIFY(m_server->start());
}

void TestCli::cleanupTestCase()
{
    QVERIFY2(m_server->stop(), qPrintable(m_server->output()));
}

void TestCli::accountCommands()
{
    Run run = cli(
        profile(QStringLiteral("alice")),
        {QStringLiteral("register"), QStringLiteral("alice"), QStringLiteral("--password-stdin")},
        "hunter2hunter2\n");
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.startsWith(QStringLiteral("Signed in as alice (device ")),
             qPrintable(run.out));
    // The first connection pins the server's certificate and says so; later ones do not.
    QVERIFY2(run.err.contains(QStringLiteral("Pinned server certificate SHA-256 ") +
                              m_server->fingerprint()),
             qPrintable(run.err));

    run = cli(profile(QStringLiteral("alice-phone")),
              {QStringLiteral("login"), QStringLiteral("alice"), QStringLiteral("--password-stdin"),
               QStringLiteral("--device-name"), QStringLiteral("phone")},
              "hunter2hunter2\n");
    QCOMPARE(run.exitCode, 0);

    run = cli(profile(QStringLiteral("alice")), {QStringLiteral("whoami")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.startsWith(QStringLiteral("alice (user ")));
    QVERIFY(!run.err.contains(QStringLiteral("Pinned")));

    run = cli(profile(QStringLiteral("alice")), {QStringLiteral("devices")});
    QCOMPARE(run.exitCode, 0);
    const QStringList lines = run.out.trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 2);
    QVERIFY(lines[0].contains(QStringLiteral("(this device)")));
    QVERIFY(lines[1].contains(QStringLiteral("phone")));

    // The password never shows up in the profile.
    QFile ini(profile(QStringLiteral("alice")) + QStringLiteral("/profile.ini"));
    QVERIFY(ini.open(QIODevice::ReadOnly));
    QVERIFY(!ini.readAll().contains("hunter2"));
    QCOMPARE(ini.permissions() & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
}

void TestCli::sendListenHistory()
{
    Run run =
        cli(profile(QStringLiteral("bob")),
            {QStringLiteral("register"), QStringLiteral("bob"), QStringLiteral("--password-stdin")},
            "hunter2hunter2\n");
    QCOMPARE(run.exitCode, 0);

    run = cli(profile(QStringLiteral("alice")),
              {QStringLiteral("send"), QStringLiteral("bob"), QStringLiteral("hi there, bob")});
    QCOMPARE(run.exitCode, 0);
    const QString id = run.out.trimmed();
    QVERIFY2(QRegularExpression(QStringLiteral("^[0-9a-f-]{36}$")).match(id).hasMatch(),
             qPrintable(run.out));

    run = cli(profile(QStringLiteral("bob")),
              {QStringLiteral("listen"), QStringLiteral("--json"), QStringLiteral("--count"),
               QStringLiteral("1"), QStringLiteral("--timeout"), QStringLiteral("30")});
    QCOMPARE(run.exitCode, 0);
    QJsonObject message;
    for (const QString &line : run.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QJsonObject object = QJsonDocument::fromJson(line.toUtf8()).object();
        QVERIFY2(!object.isEmpty(), qPrintable(line));
        if (object.value(QStringLiteral("type")).toString() == QLatin1String("message")) {
            message = object;
        }
    }
    QCOMPARE(message.value(QStringLiteral("clientMessageId")).toString(), id);
    QCOMPARE(message.value(QStringLiteral("from")).toString(), QStringLiteral("alice"));
    QCOMPARE(message.value(QStringLiteral("text")).toString(), QStringLiteral("hi there, bob"));
    QCOMPARE(message.value(QStringLiteral("conversation")).toString(),
             QStringLiteral("dm:alice:bob"));
    QVERIFY(message.value(QStringLiteral("id")).toInteger() > 0);
    QVERIFY(message.value(QStringLiteral("fromDevice")).toInteger() > 0);
    QVERIFY(message.value(QStringLiteral("serverTs")).toInteger() > 0);

    // Alice's phone got the self-sync copy.
    run = cli(profile(QStringLiteral("alice-phone")),
              {QStringLiteral("listen"), QStringLiteral("--json"), QStringLiteral("--count"),
               QStringLiteral("1"), QStringLiteral("--timeout"), QStringLiteral("30")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains(QStringLiteral("\"outgoing\":true")));

    run = cli(profile(QStringLiteral("bob")),
              {QStringLiteral("history"), QStringLiteral("alice"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out.trimmed().split(QLatin1Char('\n')).size(), 1);
    QVERIFY(run.out.contains(QStringLiteral("hi there, bob")));
    run = cli(profile(QStringLiteral("alice")), {QStringLiteral("history"), QStringLiteral("bob")});
    QVERIFY(run.out.contains(QStringLiteral("alice -> bob: hi there, bob  [sent]")));

    // Nothing more is waiting: listen ends on its timeout with exit code 4.
    run = cli(profile(QStringLiteral("bob")),
              {QStringLiteral("listen"), QStringLiteral("--count"), QStringLiteral("1"),
               QStringLiteral("--timeout"), QStringLiteral("2")});
    QCOMPARE(run.exitCode, 4);
}

void TestCli::errorsHaveMeaningfulExitCodes()
{
    Run run = cli(profile(QStringLiteral("alice")),
                  {QStringLiteral("send"), QStringLiteral("nobody"), QStringLiteral("x")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QStringLiteral("no user called 'nobody'")), qPrintable(run.err));

    run = cli(profile(QStringLiteral("fresh")), {QStringLiteral("whoami")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY(run.err.contains(QStringLiteral("not signed in")));

    run = cli(profile(QStringLiteral("alice")), {QStringLiteral("frobnicate")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY(run.err.contains(QStringLiteral("unknown command")));

    run = cli(profile(QStringLiteral("alice")), {QStringLiteral("send"), QStringLiteral("bob")});
    QCOMPARE(run.exitCode, 1);

    run =
        cli(profile(QStringLiteral("wrong")),
            {QStringLiteral("login"), QStringLiteral("alice"), QStringLiteral("--password-stdin")},
            "not the password\n");
    QCOMPARE(run.exitCode, 2);
    QVERIFY(run.err.contains(QStringLiteral("Wrong username or password")));

    run = cli(
        profile(QStringLiteral("taken")),
        {QStringLiteral("register"), QStringLiteral("alice"), QStringLiteral("--password-stdin")},
        "whatever123\n");
    QCOMPARE(run.exitCode, 2);
    QVERIFY(run.err.contains(QStringLiteral("username_taken")));
    QVERIFY(!run.err.contains(QStringLiteral("whatever123")));
}

void TestCli::revokeDevice()
{
    Run run = cli(
        profile(QStringLiteral("carol")),
        {QStringLiteral("register"), QStringLiteral("carol"), QStringLiteral("--password-stdin")},
        "password123\n");
    QCOMPARE(run.exitCode, 0);
    run =
        cli(profile(QStringLiteral("carol-old")),
            {QStringLiteral("login"), QStringLiteral("carol"), QStringLiteral("--password-stdin")},
            "password123\n");
    QCOMPARE(run.exitCode, 0);
    const QString deviceId =
        QRegularExpression(QStringLiteral("device (\\d+)")).match(run.out).captured(1);
    QVERIFY(!deviceId.isEmpty());

    run = cli(profile(QStringLiteral("carol")), {QStringLiteral("revoke-device"), deviceId});
    QCOMPARE(run.exitCode, 0);
    run = cli(profile(QStringLiteral("carol-old")), {QStringLiteral("whoami")});
    QCOMPARE(run.exitCode, 2);
    run = cli(profile(QStringLiteral("carol")), {QStringLiteral("revoke-device"), deviceId});
    QCOMPARE(run.exitCode, 2);
}

void TestCli::unreachableServer()
{
    QVERIFY2(m_server->stop(), qPrintable(m_server->output()));
    const quint16 port = m_server->port();
    Run run = cli(profile(QStringLiteral("alice")), {QStringLiteral("whoami")});
    QCOMPARE(run.exitCode, 3);
    QVERIFY2(run.err.contains(QStringLiteral("cannot reach the server")), qPrintable(run.err));
    run = cli(profile(QStringLiteral("alice")),
              {QStringLiteral("send"), QStringLiteral("bob"), QStringLiteral("later"),
               QStringLiteral("--timeout"), QStringLiteral("2")});
    QCOMPARE(run.exitCode, 3);
    QVERIFY(run.err.contains(QStringLiteral("outbox")));
    QVERIFY(m_server->start(port));
    run = cli(profile(QStringLiteral("alice")), {QStringLiteral("flush")});
    QCOMPARE(run.exitCode, 0);
    run = cli(profile(QStringLiteral("bob")),
              {QStringLiteral("listen"), QStringLiteral("--json"), QStringLiteral("--count"),
               QStringLiteral("1"), QStringLiteral("--timeout"), QStringLiteral("30")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains(QStringLiteral("\"text\":\"later\"")));
}

void TestCli::passphraseWhenThereIsNoKeychain()
{
    // No D-Bus session: no Secret Service, so no keychain.
    QProcessEnvironment noKeychain = QProcessEnvironment::systemEnvironment();
    noKeychain.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
    noKeychain.remove(QStringLiteral("DISPLAY"));
    noKeychain.remove(QStringLiteral("TINCAN_PASSPHRASE"));
    const QString dir = profile(QStringLiteral("headless"));
    const QStringList registerArgs{QStringLiteral("register"), QStringLiteral("headless"),
                                   QStringLiteral("--password-stdin")};

    // Without a passphrase it refuses, and says why: never a plaintext database.
    Run run = cli(dir, registerArgs, "correct horse\n", noKeychain);
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("No keychain")), qPrintable(run.err));
    QVERIFY(!QFile::exists(dir + QStringLiteral("/client.db")));

    QProcessEnvironment withPassphrase = noKeychain;
    withPassphrase.insert(QStringLiteral("TINCAN_PASSPHRASE"), QStringLiteral("long passphrase"));
    run = cli(dir, registerArgs, "correct horse\n", withPassphrase);
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QFile ini(dir + QStringLiteral("/profile.ini"));
    QVERIFY(ini.open(QIODevice::ReadOnly));
    QVERIFY(ini.readAll().contains("key_source=passphrase"));
    QFile db(dir + QStringLiteral("/client.db"));
    QVERIFY(db.open(QIODevice::ReadOnly));
    QVERIFY(!db.read(16).startsWith("SQLite format 3"));

    run = cli(dir, {QStringLiteral("whoami")}, {}, withPassphrase);
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY(run.out.contains(QStringLiteral("headless")));

    QProcessEnvironment wrong = noKeychain;
    wrong.insert(QStringLiteral("TINCAN_PASSPHRASE"), QStringLiteral("not it"));
    run = cli(dir, {QStringLiteral("whoami")}, {}, wrong);
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("wrong passphrase")), qPrintable(run.err));
    run = cli(dir, {QStringLiteral("whoami")}, {}, noKeychain);
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("passphrase")), qPrintable(run.err));
}

void TestCli::safetyNumbersAndVerification()
{
    const QString carol = profile(QStringLiteral("carol5"));
    const QString dave = profile(QStringLiteral("dave5"));
    for (const auto &[dir, name] :
         {std::pair{carol, QStringLiteral("carol5")}, std::pair{dave, QStringLiteral("dave5")}}) {
        const Run run =
            cli(dir, {QStringLiteral("register"), name, QStringLiteral("--password-stdin")},
                "correct horse\n");
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    }
    // No session yet: nothing to compare.
    Run run = cli(carol, {QStringLiteral("safety-number"), QStringLiteral("dave5")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY(run.err.contains(QStringLiteral("no session")));

    run = cli(carol, {QStringLiteral("send"), QStringLiteral("dave5"), QStringLiteral("hi dave5")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    run = cli(dave, {QStringLiteral("listen"), QStringLiteral("--count"), QStringLiteral("1"),
                     QStringLiteral("--timeout"), QStringLiteral("30")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY(run.out.contains(QStringLiteral("hi dave5")));

    const Run fromCarol = cli(carol, {QStringLiteral("safety-number"), QStringLiteral("dave5"),
                                      QStringLiteral("--json")});
    const Run fromDave = cli(dave, {QStringLiteral("safety-number"), QStringLiteral("carol5"),
                                    QStringLiteral("--json")});
    QVERIFY2(fromCarol.exitCode == 0 && fromDave.exitCode == 0, qPrintable(fromCarol.err));
    const QJsonObject a = QJsonDocument::fromJson(fromCarol.out.toUtf8()).object();
    const QJsonObject b = QJsonDocument::fromJson(fromDave.out.toUtf8()).object();
    QCOMPARE(a.value(QStringLiteral("digits")).toString().size(), 60);
    QCOMPARE(a.value(QStringLiteral("digits")), b.value(QStringLiteral("digits")));
    QCOMPARE(a.value(QStringLiteral("verified")).toBool(), false);
    // Dave's side knows carol's device decrypted fine.
    const QJsonArray carolDevices = b.value(QStringLiteral("devices")).toArray();
    QCOMPARE(carolDevices.size(), 1);
    QVERIFY(carolDevices.first().toObject().value(QStringLiteral("lastOkAt")).toInteger() > 0);
    QCOMPARE(carolDevices.first().toObject().value(QStringLiteral("failures")).toInteger(), 0);

    // The human form: 12 groups of 5 digits, and a QR code.
    run = cli(carol, {QStringLiteral("safety-number"), QStringLiteral("dave5")});
    QCOMPARE(run.exitCode, 0);
    const QString digits = a.value(QStringLiteral("digits")).toString();
    QVERIFY(run.out.contains(digits.left(5) + QLatin1Char(' ') + digits.mid(5, 5)));
    QVERIFY(run.out.contains(QChar(0x2588)));

    run = cli(carol, {QStringLiteral("verify"), QStringLiteral("dave5")});
    QCOMPARE(run.exitCode, 0);
    run = cli(carol,
              {QStringLiteral("safety-number"), QStringLiteral("dave5"), QStringLiteral("--json")});
    QCOMPARE(QJsonDocument::fromJson(run.out.toUtf8())
                 .object()
                 .value(QStringLiteral("verified"))
                 .toBool(),
             true);
    run = cli(carol, {QStringLiteral("unverify"), QStringLiteral("dave5")});
    QCOMPARE(run.exitCode, 0);
}

void TestCli::runTincanScriptStartsTheServer()
{
    // The README's first command, on the binaries of this build: it prints how to connect and
    // the certificate fingerprint to compare, then runs the daemon.
    QTemporaryDir data;
    QProcess script;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("TINCAN_BIN_DIR"), QStringLiteral(TINCAN_BUILD_DIR));
    script.setProcessEnvironment(environment);
    script.setProcessChannelMode(QProcess::MergedChannels);
    script.start(QStringLiteral("bash"),
                 {QStringLiteral(TINCAN_SOURCE_DIR "/scripts/run-tincan.sh"),
                  QStringLiteral("--server"), QStringLiteral("--data-dir"), data.path(),
                  QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
    QVERIFY(script.waitForStarted());
    QByteArray output;
    QTRY_VERIFY_WITH_TIMEOUT((output += script.readAll()).contains("listening on https://"), 30000);
    const QRegularExpression fingerprint(
        QStringLiteral("fingerprint\\s+((?:[0-9A-F]{2}:){31}[0-9A-F]{2})"));
    const auto printed = fingerprint.match(QString::fromUtf8(output));
    QVERIFY2(printed.hasMatch(), output.constData());
    QVERIFY(output.contains("tincan-cli --profile"));
    QVERIFY(!output.contains("bad substitution"));
    // The banner's fingerprint is the daemon's.
    const ProcessRun print =
        runProcess(QStringLiteral(TINCAND_PATH), {QStringLiteral("--data-dir"), data.path(),
                                                  QStringLiteral("--print-fingerprint")});
    QCOMPARE(print.out.trimmed(), printed.captured(1));
    script.terminate();
    QVERIFY(script.waitForFinished(30000));
}

void TestCli::runTincanScriptSaysWhenThereIsNoDisplay()
{
    // Without --server it starts the desktop app, which needs a display: say so, clearly.
    QProcess script;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("TINCAN_BIN_DIR"), QStringLiteral(TINCAN_BUILD_DIR));
    for (const char *name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) {
        environment.remove(QString::fromLatin1(name));
    }
    script.setProcessEnvironment(environment);
    script.setProcessChannelMode(QProcess::MergedChannels);
    script.start(QStringLiteral("bash"),
                 {QStringLiteral(TINCAN_SOURCE_DIR "/scripts/run-tincan.sh")});
    QVERIFY(script.waitForFinished(30000));
    const QByteArray output = script.readAll();
    QCOMPARE(script.exitCode(), 2);
    QVERIFY2(output.contains("needs a graphical display"), output.constData());
    QVERIFY2(output.contains("--server"), output.constData());
    // The app itself says the same when started directly.
    QProcess app;
    app.setProcessEnvironment(environment);
    app.setProcessChannelMode(QProcess::MergedChannels);
    app.start(QStringLiteral(TINCAN_APP_PATH), {});
    QVERIFY(app.waitForFinished(30000));
    QCOMPARE(app.exitCode(), 2);
    QVERIFY2(app.readAll().contains("no graphical display"), "tincan did not explain");
}

void TestCli::groupsReadAndReceipts()
{
    Run run;
    for (const QString &name :
         {QStringLiteral("gina"), QStringLiteral("hank"), QStringLiteral("ivy")}) {
        run = cli(profile(name),
                  {QStringLiteral("register"), name, QStringLiteral("--password-stdin")},
                  "hunter2hunter2\n");
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
    }
    run = cli(profile(QStringLiteral("gina")),
              {QStringLiteral("group-create"), QStringLiteral("team"), QStringLiteral("hank"),
               QStringLiteral("ivy")});
    QCOMPARE(run.exitCode, 0);
    const QRegularExpression idPattern(QStringLiteral("^(group:[0-9a-f]{32})  \"team\""));
    const auto match = idPattern.match(run.out);
    QVERIFY2(match.hasMatch(), qPrintable(run.out));
    const QString group = match.captured(1);
    QVERIFY2(run.out.contains(QStringLiteral("  gina (admin)")), qPrintable(run.out));

    run = cli(profile(QStringLiteral("gina")),
              {QStringLiteral("send"), group, QStringLiteral("hello team")});
    QCOMPARE(run.exitCode, 0);
    const QString id = run.out.trimmed();

    // hank gets the creation notice and the message.
    run = cli(profile(QStringLiteral("hank")),
              {QStringLiteral("listen"), QStringLiteral("--json"), QStringLiteral("--count"),
               QStringLiteral("2"), QStringLiteral("--timeout"), QStringLiteral("30")});
    QCOMPARE(run.exitCode, 0);
    bool gotMessage = false;
    for (const QString &line : run.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QJsonObject object = QJsonDocument::fromJson(line.toUtf8()).object();
        if (object.value(QStringLiteral("clientMessageId")).toString() == id) {
            QCOMPARE(object.value(QStringLiteral("conversation")).toString(), group);
            QCOMPARE(object.value(QStringLiteral("text")).toString(), QStringLiteral("hello team"));
            gotMessage = true;
        }
    }
    QVERIFY2(gotMessage, qPrintable(run.out));

    run = cli(profile(QStringLiteral("hank")), {QStringLiteral("read"), group});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.startsWith(QStringLiteral("Read ") + group), qPrintable(run.out));

    // gina catches up with the receipts, and sees who read it.
    run = cli(profile(QStringLiteral("gina")), {QStringLiteral("listen"), QStringLiteral("--json"),
                                                QStringLiteral("--timeout"), QStringLiteral("3")});
    QVERIFY2(run.out.contains(QStringLiteral("\"type\":\"receipt\"")), qPrintable(run.out));
    run = cli(profile(QStringLiteral("gina")),
              {QStringLiteral("receipts"), id, QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonObject summary = QJsonDocument::fromJson(run.out.toUtf8()).object();
    QCOMPARE(summary.value(QStringLiteral("total")).toInt(), 2);
    QCOMPARE(summary.value(QStringLiteral("readBy")).toArray(), QJsonArray{QStringLiteral("hank")});
    QVERIFY(
        summary.value(QStringLiteral("deliveredTo")).toArray().contains(QStringLiteral("hank")));

    run =
        cli(profile(QStringLiteral("ivy")),
            {QStringLiteral("privacy"), QStringLiteral("--read-receipts"), QStringLiteral("off")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QStringLiteral("Read receipts: off")), qPrintable(run.out));
    run = cli(profile(QStringLiteral("ivy")),
              {QStringLiteral("group-rename"), group, QStringLiteral("the team")});
    QCOMPARE(run.exitCode, 0);
    run = cli(profile(QStringLiteral("ivy")),
              {QStringLiteral("group-add"), group, QStringLiteral("gina")});
    QCOMPARE(run.exitCode, 2); // Not an admin (and gina is in already).
    run = cli(profile(QStringLiteral("ivy")), {QStringLiteral("read"), QStringLiteral("nobody!")});
    QCOMPARE(run.exitCode, 1);
}

void TestCli::linkDeviceWithHistory()
{
    const QString lena = profile(QStringLiteral("lena"));
    Run run = cli(
        lena,
        {QStringLiteral("register"), QStringLiteral("lena"), QStringLiteral("--password-stdin")},
        "hunter2hunter2\n");
    QCOMPARE(run.exitCode, 0);
    run = cli(profile(QStringLiteral("lena-friend")),
              {QStringLiteral("register"), QStringLiteral("lenafriend"),
               QStringLiteral("--password-stdin")},
              "hunter2hunter2\n");
    QCOMPARE(run.exitCode, 0);
    run = cli(lena, {QStringLiteral("send"), QStringLiteral("lenafriend"),
                     QStringLiteral("before the laptop")});
    QCOMPARE(run.exitCode, 0);

    // The existing device shows a code and waits; --yes approves without the prompt.
    QProcess link;
    link.setProgram(QStringLiteral(TINCAN_CLI_PATH));
    link.setArguments({QStringLiteral("--profile"), lena, QStringLiteral("--server"),
                       m_server->url().toString(), QStringLiteral("link"), QStringLiteral("--yes"),
                       QStringLiteral("--timeout"), QStringLiteral("60")});
    link.start();
    QVERIFY(link.waitForStarted());
    QString shown;
    const QRegularExpression uriPattern(QStringLiteral("link-device '(tincan://link\\?[^']+)'"));
    QRegularExpressionMatch match;
    QTRY_VERIFY_WITH_TIMEOUT((shown += QString::fromUtf8(link.readAllStandardOutput()),
                              (match = uriPattern.match(shown)).hasMatch()),
                             30000);
    QVERIFY2(shown.contains(QStringLiteral("Link code: ")), qPrintable(shown));

    // The new device, on a profile of its own, joins with the address of the QR code.
    const QString laptop = profile(QStringLiteral("lena-laptop"));
    run = runProcess(QStringLiteral(TINCAN_CLI_PATH),
                     {QStringLiteral("--profile"), laptop, QStringLiteral("link-device"),
                      match.captured(1), QStringLiteral("--device-name"), QStringLiteral("laptop"),
                      QStringLiteral("--wait-history"), QStringLiteral("--timeout"),
                      QStringLiteral("50")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
    QVERIFY2(run.out.contains(QStringLiteral("Verification code: ")), qPrintable(run.out));
    QVERIFY2(run.out.contains(QStringLiteral("History received: 1 messages.")),
             qPrintable(run.out));
    QVERIFY(link.waitForFinished(60000));
    shown += QString::fromUtf8(link.readAllStandardOutput());
    QVERIFY2(link.exitCode() == 0,
             qPrintable(shown + QString::fromUtf8(link.readAllStandardError())));
    QVERIFY2(shown.contains(QStringLiteral("History sent: 1 messages.")), qPrintable(shown));

    run = cli(laptop, {QStringLiteral("history"), QStringLiteral("lenafriend")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QStringLiteral("before the laptop")), qPrintable(run.out));
    run = cli(laptop, {QStringLiteral("devices"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const QStringList lines = run.out.trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 2);
    const QJsonObject self = QJsonDocument::fromJson(lines.last().toUtf8()).object();
    QCOMPARE(self.value(QStringLiteral("name")).toString(), QStringLiteral("laptop"));
    QVERIFY(self.value(QStringLiteral("current")).toBool());
    QVERIFY(!self.value(QStringLiteral("platform")).toString().isEmpty());

    // A code that was never issued: the server refuses, exit code 2.
    run = runProcess(QStringLiteral(TINCAN_CLI_PATH),
                     {QStringLiteral("--profile"), profile(QStringLiteral("nobody-laptop")),
                      QStringLiteral("--server"), m_server->url().toString(),
                      QStringLiteral("link-device"), QStringLiteral("00000-00000")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QStringLiteral("no such device link")), qPrintable(run.err));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
