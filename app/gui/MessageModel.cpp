#include "app/gui/MessageModel.h"

#include "app/core/ClientCore.h"
#include "app/gui/Session.h"
#include "shared/protocol/Validation.h"

#include <QDateTime>
#include <QLocale>

namespace Tincan::Gui {

using Client::StoredMessage;

namespace {

qint64 timeOf(const StoredMessage &message)
{
    return message.serverTimestamp > 0 ? message.serverTimestamp : message.localTimestamp;
}

QDate dayOf(const StoredMessage &message)
{
    return QDateTime::fromMSecsSinceEpoch(timeOf(message)).date();
}

bool isVideo(const Protocol::Attachment *attachment)
{
    return attachment && attachment->mime.startsWith(QLatin1String("video/"));
}

} // namespace

MessageModel::MessageModel(Session *session, QObject *parent)
    : QAbstractListModel(parent)
    , m_session(session)
{
    Client::ClientCore *core = session->core();
    connect(core, &Client::ClientCore::messageReceived, this, &MessageModel::onChangedMessage);
    connect(core, &Client::ClientCore::messageRepaired, this, &MessageModel::onChangedMessage);
    connect(core, &Client::ClientCore::messageAdded, this, &MessageModel::onChangedMessage);
    connect(core, &Client::ClientCore::messageRemoved, this,
            [this](const QString &conversation, const QString &clientId) {
                onRemoved(conversation, clientId);
            });
    connect(core, &Client::ClientCore::messageStatusChanged, this, &MessageModel::onStatus);
    connect(core, &Client::ClientCore::receiptChanged, this,
            [this](const QString &conversation) { onReceipt(conversation); });
    connect(core, &Client::ClientCore::groupChanged, this, [this](const QString &groupId) {
        onReceipt(Protocol::groupConversationId(groupId));
        refreshTail();
    });
    connect(core, &Client::ClientCore::transferProgress, this,
            [this](const QString &id, qint64 done, qint64 total) { onProgress(id, done, total); });
    connect(core, &Client::ClientCore::transferFinished, this,
            [this](const QString &id) { onTransferFinished(id); });
    connect(core, &Client::ClientCore::historyReceived, this, [this] {
        // Imported history may land anywhere in the conversation: load it afresh.
        setConversation(m_conversation);
    });
}

void MessageModel::setConversation(const QString &conversation)
{
    beginResetModel();
    m_conversation = conversation;
    m_group = !Protocol::groupIdOf(conversation).isEmpty();
    m_rows.clear();
    m_atStart = true;
    m_receipts.known = false;
    m_atEnd = true;
    if (!conversation.isEmpty()) {
        const QList<StoredMessage> page = m_session->reader().history(conversation, PageSize);
        for (const StoredMessage &message : page) {
            m_rows.append(makeRow(message));
        }
        m_atStart = page.size() < PageSize;
    }
    endResetModel();
}

MessageModel::Row MessageModel::makeRow(const StoredMessage &message) const
{
    Row row;
    row.message = message;
    row.attachments = Client::ClientCore::attachmentsOf(message);
    return row;
}

int MessageModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QVariant MessageModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const int r = index.row();
    const Row &row = m_rows.at(r);
    const StoredMessage &message = row.message;
    const Protocol::Attachment *attachment =
        row.attachments.isEmpty() ? nullptr : &row.attachments.first();
    switch (role) {
    case Qt::DisplayRole:
    case TextRole:
        if (message.status == StoredMessage::Status::Undecryptable) {
            return tr("This message could not be decrypted (%1). Tincan asked the sender's "
                      "device to send it again.")
                .arg(message.error.isEmpty() ? tr("unknown reason") : message.error);
        }
        return message.text;
    case Qt::AccessibleTextRole: {
        const QString who = message.outgoing ? tr("You") : message.sender;
        QString content = data(index, TextRole).toString();
        if (isVideo(attachment)) {
            // What the poster shows sighted users: that it is a video, and how long.
            const QString video = attachment->durationMs > 0
                                      ? tr("Video, %1").arg(durationText(attachment->durationMs))
                                      : tr("Video");
            content = content.isEmpty() ? video : tr("%1: %2").arg(video, content);
        }
        return tr("%1 at %2: %3")
            .arg(who,
                 QLocale().toString(QDateTime::fromMSecsSinceEpoch(timeOf(message)).time(),
                                    QLocale::ShortFormat),
                 content);
    }
    case LocalIdRole:
        return message.localId;
    case ClientIdRole:
        return message.clientMessageId;
    case SenderRole:
        return message.sender;
    case TimeRole:
        return timeOf(message);
    case OutgoingRole:
        return message.outgoing;
    case StatusRole:
        return static_cast<int>(message.status);
    case StatusTextRole:
        switch (message.status) {
        case StoredMessage::Status::Pending:
            return tr("Sending");
        case StoredMessage::Status::Sent:
            return tr("Sent");
        case StoredMessage::Status::Delivered:
            return tr("Delivered");
        case StoredMessage::Status::Read:
            return tr("Read");
        case StoredMessage::Status::Failed:
            return tr("Not sent: %1").arg(message.error);
        case StoredMessage::Status::Uploading:
            return tr("Uploading");
        default:
            return QString();
        }
    case ErrorRole:
        return message.error;
    case KindRole:
        if (message.status == StoredMessage::Status::System) {
            return QVariant::fromValue(Kind::System);
        }
        if (message.status == StoredMessage::Status::Undecryptable) {
            return QVariant::fromValue(Kind::Undecryptable);
        }
        return QVariant::fromValue(attachment ? Kind::Media : Kind::Text);
    case DayBreakRole:
        return r == 0 || dayOf(message) != dayOf(m_rows.at(r - 1).message);
    case ShowSenderRole:
        if (!m_group || message.outgoing || message.status == StoredMessage::Status::System) {
            return false;
        }
        return r == 0 || m_rows.at(r - 1).message.sender != message.sender ||
               m_rows.at(r - 1).message.status == StoredMessage::Status::System ||
               dayOf(message) != dayOf(m_rows.at(r - 1).message);
    case ReceiptTextRole:
    case ReceiptDetailRole:
        if (!m_group || !message.outgoing || message.seq <= 0) {
            return QString();
        }
        if (!row.receiptKnown) {
            computeReceipt(row);
        }
        return role == ReceiptTextRole ? row.receiptText : row.receiptDetail;
    case AttachmentCountRole:
        return static_cast<int>(row.attachments.size());
    case FileNameRole:
        return attachment ? attachment->name : QString();
    case FileSizeRole:
        return attachment ? attachment->size : qint64(0);
    case MimeRole:
        return attachment ? attachment->mime : QString();
    case MediaIdRole:
        return attachment ? attachment->mediaId : QString();
    case IsVideoRole:
        return isVideo(attachment);
    case DurationRole:
        return attachment ? attachment->durationMs : qint64(0);
    case ImageSizeRole:
        return attachment ? QSize(attachment->width, attachment->height) : QSize();
    case ThumbnailRole:
        if (attachment && !row.thumbnailDecoded) {
            row.thumbnailDecoded = true;
            if (!attachment->thumbnail.isEmpty()) {
                row.thumbnail.loadFromData(attachment->thumbnail);
            }
        }
        return row.thumbnail;
    case ProgressRole: {
        auto it = m_progress.constFind(message.clientMessageId);
        if (it == m_progress.constEnd() && attachment) {
            it = m_progress.constFind(attachment->mediaId);
        }
        return it == m_progress.constEnd() ? -1 : *it;
    }
    default:
        return {};
    }
}

