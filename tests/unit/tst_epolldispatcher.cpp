// The epoll event dispatcher of the connection threads: timers, posted events, socket notifiers
// and real TCP sockets behave as under Qt's own dispatcher.
#include "server/net/EpollEventDispatcher.h"

#include <QElapsedTimer>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <QtTest>

#include <atomic>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using Tincan::Server::EpollEventDispatcher;

namespace {
//! A thread running an event loop on the epoll dispatcher, with a context object living there.
struct EpollThread
{
    QThread thread;
    QObject *context = new QObject;

    EpollThread()
    {
        thread.setEventDispatcher(new EpollEventDispatcher);
        context->moveToThread(&thread);
        thread.start();
    }
    ~EpollThread()
    {
        QMetaObject::invokeMethod(
            context, [this] { delete context; }, Qt::BlockingQueuedConnection);
        thread.quit();
        thread.wait();
    }
    template<class F> void run(F &&f)
    {
        QMetaObject::invokeMethod(context, std::forward<F>(f), Qt::BlockingQueuedConnection);
    }
};
} // namespace

class TestEpollDispatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void isUsedByTheThread();
    void postedEventsFromOtherThreadsArrive();
    void singleShotTimerWaitsItsInterval();
    void periodicTimerRepeatsUntilStopped();
    void zeroTimerRunsWithoutBlocking();
    void socketNotifierFiresOnDataAndStopsWhenDisabled();
    void writeNotifierTogglesAndDescriptorsComeBack();
    void tcpEchoBetweenThreads();
    void deferredFlushesRunOnceBeforeTheLoopWaits();
};

void TestEpollDispatcher::isUsedByTheThread()
{
    EpollThread t;
    bool epoll = false;
    t.run([&] {
        epoll = qobject_cast<EpollEventDispatcher *>(QThread::currentThread()->eventDispatcher()) !=
                nullptr;
    });
    QVERIFY(epoll);
}

void TestEpollDispatcher::postedEventsFromOtherThreadsArrive()
{
    EpollThread t;
    std::atomic<int> delivered{0};
    constexpr int Count = 10000;
    std::thread producer([&] {
        for (int i = 0; i < Count; ++i) {
            QMetaObject::invokeMethod(
                t.context, [&delivered] { ++delivered; }, Qt::QueuedConnection);
        }
    });
    producer.join();
    QTRY_COMPARE_WITH_TIMEOUT(delivered.load(), Count, 10000);
}

void TestEpollDispatcher::singleShotTimerWaitsItsInterval()
{
    EpollThread t;
    std::atomic<qint64> firedAfter{-1};
    std::atomic<int> fired{0};
    t.run([&] {
        auto *clock = new QElapsedTimer;
        clock->start();
        QTimer::singleShot(200, t.context, [&, clock] {
            firedAfter = clock->elapsed();
            ++fired;
            delete clock;
        });
    });
    QTRY_COMPARE_WITH_TIMEOUT(fired.load(), 1, 10000);
    QVERIFY2(firedAfter >= 199, qPrintable(QString::number(firedAfter)));
    QTest::qWait(300);
    QCOMPARE(fired.load(), 1);
}

void TestEpollDispatcher::periodicTimerRepeatsUntilStopped()
{
    EpollThread t;
    std::atomic<int> ticks{0};
    QTimer *timer = nullptr;
    t.run([&] {
        timer = new QTimer(t.context);
        timer->setInterval(10);
        QObject::connect(timer, &QTimer::timeout, [&] { ++ticks; });
        timer->start();
    });
    QTRY_VERIFY_WITH_TIMEOUT(ticks.load() >= 10, 10000);
    int remaining = -2;
    t.run([&] {
        remaining = timer->remainingTime();
        timer->stop();
    });
    QVERIFY(remaining >= 0 && remaining <= 10);
    const int stoppedAt = ticks.load();
    QTest::qWait(100);
    QCOMPARE(ticks.load(), stoppedAt);
}

