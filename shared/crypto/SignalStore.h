#pragma once

#include <QByteArray>
#include <QHash>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QStringList>

#include <functional>

struct signal_protocol_store_context;

namespace Tincan::Crypto {

//! libsignal's five stores (identity, pre-key, signed pre-key, session, sender key) persisted in
//! the client's database, which is SQLCipher: key material never touches the disk in the clear.
//! Every callback runs one SQL statement on the owning thread's connection, so a caller that
//! wraps a decrypt and the storing of its message in one transaction gets both or neither.
//!
//! Trust: identities are trusted on first use and a changed identity is accepted (the Double
//! Ratchet restarts) but reported through `identityChanged`; the client clears the contact's
//! verified state and asks before sending to a changed, previously verified contact.
class SignalStore
{
public:
    explicit SignalStore(QSqlDatabase database);

    //! The tables, as statements for the client's migrations (SQLite 3.15 syntax: SQLCipher).
    static QStringList schema();

    //! Registers the stores with a libsignal store context.
    void install(signal_protocol_store_context *context);

    //! Called (name, device) when a remote device's identity key was replaced by another one.
    std::function<void(const QString &, int)> identityChanged;

    bool hasLocalIdentity();
    bool saveLocalIdentity(const QByteArray &publicKey, const QByteArray &privateKey,
                           quint32 registrationId);
    //! The identity key a remote device last used, or empty.
    QByteArray remoteIdentity(const QString &name, int device);
    //! Device ids with a session for `name`; `ok` (if given) is false on a database error.
    QList<int> sessionDevices(const QString &name, bool *ok = nullptr);

    bool storePreKey(quint32 id, const QByteArray &record);
    int preKeyCount();
    //! All one-time pre-key records, by id.
    QList<QPair<quint32, QByteArray>> preKeyRecords();
    quint32 maxPreKeyId();
    bool storeSignedPreKey(quint32 id, const QByteArray &record, qint64 createdAtMs);
    //! Newest signed pre-key: id and creation time (0, 0 when none).
    QPair<quint32, qint64> currentSignedPreKey();
    //! Removes signed pre-keys replaced by a newer one before `cutoffMs` (never the newest).
    int removeSignedPreKeysBefore(qint64 cutoffMs);

    bool hasSenderKey(const QString &groupId, const QString &name, int device);
    //! A stored sender key record, as libsignal serialized it.
    struct SenderKeyRecord
    {
        QString groupId;
        QString name;
        int device = 0;
        QByteArray record;
    };
    //! Every sender key we hold except the one of (`exceptName`, `exceptDevice`) (our own,
    //! whose private half never leaves this device).
    QList<SenderKeyRecord> senderKeys(const QString &exceptName, int exceptDevice);
    //! Stores a sender key record unless one is already held for that sender (`added`).
    bool importSenderKey(const SenderKeyRecord &key, bool *added);
    //! Forgets a sender key (ours: the next group message starts a new one).
    bool removeSenderKey(const QString &groupId, const QString &name, int device);

    QString lastError() const { return m_lastError; }
    QSqlDatabase &database() { return m_database; }

private:
    QSqlDatabase m_database;
    QString m_lastError;
    QHash<QString, QSqlQuery> m_statements; //!< Prepared once, reused by the callbacks.

    friend struct StoreCallbacks;
};

} // namespace Tincan::Crypto
