// Unit tests for the client's LocalStore: outgoing messages and the outbox, de-duplication of
// incoming messages, history paging and conversation summaries, repairs of undecryptable
// messages, trust state, on a real SQLCipher file (checked to be unreadable without its key).

#include "app/core/LocalStore.h"
#include "tests/common/TestStore.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUuid>
#include <QtTest>

#include <memory>

using namespace Tincan::Client;
using Status = StoredMessage::Status;

namespace {

const QString Alice = QStringLiteral("alice");
const QString Bob = QStringLiteral("bob");
const QString Carol = QStringLiteral("carol");
const QString AliceBob = QStringLiteral("dm:alice:bob");
const QString AliceCarol = QStringLiteral("dm:alice:carol");
const QByteArray Key = Tincan::Test::StoreKey;

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

//! A message alice writes on her device 1.
StoredMessage outgoing(const QString &text, qint64 localTs, const QString &conversation = AliceBob)
{
    StoredMessage m;
    m.conversation = conversation;
    m.sender = Alice;
    m.senderDevice = 1;
    m.clientMessageId = newId();
    m.text = text;
    m.localTimestamp = localTs;
    m.outgoing = true;
    m.status = Status::Pending;
    return m;
}

//! A message that arrived from the server.
StoredMessage incoming(const QString &sender, const QString &conversation, qint64 seq,
                       const QString &text, const QString &clientMessageId = newId())
{
    StoredMessage m;
    m.conversation = conversation;
    m.sender = sender;
    m.senderDevice = 7;
    m.clientMessageId = clientMessageId;
    m.serverId = 1000 + seq;
    m.seq = seq;
    m.text = text;
    m.serverTimestamp = 5000 + seq;
    m.localTimestamp = 9000 + seq;
    m.outgoing = false;
    m.status = Status::Received;
    return m;
}

QList<qint64> seqs(const QList<StoredMessage> &messages)
{
    QList<qint64> result;
    for (const StoredMessage &m : messages) {
        result.append(m.seq);
    }
    return result;
}

QStringList texts(const QList<StoredMessage> &messages)
{
    QStringList result;
    for (const StoredMessage &m : messages) {
        result.append(m.text);
    }
    return result;
}

QStringList outboxIds(const QList<OutboxEntry> &entries)
{
    QStringList result;
    for (const OutboxEntry &e : entries) {
        result.append(e.clientMessageId);
    }
    return result;
}

} // namespace

class TestLocalStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void openFailsOnUnusablePath();
    void queueOutgoingCreatesPendingMessageAndOutboxEntry();
    void queueOutgoingIsAtomic();
    void outboxIsInCreationOrder();
    void bumpAttempts();
    void markSent();
    void markFailed();
    void insertIncomingDeduplicates();
    void insertIncomingKeyIsSenderAndClientId();
    void historyIsInSeqOrder();
    void historyLimitAndPaging();
    void historyPutsPendingLast();
    void conversationsSummary();
    void everythingSurvivesReopen();
    void statusNames();
    void fileIsEncrypted();
    void wrongKeyIsRefused();
    void undecryptableIsRepaired();
    void controlEntriesAreQueuedOnce();
    void trustState();
    void deviceStatus();

private:
    QString path() const { return m_dir->filePath(QStringLiteral("profile/local.sqlite")); }
    //! Opens a new store on the test's file.
    std::unique_ptr<LocalStore> openStore();

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<LocalStore> m_store;
};

void TestLocalStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = openStore();
    QVERIFY(m_store);
}

void TestLocalStore::cleanup()
{
    m_store.reset();
    m_dir.reset();
}

std::unique_ptr<LocalStore> TestLocalStore::openStore()
{
    return Tincan::Test::openTestStore(path());
}

void TestLocalStore::openFailsOnUnusablePath()
{
    // A directory where the database file should be.
    const QString directory = m_dir->filePath(QStringLiteral("is-a-directory"));
    QVERIFY(QDir().mkpath(directory));
    LocalStore store;
    QVERIFY(!store.open(directory, Key));
    QVERIFY(!store.lastError().isEmpty());
}

