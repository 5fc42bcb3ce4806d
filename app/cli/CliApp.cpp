#include "app/cli/CliApp.h"

#include "shared/crypto/DeviceCrypto.h"
#include "shared/crypto/QrCode.h"
#include "shared/protocol/DeviceLink.h"
#include "shared/protocol/Validation.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QSysInfo>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <termios.h>
#include <unistd.h>

namespace Tincan::Cli {

using Client::ApiResult;
using Client::StoredMessage;

namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

void printJson(const QJsonObject &object)
{
    out() << QJsonDocument(object).toJson(QJsonDocument::Compact) << Qt::endl;
}

QString timeText(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QJsonArray attachmentsJson(const StoredMessage &m)
{
    QJsonArray list;
    for (const Protocol::Attachment &a : Client::ClientCore::attachmentsOf(m)) {
        QJsonObject item{{QStringLiteral("mediaId"), a.mediaId},
                         {QStringLiteral("name"), a.name},
                         {QStringLiteral("mime"), a.mime},
                         {QStringLiteral("size"), a.size}};
        if (a.width > 0) {
            item.insert(QStringLiteral("width"), a.width);
            item.insert(QStringLiteral("height"), a.height);
        }
        if (a.durationMs > 0) {
            item.insert(QStringLiteral("durationMs"), a.durationMs);
        }
        item.insert(QStringLiteral("thumbnail"), !a.thumbnail.isEmpty());
        list.append(item);
    }
    return list;
}

//! "1.5 MB"
QString sizeText(qint64 bytes)
{
    if (bytes < 1000) {
        return QStringLiteral("%1 B").arg(bytes);
    }
    const char *units[] = {"kB", "MB", "GB", "TB"};
    double value = static_cast<double>(bytes);
    int unit = -1;
    while (value >= 1000 && unit < 3) {
        value /= 1000;
        ++unit;
    }
    return QStringLiteral("%1 %2").arg(value, 0, 'f', 1).arg(QLatin1String(units[unit]));
}

QJsonObject messageJson(const StoredMessage &m)
{
    QJsonObject object =
        QJsonObject{{QStringLiteral("type"), QStringLiteral("message")},
                    {QStringLiteral("id"), m.serverId},
                    {QStringLiteral("clientMessageId"), m.clientMessageId},
                    {QStringLiteral("from"), m.sender},
                    {QStringLiteral("fromDevice"), m.senderDevice},
                    {QStringLiteral("conversation"), m.conversation},
                    {QStringLiteral("seq"), m.seq},
                    {QStringLiteral("text"), m.text},
                    {QStringLiteral("serverTs"), m.serverTimestamp},
                    {QStringLiteral("outgoing"), m.outgoing},
                    {QStringLiteral("status"), StoredMessage::statusName(m.status)},
                    {QStringLiteral("error"), m.error}};
    const QJsonArray attachments = attachmentsJson(m);
    if (!attachments.isEmpty()) {
        object.insert(QStringLiteral("attachments"), attachments);
    }
    return object;
}

QJsonObject presenceJson(const QString &user, const QString &state, qint64 lastSeen)
{
    QJsonObject object{{QStringLiteral("type"), QStringLiteral("presence")},
                       {QStringLiteral("user"), user},
                       {QStringLiteral("state"), state},
                       {QStringLiteral("online"), state == QLatin1String("online")}};
    if (lastSeen > 0) {
        object.insert(QStringLiteral("lastSeen"), lastSeen);
    }
    return object;
}

//! "alice is online", "bob is offline, last seen ...", "carol hides their presence".
QString presenceLine(const QString &user, const QString &state, qint64 lastSeen)
{
    if (state == QLatin1String("online")) {
        return QStringLiteral("%1 is online").arg(user);
    }
    if (state == QLatin1String("offline")) {
        return lastSeen > 0
                   ? QStringLiteral("%1 is offline, last seen %2").arg(user, timeText(lastSeen))
                   : QStringLiteral("%1 is offline").arg(user);
    }
    if (state == QLatin1String("hidden")) {
        return QStringLiteral("%1: presence hidden").arg(user);
    }
    return QStringLiteral("%1: unknown (no conversation with you)").arg(user);
}

//! One message as a human-readable line (listen, history).
QString messageLine(const StoredMessage &m)
{
    const QString time = QStringLiteral("[%1] ").arg(
        timeText(m.serverTimestamp ? m.serverTimestamp : m.localTimestamp));
    if (m.status == StoredMessage::Status::System) {
        return time + QStringLiteral("* ") + m.text;
    }
    QString line = time + m.sender;
    if (!Protocol::groupIdOf(m.conversation).isEmpty()) {
        line = time + QStringLiteral("[%1] ").arg(m.conversation) + m.sender;
    } else if (m.outgoing) {
        line += QStringLiteral(" -> ") + Protocol::directPeer(m.conversation, m.sender);
    }
    line += QStringLiteral(": ");
    if (m.status == StoredMessage::Status::Undecryptable) {
        line += QStringLiteral("(not decrypted yet, a resend was requested: %1)").arg(m.error);
    } else if (!m.error.isEmpty() && !m.outgoing) {
        line += QStringLiteral("(unreadable: %1)").arg(m.error);
    } else {
        line += m.text;
        for (const Protocol::Attachment &a : Client::ClientCore::attachmentsOf(m)) {
            line += QStringLiteral("%1[file: %2, %3, %4]")
                        .arg(m.text.isEmpty() ? QString() : QStringLiteral(" "), a.name, a.mime,
                             sizeText(a.size));
        }
    }
    if (m.outgoing) {
        line += QStringLiteral("  [%1]").arg(StoredMessage::statusName(m.status));
    }
    return line;
}

const char *const UsageText =
    "Commands:\n"
    "  register USERNAME        create an account and sign this profile in\n"
    "  login USERNAME           sign this profile in as a new device of USERNAME\n"
    "  whoami                   show who this profile is, checked with the server\n"
    "  devices                  list your devices (platform, last seen; --json)\n"
    "  link [--history all|none|DAYS] [--yes]\n"
    "                           link a new device: shows a code and a QR code, then asks\n"
    "                           you to confirm the new device and sends it your history\n"
    "  link-device CODE|URI [--device-name NAME] [--wait-history]\n"
    "                           on a new profile: join your account with the code (or the\n"
    "                           QR code's tincan://link address) your other device shows\n"
    "  revoke-device ID         sign one of your devices out for good\n"
    "  send TO TEXT             send a message to a USERNAME or a group (group:ID); exits\n"
    "                           once the server stored it\n"
    "  send-file TO PATH [--caption TEXT]\n"
    "                           send a file, encrypted, to a USERNAME or group:ID (progress\n"
    "                           on stderr; an interrupted upload resumes on the next run)\n"
    "  fetch-media ID DEST [--index N]\n"
    "                           download, check and decrypt the file of message ID to DEST\n"
    "  flush                    send everything waiting in the outbox\n"
    "  listen                   print incoming messages and events\n"
    "  history TO               print the conversation with a USERNAME or group:ID\n"
    "  groups                   list your groups\n"
    "  group-create NAME USER.. create a group with these members; prints its id\n"
    "  group-info GROUP         show a group's members (GROUP: its id or group:ID)\n"
    "  group-add GROUP USER..   add members (admins only)\n"
    "  group-remove GROUP USER  remove a member (admins only)\n"
    "  group-leave GROUP        leave a group\n"
    "  group-rename GROUP NAME  rename a group\n"
    "  group-admin GROUP USER on|off   make USER an admin, or not (admins only)\n"
    "  safety-number USERNAME   show the safety number with USERNAME (digits and QR code)\n"
    "  verify USERNAME          mark USERNAME verified, after comparing the safety number\n"
    "  unverify USERNAME        clear the verified mark\n"
    "  accept-change USERNAME   send to USERNAME again after their safety number changed\n"
    "  presence USERNAME...     show who is online, and when the others were last seen\n"
    "  read TO                  mark the conversation with USERNAME or group:ID read\n"
    "  receipts ID              who got and who read your message ID\n"
    "  privacy [--presence on|off] [--read-receipts on|off]\n"
    "                           show or change what others see: presence and last seen,\n"
    "                           read receipts (off: you see no one's either)\n"
    "  typing USERNAME          tell USERNAME you are typing (it shows for a few seconds)\n"
    "\n"
    "The profile's database is encrypted with a key kept in the OS keychain. Without a\n"
    "keychain, it is protected by a passphrase: read from the TINCAN_PASSPHRASE environment\n"
    "variable, or asked for on the terminal.\n"
    "\n"
    "The first connection to a server pins its TLS certificate (SHA-256 fingerprint, printed\n"
    "to stderr; compare it with `tincand --print-fingerprint` on the server). A server that\n"
    "later shows another certificate gets nothing, and the command exits with code 3.\n"
    "--server-fingerprint pins a known fingerprint instead of trusting the first one.\n"
    "\n"
    "Exit codes: 0 done, 1 usage or local error, 2 the server refused, 3 the server could\n"
    "not be reached, timed out or showed another certificate, 4 listen ended before --count.\n";

} // namespace

bool CliApp::wait(const std::function<void(std::function<void()>)> &start, int timeoutMs)
{
    QEventLoop loop;
    bool finished = false;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    start([&finished, &loop] {
        finished = true;
        loop.quit();
    });
    if (!finished) {
        timer.start(timeoutMs);
        loop.exec();
    }
    return finished;
}

ApiResult CliApp::callApi(const std::function<void(Client::ApiCallback)> &call)
{
    ApiResult result;
    result.error.message = QStringLiteral("the server did not answer in time");
    wait(
        [&](std::function<void()> done) {
            call([&result, done](const ApiResult &r) {
                result = r;
                done();
            });
        },
        m_timeoutSeconds * 1000);
    return result;
}

int CliApp::reportCertificateError()
{
    err() << "tincan-cli: " << m_certificateError << Qt::endl;
    return Unreachable;
}

int CliApp::reportApiError(const ApiResult &result)
{
    if (result.error.code == QLatin1String(Client::ClientErrorCode::CertificateChanged)) {
        m_certificateError = result.error.message;
        return reportCertificateError();
    }
    if (result.status == 0) {
        err() << "tincan-cli: cannot reach the server at " << m_core->api().baseUrl().toString()
              << ": " << result.error.message << Qt::endl;
        return Unreachable;
    }
    err() << "tincan-cli: " << result.error.message << " (HTTP " << result.status << ", "
          << result.error.code << ")" << Qt::endl;
    return Refused;
}

QString CliApp::readPassword()
{
    QTextStream in(stdin);
    const bool tty = !m_passwordStdin && ::isatty(STDIN_FILENO);
    termios saved{};
    if (tty) {
        err() << "Password: " << Qt::flush;
        ::tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    const QString password = in.readLine();
    if (tty) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        err() << Qt::endl;
    }
    return password;
}

std::optional<QString> CliApp::readPassphrase(bool creating, const QString &reason)
{
    const QByteArray fromEnvironment = qgetenv("TINCAN_PASSPHRASE");
    if (!fromEnvironment.isEmpty()) {
        return QString::fromUtf8(fromEnvironment);
    }
    if (!::isatty(STDIN_FILENO)) {
        return std::nullopt;
    }
    err() << reason << Qt::endl;
    QTextStream in(stdin);
    termios saved{};
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    err() << "Passphrase: " << Qt::flush;
    const QString first = in.readLine();
    QString second = first;
    if (creating) {
        err() << Qt::endl << "Again: " << Qt::flush;
        second = in.readLine();
    }
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    err() << Qt::endl;
    if (first != second) {
        err() << "tincan-cli: the passphrases differ." << Qt::endl;
        return std::nullopt;
    }
    return first;
}

int CliApp::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Tincan command-line client\n\n") +
                                     QString::fromLatin1(UsageText));
    parser.addHelpOption();
    const QCommandLineOption profileOption(
        QStringLiteral("profile"), QStringLiteral("Profile directory."), QStringLiteral("DIR"));
    const QCommandLineOption serverOption(
        QStringLiteral("server"),
        QStringLiteral("Server URL, https://HOST:PORT (remembered in the profile)."),
        QStringLiteral("URL"));
    const QCommandLineOption fingerprintOption(
        QStringLiteral("server-fingerprint"),
        QStringLiteral("Require this SHA-256 fingerprint of the server's TLS certificate instead "
                       "of trusting the first one (remembered in the profile)."),
        QStringLiteral("SHA256"));
    const QCommandLineOption plainHttpOption(
        QStringLiteral("allow-plain-http"),
        QStringLiteral("Accept an http:// server URL of another machine: passwords and tokens then "
                       "cross the network unencrypted."));
    const QCommandLineOption passwordStdinOption(QStringLiteral("password-stdin"),
                                                 QStringLiteral("Read the password from stdin."));
    const QCommandLineOption deviceNameOption(QStringLiteral("device-name"),
                                              QStringLiteral("Name of this device."),
                                              QStringLiteral("NAME"));
    const QCommandLineOption inviteOption(QStringLiteral("invite"),
                                          QStringLiteral("Invite code for registration."),
                                          QStringLiteral("CODE"));
    const QCommandLineOption jsonOption(QStringLiteral("json"),
                                        QStringLiteral("One JSON object per line."));
    const QCommandLineOption countOption(QStringLiteral("count"),
                                         QStringLiteral("listen: stop after N messages."),
                                         QStringLiteral("N"));
    const QCommandLineOption timeoutOption(QStringLiteral("timeout"),
                                           QStringLiteral("Give up after SECONDS (default 30; "
                                                          "link, link-device: 600; listen: run "
                                                          "until stopped)."),
                                           QStringLiteral("SECONDS"));
    const QCommandLineOption presenceOption(
        QStringLiteral("presence"),
        QStringLiteral("privacy: show (on) or hide (off) your presence and last seen."),
        QStringLiteral("on|off"));
    const QCommandLineOption readReceiptsOption(
        QStringLiteral("read-receipts"),
        QStringLiteral("privacy: share read receipts (on) or not (off; then you see none)."),
        QStringLiteral("on|off"));
    const QCommandLineOption limitOption(QStringLiteral("limit"),
                                         QStringLiteral("history: at most N messages."),
                                         QStringLiteral("N"), QStringLiteral("50"));
    const QCommandLineOption historyOption(
        QStringLiteral("history"),
        QStringLiteral("link: how much history the new device gets: all (default), none, or the "
                       "last N days."),
        QStringLiteral("all|none|DAYS"), QStringLiteral("all"));
    const QCommandLineOption yesOption(
        QStringLiteral("yes"),
        QStringLiteral("link: approve without asking when the new device proved it read this "
                       "link's QR code or address (a typed code always asks). Anyone with the "
                       "address could: keep it private."));
    const QCommandLineOption captionOption(QStringLiteral("caption"),
                                           QStringLiteral("send-file: a caption for the file."),
                                           QStringLiteral("TEXT"));
    const QCommandLineOption indexOption(
        QStringLiteral("index"),
        QStringLiteral("fetch-media: which attachment of the message (1 = the first)."),
        QStringLiteral("N"), QStringLiteral("1"));
    const QCommandLineOption waitHistoryOption(
        QStringLiteral("wait-history"),
        QStringLiteral("link-device: stay until the history from the other device arrived."));
    parser.addOptions({profileOption, serverOption, fingerprintOption, plainHttpOption,
                       passwordStdinOption, deviceNameOption, inviteOption, jsonOption, countOption,
                       timeoutOption, limitOption, presenceOption, readReceiptsOption,
                       historyOption, yesOption, waitHistoryOption, captionOption, indexOption});
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("What to do."));
    if (!parser.parse(arguments)) {
        err() << "tincan-cli: " << parser.errorText() << Qt::endl;
        return Usage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText() << Qt::flush;
        return Ok;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty()) {
        err() << "tincan-cli: no command given.\n" << UsageText << Qt::flush;
        return Usage;
    }
    bool numbersOk = true;
    auto number = [&](const QCommandLineOption &option, int fallback) {
        if (!parser.isSet(option)) {
            return fallback;
        }
        bool ok = false;
        const int value = parser.value(option).toInt(&ok);
        if (!ok || value < 0) {
            numbersOk = false;
        }
        return value;
    };
    const int count = number(countOption, 0);
    const int limit = number(limitOption, 50);
    const int timeout = number(timeoutOption, -1);
    if (!numbersOk) {
        err() << "tincan-cli: --count, --limit and --timeout take non-negative numbers."
              << Qt::endl;
        return Usage;
    }
    m_timeoutSeconds = timeout > 0 ? timeout : 30;
    m_passwordStdin = parser.isSet(passwordStdinOption);
    m_deviceName = parser.value(deviceNameOption);
    m_invite = parser.value(inviteOption);

    const QString profileDir = parser.isSet(profileOption) ? parser.value(profileOption)
                                                           : Client::Profile::defaultDirectory();
    m_core = std::make_unique<Client::ClientCore>(profileDir);
    m_core->setPassphrasePrompt(
        [](bool creating, const QString &reason) { return readPassphrase(creating, reason); });
    QString error;
    if (!m_core->open(&error)) {
        err() << "tincan-cli: " << error << Qt::endl;
        return Usage;
    }
    m_core->setPlainHttpAllowed(parser.isSet(plainHttpOption));
    if (parser.isSet(serverOption) &&
        !m_core->setServerUrl(QUrl(parser.value(serverOption)), &error)) {
        err() << "tincan-cli: " << error << Qt::endl;
        return Usage;
    }
    if (parser.isSet(fingerprintOption) &&
        !m_core->pinServerCertificate(parser.value(fingerprintOption), &error)) {
        err() << "tincan-cli: " << error << Qt::endl;
        return Usage;
    }
    QObject::connect(m_core.get(), &Client::ClientCore::certificatePinned, m_core.get(),
                     [](const QString &fingerprint) {
                         err() << "Pinned server certificate SHA-256 " << fingerprint << Qt::endl;
                     });
    QObject::connect(&m_core->certificatePin(), &Client::CertificatePin::rejected, m_core.get(),
                     [this](const QString &message) { m_certificateError = message; });

    const QString command = positional.first();
    const QStringList args = positional.mid(1);
    const bool json = parser.isSet(jsonOption);
    const bool signedIn = m_core->profile().isSignedIn();
    if (command == QLatin1String("link-device")) {
        return linkDevice(args, parser.isSet(waitHistoryOption), timeout > 0 ? timeout : 600);
    }
    if (command != QLatin1String("register") && command != QLatin1String("login") && !signedIn) {
        err() << "tincan-cli: this profile is not signed in; use register, login or "
                 "link-device first."
              << Qt::endl;
        return Usage;
    }
    if (command == QLatin1String("register") || command == QLatin1String("login")) {
        return registerOrLogin(command == QLatin1String("register"), args);
    }
    if (command == QLatin1String("whoami")) {
        return whoami();
    }
    if (command == QLatin1String("devices")) {
        return devices(json);
    }
    if (command == QLatin1String("link")) {
        return link(parser.value(historyOption), parser.isSet(yesOption),
                    timeout > 0 ? timeout : 600);
    }
    if (command == QLatin1String("revoke-device")) {
        return revokeDevice(args);
    }
    if (command == QLatin1String("send")) {
        return send(args);
    }
    if (command == QLatin1String("flush")) {
        return flush();
    }
    if (command == QLatin1String("send-file")) {
        return sendFile(args, parser.value(captionOption), timeout);
    }
    if (command == QLatin1String("fetch-media")) {
        return fetchMedia(args, parser.value(indexOption).toInt() - 1, timeout);
    }
    if (command == QLatin1String("listen")) {
        return listen(json, count, timeout);
    }
    if (command.startsWith(QLatin1String("group"))) {
        return group(command, args, parser.isSet(jsonOption));
    }
    if (command == QLatin1String("history")) {
        return history(args, json, limit);
    }
    if (command == QLatin1String("safety-number") || command == QLatin1String("verify") ||
        command == QLatin1String("unverify") || command == QLatin1String("accept-change")) {
        return trust(command, args, json);
    }
    if (command == QLatin1String("presence")) {
        return presence(args, json);
    }
    if (command == QLatin1String("privacy")) {
        if (!args.isEmpty()) {
            err() << "tincan-cli: privacy takes only --presence on|off and --read-receipts on|off."
                  << Qt::endl;
            return Usage;
        }
        return privacy(parser.value(presenceOption), parser.value(readReceiptsOption));
    }
    if (command == QLatin1String("read")) {
        return markRead(args);
    }
    if (command == QLatin1String("receipts")) {
        return receipts(args, json);
    }
    if (command == QLatin1String("typing")) {
        return typing(args);
    }
    err() << "tincan-cli: unknown command '" << command << "'.\n" << UsageText << Qt::flush;
    return Usage;
}

