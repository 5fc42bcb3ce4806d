// Unit tests for the server's token-bucket RateLimiter.

#include "server/core/RateLimiter.h"

#include <QElapsedTimer>
#include <QtTest>

#include <atomic>
#include <latch>
#include <thread>
#include <vector>

using Tincan::Server::RateLimiter;

namespace {

//! Takes tokens for `key` until refused; returns how many were granted.
int drain(RateLimiter &limiter, const QString &key, int bound = 1000000)
{
    int granted = 0;
    while (granted < bound && limiter.tryAcquire(key)) {
        ++granted;
    }
    return granted;
}

} // namespace

class TestRateLimiter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void burstThenRefused_data();
    void burstThenRefused();
    void retryAfterReflectsRate_data();
    void retryAfterReflectsRate();
    void keysAreIndependent();
    void tokensRefillOverTime();
    void refillIsCappedAtBurst();
    void concurrentAcquireNeverExceedsBurst();
    void manyKeysDoNotResetALimitedKey();
};

void TestRateLimiter::burstThenRefused_data()
{
    QTest::addColumn<double>("burst");

    QTest::newRow("1") << 1.0;
    QTest::newRow("3") << 3.0;
    QTest::newRow("20") << 20.0;
}

void TestRateLimiter::burstThenRefused()
{
    QFETCH(double, burst);

    RateLimiter limiter(0.001, burst); // practically no refill during the test
    const QString key = QStringLiteral("device:1");
    for (int i = 0; i < static_cast<int>(burst); ++i) {
        double retryAfter = -1;
        QVERIFY2(limiter.tryAcquire(key, &retryAfter), qPrintable(QString::number(i)));
    }

    double retryAfter = -1;
    QVERIFY(!limiter.tryAcquire(key, &retryAfter));
    QVERIFY2(retryAfter > 0, qPrintable(QString::number(retryAfter)));

    // Still refused on further attempts, and the null out-parameter is allowed.
    QVERIFY(!limiter.tryAcquire(key));
    retryAfter = -1;
    QVERIFY(!limiter.tryAcquire(key, &retryAfter));
    QVERIFY(retryAfter > 0);
}

void TestRateLimiter::retryAfterReflectsRate_data()
{
    QTest::addColumn<double>("rate");

    QTest::newRow("0.001/s") << 0.001;
    QTest::newRow("0.5/s") << 0.5;
    QTest::newRow("2/s") << 2.0;
}

void TestRateLimiter::retryAfterReflectsRate()
{
    QFETCH(double, rate);

    // With the bucket just emptied, the next token is one full interval (1/rate) away.
    RateLimiter limiter(rate, 1);
    const QString key = QStringLiteral("10.0.0.1");
    QVERIFY(limiter.tryAcquire(key));
    double retryAfter = -1;
    QVERIFY(!limiter.tryAcquire(key, &retryAfter));
    const double interval = 1.0 / rate;
    const QString detail =
        QStringLiteral("retryAfter %1, interval %2").arg(retryAfter).arg(interval);
    QVERIFY2(retryAfter > 0.9 * interval && retryAfter <= interval, qPrintable(detail));
}

void TestRateLimiter::keysAreIndependent()
{
    RateLimiter limiter(0.001, 3);
    const QString a = QStringLiteral("alice:1");
    const QString b = QStringLiteral("bob:1");

    QCOMPARE(drain(limiter, a), 3);
    QVERIFY(!limiter.tryAcquire(a));

    // Exhausting a does not touch b, and b's use does not give a anything back.
    QCOMPARE(drain(limiter, b), 3);
    QVERIFY(!limiter.tryAcquire(a));
    QVERIFY(!limiter.tryAcquire(b));

    // Keys are compared exactly.
    QCOMPARE(drain(limiter, QStringLiteral("Alice:1")), 3);
    QCOMPARE(drain(limiter, QStringLiteral("alice:1 ")), 3);
}

