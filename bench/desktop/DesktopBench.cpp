// tincan-bench-desktop: one cold start of the desktop app on a seeded profile
// (tincan-bench-seed), measured from inside the app's own process. Each run is a fresh process;
// bench/desktop/run.sh runs it several times and collects the JSON lines.
//
// In order, in one process:
//   1. cold start: from process start to the main window shown and its first frame painted
//      with the conversation list filled ("interactive"). The app starts exactly as `tincan
//      --profile DIR` does (DesktopApp::start: keychain, SQLCipher, models, window; the window
//      opens the most recent conversation). Process start is --t0 (the runner's clock right
//      before exec, CLOCK_REALTIME seconds) or else the start time in /proc/self/stat (10 ms
//      resolution). "Painted": the conversation view's viewport got its first paint event and
//      the event loop came round once more (a zero timer), so that whole frame is done;
//   2. idle: --idle-seconds (5) with the event loop running (the client core connects, syncs,
//      asks for presence meanwhile), then VmRSS and VmHWM from /proc/self/status;
//   3. open: MainWindow::openConversation(the largest conversation) until the message view has
//      painted the same way;
//   4. scroll: the whole history of that conversation from the bottom to the top, one page at a
//      time (QScrollBar::triggerAction(SliderPageStepSub), what Page Up on the scroll bar does),
//      each step waiting for its frame, older pages loading lazily as the top is reached (as
//      the app does it: MessageModel::fetchMore, 80 messages each). Reported: the total time,
//      the number of paints, the gap between consecutive paints (worst, median, p95) and the
//      page steps;
//   5. memory again (VmRSS now, VmHWM the peak of the whole run).
//
// Usage: tincan-bench-desktop --profile DIR [--conversation ID] [--t0 SECONDS]
//        [--idle-seconds N] [--label TEXT] [--no-scroll]
#include "app/core/ClientCore.h"
#include "app/gui/ConversationListModel.h"
#include "app/gui/DesktopApp.h"
#include "app/gui/MainWindow.h"
#include "app/gui/MessageModel.h"
#include "app/gui/MessageView.h"
#include "app/gui/Session.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QListView>
#include <QScrollBar>
#include <QSqlQuery>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <unistd.h>

using namespace Tincan;

namespace {

double realtimeSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double boottimeSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

//! How long ago this process started, from /proc/self/stat (field 22, clock ticks since boot).
double secondsSinceProcessStart()
{
    QFile file(QStringLiteral("/proc/self/stat"));
    if (!file.open(QIODevice::ReadOnly)) {
        return -1;
    }
    const QByteArray stat = file.readAll();
    // The command name (field 2) may hold spaces: count from the closing parenthesis.
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 20) {
        return -1;
    }
    const double started = fields.at(19).toDouble() / static_cast<double>(sysconf(_SC_CLK_TCK));
    return boottimeSeconds() - started;
}

//! VmRSS and VmHWM, KiB.
QPair<qint64, qint64> memory()
{
    QFile file(QStringLiteral("/proc/self/status"));
    qint64 rss = -1;
    qint64 hwm = -1;
    if (file.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : file.readAll().split('\n')) {
            const auto value = [&line] {
                return line.simplified().split(' ').value(1).toLongLong();
            };
            if (line.startsWith("VmRSS:")) {
                rss = value();
            } else if (line.startsWith("VmHWM:")) {
                hwm = value();
            }
        }
    }
    return {rss, hwm};
}

double percentile(QList<double> values, double p)
{
    if (values.isEmpty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    const auto index = static_cast<qsizetype>(p * static_cast<double>(values.size() - 1) + 0.5);
    return values.at(std::clamp<qsizetype>(index, 0, values.size() - 1));
}

double round1(double value)
{
    return std::round(value * 10) / 10;
}

//! Watches a widget's paint events; frameDone() fires once the event loop came round after
//! one (the frame that paint belongs to is then complete).
class PaintProbe : public QObject
{
    Q_OBJECT

public:
    explicit PaintProbe(QWidget *widget) { widget->installEventFilter(this); }

    int paints = 0;
    QList<double> paintTimes; //!< realtime seconds at each paint event

Q_SIGNALS:
    void frameDone(double seconds);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint) {
            ++paints;
            paintTimes.append(realtimeSeconds());
            if (!m_frameQueued) {
                m_frameQueued = true;
                QTimer::singleShot(0, this, [this] {
                    m_frameQueued = false;
                    Q_EMIT frameDone(realtimeSeconds());
                });
            }
        }
        return QObject::eventFilter(watched, event);
    }