int CliApp::trust(const QString &command, const QStringList &args, bool json)
{
    if (args.size() != 1 || !Protocol::isValidUsername(args.first())) {
        err() << "tincan-cli: " << command << " takes one USERNAME." << Qt::endl;
        return Usage;
    }
    const QString user = args.first();
    if (command == QLatin1String("unverify")) {
        m_core->clearVerified(user);
        out() << user << " is no longer marked verified." << Qt::endl;
        return Ok;
    }
    if (command == QLatin1String("accept-change")) {
        m_core->acceptSafetyNumberChange(user);
        out() << "You can send to " << user << " again." << Qt::endl;
        return Ok;
    }
    if (command == QLatin1String("verify")) {
        QString error;
        if (!m_core->markVerified(user, &error)) {
            err() << "tincan-cli: " << error << Qt::endl;
            return Refused;
        }
        out() << user << " is verified." << Qt::endl;
        return Ok;
    }
    const auto number = m_core->safetyNumber(user);
    if (!number) {
        err() << "tincan-cli: there is no session with " << user
              << " yet: exchange a message first." << Qt::endl;
        return Refused;
    }
    const Client::ContactTrust trust = m_core->store().trust(user);
    // Per-device decryption status: which of their devices we could read, and what failed.
    QJsonArray devices;
    QString statusText;
    for (const auto &status : m_core->store().deviceStatuses(user)) {
        devices.append(QJsonObject{{QStringLiteral("device"), status.device},
                                   {QStringLiteral("lastOkAt"), status.lastOkAt},
                                   {QStringLiteral("failures"), status.failures},
                                   {QStringLiteral("lastFailure"), status.lastFailure}});
        statusText +=
            QStringLiteral("  device %1: last decrypted %2, %3 failure(s)%4\n")
                .arg(status.device)
                .arg(status.lastOkAt ? timeText(status.lastOkAt) : QStringLiteral("never"))
                .arg(status.failures)
                .arg(status.lastFailure.isEmpty()
                         ? QString()
                         : QStringLiteral(", last: ") + status.lastFailure);
    }
    if (json) {
        printJson({{QStringLiteral("type"), QStringLiteral("safety-number")},
                   {QStringLiteral("user"), user},
                   {QStringLiteral("digits"), number->digits},
                   {QStringLiteral("verified"), trust.verified},
                   {QStringLiteral("changed"), trust.confirmationRequired},
                   {QStringLiteral("devices"), devices}});
        return Ok;
    }
    if (!statusText.isEmpty()) {
        out() << "Decryption status of " << user << "'s devices:\n" << statusText;
    }
    out() << "Safety number with " << user << (trust.verified ? " (verified)" : " (not verified)")
          << ":\n";
    for (int i = 0; i < number->digits.size(); i += 5) {
        out() << number->digits.mid(i, 5) << ((i / 5) % 4 == 3 ? "\n" : " ");
    }
    out() << "\n" << Crypto::QrCode::encode(number->scannable).toText() << Qt::flush;
    return Ok;
}

