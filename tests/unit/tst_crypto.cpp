// Unit tests for shared/crypto: the Signal protocol through libsignal-protocol-c on our OpenSSL 3
// provider, with its stores in a real SQLite file. Two devices talk to each other in-process.

#include "shared/crypto/DeviceCrypto.h"
#include "shared/crypto/QrCode.h"
#include "shared/crypto/SealedBox.h"
#include "shared/storage/Connection.h"
#include "shared/storage/Migrations.h"

#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace Tincan::Crypto;

namespace {

//! One device: a database file, its migrations and a DeviceCrypto on it.
struct Device
{
    Device(const QString &path, const QString &name, int id)
        : name(name)
        , id(id)
        , path(path)
    {
        open();
    }

    void open()
    {
        connection = std::make_unique<Tincan::Storage::Connection>();
        QVERIFY(connection->open({path, QStringLiteral("NORMAL"), false, 5000}));
        Tincan::Storage::Migrations migrations({{1, SignalStore::schema()}});
        QVERIFY2(migrations.apply(connection->database()), qPrintable(migrations.lastError()));
        crypto = std::make_unique<DeviceCrypto>(connection->database());
        QString error;
        QVERIFY2(crypto->init(&error), qPrintable(error));
        if (!crypto->hasIdentity()) {
            QVERIFY2(crypto->createIdentity(&error), qPrintable(error));
            preKeys = crypto->generatePreKeys(10, &error);
            QCOMPARE(preKeys.size(), 10);
        }
    }

    //! Closes and reopens everything from the file: an app restart.
    void restart()
    {
        crypto.reset();
        connection.reset();
        open();
    }

    //! The bundle the server would hand out, consuming pre-key `index` (or none).
    PreKeyBundle bundle(int index = 0)
    {
        PreKeyBundle b;
        b.deviceId = id;
        b.registrationId = crypto->registrationId();
        b.identityKey = crypto->identityPublicKey();
        b.signedPreKey = *crypto->currentSignedPreKey();
        if (index >= 0) {
            b.preKey = preKeys.at(index);
        }
        return b;
    }

    QString name;
    int id;
    QString path;
    std::unique_ptr<Tincan::Storage::Connection> connection;
    std::unique_ptr<DeviceCrypto> crypto;
    QList<PublicPreKey> preKeys;
};

QByteArray encryptOk(Device &from, Device &to, const QByteArray &text)
{
    auto out = from.crypto->encrypt(to.name, to.id, text);
    if (!out.ok()) {
        qWarning() << out.error.message;
        return {};
    }
    return *out.value;
}

QByteArray decryptOk(Device &at, Device &from, const QByteArray &payload)
{
    auto out = at.crypto->decrypt(from.name, from.id, payload);
    if (!out.ok()) {
        qWarning() << out.error.message;
        return {};
    }
    return out.value->plaintext;
}

} // namespace

