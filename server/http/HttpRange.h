#pragma once

#include <QByteArray>

#include <optional>

namespace Tincan::Server {

//! One byte range of a resource of known size, from a `Range` header (RFC 9110 §14.1.2).
struct ByteRange
{
    qint64 first = 0;
    qint64 last = 0; //!< Inclusive.
    qint64 length() const { return last - first + 1; }
};

enum class RangeResult {
    Whole,         //!< No usable Range header (absent, not bytes, several ranges): send all.
    Partial,       //!< One satisfiable range: 206.
    Unsatisfiable, //!< 416.
};

//! Parses `bytes=a-b`, `bytes=a-` and `bytes=-n` against `size`. A malformed header, another
//! unit or a list of ranges is ignored (Whole), as the RFC allows.
RangeResult parseRange(const QByteArray &header, qint64 size, ByteRange *range);

} // namespace Tincan::Server
