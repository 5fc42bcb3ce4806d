#pragma once

#include <QString>
#include <QUrl>

namespace Tincan::Client {

//! Everything for one account on one device lives in one profile directory: profile.ini (server,
//! account ids, how the database key is kept: nothing secret) and client.db (SQLCipher: messages,
//! outbox, Signal keys and sessions, the device token). The desktop app and tincan-cli share the
//! format, so `--profile DIR` works with both.
//! profile.ini also pins the server's certificate (server/certificate_sha256).
//!
//! The database key is random and lives in the OS keychain under "client-db/<profile id>"; when
//! no keychain is available it is derived from a passphrase (Argon2id, salt in profile.ini).
class Profile
{
public:
    explicit Profile(QString directory);

    //! Creates the directory (0700) if needed and loads profile.ini if present.
    bool load(QString *error);
    bool save(QString *error);

    QString directory() const { return m_directory; }
    QString databasePath() const;
    bool isSignedIn() const { return !m_token.isEmpty() && m_deviceId > 0; }

    QUrl serverUrl() const { return m_serverUrl; }
    void setServerUrl(const QUrl &url) { m_serverUrl = url; }
    //! The pinned SHA-256 fingerprint of the server's TLS certificate ("AB:CD:..."); empty until
    //! the first connection pins it.
    QString serverFingerprint() const { return m_serverFingerprint; }
    void setServerFingerprint(const QString &fingerprint) { m_serverFingerprint = fingerprint; }
    QString username() const { return m_username; }
    qint64 userId() const { return m_userId; }
    qint64 deviceId() const { return m_deviceId; }
    QByteArray token() const { return m_token; }
    void setIdentity(const QString &username, qint64 userId, qint64 deviceId,
                     const QByteArray &token);
    void clearIdentity();

    enum class KeySource { None, Keychain, Passphrase };
    KeySource keySource() const { return m_keySource; }
    QByteArray keySalt() const { return m_keySalt; }
    void setKeySource(KeySource source, const QByteArray &salt = {});
    //! A random id naming this profile's keychain entry; created on first save.
    QString profileId() const { return m_profileId; }
    QString keychainKey() const { return QStringLiteral("client-db/") + m_profileId; }

    static QString defaultDirectory();
    static QUrl defaultServerUrl();

private:
    QString m_directory;
    QUrl m_serverUrl;
    QString m_serverFingerprint;
    QString m_username;
    qint64 m_userId = 0;
    qint64 m_deviceId = 0;
    QByteArray m_token; //!< In memory only: persisted in the encrypted database.
    KeySource m_keySource = KeySource::None;
    QByteArray m_keySalt;
    QString m_profileId;
};

} // namespace Tincan::Client
