// Unit tests for full-text search over the client's history (LocalStore::search, the FTS4 index
// of migration 6 and its triggers, SearchQuery) and LocalStore::historyAround, on a real
// SQLCipher file.

#include "app/core/LocalStore.h"
#include "app/core/SearchQuery.h"
#include "tests/common/TestStore.h"

#include <QRandomGenerator>
#include <QSqlQuery>
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

//! A message from `sender` as it arrives from the server (seq/server time derived from `seq`).
StoredMessage arrived(const QString &conversation, const QString &sender, qint64 seq,
                      const QString &text, Status status = Status::Received)
{
    StoredMessage m;
    m.conversation = conversation;
    m.sender = sender;
    m.senderDevice = 3;
    m.clientMessageId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m.serverId = 500 + seq;
    m.seq = seq;
    m.text = text;
    m.serverTimestamp = 70000 + seq;
    m.localTimestamp = 80000 + seq;
    m.status = status;
    return m;
}

QStringList texts(const QList<SearchHit> &hits)
{
    QStringList result;
    for (const SearchHit &hit : hits) {
        result.append(hit.text);
    }
    return result;
}

//! The highlighted parts of a hit's text.
QStringList highlighted(const SearchHit &hit)
{
    QStringList parts;
    for (const auto &[position, length] : hit.matches) {
        parts.append(hit.text.mid(position, length));
    }
    return parts;
}

QList<qint64> ids(QSqlQuery &query)
{
    QList<qint64> result;
    while (query.next()) {
        result.append(query.value(0).toLongLong());
    }
    return result;
}

} // namespace

class TestSearch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void findsWordsCaseInsensitively();
    void lastWordIsAPrefix();
    void everyWordMustMatch();
    void scopedToAConversation();
    void scopeTokensAreNotSearchable();
    void newestFirstAndLimit();
    void highlightsEveryMatch();
    void highlightsNonAsciiText();
    void diacriticsAreIgnored();
    void onlyReadableMessagesAreIndexed();
    void statusChangesKeepOneEntry();
    void repairedMessageBecomesFindable();
    void mediaKeysAreNeverSearched();
    void deletedMessagesLeaveTheIndex();
    void badInputIsPlainText_data();
    void badInputIsPlainText();
    void randomInputNeverErrors();
    void matchExpression_data();
    void matchExpression();
    void characterRangesOfBadOffsets();
    void migrationIndexesExistingMessages();
    void historyAround();

private:
    std::unique_ptr<LocalStore> openStore();
    //! Stores an arrived message; returns its local id.
    qint64 add(const StoredMessage &message);
    //! The index holds exactly the readable messages that have text (FTS4 keeps one
    //! `_docsize` row per indexed document).
    void verifyIndexInSync();

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<LocalStore> m_store;
};

void TestSearch::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = openStore();
    QVERIFY(m_store);
}

void TestSearch::cleanup()
{
    m_store.reset();
    m_dir.reset();
}

std::unique_ptr<LocalStore> TestSearch::openStore()
{
    return Tincan::Test::openTestStore(m_dir->filePath(QStringLiteral("client.db")));
}

qint64 TestSearch::add(const StoredMessage &message)
{
    bool inserted = false;
    if (!m_store->insertIncoming(message, &inserted) || !inserted) {
        qWarning("insertIncoming failed: %s", qPrintable(m_store->lastError()));
        return 0;
    }
    return m_store->message(message.sender, message.clientMessageId)->localId;
}

void TestSearch::verifyIndexInSync()
{
    QStringList readable;
    for (const Status status : {Status::Pending, Status::Sent, Status::Failed, Status::Received,
                                Status::Delivered, Status::Read}) {
        readable.append(QString::number(static_cast<int>(status)));
    }
    QSqlQuery query(m_store->database());
    QVERIFY(query.exec(QStringLiteral("SELECT docid FROM message_search_docsize ORDER BY docid")));
    const QList<qint64> indexed = ids(query);
    QVERIFY(query.exec(QStringLiteral("SELECT id FROM messages WHERE status IN (%1) AND "
                                      "text <> '' ORDER BY id")
                           .arg(readable.join(QLatin1Char(',')))));
    const QList<qint64> expected = ids(query);
    QCOMPARE(indexed, expected);
    // FTS4's document count (the first varint of `_stat` row 0) counts removals too: removing a
    // document that was never indexed would make it drift.
    QVERIFY(query.exec(QStringLiteral("SELECT value FROM message_search_stat WHERE id = 0")));
    const QByteArray stat = query.next() ? query.value(0).toByteArray() : QByteArray();
    qint64 documents = 0;
    for (qsizetype i = 0, shift = 0; i < stat.size() && shift < 63; ++i, shift += 7) {
        documents |= qint64(stat.at(i) & 0x7F) << shift;
        if ((stat.at(i) & 0x80) == 0) {
            break;
        }
    }
    QCOMPARE(documents, expected.size());
}