void TestEpollDispatcher::zeroTimerRunsWithoutBlocking()
{
    EpollThread t;
    std::atomic<int> runs{0};
    t.run([&] {
        auto *timer = new QTimer(t.context);
        timer->setInterval(0);
        QObject::connect(timer, &QTimer::timeout, [&runs, timer] {
            if (++runs == 1000) {
                timer->stop();
            }
        });
        timer->start();
    });
    QTRY_COMPARE_WITH_TIMEOUT(runs.load(), 1000, 10000);
}

void TestEpollDispatcher::socketNotifierFiresOnDataAndStopsWhenDisabled()
{
    int pair[2] = {-1, -1};
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, pair), 0);
    EpollThread t;
    std::atomic<int> activations{0};
    std::atomic<int> bytes{0};
    QSocketNotifier *notifier = nullptr;
    t.run([&] {
        notifier = new QSocketNotifier(pair[0], QSocketNotifier::Read, t.context);
        QObject::connect(notifier, &QSocketNotifier::activated, [&] {
            char buffer[64];
            const auto got = ::read(pair[0], buffer, sizeof(buffer));
            if (got > 0) {
                bytes += static_cast<int>(got);
            }
            ++activations;
        });
    });
    QCOMPARE(::write(pair[1], "hello", 5), 5);
    QTRY_COMPARE_WITH_TIMEOUT(bytes.load(), 5, 10000);
    t.run([&] { notifier->setEnabled(false); });
    const int before = activations.load();
    QCOMPARE(::write(pair[1], "more", 4), 4);
    QTest::qWait(100);
    QCOMPARE(activations.load(), before); // Disabled: nothing delivered.
    t.run([&] { notifier->setEnabled(true); });
    QTRY_COMPARE_WITH_TIMEOUT(bytes.load(), 9, 10000); // Level-triggered: pending data arrives.
    t.run([&] { delete notifier; });
    ::close(pair[0]);
    ::close(pair[1]);
}

void TestEpollDispatcher::writeNotifierTogglesAndDescriptorsComeBack()
{
    // Changes to a watched descriptor reach epoll before the next wait, not at once: a write
    // notifier enabled and disabled in one pass never fires, one left enabled does, and a
    // descriptor number closed and reused is watched afresh.
    int pair[2] = {-1, -1};
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, pair), 0);
    EpollThread t;
    std::atomic<int> reads{0};
    std::atomic<int> writes{0};
    QSocketNotifier *reader = nullptr;
    QSocketNotifier *writer = nullptr;
    auto settle = [&] {
        for (int i = 0; i < 5; ++i) {
            t.run([] {}); // A few passes of the loop (each run is a posted event and a wait).
        }
    };
    t.run([&] {
        reader = new QSocketNotifier(pair[0], QSocketNotifier::Read, t.context);
        QObject::connect(reader, &QSocketNotifier::activated, [&] {
            char buffer[64];
            while (::read(pair[0], buffer, sizeof(buffer)) > 0) {
            }
            ++reads;
        });
        writer = new QSocketNotifier(pair[0], QSocketNotifier::Write, t.context);
        QObject::connect(writer, &QSocketNotifier::activated, [&] {
            ++writes;
            writer->setEnabled(false); // Like a socket whose buffer emptied.
        });
    });
    QTRY_COMPARE_WITH_TIMEOUT(writes.load(), 1, 10000);
    settle();
    QCOMPARE(writes.load(), 1);
    // Enabled and disabled again in one pass: nothing.
    t.run([&] {
        writer->setEnabled(true);
        writer->setEnabled(false);
    });
    settle();
    QCOMPARE(writes.load(), 1);
    // Left enabled: fires again; reads still arrive.
    t.run([&] { writer->setEnabled(true); });
    QTRY_COMPARE_WITH_TIMEOUT(writes.load(), 2, 10000);
    QCOMPARE(::write(pair[1], "x", 1), 1);
    QTRY_COMPARE_WITH_TIMEOUT(reads.load(), 1, 10000);

    // The number comes back for another socket: it is watched as a new one.
    const int number = pair[0];
    t.run([&] {
        delete reader;
        delete writer;
    });
    ::close(pair[0]);
    ::close(pair[1]);
    int again[2] = {-1, -1};
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, again), 0);
    QCOMPARE(again[0], number);
    std::atomic<int> fresh{0};
    t.run([&] {
        reader = new QSocketNotifier(again[0], QSocketNotifier::Read, t.context);
        QObject::connect(reader, &QSocketNotifier::activated, [&] {
            char buffer[64];
            while (::read(again[0], buffer, sizeof(buffer)) > 0) {
            }
            ++fresh;
        });
    });
    QCOMPARE(::write(again[1], "y", 1), 1);
    QTRY_COMPARE_WITH_TIMEOUT(fresh.load(), 1, 10000);
    t.run([&] { delete reader; });
    ::close(again[0]);
    ::close(again[1]);
}

