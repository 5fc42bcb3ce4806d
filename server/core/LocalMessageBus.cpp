#include "server/core/LocalMessageBus.h"

#include "server/core/SessionRegistry.h"
#include "server/ws/StreamSession.h"

namespace Tincan::Server {

void LocalMessageBus::publishEnvelope(qint64 deviceId, const Protocol::Envelope &envelope)
{
    m_registry.withSession(deviceId, [&envelope](StreamSession *session) {
        QMetaObject::invokeMethod(
            session, [session, envelope] { session->deliverLive(envelope); }, Qt::QueuedConnection);
    });
}

void LocalMessageBus::publishSent(const QList<qint64> &deviceIds,
                                  const Protocol::SendReceipt &receipt)
{
    for (const qint64 deviceId : deviceIds) {
        m_registry.withSession(deviceId, [&receipt](StreamSession *session) {
            QMetaObject::invokeMethod(
                session, [session, receipt] { session->sendReceipt(receipt); },
                Qt::QueuedConnection);
        });
    }
}

void LocalMessageBus::publishFrame(const QList<qint64> &deviceIds, const QByteArray &frame)
{
    for (const qint64 deviceId : deviceIds) {
        m_registry.withSession(deviceId, [&frame](StreamSession *session) {
            QMetaObject::invokeMethod(
                session, [session, frame] { session->sendFrame(frame); }, Qt::QueuedConnection);
        });
    }
}

void LocalMessageBus::publishDeviceRevoked(qint64 deviceId)
{
    m_registry.withSession(deviceId, [](StreamSession *session) {
        QMetaObject::invokeMethod(
            session, [session] { session->closeRevoked(); }, Qt::QueuedConnection);
    });
}

void LocalMessageBus::publishPresence(const QList<qint64> &deviceIds,
                                      const Protocol::PresenceUpdate &update, qint64 version)
{
    for (const qint64 deviceId : deviceIds) {
        m_registry.withSession(deviceId, [&update, version](StreamSession *session) {
            QMetaObject::invokeMethod(
                session, [session, update, version] { session->sendPresence(update, version); },
                Qt::QueuedConnection);
        });
    }
}

void LocalMessageBus::publishTyping(const QList<qint64> &deviceIds,
                                    const Protocol::TypingEvent &event)
{
    for (const qint64 deviceId : deviceIds) {
        m_registry.withSession(deviceId, [&event](StreamSession *session) {
            QMetaObject::invokeMethod(
                session, [session, event] { session->sendTyping(event); }, Qt::QueuedConnection);
        });
    }
}

} // namespace Tincan::Server
