// tincan-screenshots: the README's screenshots of the main window, from a seeded demo
// (scripts/screenshots.sh runs it offscreen in a throwaway keyring).
//
// Starts a real tincand, signs up alice (the app's Session, her core on its own thread, as in
// the app), bob, carol and dave (client cores on this thread), and has them chat through the
// daemon: a 1:1 chat between bob and alice (one of alice's messages read, the last one only
// delivered), a group "Design team" with the three of them, an image alice sends with
// ClientCore::sendFile and read receipts from both, a question from dave left unread. Every
// step waits for the messages or receipts to arrive. Real messages all carry today's server
// time, so the older ones are then dated back in alice's local database (the only thing that is
// staged: the days the 1:1 chat spans, for its day separators). Then alice's MainWindow at
// 1100x700: the 1:1 chat and the group, light and dark, saved as chat-light.png,
// group-light.png, chat-dark.png and group-dark.png.
//
// Usage: tincan-screenshots --tincand PATH --output DIR
#include "app/core/ClientCore.h"
#include "app/gui/ConversationListModel.h"
#include "app/gui/DesktopApp.h"
#include "app/gui/MainWindow.h"
#include "app/gui/MessageView.h"
#include "app/gui/Session.h"
#include "bench/desktop/Daemon.h"
#include "shared/protocol/Validation.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QLabel>
#include <QLinearGradient>
#include <QListView>
#include <QPainter>
#include <QPainterPath>
#include <QSqlQuery>
#include <QTemporaryDir>

#include <cstdio>
#include <memory>

using namespace Tincan;
using Status = Client::StoredMessage::Status;

namespace {

[[noreturn]] void fail(const QString &message)
{
    std::fprintf(stderr, "tincan-screenshots: %s\n", qPrintable(message));
    std::fflush(stderr);
    std::_Exit(1);
}

void check(bool ok, const QString &what)
{
    if (!ok) {
        fail(QStringLiteral("timed out waiting until %1").arg(what));
    }
}

//! A contact: a client core on this thread, and the client ids of what it received.
struct Peer
{
    QString name;
    std::unique_ptr<Client::ClientCore> core;
    QStringList received;
};

std::unique_ptr<Peer> signUpPeer(const Bench::Daemon &daemon, const QString &directory,
                                 const QString &name)
{
    auto peer = std::make_unique<Peer>();
    peer->name = name;
    peer->core = std::make_unique<Client::ClientCore>(directory + QLatin1Char('/') + name);
    QString error;
    if (!peer->core->open(&error) ||
        !Bench::signUp(*peer->core, daemon.url(), daemon.fingerprint(), name, &error)) {
        fail(error);
    }
    Peer *raw = peer.get();
    QObject::connect(
        peer->core.get(), &Client::ClientCore::messageReceived, peer->core.get(),
        [raw](const Client::StoredMessage &m) { raw->received.append(m.clientMessageId); });
    bool online = false;
    QObject::connect(peer->core.get(), &Client::ClientCore::connectionStateChanged,
                     peer->core.get(), [&online](bool up) { online = online || up; });
    peer->core->connectToServer();
    check(Bench::waitUntil([&] { return online; }), name + QStringLiteral(" is online"));
    QObject::disconnect(peer->core.get(), &Client::ClientCore::connectionStateChanged,
                        peer->core.get(), nullptr);
    return peer;
}

//! The picture alice shares: a sketch of an onboarding screen.
QString makeMockup(const QString &directory)
{
    QImage image(1200, 800, QImage::Format_RGB32);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    QLinearGradient background(0, 0, 1200, 800);
    background.setColorAt(0, QColor(0x6a, 0x8d, 0xff));
    background.setColorAt(1, QColor(0xb3, 0x7b, 0xf5));
    p.fillRect(image.rect(), background);
    // Soft shapes behind the card.
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(255, 255, 255, 40));
    p.drawEllipse(QPoint(1050, 130), 220, 220);
    p.drawEllipse(QPoint(140, 700), 260, 260);
    // The card: an illustration, a title, three lines of text, a button.
    const QRectF card(300, 110, 600, 580);
    p.setBrush(QColor(0, 0, 0, 40));
    p.drawRoundedRect(card.translated(0, 12), 36, 36);
    p.setBrush(Qt::white);
    p.drawRoundedRect(card, 36, 36);
    QLinearGradient sun(0, 170, 0, 400);
    sun.setColorAt(0, QColor(0xff, 0xc8, 0x57));
    sun.setColorAt(1, QColor(0xff, 0x8a, 0x5c));
    p.setBrush(sun);
    p.drawEllipse(QPointF(600, 285), 105, 105);
    QPainterPath hills;
    hills.moveTo(360, 400);
    hills.cubicTo(460, 320, 540, 330, 620, 390);
    hills.cubicTo(700, 330, 780, 320, 840, 400);
    hills.closeSubpath();
    p.setBrush(QColor(0x3d, 0xb8, 0x8f));
    p.drawPath(hills);
    p.setBrush(QColor(0x2b, 0x2f, 0x3a));
    p.drawRoundedRect(QRectF(420, 440, 360, 26), 13, 13);
    p.setBrush(QColor(0xd5, 0xd9, 0xe0));
    for (int i = 0; i < 3; ++i) {
        const int width = i == 2 ? 300 : 440;
        p.drawRoundedRect(QRectF(600 - width / 2.0, 494 + i * 28, width, 14), 7, 7);
    }
    p.setBrush(QColor(0x1a, 0x73, 0xe8));
    p.drawRoundedRect(QRectF(460, 610, 280, 52), 26, 26);
    p.setBrush(QColor(255, 255, 255, 220));
    p.drawRoundedRect(QRectF(540, 630, 120, 12), 6, 6);
    p.end();
    const QString path = directory + QStringLiteral("/onboarding-v3.png");
    if (!image.save(path)) {
        fail(QStringLiteral("cannot write %1").arg(path));
    }
    return path;
}

