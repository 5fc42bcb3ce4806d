#pragma once

#include "app/core/ApiClient.h"
#include "app/core/LocalStore.h"

#include <QObject>
#include <QThread>
#include <QUrl>

#include <functional>
#include <memory>

namespace Tincan::Client {
class ClientCore;
}

namespace Tincan::Gui {

//! One signed-in account of the desktop app: its ClientCore runs on a thread of its own, so
//! decrypting a backlog, hashing or key generation never blocks the UI; the UI reads the local
//! history through a read-only connection to the same SQLCipher file (LocalStore::openReadOnly),
//! which sees each of the core's commits whole.
//!
//! The UI never calls the core directly: post() runs work on the core's thread, and core()
//! is only for connecting to its signals (queued to the receiver's thread by Qt). Answers come
//! back to a UI-thread context with onUi() / uiCallback().
class Session : public QObject
{
    Q_OBJECT

public:
    explicit Session(const QString &profileDirectory, QObject *parent = nullptr);
    ~Session() override;

    //! Starts the core's thread and opens the profile (database key from the keychain, or a
    //! passphrase asked for with a dialog), then the UI's read connection. Runs a local event
    //! loop while it waits, so the passphrase dialog can show.
    bool open(QString *error);

    //! For connecting to the core's signals only: never call it from the UI thread.
    Client::ClientCore *core() const { return m_core; }
    //! The UI thread's read-only view of the local database.
    Client::LocalStore &reader() { return m_reader; }

    //! Runs `work` on the core's thread.
    void post(std::function<void(Client::ClientCore &)> work);
    //! Runs `work` on the core's thread and waits for it (only for short calls: never from
    //! code the core itself waits on).
    void run(const std::function<void(Client::ClientCore &)> &work);
    //! An ApiCallback for the core that answers on `context`'s thread (dropped if it is gone).
    static Client::ApiCallback uiCallback(QObject *context, Client::ApiCallback done);
    //! Runs `call` on `context`'s thread.
    static void onUi(QObject *context, std::function<void()> call);

    //! What the UI shows of the account; refreshed by refreshIdentity() (after signing in).
    QString username() const { return m_username; }
    qint64 deviceId() const { return m_deviceId; }
    QUrl serverUrl() const { return m_serverUrl; }
    QString serverFingerprint() const { return m_fingerprint; }
    bool isSignedIn() const { return m_signedIn; }
    QString profileDirectory() const { return m_profileDirectory; }
    void refreshIdentity();

    //! A UI setting kept in the profile's encrypted database ("ui/..."), read through the
    //! reader; setUiSetting() writes it on the core's thread.
    QByteArray uiSetting(const QString &key, const QByteArray &fallback = {});
    void setUiSetting(const QString &key, const QByteArray &value);

Q_SIGNALS:
    void identityChanged();
    //! setUiSetting() changed `key` (the settings dialog, a menu): windows apply it at once.
    void uiSettingChanged(const QString &key, const QByteArray &value);

private:
    QString m_profileDirectory;
    QThread m_thread;
    QObject *m_anchor = nullptr; //!< Lives on m_thread: the target of post().
    Client::ClientCore *m_core = nullptr;
    Client::LocalStore m_reader;
    QHash<QString, QByteArray> m_settingCache;
    QString m_username;
    qint64 m_deviceId = 0;
    QUrl m_serverUrl;
    QString m_fingerprint;
    bool m_signedIn = false;
};

} // namespace Tincan::Gui
