#pragma once

#include "shared/discovery/Backend.h"
#include "shared/discovery/avahi/Handles.h"
#include "shared/discovery/avahi/QtPoll.h"
#include "shared/discovery/avahi/Retry.h"

#include <map>

namespace Tincan::Discovery::Avahi {

//! Browses one service type through the Avahi daemon and keeps a resolver on every instance, so
//! changes (TXT, addresses) are reported too. AVAHI_CLIENT_NO_FAIL: without a daemon it waits
//! for one; a lost D-Bus connection is retried with a back-off. Owning thread only.
class AvahiBrowser final : public BrowserBackend
{
    Q_OBJECT

public:
    AvahiBrowser();
    ~AvahiBrowser() override;

    void start(const QString &serviceType) override;
    void stop() override;

private:
    struct Instance
    {
        QString name;
        AvahiIfIndex interface = AVAHI_IF_UNSPEC;
        AvahiProtocol protocol = AVAHI_PROTO_UNSPEC;
        QByteArray domain;
        ServiceResolverPtr resolver;
        bool resolved = false;
        //! The first resolver asks for the address family of the instance's protocol; after a
        //! failure, for either.
        bool anyFamily = false;
    };

    static void clientCallback(AvahiClient *client, AvahiClientState state, void *self);
    static void browseCallback(AvahiServiceBrowser *browser, AvahiIfIndex interface,
                               AvahiProtocol protocol, AvahiBrowserEvent event, const char *name,
                               const char *type, const char *domain, AvahiLookupResultFlags flags,
                               void *self);
    static void resolveCallback(AvahiServiceResolver *resolver, AvahiIfIndex interface,
                                AvahiProtocol protocol, AvahiResolverEvent event, const char *name,
                                const char *type, const char *domain, const char *host,
                                const AvahiAddress *address, uint16_t port, AvahiStringList *txt,
                                AvahiLookupResultFlags flags, void *self);
    void onClientState(AvahiClient *client, AvahiClientState state);
    void onBrowse(AvahiIfIndex interface, AvahiProtocol protocol, AvahiBrowserEvent event,
                  const char *name, const char *domain);
    void onResolve(AvahiServiceResolver *resolver, AvahiIfIndex interface, AvahiResolverEvent event,
                   const char *host, const AvahiAddress *address, uint16_t port,
                   AvahiStringList *txt);
    void connectClient();
    void browse(AvahiClient *client);
    void resolve(AvahiClient *client, const QString &key, Instance &instance);
    //! Frees the browser and resolvers and reports `reason` (everything is gone).
    void dropBrowsing(const QString &reason);
    //! Tries again later: frees a failed client, then connects or browses again.
    void retryLater();

    QtPoll m_poll; // Outlives the client (declared first).
    ClientPtr m_client;
    ServiceBrowserPtr m_browser;
    //! By "interface/protocol/domain/name". std::map: Instance owns a handle (move-only).
    std::map<QString, Instance> m_instances;
    QString m_type;
    Retry m_retry;
    quint64 m_generation = 0; //!< Resolver retries from before a stop() are dropped.
    enum class State { Unknown, Available, Unavailable };
    State m_state = State::Unknown;
    QString m_reason; //!< Why unavailable, as last reported.
};

} // namespace Tincan::Discovery::Avahi