QHash<int, QByteArray> MessageModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert({{LocalIdRole, "localId"},
                  {ClientIdRole, "clientId"},
                  {TextRole, "text"},
                  {SenderRole, "sender"},
                  {TimeRole, "time"},
                  {OutgoingRole, "outgoing"},
                  {StatusRole, "status"},
                  {StatusTextRole, "statusText"},
                  {ErrorRole, "error"},
                  {KindRole, "kind"},
                  {DayBreakRole, "dayBreak"},
                  {ShowSenderRole, "showSender"},
                  {ReceiptTextRole, "receiptText"},
                  {ReceiptDetailRole, "receiptDetail"},
                  {AttachmentCountRole, "attachmentCount"},
                  {FileNameRole, "fileName"},
                  {FileSizeRole, "fileSize"},
                  {MimeRole, "mime"},
                  {ThumbnailRole, "thumbnail"},
                  {ImageSizeRole, "imageSize"},
                  {ProgressRole, "progress"},
                  {MediaIdRole, "mediaId"},
                  {IsVideoRole, "isVideo"},
                  {DurationRole, "duration"}});
    return names;
}

QString MessageModel::durationText(qint64 ms)
{
    const qint64 total = (std::max<qint64>(0, ms) + 500) / 1000;
    const QLatin1Char zero('0');
    if (total < 3600) {
        return QStringLiteral("%1:%2").arg(total / 60).arg(total % 60, 2, 10, zero);
    }
    return QStringLiteral("%1:%2:%3")
        .arg(total / 3600)
        .arg(total / 60 % 60, 2, 10, zero)
        .arg(total % 60, 2, 10, zero);
}

