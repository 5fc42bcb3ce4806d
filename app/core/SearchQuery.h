#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

//! The two translations full-text search needs around SQLite's FTS4 (LocalStore::search):
//! what a user typed into a MATCH expression, and FTS4's byte offsets into QString positions.
//! Pure functions: thread-safe.
namespace Tincan::Client::SearchQuery {

//! Starts the token that stands for a conversation in the index (LocalStore's `scope` column):
//! a private-use character, which matchExpression() never lets through.
inline constexpr char16_t ScopeMarker = 0xE000;

//! At most this many words (FTS tokens) of a query are used: an AND of many phrases gains
//! nothing, and FTS4 refuses expressions deeper than 12 levels (about 4,000 phrases).
inline constexpr int MaxTokens = 16;

//! `text` as a safe FTS4 MATCH expression: the words (runs of letters, digits and their
//! combining marks; everything else separates, so quotes, `*`, `-`, parentheses, emoji and
//! ScopeMarker never reach the query parser, and NEAR, OR, AND and NOT are plain words), each
//! chunk between spaces as one quoted phrase ("e-mail" -> "e mail", which FTS matches as
//! adjacent tokens), the last word with a prefix `*`, all ANDed. Empty when `text` has no words.
QString matchExpression(const QString &text);

//! FTS4 `offsets()` of one row (quadruples "column term byte-offset byte-length"), those of
//! `column`, as (position, length) ranges in the QString SQLite makes of `utf8`, that column's
//! value as SQLite stores it. Sorted; overlapping or repeated ranges are merged. Malformed input
//! yields no or fewer ranges, never ranges outside the text.
QList<QPair<int, int>> characterRanges(const QByteArray &utf8, const QByteArray &offsets,
                                       int column = 0);

} // namespace Tincan::Client::SearchQuery
