#pragma once

#include "app/core/CertificatePin.h"

#include <QDialog>
#include <QNetworkAccessManager>
#include <QTimer>

class QCheckBox;
class QComboBox;
class QLabel;
class QRadioButton;
class QTabWidget;

namespace Tincan::Gui {

class DevicesPage;
class ServerHost;
class Session;

//! The app's settings, one tab each: account and devices (DevicesPage), notifications (previews,
//! do not disturb, which key sends, closing to the tray), privacy (read receipts and presence,
//! kept on the server), appearance (theme, language) and the server (its address and pinned
//! certificate; when this app hosts it, its address, port, devices online and data size).
//! UI settings are written through Session::setUiSetting(), whose uiSettingChanged() lets the
//! main window apply them at once.
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    enum Page { AccountPage, NotificationsPage, PrivacyPage, AppearancePage, ServerPage };

    //! `host` may be null (this app hosts no server).
    SettingsDialog(Session *session, ServerHost *host, QWidget *parent = nullptr);

    QTabWidget *tabs() const { return m_tabs; }
    void showPage(Page page);
    DevicesPage *devicesPage() const { return m_devices; }
    //! Reads the privacy switches from the server again.
    void refreshPrivacy();
    //! Asks the hosted server how many devices are online (GET /healthz) and measures its data.
    void refreshServerStatus();

private:
    QWidget *buildNotificationsPage();
    QWidget *buildPrivacyPage();
    QWidget *buildAppearancePage();
    QWidget *buildServerPage();
    //! A check box that shows and writes UI setting `key` ("1"/"0").
    QCheckBox *settingCheckBox(const QString &text, const QString &key, bool fallback);
    void setPrivacy(QCheckBox *box, const QString &field, bool value);
    void showPrivacy(const QJsonObject &privacy);
    void updateHostSection();

    Session *m_session;
    ServerHost *m_host;
    QTabWidget *m_tabs = nullptr;
    DevicesPage *m_devices = nullptr;
    QCheckBox *m_readReceipts = nullptr;
    QCheckBox *m_presence = nullptr;
    QLabel *m_privacyStatus = nullptr;
    QComboBox *m_language = nullptr;
    QWidget *m_hostSection = nullptr;
    QLabel *m_hostAddress = nullptr;
    QLabel *m_hostPort = nullptr;
    QLabel *m_hostOnline = nullptr;
    QLabel *m_hostData = nullptr;
    QTimer m_statusTimer;
    QNetworkAccessManager m_network;
    //! The hosted server's certificate: the status request goes to it and nothing else.
    Client::CertificatePin m_hostPin;
};

} // namespace Tincan::Gui
