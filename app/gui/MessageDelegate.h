#pragma once

#include <QFont>
#include <QHash>
#include <QPersistentModelIndex>
#include <QPointer>
#include <QStyledItemDelegate>

namespace Tincan::Gui {

//! Paints a MessageModel row: the day separator when a day starts, then a bubble (ours on the
//! trailing side, mirrored right-to-left) with the sender's name in groups, the text, an
//! image preview (a video's poster with a play button and its length) or a file card with
//! progress, and the time with the delivery ticks; or a centred notice for system and
//! undecryptable messages.
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

    //! Remembers each row's size (by message, for the view's width and font) until `model`
    //! says the row changed. A QListView lays every row out again whenever rows are inserted,
    //! so without this each page of older history measured the whole loaded history once more.
    void cacheSizesOf(QAbstractItemModel *model);

    //! Where the row's text is painted (null if it has none), in the view's coordinates.
    QRect textRect(const QStyleOptionViewItem &option, const QModelIndex &index) const;
    //! The button that cancels the row's upload (null unless it uploads).
    QRect cancelRect(const QStyleOptionViewItem &option, const QModelIndex &index) const;
    //! The position in the row's text nearest `point` (a cursor position: 0 .. length), or -1
    //! if the row has no text. Above the text: 0; below it: the end.
    int textPositionAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                       const QPoint &point) const;
    //! Characters [start, end) (either order) of `index`'s text are selected and painted so.
    void setTextSelection(const QModelIndex &index, int start, int end);
    void clearTextSelection() { m_selection = {}; }
    //! The selected part of a message's text (empty if none).
    QString selectedText() const;
    QModelIndex selectionIndex() const { return m_selection.index; }

private:
    struct Layout;
    Layout layout(const QStyleOptionViewItem &option, const QModelIndex &index) const;
    void forgetSizes(const QModelIndex &topLeft, const QModelIndex &bottomRight,
                     const QList<int> &roles);

    struct CachedSize
    {
        int width = 0;
        QSize size;
    };
    struct TextSelection
    {
        QPersistentModelIndex index;
        int start = 0;
        int end = 0;
    };
    TextSelection m_selection;
    QPointer<QAbstractItemModel> m_cachedModel;
    mutable QHash<qint64, CachedSize> m_sizes; //!< by local id
    mutable QFont m_sizesFont;
};

} // namespace Tincan::Gui
