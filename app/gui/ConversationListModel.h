#pragma once

#include <QAbstractListModel>
#include <QHash>
#include <QSet>
#include <QTimer>

namespace Tincan::Gui {

class Session;

//! The conversation list: 1:1 chats and groups, pinned first, then by last activity. Rows are
//! read from the local database (Session::reader()) and refreshed, coalesced, when the core
//! reports a change; presence and typing come from the core's signals.
class ConversationListModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        TitleRole,
        PreviewRole,
        TimeRole, //!< ms since the epoch of the last message, 0 if none
        UnreadRole,
        IsGroupRole,
        PeerRole,   //!< the other user of a 1:1 chat
        OnlineRole, //!< 1 online, 0 offline, -1 unknown
        TypingRole, //!< "alice is typing…", or empty
        MutedRole,
        PinnedRole,
    };

    explicit ConversationListModel(Session *session, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    int rowOf(const QString &conversation) const;
    QString conversationAt(int row) const;
    int totalUnread() const;
    //! The title of a conversation: the peer's name, or the group's name.
    QString titleOf(const QString &conversation) const;

    void setMuted(const QString &conversation, bool muted);
    bool isMuted(const QString &conversation) const;
    void setPinned(const QString &conversation, bool pinned);

    //! Reloads now (otherwise changes are coalesced by a short timer).
    void reload();
    //! Reloads soon.
    void scheduleReload();
    //! The preview of a message that is a file without text ("📎 report.pdf", "🖼 Photo").
    static QString filePreview(const QByteArray &content);

Q_SIGNALS:
    void totalUnreadChanged(int count);

private:
    struct Row
    {
        QString id;
        QString title;
        QString preview;
        QString peer;
        qint64 time = 0;
        int unread = 0;
        bool group = false;
        bool muted = false;
        bool pinned = false;
    };
    void onTyping(const QString &conversation, const QString &user, bool typing);
    void onPresence(const QString &user, bool online, qint64 lastSeenMs);
    void emitChanged(const QString &conversation);

    Session *m_session;
    QList<Row> m_rows;
    QHash<QString, QSet<QString>> m_typing;
    QHash<QString, int> m_online;
    QTimer m_reloadTimer;
    int m_totalUnread = -1;
};

} // namespace Tincan::Gui
