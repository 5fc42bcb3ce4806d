// tincan-bench-seed: makes a realistic, signed-in desktop profile for the desktop benchmark
// (bench/desktop/run.sh).
//
// The account ("alice") is registered on a running tincand with a real ClientCore, so the
// profile opens like any other: database key in the keychain (run it under
// scripts/with-test-keyring.sh, and the app in the same keyring session), device keys, token.
// The peers are registered on the server too (plain accounts, no device keys) and the groups
// are created there, so presence and group look-ups answer as for real contacts. The history
// itself is written straight into the profile's SQLCipher database, in large transactions: as
// if it had arrived over the last 90 days.
//
// The shape of the history (deterministic for a given --seed):
//   * one big group chat, "Engineering", with --largest-share of the messages (20 %);
//   * the others spread over the remaining conversations with a long tail (weight 1/(rank+1)^0.9,
//     at least 5 each); every fifth conversation is a group of 3 to 13 members;
//   * a message's author is the previous one's in 60 % of cases (runs), alice writes about 45 %
//     of a 1:1 chat and less of a group; text lengths: 35 % short (1-5 words), 45 % a sentence
//     (6-20), 15 % long (21-60), 5 % paragraphs (61-150 words over several lines); 1 % are
//     pictures (a JPEG preview in the message, as a received photo has);
//   * server time stamps over the last --days days, within waking hours; conversations last
//     active from minutes to weeks ago, the big one third most recent;
//   * receipts: ours are Read, the last few Delivered; incoming are Received; a few chats
//     have unread messages.
//
// Prints one JSON line: the profile, the counts, the largest conversation and its size.
// Usage: tincan-bench-seed --server URL --fingerprint FP --profile DIR [--messages N]
//        [--conversations N] [--largest-share F] [--days N] [--seed N]
#include "app/core/ApiClient.h"
#include "app/core/CertificatePin.h"
#include "app/core/ClientCore.h"
#include "bench/desktop/Daemon.h"
#include "shared/protocol/Fingerprint.h"
#include "shared/protocol/MessageContent.h"
#include "shared/protocol/Validation.h"

#include <QBuffer>
#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLinearGradient>
#include <QPainter>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <numeric>
#include <random>

using namespace Tincan;
using Status = Client::StoredMessage::Status;