void TestLocalStore::queueOutgoingCreatesPendingMessageAndOutboxEntry()
{
    const StoredMessage m = outgoing(QStringLiteral("hello bob"), 1111);
    QVERIFY2(m_store->queueOutgoing(m, Bob), qPrintable(m_store->lastError()));

    const auto stored = m_store->message(Alice, m.clientMessageId);
    QVERIFY(stored.has_value());
    QVERIFY(stored->localId > 0);
    QCOMPARE(stored->conversation, AliceBob);
    QCOMPARE(stored->sender, Alice);
    QCOMPARE(stored->senderDevice, 1);
    QCOMPARE(stored->clientMessageId, m.clientMessageId);
    QCOMPARE(stored->text, QStringLiteral("hello bob"));
    QCOMPARE(stored->localTimestamp, 1111);
    QVERIFY(stored->outgoing);
    QCOMPARE(stored->status, Status::Pending);
    QCOMPARE(stored->serverId, 0);
    QCOMPARE(stored->seq, 0);
    QVERIFY(stored->error.isEmpty());

    const QList<OutboxEntry> outbox = m_store->outbox();
    QCOMPARE(outbox.size(), 1);
    QCOMPARE(outbox[0].clientMessageId, m.clientMessageId);
    QCOMPARE(outbox[0].recipient, Bob);
    QCOMPARE(outbox[0].text, QStringLiteral("hello bob"));
    QCOMPARE(outbox[0].createdAt, 1111);
    QCOMPARE(outbox[0].attempts, 0);

    QCOMPARE(m_store->messageCount(), 1);
    QVERIFY(!m_store->message(Bob, m.clientMessageId).has_value());
}

void TestLocalStore::queueOutgoingIsAtomic()
{
    const StoredMessage first = outgoing(QStringLiteral("first"), 100);
    QVERIFY2(m_store->queueOutgoing(first, Bob), qPrintable(m_store->lastError()));

    // Same client id from the same sender: the message insert fails.
    StoredMessage duplicate = outgoing(QStringLiteral("duplicate"), 200);
    duplicate.clientMessageId = first.clientMessageId;
    QVERIFY(!m_store->queueOutgoing(duplicate, Carol));
    QVERIFY(!m_store->lastError().isEmpty());

    // Same client id from another sender: the message insert succeeds but the outbox insert
    // fails, and the whole transaction must roll back.
    StoredMessage otherSender = outgoing(QStringLiteral("other sender"), 300);
    otherSender.sender = Carol;
    otherSender.conversation = AliceCarol;
    otherSender.clientMessageId = first.clientMessageId;
    QVERIFY(!m_store->queueOutgoing(otherSender, Alice));
    QVERIFY(!m_store->message(Carol, first.clientMessageId).has_value());

    QCOMPARE(m_store->messageCount(), 1);
    const QList<OutboxEntry> outbox = m_store->outbox();
    QCOMPARE(outbox.size(), 1);
    QCOMPARE(outbox[0].recipient, Bob);
    QCOMPARE(outbox[0].text, QStringLiteral("first"));
    QCOMPARE(m_store->message(Alice, first.clientMessageId)->text, QStringLiteral("first"));

    // The store is still usable after the rollbacks.
    const StoredMessage next = outgoing(QStringLiteral("next"), 400);
    QVERIFY2(m_store->queueOutgoing(next, Bob), qPrintable(m_store->lastError()));
    QCOMPARE(m_store->outbox().size(), 2);
}

void TestLocalStore::outboxIsInCreationOrder()
{
    // Timestamps may tie (same millisecond): then queueing order decides.
    const QList<qint64> timestamps{100, 200, 200, 200, 300};
    QStringList expected;
    for (qsizetype i = 0; i < timestamps.size(); ++i) {
        const StoredMessage m = outgoing(QStringLiteral("m%1").arg(i), timestamps[i]);
        QVERIFY2(m_store->queueOutgoing(m, Bob), qPrintable(m_store->lastError()));
        expected.append(m.clientMessageId);
    }
    const QList<OutboxEntry> outbox = m_store->outbox();
    QCOMPARE(outboxIds(outbox), expected);
    for (qsizetype i = 0; i < outbox.size(); ++i) {
        QCOMPARE(outbox[i].text, QStringLiteral("m%1").arg(i));
        QCOMPARE(outbox[i].createdAt, timestamps[i]);
    }
}

