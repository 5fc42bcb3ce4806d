#pragma once

#include "shared/protocol/Frames.h"

#include "app/core/ApiClient.h"

#include <QWidget>

#include <functional>

class QGroupBox;
class QJsonArray;
class QLabel;
class QPushButton;
class QRadioButton;
class QStackedWidget;
class QTreeWidget;

namespace Tincan::Client {
class ClientCore;
}

namespace Tincan::Gui {

class QrCodeWidget;
class Session;

//! Settings, "Account & devices": the account and this device, the account's devices (name,
//! platform, last seen, online) with Revoke for the others, and linking a new device: the link
//! code and its QR code, then, once the new device claimed it, its verification code to
//! compare and Approve (with or without the message history) or Reject.
class DevicesPage : public QWidget
{
    Q_OBJECT

public:
    explicit DevicesPage(Session *session, QWidget *parent = nullptr);

    QTreeWidget *deviceList() const { return m_devices; }
    //! Asks the server for the device list again.
    void refreshDevices();
    //! Opens a link for a new device (what "Link a new device" does).
    void startLink();
    //! The link shown (empty while none): its URI, as in the QR code, and its code.
    QString linkUri() const { return m_linkUri; }
    QString linkCode() const { return m_linkCode; }

    //! Item data of the device list (column 0): the device id and whether it is this one.
    static constexpr int DeviceIdRole = Qt::UserRole;
    static constexpr int CurrentRole = Qt::UserRole + 1;

Q_SIGNALS:
    //! The device list was (re)loaded from the server.
    void devicesLoaded();

private:
    using CoreCall = std::function<void(Client::ClientCore &, const Client::ApiCallback &)>;
    //! Runs `work` on the core's thread with the page busy; a failure shows `failureTitle` and
    //! the server's message, a success runs `succeeded` (UI thread).
    void call(const QString &failureTitle, CoreCall work, std::function<void()> succeeded = {});
    void showDevices(const QJsonArray &devices);
    void onLinkChanged(const Protocol::LinkEvent &link);
    void approve();
    void reject();
    void revokeSelected();
    void updateButtons();
    void setLinkStatus(const QString &text);

    Session *m_session;
    QTreeWidget *m_devices = nullptr;
    QPushButton *m_revoke = nullptr;
    QPushButton *m_link = nullptr;
    QGroupBox *m_linkBox = nullptr;
    QStackedWidget *m_linkPages = nullptr;
    QLabel *m_codeLabel = nullptr;
    QrCodeWidget *m_linkQr = nullptr;
    QLabel *m_expiry = nullptr;
    QLabel *m_claimedBy = nullptr;
    QLabel *m_verification = nullptr;
    QLabel *m_proof = nullptr;
    QRadioButton *m_historyAll = nullptr;
    QRadioButton *m_historyNone = nullptr;
    QPushButton *m_approve = nullptr;
    QPushButton *m_reject = nullptr;
    QLabel *m_linkStatus = nullptr;
    QString m_linkUri;
    QString m_linkCode;
    qint64 m_linkId = 0;
    Protocol::LinkEvent m_claimed;
    bool m_busy = false;
};

} // namespace Tincan::Gui
