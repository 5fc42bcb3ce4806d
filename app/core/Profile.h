#pragma once

#include <QString>
#include <QUrl>

namespace Tincan::Client {

//! Everything for one account on one device lives in one profile directory: profile.ini (server,
//! identity, device token) and client.db (messages and outbox). The desktop app and tincan-cli
//! share the format, so `--profile DIR` works with both. profile.ini also pins the server's
//! certificate (server/certificate_sha256).
//!
//! The device token is kept in profile.ini, readable by the owner only (0600); the E2EE issue
//! moves it, with the database key, into the OS keychain.
class Profile
{
public:
    explicit Profile(QString directory);

    //! Creates the directory (0700) if needed and loads profile.ini if present.
    bool load(QString *error);
    bool save(QString *error) const;

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

    static QString defaultDirectory();
    static QUrl defaultServerUrl();

private:
    QString m_directory;
    QUrl m_serverUrl;
    QString m_serverFingerprint;
    QString m_username;
    qint64 m_userId = 0;
    qint64 m_deviceId = 0;
    QByteArray m_token;
};

} // namespace Tincan::Client