namespace {

const char *const Words[] = {
    "the",      "deploy",    "build",      "is",      "green",    "again",   "can",
    "you",      "review",    "my",         "branch",  "before",   "lunch",   "I",
    "think",    "we",        "should",     "move",    "the",      "meeting", "to",
    "Thursday", "afternoon", "thanks",     "looks",   "good",     "to",      "me",
    "merged",   "one",       "more",       "thing",   "about",    "release", "notes",
    "customer", "asked",     "whether",    "export",  "works",    "with",    "large",
    "files",    "on",        "Windows",    "yes",     "that",     "was",     "fixed",
    "last",     "week",      "but",        "not",     "shipped",  "yet",     "let",
    "me",       "check",     "logs",       "from",    "staging",  "server",  "memory",
    "went",     "up",        "after",      "restart", "probably", "cache",   "warming",
    "could",    "be",        "index",      "missing", "query",    "plan",    "shows",
    "a",        "full",      "scan",       "of",      "messages", "table",   "and",
    "it",       "takes",     "seconds",    "when",    "database", "is",      "cold",
    "ok",       "sounds",    "reasonable", "please",  "open",     "ticket",  "so",
    "don't",    "forget",    "design",     "mockups", "are",      "in",      "shared",
    "folder",   "new",       "onboarding", "flow",    "has",      "three",   "steps",
    "instead",  "of",        "five",       "really",  "nice",     "work",    "everyone",
    "coffee",   "anyone",    "standup",    "in",      "five",     "minutes", "running",
    "late",     "sorry",     "traffic",    "today",   "tomorrow", "Monday",  "sprint",
    "planning", "estimate",  "points",     "blocked", "waiting",  "for",     "API",
    "keys",     "vendor",    "replied",    "finally", "great",    "news",    "test",
    "suite",    "flaky",     "again",      "retry",   "passed",   "will",    "look",
    "into",     "tonight",   "no",         "rush",    "happy",    "Friday",
};

const char *const Short[] = {"ok",        "thanks!",      "👍",       "sure",       "on it",
                             "done",      "lol",          "yes",     "no worries", "sounds good",
                             "brb",       "nice!",        "will do", "agreed",     "+1",
                             "thank you", "see you then", "got it",  "perfect",    "hmm"};

const char *const People[] = {
    "maria",  "jonas", "priya", "tomasz", "aiko",   "lena",  "omar",  "sofia", "david",  "chen",
    "fatima", "lucas", "emma",  "noah",   "olga",   "rahul", "yusuf", "ines",  "marco",  "hana",
    "peter",  "grace", "ivan",  "nadia",  "samuel", "julia", "kenji", "amara", "felix",  "clara",
    "diego",  "zoe",   "arjun", "mila",   "henrik", "leila", "paulo", "rosa",  "viktor", "elif",
    "tariq",  "anna",  "bruno", "keiko",  "mateo",  "sara",  "oscar", "lina",  "farid",  "greta",
    "hugo",   "irene", "jakob", "kira",   "liam",   "maya",  "nils",  "odile", "pavel",  "quinn",
};

const char *const Groups[] = {"Engineering", "Design team", "Release 2.0", "Support",
                              "Office",      "Book club",   "Backend",     "Hiring",
                              "Ops on-call", "Lunch crew",  "Mobile",      "Marketing"};

struct Conversation
{
    QString id;
    bool group = false;
    QStringList others; //!< the other participants
    int size = 0;
    qint64 first = 0; //!< ms
    qint64 last = 0;  //!< ms
    qint64 seq = 0;   //!< while inserting: the last seq given
    int unread = 0;
};

struct Pending
{
    qint64 time = 0;
    int conversation = 0;
};

class Generator
{
public:
    explicit Generator(quint32 seed)
        : m_random(seed)
    {}

    int uniform(int low, int high)
    {
        return std::uniform_int_distribution<int>(low, high)(m_random);
    }
    double real() { return std::uniform_real_distribution<double>(0.0, 1.0)(m_random); }
    std::mt19937 &engine() { return m_random; }

    QString text()
    {
        const double p = real();
        if (p < 0.35) {
            if (real() < 0.6) {
                return QString::fromUtf8(Short[uniform(0, std::size(Short) - 1)]);
            }
            return words(uniform(1, 5));
        }
        if (p < 0.80) {
            return words(uniform(6, 20));
        }
        if (p < 0.95) {
            return words(uniform(21, 60));
        }
        QStringList paragraphs;
        int left = uniform(61, 150);
        while (left > 0) {
            const int n = std::min(left, uniform(20, 50));
            paragraphs.append(words(n));
            left -= n;
        }
        return paragraphs.join(QLatin1Char('\n'));
    }

private:
    QString words(int count)
    {
        QStringList list;
        for (int i = 0; i < count; ++i) {
            list.append(QString::fromUtf8(Words[uniform(0, std::size(Words) - 1)]));
        }
        QString sentence = list.join(QLatin1Char(' '));
        sentence[0] = sentence[0].toUpper();
        static const QString ends[] = {QStringLiteral("."), QStringLiteral("?"),
                                       QStringLiteral("!"), QString()};
        return sentence + ends[uniform(0, 3)];
    }

