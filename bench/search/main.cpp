// tincan-bench-search: full-text search over a client's local history (LocalStore::search) on an
// SQLCipher database of realistic size.
//
// Builds a LocalStore with --messages messages (default 1,000,000) in --conversations
// conversations (default 50; sizes skewed, from about 12 % of all messages down to 0.5 %, and the
// last one rare: about 40 messages spread over the whole history), text drawn from a
// Zipf-distributed vocabulary (about 250 common English words, some German, French and Arabic
// ones, then 30,000 made-up words as the long tail of names, slang and typos), seeded so every
// run builds the same database. Rows go in through direct SQL on store.database() in
// transactions of 10,000, so the index triggers of migration 6 do the indexing as they do in the
// app. Some rows are notices, undecryptable or media messages with a caption, as in real history.
//
// Then it reopens the store (an empty page cache) and times LocalStore::search, as the app calls
// it (limit 50, highlights included), for 50 queries in 5 categories of 10: common (a frequent
// word: as the last word it is also a prefix), rare (a word found a few dozen times), prefix
// (the first 2 or 3 letters of a word, as typed), two (two words), scoped (a word or the first
// letter, in the largest, a small or the rare conversation; in the rare one a frequent word has
// fewer than 50 matches, the hardest case); and, outside the 50, letter: a single letter (the
// first keystroke). Each query runs twice: "first" in a new store, "again" right after.
//
// Prints JSON lines: the run, the build (seconds, rows/s, database and index bytes), one line per
// query, one summary per category and pass (p50/p95/max ms), and the overall summary.
//
// With --backfill the messages go in without the index (as in a database of migration 5) and the
// next open runs migration 6, which indexes them all: "openSeconds" is what the upgrade costs.
//
// Usage: tincan-bench-search [--messages N] [--conversations C] [--seed S] [--db PATH]
//                            [--backfill]
//        (--db keeps the database at PATH, and reuses it if it exists: only the searches run)
#include "app/core/LocalStore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using namespace Tincan;
using Status = Client::StoredMessage::Status;