int CliApp::registerOrLogin(bool create, const QStringList &args)
{
    if (args.size() != 1) {
        err() << "tincan-cli: " << (create ? "register" : "login") << " takes one USERNAME."
              << Qt::endl;
        return Usage;
    }
    const QString username = args.first();
    if (!Protocol::isValidUsername(username)) {
        err() << "tincan-cli: invalid username: " << Protocol::usernameRules() << "." << Qt::endl;
        return Usage;
    }
    const QString password = readPassword();
    if (password.isEmpty()) {
        err() << "tincan-cli: no password given." << Qt::endl;
        return Usage;
    }
    const QString deviceName =
        m_deviceName.isEmpty()
            ? QStringLiteral("tincan-cli on %1").arg(QSysInfo::machineHostName().left(40))
            : m_deviceName;
    const ApiResult result = callApi([&](Client::ApiCallback done) {
        if (create) {
            m_core->registerAccount(username, password, deviceName, m_invite, done);
        } else {
            m_core->login(username, password, deviceName, done);
        }
    });
    if (!result.ok()) {
        return reportApiError(result);
    }
    out() << "Signed in as " << m_core->profile().username() << " (device "
          << m_core->profile().deviceId() << ") on " << m_core->profile().serverUrl().toString()
          << Qt::endl;
    return Ok;
}

