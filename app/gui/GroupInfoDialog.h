#pragma once

#include "app/core/ApiClient.h"

#include <QDialog>

#include <functional>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace Tincan::Client {
class ClientCore;
}

namespace Tincan::Gui {

class Session;

//! A group's info: its name (admins rename it), its members with their roles, and for admins
//! adding members, removing them and making them admins (or not); everyone can leave (after a
//! confirmation). Every server error shows in a message box; the dialog follows
//! ClientCore::groupChanged, so changes made elsewhere show at once.
class GroupInfoDialog : public QDialog
{
    Q_OBJECT

public:
    GroupInfoDialog(Session *session, const QString &groupId, QWidget *parent = nullptr);

    QString groupId() const { return m_groupId; }
    //! Whether we are an admin of the group (as the local state says).
    bool isAdmin() const { return m_admin; }
    QListWidget *memberList() const { return m_members; }
    //! Reads the group again (through the session's reader).
    void reload();

    //! Item data of the member list: the username and whether they are an admin.
    static constexpr int UserRole = Qt::UserRole;
    static constexpr int AdminRole = Qt::UserRole + 1;

Q_SIGNALS:
    //! We left the group (the server confirmed it).
    void left();

private:
    using GroupCall =
        std::function<void(Client::ClientCore &, const QString &groupId, Client::ApiCallback)>;
    //! Runs a membership call on the core's thread; a failure shows `failureTitle` and the
    //! server's message. `succeeded` runs on the UI thread after a success.
    void call(const QString &failureTitle, GroupCall work, std::function<void()> succeeded = {});
    void rename();
    void addMembers();
    void removeSelected();
    void toggleAdmin();
    void leave();
    void updateButtons();
    QString selectedUser() const;
    bool selectedIsAdmin() const;

    Session *m_session;
    QString m_groupId;
    bool m_admin = false;
    bool m_member = false;
    int m_busy = 0;
    QLineEdit *m_name = nullptr;
    QPushButton *m_rename = nullptr;
    QLabel *m_summary = nullptr;
    QListWidget *m_members = nullptr;
    QWidget *m_adminTools = nullptr;
    QLineEdit *m_addUsers = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_remove = nullptr;
    QPushButton *m_promote = nullptr;
    QPushButton *m_leave = nullptr;
};

} // namespace Tincan::Gui
