// tincan-bench-crypto: what the Signal protocol costs a Tincan client, per message, with the
// stores in real SQLCipher databases (as in the app).
//
//   session setup   X3DH from a bundle, plus decrypting the first (pre-key) message
//   1:1             encrypt + decrypt of a message in an established session, same direction
//   reply           a message that turns the DH ratchet (alternating directions)
//   fan-out 5       encrypting one message for a recipient with 5 devices (+ decrypt on each)
//
// Prints one JSON object per line. Usage: tincan-bench-crypto [--messages N]
#include "app/core/LocalStore.h"
#include "shared/crypto/DeviceCrypto.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <memory>
#include <vector>

using namespace Tincan;

namespace {

struct Device
{
    Device(const QString &dir, const QString &name, int id)
        : name(name)
        , id(id)
    {
        const QByteArray key(32, static_cast<char>(id));
        if (!store.open(dir + QStringLiteral("/%1-%2.db").arg(name).arg(id), key)) {
            qFatal("cannot open the database: %s", qPrintable(store.lastError()));
        }
        crypto = std::make_unique<Crypto::DeviceCrypto>(store.database());
        QString error;
        if (!crypto->init(&error) || !crypto->createIdentity(&error)) {
            qFatal("%s", qPrintable(error));
        }
        preKeys = crypto->generatePreKeys(100, &error);
    }
    ~Device() { crypto.reset(); }

    Crypto::PreKeyBundle bundle()
    {
        Crypto::PreKeyBundle b;
        b.deviceId = id;
        b.registrationId = crypto->registrationId();
        b.identityKey = crypto->identityPublicKey();
        b.signedPreKey = *crypto->currentSignedPreKey();
        b.preKey = preKeys.takeFirst();
        return b;
    }

