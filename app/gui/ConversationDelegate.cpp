#include "app/gui/ConversationDelegate.h"

#include "app/gui/Avatar.h"
#include "app/gui/ConversationListModel.h"

#include <QApplication>
#include <QDateTime>
#include <QLocale>
#include <QPainter>

namespace Tincan::Gui {

namespace {
constexpr int AvatarSize = 42;
constexpr int Pad = 8;
} // namespace

QString ConversationDelegate::timeText(qint64 ms)
{
    if (ms <= 0) {
        return {};
    }
    const QDateTime time = QDateTime::fromMSecsSinceEpoch(ms);
    const QDate today = QDate::currentDate();
    if (time.date() == today) {
        return QLocale().toString(time.time(), QLocale::ShortFormat);
    }
    if (time.date() > today.addDays(-7)) {
        return QLocale().dayName(time.date().dayOfWeek(), QLocale::ShortFormat);
    }
    return QLocale().toString(time.date(), QLocale::ShortFormat);
}

QSize ConversationDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    return {option.rect.width(), AvatarSize + 2 * Pad};
}

void ConversationDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                                 const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    opt.icon = {};
    // Background and selection from the style.
    QStyle *style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const bool selected = opt.state & QStyle::State_Selected;
    const QPalette &palette = opt.palette;
    const QColor text = palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    const QColor dim = selected ? text : palette.color(QPalette::PlaceholderText);
    const QRect rect = opt.rect;
    const bool rtl = opt.direction == Qt::RightToLeft;

    const QString title = index.data(ConversationListModel::TitleRole).toString();
    QRect avatar(rect.left() + Pad, rect.top() + Pad, AvatarSize, AvatarSize);
    avatar = QStyle::visualRect(opt.direction, rect, avatar);
    painter->drawPixmap(avatar,
                        Avatar::pixmap(title, AvatarSize, painter->device()->devicePixelRatioF()));
    const int online = index.data(ConversationListModel::OnlineRole).toInt();
    if (online == 1) {
        const QRect dot(avatar.right() - 11, avatar.bottom() - 11, 12, 12);
        painter->setPen(QPen(palette.color(QPalette::Base), 2));
        painter->setBrush(QColor(0x2e, 0xb8, 0x4f));
        painter->drawEllipse(dot);
    }

    QRect body(rect.left() + Pad + AvatarSize + Pad, rect.top() + Pad,
               rect.width() - 3 * Pad - AvatarSize, AvatarSize);
    body = QStyle::visualRect(opt.direction, rect, body);
    const int half = body.height() / 2;
    QRect top(body.left(), body.top(), body.width(), half);
    QRect bottom(body.left(), body.top() + half, body.width(), body.height() - half);

    // Time on the trailing side of the first line.
    QFont small = opt.font;
    small.setPointSizeF(small.pointSizeF() * 0.85);
    const QFontMetrics sfm(small);
    const QString time = timeText(index.data(ConversationListModel::TimeRole).toLongLong());
    const int timeWidth = sfm.horizontalAdvance(time);
    painter->setFont(small);
    painter->setPen(dim);
    painter->drawText(top, Qt::AlignTrailing | Qt::AlignVCenter, time);

    QString marks;
    if (index.data(ConversationListModel::PinnedRole).toBool()) {
        marks += QStringLiteral(" \U0001F4CC");
    }
    if (index.data(ConversationListModel::MutedRole).toBool()) {
        marks += QStringLiteral(" \U0001F507");
    }
    QFont bold = opt.font;
    bold.setBold(true);
    painter->setFont(bold);
    painter->setPen(text);
    const QFontMetrics bfm(bold);
    const QRect titleRect =
        top.adjusted(rtl ? timeWidth + Pad : 0, 0, rtl ? 0 : -timeWidth - Pad, 0);
    painter->drawText(titleRect, Qt::AlignLeading | Qt::AlignVCenter,
                      bfm.elidedText(title + marks, Qt::ElideRight, titleRect.width()));

    // Unread badge on the trailing side of the second line.
    const int unread = index.data(ConversationListModel::UnreadRole).toInt();
    int badgeWidth = 0;
    if (unread > 0) {
        const QString count = unread > 999 ? QStringLiteral("999+") : QString::number(unread);
        badgeWidth = std::max(sfm.height() + 4, sfm.horizontalAdvance(count) + 12);
        QRect badge(0, 0, badgeWidth, sfm.height() + 4);
        badge.moveCenter(bottom.center());
        if (rtl) {
            badge.moveLeft(bottom.left());
        } else {
            badge.moveRight(bottom.right());
        }
        painter->setPen(Qt::NoPen);
        painter->setBrush(
            index.data(ConversationListModel::MutedRole).toBool()
                ? palette.color(QPalette::Mid)
                : palette.color(selected ? QPalette::HighlightedText : QPalette::Highlight));
        painter->drawRoundedRect(badge, badge.height() / 2.0, badge.height() / 2.0);
        painter->setFont(small);
        painter->setPen(palette.color(selected ? QPalette::Highlight : QPalette::HighlightedText));
        painter->drawText(badge, Qt::AlignCenter, count);
    }
    const QString typing = index.data(ConversationListModel::TypingRole).toString();
    const QString preview =
        typing.isEmpty() ? index.data(ConversationListModel::PreviewRole).toString() : typing;
    QFont previewFont = opt.font;
    previewFont.setItalic(!typing.isEmpty());
    painter->setFont(previewFont);
    painter->setPen(typing.isEmpty()
                        ? dim
                        : palette.color(selected ? QPalette::HighlightedText : QPalette::Link));
    const QRect previewRect =
        bottom.adjusted(rtl ? badgeWidth + Pad : 0, 0, rtl ? 0 : -badgeWidth - Pad, 0);
    painter->drawText(
        previewRect, Qt::AlignLeading | Qt::AlignVCenter,
        QFontMetrics(previewFont).elidedText(preview, Qt::ElideRight, previewRect.width()));
    painter->restore();
}

} // namespace Tincan::Gui
