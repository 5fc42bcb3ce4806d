#include "app/gui/ConversationListModel.h"

#include "app/core/ClientCore.h"
#include "app/gui/Session.h"
#include "shared/protocol/MessageContent.h"
#include "shared/protocol/Validation.h"

#include <algorithm>

namespace Tincan::Gui {

ConversationListModel::ConversationListModel(Session *session, QObject *parent)
    : QAbstractListModel(parent)
    , m_session(session)
{
    m_reloadTimer.setSingleShot(true);
    m_reloadTimer.setInterval(30);
    connect(&m_reloadTimer, &QTimer::timeout, this, &ConversationListModel::reload);
    Client::ClientCore *core = session->core();
    connect(core, &Client::ClientCore::messageReceived, this,
            &ConversationListModel::scheduleReload);
    connect(core, &Client::ClientCore::messageRepaired, this,
            &ConversationListModel::scheduleReload);
    connect(core, &Client::ClientCore::messageAdded, this, &ConversationListModel::scheduleReload);
    connect(core, &Client::ClientCore::messageRemoved, this,
            &ConversationListModel::scheduleReload);
    connect(core, &Client::ClientCore::messageStatusChanged, this,
            &ConversationListModel::scheduleReload);
    connect(core, &Client::ClientCore::conversationRead, this,
            &ConversationListModel::scheduleReload);
    connect(core, &Client::ClientCore::groupChanged, this, &ConversationListModel::scheduleReload);
    connect(core, &Client::ClientCore::historyReceived, this,
            &ConversationListModel::scheduleReload);
    connect(core, &Client::ClientCore::typingChanged, this, &ConversationListModel::onTyping);
    connect(core, &Client::ClientCore::presenceChanged, this, &ConversationListModel::onPresence);
    reload();
}

int ConversationListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QVariant ConversationListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case TitleRole:
        return row.title;
    case Qt::ToolTipRole:
    case Qt::AccessibleTextRole: {
        QString text = row.title;
        if (row.unread > 0) {
            text += QLatin1String(", ") + tr("%n unread", nullptr, row.unread);
        }
        return text;
    }
    case IdRole:
        return row.id;
    case PreviewRole:
        return row.preview;
    case TimeRole:
        return row.time;
    case UnreadRole:
        return row.unread;
    case IsGroupRole:
        return row.group;
    case PeerRole:
        return row.peer;
    case OnlineRole:
        return row.group ? -1 : m_online.value(row.peer, -1);
    case TypingRole: {
        const QSet<QString> users = m_typing.value(row.id);
        if (users.isEmpty()) {
            return QString();
        }
        if (!row.group) {
            return tr("typing…");
        }
        QStringList names(users.begin(), users.end());
        names.sort();
        return names.size() == 1
                   ? tr("%1 is typing…").arg(names.first())
                   : tr("%1 and %n more are typing…", nullptr, static_cast<int>(names.size() - 1))
                         .arg(names.first());
    }
    case MutedRole:
        return row.muted;
    case PinnedRole:
        return row.pinned;
    default:
        return {};
    }
}

QHash<int, QByteArray> ConversationListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert({{IdRole, "conversation"},
                  {TitleRole, "title"},
                  {PreviewRole, "preview"},
                  {TimeRole, "time"},
                  {UnreadRole, "unread"},
                  {IsGroupRole, "isGroup"},
                  {PeerRole, "peer"},
                  {OnlineRole, "online"},
                  {TypingRole, "typing"},
                  {MutedRole, "muted"},
                  {PinnedRole, "pinned"}});
    return names;
}

int ConversationListModel::rowOf(const QString &conversation) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).id == conversation) {
            return i;
        }
    }
    return -1;
}

QString ConversationListModel::conversationAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).id : QString();
}

int ConversationListModel::totalUnread() const
{
    int total = 0;
    for (const Row &row : m_rows) {
        if (!row.muted) {
            total += row.unread;
        }
    }
    return total;
}

QString ConversationListModel::titleOf(const QString &conversation) const
{
    const int row = rowOf(conversation);
    if (row >= 0) {
        return m_rows.at(row).title;
    }
    const QString groupId = Protocol::groupIdOf(conversation);
    if (!groupId.isEmpty()) {
        const auto group = m_session->reader().group(groupId);
        return group ? group->name : tr("Group");
    }
    const QString peer = Protocol::directPeer(conversation, m_session->username());
    return peer == m_session->username() ? tr("Note to self") : peer;
}