namespace {

// Frequent chat words first, roughly by frequency, then other languages' everyday words (the
// Arabic as typed: without vowel marks).
const char CommonWords[] =
    "the you i to a and it is that in of me for we on have be this so are not just but my "
    "do what at can with was will get ok yes no your if know like all up good think now "
    "there out about go how one they time see when going too then here did want lol today "
    "tomorrow thanks back need sure really right yeah some would call let work come got "
    "well day home still later tonight meeting sorry love maybe more could great night "
    "much week after morning because send make take people which also been them should "
    "first thing look way new why only wait free yet nice before last please said said "
    "happy where who soon never feel again tell man why lunch dinner office train weekend "
    "friday monday project meeting photo picture message phone email address birthday "
    "party coffee beer game movie music book school class exam doctor car bus flight hotel "
    "trip holiday beach weather rain snow cold hot money price shop buy pay bill rent "
    "house flat kitchen dog cat kids mum dad brother sister friend team boss client "
    "deadline report slides budget invoice contract release server bug fix test deploy "
    "review merge branch password account ticket issue update version laptop screen "
    "battery charger keys door window garden bike run gym football match score win lost "
    "late early minutes hours noon evening station airport taxi street city map ticket "
    "concert festival wedding baby gift cake pizza pasta salad bread cheese wine tea und "
    "ich nicht das ist heute morgen gut danke bitte schön Grüße München Straße Mädchen "
    "Frühstück Käse Brötchen später natürlich über für Tschüss Bahnhof Wochenende très "
    "déjà café bientôt à été mercredi garçon مرحبا شكرا نعم غدا اليوم صباح الخير مساء "
    "حبيبي إن شاء الله يلا تمام";

const char *const Syllables[] = {"ka",  "lo",  "mi",  "ra",  "te",  "zu",  "ven", "dor",
                                 "shi", "pa",  "qui", "bel", "nor", "ath", "ex",  "ul",
                                 "fin", "gar", "ho",  "jun", "sta", "wix", "yol", "ber",
                                 "cro", "dal", "eph", "gri", "tan", "vo",  "mar", "sel"};

constexpr int InventedWords = 30000;
constexpr int BatchRows = 10000;

int argument(const QStringList &args, const QString &name, int fallback)
{
    const qsizetype at = args.indexOf(name);
    return at >= 0 && at + 1 < args.size() ? args.at(at + 1).toInt() : fallback;
}

QString stringArgument(const QStringList &args, const QString &name)
{
    const qsizetype at = args.indexOf(name);
    return at >= 0 && at + 1 < args.size() ? args.at(at + 1) : QString();
}

void print(const QJsonObject &line)
{
    QJsonObject out{{QStringLiteral("bench"), QStringLiteral("search")}};
    for (auto it = line.begin(); it != line.end(); ++it) {
        out.insert(it.key(), it.value());
    }
    QTextStream(stdout) << QJsonDocument(out).toJson(QJsonDocument::Compact) << Qt::endl;
}

//! Samples ranks 0..n-1 with probability proportional to 1 / (rank + 1)^s.
class Zipf
{
public:
    Zipf(int n, double s)
    {
        m_cdf.reserve(static_cast<size_t>(n));
        double total = 0;
        for (int k = 1; k <= n; ++k) {
            total += 1.0 / std::pow(k, s);
            m_cdf.push_back(total);
        }
        for (double &value : m_cdf) {
            value /= total;
        }
    }
    int operator()(std::mt19937_64 &random) const
    {
        const double u = std::uniform_real_distribution<double>(0.0, 1.0)(random);
        const auto at = std::lower_bound(m_cdf.begin(), m_cdf.end(), u);
        return static_cast<int>(
            std::min<std::ptrdiff_t>(at - m_cdf.begin(), std::ssize(m_cdf) - 1));
    }
    //! The share of samples that are `rank`.
    double share(int rank) const
    {
        return m_cdf.at(static_cast<size_t>(rank)) -
               (rank == 0 ? 0.0 : m_cdf.at(static_cast<size_t>(rank - 1)));
    }

private:
    std::vector<double> m_cdf;
};

QStringList commonWords()
{
    QStringList words;
    for (const QString &word :
         QString::fromUtf8(CommonWords).split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        if (!words.contains(word)) {
            words.append(word);
        }
    }
    return words;
}

//! The common words by rank, then the invented ones.
QStringList vocabulary(std::mt19937_64 &random)
{
    QStringList words = commonWords();
    const qsizetype common = words.size();
    QSet<QString> seen(words.begin(), words.end());
    std::uniform_int_distribution<int> syllable(0, static_cast<int>(std::size(Syllables)) - 1);
    std::uniform_int_distribution<int> count(2, 4);
    while (words.size() < common + InventedWords) {
        QString word;
        for (int i = count(random); i > 0; --i) {
            word += QLatin1String(Syllables[syllable(random)]);
        }
        if (!seen.contains(word)) {
            seen.insert(word);
            words.append(word);
        }
    }
    return words;
}

struct Conversation
{
    QString id;
    QStringList members; //!< members[0] is us.
    qint64 seq = 0;
};

QList<Conversation> makeConversations(int count, std::mt19937_64 &random)
{
    QList<Conversation> conversations;
    std::uniform_int_distribution<quint32> hex;
    for (int i = 0; i < count; ++i) {
        Conversation c;
        if (i % 5 == 4) {
            c.id = QStringLiteral("group:%1%2%3%4")
                       .arg(hex(random), 8, 16, QLatin1Char('0'))
                       .arg(hex(random), 8, 16, QLatin1Char('0'))
                       .arg(hex(random), 8, 16, QLatin1Char('0'))
                       .arg(hex(random), 8, 16, QLatin1Char('0'));
            c.members.append(QStringLiteral("me"));
            for (int m = 0; m < 8; ++m) {
                c.members.append(QStringLiteral("member%1_%2").arg(i).arg(m));
            }
        } else {
            const QString peer = QStringLiteral("user%1").arg(i, 2, 10, QLatin1Char('0'));
            c.id = QStringLiteral("dm:me:%1").arg(peer);
            c.members = {QStringLiteral("me"), peer};
        }
        conversations.append(c);
    }
    return conversations;
}

//! Fills the store; returns false with a message on failure.
bool build(Client::LocalStore &store, int messages, int conversationCount, quint64 seed,
           QString *error)
{
    std::mt19937_64 random(seed);
    const QStringList words = vocabulary(random);
    const Zipf wordRank(static_cast<int>(words.size()), 1.05);
    QList<Conversation> conversations = makeConversations(conversationCount, random);
    const Zipf conversationRank(conversationCount - 1, 0.8);
    const double rareShare = 40.0 / messages;
    std::lognormal_distribution<double> length(1.8, 0.7);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::exponential_distribution<double> gapSeconds(1.0 / 30.0);

    QSqlDatabase db = store.database();
    QSqlQuery insert(db);
    if (!insert.prepare(QStringLiteral(
            "INSERT INTO messages (conversation, sender, sender_device, client_id, server_id, "
            "seq, text, server_ts, local_ts, outgoing, status, media) "
            "VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)"))) {
        *error = insert.lastError().text();
        return false;
    }
    qint64 timestamp = QDateTime(QDate(2023, 1, 1), QTime(8, 0), Qt::UTC).toMSecsSinceEpoch();
    const QString punctuation = QStringLiteral(".,!?");
    for (int row = 0; row < messages; ++row) {
        if (row % BatchRows == 0 && !db.transaction()) {
            *error = db.lastError().text();
            return false;
        }
        Conversation &c = unit(random) < rareShare ? conversations.last()
                                                   : conversations[conversationRank(random)];
        const QString sender =
            c.members.at(std::uniform_int_distribution<qsizetype>(0, c.members.size() - 1)(random));
        const bool outgoing = sender == c.members.first();
        Status status = Status::Received;
        QString text;
        QVariant media;
        const double kind = unit(random);
        if (kind < 0.005) {
            status = Status::System;
            text = QStringLiteral("Safety number with %1 changed").arg(c.members.last());
        } else if (kind < 0.008 && !outgoing) {
            status = Status::Undecryptable;
        } else {
            const int count = std::clamp(static_cast<int>(length(random)), 1, 60);
            for (int i = 0; i < count; ++i) {
                QString word = words.at(wordRank(random));
                if (i == 0 && unit(random) < 0.5) {
                    word[0] = word.at(0).toUpper();
                }
                if (!text.isEmpty()) {
                    text += QLatin1Char(' ');
                }
                text += word;
                if (unit(random) < 0.08) {
                    text += punctuation.at(std::uniform_int_distribution<int>(0, 3)(random));
                }
            }
            if (kind > 0.98) {
                // A photo with its caption; the media column holds the file key.
                media = QByteArray(R"({"kind":"media","attachments":[{"key":")") +
                        QByteArray::number(random(), 36) + R"("}]})";
            }
            if (outgoing) {
                const double s = unit(random);
                status = s < 0.90   ? Status::Read
                         : s < 0.95 ? Status::Delivered
                         : s < 0.99 ? Status::Sent
                                    : Status::Failed;
            }
        }
        timestamp += static_cast<qint64>(gapSeconds(random) * 1000);
        ++c.seq;
        insert.addBindValue(c.id);
        insert.addBindValue(sender);
        insert.addBindValue(QStringLiteral("%1").arg(row, 12, 16, QLatin1Char('0')));
        insert.addBindValue(row + 1);
        insert.addBindValue(c.seq);
        insert.addBindValue(text.isNull() ? QStringLiteral("") : text);
        insert.addBindValue(timestamp);
        insert.addBindValue(timestamp + 150);
        insert.addBindValue(outgoing ? 1 : 0);
        insert.addBindValue(static_cast<int>(status));
        insert.addBindValue(media);
        if (!insert.exec()) {
            *error = insert.lastError().text();
            db.rollback();
            return false;
        }
        if ((row + 1) % BatchRows == 0 || row + 1 == messages) {
            if (!db.commit()) {
                *error = db.lastError().text();
                return false;
            }
        }
    }
    QSqlQuery(db).exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
    return true;
}

