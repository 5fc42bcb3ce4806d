#pragma once

#include <QDialog>
#include <QUrl>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QRadioButton;
class QStackedWidget;
class QTabWidget;

namespace Tincan::Discovery {
class ServiceBrowser;
struct DiscoveredServer;
} // namespace Tincan::Discovery

namespace Tincan::Gui {

class ServerHost;
class Session;

//! First run: choose a server (one found on the LAN, an address, or "host a server on this
//! computer"), see its certificate fingerprint, then create an account, sign in, or link this
//! computer as a new device of an existing account.
class SetupDialog : public QDialog
{
    Q_OBJECT

public:
    SetupDialog(Session *session, ServerHost *host, QWidget *parent = nullptr);

    //! A server found on the LAN (DNS-SD), listed live; `fingerprint` from its TXT record.
    void addDiscoveredServer(const QString &name, const QUrl &url, const QString &fingerprint);
    void removeDiscoveredServer(const QString &name);
    //! Lists what `browser` finds, live (it keeps browsing while the dialog is open).
    void followBrowser(Discovery::ServiceBrowser *browser);
    //! The URL to reach a discovered server at (its first address).
    static QUrl urlOf(const Discovery::DiscoveredServer &server);
    QListWidget *foundList() const { return m_found; }
    //! True when the user chose to host the server here.
    bool hosting() const { return m_hosting; }

    //! Reads the SHA-256 fingerprint of the certificate a TLS server shows (nothing is sent);
    //! `done` gets it ("AB:CD:..."), or an empty string and the reason.
    static void probeCertificate(const QUrl &url, QObject *context,
                                 std::function<void(QString fingerprint, QString error)> done);

private:
    void goToAccount();
    void useServer(const QUrl &url, const QString &expectedFingerprint);
    void serverReady(const QUrl &url, const QString &fingerprint);
    void submit();
    void setBusy(bool busy, const QString &message = {});
    void showError(const QString &message);

    Session *m_session;
    ServerHost *m_host;
    QStackedWidget *m_pages = nullptr;
    QListWidget *m_found = nullptr;
    QRadioButton *m_useFound = nullptr;
    QRadioButton *m_useAddress = nullptr;
    QRadioButton *m_useHost = nullptr;
    QLineEdit *m_address = nullptr;
    QPushButton *m_next = nullptr;
    QLabel *m_serverStatus = nullptr;
    QLabel *m_fingerprintLabel = nullptr;
    QTabWidget *m_tabs = nullptr;
    QLineEdit *m_newUser = nullptr;
    QLineEdit *m_newPassword = nullptr;
    QLineEdit *m_newPassword2 = nullptr;
    QLineEdit *m_invite = nullptr;
    QLineEdit *m_user = nullptr;
    QLineEdit *m_password = nullptr;
    QLineEdit *m_linkCode = nullptr;
    QLineEdit *m_deviceName = nullptr;
    QLabel *m_accountStatus = nullptr;
    QPushButton *m_submit = nullptr;
    QUrl m_url;
    bool m_hosting = false;
};

} // namespace Tincan::Gui
