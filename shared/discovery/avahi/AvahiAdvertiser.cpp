#include "shared/discovery/avahi/AvahiAdvertiser.h"

#include "shared/discovery/Logging.h"

#include <avahi-common/alternative.h>
#include <avahi-common/malloc.h>
#include <avahi-common/strlst.h>

namespace Tincan::Discovery::Avahi {

AvahiAdvertiser::AvahiAdvertiser()
    : m_retry(this, [this] {
        QString error;
        if (!connectClient(&error)) {
            qCDebug(lcDiscovery).noquote() << "advertiser: still cannot reach Avahi:" << error;
            m_retry.schedule();
        }
    })
{}

AvahiAdvertiser::~AvahiAdvertiser()
{
    stop();
}

bool AvahiAdvertiser::start(const QString &serviceType, const QString &name, quint16 port,
                            const QMap<QString, QByteArray> &txt, int interfaceIndex,
                            QString *error)
{
    stop();
    m_type = serviceType;
    m_name = name;
    m_port = port;
    m_txt = txt;
    m_interface = interfaceIndex;
    if (!connectClient(error)) {
        return false;
    }
    if (avahi_client_get_state(m_client.get()) == AVAHI_CLIENT_CONNECTING) {
        // NO_FAIL keeps waiting for a daemon; at start, a missing one is an error to report.
        m_client.reset();
        *error = clientErrorText(AVAHI_ERR_NO_DAEMON);
        return false;
    }
    return true;
}

void AvahiAdvertiser::stop()
{
    m_retry.cancel();
    m_group.reset(); // Withdraws the records: the daemon sends goodbye packets.
    m_client.reset();
}

bool AvahiAdvertiser::connectClient(QString *error)
{
    m_group.reset();
    m_client.reset();
    m_client = newClient(m_poll.api(), clientCallback, this, error);
    return m_client != nullptr;
}

void AvahiAdvertiser::clientCallback(AvahiClient *client, AvahiClientState state, void *self)
{
    static_cast<AvahiAdvertiser *>(self)->onClientState(client, state);
}

void AvahiAdvertiser::groupCallback(AvahiEntryGroup *group, AvahiEntryGroupState state, void *self)
{
    static_cast<AvahiAdvertiser *>(self)->onGroupState(group, state);
}

void AvahiAdvertiser::onClientState(AvahiClient *client, AvahiClientState state)
{
    switch (state) {
    case AVAHI_CLIENT_S_RUNNING:
        m_retry.succeeded();
        if (!m_group || avahi_entry_group_is_empty(m_group.get())) {
            publish(client);
        }
        break;
    case AVAHI_CLIENT_S_REGISTERING:
    case AVAHI_CLIENT_S_COLLISION:
        // The daemon is (re)claiming its host name; publish again once it is RUNNING.
        if (m_group) {
            avahi_entry_group_reset(m_group.get());
        }
        break;
    case AVAHI_CLIENT_CONNECTING:
        // The daemon went away (NO_FAIL: the client waits for it to come back). Entry groups
        // of the old connection are dead.
        if (m_group) {
            m_group.reset();
            Q_EMIT failed(clientErrorText(AVAHI_ERR_NO_DAEMON) +
                          QStringLiteral("; publishing again when it is back"));
        }
        break;
    case AVAHI_CLIENT_FAILURE: {
        // The connection is gone (daemon or bus). The client is freed from the event loop, not
        // inside its own callback.
        const QString reason = clientErrorText(avahi_client_errno(client));
        m_group.reset();
        Q_EMIT failed(reason + QStringLiteral("; retrying"));
        m_retry.schedule([this] { m_client.reset(); });
        break;
    }
    }
}

void AvahiAdvertiser::takeAlternativeName()
{
    char *alternative = avahi_alternative_service_name(m_name.toUtf8().constData());
    const QString next = QString::fromUtf8(alternative);
    avahi_free(alternative);
    qCInfo(lcDiscovery).noquote() << "DNS-SD name" << m_name << "is taken; trying" << next;
    m_name = next;
}

void AvahiAdvertiser::publish(AvahiClient *client)
{
    if (!m_group) {
        AvahiEntryGroup *group = avahi_entry_group_new(client, groupCallback, this);
        if (!group) {
            Q_EMIT failed(clientErrorText(avahi_client_errno(client)));
            return;
        }
        m_group.reset(group);
    }
    AvahiStringList *txt = nullptr;
    for (auto it = m_txt.cbegin(); it != m_txt.cend(); ++it) {
        const QByteArray key = it.key().toUtf8();
        txt = it.value().isNull()
                  ? avahi_string_list_add(txt, key.constData())
                  : avahi_string_list_add_pair_arbitrary(
                        txt, key.constData(), reinterpret_cast<const uint8_t *>(it.value().data()),
                        static_cast<size_t>(it.value().size()));
    }
    const AvahiIfIndex interface = m_interface > 0 ? m_interface : AVAHI_IF_UNSPEC;
    const QByteArray type = m_type.toUtf8();
    int result = AVAHI_OK;
    // A name already used by this daemon is refused at once; one taken elsewhere on the network
    // shows up later as AVAHI_ENTRY_GROUP_COLLISION.
    for (int attempt = 0; attempt < 100; ++attempt) {
        result = avahi_entry_group_add_service_strlst(
            m_group.get(), interface, AVAHI_PROTO_UNSPEC, static_cast<AvahiPublishFlags>(0),
            m_name.toUtf8().constData(), type.constData(), nullptr, nullptr, m_port, txt);
        if (result != AVAHI_ERR_COLLISION) {
            break;
        }
        takeAlternativeName();
    }
    avahi_string_list_free(txt);
    if (result == AVAHI_OK) {
        result = avahi_entry_group_commit(m_group.get());
    }
    if (result != AVAHI_OK) {
        avahi_entry_group_reset(m_group.get());
        Q_EMIT failed(QStringLiteral("Cannot publish %1 as %2: %3")
                          .arg(m_name, m_type, QString::fromUtf8(avahi_strerror(result))));
    }
}

void AvahiAdvertiser::onGroupState(AvahiEntryGroup *group, AvahiEntryGroupState state)
{
    switch (state) {
    case AVAHI_ENTRY_GROUP_ESTABLISHED:
        Q_EMIT registered(m_name);
        break;
    case AVAHI_ENTRY_GROUP_COLLISION:
        takeAlternativeName();
        avahi_entry_group_reset(group);
        publish(avahi_entry_group_get_client(group));
        break;
    case AVAHI_ENTRY_GROUP_FAILURE:
        Q_EMIT failed(QStringLiteral("Publishing %1 failed: %2")
                          .arg(m_name, QString::fromUtf8(avahi_strerror(avahi_client_errno(
                                           avahi_entry_group_get_client(group))))));
        break;
    case AVAHI_ENTRY_GROUP_UNCOMMITED:
    case AVAHI_ENTRY_GROUP_REGISTERING:
        break;
    }
}

} // namespace Tincan::Discovery::Avahi