//! Makes the database what the client's migration 5 left (no search index, no triggers), so
//! that the next open runs migration 6, the backfill, over the messages.
bool dropSearchIndex(QSqlDatabase db, QString *error)
{
    QSqlQuery query(db);
    QStringList statements;
    if (query.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'trigger' AND "
                                  "sql LIKE '%message_search%'"))) {
        while (query.next()) {
            statements.append(QStringLiteral("DROP TRIGGER %1").arg(query.value(0).toString()));
        }
    }
    statements +=
        {QStringLiteral("DROP TABLE message_search"),
         QStringLiteral("DROP VIEW message_search_source"),
         QStringLiteral("DROP TABLE search_scopes"), QStringLiteral("PRAGMA user_version = 5")};
    for (const QString &statement : std::as_const(statements)) {
        if (!query.exec(statement)) {
            *error = query.lastError().text();
            return false;
        }
    }
    return true;
}

struct Query
{
    QString category;
    QString text;
    QString conversation;
};

//! The 50 measured queries plus the single letters, from the same vocabulary as the data.
QList<Query> makeQueries(int conversationCount, quint64 seed)
{
    std::mt19937_64 random(seed);
    const QStringList words = vocabulary(random);
    const QList<Conversation> conversations = makeConversations(conversationCount, random);
    const auto common = commonWords().size();
    QList<Query> queries;
    // The 10 most frequent words, but for the one-letter ones ("i", "a").
    for (int rank = 0, n = 0; n < 10; ++rank) {
        if (words.at(rank).size() > 1) {
            queries.append({QStringLiteral("common"), words.at(rank), {}});
            ++n;
        }
    }
    // Invented words far down the tail: each in a few dozen messages of a million.
    for (int i = 0; i < 10; ++i) {
        queries.append({QStringLiteral("rare"), words.at(common + 2000 + i * 2500), {}});
    }
    // What the user has typed so far of a mid-frequency word.
    for (int i = 0; i < 10; ++i) {
        const QString word = words.at(20 + i * 37);
        queries.append({QStringLiteral("prefix"), word.left(i % 2 == 0 ? 2 : 3), {}});
    }
    for (int i = 0; i < 10; ++i) {
        const QString first = words.at(i * 3 + 1);
        const QString second = i < 5 ? words.at(60 + i * 29) : words.at(common + 50 + i * 400);
        queries.append({QStringLiteral("two"), first + QLatin1Char(' ') + second, {}});
    }
    // Conversation 0 is the largest (about 12 % of the messages), the last one the rare one,
    // those before it the smallest of the others.
    const QString &largest = conversations.first().id;
    const QString &rare = conversations.last().id;
    const QList<QPair<QString, QString>> scoped{
        {words.at(1), largest},
        {words.at(5), rare},
        {words.at(9), largest},
        {QStringLiteral("t"), rare},
        {words.at(17), largest},
        {words.at(21), conversations.at(conversationCount - 2).id},
        {words.at(286), largest},
        {words.at(40), rare},
        {words.at(348), largest},
        {words.at(common + 100), conversations.at(conversationCount - 3).id},
    };
    for (const auto &[word, conversation] : scoped) {
        queries.append({QStringLiteral("scoped"), word, conversation});
    }
    for (const char *letter : {"t", "m", "s", "b", "w"}) {
        queries.append({QStringLiteral("letter"), QLatin1String(letter), {}});
    }
    return queries;
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    const auto at = static_cast<size_t>(std::ceil(p * static_cast<double>(values.size())) - 1);
    return values.at(std::min(at, values.size() - 1));
}