void TestLocalStore::bumpAttempts()
{
    const StoredMessage a = outgoing(QStringLiteral("a"), 1);
    const StoredMessage b = outgoing(QStringLiteral("b"), 2);
    QVERIFY(m_store->queueOutgoing(a, Bob));
    QVERIFY(m_store->queueOutgoing(b, Bob));

    QVERIFY(m_store->bumpAttempts(a.clientMessageId));
    QVERIFY(m_store->bumpAttempts(a.clientMessageId));
    QVERIFY(m_store->bumpAttempts(b.clientMessageId));
    QVERIFY(m_store->bumpAttempts(a.clientMessageId));

    const QList<OutboxEntry> outbox = m_store->outbox();
    QCOMPARE(outbox.size(), 2);
    QCOMPARE(outbox[0].clientMessageId, a.clientMessageId);
    QCOMPARE(outbox[0].attempts, 3);
    QCOMPARE(outbox[1].attempts, 1);
}

void TestLocalStore::markSent()
{
    const StoredMessage a = outgoing(QStringLiteral("a"), 1);
    const StoredMessage b = outgoing(QStringLiteral("b"), 2);
    QVERIFY(m_store->queueOutgoing(a, Bob));
    QVERIFY(m_store->queueOutgoing(b, Bob));

    QVERIFY2(m_store->markSent(a.clientMessageId, 555, 12, 1700000000000),
             qPrintable(m_store->lastError()));

    const QList<OutboxEntry> outbox = m_store->outbox();
    QCOMPARE(outboxIds(outbox), QStringList{b.clientMessageId});

    const auto sent = m_store->message(Alice, a.clientMessageId);
    QVERIFY(sent.has_value());
    QCOMPARE(sent->status, Status::Sent);
    QCOMPARE(sent->serverId, 555);
    QCOMPARE(sent->seq, 12);
    QCOMPARE(sent->serverTimestamp, 1700000000000);
    QCOMPARE(sent->text, QStringLiteral("a"));
    QCOMPARE(sent->localTimestamp, 1);
    QVERIFY(sent->outgoing);

    const auto pending = m_store->message(Alice, b.clientMessageId);
    QVERIFY(pending.has_value());
    QCOMPARE(pending->status, Status::Pending);
    QCOMPARE(pending->serverId, 0);

    // A repeated receipt (e.g. the "sent" frame after the HTTP answer) changes nothing.
    QVERIFY(m_store->markSent(a.clientMessageId, 999, 99, 1));
    const auto again = m_store->message(Alice, a.clientMessageId);
    QCOMPARE(again->serverId, 555);
    QCOMPARE(again->seq, 12);
    QCOMPARE(m_store->messageCount(), 2);
}

void TestLocalStore::markFailed()
{
    const StoredMessage a = outgoing(QStringLiteral("a"), 1);
    const StoredMessage b = outgoing(QStringLiteral("b"), 2);
    QVERIFY(m_store->queueOutgoing(a, Bob));
    QVERIFY(m_store->queueOutgoing(b, Bob));

    const QString reason = QStringLiteral("unknown_user: No user 'bob'.");
    QVERIFY2(m_store->markFailed(b.clientMessageId, reason), qPrintable(m_store->lastError()));

    QCOMPARE(outboxIds(m_store->outbox()), QStringList{a.clientMessageId});
    const auto failed = m_store->message(Alice, b.clientMessageId);
    QVERIFY(failed.has_value());
    QCOMPARE(failed->status, Status::Failed);
    QCOMPARE(failed->error, reason);
    QCOMPARE(failed->serverId, 0);

    const auto pending = m_store->message(Alice, a.clientMessageId);
    QCOMPARE(pending->status, Status::Pending);
    QVERIFY(pending->error.isEmpty());
}

