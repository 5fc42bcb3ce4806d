#pragma once

#include "shared/protocol/Result.h"

#include <QByteArray>
#include <QString>

namespace Tincan::Protocol {

//! The plaintext inside each per-device payload, end-to-end encrypted: the server never sees it.
//! Kinds:
//! - "text": what a user wrote. With `ref`, it is a resend of the message whose client id is
//!   `ref` (that a device could not decrypt the first time).
//!   In a group, `group` names it (a group message is encrypted with the sender key; a resend
//!   of one goes pairwise and says which group it belongs to).
//! - "retry": asks the sending device to resend message `ref`, over a fresh session.
//! - "sender_key": the sending device's sender key for `group` (a libsignal
//!   SenderKeyDistributionMessage in `key`), sent pairwise to each member device.
//! - "history": to a newly linked device of the same user, from the device that approved it:
//!   the history transfer of link `link` is ready on the server, `size` bytes sealed with `key`
//!   (Crypto::SealedBox) whose SHA-256 is `digest`.
struct MessageContent
{
    static constexpr int Version = 1;
    static constexpr qsizetype MaxTextLength = 64 * 1024;

    enum class Kind { Text, Retry, SenderKey, History };

    QString text;
    Kind kind = Kind::Text;
    QString ref;       //!< A client message id (UUID), or empty.
    QString group;     //!< A group id, or empty.
    QByteArray key;    //!< SenderKey: the serialized distribution message; History: the key.
    qint64 link = 0;   //!< History: the link id.
    qint64 size = 0;   //!< History: bytes of the sealed transfer.
    QByteArray digest; //!< History: SHA-256 of the sealed transfer.

    QByteArray encode() const;
    static Result<MessageContent> decode(const QByteArray &bytes);
};

} // namespace Tincan::Protocol
