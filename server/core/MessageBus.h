#pragma once

#include "shared/protocol/Envelope.h"
#include "shared/protocol/Frames.h"

#include <QList>

namespace Tincan::Server {

//! Carries "something is ready for device X" to wherever X's stream is served. The data is
//! already durable when published: losing a publication only delays delivery until the device
//! reconnects (it then replays its inbox), it never loses a message. Embedded: in-process
//! (LocalMessageBus); cluster: Redis pub/sub. Thread-safe.
class MessageBus
{
public:
    virtual ~MessageBus() = default;
    virtual void publishEnvelope(qint64 deviceId, const Protocol::Envelope &envelope) = 0;
    //! Many (device, envelope) deliveries at once (a fan-out round), in order.
    virtual void publishEnvelopes(const QList<QPair<qint64, Protocol::Envelope>> &deliveries) = 0;
    //! A receipt change for some devices' live streams; not stored (GET /v1/receipts catches up).
    struct ReceiptPublication
    {
        QList<qint64> deviceIds;
        Protocol::ReceiptState state;
    };
    //! Several receipt changes at once; a stream may send them merged, in one frame.
    virtual void publishReceipts(const QList<ReceiptPublication> &publications) = 0;
    virtual void publishSent(const QList<qint64> &deviceIds,
                             const Protocol::SendReceipt &receipt) = 0;
    virtual void publishDeviceRevoked(qint64 deviceId) = 0;
    //! A ready-made stream frame (receipts...) for these devices' live streams; not stored.
    virtual void publishFrame(const QList<qint64> &deviceIds, const QByteArray &frame) = 0;
    //! A user's presence changed (see SessionRegistry's PresenceChange for `version`). Presence
    //! is ephemeral: a lost publication is corrected by the next change or by GET /v1/presence.
    virtual void publishPresence(const QList<qint64> &deviceIds,
                                 const Protocol::PresenceUpdate &update, qint64 version) = 0;
    //! Someone is typing; never stored, so a lost publication is simply lost.
    virtual void publishTyping(const QList<qint64> &deviceIds,
                               const Protocol::TypingEvent &event) = 0;
};

} // namespace Tincan::Server