void TestLocalStore::insertIncomingDeduplicates()
{
    const StoredMessage m = incoming(Bob, AliceBob, 1, QStringLiteral("hi alice"));
    bool inserted = false;
    QVERIFY2(m_store->insertIncoming(m, &inserted), qPrintable(m_store->lastError()));
    QVERIFY(inserted);
    QCOMPARE(m_store->messageCount(), 1);

    // A re-delivery, even with different content, is recognised and changes nothing.
    StoredMessage redelivery = m;
    redelivery.text = QStringLiteral("tampered");
    redelivery.serverId = 4242;
    inserted = true;
    QVERIFY2(m_store->insertIncoming(redelivery, &inserted), qPrintable(m_store->lastError()));
    QVERIFY(!inserted);
    QCOMPARE(m_store->messageCount(), 1);

    const auto stored = m_store->message(Bob, m.clientMessageId);
    QVERIFY(stored.has_value());
    QCOMPARE(stored->text, QStringLiteral("hi alice"));
    QCOMPARE(stored->serverId, m.serverId);
    QCOMPARE(stored->seq, 1);
    QCOMPARE(stored->serverTimestamp, m.serverTimestamp);
    QCOMPARE(stored->localTimestamp, m.localTimestamp);
    QCOMPARE(stored->senderDevice, 7);
    QCOMPARE(stored->status, Status::Received);
    QVERIFY(!stored->outgoing);
    QCOMPARE(m_store->history(AliceBob, 10).size(), 1);
    // Incoming messages never enter the outbox.
    QVERIFY(m_store->outbox().isEmpty());
}

void TestLocalStore::insertIncomingKeyIsSenderAndClientId()
{
    const QString sharedId = newId();
    bool inserted = false;
    QVERIFY(m_store->insertIncoming(
        incoming(Bob, AliceBob, 1, QStringLiteral("from bob"), sharedId), &inserted));
    QVERIFY(inserted);
    inserted = false;
    QVERIFY(m_store->insertIncoming(
        incoming(Carol, AliceCarol, 1, QStringLiteral("from carol"), sharedId), &inserted));
    QVERIFY(inserted);
    QCOMPARE(m_store->messageCount(), 2);
    QCOMPARE(m_store->message(Bob, sharedId)->text, QStringLiteral("from bob"));
    QCOMPARE(m_store->message(Carol, sharedId)->text, QStringLiteral("from carol"));

    // A self-sync copy of alice's own message, already queued locally, is not duplicated.
    const StoredMessage own = outgoing(QStringLiteral("mine"), 50);
    QVERIFY(m_store->queueOutgoing(own, Bob));
    StoredMessage copy = incoming(Alice, AliceBob, 2, QStringLiteral("mine"), own.clientMessageId);
    copy.outgoing = true;
    copy.status = Status::Sent;
    inserted = true;
    QVERIFY(m_store->insertIncoming(copy, &inserted));
    QVERIFY(!inserted);
    QCOMPARE(m_store->messageCount(), 3);
}

void TestLocalStore::historyIsInSeqOrder()
{
    // Arrival order differs from the server's order.
    for (const qint64 seq : {3, 1, 4, 2}) {
        bool inserted = false;
        QVERIFY(m_store->insertIncoming(
            incoming(Bob, AliceBob, seq, QStringLiteral("m%1").arg(seq)), &inserted));
        QVERIFY(inserted);
    }
    // Another conversation must not leak in.
    bool inserted = false;
    QVERIFY(m_store->insertIncoming(incoming(Carol, AliceCarol, 1, QStringLiteral("carol")),
                                    &inserted));

    const QList<StoredMessage> history = m_store->history(AliceBob, 100);
    QCOMPARE(seqs(history), (QList<qint64>{1, 2, 3, 4}));
    QCOMPARE(texts(history), (QStringList{QStringLiteral("m1"), QStringLiteral("m2"),
                                          QStringLiteral("m3"), QStringLiteral("m4")}));
    for (const StoredMessage &m : history) {
        QCOMPARE(m.conversation, AliceBob);
    }
    QCOMPARE(texts(m_store->history(AliceCarol, 100)), QStringList{QStringLiteral("carol")});
    QVERIFY(m_store->history(QStringLiteral("dm:bob:carol"), 100).isEmpty());
}