private:
    bool m_frameQueued = false;
};

[[noreturn]] void fail(const QString &message)
{
    std::fprintf(stderr, "tincan-bench-desktop: %s\n", qPrintable(message));
    std::fflush(stderr);
    std::_Exit(1);
}

class Runner : public QObject
{
    Q_OBJECT

public:
    Runner(Gui::DesktopApp &app, QJsonObject &result)
        : m_app(app)
        , m_result(result)
    {}

    QString conversation;
    int idleMs = 5000;
    bool scroll = true;
    double startedAt = 0; //!< realtime seconds: process start

    //! Steps 2 to 5, after the first frame.
    void afterFirstFrame()
    {
        QTimer::singleShot(idleMs, this, [this] {
            const auto [rss, hwm] = memory();
            m_result.insert(QStringLiteral("idleRssKiB"), rss);
            m_result.insert(QStringLiteral("idleHwmKiB"), hwm);
            open();
        });
    }

private:
    Gui::MainWindow *window() const { return m_app.window(); }

    void open()
    {
        if (conversation.isEmpty()) {
            conversation = largestConversation();
        }
        if (window()->currentConversation() == conversation) {
            // Already open at start-up (it was the most recent): open another one first, so the
            // measured open loads it afresh.
            const int other = window()->conversations()->rowOf(conversation) == 0 ? 1 : 0;
            window()->openConversation(window()->conversations()->conversationAt(other));
            QCoreApplication::processEvents();
        }
        auto *probe = new PaintProbe(window()->messageView()->viewport());
        const double start = realtimeSeconds();
        window()->openConversation(conversation);
        const double returned = realtimeSeconds();
        connect(probe, &PaintProbe::frameDone, this, [this, probe, start, returned](double done) {
            disconnect(probe, nullptr, this, nullptr);
            m_result.insert(QStringLiteral("openMs"), round1((done - start) * 1000));
            m_result.insert(QStringLiteral("openCallMs"), round1((returned - start) * 1000));
            m_result.insert(QStringLiteral("openRows"), window()->messages()->rowCount());
            m_result.insert(QStringLiteral("conversation"), conversation);
            if (scroll) {
                QTimer::singleShot(0, this, [this, probe] { startScroll(probe); });
            } else {
                finish();
            }
        });
    }

    QString largestConversation()
    {
        QSqlQuery query(m_app.session()->reader().database());
        if (!query.exec(QStringLiteral("SELECT conversation FROM messages GROUP BY conversation "
                                       "ORDER BY COUNT(*) DESC LIMIT 1")) ||
            !query.next()) {
            fail(QStringLiteral("no conversation in the profile"));
        }
        return query.value(0).toString();
    }

    qint64 messagesIn(const QString &conversation)
    {
        QSqlQuery query(m_app.session()->reader().database());
        query.prepare(QStringLiteral("SELECT COUNT(*) FROM messages WHERE conversation = ?"));
        query.addBindValue(conversation);
        if (!query.exec() || !query.next()) {
            fail(QStringLiteral("cannot count the messages"));
        }
        return query.value(0).toLongLong();
    }

    void startScroll(PaintProbe *probe)
    {
        m_total = messagesIn(conversation); // not timed
        m_probe = probe;
        m_probe->paintTimes.clear();
        m_paintsBefore = m_probe->paints;
        m_scrollStart = realtimeSeconds();
        connect(m_probe, &PaintProbe::frameDone, this, &Runner::onFrame);
        step();
    }