void TestSearch::findsWordsCaseInsensitively()
{
    const qint64 id = add(arrived(AliceBob, Bob, 1, QStringLiteral("Lunch at the harbour?")));
    add(arrived(AliceBob, Bob, 2, QStringLiteral("something else entirely")));
    QVERIFY(id > 0);

    const auto hits = m_store->search(QStringLiteral("harbour"));
    QCOMPARE(hits.size(), 1);
    QCOMPARE(hits.first().localId, id);
    QCOMPARE(hits.first().conversation, AliceBob);
    QCOMPARE(hits.first().sender, Bob);
    QCOMPARE(hits.first().timestamp, 70001); // the server's time
    QCOMPARE(hits.first().text, QStringLiteral("Lunch at the harbour?"));
    QCOMPARE(texts(m_store->search(QStringLiteral("LUNCH"))), texts(hits));
    QCOMPARE(texts(m_store->search(QStringLiteral("  lunch  "))), texts(hits));
    QVERIFY(m_store->search(QStringLiteral("dinner")).isEmpty());
    QVERIFY(m_store->lastError().isEmpty());
}

void TestSearch::lastWordIsAPrefix()
{
    add(arrived(AliceBob, Bob, 1, QStringLiteral("apple pie")));
    add(arrived(AliceBob, Bob, 2, QStringLiteral("application form")));
    add(arrived(AliceBob, Bob, 3, QStringLiteral("pineapple")));

    // Newest first; a prefix matches the start of a word only.
    QCOMPARE(texts(m_store->search(QStringLiteral("app"))),
             QStringList({QStringLiteral("application form"), QStringLiteral("apple pie")}));
    QCOMPARE(texts(m_store->search(QStringLiteral("apple p"))),
             QStringList{QStringLiteral("apple pie")});
    // Only the last word is a prefix.
    QVERIFY(m_store->search(QStringLiteral("app pie")).isEmpty());
    QCOMPARE(highlighted(m_store->search(QStringLiteral("appl")).last()),
             QStringList{QStringLiteral("apple")});
}

void TestSearch::everyWordMustMatch()
{
    add(arrived(AliceBob, Bob, 1, QStringLiteral("the red car")));
    add(arrived(AliceBob, Bob, 2, QStringLiteral("the blue car")));
    add(arrived(AliceBob, Bob, 3, QStringLiteral("a red bicycle")));

    QCOMPARE(texts(m_store->search(QStringLiteral("red car"))),
             QStringList{QStringLiteral("the red car")});
    // In any order, not necessarily adjacent.
    QCOMPARE(texts(m_store->search(QStringLiteral("car the"))),
             QStringList({QStringLiteral("the blue car"), QStringLiteral("the red car")}));
    QVERIFY(m_store->search(QStringLiteral("blue bicycle")).isEmpty());
}

