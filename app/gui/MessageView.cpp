#include "app/gui/MessageView.h"

#include "app/gui/MessageDelegate.h"
#include "app/gui/MessageModel.h"

#include <QMouseEvent>
#include <QTextBoundaryFinder>

namespace Tincan::Gui {

MessageView::MessageView(QWidget *parent)
    : QListView(parent)
{
    setMouseTracking(true);
}

void MessageView::setMessageDelegate(MessageDelegate *delegate)
{
    m_delegate = delegate;
    setItemDelegate(delegate);
}

QString MessageView::selectedText() const
{
    return m_delegate ? m_delegate->selectedText() : QString();
}

void MessageView::clearTextSelection()
{
    if (!m_delegate) {
        return;
    }
    const QModelIndex previous = m_delegate->selectionIndex();
    m_delegate->clearTextSelection();
    if (previous.isValid()) {
        viewport()->update(visualRect(previous));
    }
}

QStyleOptionViewItem MessageView::optionFor(const QModelIndex &index) const
{
    QStyleOptionViewItem option;
    initViewItemOption(&option);
    option.rect = visualRect(index);
    return option;
}

QRect MessageView::textRectOf(const QModelIndex &index) const
{
    return m_delegate && index.isValid() ? m_delegate->textRect(optionFor(index), index) : QRect();
}

QRect MessageView::cancelRectOf(const QModelIndex &index) const
{
    return m_delegate && index.isValid() ? m_delegate->cancelRect(optionFor(index), index)
                                         : QRect();
}

int MessageView::positionAt(const QModelIndex &index, const QPoint &point) const
{
    return m_delegate ? m_delegate->textPositionAt(optionFor(index), index, point) : -1;
}

bool MessageView::inText(const QModelIndex &index, const QPoint &point) const
{
    return textRectOf(index).contains(point);
}

void MessageView::select(const QModelIndex &index, int start, int end)
{
    const QModelIndex previous = m_delegate->selectionIndex();
    m_delegate->setTextSelection(index, start, end);
    if (previous.isValid() && previous != index) {
        viewport()->update(visualRect(previous));
    }
    viewport()->update(visualRect(index));
}

void MessageView::mousePressEvent(QMouseEvent *event)
{
    const QPoint point = event->position().toPoint();
    const QModelIndex index = indexAt(point);
    if (event->button() == Qt::LeftButton && m_delegate && index.isValid()) {
        if (cancelRectOf(index).contains(point)) {
            Q_EMIT cancelUploadRequested(index);
            event->accept();
            return;
        }
        if (inText(index, point)) {
            // Text selection takes over from row selection: a message's text is what the
            // user means to copy now.
            if (selectionModel()) {
                selectionModel()->clearSelection();
                selectionModel()->setCurrentIndex(index, QItemSelectionModel::NoUpdate);
            }
            m_anchorIndex = index;
            m_anchor = positionAt(index, point);
            m_dragging = true;
            select(index, m_anchor, m_anchor);
            setFocus(Qt::MouseFocusReason);
            event->accept();
            return;
        }
    }
    if (event->button() == Qt::LeftButton) {
        clearTextSelection();
    }
    QListView::mousePressEvent(event);
}

void MessageView::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint point = event->position().toPoint();
    if (m_dragging) {
        if (!m_anchorIndex.isValid()) {
            m_dragging = false;
            return;
        }
        // Within the message the drag started in; past its top or bottom, to its start or end.
        const QRect row = visualRect(m_anchorIndex);
        int position = 0;
        if (point.y() < row.top()) {
            position = 0;
        } else if (point.y() >= row.bottom()) {
            position =
                static_cast<int>(m_anchorIndex.data(MessageModel::TextRole).toString().size());
        } else {
            position = positionAt(m_anchorIndex, point);
        }
        select(m_anchorIndex, m_anchor, std::max(0, position));
        event->accept();
        return;
    }
    if (event->buttons() == Qt::NoButton && m_delegate) {
        const QModelIndex index = indexAt(point);
        if (cancelRectOf(index).contains(point)) {
            viewport()->setCursor(Qt::PointingHandCursor);
        } else if (inText(index, point)) {
            viewport()->setCursor(Qt::IBeamCursor);
        } else {
            viewport()->unsetCursor();
        }
    }
    QListView::mouseMoveEvent(event);
}

void MessageView::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_dragging && event->button() == Qt::LeftButton) {
        m_dragging = false;
        if (selectedText().isEmpty()) {
            clearTextSelection(); // a click, not a drag
        }
        event->accept();
        return;
    }
    QListView::mouseReleaseEvent(event);
}

void MessageView::mouseDoubleClickEvent(QMouseEvent *event)
{
    const QPoint point = event->position().toPoint();
    const QModelIndex index = indexAt(point);
    if (event->button() == Qt::LeftButton && inText(index, point)) {
        // The word under the mouse, as in a text editor.
        const QString text = index.data(MessageModel::TextRole).toString();
        const int position = positionAt(index, point);
        QTextBoundaryFinder finder(QTextBoundaryFinder::Word, text);
        finder.setPosition(std::clamp(position, 0, static_cast<int>(text.size())));
        int start = finder.isAtBoundary() &&
                            finder.boundaryReasons().testFlag(QTextBoundaryFinder::StartOfItem)
                        ? static_cast<int>(finder.position())
                        : static_cast<int>(finder.toPreviousBoundary());
        finder.setPosition(start);
        int end = static_cast<int>(finder.toNextBoundary());
        if (start < 0 || end < 0) {
            start = 0;
            end = static_cast<int>(text.size());
        }
        m_dragging = false;
        select(index, start, end);
        event->accept();
        return;
    }
    QListView::mouseDoubleClickEvent(event);
}

} // namespace Tincan::Gui
