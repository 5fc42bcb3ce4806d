#pragma once

#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <QSystemTrayIcon>

class QLabel;
class QListView;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QToolButton;

namespace Tincan::Gui {

class Composer;
class ConversationListModel;
class MessageModel;
class MessageView;
class SearchModel;
class ServerHost;
class Session;
class SettingsDialog;

//! The chat window: conversations on the leading side, the open conversation (header, messages,
//! composer) on the trailing side; tray icon with the unread count and notifications.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    MainWindow(Session *session, ServerHost *host, QWidget *parent = nullptr);
    ~MainWindow() override;

    void openConversation(const QString &conversation);
    QString currentConversation() const { return m_current; }
    //! Opens (creating if needed) the 1:1 chat with `user`.
    void startChat(const QString &user);
    //! Creates a group with these members; it opens once the server made it.
    void createGroup(const QString &name, const QStringList &members);
    //! Sends what the composer holds to the open conversation.
    void sendComposed();
    void attachFiles(const QStringList &paths);
    //! Opens `conversation` scrolled to message `localId`, which is selected (a search hit).
    bool jumpToMessage(const QString &conversation, qint64 localId);
    //! Shows the search bar of the open conversation (Ctrl+F).
    void showChatSearch();

    ConversationListModel *conversations() const { return m_conversations; }
    MessageModel *messages() const { return m_messages; }
    QListView *conversationView() const { return m_conversationView; }
    MessageView *messageView() const { return m_messageView; }
    Composer *composer() const { return m_composer; }
    QLineEdit *searchBox() const { return m_search; }
    SearchModel *searchResults() const { return m_results; }
    QListView *searchResultsView() const { return m_resultsView; }
    QLineEdit *chatSearchBox() const { return m_chatSearch; }
    SearchModel *chatSearchResults() const { return m_chatResults; }
    QLabel *headerStatus() const { return m_headerStatus; }
    //! "Offline: N messages will be sent when the connection returns", hidden otherwise.
    QLabel *outboxLabel() const { return m_outboxLabel; }
    //! Whether closing the window keeps Tincan running in the tray.
    void setCloseToTray(bool enabled) { m_closeToTray = enabled; }
    //! The open conversation's info: a group's members and roles, or a contact's safety number.
    void showConversationInfo();
    //! The settings dialog (one at a time).
    SettingsDialog *showSettings();
    //! Notifications shown (for tests): title and body of the last one.
    QString lastNotification() const { return m_lastNotification; }

    //! Opens the file of the message at `index` (double-click, "Open file"): the copy saved
    //! before if it is still there, whole; otherwise fetched, checked and decrypted into the
    //! Downloads folder first.
    void openAttachment(const QModelIndex &index);

Q_SIGNALS:
    void notified(const QString &conversation, const QString &title, const QString &body);
    void quitRequested();
    //! A message's file was opened: just `downloaded` to `path`, or saved there before.
    void fileOpened(const QString &path, bool downloaded);

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;
    //! Files dropped anywhere on the window go to the open conversation.
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void buildUi();
    void buildMenus();
    void setupTray();
    void updateHeader();
    void updateTray(int unread);
    //! The user sees the window (new messages in the open conversation are read).
    bool isLooking() const;
    void markReadIfVisible();
    void onMessage(const QString &conversation, const QString &sender, const QString &text,
                   bool outgoing, bool media);
    void onConnection(bool online);
    void showNewChat();
    void showNewGroup();
    void nextUnread();
    void chooseAttachment();
    void showConversationMenu(const QPoint &pos);
    void showMessageMenu(const QPoint &pos);
    void copySelectedMessages();
    //! Cancels the upload of, or deletes, our message at `index` that was not sent.
    void discardUnsent(const QModelIndex &index);
    //! Shows (and, unless TINCAN_NO_OPEN is set, opens) a message's file saved at `path`.
    void openSavedFile(const QString &path, bool downloaded);
    void scrollToLatest();
    void updateOutboxState();
    void fatal(const QString &message);
    //! The core stored (or refused) a message typed in `conversation`.
    void messageQueued(const QString &conversation, const QString &id, const QString &error,
                       const QString &text);
    //! Moves to the next (older, +1) or previous (newer, -1) hit of the chat search.
    void stepChatSearch(int direction);
    //! Applies a UI setting changed in the settings dialog (or elsewhere) at once.
    void applySetting(const QString &key, const QByteArray &value);

    Session *m_session;
    ServerHost *m_host;
    ConversationListModel *m_conversations = nullptr;
    QSortFilterProxyModel *m_filter = nullptr;
    MessageModel *m_messages = nullptr;
    QLineEdit *m_search = nullptr;
    SearchModel *m_results = nullptr;
    QListView *m_resultsView = nullptr;
    QWidget *m_resultsPane = nullptr;
    QWidget *m_chatSearchBar = nullptr;
    QLineEdit *m_chatSearch = nullptr;
    QLabel *m_chatSearchCount = nullptr;
    SearchModel *m_chatResults = nullptr;
    int m_chatHit = -1;
    QListView *m_conversationView = nullptr;
    MessageView *m_messageView = nullptr;
    QWidget *m_chatPane = nullptr;
    QWidget *m_emptyPane = nullptr;
    QLabel *m_headerTitle = nullptr;
    QLabel *m_headerStatus = nullptr;
    QToolButton *m_infoButton = nullptr;
    QPushButton *m_jumpButton = nullptr;
    Composer *m_composer = nullptr;
    QLabel *m_outboxLabel = nullptr;
    QLabel *m_connectionLabel = nullptr;
    QSystemTrayIcon *m_tray = nullptr;
    QPointer<SettingsDialog> m_settings;
    QString m_current;
    QHash<QString, QPair<int, qint64>> m_presence; //!< user -> (online, last seen ms)
    QHash<QString, QStringList> m_typing;          //!< conversation -> users typing
    QString m_lastNotification;
    QString m_notifiedConversation;
    bool m_online = false;
    bool m_atBottom = true; //!< The newest message is in view (it is read, new ones follow).
    bool m_closeToTray = true;
    bool m_quitting = false;
    bool m_fatalShown = false;
};

} // namespace Tincan::Gui
