#include "server/ws/StreamMailbox.h"

#include "server/ws/StreamSession.h"

namespace Tincan::Server {

StreamMailbox::StreamMailbox(QObject *parent)
    : QObject(parent)
{}

StreamMailbox::~StreamMailbox() = default;

void StreamMailbox::post(QList<Item> items)
{
    if (items.isEmpty()) {
        return;
    }
    {
        std::lock_guard lock(m_mutex);
        if (m_queue.isEmpty()) {
            m_queue = std::move(items);
        } else {
            m_queue.append(std::move(items));
        }
        if (m_posted) {
            return;
        }
        m_posted = true;
    }
    QMetaObject::invokeMethod(this, &StreamMailbox::drain, Qt::QueuedConnection);
}

void StreamMailbox::attach(StreamSession *session)
{
    m_sessions.insert(session);
}

void StreamMailbox::detach(StreamSession *session)
{
    m_sessions.remove(session);
}

void StreamMailbox::drain()
{
    QList<Item> items;
    {
        std::lock_guard lock(m_mutex);
        items.swap(m_queue);
        m_posted = false;
    }
    for (Item &item : items) {
        // A session deleted since the post is not in m_sessions; a new one at the same address
        // must at least be the same device (it then sorts out duplicates by position).
        if (!m_sessions.contains(item.session) || item.session->deviceId() != item.deviceId) {
            continue;
        }
        if (const auto *envelope = std::get_if<Protocol::Envelope>(&item.what)) {
            item.session->deliverLive(*envelope);
        } else {
            item.session->queueReceipt(std::get<Protocol::ReceiptState>(item.what));
        }
    }
}

} // namespace Tincan::Server