void TestLocalStore::historyLimitAndPaging()
{
    for (qint64 seq = 1; seq <= 7; ++seq) {
        bool inserted = false;
        QVERIFY(m_store->insertIncoming(
            incoming(Bob, AliceBob, seq, QStringLiteral("m%1").arg(seq)), &inserted));
    }

    // The newest page, newest last.
    const QList<StoredMessage> page1 = m_store->history(AliceBob, 3);
    QCOMPARE(seqs(page1), (QList<qint64>{5, 6, 7}));

    const QList<StoredMessage> page2 = m_store->history(AliceBob, 3, page1.first().localId);
    QCOMPARE(seqs(page2), (QList<qint64>{2, 3, 4}));

    const QList<StoredMessage> page3 = m_store->history(AliceBob, 3, page2.first().localId);
    QCOMPARE(seqs(page3), (QList<qint64>{1}));

    QVERIFY(m_store->history(AliceBob, 3, page3.first().localId).isEmpty());

    // Paging stays inside the conversation.
    bool inserted = false;
    QVERIFY(
        m_store->insertIncoming(incoming(Carol, AliceCarol, 1, QStringLiteral("c")), &inserted));
    QCOMPARE(seqs(m_store->history(AliceBob, 3)), (QList<qint64>{5, 6, 7}));
    QCOMPARE(m_store->history(AliceBob, 100).size(), 7);
    QCOMPARE(m_store->history(AliceBob, 1).size(), 1);
}

void TestLocalStore::historyPutsPendingLast()
{
    bool inserted = false;
    QVERIFY(
        m_store->insertIncoming(incoming(Bob, AliceBob, 1, QStringLiteral("first")), &inserted));
    const StoredMessage pending = outgoing(QStringLiteral("pending"), 10);
    QVERIFY(m_store->queueOutgoing(pending, Bob));
    QVERIFY(
        m_store->insertIncoming(incoming(Bob, AliceBob, 2, QStringLiteral("second")), &inserted));

    // Not yet sequenced by the server: after everything that is.
    QCOMPARE(texts(m_store->history(AliceBob, 10)),
             (QStringList{QStringLiteral("first"), QStringLiteral("second"),
                          QStringLiteral("pending")}));

    // Once sent it takes its server position.
    QVERIFY(m_store->markSent(pending.clientMessageId, 77, 3, 5003));
    QVERIFY(
        m_store->insertIncoming(incoming(Bob, AliceBob, 4, QStringLiteral("fourth")), &inserted));
    QCOMPARE(texts(m_store->history(AliceBob, 10)),
             (QStringList{QStringLiteral("first"), QStringLiteral("second"),
                          QStringLiteral("pending"), QStringLiteral("fourth")}));
}

void TestLocalStore::conversationsSummary()
{
    QVERIFY(m_store->conversations(Alice).isEmpty());

    bool inserted = false;
    // dm:alice:bob: two incoming (server ts 5001, 5002) and one pending (local ts 6000).
    QVERIFY(m_store->insertIncoming(incoming(Bob, AliceBob, 1, QStringLiteral("b1")), &inserted));
    QVERIFY(m_store->insertIncoming(incoming(Bob, AliceBob, 2, QStringLiteral("b2")), &inserted));
    QVERIFY(m_store->queueOutgoing(outgoing(QStringLiteral("to bob"), 6000), Bob));
    // dm:alice:carol: one message, newer than anything with bob.
    StoredMessage fromCarol = incoming(Carol, AliceCarol, 1, QStringLiteral("c1"));
    fromCarol.serverTimestamp = 7000;
    QVERIFY(m_store->insertIncoming(fromCarol, &inserted));
    // Note to self: oldest.
    QVERIFY(m_store->queueOutgoing(
        outgoing(QStringLiteral("remember"), 10, QStringLiteral("dm:alice:alice")), Alice));

    const QList<ConversationSummary> summaries = m_store->conversations(Alice);
    QCOMPARE(summaries.size(), 3);

    // Most recent first.
    QCOMPARE(summaries[0].conversation, AliceCarol);
    QCOMPARE(summaries[0].peer, Carol);
    QCOMPARE(summaries[0].messageCount, 1);
    QCOMPARE(summaries[0].lastText, QStringLiteral("c1"));
    QCOMPARE(summaries[0].lastTimestamp, 7000);

    QCOMPARE(summaries[1].conversation, AliceBob);
    QCOMPARE(summaries[1].peer, Bob);
    QCOMPARE(summaries[1].messageCount, 3);
    QCOMPARE(summaries[1].lastText, QStringLiteral("to bob"));
    QCOMPARE(summaries[1].lastTimestamp, 6000);

    QCOMPARE(summaries[2].conversation, QStringLiteral("dm:alice:alice"));
    QCOMPARE(summaries[2].peer, Alice);
    QCOMPARE(summaries[2].messageCount, 1);
    QCOMPARE(summaries[2].lastText, QStringLiteral("remember"));

    // The peer is relative to the viewer.
    const QList<ConversationSummary> asBob = m_store->conversations(Bob);
    QCOMPARE(asBob.size(), 3);
    QCOMPARE(asBob[1].peer, Alice);
}