void TestEpollDispatcher::tcpEchoBetweenThreads()
{
    EpollThread t;
    quint16 port = 0;
    t.run([&] {
        auto *server = new QTcpServer(t.context);
        QVERIFY(server->listen(QHostAddress::LocalHost, 0));
        port = server->serverPort();
        QObject::connect(server, &QTcpServer::newConnection, server, [server] {
            while (QTcpSocket *peer = server->nextPendingConnection()) {
                QObject::connect(peer, &QTcpSocket::readyRead, peer,
                                 [peer] { peer->write(peer->readAll()); });
            }
        });
    });
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(client.waitForConnected(10000));
    QByteArray echoed;
    const QByteArray message(100000, 'e'); // Larger than one read: several notifications.
    client.write(message);
    QVERIFY(QTest::qWaitFor(
        [&] {
            client.waitForReadyRead(50);
            echoed += client.readAll();
            return echoed.size() >= message.size();
        },
        10000));
    QCOMPARE(echoed, message);
}

namespace {
//! Records its flushes; may schedule another item from inside its own flush.
struct Flush final : EpollEventDispatcher::DeferredFlush
{
    Flush(std::vector<QString> *log, QString name)
        : log(log)
        , name(std::move(name))
    {}
    std::vector<QString> *log;
    QString name;
    Flush *then = nullptr;
    void flushDeferred() override
    {
        log->push_back(name);
        if (then) {
            QVERIFY(EpollEventDispatcher::deferFlush(std::exchange(then, nullptr)));
        }
    }
};
} // namespace

void TestEpollDispatcher::deferredFlushesRunOnceBeforeTheLoopWaits()
{
    // Not on an epoll loop (this thread runs Qt's dispatcher): refused, the caller works at once.
    std::vector<QString> log;
    Flush stray(&log, QStringLiteral("stray"));
    QVERIFY(!EpollEventDispatcher::deferFlush(&stray));

    EpollThread loop;
    Flush a(&log, QStringLiteral("a"));
    Flush b(&log, QStringLiteral("b"));
    Flush c(&log, QStringLiteral("c"));
    Flush later(&log, QStringLiteral("later"));
    a.then = &later; // Scheduled while the flushes run: still in this pass.
    std::vector<QString> seenInsideTheEvent;
    loop.run([&] {
        QVERIFY(EpollEventDispatcher::deferFlush(&a));
        QVERIFY(EpollEventDispatcher::deferFlush(&b));
        QVERIFY(EpollEventDispatcher::deferFlush(&c));
        EpollEventDispatcher::cancelFlush(&b); // Going away: never called.
        seenInsideTheEvent = log;              // Nothing runs before the event is handled.
    });
    QVERIFY(seenInsideTheEvent.empty());
    // The flushes follow the event in the same pass, before the loop waits again: once each.
    std::vector<QString> seen;
    QTRY_VERIFY_WITH_TIMEOUT((loop.run([&] { seen = log; }), seen.size() >= 3), 10000);
    QCOMPARE(seen, (std::vector<QString>{QStringLiteral("a"), QStringLiteral("c"),
                                         QStringLiteral("later")}));
    loop.run([&] { seen = log; });
    QCOMPARE(seen.size(), size_t(3));
}

QTEST_GUILESS_MAIN(TestEpollDispatcher)
#include "tst_epolldispatcher.moc"
