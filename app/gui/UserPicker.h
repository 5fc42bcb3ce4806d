#pragma once

#include "app/core/ApiClient.h"

#include <QDialog>
#include <QTimer>

class QLabel;
class QLineEdit;
class QListWidget;

namespace Tincan::Gui {

class Session;

//! Finds people on the server (its user directory, as you type) for a new chat, or several of
//! them for a new group (`multiple`, with the group's name).
class UserPicker : public QDialog
{
    Q_OBJECT

public:
    UserPicker(Session *session, bool multiple, QWidget *parent = nullptr);

    //! The chosen user (one), or the ticked ones (multiple).
    QStringList selectedUsers() const;
    //! The group's name (multiple).
    QString groupName() const;
    QLineEdit *searchBox() const { return m_query; }
    QListWidget *results() const { return m_results; }

private:
    void search();
    void showFound(int generation, const Client::ApiResult &result, QStringList names);
    void tryAccept();

    Session *m_session;
    bool m_multiple;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_query = nullptr;
    QListWidget *m_results = nullptr;
    QLabel *m_status = nullptr;
    QTimer m_timer;
    QStringList m_chosen;
    int m_searchGeneration = 0;
};

} // namespace Tincan::Gui