    void step()
    {
        QScrollBar *bar = window()->messageView()->verticalScrollBar();
        Gui::MessageModel *model = window()->messages();
        if (bar->value() == bar->minimum() && model->rowCount() >= m_total) {
            finishScroll();
            return;
        }
        if (++m_steps > 1'000'000) {
            fail(QStringLiteral("the scroll does not end"));
        }
        m_stepStart = realtimeSeconds();
        bar->triggerAction(QAbstractSlider::SliderPageStepSub);
        // The next frame comes from this step (or from the page it made load); no frame within
        // 30 s means the view is stuck.
        m_watchdog.start(30000);
    }

    void onFrame(double done)
    {
        m_watchdog.stop();
        m_stepTimes.append((done - m_stepStart) * 1000);
        // The next step once this frame is done, as a user paging up would see every page.
        QTimer::singleShot(0, this, &Runner::step);
    }

    void finishScroll()
    {
        const double end = realtimeSeconds();
        disconnect(m_probe, &PaintProbe::frameDone, this, &Runner::onFrame);
        QList<double> gaps;
        const QList<double> &times = m_probe->paintTimes;
        double previous = m_scrollStart;
        for (const double t : times) {
            gaps.append((t - previous) * 1000);
            previous = t;
        }
        QJsonObject scroll{
            {QStringLiteral("ms"), round1((end - m_scrollStart) * 1000)},
            {QStringLiteral("messages"), window()->messages()->rowCount()},
            {QStringLiteral("pageSteps"), m_steps},
            {QStringLiteral("paints"), m_probe->paints - m_paintsBefore},
            {QStringLiteral("worstGapMs"), round1(percentile(gaps, 1.0))},
            {QStringLiteral("p95GapMs"), round1(percentile(gaps, 0.95))},
            {QStringLiteral("medianGapMs"), round1(percentile(gaps, 0.5))},
            {QStringLiteral("worstStepMs"), round1(percentile(m_stepTimes, 1.0))},
            {QStringLiteral("medianStepMs"), round1(percentile(m_stepTimes, 0.5))},
        };
        m_result.insert(QStringLiteral("scroll"), scroll);
        finish();
    }

    void finish()
    {
        const auto [rss, hwm] = memory();
        m_result.insert(QStringLiteral("endRssKiB"), rss);
        m_result.insert(QStringLiteral("hwmKiB"), hwm);
        bool connected = false;
        m_app.session()->run(
            [&connected](Client::ClientCore &core) { connected = core.stream().isConnected(); });
        m_result.insert(QStringLiteral("connected"), connected);
        if (m_connectedAt > 0) {
            m_result.insert(QStringLiteral("connectedAfterMs"),
                            round1((m_connectedAt - startedAt) * 1000));
        }
        std::printf("%s\n", QJsonDocument(m_result).toJson(QJsonDocument::Compact).constData());
        std::fflush(stdout);
        QCoreApplication::exit(0);
    }

public:
    void watchConnection()
    {
        connect(m_app.session()->core(), &Client::ClientCore::connectionStateChanged, this,
                [this](bool online) {
                    if (online && m_connectedAt == 0) {
                        m_connectedAt = realtimeSeconds();
                    }
                });
        m_watchdog.setSingleShot(true);
        connect(&m_watchdog, &QTimer::timeout, this,
                [] { fail(QStringLiteral("no frame for 30 s while scrolling")); });
    }

private:
    Gui::DesktopApp &m_app;
    QJsonObject &m_result;
    PaintProbe *m_probe = nullptr;
    qint64 m_total = 0;
    int m_steps = 0;
    int m_paintsBefore = 0;
    double m_scrollStart = 0;
    double m_stepStart = 0;
    double m_connectedAt = 0;
    QList<double> m_stepTimes;
    QTimer m_watchdog;
};

} // namespace

