#pragma once

#include "shared/protocol/Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace Tincan::Protocol {

//! One message as delivered to one device: the metadata the server assigned plus the opaque
//! payload the sender produced for this device.
struct Envelope
{
    qint64 id = 0;           //!< Server message id: global, increasing in storage order.
    QString clientMessageId; //!< Sender-chosen UUID; the de-duplication key with fromUser.
    QString conversation;    //!< e.g. "dm:alice:bob".
    qint64 seq = 0;          //!< Per-conversation sequence number, from 1.
    QString fromUser;
    qint64 fromDevice = 0;
    //! The addressed user (for self-sync copies: the peer); empty for a group message.
    QString toUser;
    qint64 serverTimestamp = 0; //!< Milliseconds since the Unix epoch, assigned at storage.
    //! Opaque bytes for the receiving device (base64 on the wire). For a group message: the
    //! sender-key ciphertext, the same for every member device. Empty for a group event.
    QByteArray payload;
    //! Group messages only: a pairwise-encrypted payload for this device alone, carrying the
    //! sender's new sender key (sent with the first message after a key change). Usually empty.
    QByteArray senderKey;
    //! Group events only (created, members added or removed, renamed...): what the server did,
    //! in clear (group metadata is the server's to know). Empty for messages.
    QJsonObject event;
    //! Server side only, never on the wire: the envelope's place in the device's inbox (which
    //! grows in the order entries were written), or 0 when it was read from a group log.
    qint64 slot = 0;

    QJsonObject toJson() const;
    static Result<Envelope> fromJson(const QJsonObject &object);
    //! Compares what travels (not `slot`).
    bool operator==(const Envelope &other) const
    {
        return id == other.id && clientMessageId == other.clientMessageId &&
               conversation == other.conversation && seq == other.seq &&
               fromUser == other.fromUser && fromDevice == other.fromDevice &&
               toUser == other.toUser && serverTimestamp == other.serverTimestamp &&
               payload == other.payload && senderKey == other.senderKey && event == other.event;
    }
};

} // namespace Tincan::Protocol
