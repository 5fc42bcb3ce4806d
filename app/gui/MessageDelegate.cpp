#include "app/gui/MessageDelegate.h"

#include "app/core/LocalStore.h"
#include "app/gui/Avatar.h"
#include "app/gui/MessageModel.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QDateTime>
#include <QHelpEvent>
#include <QLocale>
#include <QPainter>
#include <QPainterPath>
#include <QTextLayout>
#include <QToolTip>

#include <cmath>

namespace Tincan::Gui {

using Status = Client::StoredMessage::Status;

namespace {
constexpr int Margin = 8;
constexpr int Padding = 8;
constexpr int DayHeight = 30;
constexpr int MaxImage = 260;
constexpr int FileCardHeight = 46;

QString dayText(qint64 ms)
{
    const QDate day = QDateTime::fromMSecsSinceEpoch(ms).date();
    const QDate today = QDate::currentDate();
    if (day == today) {
        return MessageDelegate::tr("Today");
    }
    if (day == today.addDays(-1)) {
        return MessageDelegate::tr("Yesterday");
    }
    return QLocale().toString(day, QLocale::LongFormat);
}

QString sizeText(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightness() < 128;
}

//! Lays `text` out in lines of at most `width` pixels (words wrap, a word longer than a line
//! breaks anywhere); returns the width of the widest line and the height of all of them. The
//! same layout paints the text, finds the character under the mouse and draws a selection.
QSize layOutText(QTextLayout &layout, const QString &text, const QFont &font, int width,
                 Qt::LayoutDirection direction)
{
    QString lines = text;
    // QTextLayout breaks lines at U+2028, not at '\n' (one character for one: positions stay).
    lines.replace(QLatin1Char('\n'), QChar::LineSeparator);
    layout.setText(lines);
    layout.setFont(font);
    QTextOption option(Qt::AlignLeading);
    option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    option.setTextDirection(direction);
    layout.setTextOption(option);
    layout.setCacheEnabled(true);
    qreal height = 0;
    qreal widest = 0;
    layout.beginLayout();
    for (QTextLine line = layout.createLine(); line.isValid(); line = layout.createLine()) {
        line.setLineWidth(width);
        line.setPosition(QPointF(0, height));
        height += line.height();
        widest = std::max(widest, line.naturalTextWidth());
    }
    layout.endLayout();
    return {static_cast<int>(std::ceil(widest)), static_cast<int>(std::ceil(height))};
}

//! Over a video's poster: a round translucent play button in the middle, and the length in a
//! small rounded label in the top leading corner. Readable on any picture (white on
//! translucent black).
void paintVideoOverlay(QPainter *painter, const QRect &poster, const QString &duration,
                       const QFont &font, Qt::LayoutDirection direction)
{
    painter->save();
    painter->setPen(Qt::NoPen);
    const int diameter = std::min(48, std::min(poster.width(), poster.height()) * 3 / 5);
    if (diameter >= 16) {
        const QRectF circle(poster.center().x() - diameter / 2.0,
                            poster.center().y() - diameter / 2.0, diameter, diameter);
        painter->setBrush(QColor(0, 0, 0, 140));
        painter->drawEllipse(circle);
        // A triangle pointing right, a little right of centre so that it looks centred.
        const double side = diameter * 0.42;
        const QPointF centre = circle.center() + QPointF(side * 0.12, 0);
        const QPointF triangle[3] = {centre + QPointF(-side / 2, -side / 2),
                                     centre + QPointF(-side / 2, side / 2),
                                     centre + QPointF(side / 2, 0)};
        painter->setBrush(QColor(255, 255, 255, 230));
        painter->drawPolygon(triangle, 3);
    }
    if (!duration.isEmpty()) {
        QFont small = font;
        small.setPointSizeF(small.pointSizeF() * 0.8);
        const QFontMetrics fm(small);
        const QSize size(fm.horizontalAdvance(duration) + 10, fm.height() + 2);
        if (size.width() + 8 <= poster.width() && size.height() + 8 <= poster.height()) {
            const int x = direction == Qt::RightToLeft ? poster.right() - 5 - size.width()
                                                       : poster.left() + 6;
            const QRect label(QPoint(x, poster.top() + 6), size);
            painter->setBrush(QColor(0, 0, 0, 150));
            painter->drawRoundedRect(label, size.height() / 2.0, size.height() / 2.0);
            painter->setFont(small);
            painter->setPen(Qt::white);
            painter->drawText(label, Qt::AlignCenter, duration);
        }
    }
    painter->restore();
}
} // namespace

struct MessageDelegate::Layout
{
    bool notice = false; //!< system / undecryptable: centred text, no bubble
    bool outgoing = false;
    int dayHeight = 0;
    QRect bubble;
    QRect sender;
    QRect image;
    QRect file;
    QRect text;
    QRect footer;
    int height = 0;
};

QString MessageDelegate::tickText(int status)
{
    switch (static_cast<Status>(status)) {
    case Status::Pending:
    case Status::Uploading:
        return QStringLiteral("\u25F7"); // ◷ clock
    case Status::Sent:
        return QStringLiteral("\u2713");
    case Status::Delivered:
    case Status::Read:
        return QStringLiteral("\u2713\u2713");
    case Status::Failed:
        return QStringLiteral("!");
    default:
        return {};
    }
}

MessageDelegate::Layout MessageDelegate::layout(const QStyleOptionViewItem &option,
                                                const QModelIndex &index) const
{
    Layout l;
    const QFontMetrics fm(option.font);
    const int width = std::max(200, option.rect.width());
    int y = option.rect.top();
    if (index.data(MessageModel::DayBreakRole).toBool()) {
        l.dayHeight = DayHeight;
        y += DayHeight;
    }
    const auto kind = index.data(MessageModel::KindRole).value<MessageModel::Kind>();
    const QString text = index.data(MessageModel::TextRole).toString();
    if (kind == MessageModel::Kind::System) {
        l.notice = true;
        const QRect bounds = fm.boundingRect(QRect(0, 0, width - 8 * Margin, 100000),
                                             Qt::TextWordWrap | Qt::AlignHCenter, text);
        l.text = QRect(option.rect.left() + (width - bounds.width()) / 2, y + Margin / 2,
                       bounds.width(), bounds.height());
        l.height = y - option.rect.top() + bounds.height() + Margin;
        return l;
    }
    l.outgoing = index.data(MessageModel::OutgoingRole).toBool();
    const int maxInner = std::max(120, width * 7 / 10) - 2 * Padding;
    int innerWidth = 0;
    int innerHeight = 0;
    QSize senderSize;
    if (index.data(MessageModel::ShowSenderRole).toBool()) {
        QFont bold = option.font;
        bold.setBold(true);
        const QFontMetrics bfm(bold);
        senderSize =
            QSize(std::min(maxInner,
                           bfm.horizontalAdvance(index.data(MessageModel::SenderRole).toString())),
                  bfm.height());
        innerWidth = senderSize.width();
        innerHeight += senderSize.height() + 2;
    }
    QSize imageSize;
    bool fileCard = false;
    if (kind == MessageModel::Kind::Media) {
        const QImage thumb = index.data(MessageModel::ThumbnailRole).value<QImage>();
        if (!thumb.isNull()) {
            QSize natural = index.data(MessageModel::ImageSizeRole).toSize();
            if (!natural.isValid() || natural.isEmpty()) {
                natural = thumb.size();
            }
            imageSize = natural.scaled(std::min(MaxImage, maxInner), MaxImage, Qt::KeepAspectRatio);
            if (imageSize.width() > natural.width()) {
                imageSize = natural;
            }
            innerWidth = std::max(innerWidth, imageSize.width());
            innerHeight += imageSize.height() + 4;
        } else {
            fileCard = true;
            innerWidth = std::max(innerWidth, std::min(maxInner, 240));
            innerHeight += FileCardHeight + 4;
        }
    }
    QSize textSize;
    if (!text.isEmpty()) {
        QTextLayout measure;
        textSize = layOutText(measure, text, option.font, maxInner, option.direction);
        innerWidth = std::max(innerWidth, textSize.width());
        innerHeight += textSize.height();
    }
    // Footer: time, ticks, receipts ("Read by 2 of 3").
    QString footer = QLocale().toString(
        QDateTime::fromMSecsSinceEpoch(index.data(MessageModel::TimeRole).toLongLong()).time(),
        QLocale::ShortFormat);
    if (l.outgoing) {
        footer += QLatin1String("  ") + tickText(index.data(MessageModel::StatusRole).toInt()) +
                  QLatin1Char(' ') + index.data(MessageModel::ReceiptTextRole).toString();
    }
    QFont small = option.font;
    small.setPointSizeF(small.pointSizeF() * 0.85);
    const QFontMetrics sfm(small);
    const QSize footerSize(sfm.horizontalAdvance(footer), sfm.height());
    innerWidth = std::max(innerWidth, footerSize.width());
    innerHeight += footerSize.height() + 2;

    const int bubbleWidth = innerWidth + 2 * Padding;
    const int bubbleHeight = innerHeight + 2 * Padding;
    const bool rtl = option.direction == Qt::RightToLeft;
    const bool trailing = l.outgoing != rtl; // ours on the right in LTR, left in RTL
    const int x =
        trailing ? option.rect.left() + width - Margin - bubbleWidth : option.rect.left() + Margin;
    l.bubble = QRect(x, y + Margin / 2, bubbleWidth, bubbleHeight);
    int cy = l.bubble.top() + Padding;
    const int cx = l.bubble.left() + Padding;
    if (senderSize.isValid()) {
        l.sender = QRect(QPoint(cx, cy), senderSize);
        cy += senderSize.height() + 2;
    }
    if (imageSize.isValid()) {
        l.image = QRect(QPoint(cx, cy), imageSize);
        cy += imageSize.height() + 4;
    }
    if (fileCard) {
        l.file = QRect(cx, cy, innerWidth, FileCardHeight);
        cy += FileCardHeight + 4;
    }
    if (textSize.isValid()) {
        l.text = QRect(QPoint(cx, cy), QSize(innerWidth, textSize.height()));
        cy += textSize.height();
    }
    l.footer = QRect(l.bubble.right() - Padding - footerSize.width(), cy + 2, footerSize.width(),
                     footerSize.height());
    l.height = y - option.rect.top() + bubbleHeight + Margin;
    return l;
}

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    int width = option.rect.width();
    if (const auto *view = qobject_cast<const QAbstractItemView *>(option.widget)) {
        width = view->viewport()->width();
    }
    const bool cached = m_cachedModel && index.model() == m_cachedModel;
    qint64 id = 0;
    if (cached) {
        if (option.font != m_sizesFont) {
            m_sizes.clear();
            m_sizesFont = option.font;
        }
        id = index.data(MessageModel::LocalIdRole).toLongLong();
        const auto known = m_sizes.constFind(id);
        if (known != m_sizes.constEnd() && known->width == width) {
            return known->size;
        }
    }
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.rect.setWidth(width);
    const QSize size(width, layout(opt, index).height);
    if (cached) {
        m_sizes.insert(id, {width, size});
    }
    return size;
}