int main(int argc, char *argv[])
{
    const double enteredMain = realtimeSeconds();
    const double sinceStart = secondsSinceProcessStart();
    QApplication app(argc, argv);
    const double appMade = realtimeSeconds();
    QApplication::setApplicationName(QStringLiteral("Tincan"));
    QApplication::setOrganizationName(QStringLiteral("Tincan"));
    QApplication::setQuitOnLastWindowClosed(false);

    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("profile"), QStringLiteral("The seeded profile."), QStringLiteral("DIR")},
        {QStringLiteral("conversation"),
         QStringLiteral("The conversation to open and scroll (default: the largest)."),
         QStringLiteral("ID")},
        {QStringLiteral("t0"), QStringLiteral("When the process was started (CLOCK_REALTIME s)."),
         QStringLiteral("SECONDS")},
        {QStringLiteral("idle-seconds"), QStringLiteral("Idle time before measuring memory (5)."),
         QStringLiteral("N"), QStringLiteral("5")},
        {QStringLiteral("label"), QStringLiteral("Copied into the output."),
         QStringLiteral("TEXT")},
        {QStringLiteral("no-scroll"), QStringLiteral("Skip the scroll.")},
    });
    parser.process(app);
    if (!parser.isSet(QStringLiteral("profile"))) {
        fail(QStringLiteral("--profile is needed"));
    }
    // A start that hangs (a dialog nobody answers offscreen) must not hang the benchmark.
    QTimer::singleShot(600'000, [] { fail(QStringLiteral("timed out")); });

    // Process start: the runner's clock before exec, or the kernel's start time.
    const double startedAt = parser.isSet(QStringLiteral("t0"))
                                 ? parser.value(QStringLiteral("t0")).toDouble()
                                 : enteredMain - sinceStart;
    QJsonObject result{{QStringLiteral("bench"), QStringLiteral("desktop")},
                       {QStringLiteral("platform"), QGuiApplication::platformName()},
                       {QStringLiteral("label"), parser.value(QStringLiteral("label"))},
                       {QStringLiteral("startFrom"), parser.isSet(QStringLiteral("t0"))
                                                         ? QStringLiteral("runner")
                                                         : QStringLiteral("proc-stat")}};

    Gui::DesktopApp::applyLanguage(qEnvironmentVariable("TINCAN_LANGUAGE"));
    Gui::DesktopApp desktop;
    const double starting = realtimeSeconds();
    const int code =
        desktop.start({QCoreApplication::applicationFilePath(), QStringLiteral("--profile"),
                       parser.value(QStringLiteral("profile"))});
    const double started = realtimeSeconds();
    if (code >= 0 || !desktop.window()) {
        fail(QStringLiteral("the app did not open its main window (exit code %1)").arg(code));
    }

    Runner runner(desktop, result);
    runner.conversation = parser.value(QStringLiteral("conversation"));
    runner.idleMs = parser.value(QStringLiteral("idle-seconds")).toInt() * 1000;
    runner.scroll = !parser.isSet(QStringLiteral("no-scroll"));
    runner.startedAt = startedAt;
    runner.watchConnection();

    Gui::MainWindow *window = desktop.window();
    PaintProbe firstFrame(window->conversationView()->viewport());
    QObject::connect(&firstFrame, &PaintProbe::frameDone, &runner, [&](double done) {
        if (window->conversations()->rowCount() == 0) {
            return; // not interactive yet: the list is empty
        }
        QObject::disconnect(&firstFrame, nullptr, &runner, nullptr);
        result.insert(QStringLiteral("coldStartMs"), round1((done - startedAt) * 1000));
        result.insert(QStringLiteral("phasesMs"),
                      QJsonObject{
                          {QStringLiteral("toMain"), round1((enteredMain - startedAt) * 1000)},
                          {QStringLiteral("qapplication"), round1((appMade - enteredMain) * 1000)},
                          {QStringLiteral("desktopStart"), round1((started - starting) * 1000)},
                          {QStringLiteral("firstFrame"), round1((done - started) * 1000)},
                      });
        result.insert(QStringLiteral("conversations"), window->conversations()->rowCount());
        result.insert(QStringLiteral("openedAtStart"), window->currentConversation());
        runner.afterFirstFrame();
    });
    return QApplication::exec();
}

#include "DesktopBench.moc"