void TestSearch::scopedToAConversation()
{
    add(arrived(AliceBob, Bob, 1, QStringLiteral("meeting at noon")));
    add(arrived(AliceCarol, Carol, 1, QStringLiteral("meeting moved")));
    add(arrived(AliceBob, Alice, 2, QStringLiteral("see you at the meeting")));

    QCOMPARE(m_store->search(QStringLiteral("meeting")).size(), 3);
    const auto bob = m_store->search(QStringLiteral("meeting"), AliceBob);
    QCOMPARE(texts(bob), QStringList({QStringLiteral("see you at the meeting"),
                                      QStringLiteral("meeting at noon")}));
    for (const SearchHit &hit : bob) {
        QCOMPARE(hit.conversation, AliceBob);
    }
    QCOMPARE(texts(m_store->search(QStringLiteral("meeting"), AliceCarol)),
             QStringList{QStringLiteral("meeting moved")});
    QVERIFY(m_store->search(QStringLiteral("meeting"), QStringLiteral("dm:bob:carol")).isEmpty());
    // A conversation with notices only has nothing to find.
    const QString group = QStringLiteral("group:0123456789abcdef0123456789abcdef");
    add(arrived(group, Carol, 1, QStringLiteral("meeting created the group"), Status::System));
    QVERIFY(m_store->search(QStringLiteral("meeting"), group).isEmpty());
    QCOMPARE(m_store->search(QStringLiteral("meeting")).size(), 3);

    // The scope follows a message into another conversation.
    QSqlQuery move(m_store->database());
    QVERIFY(move.exec(QStringLiteral("UPDATE messages SET conversation = '%1' WHERE text = "
                                     "'meeting moved'")
                          .arg(group)));
    QCOMPARE(texts(m_store->search(QStringLiteral("meeting"), group)),
             QStringList{QStringLiteral("meeting moved")});
    QVERIFY(m_store->search(QStringLiteral("meeting"), AliceCarol).isEmpty());
    verifyIndexInSync();
}

void TestSearch::scopeTokensAreNotSearchable()
{
    // Each conversation is a token in the index: U+E000 and its number (1 is the first).
    add(arrived(AliceBob, Bob, 1, QStringLiteral("hello")));
    add(arrived(AliceCarol, Carol, 1, QStringLiteral("hello again")));
    const QString marker(QChar(SearchQuery::ScopeMarker));
    QCOMPARE(m_store->search(QStringLiteral("hello")).size(), 2);
    // Were the marker let through, these would find the messages of conversation 1 or 2.
    for (const QString &query :
         {marker, marker + QStringLiteral("1"), marker + QStringLiteral("2*"),
          QStringLiteral("hello ") + marker + QStringLiteral("1"),
          QStringLiteral("scope:") + marker + QStringLiteral("1")}) {
        QVERIFY2(m_store->search(query).isEmpty(), qPrintable(query));
    }
    // Only the text is highlighted, never the scope term a scoped search adds.
    QCOMPARE(m_store->search(QStringLiteral("hello"), AliceCarol).value(0).matches,
             (QList<QPair<int, int>>{{0, 5}}));
}

void TestSearch::newestFirstAndLimit()
{
    QList<qint64> added;
    for (int i = 1; i <= 120; ++i) {
        added.append(add(arrived(AliceBob, Bob, i, QStringLiteral("report number %1").arg(i))));
    }
    const auto hits = m_store->search(QStringLiteral("report"));
    QCOMPARE(hits.size(), 50); // the default limit
    QCOMPARE(hits.first().localId, added.last());
    QCOMPARE(hits.last().localId, added.at(120 - 50));
    for (qsizetype i = 1; i < hits.size(); ++i) {
        QVERIFY(hits.at(i - 1).localId > hits.at(i).localId);
    }
    QCOMPARE(m_store->search(QStringLiteral("report"), {}, 7).size(), 7);
    QCOMPARE(m_store->search(QStringLiteral("report"), {}, 500).size(), 120);
    QVERIFY(m_store->search(QStringLiteral("report"), {}, 0).isEmpty());
    QCOMPARE(texts(m_store->search(QStringLiteral("number 42"))),
             QStringList{QStringLiteral("report number 42")});
}

void TestSearch::highlightsEveryMatch()
{
    add(arrived(AliceBob, Bob, 1, QStringLiteral("the apple, and the Apple pie")));
    const auto hits = m_store->search(QStringLiteral("apple"));
    QCOMPARE(hits.size(), 1);
    const QList<QPair<int, int>> expected{{4, 5}, {19, 5}};
    QCOMPARE(hits.first().matches, expected);
    // Two words: both highlighted, in text order.
    const auto two = m_store->search(QStringLiteral("pie the"));
    QCOMPARE(highlighted(two.first()),
             QStringList({QStringLiteral("the"), QStringLiteral("the"), QStringLiteral("pie")}));
}