int CliApp::whoami()
{
    const ApiResult result =
        callApi([&](Client::ApiCallback done) { m_core->api().account(done); });
    if (!result.ok()) {
        return reportApiError(result);
    }
    out() << result.body.value(QStringLiteral("username")).toString() << " (user "
          << result.body.value(QStringLiteral("userId")).toInteger() << "), device "
          << result.body.value(QStringLiteral("deviceId")).toInteger() << " on "
          << m_core->profile().serverUrl().toString() << Qt::endl;
    return Ok;
}

int CliApp::devices(bool json)
{
    const ApiResult result =
        callApi([&](Client::ApiCallback done) { m_core->api().devices(done); });
    if (!result.ok()) {
        return reportApiError(result);
    }
    const QJsonArray list = result.body.value(QStringLiteral("devices")).toArray();
    for (const QJsonValue &value : list) {
        const QJsonObject d = value.toObject();
        if (json) {
            printJson(d);
            continue;
        }
        const QString platform = d.value(QStringLiteral("platform")).toString();
        out() << d.value(QStringLiteral("id")).toInteger() << "\t"
              << d.value(QStringLiteral("name")).toString() << "\t"
              << (platform.isEmpty() ? QStringLiteral("-") : platform) << "\tadded "
              << timeText(d.value(QStringLiteral("createdAt")).toInteger()) << "\t"
              << (d.value(QStringLiteral("online")).toBool()
                      ? QStringLiteral("online")
                      : QStringLiteral("last seen ") +
                            timeText(d.value(QStringLiteral("lastSeen")).toInteger()))
              << (d.value(QStringLiteral("current")).toBool() ? "\t(this device)" : "") << Qt::endl;
    }
    return Ok;
}

int CliApp::link(const QString &history, bool yes, int timeoutSeconds)
{
    qint64 since = 0;
    if (history == QLatin1String("none")) {
        since = -1;
    } else if (history != QLatin1String("all")) {
        bool ok = false;
        const int days = history.toInt(&ok);
        if (!ok || days <= 0 || days > 36500) {
            err() << "tincan-cli: --history takes all, none or a number of days." << Qt::endl;
            return Usage;
        }
        since = QDateTime::currentMSecsSinceEpoch() - days * 24LL * 3600 * 1000;
    }
    Client::ClientCore::LinkOffer offer;
    const ApiResult created = callApi([&](Client::ApiCallback done) {
        m_core->startLink(
            [&offer, done](const ApiResult &result, const Client::ClientCore::LinkOffer &made) {
                offer = made;
                done(result);
            });
    });
    if (!created.ok()) {
        return reportApiError(created);
    }
    out() << "Link code: " << Protocol::DeviceLink::formatCode(offer.code) << " (valid until "
          << timeText(offer.expiresAt) << ")\n"
          << "On the new device, scan this QR code, or run\n"
          << "  tincan-cli --profile NEW-PROFILE link-device '" << offer.uri << "'\n";
    const Crypto::QrCode qr = Crypto::QrCode::encode(offer.uri.toUtf8());
    if (!qr.isNull()) {
        out() << qr.toText();
    }
    out() << "Waiting for the new device..." << Qt::endl;

    int status = Ok;
    QString failure;
    bool historyQueued = false;
    QObject scope; // Drops the connections below when this command ends.
    Client::ClientCore *core = m_core.get();
    const bool finished = wait(
        [&](std::function<void()> done) {
            auto fail = [&, done](const QString &reason) {
                failure = reason;
                status = Refused;
                done();
            };
            QObject::connect(
                core, &Client::ClientCore::linkChanged, &scope,
                [&, done, fail](const Protocol::LinkEvent &link) {
                    if (link.id != offer.id) {
                        return;
                    }
                    if (link.state == QLatin1String("claimed")) {
                        out() << "Device \"" << link.deviceName << "\" ("
                              << (link.platform.isEmpty() ? QStringLiteral("unknown platform")
                                                          : link.platform)
                              << ") wants to join your account.\n"
                              << "Verification code: "
                              << Client::ClientCore::linkVerificationCode(link) << "\n"
                              << "The new device must show the same code." << Qt::endl;
                        using Proof = Client::ClientCore::LinkProof;
                        const Proof proof = m_core->linkProof(link);
                        if (proof == Proof::Verified) {
                            out() << "It proved it read this link's QR code or address."
                                  << Qt::endl;
                        } else if (proof == Proof::Typed) {
                            out() << "The code was typed by hand: compare all 12 digits."
                                  << Qt::endl;
                        }
                        // --yes only where the key proved itself; a typed code needs a person.
                        bool approve = yes && proof == Proof::Verified;
                        if (!approve && proof != Proof::Invalid) {
                            out() << "Approve it? [y/N] " << Qt::flush;
                            QTextStream input(stdin);
                            const QString answer = input.readLine().trimmed().toLower();
                            approve =
                                answer == QLatin1String("y") || answer == QLatin1String("yes");
                        }
                        if (!approve) {
                            const QString why =
                                proof == Proof::Invalid
                                    ? QStringLiteral("The device that claimed the code could not "
                                                     "prove it read this link's address; it was "
                                                     "rejected.")
                                    : QStringLiteral("You rejected the new device.");
                            m_core->rejectLink(link.id,
                                               [fail, why](const ApiResult &) { fail(why); });
                            return;
                        }
                        m_core->approveLink(link, since, [fail](const ApiResult &result) {
                            if (!result.ok()) {
                                fail(result.error.message);
                            }
                        });
                    } else if (link.state == QLatin1String("linked")) {
                        out() << "Device " << link.deviceId << " linked." << Qt::endl;
                    } else if (link.state == QLatin1String("rejected") ||
                               link.state == QLatin1String("expired")) {
                        fail(QStringLiteral("The link was %1.").arg(link.state));
                    }
                });
            QObject::connect(core, &Client::ClientCore::historySent, &scope,
                             [&, done](qint64, int messages) {
                                 out() << "History sent: " << messages << " messages." << Qt::endl;
                                 historyQueued = true;
                                 if (m_core->outboxSize() == 0) {
                                     done();
                                 }
                             });
            QObject::connect(core, &Client::ClientCore::outboxEmpty, &scope, [&, done] {
                if (historyQueued) {
                    done();
                }
            });
            QObject::connect(core, &Client::ClientCore::historyFailed, &scope, fail);
            QObject::connect(core, &Client::ClientCore::fatalError, &scope, fail);
            core->connectToServer();
        },
        timeoutSeconds * 1000);
    m_core->disconnectFromServer();
    if (!m_certificateError.isEmpty()) {
        return reportCertificateError();
    }
    if (!finished) {
        err() << "tincan-cli: no device was linked and sent its history within --timeout."
              << Qt::endl;
        return Unreachable;
    }
    if (status != Ok) {
        err() << "tincan-cli: " << failure << Qt::endl;
    }
    return status;
}