class Demo
{
public:
    Demo(const Bench::Daemon &daemon, const QString &directory)
        : m_daemon(daemon)
        , m_directory(directory)
    {}

    void run(const QString &output);

private:
    void signUpAlice();
    //! Alice sends; the message has arrived at every one of `to`.
    QString aliceSends(const QString &conversation, const QString &text, const QList<Peer *> &to);
    QString aliceSendsFile(const QString &conversation, const QString &path, const QString &caption,
                           const QList<Peer *> &to);
    //! A peer sends; the message has arrived at alice and every one of `others`.
    QString peerSends(Peer &peer, const QString &to, const QString &text,
                      const QList<Peer *> &others = {});
    void waitArrived(const QString &id, bool atAlice, const QList<Peer *> &to);
    Status aliceStatus(const QString &id);
    //! Dates alice's copy of message `id` back to `ms`.
    void redate(const QString &id, qint64 ms);
    //! Dates the notices of `conversation` ("alice created the group") back to `ms`.
    void redateNotices(const QString &conversation, qint64 ms);
    void redateWhere(const QString &condition, const QVariantList &values, qint64 ms);
    void shoot(Gui::MainWindow &window, const QString &conversation, const QString &path);

    const Bench::Daemon &m_daemon;
    QString m_directory;
    std::unique_ptr<Gui::Session> m_alice;
    QStringList m_aliceReceived;
    QObject m_context;
};

void Demo::signUpAlice()
{
    m_alice = std::make_unique<Gui::Session>(m_directory + QStringLiteral("/alice"));
    QString error;
    if (!m_alice->open(&error)) {
        fail(error);
    }
    bool configured = false;
    m_alice->run([&](Client::ClientCore &core) {
        configured = core.setServerUrl(m_daemon.url(), &error) &&
                     core.pinServerCertificate(m_daemon.fingerprint(), &error);
    });
    if (!configured) {
        fail(error);
    }
    const Client::ApiResult result = Bench::waitForApi([&](Client::ApiCallback done) {
        auto answer = Gui::Session::uiCallback(&m_context, std::move(done));
        m_alice->post([answer](Client::ClientCore &core) {
            core.registerAccount(QStringLiteral("alice"), QStringLiteral("correct horse battery"),
                                 QStringLiteral("desktop"), {}, answer);
        });
    });
    if (!result.ok()) {
        fail(QStringLiteral("registering alice: HTTP %1").arg(result.status));
    }
    m_alice->refreshIdentity();
    QObject::connect(
        m_alice->core(), &Client::ClientCore::messageReceived, &m_context,
        [this](const Client::StoredMessage &m) { m_aliceReceived.append(m.clientMessageId); });
    bool online = false;
    QObject::connect(m_alice->core(), &Client::ClientCore::connectionStateChanged, &m_context,
                     [&online](bool up) { online = online || up; });
    m_alice->post([](Client::ClientCore &core) { core.connectToServer(); });
    check(Bench::waitUntil([&] { return online; }), QStringLiteral("alice is online"));
    QObject::disconnect(m_alice->core(), &Client::ClientCore::connectionStateChanged, &m_context,
                        nullptr);
}

