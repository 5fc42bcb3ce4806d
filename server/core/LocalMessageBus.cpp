#include "server/core/LocalMessageBus.h"

#include "server/core/SessionRegistry.h"
#include "server/ws/StreamMailbox.h"
#include "server/ws/StreamSession.h"

namespace Tincan::Server {

namespace {

//! Items sorted by the mailbox of their session's thread, then posted once per mailbox.
class Posts
{
public:
    void add(StreamSession *session, qint64 deviceId,
             std::variant<Protocol::Envelope, Protocol::ReceiptState> what)
    {
        StreamMailbox *mailbox = &session->mailbox();
        QList<StreamMailbox::Item> *items = nullptr;
        for (auto &[box, list] : m_lists) {
            if (box == mailbox) {
                items = &list;
                break;
            }
        }
        if (!items) {
            items = &m_lists.emplace_back(mailbox, QList<StreamMailbox::Item>()).second;
        }
        items->append(StreamMailbox::Item{session, deviceId, std::move(what)});
    }
    //! After the registry lock is released: a mailbox lives as long as its thread's front end.
    void post()
    {
        for (auto &[mailbox, items] : m_lists) {
            mailbox->post(std::move(items));
        }
    }

private:
    std::vector<std::pair<StreamMailbox *, QList<StreamMailbox::Item>>> m_lists; // A few threads.
};

} // namespace

void LocalMessageBus::publishEnvelope(qint64 deviceId, const Protocol::Envelope &envelope)
{
    publishEnvelopes({{deviceId, envelope}});
}

void LocalMessageBus::publishEnvelopes(const QList<QPair<qint64, Protocol::Envelope>> &deliveries)
{
    QList<qint64> deviceIds;
    deviceIds.reserve(deliveries.size());
    for (const auto &delivery : deliveries) {
        deviceIds.append(delivery.first);
    }
    Posts posts;
    qsizetype at = 0;
    m_registry.withSessions(deviceIds, [&](qint64 deviceId, StreamSession *session) {
        while (deliveries[at].first != deviceId) {
            ++at; // Devices without a session here were skipped.
        }
        posts.add(session, deviceId, deliveries[at].second);
        ++at;
    });
    posts.post();
}

void LocalMessageBus::publishReceipts(const QList<ReceiptPublication> &publications)
{
    Posts posts;
    for (const ReceiptPublication &publication : publications) {
        m_registry.withSessions(publication.deviceIds,
                                [&](qint64 deviceId, StreamSession *session) {
                                    posts.add(session, deviceId, publication.state);
                                });
    }
    posts.post();
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
