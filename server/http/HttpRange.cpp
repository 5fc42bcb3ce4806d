#include "server/http/HttpRange.h"

namespace Tincan::Server {

namespace {

//! A non-negative decimal without sign or spaces; nothing on anything else or on overflow.
std::optional<qint64> number(const QByteArray &text)
{
    if (text.isEmpty() || text.size() > 18) {
        return std::nullopt;
    }
    qint64 value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + (c - '0');
    }
    return value;
}

} // namespace

RangeResult parseRange(const QByteArray &header, qint64 size, ByteRange *range)
{
    const QByteArray value = header.trimmed();
    // An empty resource has no satisfiable range; the whole (empty) answer serves every one.
    if (size == 0 || !value.startsWith("bytes=")) {
        return RangeResult::Whole;
    }
    const QByteArray spec = value.mid(6).trimmed();
    if (spec.contains(',')) {
        return RangeResult::Whole; // Several ranges: the whole resource is a valid answer.
    }
    const qsizetype dash = spec.indexOf('-');
    if (dash < 0) {
        return RangeResult::Whole;
    }
    const QByteArray from = spec.left(dash).trimmed();
    const QByteArray to = spec.mid(dash + 1).trimmed();
    if (from.isEmpty()) {
        const auto suffix = number(to);
        if (!suffix) {
            return RangeResult::Whole;
        }
        if (*suffix == 0) {
            return RangeResult::Unsatisfiable;
        }
        range->first = std::max<qint64>(0, size - *suffix);
        range->last = size - 1;
        return RangeResult::Partial;
    }
    const auto first = number(from);
    if (!first) {
        return RangeResult::Whole;
    }
    qint64 last = size - 1;
    if (!to.isEmpty()) {
        const auto given = number(to);
        if (!given || *given < *first) {
            return RangeResult::Whole;
        }
        last = std::min(*given, size - 1);
    }
    if (*first >= size) {
        return RangeResult::Unsatisfiable;
    }
    range->first = *first;
    range->last = last;
    return RangeResult::Partial;
}

} // namespace Tincan::Server