void TestLocalStore::everythingSurvivesReopen()
{
    const StoredMessage pending = outgoing(QStringLiteral("pending"), 100);
    const StoredMessage sent = outgoing(QStringLiteral("sent"), 101);
    const StoredMessage failed = outgoing(QStringLiteral("failed"), 102);
    QVERIFY(m_store->queueOutgoing(pending, Bob));
    QVERIFY(m_store->queueOutgoing(sent, Bob));
    QVERIFY(m_store->queueOutgoing(failed, Bob));
    QVERIFY(m_store->bumpAttempts(pending.clientMessageId));
    QVERIFY(m_store->markSent(sent.clientMessageId, 31, 2, 5002));
    QVERIFY(m_store->markFailed(failed.clientMessageId, QStringLiteral("too_large")));
    const StoredMessage received = incoming(Bob, AliceBob, 1, QStringLiteral("received"));
    bool inserted = false;
    QVERIFY(m_store->insertIncoming(received, &inserted));
    QVERIFY(inserted);

    const QList<StoredMessage> historyBefore = m_store->history(AliceBob, 10);
    const QList<ConversationSummary> summariesBefore = m_store->conversations(Alice);

    // Close (destroy) and reopen on the same file, as after an app restart.
    m_store.reset();
    m_store = openStore();
    QVERIFY(m_store);

    QCOMPARE(m_store->messageCount(), 4);
    const QList<OutboxEntry> outbox = m_store->outbox();
    QCOMPARE(outbox.size(), 1);
    QCOMPARE(outbox[0].clientMessageId, pending.clientMessageId);
    QCOMPARE(outbox[0].recipient, Bob);
    QCOMPARE(outbox[0].text, QStringLiteral("pending"));
    QCOMPARE(outbox[0].createdAt, 100);
    QCOMPARE(outbox[0].attempts, 1);

    QCOMPARE(m_store->message(Alice, pending.clientMessageId)->status, Status::Pending);
    const auto sentAfter = m_store->message(Alice, sent.clientMessageId);
    QCOMPARE(sentAfter->status, Status::Sent);
    QCOMPARE(sentAfter->serverId, 31);
    QCOMPARE(sentAfter->seq, 2);
    QCOMPARE(sentAfter->serverTimestamp, 5002);
    const auto failedAfter = m_store->message(Alice, failed.clientMessageId);
    QCOMPARE(failedAfter->status, Status::Failed);
    QCOMPARE(failedAfter->error, QStringLiteral("too_large"));
    QCOMPARE(m_store->message(Bob, received.clientMessageId)->text, QStringLiteral("received"));

    const QList<StoredMessage> historyAfter = m_store->history(AliceBob, 10);
    QCOMPARE(texts(historyAfter), texts(historyBefore));
    QCOMPARE(texts(historyAfter),
             (QStringList{QStringLiteral("received"), QStringLiteral("sent"),
                          QStringLiteral("pending"), QStringLiteral("failed")}));
    for (qsizetype i = 0; i < historyAfter.size(); ++i) {
        QCOMPARE(historyAfter[i].localId, historyBefore[i].localId);
        QCOMPARE(historyAfter[i].status, historyBefore[i].status);
    }

    const QList<ConversationSummary> summariesAfter = m_store->conversations(Alice);
    QCOMPARE(summariesAfter.size(), summariesBefore.size());
    QCOMPARE(summariesAfter[0].conversation, AliceBob);
    QCOMPARE(summariesAfter[0].messageCount, 4);
    QCOMPARE(summariesAfter[0].lastText, summariesBefore[0].lastText);

    // De-duplication state survives as well.
    inserted = true;
    QVERIFY(m_store->insertIncoming(received, &inserted));
    QVERIFY(!inserted);
    QCOMPARE(m_store->messageCount(), 4);

    // And the reopened store keeps working.
    QVERIFY(m_store->markSent(pending.clientMessageId, 32, 3, 5003));
    QVERIFY(m_store->outbox().isEmpty());
}