    std::mt19937 m_random;
};

//! A few pleasant pictures (gradients and shapes) as the JPEG previews photos carry.
QList<QByteArray> previews(Generator &random)
{
    QList<QByteArray> result;
    for (int i = 0; i < 6; ++i) {
        QImage image(320, 240, QImage::Format_RGB32);
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        QLinearGradient sky(0, 0, 0, 240);
        sky.setColorAt(0, QColor::fromHsv(random.uniform(180, 230), 120, 240));
        sky.setColorAt(1, QColor::fromHsv(random.uniform(20, 60), 90, 250));
        painter.fillRect(image.rect(), sky);
        painter.setPen(Qt::NoPen);
        for (int k = 0; k < 5; ++k) {
            painter.setBrush(QColor::fromHsv(random.uniform(0, 359), 140, 200, 170));
            painter.drawEllipse(QPoint(random.uniform(0, 320), random.uniform(80, 240)),
                                random.uniform(30, 90), random.uniform(20, 60));
        }
        painter.end();
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        image.save(&buffer, "JPEG", 70);
        result.append(buffer.data());
    }
    return result;
}

QByteArray randomBytes(Generator &random, int size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (char &b : bytes) {
        b = static_cast<char>(random.uniform(0, 255));
    }
    return bytes;
}

QByteArray photoContent(Generator &random, const QList<QByteArray> &thumbnails, int number,
                        const QString &caption)
{
    Protocol::Attachment a;
    a.mediaId = QString::fromLatin1(randomBytes(random, 16).toHex());
    a.key = randomBytes(random, Protocol::Attachment::KeyBytes);
    a.digest = randomBytes(random, Protocol::Attachment::DigestBytes);
    a.size = random.uniform(300'000, 4'000'000);
    a.cipherSize = Protocol::Attachment::expectedCipherSize(a.size);
    a.name = QStringLiteral("IMG_%1.jpg").arg(number, 4, 10, QLatin1Char('0'));
    a.mime = QStringLiteral("image/jpeg");
    a.width = 1600;
    a.height = 1200;
    a.thumbnail = thumbnails.at(random.uniform(0, static_cast<int>(thumbnails.size()) - 1));
    Protocol::MessageContent content;
    content.kind = Protocol::MessageContent::Kind::Media;
    content.text = caption;
    content.attachments = {a};
    return content.encode();
}

[[noreturn]] void fail(const QString &message)
{
    std::fprintf(stderr, "tincan-bench-seed: %s\n", qPrintable(message));
    std::exit(1);
}

//! Registers the peers: plain accounts (no device keys), enough for presence and groups.
void registerPeers(const QUrl &server, const QString &fingerprint, const QStringList &peers)
{
    Client::CertificatePin pin;
    pin.setDigest(Protocol::parseFingerprint(fingerprint));
    Client::ApiClient api;
    api.setBaseUrl(server);
    api.setCertificatePin(&pin);
    for (const QString &peer : peers) {
        const Client::ApiResult result = Bench::waitForApi([&](Client::ApiCallback done) {
            api.registerAccount(peer, QStringLiteral("correct horse battery"),
                                QStringLiteral("phone"), {}, std::move(done));
        });
        if (!result.ok()) {
            fail(QStringLiteral("registering %1: HTTP %2").arg(peer).arg(result.status));
        }
    }
}

} // namespace

int main(int argc, char *argv[])
{
    QGuiApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Seeds a desktop profile for the benchmark."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("server"), QStringLiteral("The running tincand."), QStringLiteral("URL")},
        {QStringLiteral("fingerprint"), QStringLiteral("Its certificate's SHA-256 fingerprint."),
         QStringLiteral("FP")},
        {QStringLiteral("profile"), QStringLiteral("The profile directory to create."),
         QStringLiteral("DIR")},
        {QStringLiteral("messages"), QStringLiteral("Messages (100000)."), QStringLiteral("N"),
         QStringLiteral("100000")},
        {QStringLiteral("conversations"), QStringLiteral("Conversations (50)."),
         QStringLiteral("N"), QStringLiteral("50")},
        {QStringLiteral("largest-share"),
         QStringLiteral("Share of the messages in the big chat (0.2)."), QStringLiteral("F"),
         QStringLiteral("0.2")},
        {QStringLiteral("days"), QStringLiteral("Days of history (90)."), QStringLiteral("N"),
         QStringLiteral("90")},
        {QStringLiteral("seed"), QStringLiteral("Random seed (1)."), QStringLiteral("N"),
         QStringLiteral("1")},
    });
    parser.process(app);
    const QUrl server(parser.value(QStringLiteral("server")));
    const QString fingerprint = parser.value(QStringLiteral("fingerprint"));
    const QString profile = parser.value(QStringLiteral("profile"));
    const int total = parser.value(QStringLiteral("messages")).toInt();
    const int count = std::clamp(parser.value(QStringLiteral("conversations")).toInt(), 2,
                                 static_cast<int>(std::size(People)));
    const double share = parser.value(QStringLiteral("largest-share")).toDouble();
    const int days = std::max(2, parser.value(QStringLiteral("days")).toInt());
    if (!server.isValid() || profile.isEmpty() || total < count * 5) {
        fail(QStringLiteral("--server, --profile and at least 5 messages per conversation are "
                            "needed (see --help)"));
    }
    if (QFileInfo::exists(profile)) {
        fail(QStringLiteral("%1 exists already").arg(profile));
    }
    QElapsedTimer elapsed;
    elapsed.start();
    Generator random(parser.value(QStringLiteral("seed")).toUInt());
    const QString self = QStringLiteral("alice");

    // The conversations: the big group first, then a long tail; every fifth one a group.
    QList<Conversation> conversations(count);
    QStringList peers;
    QStringList groupNames;
    int nextPerson = 0;
    for (int i = 0; i < count; ++i) {
        conversations[i].group = i == 0 || i % 5 == 2;
        if (!conversations[i].group) {
            peers.append(QString::fromLatin1(People[nextPerson++]));
            conversations[i].others = {peers.last()};
        }
    }
    if (peers.size() < 2) {
        peers.append(
            {QString::fromLatin1(People[nextPerson]), QString::fromLatin1(People[nextPerson + 1])});
    }
    const int largest = static_cast<int>(std::lround(total * share));
    double weights = 0;
    for (int i = 1; i < count; ++i) {
        weights += 1.0 / std::pow(i + 1, 0.9);
    }
    int assigned = largest;
    conversations[0].size = largest;
    for (int i = 1; i < count; ++i) {
        conversations[i].size =
            std::max(5, static_cast<int>((total - largest) / std::pow(i + 1, 0.9) / weights));
        assigned += conversations[i].size;
    }
    conversations[1].size += total - assigned;
    if (conversations[1].size < 5 || conversations[1].size >= conversations[0].size) {
        fail(QStringLiteral("cannot spread %1 messages over %2 conversations that way")
                 .arg(total)
                 .arg(count));
    }

    // Last activity: the n-th most recent conversation about 1.5 h * n^1.6 ago (minutes for the
    // first, weeks for the last); the big one is third.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 hour = 3600 * 1000;
    QList<int> recency(count);
    std::iota(recency.begin(), recency.end(), 0);
    std::shuffle(recency.begin() + 1, recency.end(), random.engine());
    std::swap(recency[0], recency[std::min(2, count - 1)]); // index 0 (the big one) is third
    for (int rank = 0; rank < count; ++rank) {
        Conversation &c = conversations[recency[rank]];
        c.last = now - static_cast<qint64>((0.1 + 1.5 * std::pow(rank, 1.6)) * hour);
        const int span = c.size > 2000 ? days : random.uniform(days / 4, days);
        c.first = std::min(c.last - hour, now - static_cast<qint64>(span) * 24 * hour);
        // A few chats with unread messages, never the most recent (the app opens that one).
        if (rank >= 3 && rank <= 12 && rank % 2 == 1) {
            c.unread = std::min(c.size / 2, random.uniform(1, 30));
        }
    }

    // The account, on the server, with a real core (keys, token, database key in the keychain).
    registerPeers(server, fingerprint, peers);
    auto owned = std::make_unique<Client::ClientCore>(profile);
    Client::ClientCore &core = *owned;
    QString error;
    if (!core.open(&error) || !Bench::signUp(core, server, fingerprint, self, &error)) {
        fail(error);
    }
    for (int i = 0; i < count; ++i) {
        Conversation &c = conversations[i];
        if (!c.group) {
            c.id = Protocol::directConversationId(self, c.others.first());
            continue;
        }
        QStringList members = peers;
        std::shuffle(members.begin(), members.end(), random.engine());
        const int size = i == 0 ? std::min(13, static_cast<int>(peers.size()))
                                : random.uniform(2, std::min(12, static_cast<int>(peers.size())));
        members = members.mid(0, size);
        const QString name = QString::fromLatin1(Groups[groupNames.size() % std::size(Groups)]);
        groupNames.append(name);
        const Client::ApiResult made = Bench::waitForApi(
            [&](Client::ApiCallback done) { core.createGroup(name, members, std::move(done)); });
        if (!made.ok()) {
            fail(QStringLiteral("creating group %1: HTTP %2").arg(name).arg(made.status));
        }
        c.id = Protocol::groupConversationId(made.body.value(QStringLiteral("id")).toString());
        c.others = members;
    }

    // Take what the server queued for this device (the groups' "created" notices) once, as the
    // app would have long ago, so that every benchmark run starts from the same state; the
    // notices go before each group's first message.
    bool synced = false;
    QObject::connect(&core, &Client::ClientCore::synced, &core, [&synced] { synced = true; });
    core.connectToServer();
    const auto inboxEmpty = [&core] {
        const Client::ApiResult inbox = Bench::waitForApi([&core](Client::ApiCallback done) {
            core.api().call("GET", QStringLiteral("/v1/inbox?limit=1"), nullptr, std::move(done));
        });
        return inbox.ok() && inbox.body.value(QStringLiteral("envelopes")).toArray().isEmpty();
    };
    if (!Bench::waitUntil([&synced] { return synced; }) || !Bench::waitUntil(inboxEmpty)) {
        fail(QStringLiteral("the first sync did not end"));
    }
    core.disconnectFromServer();
    {
        QSqlQuery redate(core.store().database());
        redate.prepare(QStringLiteral("UPDATE messages SET server_ts = ?, local_ts = ? WHERE "
                                      "conversation = ? AND status = ?"));
        for (Conversation &c : conversations) {
            c.seq = core.store().lastSeq(c.id); // the history follows the notice
            redate.addBindValue(c.first - hour);
            redate.addBindValue(c.first - hour);
            redate.addBindValue(c.id);
            redate.addBindValue(static_cast<int>(Status::System));
            if (!redate.exec()) {
                fail(redate.lastError().text());
            }
        }
    }

    // Every message's time: days within [first, last], hours mostly in the day; then all of
    // them in time order, as they would have arrived (local ids grow with time).
    QList<Pending> pending;
    pending.reserve(total);
    for (int i = 0; i < count; ++i) {
        const Conversation &c = conversations[i];
        pending.append({c.last, i});
        for (int k = 1; k < c.size; ++k) {
            const qint64 day = (c.first + static_cast<qint64>(random.real() * (c.last - c.first))) /
                               (24 * hour) * (24 * hour);
            std::normal_distribution<double> hours(13.5, 3.5);
            const double h = std::clamp(hours(random.engine()), 6.5, 23.5);
            const qint64 t = std::clamp(day + static_cast<qint64>(h * hour), c.first, c.last - 1);
            pending.append({t, i});
        }
    }
    std::sort(pending.begin(), pending.end(),
              [](const Pending &a, const Pending &b) { return a.time < b.time; });

    // Receipts first: who has read how far decides our messages' ticks.
    QHash<int, qint64> othersRead; // conversation -> lowest read seq of the others
    for (int i = 0; i < count; ++i) {
        othersRead.insert(i, conversations[i].seq + conversations[i].size - random.uniform(0, 3));
    }

    const QList<QByteArray> thumbnails = previews(random);
    int photos = 0;
    int written = 0;
    {
        QSqlDatabase &db = core.store().database();
        const qint64 selfDevice = core.profile().deviceId();
        QSqlQuery insert(db);
        insert.prepare(QStringLiteral(
            "INSERT INTO messages (conversation, sender, sender_device, client_id, server_id, seq, "
            "text, server_ts, local_ts, outgoing, status, media) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
            "?, "
            "?, ?, ?)"));
        QHash<int, QString> lastSender;
        qint64 serverId = 1000;
        db.transaction();
        for (const Pending &p : std::as_const(pending)) {
            Conversation &c = conversations[p.conversation];
            const qint64 seq = ++c.seq;
            QString sender = lastSender.value(p.conversation);
            if (sender.isEmpty() || random.real() > 0.6) {
                const double mine = c.group ? 1.0 / (c.others.size() + 1) + 0.1 : 0.45;
                sender =
                    random.real() < mine
                        ? self
                        : c.others.at(random.uniform(0, static_cast<int>(c.others.size()) - 1));
            }
            lastSender.insert(p.conversation, sender);
            const bool outgoing = sender == self;
            Status status = Status::Received;
            if (outgoing) {
                status = seq <= othersRead.value(p.conversation) ? Status::Read : Status::Delivered;
            }
            QString text = random.text();
            QVariant media;
            if (random.real() < 0.01) {
                ++photos;
                text = random.real() < 0.5 ? QStringLiteral("") : text; // not NULL: no caption
                media = photoContent(random, thumbnails, photos, text);
            }
            insert.addBindValue(c.id);
            insert.addBindValue(sender);
            insert.addBindValue(outgoing ? selfDevice : 1);
            insert.addBindValue(QUuid::createUuid().toString(QUuid::WithoutBraces));
            insert.addBindValue(++serverId);
            insert.addBindValue(seq);
            insert.addBindValue(text);
            insert.addBindValue(p.time);
            insert.addBindValue(p.time + random.uniform(50, 900));
            insert.addBindValue(outgoing ? 1 : 0);
            insert.addBindValue(static_cast<int>(status));
            insert.addBindValue(media);
            if (!insert.exec()) {
                fail(insert.lastError().text());
            }
            if (++written % 20000 == 0) {
                db.commit();
                db.transaction();
            }
        }
        QSqlQuery receipts(db);
        receipts.prepare(QStringLiteral("INSERT OR REPLACE INTO receipts (conversation, user, "
                                        "delivered_seq, read_seq) VALUES (?, ?, ?, ?)"));
        for (int i = 0; i < count; ++i) {
            const Conversation &c = conversations[i];
            QStringList users = c.others;
            users.append(self);
            for (const QString &user : std::as_const(users)) {
                const qint64 read = user == self ? c.seq - c.unread : othersRead.value(i);
                receipts.addBindValue(c.id);
                receipts.addBindValue(user);
                receipts.addBindValue(c.seq);
                receipts.addBindValue(read);
                if (!receipts.exec()) {
                    fail(receipts.lastError().text());
                }
            }
        }
        if (!db.commit()) {
            fail(db.lastError().text());
        }
    }
    const QString databasePath = core.profile().databasePath();
    owned.reset(); // closes the database (and folds its WAL into it)

    QJsonObject summary{
        {QStringLiteral("bench"), QStringLiteral("desktop-seed")},
        {QStringLiteral("profile"), QDir(profile).absolutePath()},
        {QStringLiteral("messages"), written},
        {QStringLiteral("conversations"), count},
        {QStringLiteral("groups"), static_cast<int>(groupNames.size())},
        {QStringLiteral("photos"), photos},
        {QStringLiteral("largest"), conversations[0].id},
        {QStringLiteral("largestTitle"), groupNames.value(0)},
        {QStringLiteral("largestMessages"), conversations[0].size},
        {QStringLiteral("days"), days},
        {QStringLiteral("databaseBytes"), QFileInfo(databasePath).size()},
        {QStringLiteral("seconds"), elapsed.elapsed() / 1000.0},
    };
    std::printf("%s\n", QJsonDocument(summary).toJson(QJsonDocument::Compact).constData());
    return 0;
}