void MessageDelegate::cacheSizesOf(QAbstractItemModel *model)
{
    if (m_cachedModel) {
        disconnect(m_cachedModel, nullptr, this, nullptr);
    }
    m_cachedModel = model;
    m_sizes.clear();
    if (!model) {
        return;
    }
    connect(model, &QAbstractItemModel::dataChanged, this, &MessageDelegate::forgetSizes);
    connect(model, &QAbstractItemModel::modelReset, this, [this] { m_sizes.clear(); });
    connect(model, &QAbstractItemModel::layoutChanged, this, [this] { m_sizes.clear(); });
}

void MessageDelegate::forgetSizes(const QModelIndex &topLeft, const QModelIndex &bottomRight,
                                  const QList<int> &roles)
{
    if (roles.size() == 1 && roles.first() == MessageModel::ProgressRole) {
        return; // a progress bar inside the bubble
    }
    for (int row = topLeft.row(); row <= bottomRight.row(); ++row) {
        m_sizes.remove(topLeft.siblingAtRow(row).data(MessageModel::LocalIdRole).toLongLong());
    }
}

void MessageDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                            const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const Layout l = layout(opt, index);
    const QPalette &palette = opt.palette;
    const bool dark = isDark(palette);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);

    if (l.dayHeight > 0) {
        const QString day = dayText(index.data(MessageModel::TimeRole).toLongLong());
        QFont small = opt.font;
        small.setPointSizeF(small.pointSizeF() * 0.85);
        small.setBold(true);
        painter->setFont(small);
        const QFontMetrics sfm(small);
        const int w = sfm.horizontalAdvance(day) + 20;
        const QRect pill(opt.rect.left() + (opt.rect.width() - w) / 2, opt.rect.top() + 5, w,
                         DayHeight - 10);
        // The text colour on the mid colour (lighter in a light theme): readable in both
        // themes, where the base colour on the mid one (white on light grey) was not.
        painter->setPen(Qt::NoPen);
        const QColor mid = palette.color(QPalette::Mid);
        painter->setBrush(dark ? mid : mid.lighter(112));
        painter->drawRoundedRect(pill, pill.height() / 2.0, pill.height() / 2.0);
        painter->setPen(palette.color(QPalette::Text));
        painter->drawText(pill, Qt::AlignCenter, day);
    }

    const auto kind = index.data(MessageModel::KindRole).value<MessageModel::Kind>();
    const QString text = index.data(MessageModel::TextRole).toString();
    if (l.notice) {
        painter->setFont(opt.font);
        painter->setPen(palette.color(QPalette::PlaceholderText));
        painter->drawText(l.text, Qt::TextWordWrap | Qt::AlignHCenter, text);
        painter->restore();
        return;
    }

    QColor bubble = l.outgoing ? (dark ? QColor(0x2b, 0x52, 0x78) : QColor(0xd9, 0xef, 0xff))
                               : palette.color(QPalette::AlternateBase);
    if (kind == MessageModel::Kind::Undecryptable) {
        bubble = dark ? QColor(0x5a, 0x2a, 0x2a) : QColor(0xff, 0xe4, 0xe1);
    }
    if (opt.state & QStyle::State_Selected) {
        bubble = palette.color(QPalette::Highlight).lighter(dark ? 80 : 160);
    }
    painter->setPen(Qt::NoPen);
    painter->setBrush(bubble);
    painter->drawRoundedRect(l.bubble, 10, 10);

    const QColor textColor = palette.color(QPalette::Text);
    if (l.sender.isValid()) {
        QFont bold = opt.font;
        bold.setBold(true);
        painter->setFont(bold);
        QColor color = Avatar::colorFor(index.data(MessageModel::SenderRole).toString());
        if (dark) {
            color = color.lighter(160);
        }
        painter->setPen(color);
        painter->drawText(l.sender, Qt::AlignLeading | Qt::AlignVCenter,
                          index.data(MessageModel::SenderRole).toString());
    }
    const bool uploading =
        static_cast<Status>(index.data(MessageModel::StatusRole).toInt()) == Status::Uploading;
    if (l.image.isValid()) {
        const QImage thumb = index.data(MessageModel::ThumbnailRole).value<QImage>();
        QPainterPath clip;
        clip.addRoundedRect(l.image, 6, 6);
        painter->save();
        painter->setClipPath(clip);
        painter->drawImage(l.image, thumb);
        painter->restore();
        // While it uploads the middle holds the cancel button instead of the play button.
        if (index.data(MessageModel::IsVideoRole).toBool() && !uploading) {
            const qint64 duration = index.data(MessageModel::DurationRole).toLongLong();
            paintVideoOverlay(painter, l.image,
                              duration > 0 ? MessageModel::durationText(duration) : QString(),
                              opt.font, opt.direction);
        }
    }
    const int progress = index.data(MessageModel::ProgressRole).toInt();
    if (uploading && l.image.isValid()) {
        // A picture that uploads: a round cancel button over it.
        const QRect button(l.image.center() - QPoint(20, 20), QSize(40, 40));
        painter->setPen(Qt::NoPen);
        painter->setBrush(QColor(0, 0, 0, 140));
        painter->drawEllipse(button);
        painter->setPen(Qt::white);
        painter->drawText(button, Qt::AlignCenter, QStringLiteral("\u2715"));
    }
    if (l.file.isValid()) {
        const QRect icon(l.file.left(), l.file.top() + 3, 40, 40);
        painter->setPen(Qt::NoPen);
        painter->setBrush(palette.color(QPalette::Highlight));
        painter->drawEllipse(icon);
        painter->setPen(palette.color(QPalette::HighlightedText));
        // An upload shows how to cancel it (a click on the icon); a file to fetch, an arrow.
        painter->drawText(icon, Qt::AlignCenter,
                          uploading ? QStringLiteral("\u2715") : QStringLiteral("\u2193"));
        const QRect info = l.file.adjusted(48, 2, 0, -2);
        QFont bold = opt.font;
        bold.setBold(true);
        painter->setFont(bold);
        painter->setPen(textColor);
        const QFontMetrics bfm(bold);
        painter->drawText(info.adjusted(0, 0, 0, -info.height() / 2),
                          Qt::AlignLeading | Qt::AlignVCenter,
                          bfm.elidedText(index.data(MessageModel::FileNameRole).toString(),
                                         Qt::ElideMiddle, info.width()));
        painter->setFont(opt.font);
        painter->setPen(palette.color(QPalette::PlaceholderText));
        QString detail = sizeText(index.data(MessageModel::FileSizeRole).toLongLong());
        const qint64 duration = index.data(MessageModel::DurationRole).toLongLong();
        if (duration > 0) {
            detail = tr("%1, %2").arg(detail, MessageModel::durationText(duration));
        }
        if (progress >= 0) {
            detail = tr("%1 — %2%").arg(detail).arg(progress / 10);
        } else if (uploading) {
            detail = tr("%1 — waiting to upload").arg(detail);
        }
        painter->drawText(info.adjusted(0, info.height() / 2, 0, 0),
                          Qt::AlignLeading | Qt::AlignVCenter, detail);
    }
    if (progress >= 0) {
        const QRect area = l.image.isValid() ? l.image : l.file;
        const QRect bar(area.left(), area.bottom() - 3, area.width() * progress / 1000, 3);
        painter->setPen(Qt::NoPen);
        painter->setBrush(palette.color(QPalette::Highlight));
        painter->drawRect(bar);
    }
    if (!text.isEmpty()) {
        painter->setPen(kind == MessageModel::Kind::Undecryptable
                            ? palette.color(QPalette::PlaceholderText)
                            : textColor);
        QTextLayout lines;
        layOutText(lines, text, opt.font, l.text.width(), opt.direction);
        QList<QTextLayout::FormatRange> selections;
        if (index == m_selection.index && m_selection.start != m_selection.end) {
            QTextLayout::FormatRange range;
            range.start = std::min(m_selection.start, m_selection.end);
            range.length = std::abs(m_selection.end - m_selection.start);
            range.format.setBackground(palette.brush(QPalette::Active, QPalette::Highlight));
            range.format.setForeground(palette.brush(QPalette::Active, QPalette::HighlightedText));
            selections.append(range);
        }
        lines.draw(painter, l.text.topLeft(), selections);
    }
    QFont small = opt.font;
    small.setPointSizeF(small.pointSizeF() * 0.85);
    painter->setFont(small);
    QString footer = QLocale().toString(
        QDateTime::fromMSecsSinceEpoch(index.data(MessageModel::TimeRole).toLongLong()).time(),
        QLocale::ShortFormat);
    if (l.outgoing) {
        footer += QLatin1String("  ") + tickText(index.data(MessageModel::StatusRole).toInt()) +
                  QLatin1Char(' ') + index.data(MessageModel::ReceiptTextRole).toString();
    }
    const int status = index.data(MessageModel::StatusRole).toInt();
    QColor footerColor = palette.color(QPalette::PlaceholderText);
    if (l.outgoing && static_cast<Status>(status) == Status::Read) {
        footerColor = dark ? QColor(0x6c, 0xc4, 0xff) : QColor(0x1a, 0x73, 0xe8);
    } else if (l.outgoing && static_cast<Status>(status) == Status::Failed) {
        footerColor = QColor(0xd9, 0x30, 0x25);
    }
    painter->setPen(footerColor);
    painter->drawText(l.footer, Qt::AlignTrailing | Qt::AlignVCenter, footer.trimmed());
    painter->restore();
}

