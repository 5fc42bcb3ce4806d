#pragma once

#include <QStyledItemDelegate>

namespace Tincan::Gui {

//! Paints a ConversationListModel row: avatar (initials on a colour) with a presence dot, the
//! name and time, the last message or a typing hint, the unread badge, muted and pinned marks.
class ConversationDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    //! "14:05" today, the weekday within a week, the date before.
    static QString timeText(qint64 ms);
};

} // namespace Tincan::Gui
