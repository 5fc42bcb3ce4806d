#pragma once

#include <QListView>

namespace Tincan::Gui {

class MessageDelegate;

//! The list of a conversation's messages (a MessageModel painted by a MessageDelegate). Besides
//! what a QListView does (rows selected whole, for copying several messages), the mouse
//! selects part of a message's text, as in a text editor: drag over the text, double-click a
//! word; the selection is painted inside the bubble and copied by copySelection(). A click on
//! the cancel button of a file that uploads asks to cancel it.
class MessageView : public QListView
{
    Q_OBJECT

public:
    explicit MessageView(QWidget *parent = nullptr);

    void setMessageDelegate(MessageDelegate *delegate);
    MessageDelegate *messageDelegate() const { return m_delegate; }

    //! The selected part of one message's text; empty when none is selected.
    QString selectedText() const;
    bool hasTextSelection() const { return !selectedText().isEmpty(); }
    void clearTextSelection();
    //! Where `index`'s text is (null if it has none) and its upload's cancel button (null
    //! unless it uploads), in the viewport's coordinates.
    QRect textRectOf(const QModelIndex &index) const;
    QRect cancelRectOf(const QModelIndex &index) const;

Q_SIGNALS:
    //! The user clicked the cancel button of the file that `index` uploads.
    void cancelUploadRequested(const QModelIndex &index);

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;

private:
    QStyleOptionViewItem optionFor(const QModelIndex &index) const;
    //! The text position of `index` under `point` (or nearest it), -1 if the row has no text.
    int positionAt(const QModelIndex &index, const QPoint &point) const;
    bool inText(const QModelIndex &index, const QPoint &point) const;
    void select(const QModelIndex &index, int start, int end);

    MessageDelegate *m_delegate = nullptr;
    QPersistentModelIndex m_anchorIndex; //!< the message a drag selects in
    int m_anchor = -1;                   //!< where the drag started in its text
    bool m_dragging = false;
};

} // namespace Tincan::Gui
