#include "app/core/Profile.h"

#include <QDir>
#include <QFile>
#include <QSettings>
#include <QStandardPaths>
#include <QUuid>

namespace Tincan::Client {

Profile::Profile(QString directory)
    : m_directory(QDir(directory).absolutePath())
    , m_serverUrl(defaultServerUrl())
{}

QString Profile::defaultDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
           QStringLiteral("/tincan/default");
}

QUrl Profile::defaultServerUrl()
{
    return QUrl(QStringLiteral("https://127.0.0.1:7420"));
}

QString Profile::databasePath() const
{
    return m_directory + QStringLiteral("/client.db");
}

bool Profile::load(QString *error)
{
    QDir dir(m_directory);
    if (!dir.exists() && !dir.mkpath(QStringLiteral("."))) {
        *error = QStringLiteral("Cannot create the profile directory %1.").arg(m_directory);
        return false;
    }
    QFile::setPermissions(m_directory, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    const QString path = m_directory + QStringLiteral("/profile.ini");
    if (!QFile::exists(path)) {
        return true;
    }
    QSettings settings(path, QSettings::IniFormat);
    if (settings.status() != QSettings::NoError) {
        *error = QStringLiteral("The profile file %1 is unreadable.").arg(path);
        return false;
    }
    const QUrl url(settings.value(QStringLiteral("server/url")).toString());
    if (url.isValid() && !url.isEmpty()) {
        m_serverUrl = url;
    }
    m_serverFingerprint = settings.value(QStringLiteral("server/certificate_sha256")).toString();
    m_username = settings.value(QStringLiteral("account/username")).toString();
    m_userId = settings.value(QStringLiteral("account/user_id")).toLongLong();
    m_deviceId = settings.value(QStringLiteral("account/device_id")).toLongLong();
    m_profileId = settings.value(QStringLiteral("profile/id")).toString();
    const QString source = settings.value(QStringLiteral("database/key_source")).toString();
    m_keySource = source == QLatin1String("keychain")     ? KeySource::Keychain
                  : source == QLatin1String("passphrase") ? KeySource::Passphrase
                                                          : KeySource::None;
    m_keySalt = QByteArray::fromBase64(
        settings.value(QStringLiteral("database/passphrase_salt")).toByteArray());
    if (settings.contains(QStringLiteral("account/token"))) {
        // Written by the first version, which had no encrypted database: drop it.
        settings.remove(QStringLiteral("account/token"));
        settings.sync();
    }
    return true;
}

bool Profile::save(QString *error)
{
    if (m_profileId.isEmpty()) {
        m_profileId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    }
    const QString path = m_directory + QStringLiteral("/profile.ini");
    {
        // Owner-only: nothing in it is secret, but nobody else needs to read it.
        QFile file(path);
        if (!file.exists() && !file.open(QIODevice::WriteOnly)) {
            *error = QStringLiteral("Cannot write %1.").arg(path);
            return false;
        }
        file.close();
        file.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    }
    QSettings settings(path, QSettings::IniFormat);
    settings.setValue(QStringLiteral("server/url"), m_serverUrl.toString());
    settings.setValue(QStringLiteral("server/certificate_sha256"), m_serverFingerprint);
    settings.setValue(QStringLiteral("account/username"), m_username);
    settings.setValue(QStringLiteral("account/user_id"), m_userId);
    settings.setValue(QStringLiteral("account/device_id"), m_deviceId);
    settings.setValue(QStringLiteral("profile/id"), m_profileId);
    settings.setValue(QStringLiteral("database/key_source"),
                      m_keySource == KeySource::Keychain     ? QStringLiteral("keychain")
                      : m_keySource == KeySource::Passphrase ? QStringLiteral("passphrase")
                                                             : QString());
    if (m_keySalt.isEmpty()) {
        settings.remove(QStringLiteral("database/passphrase_salt"));
    } else {
        settings.setValue(QStringLiteral("database/passphrase_salt"),
                          QString::fromLatin1(m_keySalt.toBase64()));
    }
    settings.sync();
    if (settings.status() != QSettings::NoError) {
        *error = QStringLiteral("Cannot write %1.").arg(path);
        return false;
    }
    return true;
}

void Profile::setIdentity(const QString &username, qint64 userId, qint64 deviceId,
                          const QByteArray &token)
{
    m_username = username;
    m_userId = userId;
    m_deviceId = deviceId;
    m_token = token;
}

void Profile::setKeySource(KeySource source, const QByteArray &salt)
{
    m_keySource = source;
    m_keySalt = salt;
}

void Profile::clearIdentity()
{
    setIdentity({}, 0, 0, {});
}

} // namespace Tincan::Client