    QString name;
    int id;
    Client::LocalStore store;
    std::unique_ptr<Crypto::DeviceCrypto> crypto;
    QList<Crypto::PublicPreKey> preKeys;
};

QByteArray encrypt(Device &from, Device &to, const QByteArray &text)
{
    auto out = from.crypto->encrypt(to.name, to.id, text);
    if (!out.ok()) {
        qFatal("%s", qPrintable(out.error.message));
    }
    return *out.value;
}

void decrypt(Device &at, Device &from, const QByteArray &payload)
{
    auto out = at.crypto->decrypt(from.name, from.id, payload);
    if (!out.ok()) {
        qFatal("%s", qPrintable(out.error.message));
    }
}

//! Median and p99 of per-operation microseconds.
QJsonObject summary(std::vector<double> us)
{
    std::sort(us.begin(), us.end());
    auto at = [&us](double q) {
        return us.at(
            std::min(us.size() - 1, static_cast<size_t>(q * static_cast<double>(us.size()))));
    };
    return {{QStringLiteral("median_us"), qRound(at(0.5) * 10) / 10.0},
            {QStringLiteral("p99_us"), qRound(at(0.99) * 10) / 10.0},
            {QStringLiteral("n"), static_cast<qint64>(us.size())}};
}

void print(const QString &name, const QJsonObject &figures)
{
    QJsonObject line = figures;
    line.insert(QStringLiteral("bench"), name);
    QTextStream(stdout) << QJsonDocument(line).toJson(QJsonDocument::Compact) << Qt::endl;
}

// A realistic chat message: 80 characters of JSON content.
const QByteArray Text = QByteArrayLiteral(
    R"({"v":1,"kind":"text","text":"See you at the standup tomorrow, I'll bring the numbers."})");

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const qsizetype at = args.indexOf(QStringLiteral("--messages"));
    const int messages = at >= 0 && at + 1 < args.size() ? args.at(at + 1).toInt() : 2000;
    QTemporaryDir dir;
    QElapsedTimer timer;

    // Session setup: 50 fresh pairs.
    {
        std::vector<double> build;
        std::vector<double> firstDecrypt;
        for (int i = 0; i < 50; ++i) {
            Device a(dir.path(), QStringLiteral("a%1").arg(i), 1);
            Device b(dir.path(), QStringLiteral("b%1").arg(i), 2);
            const auto bundle = b.bundle();
            timer.start();
            if (!a.crypto->processBundle(b.name, bundle).ok()) {
                qFatal("processBundle failed");
            }
            const QByteArray first = encrypt(a, b, Text);
            build.push_back(static_cast<double>(timer.nsecsElapsed()) / 1000.0);
            timer.start();
            decrypt(b, a, first);
            firstDecrypt.push_back(static_cast<double>(timer.nsecsElapsed()) / 1000.0);
        }
        QJsonObject figures{{QStringLiteral("sender_x3dh_and_encrypt"), summary(build)},
                            {QStringLiteral("receiver_first_decrypt"), summary(firstDecrypt)}};
        print(QStringLiteral("session_setup"), figures);
    }

    Device alice(dir.path(), QStringLiteral("alice"), 1);
    std::vector<std::unique_ptr<Device>> bobs;
    for (int i = 0; i < 5; ++i) {
        bobs.push_back(std::make_unique<Device>(dir.path(), QStringLiteral("bob"), 10 + i));
        alice.crypto->processBundle(QStringLiteral("bob"), bobs.back()->bundle());
        // Establish (answer once) so that later messages are normal ones.
        decrypt(*bobs.back(), alice, encrypt(alice, *bobs.back(), Text));
        decrypt(alice, *bobs.back(), encrypt(*bobs.back(), alice, Text));
    }
    Device &bob = *bobs.front();

    // 1:1, same direction.
    {
        std::vector<double> enc;
        std::vector<double> dec;
        for (int i = 0; i < messages; ++i) {
            timer.start();
            const QByteArray payload = encrypt(alice, bob, Text);
            enc.push_back(static_cast<double>(timer.nsecsElapsed()) / 1000.0);
            timer.start();
            decrypt(bob, alice, payload);
            dec.push_back(static_cast<double>(timer.nsecsElapsed()) / 1000.0);
        }
        print(QStringLiteral("one_to_one"), {{QStringLiteral("encrypt"), summary(enc)},
                                             {QStringLiteral("decrypt"), summary(dec)}});
    }

    // Replies: every message turns the ratchet.
    {
        std::vector<double> enc;
        std::vector<double> dec;
        for (int i = 0; i < messages / 4; ++i) {
            Device &from = i % 2 ? bob : alice;
            Device &to = i % 2 ? alice : bob;
            timer.start();
            const QByteArray payload = encrypt(from, to, Text);
            enc.push_back(static_cast<double>(timer.nsecsElapsed()) / 1000.0);
            timer.start();
            decrypt(to, from, payload);
            dec.push_back(static_cast<double>(timer.nsecsElapsed()) / 1000.0);
        }
        print(QStringLiteral("ratchet_turn"), {{QStringLiteral("encrypt"), summary(enc)},
                                               {QStringLiteral("decrypt"), summary(dec)}});
    }

    // Fan-out: one message for a recipient with 5 devices.
    {
        std::vector<double> enc;
        std::vector<double> dec;
        for (int i = 0; i < messages / 5; ++i) {
            QList<QByteArray> payloads;
            timer.start();
            for (auto &device : bobs) {
                payloads.append(encrypt(alice, *device, Text));
            }
            enc.push_back(static_cast<double>(timer.nsecsElapsed()) / 1000.0);
            for (size_t d = 0; d < bobs.size(); ++d) {
                timer.start();
                decrypt(*bobs[d], alice, payloads.at(static_cast<qsizetype>(d)));
                dec.push_back(static_cast<double>(timer.nsecsElapsed()) / 1000.0);
            }
        }
        print(QStringLiteral("fan_out_5_devices"),
              {{QStringLiteral("encrypt_all_5"), summary(enc)},
               {QStringLiteral("decrypt_each"), summary(dec)}});
    }
    return 0;
}