bool MessageModel::canFetchOlder() const
{
    return !m_atStart && !m_conversation.isEmpty() && !m_fetchPending;
}

void MessageModel::fetchOlder()
{
    // Asynchronous: the page is read on the next pass of the event loop, never from inside
    // another change notification (the view's scroll handler asks for it).
    if (!canFetchOlder()) {
        return;
    }
    m_fetchPending = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_fetchPending = false;
            loadOlder();
        },
        Qt::QueuedConnection);
}

bool MessageModel::loadOlder()
{
    if (m_atStart || m_conversation.isEmpty() || m_rows.isEmpty()) {
        return false;
    }
    qint64 oldest = m_rows.first().message.localId;
    for (const Row &row : m_rows) {
        oldest = std::min(oldest, row.message.localId);
    }
    const QList<StoredMessage> page = m_session->reader().history(m_conversation, PageSize, oldest);
    m_atStart = page.size() < PageSize;
    if (page.isEmpty()) {
        return false;
    }
    beginInsertRows({}, 0, static_cast<int>(page.size()) - 1);
    QList<Row> rows;
    rows.reserve(page.size() + m_rows.size());
    for (const StoredMessage &message : page) {
        rows.append(makeRow(message));
    }
    rows.append(m_rows);
    m_rows = std::move(rows);
    endInsertRows();
    // The first message of the old window may no longer start its day.
    const QModelIndex first = index(static_cast<int>(page.size()));
    Q_EMIT dataChanged(first, first, {DayBreakRole, ShowSenderRole});
    Q_EMIT olderLoaded(static_cast<int>(page.size()));
    return true;
}

int MessageModel::ensureLoaded(qint64 localId)
{
    int row = rowOfLocalId(localId);
    while (row < 0 && loadOlder()) {
        row = rowOfLocalId(localId);
    }
    return row;
}

int MessageModel::rowOfLocalId(qint64 localId) const
{
    for (int i = static_cast<int>(m_rows.size()) - 1; i >= 0; --i) {
        if (m_rows.at(i).message.localId == localId) {
            return i;
        }
    }
    return -1;
}

int MessageModel::rowOfClientId(const QString &clientId) const
{
    for (int i = static_cast<int>(m_rows.size()) - 1; i >= 0; --i) {
        if (m_rows.at(i).message.clientMessageId == clientId) {
            return i;
        }
    }
    return -1;
}

