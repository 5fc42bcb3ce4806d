#pragma once

#include "server/core/MessageBus.h"

namespace Tincan::Server {

class SessionRegistry;

//! In-process bus: posts each publication to the session's own thread. Envelopes and receipt
//! changes go through the thread's StreamMailbox, one post per thread and call.
class LocalMessageBus final : public MessageBus
{
public:
    explicit LocalMessageBus(SessionRegistry &registry)
        : m_registry(registry)
    {}
    void publishEnvelope(qint64 deviceId, const Protocol::Envelope &envelope) override;
    void publishEnvelopes(const QList<QPair<qint64, Protocol::Envelope>> &deliveries) override;
    void publishReceipts(const QList<ReceiptPublication> &publications) override;
    void publishSent(const QList<qint64> &deviceIds, const Protocol::SendReceipt &receipt) override;
    void publishDeviceRevoked(qint64 deviceId) override;
    void publishFrame(const QList<qint64> &deviceIds, const QByteArray &frame) override;
    void publishPresence(const QList<qint64> &deviceIds, const Protocol::PresenceUpdate &update,
                         qint64 version) override;
    void publishTyping(const QList<qint64> &deviceIds, const Protocol::TypingEvent &event) override;

private:
    SessionRegistry &m_registry;
};

} // namespace Tincan::Server