class TestCrypto : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        alice = std::make_unique<Device>(m_dir->filePath(QStringLiteral("a.db")),
                                         QStringLiteral("alice"), 1);
        bob = std::make_unique<Device>(m_dir->filePath(QStringLiteral("b.db")),
                                       QStringLiteral("bob"), 2);
    }
    void cleanup()
    {
        alice.reset();
        bob.reset();
        m_dir.reset();
    }

    void paddingRoundTrip_data()
    {
        QTest::addColumn<int>("length");
        for (int n : {0, 1, 158, 159, 160, 161, 1000}) {
            QTest::newRow(qPrintable(QString::number(n))) << n;
        }
    }
    void paddingRoundTrip()
    {
        QFETCH(int, length);
        const QByteArray text(length, 'x');
        const QByteArray padded = DeviceCrypto::pad(text);
        QCOMPARE(padded.size() % DeviceCrypto::PaddingBlock, 0);
        QVERIFY(padded.size() > text.size());
        QCOMPARE(DeviceCrypto::unpad(padded).value(), text);
        QVERIFY(!DeviceCrypto::unpad(QByteArray(160, '\0')).has_value());
    }

    void sessionSetupAndConversation()
    {
        QVERIFY(!alice->crypto->hasSession(QStringLiteral("bob"), 2));
        QVERIFY(!alice->crypto->encrypt(QStringLiteral("bob"), 2, "x").ok());
        QVERIFY(alice->crypto->processBundle(QStringLiteral("bob"), bob->bundle(0)).ok());
        QVERIFY(alice->crypto->hasSession(QStringLiteral("bob"), 2));
        QCOMPARE(bob->crypto->store().preKeyCount(), 10);

        const QByteArray first = encryptOk(*alice, *bob, "hello bob");
        QVERIFY(DeviceCrypto::isPreKeyPayload(first));
        auto decrypted = bob->crypto->decrypt(QStringLiteral("alice"), 1, first);
        QVERIFY2(decrypted.ok(), qPrintable(decrypted.error.message));
        QCOMPARE(decrypted.value->plaintext, QByteArray("hello bob"));
        QVERIFY(decrypted.value->preKeyMessage);
        // The one-time pre-key is used up.
        QCOMPARE(bob->crypto->store().preKeyCount(), 9);

        // Bob replies: normal messages from now on, in both directions.
        const QByteArray reply = encryptOk(*bob, *alice, "hi alice");
        QVERIFY(!DeviceCrypto::isPreKeyPayload(reply));
        QCOMPARE(decryptOk(*alice, *bob, reply), QByteArray("hi alice"));
        const QByteArray next = encryptOk(*alice, *bob, "how are you");
        QVERIFY(!DeviceCrypto::isPreKeyPayload(next));
        QCOMPARE(decryptOk(*bob, *alice, next), QByteArray("how are you"));
    }

    void identicalPlaintextsDiffer()
    {
        QVERIFY(alice->crypto->processBundle(QStringLiteral("bob"), bob->bundle(0)).ok());
        const QByteArray one = encryptOk(*alice, *bob, "same words");
        const QByteArray two = encryptOk(*alice, *bob, "same words");
        QVERIFY(!one.isEmpty());
        QVERIFY(one != two);
        QVERIFY(!one.contains("same words"));
    }

    void outOfOrderAndDuplicates()
    {
        QVERIFY(alice->crypto->processBundle(QStringLiteral("bob"), bob->bundle(1)).ok());
        QList<QByteArray> payloads;
        for (int i = 0; i < 50; ++i) {
            payloads.append(encryptOk(*alice, *bob, QByteArray::number(i)));
        }
        // The first one carries the session: deliver it first, the rest backwards.
        QCOMPARE(decryptOk(*bob, *alice, payloads.first()), QByteArray("0"));
        for (int i = 49; i >= 1; --i) {
            QCOMPARE(decryptOk(*bob, *alice, payloads.at(i)), QByteArray::number(i));
        }
        // A re-delivery is recognised as such, never decrypted twice.
        auto again = bob->crypto->decrypt(QStringLiteral("alice"), 1, payloads.at(7));
        QVERIFY(!again.ok());
        QCOMPARE(again.error.failure, DecryptFailure::Duplicate);
        auto firstAgain = bob->crypto->decrypt(QStringLiteral("alice"), 1, payloads.first());
        QVERIFY(!firstAgain.ok());
    }

    void survivesRestarts()
    {
        QVERIFY(alice->crypto->processBundle(QStringLiteral("bob"), bob->bundle(2)).ok());
        const QByteArray one = encryptOk(*alice, *bob, "before restart");
        alice->restart();
        bob->restart();
        QCOMPARE(decryptOk(*bob, *alice, one), QByteArray("before restart"));
        const QByteArray two = encryptOk(*bob, *alice, "after restart");
        alice->restart();
        QCOMPARE(decryptOk(*alice, *bob, two), QByteArray("after restart"));
        bob->restart();
        QCOMPARE(decryptOk(*bob, *alice, encryptOk(*alice, *bob, "again")), QByteArray("again"));
    }

    void transactionRollbackRestoresSession()
    {
        // The client decrypts and stores a message in one transaction; if storing fails the
        // rollback must leave the session able to decrypt the re-delivery.
        QVERIFY(alice->crypto->processBundle(QStringLiteral("bob"), bob->bundle(0)).ok());
        const QByteArray payload = encryptOk(*alice, *bob, "keep me");
        QVERIFY(bob->connection->database().transaction());
        QCOMPARE(decryptOk(*bob, *alice, payload), QByteArray("keep me"));
        QVERIFY(bob->connection->database().rollback());
        QCOMPARE(decryptOk(*bob, *alice, payload), QByteArray("keep me"));
    }

    void failuresAreClassified()
    {
        // No session at all: a normal message cannot be read.
        QVERIFY(alice->crypto->processBundle(QStringLiteral("bob"), bob->bundle(0)).ok());
        QVERIFY(!decryptOk(*bob, *alice, encryptOk(*alice, *bob, "one")).isEmpty());
        const QByteArray normal = encryptOk(*bob, *alice, "reply");
        QVERIFY(!decryptOk(*alice, *bob, normal).isEmpty());
        const QByteArray later = encryptOk(*alice, *bob, "later");
        QVERIFY(bob->crypto->deleteSession(QStringLiteral("alice"), 1));
        auto lost = bob->crypto->decrypt(QStringLiteral("alice"), 1, later);
        QVERIFY(!lost.ok());
        QCOMPARE(lost.error.failure, DecryptFailure::NoSession);

        // Garbage and tampering.
        auto garbage = bob->crypto->decrypt(QStringLiteral("alice"), 1, "not a payload");
        QCOMPARE(garbage.error.failure, DecryptFailure::Malformed);
        QByteArray tampered = later;
        tampered[tampered.size() - 3] = static_cast<char>(tampered.at(tampered.size() - 3) ^ 1);
        QVERIFY(!bob->crypto->decrypt(QStringLiteral("alice"), 1, tampered).ok());

        // A pre-key message for a one-time pre-key bob no longer has.
        Device carol(m_dir->filePath(QStringLiteral("c.db")), QStringLiteral("carol"), 3);
        PreKeyBundle stale = bob->bundle(-1);
        stale.preKey = PublicPreKey{999, carol.preKeys.first().publicKey};
        QVERIFY(carol.crypto->processBundle(QStringLiteral("bob"), stale).ok());
        auto unknownKey =
            bob->crypto->decrypt(QStringLiteral("carol"), 3, encryptOk(carol, *bob, "hello"));
        QVERIFY(!unknownKey.ok());
        QCOMPARE(unknownKey.error.failure, DecryptFailure::InvalidKeyId);
    }

    void badBundleIsRefused()
    {
        PreKeyBundle forged = bob->bundle(0);
        forged.signedPreKey.signature[5] = static_cast<char>(forged.signedPreKey.signature[5] ^ 1);
        auto result = alice->crypto->processBundle(QStringLiteral("bob"), forged);
        QVERIFY(!result.ok());
        QVERIFY(!alice->crypto->hasSession(QStringLiteral("bob"), 2));
        PreKeyBundle truncated = bob->bundle(0);
        truncated.identityKey.chop(1);
        QVERIFY(!alice->crypto->processBundle(QStringLiteral("bob"), truncated).ok());
    }

    void withoutOneTimePreKey()
    {
        QVERIFY(alice->crypto->processBundle(QStringLiteral("bob"), bob->bundle(-1)).ok());
        QCOMPARE(decryptOk(*bob, *alice, encryptOk(*alice, *bob, "signed only")),
                 QByteArray("signed only"));
        QCOMPARE(bob->crypto->store().preKeyCount(), 10);
    }

    void signedPreKeyRotation()
    {
        // Alice builds her session on bob's current signed pre-key; then bob rotates.
        const PreKeyBundle old = bob->bundle(-1);
        QString error;
        const auto rotated = bob->crypto->rotateSignedPreKey(&error);
        QVERIFY2(rotated, qPrintable(error));
        QVERIFY(rotated->id != old.signedPreKey.id);
        QCOMPARE(bob->crypto->currentSignedPreKey()->id, rotated->id);
        QVERIFY(alice->crypto->processBundle(QStringLiteral("bob"), old).ok());
        // Within the grace period the old key still works.
        QCOMPARE(decryptOk(*bob, *alice, encryptOk(*alice, *bob, "old key")),
                 QByteArray("old key"));
        // After the purge it is gone; the current one is never purged.
        Device carol(m_dir->filePath(QStringLiteral("c.db")), QStringLiteral("carol"), 3);
        QVERIFY(carol.crypto->processBundle(QStringLiteral("bob"), old).ok());
        // The grace period counts from the replacement: a cutoff before it purges nothing, even
        // though the old key was made earlier still.
        QCOMPARE(bob->crypto->purgeSignedPreKeys(rotated->createdAt), 0);
        QCOMPARE(bob->crypto->purgeSignedPreKeys(QDateTime::currentMSecsSinceEpoch() + 1000), 1);
        QVERIFY(bob->crypto->currentSignedPreKey().has_value());
        auto expired =
            bob->crypto->decrypt(QStringLiteral("carol"), 3, encryptOk(carol, *bob, "too late"));
        QVERIFY(!expired.ok());
        QCOMPARE(expired.error.failure, DecryptFailure::InvalidKeyId);
    }

    void identityChangeIsReported()
    {
        QStringList changes;
        alice->crypto->store().identityChanged = [&changes](const QString &name, int device) {
            changes.append(QStringLiteral("%1.%2").arg(name).arg(device));
        };
        QVERIFY(alice->crypto->processBundle(QStringLiteral("bob"), bob->bundle(0)).ok());
        QVERIFY(changes.isEmpty()); // First use.
        const QByteArray firstKey = alice->crypto->store().remoteIdentity(QStringLiteral("bob"), 2);
        QCOMPARE(firstKey, bob->crypto->identityPublicKey());

        // Bob reinstalls: same name and device id, new identity.
        Device newBob(m_dir->filePath(QStringLiteral("b2.db")), QStringLiteral("bob"), 2);
        QVERIFY(alice->crypto->processBundle(QStringLiteral("bob"), newBob.bundle(0)).ok());
        QCOMPARE(changes, QStringList{QStringLiteral("bob.2")});
        QCOMPARE(alice->crypto->store().remoteIdentity(QStringLiteral("bob"), 2),
                 newBob.crypto->identityPublicKey());
        // ...and the new session works.
        QCOMPARE(decryptOk(newBob, *alice, encryptOk(*alice, newBob, "welcome back")),
                 QByteArray("welcome back"));
    }

    void safetyNumbers()
    {
        const QByteArray a = alice->crypto->identityPublicKey();
        const QByteArray b = bob->crypto->identityPublicKey();
        auto fromAlice =
            alice->crypto->safetyNumber(QStringLiteral("alice"), {a}, QStringLiteral("bob"), {b});
        auto fromBob =
            bob->crypto->safetyNumber(QStringLiteral("bob"), {b}, QStringLiteral("alice"), {a});
        QVERIFY(fromAlice.ok() && fromBob.ok());
        QCOMPARE(fromAlice.value->digits.size(), 60);
        QVERIFY(
            fromAlice.value->digits.contains(QRegularExpression(QStringLiteral("^[0-9]{60}$"))));
        // Both sides see the same number.
        QCOMPARE(fromAlice.value->digits, fromBob.value->digits);
        // Another key (a new device, or a changed identity) changes it.
        Device other(m_dir->filePath(QStringLiteral("o.db")), QStringLiteral("bob"), 5);
        auto changed =
            alice->crypto->safetyNumber(QStringLiteral("alice"), {a}, QStringLiteral("bob"),
                                        {b, other.crypto->identityPublicKey()});
        QVERIFY(changed.ok());
        QVERIFY(changed.value->digits != fromAlice.value->digits);
        // The scannable form fits a QR code.
        QVERIFY(!fromAlice.value->scannable.isEmpty());
        const QrCode qr = QrCode::encode(fromAlice.value->scannable);
        QVERIFY(!qr.isNull());
        QVERIFY(qr.size() >= 21);
        QVERIFY(qr.toText().count(QLatin1Char('\n')) >= qr.size() / 2);
    }

    void sealedBox()
    {
        const QByteArray key = SealedBox::generateKey();
        QCOMPARE(key.size(), SealedBox::KeyBytes);
        QVERIFY(SealedBox::generateKey() != key);
        const QByteArray plaintext = QByteArray("history ").repeated(1000);
        const auto sealed = SealedBox::seal(key, plaintext);
        QVERIFY(sealed);
        QCOMPARE(sealed->size(), plaintext.size() + SealedBox::Overhead);
        QVERIFY(!sealed->contains("history"));
        QCOMPARE(*SealedBox::open(key, *sealed), plaintext);
        // A fresh nonce each time.
        QVERIFY(*SealedBox::seal(key, plaintext) != *sealed);
        // Wrong key, one flipped bit, truncation: refused.
        QVERIFY(!SealedBox::open(SealedBox::generateKey(), *sealed));
        for (const qsizetype at : {qsizetype(0), qsizetype(20), sealed->size() - 1}) {
            QByteArray tampered = *sealed;
            tampered[at] = static_cast<char>(tampered[at] ^ 0x01);
            QVERIFY(!SealedBox::open(key, tampered));
        }
        QVERIFY(!SealedBox::open(key, sealed->left(SealedBox::Overhead - 1)));
        QVERIFY(!SealedBox::seal(QByteArray(16, 'k'), plaintext));
        // Empty plaintext works too.
        const auto empty = SealedBox::seal(key, {});
        QVERIFY(empty);
        QCOMPARE(SealedBox::open(key, *empty)->size(), 0);
    }

    void senderKeyExportSkipsOurOwn()
    {
        // Alice sends to a group: she holds her own sender key; Bob holds hers once processed.
        const QString group = QStringLiteral("g1");
        const auto distribution =
            alice->crypto->senderKeyDistribution(group, QStringLiteral("alice"), 1);
        QVERIFY(distribution.ok());
        QVERIFY(
            bob->crypto->processSenderKey(group, QStringLiteral("alice"), 1, *distribution.value)
                .ok());
        QCOMPARE(alice->crypto->receivedSenderKeys(QStringLiteral("alice"), 1).size(), 0);
        const auto bobHolds = bob->crypto->receivedSenderKeys(QStringLiteral("bob"), 2);
        QCOMPARE(bobHolds.size(), 1);
        QCOMPARE(bobHolds.first().name, QStringLiteral("alice"));
        // Imported once; the second import changes nothing.
        bool added = false;
        QVERIFY(alice->crypto->importSenderKey(
            {QStringLiteral("g2"), QStringLiteral("carol"), 5, bobHolds.first().record}, &added));
        QVERIFY(added);
        QVERIFY(alice->crypto->importSenderKey(
            {QStringLiteral("g2"), QStringLiteral("carol"), 5, bobHolds.first().record}, &added));
        QVERIFY(!added);
        QVERIFY(alice->crypto->hasSenderKey(QStringLiteral("g2"), QStringLiteral("carol"), 5));
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Device> alice;
    std::unique_ptr<Device> bob;
};

QTEST_GUILESS_MAIN(TestCrypto)
#include "tst_crypto.moc"