int CliApp::linkDevice(const QStringList &args, bool waitHistory, int timeoutSeconds)
{
    if (args.size() != 1) {
        err() << "tincan-cli: link-device takes the CODE or tincan://link address your other "
                 "device shows."
              << Qt::endl;
        return Usage;
    }
    const QString deviceName =
        m_deviceName.isEmpty()
            ? QStringLiteral("tincan-cli on %1").arg(QSysInfo::machineHostName().left(40))
            : m_deviceName;
    ApiResult result;
    result.error.message = QStringLiteral("the link was not approved in time");
    QObject scope;
    wait(
        [&](std::function<void()> done) {
            m_core->linkDevice(
                args.first(), deviceName,
                [](const QString &verification, const QString &username) {
                    out() << "Verification code: " << verification << "\n"
                          << "Check that your other device (" << username
                          << ") shows the same code, and approve there." << Qt::endl;
                },
                [&result, done](const ApiResult &r) {
                    result = r;
                    done();
                });
        },
        timeoutSeconds * 1000);
    m_core->cancelLinkDevice();
    if (!result.ok()) {
        if (result.error.code == QLatin1String("invalid_code") ||
            result.error.code == QLatin1String("signed_in")) {
            err() << "tincan-cli: " << result.error.message << Qt::endl;
            return Usage;
        }
        return reportApiError(result);
    }
    out() << "Linked: this is device " << m_core->profile().deviceId() << " of "
          << m_core->profile().username() << " on " << m_core->profile().serverUrl().toString()
          << Qt::endl;
    if (!waitHistory) {
        return Ok;
    }
    if (!result.body.value(QStringLiteral("history")).toBool(true)) {
        out() << "Your other device sends no history." << Qt::endl;
        return Ok;
    }
    int status = Ok;
    Client::ClientCore *core = m_core.get();
    const bool arrived = wait(
        [&](std::function<void()> done) {
            QObject::connect(
                core, &Client::ClientCore::historyReceived, &scope, [done](int messages) {
                    out() << "History received: " << messages << " messages." << Qt::endl;
                    done();
                });
            QObject::connect(
                core, &Client::ClientCore::historyFailed, &scope, [&, done](const QString &reason) {
                    err() << "tincan-cli: history transfer failed: " << reason << Qt::endl;
                    status = Refused;
                    done();
                });
            core->connectToServer();
        },
        timeoutSeconds * 1000);
    wait(
        [&](std::function<void()> done) {
            if (!m_core->stream().isConnected()) {
                done();
                return;
            }
            QObject::connect(&m_core->stream(), &Client::StreamClient::disconnected, &scope, done);
            m_core->disconnectFromServer();
        },
        3000);
    if (!arrived) {
        err() << "tincan-cli: no history arrived in time." << Qt::endl;
        return Incomplete;
    }
    return status;
}

int CliApp::revokeDevice(const QStringList &args)
{
    bool ok = false;
    const qint64 id = args.size() == 1 ? args.first().toLongLong(&ok) : 0;
    if (!ok || id <= 0) {
        err() << "tincan-cli: revoke-device takes one device ID (see 'devices')." << Qt::endl;
        return Usage;
    }
    const ApiResult result =
        callApi([&](Client::ApiCallback done) { m_core->api().revokeDevice(id, done); });
    if (!result.ok()) {
        return reportApiError(result);
    }
    out() << "Device " << id << " revoked." << Qt::endl;
    return Ok;
}

void CliApp::followSent(const QString *id, bool *stored, QString *failure,
                        const std::function<void()> &done)
{
    QObject::connect(
        m_core.get(), &Client::ClientCore::messageStatusChanged, m_core.get(),
        [=](const QString &clientId, StoredMessage::Status status, const QString &reason) {
            // A file's message becomes Pending when its upload completes: not the end yet.
            if (clientId != *id || status == StoredMessage::Status::Pending ||
                status == StoredMessage::Status::Uploading) {
                return;
            }
            *stored = status == StoredMessage::Status::Sent;
            *failure = reason;
            done();
        });
    QObject::connect(m_core.get(), &Client::ClientCore::fatalError, m_core.get(),
                     [=](const QString &reason) {
                         *failure = reason;
                         done();
                     });
}

int CliApp::send(const QStringList &args)
{
    if (args.size() != 2) {
        err() << "tincan-cli: send takes USERNAME and TEXT." << Qt::endl;
        return Usage;
    }
    QString error;
    QString failure;
    bool stored = false;
    QString id;
    const bool finished = wait(
        [&](std::function<void()> done) {
            followSent(&id, &stored, &failure, done);
            id = m_core->send(args[0], args[1], &error);
            if (id.isEmpty()) {
                done();
            }
        },
        m_timeoutSeconds * 1000);
    if (id.isEmpty()) {
        err() << "tincan-cli: " << error << Qt::endl;
        return Usage;
    }
    if (!finished) {
        err() << "tincan-cli: the server did not store the message in time; it stays in the "
                 "outbox and is sent by the next command that reaches the server."
              << Qt::endl;
        return Unreachable;
    }
    if (!m_certificateError.isEmpty()) {
        return reportCertificateError();
    }
    if (!stored) {
        err() << "tincan-cli: the message was refused: " << failure << Qt::endl;
        return Refused;
    }
    out() << id << Qt::endl;
    return Ok;
}

//! Progress on stderr: one line, rewritten in place on a terminal.
void CliApp::showProgress(const QString &label, qint64 done, qint64 total, qint64 rate)
{
    const int percent = total > 0 ? static_cast<int>(done * 100 / total) : 100;
    const QString line = QStringLiteral("%1: %2% (%3 of %4, %5/s)")
                             .arg(label)
                             .arg(percent)
                             .arg(sizeText(done), sizeText(total), sizeText(rate));
    if (isatty(STDERR_FILENO)) {
        err() << '\r' << line << "\x1b[K" << Qt::flush;
    } else if (percent != m_lastPercent) {
        err() << line << Qt::endl;
    }
    m_lastPercent = percent;
}

void CliApp::followProgress(const QString &label, const QString *id)
{
    QObject::connect(
        m_core.get(), &Client::ClientCore::transferProgress, m_core.get(),
        [this, label, id](const QString &transfer, qint64 bytes, qint64 total, qint64 rate) {
            if (!id || transfer == *id) {
                showProgress(label, bytes, total, rate);
            }
        });
}

int CliApp::transferExit(const QString &id, const QString &startError, bool finished, bool ok,
                         const QString &failure, const QString &timeoutText, const QString &result)
{
    if (m_lastPercent >= 0 && isatty(STDERR_FILENO)) {
        err() << Qt::endl; // End the progress line.
    }
    if (id.isEmpty()) {
        err() << "tincan-cli: " << startError << Qt::endl;
        return Usage;
    }
    if (!m_certificateError.isEmpty()) {
        return reportCertificateError();
    }
    if (!finished) {
        err() << "tincan-cli: " << timeoutText << Qt::endl;
        return Unreachable;
    }
    if (!ok) {
        err() << "tincan-cli: " << failure << Qt::endl;
        return Refused;
    }
    out() << result << Qt::endl;
    return Ok;
}

int CliApp::sendFile(const QStringList &args, const QString &caption, int timeoutSeconds)
{
    if (args.size() != 2) {
        err() << "tincan-cli: send-file takes TO (a USERNAME or group:ID) and PATH." << Qt::endl;
        return Usage;
    }
    QString error;
    QString failure;
    bool uploaded = false;
    bool stored = false;
    QString id;
    const QString label = QFileInfo(args[1]).fileName();
    const bool finished = wait(
        [&](std::function<void()> done) {
            followProgress(label, &id);
            QObject::connect(m_core.get(), &Client::ClientCore::transferFinished, m_core.get(),
                             [&, done](const QString &transfer, bool ok, const QString &reason) {
                                 if (transfer != id) {
                                     return;
                                 }
                                 uploaded = ok;
                                 if (!ok) {
                                     failure = reason;
                                     done();
                                 }
                             });
            followSent(&id, &stored, &failure, done);
            id = m_core->sendFile(args[0], args[1], caption, &error);
            if (id.isEmpty()) {
                done();
            }
        },
        timeoutSeconds > 0 ? timeoutSeconds * 1000 : std::numeric_limits<int>::max());
    return transferExit(id, error, finished, uploaded && stored,
                        QStringLiteral("the file was not sent: ") + failure,
                        QStringLiteral("the file was not sent in time; the upload resumes with "
                                       "the next command that reaches the server."),
                        id);
}

