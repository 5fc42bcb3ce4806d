#include "app/core/SearchQuery.h"

#include <QStringList>

#include <algorithm>

namespace Tincan::Client::SearchQuery {

namespace {

// SQLite's unicode61 tokenizer keeps letters, digits and private-use characters (Unicode 6.1
// categories L*, N*, Co) and the combining diacritics it folds away; everything else separates
// tokens. Marks are kept here too: inside a quoted phrase FTS splits them off exactly as it
// split the stored text, so a query with Arabic vowel marks still matches the same text.
bool isWordCharacter(char32_t c)
{
    return c != ScopeMarker && (QChar::isLetterOrNumber(c) || QChar::isMark(c) ||
                                QChar::category(c) == QChar::Other_PrivateUse);
}

// A token of marks only has nothing to search for; as a phrase it would be empty, and an empty
// phrase matches no row, which would empty the whole AND.
bool isSignificant(char32_t c)
{
    return QChar::isLetterOrNumber(c) || QChar::category(c) == QChar::Other_PrivateUse;
}

} // namespace

QString matchExpression(const QString &text)
{
    QList<QStringList> phrases;
    QStringList phrase;
    QString token;
    bool significant = false;
    int tokens = 0;
    const auto endToken = [&] {
        if (significant && tokens < MaxTokens) {
            phrase.append(token);
            ++tokens;
        }
        token.clear();
        significant = false;
    };
    const auto endPhrase = [&] {
        endToken();
        if (!phrase.isEmpty()) {
            phrases.append(phrase);
        }
        phrase.clear();
    };
    for (qsizetype i = 0; i < text.size() && tokens < MaxTokens;) {
        char32_t c = text.at(i).unicode();
        qsizetype length = 1;
        if (text.at(i).isHighSurrogate() && i + 1 < text.size() &&
            text.at(i + 1).isLowSurrogate()) {
            c = QChar::surrogateToUcs4(text.at(i), text.at(i + 1));
            length = 2;
        }
        if (isWordCharacter(c)) {
            token.append(QStringView(text).mid(i, length));
            significant = significant || isSignificant(c);
        } else if (QChar::isSpace(c)) {
            endPhrase();
        } else {
            endToken();
        }
        i += length;
    }
    endPhrase();

    // Only word characters and single spaces go between the quotes, so nothing in there is
    // syntax to FTS; the one `*` is ours.
    QStringList terms;
    for (qsizetype i = 0; i < phrases.size(); ++i) {
        const QString star = i + 1 == phrases.size() ? QStringLiteral("*") : QString();
        terms.append(QLatin1Char('"') + phrases.at(i).join(QLatin1Char(' ')) + star +
                     QLatin1Char('"'));
    }
    return terms.join(QLatin1Char(' '));
}

QList<QPair<int, int>> characterRanges(const QByteArray &utf8, const QByteArray &offsets,
                                       int column)
{
    // Byte ranges first, sorted and merged (two query words can match the same token).
    QList<QPair<qsizetype, qsizetype>> bytes;
    const QList<QByteArray> numbers = offsets.simplified().split(' ');
    for (qsizetype i = 0; i + 3 < numbers.size(); i += 4) {
        bool columnOk = false;
        bool startOk = false;
        bool lengthOk = false;
        const int matchColumn = numbers.at(i).toInt(&columnOk);
        const qsizetype start = numbers.at(i + 2).toLongLong(&startOk);
        const qsizetype length = numbers.at(i + 3).toLongLong(&lengthOk);
        if (columnOk && matchColumn == column && startOk && lengthOk && start >= 0 && length > 0 &&
            length <= utf8.size() - start) {
            bytes.append({start, start + length});
        }
    }
    std::sort(bytes.begin(), bytes.end());
    QList<QPair<qsizetype, qsizetype>> merged;
    for (const auto &range : std::as_const(bytes)) {
        if (!merged.isEmpty() && range.first <= merged.last().second) {
            merged.last().second = std::max(merged.last().second, range.second);
        } else {
            merged.append(range);
        }
    }

    // Then one walk over the bytes, counting the UTF-16 units SQLite's own UTF-8 decoder makes
    // of them (sqlite3Utf8Read: a lead byte and every continuation byte after it are one code
    // point, two units above U+FFFF), so the positions fit the QString Qt got from SQLite even
    // for text that is not valid UTF-8.
    qsizetype at = 0;
    int units = 0;
    const auto unitsBefore = [&](qsizetype target) {
        while (at < target) {
            const auto lead = static_cast<uchar>(utf8.at(at++));
            if (lead < 0xC0) {
                ++units;
                continue;
            }
            char32_t value = lead < 0xE0   ? lead & 0x1Fu
                             : lead < 0xF0 ? lead & 0x0Fu
                             : lead < 0xF8 ? lead & 0x07u
                             : lead < 0xFC ? lead & 0x03u
                             : lead < 0xFE ? lead & 0x01u
                                           : 0u;
            while (at < utf8.size() && (static_cast<uchar>(utf8.at(at)) & 0xC0) == 0x80) {
                value = (value << 6) + (static_cast<uchar>(utf8.at(at++)) & 0x3Fu);
            }
            units += value > 0xFFFF ? 2 : 1;
        }
        return units;
    };
    QList<QPair<int, int>> ranges;
    for (const auto &[start, end] : std::as_const(merged)) {
        const int first = unitsBefore(start);
        const int last = unitsBefore(end);
        if (last > first) {
            ranges.append({first, last - first});
        }
    }
    return ranges;
}

} // namespace Tincan::Client::SearchQuery
