#pragma once

#include <QStyledItemDelegate>

namespace Tincan::Gui {

//! Paints a MessageModel row: the day separator when a day starts, then a bubble (ours on the
//! trailing side, mirrored right-to-left) with the sender's name in groups, the text, an
//! image preview or a file card with progress, and the time with the delivery ticks; or a
//! centred notice for system and undecryptable messages.
class MessageDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    bool helpEvent(QHelpEvent *event, QAbstractItemView *view, const QStyleOptionViewItem &option,
                   const QModelIndex &index) override;

    //! The tick symbol of a status: 🕓 sending, ✓ sent, ✓✓ delivered or read, ! failed.
    static QString tickText(int status);

private:
    struct Layout;
    Layout layout(const QStyleOptionViewItem &option, const QModelIndex &index) const;
};

} // namespace Tincan::Gui