void TestRateLimiter::tokensRefillOverTime()
{
    RateLimiter limiter(1000, 5); // one token per millisecond
    const QString key = QStringLiteral("refill");

    const int granted = drain(limiter, key);
    QVERIFY2(granted >= 5, qPrintable(QString::number(granted)));
    double retryAfter = -1;
    QVERIFY(!limiter.tryAcquire(key, &retryAfter));
    QVERIFY(retryAfter > 0 && retryAfter <= 0.001);

    // A token comes back after about a millisecond.
    QTRY_VERIFY_WITH_TIMEOUT(limiter.tryAcquire(key), 5000);

    // And again after the next drain: refill is continuous, not a one-off.
    drain(limiter, key);
    QTRY_VERIFY_WITH_TIMEOUT(limiter.tryAcquire(key), 5000);
}

void TestRateLimiter::refillIsCappedAtBurst()
{
    const double burst = 3;
    RateLimiter limiter(1000, burst);
    const QString key = QStringLiteral("cap");
    drain(limiter, key);

    // Stay idle for long enough to earn ~100 tokens at 1000/s if the bucket were unbounded.
    QElapsedTimer idle;
    idle.start();
    QTRY_VERIFY_WITH_TIMEOUT(idle.elapsed() >= 100, 5000);

    QElapsedTimer draining;
    draining.start();
    const int granted = drain(limiter, key);
    // Whatever trickles in while draining (1 per ms) may be added on top of the burst.
    const qint64 slack = draining.elapsed() + 1;
    QVERIFY2(granted >= burst, qPrintable(QString::number(granted)));
    QVERIFY2(granted <= burst + slack,
             qPrintable(QStringLiteral("granted %1, slack %2").arg(granted).arg(slack)));
}

void TestRateLimiter::concurrentAcquireNeverExceedsBurst()
{
    constexpr int Burst = 20;
    constexpr int Threads = 8;
    constexpr int Rounds = 200;
    constexpr int AttemptsPerRound = 2 * Burst; // per thread: together far more than the burst
    RateLimiter limiter(0.001, Burst);          // no refill within the test's window

    // Every round races all threads on a fresh key, from bucket creation to exhaustion.
    QStringList keys;
    for (int r = 0; r < Rounds; ++r) {
        keys.append(QStringLiteral("shared:%1").arg(r));
    }
    std::vector<std::atomic<int>> granted(Rounds);
    std::vector<int> ownGranted(Threads, 0);
    std::latch start(Threads);
    std::vector<std::thread> threads;
    threads.reserve(Threads);
    for (int t = 0; t < Threads; ++t) {
        threads.emplace_back([&, t] {
            const QString own = QStringLiteral("own:%1").arg(t);
            start.arrive_and_wait();
            for (int r = 0; r < Rounds; ++r) {
                for (int i = 0; i < AttemptsPerRound; ++i) {
                    double retryAfter = 0;
                    if (limiter.tryAcquire(keys[r], &retryAfter)) {
                        granted[r].fetch_add(1, std::memory_order_relaxed);
                    }
                }
                if (limiter.tryAcquire(own)) {
                    ++ownGranted[t];
                }
            }
        });
    }
    for (std::thread &thread : threads) {
        thread.join();
    }

    // Exactly the burst: never more (a race would over-grant), never fewer (lost tokens).
    for (int r = 0; r < Rounds; ++r) {
        QCOMPARE(granted[r].load(), Burst);
        QVERIFY(!limiter.tryAcquire(keys[r]));
    }
    // Keys used by one thread only are unaffected by the contention on the others.
    for (int t = 0; t < Threads; ++t) {
        QCOMPARE(ownGranted[t], Burst);
    }
}

void TestRateLimiter::manyKeysDoNotResetALimitedKey()
{
    // The limiter prunes idle buckets once it tracks very many keys; a limited key must not be
    // forgotten by that, or a flood of new keys would lift the limit.
    RateLimiter limiter(0.001, 1);
    const QString victim = QStringLiteral("victim");
    QVERIFY(limiter.tryAcquire(victim));
    QVERIFY(!limiter.tryAcquire(victim));

    for (int i = 0; i < 100001; ++i) {
        QVERIFY(limiter.tryAcquire(QString::number(i)));
    }
    double retryAfter = -1;
    QVERIFY(!limiter.tryAcquire(victim, &retryAfter));
    QVERIFY(retryAfter > 0);
    // Keys that have used their token stay limited as well.
    QVERIFY(!limiter.tryAcquire(QStringLiteral("5")));
}

QTEST_GUILESS_MAIN(TestRateLimiter)
#include "tst_ratelimiter.moc"