void TestSearch::highlightsNonAsciiText()
{
    add(arrived(AliceBob, Bob, 1, QStringLiteral("Grüße aus München")));
    add(arrived(AliceBob, Bob, 2, QStringLiteral("مرحبا بالعالم")));
    // Emoji (4 bytes in UTF-8, 2 units in a QString) and CJK (3 bytes, 1 unit) before the word.
    add(arrived(AliceBob, Bob, 3, QStringLiteral("🎉🎉 東京 party tonight 🎉")));

    const QList<QPair<int, int>> munich{{10, 7}};
    QCOMPARE(m_store->search(QStringLiteral("münchen")).value(0).matches, munich);
    QCOMPARE(m_store->search(QStringLiteral("Münch")).value(0).matches, munich);
    const QList<QPair<int, int>> greetings{{0, 5}};
    QCOMPARE(m_store->search(QStringLiteral("grüße")).value(0).matches, greetings);
    QCOMPARE(highlighted(m_store->search(QStringLiteral("grüße aus")).value(0)),
             QStringList({QStringLiteral("Grüße"), QStringLiteral("aus")}));

    const auto arabic = m_store->search(QStringLiteral("بالعالم"));
    QCOMPARE(arabic.size(), 1);
    const QList<QPair<int, int>> world{{6, 7}};
    QCOMPARE(arabic.first().matches, world);
    QCOMPARE(highlighted(m_store->search(QStringLiteral("مرح")).value(0)),
             QStringList{QStringLiteral("مرحبا")});

    const auto party = m_store->search(QStringLiteral("party"));
    QCOMPARE(party.size(), 1);
    const QList<QPair<int, int>> partyAt{{8, 5}};
    QCOMPARE(party.first().matches, partyAt);
    QCOMPARE(highlighted(m_store->search(QStringLiteral("tonight 東京")).value(0)),
             QStringList({QStringLiteral("東京"), QStringLiteral("tonight")}));
}

void TestSearch::diacriticsAreIgnored()
{
    add(arrived(AliceBob, Bob, 1, QStringLiteral("Grüße aus München")));
    add(arrived(AliceBob, Bob, 2, QStringLiteral("ÉCOLE Crème brûlée")));
    QCOMPARE(highlighted(m_store->search(QStringLiteral("MUNCHEN")).value(0)),
             QStringList{QStringLiteral("München")});
    QCOMPARE(highlighted(m_store->search(QStringLiteral("ecole creme")).value(0)),
             QStringList({QStringLiteral("ÉCOLE"), QStringLiteral("Crème")}));
    // A query typed with a combining accent (decomposed) finds the precomposed text.
    QCOMPARE(highlighted(m_store->search(QStringLiteral("bru\u0302lee")).value(0)),
             QStringList{QStringLiteral("brûlée")});
}

void TestSearch::onlyReadableMessagesAreIndexed()
{
    add(arrived(AliceBob, Bob, 1, QStringLiteral("visible received"), Status::Received));
    add(arrived(AliceBob, Alice, 2, QStringLiteral("visible sent"), Status::Sent));
    add(arrived(AliceBob, Alice, 3, QStringLiteral("visible delivered"), Status::Delivered));
    add(arrived(AliceBob, Alice, 4, QStringLiteral("visible read"), Status::Read));
    add(arrived(AliceBob, Alice, 5, QStringLiteral("visible failed"), Status::Failed));
    add(arrived(AliceBob, Alice, 6, QStringLiteral("visible pending"), Status::Pending));
    add(arrived(AliceBob, Bob, 7, QStringLiteral("visible notice safety number changed"),
                Status::System));
    StoredMessage broken =
        arrived(AliceBob, Bob, 8, QStringLiteral("visible bad MAC"), Status::Undecryptable);
    broken.error = QStringLiteral("visible bad MAC");
    add(broken);
    add(arrived(AliceBob, Bob, 9, QString(), Status::Undecryptable));

    QCOMPARE(m_store->search(QStringLiteral("visible")).size(), 6);
    QVERIFY(m_store->search(QStringLiteral("notice")).isEmpty());
    QVERIFY(m_store->search(QStringLiteral("safety")).isEmpty());
    QVERIFY(m_store->search(QStringLiteral("MAC")).isEmpty());
    QCOMPARE(texts(m_store->search(QStringLiteral("pending"))),
             QStringList{QStringLiteral("visible pending")});
    verifyIndexInSync();
}

