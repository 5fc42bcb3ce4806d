#include "app/gui/SearchModel.h"

#include "app/gui/ConversationDelegate.h"
#include "app/gui/Session.h"

#include <QApplication>
#include <QPainter>
#include <QPoint>
#include <QTextLayout>

namespace Tincan::Gui {

SearchModel::SearchModel(Session *session, std::function<QString(const QString &)> titleOf,
                         QObject *parent)
    : QAbstractListModel(parent)
    , m_session(session)
    , m_titleOf(std::move(titleOf))
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(120);
    connect(&m_timer, &QTimer::timeout, this, &SearchModel::run);
}

void SearchModel::setQuery(const QString &query, const QString &conversation, bool immediately)
{
    m_query = query;
    m_conversation = conversation;
    if (immediately) {
        run();
    } else {
        m_timer.start();
    }
}

void SearchModel::run()
{
    m_timer.stop();
    const QList<Client::SearchHit> hits =
        m_query.trimmed().isEmpty() ? QList<Client::SearchHit>()
                                    : m_session->reader().search(m_query, m_conversation, Limit);
    beginResetModel();
    m_hits = hits;
    endResetModel();
    Q_EMIT searched(static_cast<int>(m_hits.size()));
}

int SearchModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_hits.size());
}

QString SearchModel::snippet(const QString &text, const QList<QPair<int, int>> &matches, int width,
                             QList<QPair<int, int>> *snippetMatches)
{
    const int first = matches.isEmpty() ? 0 : matches.first().first;
    int start = std::max(0, first - width / 3);
    // Start at a word boundary.
    while (start > 0 && start < first && !text.at(start - 1).isSpace()) {
        ++start;
    }
    const int end = std::min<int>(static_cast<int>(text.size()), start + width);
    QString result = text.mid(start, end - start);
    int shift = start;
    if (start > 0) {
        result.prepend(QStringLiteral("…"));
        shift -= 1;
    }
    if (end < text.size()) {
        result.append(QStringLiteral("…"));
    }
    // One line: newlines become spaces (same length, so positions hold).
    result.replace(QLatin1Char('\n'), QLatin1Char(' '));
    snippetMatches->clear();
    for (const auto &[position, length] : matches) {
        const int from = position - shift;
        if (from >= 0 && from + length <= result.size()) {
            snippetMatches->append({from, length});
        }
    }
    return result;
}

QVariant SearchModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Client::SearchHit &hit = m_hits.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        return tr("%1, %2: %3").arg(m_titleOf(hit.conversation), hit.sender, hit.text);
    case LocalIdRole:
        return hit.localId;
    case ConversationRole:
        return hit.conversation;
    case TitleRole:
        return m_titleOf(hit.conversation);
    case SenderRole:
        return hit.sender;
    case TimeRole:
        return hit.timestamp;
    case SnippetRole:
    case MatchesRole: {
        QList<QPair<int, int>> matches;
        const QString text = snippet(hit.text, hit.matches, 90, &matches);
        if (role == SnippetRole) {
            return text;
        }
        QVariantList list;
        for (const auto &[position, length] : matches) {
            list.append(QPoint(position, length));
        }
        return list;
    }
    default:
        return {};
    }
}

QHash<int, QByteArray> SearchModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert({{LocalIdRole, "localId"},
                  {ConversationRole, "conversation"},
                  {TitleRole, "title"},
                  {SenderRole, "sender"},
                  {TimeRole, "time"},
                  {SnippetRole, "snippet"},
                  {MatchesRole, "matches"}});
    return names;
}

QSize SearchDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    const QFontMetrics fm(option.font);
    return {option.rect.width(), fm.height() * 2 + 14};
}

void SearchDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                           const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    QStyle *style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
    painter->save();
    const bool selected = opt.state & QStyle::State_Selected;
    const QPalette &palette = opt.palette;
    const QColor text = palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    const QRect rect = opt.rect.adjusted(8, 5, -8, -5);
    const QFontMetrics fm(opt.font);
    const QRect top(rect.left(), rect.top(), rect.width(), fm.height());
    const QRect bottom(rect.left(), rect.top() + fm.height() + 2, rect.width(), fm.height());

    QFont small = opt.font;
    small.setPointSizeF(small.pointSizeF() * 0.85);
    const QString time =
        ConversationDelegate::timeText(index.data(SearchModel::TimeRole).toLongLong());
    painter->setFont(small);
    painter->setPen(selected ? text : palette.color(QPalette::PlaceholderText));
    painter->drawText(top, Qt::AlignTrailing | Qt::AlignVCenter, time);
    QFont bold = opt.font;
    bold.setBold(true);
    painter->setFont(bold);
    painter->setPen(text);
    const QString title = index.data(SearchModel::TitleRole).toString();
    const QString sender = index.data(SearchModel::SenderRole).toString();
    const QString heading =
        sender.isEmpty() || sender == title ? title : tr("%1 · %2").arg(title, sender);
    const int timeWidth = QFontMetrics(small).horizontalAdvance(time) + 8;
    painter->drawText(
        top.adjusted(0, 0, -timeWidth, 0), Qt::AlignLeading | Qt::AlignVCenter,
        QFontMetrics(bold).elidedText(heading, Qt::ElideRight, top.width() - timeWidth));

    // The snippet, matched words highlighted.
    const QString snippet = index.data(SearchModel::SnippetRole).toString();
    QTextLayout layout(snippet, opt.font);
    QTextOption textOption(Qt::AlignLeading);
    textOption.setTextDirection(opt.direction);
    textOption.setWrapMode(QTextOption::NoWrap);
    layout.setTextOption(textOption);
    QList<QTextLayout::FormatRange> formats;
    for (const QVariant &match : index.data(SearchModel::MatchesRole).toList()) {
        const QPoint range = match.toPoint();
        QTextLayout::FormatRange format;
        format.start = range.x();
        format.length = range.y();
        format.format.setFontWeight(QFont::Bold);
        format.format.setBackground(selected ? palette.color(QPalette::Base).darker(120)
                                             : QColor(0xff, 0xe0, 0x6b));
        format.format.setForeground(selected ? palette.color(QPalette::Text) : QColor(Qt::black));
        formats.append(format);
    }
    layout.setFormats(formats);
    layout.beginLayout();
    QTextLine line = layout.createLine();
    if (line.isValid()) {
        line.setLineWidth(100000);
    }
    layout.endLayout();
    painter->setPen(selected ? text : palette.color(QPalette::Text));
    painter->setClipRect(bottom);
    const qreal x = opt.direction == Qt::RightToLeft
                        ? bottom.right() - std::min<qreal>(line.naturalTextWidth(), bottom.width())
                        : bottom.left();
    layout.draw(painter, QPointF(x, bottom.top()));
    painter->restore();
}

} // namespace Tincan::Gui