void Demo::waitArrived(const QString &id, bool atAlice, const QList<Peer *> &to)
{
    check(Bench::waitUntil([&] {
              for (const Peer *peer : to) {
                  if (!peer->received.contains(id)) {
                      return false;
                  }
              }
              return !atAlice || m_aliceReceived.contains(id);
          }),
          QStringLiteral("a message arrived"));
}

QString Demo::aliceSends(const QString &conversation, const QString &text, const QList<Peer *> &to)
{
    const QString groupId = Protocol::groupIdOf(conversation);
    const QString recipient = groupId.isEmpty()
                                  ? Protocol::directPeer(conversation, QStringLiteral("alice"))
                                  : conversation;
    QString id;
    QString error;
    m_alice->run([&](Client::ClientCore &core) { id = core.send(recipient, text, &error); });
    if (id.isEmpty()) {
        fail(error);
    }
    waitArrived(id, false, to);
    return id;
}

QString Demo::aliceSendsFile(const QString &conversation, const QString &path,
                             const QString &caption, const QList<Peer *> &to)
{
    QString id;
    QString error;
    m_alice->run(
        [&](Client::ClientCore &core) { id = core.sendFile(conversation, path, caption, &error); });
    if (id.isEmpty()) {
        fail(error);
    }
    waitArrived(id, false, to);
    return id;
}

QString Demo::peerSends(Peer &peer, const QString &to, const QString &text,
                        const QList<Peer *> &others)
{
    QString error;
    const QString id = peer.core->send(to, text, &error);
    if (id.isEmpty()) {
        fail(error);
    }
    waitArrived(id, true, others);
    return id;
}

Status Demo::aliceStatus(const QString &id)
{
    const auto message = m_alice->reader().messageByClientId(id);
    return message ? message->status : Status::Pending;
}

void Demo::redate(const QString &id, qint64 ms)
{
    redateWhere(QStringLiteral("client_id = ?"), {id}, ms);
}

void Demo::redateNotices(const QString &conversation, qint64 ms)
{
    redateWhere(QStringLiteral("conversation = ? AND status = ?"),
                {conversation, static_cast<int>(Status::System)}, ms);
}

void Demo::redateWhere(const QString &condition, const QVariantList &values, qint64 ms)
{
    m_alice->run([&](Client::ClientCore &core) {
        QSqlQuery query(core.store().database());
        query.prepare(QStringLiteral("UPDATE messages SET server_ts = ?, local_ts = ? WHERE ") +
                      condition);
        query.addBindValue(ms);
        query.addBindValue(ms);
        for (const QVariant &value : values) {
            query.addBindValue(value);
        }
        if (!query.exec()) {
            fail(QStringLiteral("cannot redate a message"));
        }
    });
}

void Demo::shoot(Gui::MainWindow &window, const QString &conversation, const QString &path)
{
    window.openConversation(conversation);
    // The view lays its rows out and scrolls to the newest; one more turn of the event loop
    // paints it all, which grab() then renders again into the picture.
    QCoreApplication::processEvents();
    window.messageView()->doItemsLayout();
    window.messageView()->scrollToBottom();
    QCoreApplication::processEvents();
    if (!window.grab().save(path)) {
        fail(QStringLiteral("cannot write %1").arg(path));
    }
    std::printf("%s\n", qPrintable(path));
}