int CliApp::fetchMedia(const QStringList &args, int index, int timeoutSeconds)
{
    if (args.size() != 2 || index < 0) {
        err() << "tincan-cli: fetch-media takes a message ID and a DEST file (--index N >= 1)."
              << Qt::endl;
        return Usage;
    }
    if (!m_core->store().messageByClientId(args[0])) {
        // Not here yet: fetch what is waiting on the server first.
        wait(
            [&](std::function<void()> done) {
                QObject::connect(m_core.get(), &Client::ClientCore::synced, m_core.get(), done);
                m_core->connectToServer();
            },
            m_timeoutSeconds * 1000);
    }
    QString error;
    QString failure;
    bool ok = false;
    QString id;
    const QString label = QFileInfo(args[1]).fileName();
    const bool finished = wait(
        [&](std::function<void()> done) {
            followProgress(label, &id);
            QObject::connect(
                m_core.get(), &Client::ClientCore::transferFinished, m_core.get(),
                [&, done](const QString &transfer, bool success, const QString &reason) {
                    if (transfer != id) {
                        return;
                    }
                    ok = success;
                    failure = reason;
                    done();
                });
            id = m_core->fetchMedia(args[0], index, args[1], &error);
            if (id.isEmpty()) {
                done();
            }
        },
        timeoutSeconds > 0 ? timeoutSeconds * 1000 : std::numeric_limits<int>::max());
    return transferExit(id, error, finished, ok, failure,
                        QStringLiteral("the download did not finish in time; run the command "
                                       "again to continue it."),
                        args[1]);
}

int CliApp::flush()
{
    // Uploads kept from an interrupted send-file go first: their messages follow them.
    QSet<QString> uploads;
    for (const Client::MediaTransfer &transfer : m_core->store().transfers()) {
        uploads.insert(transfer.id);
    }
    QStringList failures;
    const bool finished = wait(
        [&](std::function<void()> done) {
            QObject::connect(m_core.get(), &Client::ClientCore::outboxEmpty, m_core.get(),
                             [&, done] {
                                 if (uploads.isEmpty()) {
                                     done();
                                 }
                             });
            QObject::connect(&m_core->certificatePin(), &Client::CertificatePin::rejected,
                             m_core.get(), done);
            followProgress(QStringLiteral("upload"), nullptr);
            QObject::connect(m_core.get(), &Client::ClientCore::transferFinished, m_core.get(),
                             [&](const QString &id, bool ok, const QString &reason) {
                                 if (!uploads.remove(id)) {
                                     return;
                                 }
                                 if (!ok) {
                                     failures.append(reason);
                                 }
                                 if (uploads.isEmpty()) {
                                     m_core->flushOutbox();
                                 }
                             });
            if (uploads.isEmpty()) {
                m_core->flushOutbox();
            } else {
                m_core->resumeUploads();
            }
        },
        m_timeoutSeconds * 1000);
    if (!m_certificateError.isEmpty()) {
        return reportCertificateError();
    }
    for (const QString &failure : std::as_const(failures)) {
        err() << "tincan-cli: an upload failed: " << failure << Qt::endl;
    }
    if (!finished) {
        err() << "tincan-cli: " << m_core->outboxSize() << " messages and " << uploads.size()
              << " uploads are still waiting." << Qt::endl;
        return Unreachable;
    }
    out() << "Outbox empty." << Qt::endl;
    return failures.isEmpty() ? Ok : Refused;
}

int CliApp::listen(bool json, int count, int timeoutSeconds)
{
    int received = 0;
    auto event = [json](const char *type) {
        if (json) {
            printJson({{QStringLiteral("type"), QString::fromLatin1(type)}});
        } else {
            err() << "-- " << type << Qt::endl;
        }
    };
    const bool finished = wait(
        [&](std::function<void()> done) {
            Client::ClientCore *core = m_core.get();
            QObject::connect(core, &Client::ClientCore::messageReceived, core,
                             [&, done](const StoredMessage &m) {
                                 if (json) {
                                     printJson(messageJson(m));
                                 } else {
                                     out() << messageLine(m) << Qt::endl;
                                 }
                                 if (count > 0 && ++received >= count) {
                                     done();
                                 }
                             });
            QObject::connect(core, &Client::ClientCore::connectionStateChanged, core,
                             [&](bool online) { event(online ? "connected" : "disconnected"); });
            QObject::connect(core, &Client::ClientCore::synced, core, [&] { event("synced"); });
            QObject::connect(
                core, &Client::ClientCore::messageStatusChanged, core,
                [json](const QString &id, StoredMessage::Status status, const QString &) {
                    if (json) {
                        printJson({{QStringLiteral("type"), StoredMessage::statusName(status)},
                                   {QStringLiteral("clientMessageId"), id}});
                    }
                });
            QObject::connect(
                core, &Client::ClientCore::decryptionFailed, core,
                [json](const QString &user, qint64 device, const QString &reason) {
                    if (json) {
                        printJson({{QStringLiteral("type"), QStringLiteral("undecryptable")},
                                   {QStringLiteral("from"), user},
                                   {QStringLiteral("fromDevice"), device},
                                   {QStringLiteral("reason"), reason}});
                    } else {
                        err() << "-- could not decrypt a message from " << user << " (device "
                              << device << "): " << reason << "; asked for a resend" << Qt::endl;
                    }
                });
            QObject::connect(
                core, &Client::ClientCore::messageRepaired, core, [json](const StoredMessage &m) {
                    if (json) {
                        QJsonObject object = messageJson(m);
                        object.insert(QStringLiteral("type"), QStringLiteral("repaired"));
                        printJson(object);
                    } else {
                        out() << messageLine(m) << "  (resent)" << Qt::endl;
                    }
                });
            QObject::connect(core, &Client::ClientCore::safetyNumberChanged, core,
                             [json](const QString &user, bool wasVerified) {
                                 if (json) {
                                     printJson({{QStringLiteral("type"),
                                                 QStringLiteral("safety-number-changed")},
                                                {QStringLiteral("user"), user},
                                                {QStringLiteral("wasVerified"), wasVerified}});
                                 } else {
                                     err()
                                         << "-- your safety number with " << user << " changed"
                                         << (wasVerified ? "; compare it again (safety-number) or "
                                                           "accept-change before sending"
                                                         : "")
                                         << Qt::endl;
                                 }
                             });
            QObject::connect(core, &Client::ClientCore::presenceChanged, core,
                             [json](const QString &user, bool online, qint64 lastSeen) {
                                 // lastSeen 0 while offline: the user (or we) hid presence.
                                 const QString state = online         ? QStringLiteral("online")
                                                       : lastSeen > 0 ? QStringLiteral("offline")
                                                                      : QStringLiteral("hidden");
                                 if (json) {
                                     printJson(presenceJson(user, state, lastSeen));
                                 } else {
                                     out() << "-- " << presenceLine(user, state, lastSeen)
                                           << Qt::endl;
                                 }
                             });
            QObject::connect(core, &Client::ClientCore::receiptChanged, core,
                             [json](const QString &conversation, const QString &user,
                                    qint64 delivered, qint64 read) {
                                 if (json) {
                                     printJson({{QStringLiteral("type"), QStringLiteral("receipt")},
                                                {QStringLiteral("conversation"), conversation},
                                                {QStringLiteral("user"), user},
                                                {QStringLiteral("delivered"), delivered},
                                                {QStringLiteral("read"), read}});
                                 } else {
                                     out() << "-- " << user << " in " << conversation
                                           << ": delivered up to " << delivered << ", read up to "
                                           << read << Qt::endl;
                                 }
                             });
            QObject::connect(
                core, &Client::ClientCore::messageStatusChanged, core,
                [json](const QString &id, StoredMessage::Status status, const QString &) {
                    // --json already prints every status change as {"type": <status>}.
                    if (!json && (status == StoredMessage::Status::Delivered ||
                                  status == StoredMessage::Status::Read)) {
                        out() << "-- your message " << id << " is "
                              << StoredMessage::statusName(status) << Qt::endl;
                    }
                });
            QObject::connect(core, &Client::ClientCore::typingChanged, core,
                             [json](const QString &conversation, const QString &user, bool on) {
                                 if (json) {
                                     printJson({{QStringLiteral("type"), QStringLiteral("typing")},
                                                {QStringLiteral("conversation"), conversation},
                                                {QStringLiteral("user"), user},
                                                {QStringLiteral("typing"), on}});
                                 } else {
                                     out() << "-- " << user
                                           << (on ? " is typing" : " stopped typing") << Qt::endl;
                                 }
                             });
            QObject::connect(core, &Client::ClientCore::linkChanged, core,
                             [json](const Protocol::LinkEvent &link) {
                                 if (json) {
                                     QJsonObject object = link.toJson();
                                     object.insert(QStringLiteral("type"), QStringLiteral("link"));
                                     object.remove(QStringLiteral("identityKey"));
                                     printJson(object);
                                 } else {
                                     out() << "-- device link " << link.id << " is " << link.state
                                           << Qt::endl;
                                 }
                             });
            QObject::connect(core, &Client::ClientCore::historyReceived, core, [json](int n) {
                if (json) {
                    printJson({{QStringLiteral("type"), QStringLiteral("history")},
                               {QStringLiteral("messages"), n}});
                } else {
                    out() << "-- history from your other device: " << n << " messages" << Qt::endl;
                }
            });
            QObject::connect(
                core, &Client::ClientCore::historyFailed, core, [](const QString &reason) {
                    err() << "tincan-cli: history transfer failed: " << reason << Qt::endl;
                });
            QObject::connect(core, &Client::ClientCore::fatalError, core,
                             [&, done](const QString &reason) {
                                 err() << "tincan-cli: " << reason << Qt::endl;
                                 done();
                             });
            core->connectToServer();
        },
        timeoutSeconds > 0 ? timeoutSeconds * 1000 : std::numeric_limits<int>::max());
    // Acknowledge what was stored before leaving, and close the stream cleanly.
    wait(
        [&](std::function<void()> done) {
            if (!m_core->stream().isConnected()) {
                done();
                return;
            }
            QObject::connect(&m_core->stream(), &Client::StreamClient::disconnected, m_core.get(),
                             done);
            m_core->disconnectFromServer();
        },
        3000);
    if (!m_certificateError.isEmpty()) {
        return Unreachable; // Already said by the fatalError handler.
    }
    if (count > 0 && received < count) {
        return finished ? Refused : Incomplete;
    }
    return Ok;
}