qint64 MessageModel::lastIncomingSeq() const
{
    for (int i = static_cast<int>(m_rows.size()) - 1; i >= 0; --i) {
        const StoredMessage &message = m_rows.at(i).message;
        if (!message.outgoing && message.seq > 0) {
            return message.seq;
        }
    }
    return 0;
}

int MessageModel::loadAround(qint64 localId)
{
    const int row = rowOfLocalId(localId);
    if (row >= 0) {
        return row;
    }
    const QList<StoredMessage> around =
        m_session->reader().historyAround(m_conversation, localId, PageSize / 2, PageSize / 2);
    if (around.isEmpty()) {
        return -1;
    }
    beginResetModel();
    m_rows.clear();
    for (const StoredMessage &message : around) {
        m_rows.append(makeRow(message));
    }
    // Whether there is more on either side: ask for one more message each way.
    m_atStart = m_session->reader().history(m_conversation, 1, around.first().localId).isEmpty();
    qint64 newest = 0;
    for (const Row &item : std::as_const(m_rows)) {
        newest = std::max(newest, item.message.localId);
    }
    m_atEnd = m_session->reader().historyAfter(m_conversation, newest, 1).isEmpty();
    endResetModel();
    return rowOfLocalId(localId);
}

bool MessageModel::loadNewer()
{
    if (m_atEnd || m_conversation.isEmpty()) {
        return false;
    }
    qint64 newest = 0;
    for (const Row &row : std::as_const(m_rows)) {
        newest = std::max(newest, row.message.localId);
    }
    const QList<StoredMessage> page =
        m_session->reader().historyAfter(m_conversation, newest, PageSize);
    m_atEnd = page.size() < PageSize;
    if (page.isEmpty()) {
        return false;
    }
    const int first = static_cast<int>(m_rows.size());
    beginInsertRows({}, first, first + static_cast<int>(page.size()) - 1);
    for (const StoredMessage &message : page) {
        m_rows.append(makeRow(message));
    }
    endInsertRows();
    return true;
}

void MessageModel::refreshTail()
{
    // A window that does not reach the newest message grows with loadNewer() instead.
    if (m_conversation.isEmpty() || !m_atEnd) {
        return;
    }
    qint64 newest = 0;
    for (const Row &row : m_rows) {
        newest = std::max(newest, row.message.localId);
    }
    QList<StoredMessage> added;
    for (;;) {
        const QList<StoredMessage> page =
            m_session->reader().historyAfter(m_conversation, newest, 1000);
        added += page;
        if (page.size() < 1000) {
            break;
        }
        newest = page.last().localId;
    }
    if (added.isEmpty()) {
        return;
    }
    const int first = static_cast<int>(m_rows.size());
    beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
    for (const StoredMessage &message : added) {
        m_rows.append(makeRow(message));
    }
    endInsertRows();
}

void MessageModel::onChangedMessage(const StoredMessage &message)
{
    if (message.conversation != m_conversation) {
        return;
    }
    const int row = rowOfLocalId(message.localId);
    if (row >= 0) {
        // Repaired: re-read it whole.
        if (const auto stored = m_session->reader().messageById(message.localId)) {
            m_rows[row] = makeRow(*stored);
        }
        Q_EMIT dataChanged(index(row), index(row));
        return;
    }
    refreshTail();
}

void MessageModel::onRemoved(const QString &conversation, const QString &clientId)
{
    if (conversation != m_conversation) {
        return;
    }
    const int row = rowOfClientId(clientId);
    if (row < 0) {
        return;
    }
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    endRemoveRows();
    m_progress.remove(clientId);
    // The next message may now start its day or its sender's run.
    if (row < m_rows.size()) {
        Q_EMIT dataChanged(index(row), index(row), {DayBreakRole, ShowSenderRole});
    }
}

