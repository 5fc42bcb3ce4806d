#include "shared/discovery/avahi/AvahiBrowser.h"

#include "shared/discovery/Logging.h"

#include <QTimer>

#include <avahi-common/address.h>
#include <avahi-common/malloc.h>
#include <avahi-common/strlst.h>

namespace Tincan::Discovery::Avahi {

namespace {
constexpr int ResolveRetryMs = 5000;

QString instanceKey(AvahiIfIndex interface, AvahiProtocol protocol, const char *domain,
                    const char *name)
{
    return QStringLiteral("%1/%2/%3/%4")
        .arg(interface)
        .arg(protocol)
        .arg(QString::fromUtf8(domain), QString::fromUtf8(name));
}

QHostAddress toHostAddress(const AvahiAddress *address, AvahiIfIndex interface)
{
    char text[AVAHI_ADDRESS_STR_MAX] = {};
    avahi_address_snprint(text, sizeof text, address);
    QHostAddress result(QString::fromLatin1(text));
    // A link-local IPv6 address is only usable with the interface it was seen on.
    if (result.protocol() == QAbstractSocket::IPv6Protocol && result.isLinkLocal() &&
        interface > 0) {
        result.setScopeId(QString::number(interface));
    }
    return result;
}

QMap<QString, QByteArray> toMap(AvahiStringList *txt)
{
    QMap<QString, QByteArray> map;
    for (AvahiStringList *item = txt; item; item = avahi_string_list_get_next(item)) {
        char *key = nullptr;
        char *value = nullptr;
        size_t size = 0;
        if (avahi_string_list_get_pair(item, &key, &value, &size) != 0) {
            continue;
        }
        // RFC 6763 §6.4: the first occurrence of a key counts.
        const QString name = QString::fromUtf8(key);
        if (!name.isEmpty() && !map.contains(name)) {
            map.insert(name,
                       value ? QByteArray(value, static_cast<qsizetype>(size)) : QByteArray());
        }
        avahi_free(key);
        avahi_free(value);
    }
    return map;
}
} // namespace

AvahiBrowser::AvahiBrowser()
    : m_retry(this, [this] {
        if (m_client && avahi_client_get_state(m_client.get()) == AVAHI_CLIENT_S_RUNNING) {
            browse(m_client.get());
        } else {
            connectClient();
        }
    })
{}

AvahiBrowser::~AvahiBrowser()
{
    stop();
}

void AvahiBrowser::start(const QString &serviceType)
{
    stop();
    m_type = serviceType;
    connectClient();
}

void AvahiBrowser::stop()
{
    ++m_generation;
    m_retry.cancel();
    m_instances.clear();
    m_browser.reset();
    m_client.reset();
    m_state = State::Unknown;
    m_reason.clear();
}

void AvahiBrowser::connectClient()
{
    m_instances.clear();
    m_browser.reset();
    m_client.reset();
    QString error;
    m_client = newClient(m_poll.api(), clientCallback, this, &error);
    if (!m_client) {
        dropBrowsing(error + QStringLiteral("; retrying"));
        retryLater();
    }
}

void AvahiBrowser::retryLater()
{
    m_retry.schedule([this] {
        if (m_client && avahi_client_get_state(m_client.get()) == AVAHI_CLIENT_FAILURE) {
            m_client.reset();
        }
    });
}

void AvahiBrowser::clientCallback(AvahiClient *client, AvahiClientState state, void *self)
{
    static_cast<AvahiBrowser *>(self)->onClientState(client, state);
}

void AvahiBrowser::onClientState(AvahiClient *client, AvahiClientState state)
{
    switch (state) {
    case AVAHI_CLIENT_S_RUNNING:
    case AVAHI_CLIENT_S_REGISTERING:
    case AVAHI_CLIENT_S_COLLISION:
        // Browsing works whatever the daemon's own host name is doing.
        if (!m_browser) {
            browse(client);
        }
        break;
    case AVAHI_CLIENT_CONNECTING:
        // No daemon (yet, or any more): NO_FAIL makes the client wait for one. Objects of a
        // previous connection are dead.
        dropBrowsing(clientErrorText(AVAHI_ERR_NO_DAEMON) +
                     QStringLiteral("; waiting for it to start"));
        break;
    case AVAHI_CLIENT_FAILURE:
        dropBrowsing(clientErrorText(avahi_client_errno(client)) + QStringLiteral("; retrying"));
        retryLater();
        break;
    }
}

void AvahiBrowser::browse(AvahiClient *client)
{
    AvahiServiceBrowser *browser = avahi_service_browser_new(
        client, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, m_type.toUtf8().constData(), nullptr,
        static_cast<AvahiLookupFlags>(0), browseCallback, this);
    if (!browser) {
        dropBrowsing(
            QStringLiteral("Cannot browse for %1: %2")
                .arg(m_type, QString::fromUtf8(avahi_strerror(avahi_client_errno(client)))));
        retryLater();
        return;
    }
    m_browser.reset(browser);
    m_retry.succeeded();
    if (m_state != State::Available) {
        m_state = State::Available;
        m_reason.clear();
        Q_EMIT available();
    }
}

void AvahiBrowser::dropBrowsing(const QString &reason)
{
    // Resolvers first, then the browser (the client frees both anyway); unavailable() tells the
    // receiver that every instance is gone.
    m_instances.clear();
    m_browser.reset();
    if (m_state != State::Unavailable || m_reason != reason) {
        m_state = State::Unavailable;
        m_reason = reason;
        qCInfo(lcDiscovery).noquote() << "LAN discovery unavailable:" << reason;
        Q_EMIT unavailable(reason);
    }
}

void AvahiBrowser::browseCallback(AvahiServiceBrowser *, AvahiIfIndex interface,
                                  AvahiProtocol protocol, AvahiBrowserEvent event, const char *name,
                                  const char *, const char *domain, AvahiLookupResultFlags,
                                  void *self)
{
    static_cast<AvahiBrowser *>(self)->onBrowse(interface, protocol, event, name, domain);
}

void AvahiBrowser::onBrowse(AvahiIfIndex interface, AvahiProtocol protocol, AvahiBrowserEvent event,
                            const char *name, const char *domain)
{
    switch (event) {
    case AVAHI_BROWSER_NEW: {
        const QString key = instanceKey(interface, protocol, domain, name);
        if (m_instances.count(key) != 0) {
            return;
        }
        Instance &instance = m_instances[key];
        instance.name = QString::fromUtf8(name);
        instance.interface = interface;
        instance.protocol = protocol;
        instance.domain = domain;
        qCDebug(lcDiscovery).noquote() << "found" << key;
        resolve(m_client.get(), key, instance);
        break;
    }
    case AVAHI_BROWSER_REMOVE: {
        const QString key = instanceKey(interface, protocol, domain, name);
        const auto it = m_instances.find(key);
        if (it == m_instances.end()) {
            return;
        }
        const bool wasResolved = it->second.resolved;
        m_instances.erase(it);
        qCDebug(lcDiscovery).noquote() << "removed" << key;
        if (wasResolved) {
            Q_EMIT instanceRemoved(QString::fromUtf8(name), key);
        }
        break;
    }
    case AVAHI_BROWSER_FAILURE:
        dropBrowsing(QStringLiteral("Browsing for %1 failed: %2")
                         .arg(m_type, QString::fromUtf8(avahi_strerror(
                                          m_client ? avahi_client_errno(m_client.get())
                                                   : AVAHI_ERR_FAILURE))));
        retryLater();
        break;
    case AVAHI_BROWSER_ALL_FOR_NOW:
    case AVAHI_BROWSER_CACHE_EXHAUSTED:
        break;
    }
}

void AvahiBrowser::resolve(AvahiClient *client, const QString &key, Instance &instance)
{
    if (!client) {
        return;
    }
    const AvahiProtocol family = instance.anyFamily ? AVAHI_PROTO_UNSPEC : instance.protocol;
    AvahiServiceResolver *resolver = avahi_service_resolver_new(
        client, instance.interface, instance.protocol, instance.name.toUtf8().constData(),
        m_type.toUtf8().constData(), instance.domain.constData(), family,
        static_cast<AvahiLookupFlags>(0), resolveCallback, this);
    if (!resolver) {
        qCDebug(lcDiscovery).noquote()
            << "cannot resolve" << key << avahi_strerror(avahi_client_errno(client));
    }
    instance.resolver.reset(resolver);
}

void AvahiBrowser::resolveCallback(AvahiServiceResolver *resolver, AvahiIfIndex interface,
                                   AvahiProtocol, AvahiResolverEvent event, const char *,
                                   const char *, const char *, const char *host,
                                   const AvahiAddress *address, uint16_t port, AvahiStringList *txt,
                                   AvahiLookupResultFlags, void *self)
{
    static_cast<AvahiBrowser *>(self)->onResolve(resolver, interface, event, host, address, port,
                                                 txt);
}

void AvahiBrowser::onResolve(AvahiServiceResolver *resolver, AvahiIfIndex interface,
                             AvahiResolverEvent event, const char *host,
                             const AvahiAddress *address, uint16_t port, AvahiStringList *txt)
{
    auto it = m_instances.begin();
    while (it != m_instances.end() && it->second.resolver.get() != resolver) {
        ++it;
    }
    if (it == m_instances.end()) {
        return;
    }
    const QString key = it->first;
    Instance &instance = it->second;
    if (event == AVAHI_RESOLVER_FOUND) {
        ResolvedInstance data;
        data.host = QString::fromUtf8(host);
        if (address) {
            data.addresses.append(toHostAddress(address, interface));
        }
        data.port = port;
        data.txt = toMap(txt);
        instance.resolved = true;
        Q_EMIT instanceResolved(instance.name, key, data);
        return;
    }
    // AVAHI_RESOLVER_FAILURE: a time-out, usually. Freeing a resolver in its own callback is
    // allowed; try again later (for either address family) while the instance exists.
    if (m_client) {
        qCDebug(lcDiscovery).noquote()
            << "resolving" << key
            << "failed:" << avahi_strerror(avahi_client_errno(m_client.get()));
    }
    instance.resolver.reset();
    instance.anyFamily = true;
    if (instance.resolved) {
        instance.resolved = false;
        Q_EMIT instanceRemoved(instance.name, key);
    }
    const quint64 generation = m_generation;
    QTimer::singleShot(ResolveRetryMs, this, [this, generation, key] {
        const auto again = m_instances.find(key);
        if (generation == m_generation && again != m_instances.end() && !again->second.resolver) {
            resolve(m_client.get(), key, again->second);
        }
    });
}

} // namespace Tincan::Discovery::Avahi