QRect MessageDelegate::textRect(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const Layout l = layout(opt, index);
    return index.data(MessageModel::TextRole).toString().isEmpty() ? QRect() : l.text;
}

QRect MessageDelegate::cancelRect(const QStyleOptionViewItem &option,
                                  const QModelIndex &index) const
{
    if (static_cast<Status>(index.data(MessageModel::StatusRole).toInt()) != Status::Uploading) {
        return {};
    }
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const Layout l = layout(opt, index);
    if (l.image.isValid()) {
        return {l.image.center() - QPoint(20, 20), QSize(40, 40)};
    }
    if (l.file.isValid()) {
        return {l.file.left(), l.file.top() + 3, 40, 40};
    }
    return {};
}

int MessageDelegate::textPositionAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                                    const QPoint &point) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QRect rect = textRect(opt, index);
    const QString text = index.data(MessageModel::TextRole).toString();
    if (!rect.isValid()) {
        return -1;
    }
    QTextLayout lines;
    layOutText(lines, text, opt.font, rect.width(), opt.direction);
    if (lines.lineCount() == 0) {
        return 0;
    }
    const QPointF local = point - rect.topLeft();
    if (local.y() < 0) {
        return 0;
    }
    for (int i = 0; i < lines.lineCount(); ++i) {
        const QTextLine line = lines.lineAt(i);
        if (local.y() < line.y() + line.height()) {
            return line.xToCursor(local.x());
        }
    }
    return static_cast<int>(text.size());
}

