#include "shared/discovery/ServiceBrowser.h"

#include "shared/discovery/Backend.h"
#include "shared/discovery/Logging.h"
#include "shared/discovery/Queue.h"

#include <algorithm>

namespace Tincan::Discovery {

namespace {
//! IPv4 first, then global IPv6, then link-local IPv6: the order to try connecting in.
int addressRank(const QHostAddress &address)
{
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        return 0;
    }
    return address.isLinkLocal() ? 2 : 1;
}
} // namespace

ServiceBrowser::ServiceBrowser(QObject *parent)
    : QObject(parent)
    , m_backend(createBrowserBackend())
    , m_type(Discovery::serviceType())
{
    connect(m_backend.get(), &BrowserBackend::instanceResolved, this, &ServiceBrowser::onResolved);
    connect(m_backend.get(), &BrowserBackend::instanceRemoved, this, &ServiceBrowser::onRemoved);
    connect(m_backend.get(), &BrowserBackend::available, this, &ServiceBrowser::onAvailable);
    connect(m_backend.get(), &BrowserBackend::unavailable, this, &ServiceBrowser::onUnavailable);
}

ServiceBrowser::~ServiceBrowser()
{
    stop();
}

void ServiceBrowser::setServiceType(const QString &type)
{
    m_type = type;
}

void ServiceBrowser::start()
{
    stop();
    m_running = true;
    m_backend->start(m_type);
}

void ServiceBrowser::stop()
{
    ++m_generation;
    if (m_running) {
        m_backend->stop();
    }
    m_running = false;
    m_available = false;
    m_reason.clear();
    m_entries.clear();
    m_order.clear();
}

QList<DiscoveredServer> ServiceBrowser::servers() const
{
    QList<DiscoveredServer> list;
    list.reserve(m_order.size());
    for (const QString &name : m_order) {
        list.append(m_entries.value(name).server);
    }
    return list;
}

std::optional<DiscoveredServer> ServiceBrowser::server(const QString &name) const
{
    const auto it = m_entries.find(name);
    if (it == m_entries.end()) {
        return std::nullopt;
    }
    return it->server;
}

template<class Emitter> void ServiceBrowser::queue(Emitter emitter)
{
    queueUnlessStale(this, &m_generation, std::move(emitter));
}

DiscoveredServer ServiceBrowser::merge(const QString &name, const Entry &entry)
{
    // Host, port and TXT come from one instance, preferring one resolved to IPv4 (the same
    // service seen over several interfaces carries the same data); addresses from all of them.
    const ResolvedInstance *primary = nullptr;
    QList<QHostAddress> addresses;
    for (const ResolvedInstance &instance : entry.instances) {
        const bool hasIpv4 = std::any_of(
            instance.addresses.cbegin(), instance.addresses.cend(),
            [](const QHostAddress &a) { return a.protocol() == QAbstractSocket::IPv4Protocol; });
        if (!primary || (hasIpv4 && addressRank(primary->addresses.value(0)) != 0)) {
            primary = &instance;
        }
        for (const QHostAddress &address : instance.addresses) {
            if (!addresses.contains(address)) {
                addresses.append(address);
            }
        }
    }
    std::stable_sort(addresses.begin(), addresses.end(),
                     [](const QHostAddress &a, const QHostAddress &b) {
                         return addressRank(a) < addressRank(b);
                     });
    DiscoveredServer server;
    server.name = name;
    server.addresses = addresses;
    if (primary) {
        server.host = primary->host;
        server.port = primary->port;
        readServerTxtRecord(primary->txt, &server);
    }
    return server;
}

void ServiceBrowser::onResolved(const QString &name, const QString &instance,
                                const ResolvedInstance &data)
{
    Entry &entry = m_entries[name];
    const bool isNew = entry.instances.isEmpty();
    entry.instances.insert(instance, data);
    const DiscoveredServer server = merge(name, entry);
    if (isNew) {
        entry.server = server;
        m_order.append(name);
        qCDebug(lcDiscovery).noquote() << "server found:" << name << server.addresses;
        queue([this, server] { Q_EMIT serverFound(server); });
    } else if (!(server == entry.server)) {
        entry.server = server;
        queue([this, server] { Q_EMIT serverUpdated(server); });
    }
}

void ServiceBrowser::onRemoved(const QString &name, const QString &instance)
{
    const auto it = m_entries.find(name);
    if (it == m_entries.end()) {
        return;
    }
    it->instances.remove(instance);
    if (it->instances.isEmpty()) {
        m_entries.erase(it);
        m_order.removeOne(name);
        qCDebug(lcDiscovery).noquote() << "server lost:" << name;
        queue([this, name] { Q_EMIT serverLost(name); });
        return;
    }
    const DiscoveredServer server = merge(name, *it);
    if (!(server == it->server)) {
        it->server = server;
        queue([this, server] { Q_EMIT serverUpdated(server); });
    }
}

void ServiceBrowser::onAvailable()
{
    m_available = true;
    m_reason.clear();
    queue([this] { Q_EMIT availabilityChanged(true, QString()); });
}

void ServiceBrowser::onUnavailable(const QString &reason)
{
    const QStringList lost = m_order;
    m_entries.clear();
    m_order.clear();
    for (const QString &name : lost) {
        queue([this, name] { Q_EMIT serverLost(name); });
    }
    m_available = false;
    m_reason = reason;
    queue([this, reason] { Q_EMIT availabilityChanged(false, reason); });
}

} // namespace Tincan::Discovery