void ConversationListModel::setMuted(const QString &conversation, bool muted)
{
    m_session->setUiSetting(QStringLiteral("muted/") + conversation,
                            muted ? QByteArray("1") : QByteArray());
    reload();
}

bool ConversationListModel::isMuted(const QString &conversation) const
{
    return !m_session->uiSetting(QStringLiteral("muted/") + conversation).isEmpty();
}

void ConversationListModel::setPinned(const QString &conversation, bool pinned)
{
    m_session->setUiSetting(QStringLiteral("pinned/") + conversation,
                            pinned ? QByteArray("1") : QByteArray());
    reload();
}

void ConversationListModel::scheduleReload()
{
    if (!m_reloadTimer.isActive()) {
        m_reloadTimer.start();
    }
}

QString ConversationListModel::filePreview(const QByteArray &content)
{
    const auto decoded = Protocol::MessageContent::decode(content);
    if (!decoded || decoded->attachments.isEmpty()) {
        return {};
    }
    const Protocol::Attachment &attachment = decoded->attachments.first();
    if (attachment.mime.startsWith(QLatin1String("image/")) && !attachment.thumbnail.isEmpty()) {
        return tr("🖼 Photo");
    }
    if (attachment.mime.startsWith(QLatin1String("video/"))) {
        return tr("🎬 Video");
    }
    return tr("📎 %1").arg(attachment.name);
}

void ConversationListModel::reload()
{
    m_reloadTimer.stop();
    Client::LocalStore &store = m_session->reader();
    const QString self = m_session->username();
    QList<Row> rows;
    QSet<QString> seen;
    for (const Client::ConversationSummary &summary : store.conversations(self)) {
        Row row;
        row.id = summary.conversation;
        row.time = summary.lastTimestamp;
        row.preview = summary.lastText.simplified();
        if (row.preview.isEmpty() && !summary.lastMedia.isEmpty()) {
            row.preview = filePreview(summary.lastMedia);
        }
        row.group = !Protocol::groupIdOf(row.id).isEmpty();
        row.peer = row.group ? QString() : summary.peer;
        rows.append(row);
        seen.insert(row.id);
    }
    // Groups without messages yet are conversations too.
    for (const QString &groupId : store.groupIds()) {
        const QString id = Protocol::groupConversationId(groupId);
        if (!seen.contains(id)) {
            Row row;
            row.id = id;
            row.group = true;
            rows.append(row);
        }
    }
    for (Row &row : rows) {
        if (row.group) {
            const auto group = store.group(Protocol::groupIdOf(row.id));
            row.title = group ? group->name : tr("Group");
        } else {
            row.title = row.peer == self ? tr("Note to self") : row.peer;
        }
        row.unread = store.unreadCount(row.id, self);
        row.muted = isMuted(row.id);
        row.pinned = !m_session->uiSetting(QStringLiteral("pinned/") + row.id).isEmpty();
    }
    std::stable_sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) {
        if (a.pinned != b.pinned) {
            return a.pinned;
        }
        return a.time > b.time;
    });

    bool sameOrder = rows.size() == m_rows.size();
    for (int i = 0; sameOrder && i < rows.size(); ++i) {
        sameOrder = rows.at(i).id == m_rows.at(i).id;
    }
    if (sameOrder) {
        m_rows = rows;
        if (!m_rows.isEmpty()) {
            Q_EMIT dataChanged(index(0), index(static_cast<int>(m_rows.size()) - 1));
        }
    } else {
        // Views keep their current conversation by id across the reset (MainWindow).
        beginResetModel();
        m_rows = rows;
        endResetModel();
    }
    const int total = totalUnread();
    if (total != m_totalUnread) {
        m_totalUnread = total;
        Q_EMIT totalUnreadChanged(total);
    }
}

void ConversationListModel::onTyping(const QString &conversation, const QString &user, bool typing)
{
    if (user == m_session->username()) {
        return;
    }
    QSet<QString> &users = m_typing[conversation];
    if (typing) {
        users.insert(user);
    } else {
        users.remove(user);
    }
    emitChanged(conversation);
}

void ConversationListModel::onPresence(const QString &user, bool online, qint64)
{
    m_online.insert(user, online ? 1 : 0);
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).peer == user) {
            Q_EMIT dataChanged(index(i), index(i), {OnlineRole});
        }
    }
}

void ConversationListModel::emitChanged(const QString &conversation)
{
    const int row = rowOf(conversation);
    if (row >= 0) {
        Q_EMIT dataChanged(index(row), index(row));
    }
}

} // namespace Tincan::Gui