void TestSearch::statusChangesKeepOneEntry()
{
    StoredMessage mine;
    mine.conversation = AliceBob;
    mine.sender = Alice;
    mine.senderDevice = 1;
    mine.clientMessageId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    mine.text = QStringLiteral("outgoing parcel");
    mine.localTimestamp = 1234;
    mine.outgoing = true;
    QVERIFY(m_store->queueOutgoing(mine, Bob));
    const auto pending = m_store->search(QStringLiteral("parcel"));
    QCOMPARE(pending.size(), 1);
    QCOMPARE(pending.first().timestamp, 1234); // no server time yet: the local one

    QVERIFY(m_store->markSent(mine.clientMessageId, 900, 1, 5555));
    bool changed = false;
    QVERIFY(m_store->applyReceipt(AliceBob, Bob, 1, 1, &changed));
    QCOMPARE(m_store->updateReceiptStatuses(AliceBob, {Bob}).size(), 1);
    QCOMPARE(m_store->message(Alice, mine.clientMessageId)->status, Status::Read);
    const auto read = m_store->search(QStringLiteral("parcel"));
    QCOMPARE(read.size(), 1);
    QCOMPARE(read.first().timestamp, 5555);
    verifyIndexInSync();

    StoredMessage failing = mine;
    failing.clientMessageId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    failing.text = QStringLiteral("refused parcel");
    QVERIFY(m_store->queueOutgoing(failing, Bob));
    QVERIFY(m_store->markFailed(failing.clientMessageId, QStringLiteral("too large")));
    QCOMPARE(texts(m_store->search(QStringLiteral("parcel"))),
             QStringList({QStringLiteral("refused parcel"), QStringLiteral("outgoing parcel")}));
    QVERIFY(m_store->search(QStringLiteral("large")).isEmpty());
    verifyIndexInSync();
}

void TestSearch::repairedMessageBecomesFindable()
{
    StoredMessage broken =
        arrived(AliceBob, Bob, 4, QStringLiteral("decryption failed"), Status::Undecryptable);
    add(broken);
    QVERIFY(m_store->search(QStringLiteral("decryption")).isEmpty());
    QVERIFY(m_store->search(QStringLiteral("treasure")).isEmpty());

    StoredMessage resent = broken;
    resent.text = QStringLiteral("the treasure is buried");
    resent.status = Status::Received;
    bool changed = false;
    QVERIFY(m_store->repairIncoming(resent, &changed));
    QVERIFY(changed);
    const auto hits = m_store->search(QStringLiteral("treasure"));
    QCOMPARE(hits.size(), 1);
    QCOMPARE(hits.first().localId, m_store->message(Bob, broken.clientMessageId)->localId);
    QCOMPARE(highlighted(hits.first()), QStringList{QStringLiteral("treasure")});
    QVERIFY(m_store->search(QStringLiteral("decryption")).isEmpty());
    verifyIndexInSync();

    // A readable message whose text changes: the old words leave the index.
    QSqlQuery edit(m_store->database());
    QVERIFY(edit.exec(QStringLiteral("UPDATE messages SET text = 'the map is lost' WHERE id = %1")
                          .arg(hits.first().localId)));
    QVERIFY(m_store->search(QStringLiteral("treasure")).isEmpty());
    QCOMPARE(texts(m_store->search(QStringLiteral("map"))),
             QStringList{QStringLiteral("the map is lost")});
    verifyIndexInSync();
}

void TestSearch::mediaKeysAreNeverSearched()
{
    StoredMessage photo = arrived(AliceBob, Bob, 1, QStringLiteral("holiday photo"));
    photo.media = R"({"kind":"media","attachments":[{"key":"c2VjcmV0a2V5bWF0ZXJpYWw",)"
                  R"("name":"beach.jpg","digest":"digestvalue"}],"text":"holiday photo"})";
    add(photo);
    StoredMessage uncaptioned = arrived(AliceBob, Bob, 2, QString());
    uncaptioned.media = R"({"kind":"media","attachments":[{"key":"otherkeymaterial"}]})";
    add(uncaptioned);

    QCOMPARE(texts(m_store->search(QStringLiteral("holiday"))),
             QStringList{QStringLiteral("holiday photo")});
    for (const char *secret : {"c2VjcmV0a2V5bWF0ZXJpYWw", "c2VjcmV0", "otherkeymaterial", "beach",
                               "digestvalue", "attachments", "kind"}) {
        QVERIFY2(m_store->search(QLatin1String(secret)).isEmpty(), secret);
    }
    verifyIndexInSync();
}