int CliApp::presence(const QStringList &args, bool json)
{
    if (args.isEmpty()) {
        err() << "tincan-cli: presence takes one or more USERNAMEs." << Qt::endl;
        return Usage;
    }
    for (const QString &user : args) {
        if (!Protocol::isValidUsername(user)) {
            err() << "tincan-cli: '" << user << "' is not a username." << Qt::endl;
            return Usage;
        }
    }
    QList<Protocol::PresenceUpdate> presence;
    const ApiResult result = callApi([&](Client::ApiCallback done) {
        m_core->fetchPresence(
            args, [&presence, done](const ApiResult &r, const QList<Protocol::PresenceUpdate> &p) {
                presence = p;
                done(r);
            });
    });
    if (!result.ok()) {
        return reportApiError(result);
    }
    for (const Protocol::PresenceUpdate &update : std::as_const(presence)) {
        const QString state = Protocol::PresenceUpdate::stateName(update.state);
        if (json) {
            printJson(presenceJson(update.user, state, update.lastSeen));
        } else {
            out() << presenceLine(update.user, state, update.lastSeen) << Qt::endl;
        }
    }
    return Ok;
}

int CliApp::privacy(const QString &presenceSetting, const QString &receiptsSetting)
{
    const auto valid = [](const QString &v) {
        return v.isEmpty() || v == QLatin1String("on") || v == QLatin1String("off");
    };
    if (!valid(presenceSetting) || !valid(receiptsSetting)) {
        err() << "tincan-cli: --presence and --read-receipts take on or off." << Qt::endl;
        return Usage;
    }
    ApiResult result;
    if (presenceSetting.isEmpty() && receiptsSetting.isEmpty()) {
        result = callApi([&](Client::ApiCallback done) {
            m_core->api().call("GET", QStringLiteral("/v1/account/privacy"), nullptr, done);
        });
    } else {
        QJsonObject body;
        if (!presenceSetting.isEmpty()) {
            body.insert(QStringLiteral("showPresence"), presenceSetting == QLatin1String("on"));
        }
        if (!receiptsSetting.isEmpty()) {
            body.insert(QStringLiteral("readReceipts"), receiptsSetting == QLatin1String("on"));
        }
        result = callApi([&](Client::ApiCallback done) {
            m_core->api().call("PUT", QStringLiteral("/v1/account/privacy"), &body, done);
        });
    }
    if (!result.ok()) {
        return reportApiError(result);
    }
    const bool shown = result.body.value(QStringLiteral("showPresence")).toBool();
    out() << (shown ? "Presence and last seen: shown to the people you talk to."
                    : "Presence and last seen: hidden (you see no one's either).")
          << Qt::endl;
    const bool receipts = result.body.value(QStringLiteral("readReceipts")).toBool();
    out() << (receipts ? "Read receipts: shared." : "Read receipts: off (you see no one's either).")
          << Qt::endl;
    return Ok;
}

namespace {
//! "group:ID" as it is, a username as the direct conversation with `self`; empty if neither.
QString conversationArgument(const QString &text, const QString &self)
{
    if (!Protocol::groupIdOf(text).isEmpty()) {
        return text;
    }
    return Protocol::isValidUsername(text) ? Protocol::directConversationId(self, text) : QString();
}
} // namespace

int CliApp::markRead(const QStringList &args)
{
    const QString conversation =
        args.size() == 1 ? conversationArgument(args.first(), m_core->profile().username())
                         : QString();
    if (conversation.isEmpty()) {
        err() << "tincan-cli: read takes one USERNAME or group:ID." << Qt::endl;
        return Usage;
    }
    const qint64 seq = m_core->store().lastSeq(conversation);
    if (seq <= 0) {
        out() << "Nothing to read in " << conversation << "." << Qt::endl;
        return Ok;
    }
    bool flushed = false;
    const bool finished = wait(
        [&](std::function<void()> done) {
            QObject::connect(m_core.get(), &Client::ClientCore::readMarksFlushed, m_core.get(),
                             [&flushed, done] {
                                 flushed = true;
                                 done();
                             });
            m_core->markRead(conversation, seq);
        },
        m_timeoutSeconds * 1000);
    if (!finished || !flushed) {
        err() << "tincan-cli: the server did not take the read mark in time; it is sent by the "
                 "next command that reaches the server."
              << Qt::endl;
        return Unreachable;
    }
    out() << "Read " << conversation << " up to " << seq << "." << Qt::endl;
    return Ok;
}