void TestLocalStore::statusNames()
{
    QCOMPARE(StoredMessage::statusName(Status::Pending), QStringLiteral("pending"));
    QCOMPARE(StoredMessage::statusName(Status::Sent), QStringLiteral("sent"));
    QCOMPARE(StoredMessage::statusName(Status::Failed), QStringLiteral("failed"));
    QCOMPARE(StoredMessage::statusName(Status::Received), QStringLiteral("received"));
}

void TestLocalStore::fileIsEncrypted()
{
    QVERIFY(m_store->queueOutgoing(outgoing(QStringLiteral("marker-e7f1 secret words"), 1), Bob));
    m_store.reset(); // Closes and checkpoints.
    QFile file(path());
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY(!bytes.startsWith("SQLite format 3"));
    QVERIFY(!bytes.contains("marker-e7f1"));
    QVERIFY(!bytes.contains("outbox"));

    // The sqlite3 CLI cannot read it; the sqlcipher CLI can, with the key only.
    const QString sqlite3 = QStandardPaths::findExecutable(QStringLiteral("sqlite3"));
    const QString sqlcipher = QStandardPaths::findExecutable(QStringLiteral("sqlcipher"));
    QVERIFY2(!sqlite3.isEmpty() && !sqlcipher.isEmpty(), "sqlite3 and sqlcipher CLIs are needed");
    auto run = [this](const QString &program, const QByteArray &script) {
        QProcess process;
        process.start(program, {path()});
        process.write(script);
        process.closeWriteChannel();
        process.waitForFinished(30000);
        return QPair<int, QByteArray>(process.exitCode(), process.readAllStandardOutput() +
                                                              process.readAllStandardError());
    };
    const auto plain = run(sqlite3, "SELECT text FROM messages;\n");
    QVERIFY(!plain.second.contains("marker-e7f1"));
    QVERIFY2(plain.second.contains("not a database") || plain.first != 0, plain.second);
    const QByteArray keyPragma = "PRAGMA key = \"x'" + Key.toHex() + "'\";\n";
    const auto right = run(sqlcipher, keyPragma + "SELECT text FROM messages;\n");
    QVERIFY2(right.second.contains("marker-e7f1"), right.second);
    QByteArray wrongKey = Key;
    wrongKey[0] = static_cast<char>(wrongKey[0] ^ 1);
    const auto wrong = run(sqlcipher, "PRAGMA key = \"x'" + wrongKey.toHex() +
                                          "'\";\nSELECT text FROM messages;\n");
    QVERIFY(!wrong.second.contains("marker-e7f1"));
}

void TestLocalStore::wrongKeyIsRefused()
{
    QVERIFY(m_store->setSetting(QStringLiteral("k"), "v"));
    m_store.reset();
    QByteArray wrong = Key;
    wrong[5] = 'x';
    LocalStore store;
    QVERIFY(!store.open(path(), wrong));
    QVERIFY2(store.lastError().contains(QStringLiteral("key")), qPrintable(store.lastError()));
    LocalStore shortKey;
    QVERIFY(!shortKey.open(path(), "short"));
    LocalStore right;
    QVERIFY(right.open(path(), Key));
    QCOMPARE(right.setting(QStringLiteral("k")), QByteArray("v"));
}