void Demo::run(const QString &output)
{
    signUpAlice();
    const auto bob = signUpPeer(m_daemon, m_directory, QStringLiteral("bob"));
    const auto carol = signUpPeer(m_daemon, m_directory, QStringLiteral("carol"));
    const auto dave = signUpPeer(m_daemon, m_directory, QStringLiteral("dave"));
    const QString alice = QStringLiteral("alice");
    const QString withBob = Protocol::directConversationId(alice, bob->name);
    const QString withCarol = Protocol::directConversationId(alice, carol->name);

    // Dates: the 1:1 chat spans three days; "today" stays today even just after midnight.
    const QDateTime now = QDateTime::currentDateTime();
    const QDate today = now.date();
    const auto at = [](const QDate &day, int hour, int minute) {
        return QDateTime(day, QTime(hour, minute)).toMSecsSinceEpoch();
    };
    // "minutes ago", from one o'clock at the earliest, so that all of it is today.
    const qint64 base = std::max(now.toMSecsSinceEpoch(), at(today, 1, 0));
    const auto ago = [base](int minutes) {
        return base - qint64(minutes) * 60 * 1000;
    };

    // The 1:1 chat with bob.
    struct Line
    {
        bool fromAlice;
        const char *text;
        qint64 when;
    };
    const QDate twoDaysAgo = today.addDays(-2);
    const QDate yesterday = today.addDays(-1);
    const QList<Line> chat = {
        {false, "Hi Alice! Did you get a chance to look at the onboarding copy?",
         at(twoDaysAgo, 14, 5)},
        {true, "Not yet, I'll go through it tonight.", at(twoDaysAgo, 14, 9)},
        {false, "No rush, Thursday is fine.", at(twoDaysAgo, 14, 10)},
        {true, "Done! I left a few comments in the doc, mostly about the second step.",
         at(yesterday, 9, 12)},
        {false, "Thanks, those were really helpful. I rewrote the intro based on them.",
         at(yesterday, 9, 40)},
        {false, "Are we still on for the design review tomorrow at 10?", at(yesterday, 18, 31)},
        {true, "Yes, I booked the small meeting room.", at(yesterday, 18, 44)},
        {false, "Great. I'll bring the printed mockups.", ago(52)},
        {true, "Perfect, see you there!", ago(47)},
    };
    QString read; // alice's last message that bob reads
    for (const Line &line : chat) {
        const QString text = QString::fromUtf8(line.text);
        const QString id =
            line.fromAlice ? aliceSends(withBob, text, {bob.get()}) : peerSends(*bob, alice, text);
        redate(id, line.when);
        if (line.fromAlice) {
            read = id;
        }
    }
    // Bob reads all of it; alice's last message arrives but is not read.
    bob->core->markRead(withBob);
    const QString last = aliceSends(
        withBob, QStringLiteral("Oh, and could you send me the final icon set?"), {bob.get()});
    redate(last, ago(6));

    // Carol, a short 1:1 chat from yesterday.
    redate(aliceSends(withCarol, QStringLiteral("Thanks for the quick review!"), {carol.get()}),
           at(yesterday, 16, 2));
    const QString carolReply = peerSends(*carol, alice, QStringLiteral("Anytime :)"));
    redate(carolReply, at(yesterday, 16, 5));
    carol->core->markRead(withCarol);

    // The group.
    const Client::ApiResult made = Bench::waitForApi([&](Client::ApiCallback done) {
        auto answer = Gui::Session::uiCallback(&m_context, std::move(done));
        m_alice->post([answer, bob = bob->name, carol = carol->name](Client::ClientCore &core) {
            core.createGroup(QStringLiteral("Design team"), {bob, carol}, answer);
        });
    });
    if (!made.ok()) {
        fail(QStringLiteral("creating the group: HTTP %1").arg(made.status));
    }
    const QString groupId = made.body.value(QStringLiteral("id")).toString();
    const QString group = Protocol::groupConversationId(groupId);
    check(Bench::waitUntil([&] {
              return bob->core->group(groupId).has_value() &&
                     carol->core->group(groupId).has_value();
          }),
          QStringLiteral("bob and carol know the group"));
    const QString mockup = makeMockup(m_directory);
    redate(peerSends(*carol, group,
                     QStringLiteral("Morning! I pushed the new colour tokens to the design repo."),
                     {bob.get()}),
           ago(44));
    redateNotices(group, ago(46)); // it came before that message
    redate(peerSends(*bob, group,
                     QStringLiteral("Nice, the contrast in the dark theme is much better now."),
                     {carol.get()}),
           ago(41));
    const QString picture =
        aliceSendsFile(group, mockup, QStringLiteral("Here's the updated onboarding screen"),
                       {bob.get(), carol.get()});
    redate(picture, ago(38));
    redate(peerSends(*carol, group,
                     QStringLiteral("Love it. Can we make the illustration a bit smaller on "
                                    "mobile?"),
                     {bob.get()}),
           ago(35));
    bob->core->markRead(group);
    const QString lastInGroup =
        aliceSends(group, QStringLiteral("Good idea, I'll try 80% and share it after lunch."),
                   {bob.get(), carol.get()});
    redate(lastInGroup, ago(33));
    carol->core->markRead(group);

    // Dave asks something alice has not read yet.
    redate(peerSends(*dave, alice, QStringLiteral("Lunch on Friday? The new ramen place opened.")),
           ago(20));

    // Every tick where it should be before the picture is taken.
    const auto readBy = [&](const QString &user, const QString &conversation, const QString &id) {
        const auto message = m_alice->reader().messageByClientId(id);
        return message && message->seq > 0 &&
               m_alice->reader().receipt(conversation, user).second >= message->seq;
    };
    check(Bench::waitUntil([&] {
              return aliceStatus(read) == Status::Read && aliceStatus(last) == Status::Delivered &&
                     readBy(bob->name, group, picture) && readBy(carol->name, group, lastInGroup);
          }),
          QStringLiteral("the receipts arrived"));

    // Alice has read her chats (on another device, say), all but dave's question.
    for (const QString &conversation : {withBob, withCarol, group}) {
        m_alice->run([&conversation](Client::ClientCore &core) { core.markRead(conversation); });
    }

    Gui::DesktopApp::applyTheme(QStringLiteral("light"));
    Gui::MainWindow window(m_alice.get(), nullptr);
    window.resize(1100, 700);
    window.show();
    check(Bench::waitUntil([&] { return window.isVisible(); }), QStringLiteral("the window shows"));
    // The header says "online" once the presence answer is in.
    window.openConversation(withBob);
    check(
        Bench::waitUntil([&] { return window.headerStatus()->text() == QStringLiteral("online"); }),
        QStringLiteral("bob shows online"));
    QDir().mkpath(output);
    shoot(window, withBob, output + QStringLiteral("/chat-light.png"));
    shoot(window, group, output + QStringLiteral("/group-light.png"));
    Gui::DesktopApp::applyTheme(QStringLiteral("dark"));
    QCoreApplication::processEvents();
    shoot(window, withBob, output + QStringLiteral("/chat-dark.png"));
    shoot(window, group, output + QStringLiteral("/group-dark.png"));
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Tincan"));
    QApplication::setOrganizationName(QStringLiteral("Tincan"));
    QApplication::setQuitOnLastWindowClosed(false);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Takes the README's screenshots."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("tincand"), QStringLiteral("The tincand binary."), QStringLiteral("PATH")},
        {QStringLiteral("output"), QStringLiteral("Where the PNG files go."),
         QStringLiteral("DIR")},
    });
    parser.process(app);
    if (!parser.isSet(QStringLiteral("tincand")) || !parser.isSet(QStringLiteral("output"))) {
        fail(QStringLiteral("--tincand and --output are needed"));
    }
    // English (United States) dates and times, whatever the machine's locale.
    Gui::DesktopApp::applyLanguage(QStringLiteral("en_US"));
    QTemporaryDir directory;
    Bench::Daemon daemon;
    QString error;
    if (!daemon.start(parser.value(QStringLiteral("tincand")),
                      directory.filePath(QStringLiteral("server")), &error)) {
        fail(error);
    }
    Demo demo(daemon, directory.path());
    demo.run(QDir(parser.value(QStringLiteral("output"))).absolutePath());
    return 0;
}