void TestSearch::deletedMessagesLeaveTheIndex()
{
    const qint64 gone = add(arrived(AliceBob, Bob, 1, QStringLiteral("delete me please")));
    const qint64 notice =
        add(arrived(AliceBob, Bob, 2, QStringLiteral("please note"), Status::System));
    add(arrived(AliceBob, Bob, 3, QStringLiteral("keep me please")));
    QSqlQuery remove(m_store->database());
    QVERIFY(remove.exec(
        QStringLiteral("DELETE FROM messages WHERE id IN (%1, %2)").arg(gone).arg(notice)));
    QCOMPARE(texts(m_store->search(QStringLiteral("please"))),
             QStringList{QStringLiteral("keep me please")});
    QVERIFY(m_store->search(QStringLiteral("delete")).isEmpty());
    verifyIndexInSync();
}

void TestSearch::badInputIsPlainText_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QStringList>("expected");
    const QStringList pie{QStringLiteral("apple pie")};
    const QStringList words{QStringLiteral("near or and not")};
    QTest::newRow("empty") << QString() << QStringList();
    QTest::newRow("spaces") << QStringLiteral(" \t\n ") << QStringList();
    QTest::newRow("quote") << QStringLiteral("\"") << QStringList();
    QTest::newRow("quotes") << QStringLiteral("\"\"") << QStringList();
    QTest::newRow("star") << QStringLiteral("*") << QStringList();
    QTest::newRow("minus") << QStringLiteral("-") << QStringList();
    QTest::newRow("parentheses") << QStringLiteral("( )") << QStringList();
    QTest::newRow("punctuation") << QStringLiteral(".,;:!?'`^%_\\/@#&|~<>=+[]{}") << QStringList();
    QTest::newRow("emoji") << QStringLiteral("😀 🎉") << QStringList();
    QTest::newRow("open quote") << QStringLiteral("\"apple") << pie;
    QTest::newRow("inner quote") << QStringLiteral("apple\"pie") << pie;
    QTest::newRow("single quotes") << QStringLiteral("'apple'") << pie;
    QTest::newRow("own star") << QStringLiteral("appl*") << pie;
    QTest::newRow("star inside") << QStringLiteral("ap*ple") << QStringList();
    QTest::newRow("not") << QStringLiteral("-apple") << pie;
    QTest::newRow("parenthesised") << QStringLiteral("(apple)") << pie;
    QTest::newRow("caret") << QStringLiteral("^apple") << pie;
    QTest::newRow("emoji glued") << QStringLiteral("😀apple") << pie;
    QTest::newRow("emoji word") << QStringLiteral("apple 😀") << pie;
    QTest::newRow("OR is a word") << QStringLiteral("apple OR pie") << QStringList();
    QTest::newRow("NEAR is a word") << QStringLiteral("apple NEAR pie") << QStringList();
    QTest::newRow("NEAR/2") << QStringLiteral("apple NEAR/2 pie") << QStringList();
    QTest::newRow("NEAR") << QStringLiteral("NEAR") << words;
    QTest::newRow("OR") << QStringLiteral("OR") << words;
    QTest::newRow("AND NOT") << QStringLiteral("AND NOT") << words;
    QTest::newRow("column filter") << QStringLiteral("text:apple") << QStringList();
    QTest::newRow("docid") << QStringLiteral("docid:1") << QStringList();
    QTest::newRow("10 KB of words") << QStringLiteral("apple ").repeated(1700) << pie;
    QTest::newRow("10 KB word") << QStringLiteral("a").repeated(10240) << QStringList();
    QTest::newRow("10 KB of pairs") << QStringLiteral("a-").repeated(5120) << QStringList();
    QTest::newRow("10 KB of syntax") << QStringLiteral("\"*(-) ").repeated(1700) << QStringList();
    QTest::newRow("nul") << QStringLiteral("apple\u0000pie") << pie;
}

void TestSearch::badInputIsPlainText()
{
    QFETCH(QString, query);
    QFETCH(QStringList, expected);
    add(arrived(AliceBob, Bob, 1, QStringLiteral("apple pie")));
    add(arrived(AliceBob, Bob, 2, QStringLiteral("near or and not")));
    QCOMPARE(texts(m_store->search(query)), expected);
    QCOMPARE(texts(m_store->search(query, AliceBob)), expected);
    QVERIFY2(m_store->lastError().isEmpty(), qPrintable(m_store->lastError()));
}

