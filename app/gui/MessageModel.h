#pragma once

#include "app/core/LocalStore.h"
#include "shared/protocol/MessageContent.h"

#include <QAbstractListModel>
#include <QHash>
#include <QImage>
#include <QStringList>

namespace Tincan::Gui {

class Session;

//! The messages of one conversation, for a QListView with MessageDelegate (one row per
//! message, painted, never a widget per message). It holds a window of the history: the newest
//! page when a conversation opens, older pages as the view scrolls up (fetchOlder), new
//! messages appended as the core stores them.
class MessageModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        LocalIdRole = Qt::UserRole + 1,
        ClientIdRole,
        TextRole,
        SenderRole,
        TimeRole, //!< ms since the epoch (the server's time when known)
        OutgoingRole,
        StatusRole, //!< Client::StoredMessage::Status as int
        StatusTextRole,
        ErrorRole,
        KindRole,          //!< Kind
        DayBreakRole,      //!< the first message of its day: the delegate draws a separator
        ShowSenderRole,    //!< a group message that starts a run of one sender's messages
        ReceiptTextRole,   //!< "Read by 2 of 3" (our group messages)
        ReceiptDetailRole, //!< who got it and who read it, one per line
        AttachmentCountRole,
        FileNameRole,
        FileSizeRole,
        MimeRole,
        ThumbnailRole, //!< QImage preview, null if none
        ImageSizeRole, //!< QSize of the picture, if known
        ProgressRole,  //!< 0..1000 while a transfer of this message runs, -1 otherwise
        MediaIdRole,
        IsVideoRole,  //!< the attachment is a video (its MIME type is video/*)
        DurationRole, //!< qint64: the video's (or audio's) length in ms, 0 if unknown
    };
    enum class Kind { Text, Media, System, Undecryptable };
    Q_ENUM(Kind)

    explicit MessageModel(Session *session, QObject *parent = nullptr);

    //! Shows another conversation (empty: none).
    void setConversation(const QString &conversation);
    QString conversation() const { return m_conversation; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    //! Older history is there to load (and no load is pending).
    bool canFetchOlder() const;
    //! Loads the previous page on the next pass of the event loop. Not QAbstractItemModel's
    //! fetchMore(): item views call that whenever the last row is in view, which in a chat is
    //! always, and each call would load another page of older history at the top.
    void fetchOlder();

    //! Loads messages until `localId` is in the model (for a search hit); its row, or -1.
    int ensureLoaded(qint64 localId);
    int rowOfLocalId(qint64 localId) const;
    int rowOfClientId(const QString &clientId) const;
    const Client::StoredMessage &messageAt(int row) const { return m_rows.at(row).message; }
    //! The newest incoming message's seq (for read marks).
    qint64 lastIncomingSeq() const;
    static constexpr int PageSize = 80;

    //! A length as a player shows it: "0:05", "12:34", "1:02:03" (`ms` rounded to seconds).
    static QString durationText(qint64 ms);

    //! Loads the previous page now; false when there is none.
    bool loadOlder();
    //! Shows the history around `localId` (a search hit) instead of the newest messages; then
    //! newer pages load with loadNewer(). Returns its row, or -1 if it is not in this chat.
    int loadAround(qint64 localId);
    //! Loads the next newer page when the window does not reach the newest message.
    bool loadNewer();
    //! The window holds the newest message (new ones are appended as they arrive).
    bool atEnd() const { return m_atEnd; }

Q_SIGNALS:
    //! `count` older messages were put before the first row.
    void olderLoaded(int count);

public Q_SLOTS:
    //! Appends what the store has after the newest row, and refreshes rows whose status moved.
    void refreshTail();

private:
    struct Row
    {
        Client::StoredMessage message;
        QList<Protocol::Attachment> attachments;
        mutable QImage thumbnail;
        mutable bool thumbnailDecoded = false;
        mutable QString receiptText;
        mutable QString receiptDetail;
        mutable bool receiptKnown = false;
    };
    Row makeRow(const Client::StoredMessage &message) const;
    void onStatus(const QString &clientId, Client::StoredMessage::Status status,
                  const QString &error);
    void onChangedMessage(const Client::StoredMessage &message);
    void onReceipt(const QString &conversation);
    void onProgress(const QString &id, qint64 done, qint64 total);
    void onTransferFinished(const QString &id);
    void onRemoved(const QString &conversation, const QString &clientId);
    void computeReceipt(const Row &row) const;
    int rowOfTransfer(const QString &id) const;

    Session *m_session;
    QString m_conversation;
    bool m_group = false;
    QList<Row> m_rows;
    bool m_atStart = true;
    bool m_fetchPending = false;
    bool m_atEnd = true;
    struct Receipts
    {
        bool known = false;
        QStringList others;                              //!< the other members
        QHash<QString, QPair<qint64, qint64>> positions; //!< user -> delivered, read
    };
    mutable Receipts m_receipts;    //!< the group's, for computeReceipt()
    QHash<QString, int> m_progress; //!< transfer id -> per mille
};

} // namespace Tincan::Gui