QJsonObject summary(const QString &category, const QString &pass, const std::vector<double> &ms)
{
    const auto round = [](double v) {
        return std::round(v * 100) / 100;
    };
    return {{QStringLiteral("category"), category},
            {QStringLiteral("pass"), pass},
            {QStringLiteral("n"), static_cast<int>(ms.size())},
            {QStringLiteral("p50Ms"), round(percentile(ms, 0.50))},
            {QStringLiteral("p95Ms"), round(percentile(ms, 0.95))},
            {QStringLiteral("maxMs"), round(percentile(ms, 1.0))}};
}

qint64 scalar(QSqlDatabase db, const QString &sql)
{
    QSqlQuery query(db);
    return query.exec(sql) && query.next() ? query.value(0).toLongLong() : -1;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const bool backfill = args.contains(QStringLiteral("--backfill"));
    const int messages = std::max(1, argument(args, QStringLiteral("--messages"), 1000000));
    const int conversationCount =
        std::clamp(argument(args, QStringLiteral("--conversations"), 50), 10, 1000);
    const auto seed = static_cast<quint64>(argument(args, QStringLiteral("--seed"), 20261130));
    QTemporaryDir dir;
    QString path = stringArgument(args, QStringLiteral("--db"));
    if (path.isEmpty()) {
        path = dir.filePath(QStringLiteral("client.db"));
    }
    const QByteArray key =
        QByteArray::fromHex("0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0");

    QFile loadavg(QStringLiteral("/proc/loadavg"));
    const QString load =
        loadavg.open(QIODevice::ReadOnly)
            ? QString::fromLatin1(loadavg.readAll()).section(QLatin1Char(' '), 0, 2)
            : QString();
    print({{QStringLiteral("run"), QStringLiteral("start")},
           {QStringLiteral("date"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
           {QStringLiteral("cpus"), QThread::idealThreadCount()},
           {QStringLiteral("loadavg"), load},
           {QStringLiteral("messages"), messages},
           {QStringLiteral("conversations"), conversationCount},
           {QStringLiteral("seed"), QString::number(seed)},
           {QStringLiteral("reusedDatabase"), QFileInfo::exists(path)}});

    const bool reuse = QFileInfo::exists(path);
    if (!reuse) {
        QElapsedTimer timer;
        {
            Client::LocalStore store;
            QString error;
            if (!store.open(path, key) ||
                (backfill && !dropSearchIndex(store.database(), &error))) {
                qFatal("open: %s%s", qPrintable(store.lastError()), qPrintable(error));
            }
            timer.start();
            if (!build(store, messages, conversationCount, seed, &error)) {
                qFatal("build: %s", qPrintable(error));
            }
        }
        const double seconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
        // With --backfill this open runs migration 6 over the messages.
        timer.start();
        Client::LocalStore store;
        if (!store.open(path, key)) {
            qFatal("open: %s", qPrintable(store.lastError()));
        }
        const double openSeconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
        QSqlDatabase db = store.database();
        QSqlQuery(db).exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
        const auto tenths = [](double v) {
            return std::round(v * 10) / 10;
        };
        print({{QStringLiteral("phase"), QStringLiteral("build")},
               {QStringLiteral("indexedWhileInserting"), !backfill},
               {QStringLiteral("messages"), store.messageCount()},
               {QStringLiteral("indexed"),
                scalar(db, QStringLiteral("SELECT COUNT(*) FROM message_search_docsize"))},
               {QStringLiteral("seconds"), tenths(seconds)},
               {QStringLiteral("rowsPerSecond"), qRound(messages / seconds)},
               {QStringLiteral("openSeconds"), tenths(openSeconds)},
               {QStringLiteral("dbBytes"), QFileInfo(path).size()},
               {QStringLiteral("textBytes"),
                scalar(db, QStringLiteral("SELECT SUM(LENGTH(CAST(text AS BLOB))) FROM messages"))},
               {QStringLiteral("indexBytes"),
                scalar(db, QStringLiteral("SELECT (SELECT COALESCE(SUM(LENGTH(block)), 0) FROM "
                                          "message_search_segments) + (SELECT SUM(LENGTH(root)) "
                                          "FROM message_search_segdir)"))},
               {QStringLiteral("segments"),
                scalar(db, QStringLiteral("SELECT COUNT(*) FROM message_search_segdir"))}});
    }

    // A new store: SQLCipher's page cache starts empty (the file is in the OS cache).
    Client::LocalStore store;
    if (!store.open(path, key)) {
        qFatal("open: %s", qPrintable(store.lastError()));
    }
    {
        QSqlQuery schema(store.database());
        schema.exec(QStringLiteral("SELECT sql FROM sqlite_master WHERE name = 'message_search'"));
        print({{QStringLiteral("phase"), QStringLiteral("search")},
               {QStringLiteral("schema"), schema.next() ? schema.value(0).toString() : QString()},
               {QStringLiteral("dbBytes"), QFileInfo(path).size()}});
    }
    const QList<Query> queries = makeQueries(conversationCount, seed);
    QMap<QString, std::vector<double>> first;
    QMap<QString, std::vector<double>> again;
    QElapsedTimer timer;
    for (const Query &query : queries) {
        double ms[2] = {};
        qsizetype hits = 0;
        for (double &elapsed : ms) {
            timer.start();
            const auto found = store.search(query.text, query.conversation, 50);
            elapsed = static_cast<double>(timer.nsecsElapsed()) / 1e6;
            hits = found.size();
        }
        if (!store.lastError().isEmpty()) {
            qFatal("search: %s", qPrintable(store.lastError()));
        }
        first[query.category].push_back(ms[0]);
        again[query.category].push_back(ms[1]);
        if (query.category != QLatin1String("letter")) {
            first[QStringLiteral("all")].push_back(ms[0]);
            again[QStringLiteral("all")].push_back(ms[1]);
        }
        print({{QStringLiteral("category"), query.category},
               {QStringLiteral("query"), query.text},
               {QStringLiteral("scoped"), !query.conversation.isEmpty()},
               {QStringLiteral("hits"), hits},
               {QStringLiteral("firstMs"), std::round(ms[0] * 100) / 100},
               {QStringLiteral("againMs"), std::round(ms[1] * 100) / 100}});
    }
    for (const QString &category :
         {QStringLiteral("common"), QStringLiteral("rare"), QStringLiteral("prefix"),
          QStringLiteral("two"), QStringLiteral("scoped"), QStringLiteral("letter"),
          QStringLiteral("all")}) {
        print(summary(category, QStringLiteral("first"), first.value(category)));
        print(summary(category, QStringLiteral("again"), again.value(category)));
    }
    return 0;
}