void TestSearch::randomInputNeverErrors()
{
    add(arrived(AliceBob, Bob, 1, QStringLiteral("apple pie")));
    QRandomGenerator random(20261130);
    for (int round = 0; round < 200; ++round) {
        QString query;
        const int length = static_cast<int>(random.bounded(1, 300));
        for (int i = 0; i < length; ++i) {
            // Mostly ASCII syntax and letters, some of everything in the BMP (lone surrogates
            // included) and beyond it.
            const quint32 kind = random.bounded(4);
            if (kind == 0) {
                query.append(QChar(static_cast<char16_t>(random.bounded(0x10000))));
            } else if (kind == 1) {
                const char32_t c = random.bounded(0x10000, 0x110000);
                query.append(QString::fromUcs4(&c, 1));
            } else {
                query.append(QLatin1Char("\"*()-: aAnNoOrR^'"[random.bounded(17)]));
            }
        }
        m_store->search(query);
        QVERIFY2(m_store->lastError().isEmpty(), qPrintable(m_store->lastError()));
    }
    QCOMPARE(m_store->search(QStringLiteral("apple")).size(), 1);
}

void TestSearch::matchExpression_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expression");
    QTest::newRow("one word") << QStringLiteral("hello") << QStringLiteral("\"hello*\"");
    QTest::newRow("two words") << QStringLiteral(" hello  World ")
                               << QStringLiteral("\"hello\" \"World*\"");
    QTest::newRow("punctuation joins a phrase")
        << QStringLiteral("e-mail me") << QStringLiteral("\"e mail\" \"me*\"");
    QTest::newRow("syntax stripped")
        << QStringLiteral("\"a\" OR (b*) -c NEAR/3 d")
        << QStringLiteral("\"a\" \"OR\" \"b\" \"c\" \"NEAR 3\" \"d*\"");
    QTest::newRow("emoji dropped") << QStringLiteral("🎉 party 🎉") << QStringLiteral("\"party*\"");
    QTest::newRow("marks kept") << QStringLiteral("مَرْحَبًا") << QStringLiteral("\"مَرْحَبًا*\"");
    QTest::newRow("lone mark dropped") << QStringLiteral("a \u0301") << QStringLiteral("\"a*\"");
    QTest::newRow("scope marker dropped")
        << (QStringLiteral("a") + QChar(SearchQuery::ScopeMarker) + QStringLiteral("12"))
        << QStringLiteral("\"a 12*\"");
    QTest::newRow("other private use kept")
        << QStringLiteral("a\ue001b") << QStringLiteral("\"a\ue001b*\"");
    QTest::newRow("nothing") << QStringLiteral("\"*-()") << QString();
    QTest::newRow("capped") << QStringLiteral("w ").repeated(100)
                            << (QStringLiteral("\"w\" ").repeated(SearchQuery::MaxTokens - 1) +
                                QStringLiteral("\"w*\""));
}

void TestSearch::matchExpression()
{
    QFETCH(QString, text);
    QFETCH(QString, expression);
    QCOMPARE(SearchQuery::matchExpression(text), expression);
}

void TestSearch::characterRangesOfBadOffsets()
{
    const QByteArray text = QStringLiteral("Grüße 😀 aus").toUtf8();
    // Column, term, byte offset, byte length; ranges beyond the text or malformed are skipped,
    // repeated and overlapping ones merged.
    const QList<QPair<int, int>> expected{{0, 5}, {9, 3}};
    QCOMPARE(SearchQuery::characterRanges(text, "0 0 0 7 0 1 13 3 0 1 13 3 0 0 0 3"), expected);
    // Another column's matches are not this text's.
    QCOMPARE(SearchQuery::characterRanges(text, "1 2 0 4 0 0 0 7 0 1 13 3 1 2 13 3"), expected);
    const QList<QPair<int, int>> scope{{0, 3}};
    QCOMPARE(SearchQuery::characterRanges(text, "1 2 0 4 0 0 0 7", 1), scope);
    const QList<QPair<int, int>> none;
    QCOMPARE(SearchQuery::characterRanges(text, "0 0 12 99 0 0 -1 2 x y z w 0 0"), none);
    QCOMPARE(SearchQuery::characterRanges(text, ""), none);
    QCOMPARE(SearchQuery::characterRanges({}, "0 0 0 1"), none);
}