void MessageModel::onStatus(const QString &clientId, StoredMessage::Status status,
                            const QString &error)
{
    const int row = rowOfClientId(clientId);
    if (row < 0) {
        refreshTail();
        return;
    }
    Row &item = m_rows[row];
    if (const auto stored = m_session->reader().messageById(item.message.localId)) {
        // Seq and server time arrive with "sent"; an upload's final attachment with "pending".
        item = makeRow(*stored);
    } else {
        item.message.status = status;
        item.message.error = error;
    }
    item.receiptKnown = false;
    Q_EMIT dataChanged(index(row), index(row));
}

void MessageModel::onReceipt(const QString &conversation)
{
    if (conversation != m_conversation) {
        return;
    }
    m_receipts.known = false;
    if (m_rows.isEmpty()) {
        return;
    }
    for (Row &row : m_rows) {
        row.receiptKnown = false;
    }
    Q_EMIT dataChanged(index(0), index(static_cast<int>(m_rows.size()) - 1),
                       {ReceiptTextRole, ReceiptDetailRole});
}

void MessageModel::computeReceipt(const Row &row) const
{
    row.receiptKnown = true;
    if (!m_receipts.known) {
        // Once per change of the group or of its receipts, not once per row: the members and
        // how far each got.
        m_receipts = {};
        m_receipts.known = true;
        const auto group = m_session->reader().group(Protocol::groupIdOf(m_conversation));
        for (const Client::GroupMemberInfo &member :
             group ? group->members : QList<Client::GroupMemberInfo>()) {
            if (member.user != m_session->username()) {
                m_receipts.others.append(member.user);
                m_receipts.positions.insert(
                    member.user, m_session->reader().receipt(m_conversation, member.user));
            }
        }
    }
    const QStringList &others = m_receipts.others;
    Client::ReceiptSummary summary;
    summary.total = static_cast<int>(others.size());
    for (const QString &user : others) {
        const auto [delivered, read] = m_receipts.positions.value(user);
        if (delivered >= row.message.seq) {
            summary.deliveredTo.append(user);
        }
        if (read >= row.message.seq) {
            summary.readBy.append(user);
        }
    }
    if (summary.total == 0) {
        return;
    }
    if (!summary.readBy.isEmpty()) {
        row.receiptText = tr("Read by %1 of %2").arg(summary.readBy.size()).arg(summary.total);
    } else if (!summary.deliveredTo.isEmpty()) {
        row.receiptText =
            tr("Delivered to %1 of %2").arg(summary.deliveredTo.size()).arg(summary.total);
    }
    QStringList lines;
    for (const QString &user : others) {
        if (summary.readBy.contains(user)) {
            lines.append(tr("%1: read").arg(user));
        } else if (summary.deliveredTo.contains(user)) {
            lines.append(tr("%1: delivered").arg(user));
        } else {
            lines.append(tr("%1: sent").arg(user));
        }
    }
    row.receiptDetail = lines.join(QLatin1Char('\n'));
}

int MessageModel::rowOfTransfer(const QString &id) const
{
    for (int i = static_cast<int>(m_rows.size()) - 1; i >= 0; --i) {
        const Row &row = m_rows.at(i);
        if (row.message.clientMessageId == id ||
            (!row.attachments.isEmpty() && row.attachments.first().mediaId == id)) {
            return i;
        }
    }
    return -1;
}

void MessageModel::onProgress(const QString &id, qint64 done, qint64 total)
{
    m_progress.insert(id, total > 0 ? static_cast<int>(done * 1000 / total) : 0);
    const int row = rowOfTransfer(id);
    if (row >= 0) {
        Q_EMIT dataChanged(index(row), index(row), {ProgressRole});
    } else {
        refreshTail(); // an upload's message appears once the transfer starts
    }
}

void MessageModel::onTransferFinished(const QString &id)
{
    m_progress.remove(id);
    const int row = rowOfTransfer(id);
    if (row >= 0) {
        Q_EMIT dataChanged(index(row), index(row), {ProgressRole});
    }
}

} // namespace Tincan::Gui
