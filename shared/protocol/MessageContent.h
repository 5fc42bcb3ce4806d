#pragma once

#include "shared/protocol/Result.h"

#include <QByteArray>
#include <QString>

namespace Tincan::Protocol {

//! What a user wrote: the plaintext that goes into each per-device payload. The server never
//! parses it (from the E2EE issue on, it never even sees it).
struct MessageContent
{
    static constexpr int Version = 1;
    static constexpr qsizetype MaxTextLength = 64 * 1024;

    QString text;

    QByteArray encode() const;
    static Result<MessageContent> decode(const QByteArray &bytes);
};

} // namespace Tincan::Protocol