void TestSearch::migrationIndexesExistingMessages()
{
    // Make the database what migration 5 left: no index, no triggers.
    {
        QSqlQuery query(m_store->database());
        QVERIFY(query.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                          "AND sql LIKE '%message_search%'")));
        QStringList triggers;
        while (query.next()) {
            triggers.append(query.value(0).toString());
        }
        QCOMPARE(triggers.size(), 4);
        for (const QString &trigger : std::as_const(triggers)) {
            QVERIFY(query.exec(QStringLiteral("DROP TRIGGER %1").arg(trigger)));
        }
        QVERIFY(query.exec(QStringLiteral("DROP TABLE message_search")));
        QVERIFY(query.exec(QStringLiteral("DROP VIEW message_search_source")));
        QVERIFY(query.exec(QStringLiteral("DROP TABLE search_scopes")));
        QVERIFY(query.exec(QStringLiteral("PRAGMA user_version = 5")));
    }
    add(arrived(AliceBob, Bob, 1, QStringLiteral("old message about tulips")));
    add(arrived(AliceCarol, Alice, 1, QStringLiteral("tulips in Grüße"), Status::Read));
    add(arrived(AliceBob, Bob, 2, QStringLiteral("tulips notice"), Status::System));
    add(arrived(AliceBob, Bob, 3, QStringLiteral("tulips garbled"), Status::Undecryptable));
    m_store.reset();

    m_store = openStore();
    QVERIFY(m_store);
    QSqlQuery version(m_store->database());
    QVERIFY(version.exec(QStringLiteral("PRAGMA user_version")) && version.next());
    QVERIFY(version.value(0).toInt() >= 6);
    QCOMPARE(texts(m_store->search(QStringLiteral("tulips"))),
             QStringList(
                 {QStringLiteral("tulips in Grüße"), QStringLiteral("old message about tulips")}));
    QCOMPARE(highlighted(m_store->search(QStringLiteral("grüße")).value(0)),
             QStringList{QStringLiteral("Grüße")});
    verifyIndexInSync();
    // And the triggers work from here on.
    add(arrived(AliceBob, Bob, 4, QStringLiteral("new tulips")));
    QCOMPARE(m_store->search(QStringLiteral("tulips")).size(), 3);
    verifyIndexInSync();
}

void TestSearch::historyAround()
{
    QList<qint64> bob;
    for (int seq = 1; seq <= 10; ++seq) {
        bob.append(add(arrived(AliceBob, Bob, seq, QStringLiteral("bob %1").arg(seq))));
        add(arrived(AliceCarol, Carol, seq, QStringLiteral("carol %1").arg(seq)));
    }
    const auto seqsAround = [this](qint64 id, int before, int after) {
        QList<qint64> seqs;
        for (const StoredMessage &m : m_store->historyAround(AliceBob, id, before, after)) {
            seqs.append(m.conversation == AliceBob ? m.seq : -1);
        }
        return seqs;
    };
    QCOMPARE(seqsAround(bob.at(4), 2, 3), QList<qint64>({3, 4, 5, 6, 7, 8}));
    QCOMPARE(seqsAround(bob.at(4), 0, 0), QList<qint64>{5});
    QCOMPARE(seqsAround(bob.at(0), 5, 1), QList<qint64>({1, 2}));
    QCOMPARE(seqsAround(bob.at(9), 2, 5), QList<qint64>({8, 9, 10}));
    QCOMPARE(seqsAround(bob.at(4), -3, -1), QList<qint64>{5});
    const auto around = m_store->historyAround(AliceBob, bob.at(2), 1, 1);
    QCOMPARE(around.size(), 3);
    QCOMPARE(around.at(1).localId, bob.at(2));
    QCOMPARE(around.at(1).text, QStringLiteral("bob 3"));
    QCOMPARE(around.at(1).sender, Bob);
    // Not in that conversation, or no such message: nothing.
    const qint64 carol = m_store->search(QStringLiteral("carol 5")).value(0).localId;
    QVERIFY(carol > 0);
    QVERIFY(m_store->historyAround(AliceBob, carol, 2, 2).isEmpty());
    QCOMPARE(m_store->historyAround(AliceCarol, carol, 1, 1).size(), 3);
    QVERIFY(m_store->historyAround(AliceBob, 999999, 2, 2).isEmpty());
}

QTEST_GUILESS_MAIN(TestSearch)
#include "tst_search.moc"
