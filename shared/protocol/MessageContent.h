#pragma once

#include "shared/protocol/Result.h"

#include <QByteArray>
#include <QString>

namespace Tincan::Protocol {

//! The plaintext inside each per-device payload, end-to-end encrypted: the server never sees it.
//! Kinds:
//! - "text": what a user wrote. With `ref`, it is a resend of the message whose client id is
//!   `ref` (that a device could not decrypt the first time).
//! - "retry": asks the sending device to resend message `ref`, over a fresh session.
struct MessageContent
{
    static constexpr int Version = 1;
    static constexpr qsizetype MaxTextLength = 64 * 1024;

    enum class Kind { Text, Retry };

    QString text;
    Kind kind = Kind::Text;
    QString ref; //!< A client message id (UUID), or empty.

    QByteArray encode() const;
    static Result<MessageContent> decode(const QByteArray &bytes);
};

} // namespace Tincan::Protocol