int CliApp::receipts(const QStringList &args, bool json)
{
    if (args.size() != 1 || !Protocol::isValidClientMessageId(args.first())) {
        err() << "tincan-cli: receipts takes the client message id of one of your messages."
              << Qt::endl;
        return Usage;
    }
    const auto message = m_core->store().message(m_core->profile().username(), args.first());
    if (!message) {
        err() << "tincan-cli: you sent no message with that id." << Qt::endl;
        return Usage;
    }
    const Client::ReceiptSummary summary = m_core->receiptSummary(args.first());
    if (json) {
        printJson({{QStringLiteral("clientMessageId"), args.first()},
                   {QStringLiteral("status"), StoredMessage::statusName(message->status)},
                   {QStringLiteral("total"), summary.total},
                   {QStringLiteral("deliveredTo"), QJsonArray::fromStringList(summary.deliveredTo)},
                   {QStringLiteral("readBy"), QJsonArray::fromStringList(summary.readBy)}});
        return Ok;
    }
    out() << StoredMessage::statusName(message->status) << ": delivered to "
          << summary.deliveredTo.size() << " of " << summary.total << ", read by "
          << summary.readBy.size() << " of " << summary.total;
    if (!summary.readBy.isEmpty()) {
        out() << " (" << summary.readBy.join(QStringLiteral(", ")) << ")";
    }
    out() << Qt::endl;
    return Ok;
}

int CliApp::typing(const QStringList &args)
{
    if (args.size() != 1 || !Protocol::isValidUsername(args.first())) {
        err() << "tincan-cli: typing takes one USERNAME." << Qt::endl;
        return Usage;
    }
    const QString conversation =
        Protocol::directConversationId(m_core->profile().username(), args.first());
    QString refusal;
    bool told = false;
    wait(
        [&](std::function<void()> done) {
            Client::ClientCore *core = m_core.get();
            Client::StreamClient *stream = &core->stream();
            QObject::connect(stream, &Client::StreamClient::ready, core, [&, core, stream, done] {
                if (!stream->canSendTyping()) {
                    refusal = QStringLiteral("The server does not relay typing (too old).");
                    done();
                    return;
                }
                core->setTyping(conversation, true);
                // Frames are handled in order: a refusal of the typing frame comes before this
                // ping's pong.
                stream->sendPing();
            });
            QObject::connect(stream, &Client::StreamClient::errorReceived, core,
                             [&, done](const Protocol::ApiError &error) {
                                 refusal = error.message;
                                 done();
                             });
            QObject::connect(stream, &Client::StreamClient::pongReceived, core, [&, done] {
                told = true;
                done();
            });
            QObject::connect(core, &Client::ClientCore::fatalError, core,
                             [&, done](const QString &reason) {
                                 refusal = reason;
                                 done();
                             });
            core->connectToServer();
        },
        m_timeoutSeconds * 1000);
    m_core->disconnectFromServer();
    if (!m_certificateError.isEmpty()) {
        return reportCertificateError();
    }
    if (!refusal.isEmpty()) {
        err() << "tincan-cli: " << refusal << Qt::endl;
        return Refused;
    }
    if (!told) {
        err() << "tincan-cli: could not reach the server in time." << Qt::endl;
        return Unreachable;
    }
    out() << "Told " << args.first() << " you are typing." << Qt::endl;
    return Ok;
}

int CliApp::history(const QStringList &args, bool json, int limit)
{
    const bool isGroup = args.size() == 1 && !Protocol::groupIdOf(args.first()).isEmpty();
    if (args.size() != 1 || (!isGroup && !Protocol::isValidUsername(args.first()))) {
        err() << "tincan-cli: history takes one USERNAME or group:ID." << Qt::endl;
        return Usage;
    }
    const QString conversation =
        isGroup ? args.first()
                : Protocol::directConversationId(m_core->profile().username(), args.first());
    const QList<StoredMessage> messages = m_core->store().history(conversation, std::max(1, limit));
    for (const StoredMessage &m : messages) {
        if (json) {
            printJson(messageJson(m));
        } else {
            out() << messageLine(m) << Qt::endl;
        }
    }
    return Ok;
}

namespace {
//! "group:ID" or a bare ID, as a group id; empty if it is neither.
QString groupArgument(const QString &text)
{
    const QString id = Protocol::groupIdOf(text);
    return id.isEmpty() && Protocol::isValidGroupId(text) ? text : id;
}
} // namespace

int CliApp::group(const QString &command, const QStringList &args, bool json)
{
    if (!m_core->profile().isSignedIn()) {
        err() << "tincan-cli: sign in first (register or login)." << Qt::endl;
        return Usage;
    }
    auto printGroup = [&](const QJsonObject &body) {
        if (json) {
            printJson(body);
            return;
        }
        out() << "group:" << body.value(QStringLiteral("id")).toString() << "  \""
              << body.value(QStringLiteral("name")).toString() << "\"" << Qt::endl;
        for (const QJsonValue &value : body.value(QStringLiteral("members")).toArray()) {
            const QJsonObject member = value.toObject();
            out() << "  " << member.value(QStringLiteral("user")).toString();
            if (member.value(QStringLiteral("role")).toString() == QLatin1String("admin")) {
                out() << " (admin)";
            }
            out() << Qt::endl;
        }
    };
    if (command == QLatin1String("groups")) {
        const ApiResult result = callApi([&](Client::ApiCallback done) {
            m_core->api().call("GET", QStringLiteral("/v1/groups"), nullptr, done);
        });
        if (!result.ok()) {
            return reportApiError(result);
        }
        for (const QJsonValue &value : result.body.value(QStringLiteral("groups")).toArray()) {
            const QJsonObject g = value.toObject();
            if (json) {
                printJson(g);
            } else {
                out() << g.value(QStringLiteral("conversation")).toString() << "  \""
                      << g.value(QStringLiteral("name")).toString() << "\"  "
                      << g.value(QStringLiteral("memberCount")).toInteger() << " members, "
                      << g.value(QStringLiteral("role")).toString() << Qt::endl;
            }
        }
        return Ok;
    }
    if (command == QLatin1String("group-create")) {
        if (args.isEmpty()) {
            err() << "tincan-cli: group-create takes NAME and the members' usernames." << Qt::endl;
            return Usage;
        }
        const ApiResult result = callApi([&](Client::ApiCallback done) {
            m_core->createGroup(args.first(), args.mid(1), done);
        });
        if (!result.ok()) {
            return reportApiError(result);
        }
        printGroup(result.body);
        return Ok;
    }
    const QString id = args.isEmpty() ? QString() : groupArgument(args.first());
    const qsizetype wanted =
        command == QLatin1String("group-info") || command == QLatin1String("group-leave") ? 1
        : command == QLatin1String("group-admin")                                         ? 3
        : command == QLatin1String("group-add")                                           ? -1
                                                                                          : 2;
    if (id.isEmpty() || (wanted > 0 && args.size() != wanted) || (wanted < 0 && args.size() < 2)) {
        err() << "tincan-cli: " << command << ": wrong arguments; see --help." << Qt::endl;
        return Usage;
    }
    ApiResult result;
    if (command == QLatin1String("group-info")) {
        result = callApi([&](Client::ApiCallback done) {
            m_core->api().call("GET", QStringLiteral("/v1/groups/") + id, nullptr, done);
        });
    } else if (command == QLatin1String("group-add")) {
        result = callApi(
            [&](Client::ApiCallback done) { m_core->addGroupMembers(id, args.mid(1), done); });
    } else if (command == QLatin1String("group-remove")) {
        result = callApi(
            [&](Client::ApiCallback done) { m_core->removeGroupMember(id, args[1], done); });
    } else if (command == QLatin1String("group-leave")) {
        result = callApi([&](Client::ApiCallback done) { m_core->leaveGroup(id, done); });
    } else if (command == QLatin1String("group-rename")) {
        result = callApi([&](Client::ApiCallback done) { m_core->renameGroup(id, args[1], done); });
    } else if (command == QLatin1String("group-admin")) {
        if (args[2] != QLatin1String("on") && args[2] != QLatin1String("off")) {
            err() << "tincan-cli: group-admin takes GROUP USER on|off." << Qt::endl;
            return Usage;
        }
        result = callApi([&](Client::ApiCallback done) {
            m_core->setGroupAdmin(id, args[1], args[2] == QLatin1String("on"), done);
        });
    } else {
        err() << "tincan-cli: unknown command '" << command << "'.\n" << UsageText << Qt::flush;
        return Usage;
    }
    if (!result.ok()) {
        return reportApiError(result);
    }
    printGroup(result.body);
    return Ok;
}

} // namespace Tincan::Cli