void MessageDelegate::setTextSelection(const QModelIndex &index, int start, int end)
{
    m_selection = {QPersistentModelIndex(index), start, end};
}

QString MessageDelegate::selectedText() const
{
    if (!m_selection.index.isValid() || m_selection.start == m_selection.end) {
        return {};
    }
    const int from = std::min(m_selection.start, m_selection.end);
    return m_selection.index.data(MessageModel::TextRole)
        .toString()
        .mid(from, std::abs(m_selection.end - m_selection.start));
}

bool MessageDelegate::helpEvent(QHelpEvent *event, QAbstractItemView *view,
                                const QStyleOptionViewItem &option, const QModelIndex &index)
{
    if (event->type() == QEvent::ToolTip && index.isValid()) {
        QStringList lines;
        const QString status = index.data(MessageModel::StatusTextRole).toString();
        if (!status.isEmpty()) {
            lines.append(status);
        }
        const QString detail = index.data(MessageModel::ReceiptDetailRole).toString();
        if (!detail.isEmpty()) {
            lines.append(detail);
        }
        lines.append(QLocale().toString(
            QDateTime::fromMSecsSinceEpoch(index.data(MessageModel::TimeRole).toLongLong()),
            QLocale::LongFormat));
        QToolTip::showText(event->globalPos(), lines.join(QLatin1Char('\n')), view);
        return true;
    }
    return QStyledItemDelegate::helpEvent(event, view, option, index);
}

} // namespace Tincan::Gui
