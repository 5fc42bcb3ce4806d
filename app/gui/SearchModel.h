#pragma once

#include "app/core/LocalStore.h"

#include <QAbstractListModel>
#include <QStyledItemDelegate>
#include <QTimer>

namespace Tincan::Gui {

class Session;

//! Messages of the local history that match what the user types (LocalStore::search, FTS4):
//! all conversations, or one. The query runs on the UI thread's read connection, a short moment
//! after the last keystroke.
class SearchModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        LocalIdRole = Qt::UserRole + 1,
        ConversationRole,
        TitleRole, //!< the conversation's name
        SenderRole,
        TimeRole,
        SnippetRole, //!< the text around the first match, one line
        MatchesRole, //!< QVariantList of QPoint(position, length) in the snippet
    };

    //! `titleOf` names a conversation (ConversationListModel::titleOf).
    SearchModel(Session *session, std::function<QString(const QString &)> titleOf,
                QObject *parent = nullptr);

    //! Searches for `query` (soon; now with `immediately`), only in `conversation` if not empty.
    void setQuery(const QString &query, const QString &conversation = {}, bool immediately = false);
    QString query() const { return m_query; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    const Client::SearchHit &hitAt(int row) const { return m_hits.at(row); }

    static constexpr int Limit = 200;
    //! The part of `text` around its first match (at most about `width` characters, on one
    //! line), with the matches moved into it.
    static QString snippet(const QString &text, const QList<QPair<int, int>> &matches, int width,
                           QList<QPair<int, int>> *snippetMatches);

Q_SIGNALS:
    void searched(int count);

private:
    void run();

    Session *m_session;
    std::function<QString(const QString &)> m_titleOf;
    QString m_query;
    QString m_conversation;
    QList<Client::SearchHit> m_hits;
    QTimer m_timer;
};

//! Paints a search hit: conversation (and sender), time, and the snippet with the matched words
//! highlighted.
class SearchDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace Tincan::Gui