void TestLocalStore::undecryptableIsRepaired()
{
    StoredMessage broken = incoming(Bob, AliceBob, 3, QString());
    broken.status = Status::Undecryptable;
    broken.error = QStringLiteral("bad MAC");
    bool inserted = false;
    QVERIFY(m_store->insertIncoming(broken, &inserted));
    QVERIFY(inserted);
    QCOMPARE(m_store->undecryptable().size(), 1);

    StoredMessage resent = broken;
    resent.text = QStringLiteral("readable now");
    resent.status = Status::Received;
    resent.error.clear();
    bool changed = false;
    QVERIFY(m_store->repairIncoming(resent, &changed));
    QVERIFY(changed);
    const auto repaired = m_store->message(Bob, broken.clientMessageId);
    QVERIFY(repaired);
    QCOMPARE(repaired->text, QStringLiteral("readable now"));
    QCOMPARE(repaired->status, Status::Received);
    QVERIFY(repaired->error.isEmpty());
    QVERIFY(m_store->undecryptable().isEmpty());
    // The same resend again changes nothing.
    changed = false;
    QVERIFY(m_store->repairIncoming(resent, &changed));
    QVERIFY(!changed);
    // A resend for a message never seen is stored as new.
    StoredMessage unseen = incoming(Bob, AliceBob, 9, QStringLiteral("first sight"));
    QVERIFY(m_store->repairIncoming(unseen, &changed));
    QVERIFY(changed);
    QCOMPARE(m_store->message(Bob, unseen.clientMessageId)->text, QStringLiteral("first sight"));
}

void TestLocalStore::controlEntriesAreQueuedOnce()
{
    OutboxEntry retry;
    retry.clientMessageId = newId();
    retry.recipient = Bob;
    retry.createdAt = 5;
    retry.kind = QStringLiteral("retry");
    retry.ref = newId();
    retry.targetDevice = 7;
    QVERIFY(m_store->queueControl(retry));
    OutboxEntry again = retry;
    again.clientMessageId = newId();
    QVERIFY(m_store->queueControl(again));
    const auto entries = m_store->outbox();
    QCOMPARE(entries.size(), 1);
    QCOMPARE(entries.first().kind, QStringLiteral("retry"));
    QCOMPARE(entries.first().ref, retry.ref);
    QCOMPARE(entries.first().targetDevice, 7);
    // Sent: gone from the outbox, no message row touched.
    QVERIFY(m_store->markSent(retry.clientMessageId, 1, 1, 1));
    QVERIFY(m_store->outbox().isEmpty());
    QCOMPARE(m_store->messageCount(), 0);
}

void TestLocalStore::trustState()
{
    QVERIFY(!m_store->trust(Bob).verified);
    QVERIFY(m_store->setVerified(Bob, true, QStringLiteral("123")));
    QVERIFY(m_store->trust(Bob).verified);
    QCOMPARE(m_store->trust(Bob).verifiedNumber, QStringLiteral("123"));
    bool wasVerified = false;
    QVERIFY(m_store->safetyNumberChanged(Bob, &wasVerified));
    QVERIFY(wasVerified);
    QVERIFY(!m_store->trust(Bob).verified);
    QVERIFY(m_store->trust(Bob).confirmationRequired);
    QVERIFY(m_store->clearConfirmation(Bob));
    QVERIFY(!m_store->trust(Bob).confirmationRequired);
    // An unverified contact's change needs no confirmation.
    QVERIFY(m_store->safetyNumberChanged(Carol, &wasVerified));
    QVERIFY(!wasVerified);
    QVERIFY(!m_store->trust(Carol).confirmationRequired);
}

void TestLocalStore::deviceStatus()
{
    QVERIFY(m_store->recordDecryption(Bob, 4, true, {}));
    QVERIFY(m_store->recordDecryption(Bob, 4, false, QStringLiteral("bad MAC")));
    QVERIFY(m_store->recordDecryption(Bob, 5, true, {}));
    const auto statuses = m_store->deviceStatuses(Bob);
    QCOMPARE(statuses.size(), 2);
    QCOMPARE(statuses.at(0).device, 4);
    QCOMPARE(statuses.at(0).failures, 1);
    QCOMPARE(statuses.at(0).lastFailure, QStringLiteral("bad MAC"));
    QVERIFY(statuses.at(0).lastOkAt > 0);
    QCOMPARE(statuses.at(1).failures, 0);
}

QTEST_GUILESS_MAIN(TestLocalStore)
#include "tst_localstore.moc"
