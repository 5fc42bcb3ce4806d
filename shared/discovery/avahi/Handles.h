#pragma once

#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-client/publish.h>
#include <avahi-common/error.h>

#include <QString>

#include <memory>

namespace Tincan::Discovery::Avahi {

//! Owning handles for Avahi's client objects. An AvahiClient frees every object made with it:
//! reset those handles before the client's.
struct ClientDeleter
{
    void operator()(AvahiClient *client) const { avahi_client_free(client); }
};
struct EntryGroupDeleter
{
    void operator()(AvahiEntryGroup *group) const { avahi_entry_group_free(group); }
};
struct ServiceBrowserDeleter
{
    void operator()(AvahiServiceBrowser *browser) const { avahi_service_browser_free(browser); }
};
struct ServiceResolverDeleter
{
    void operator()(AvahiServiceResolver *resolver) const { avahi_service_resolver_free(resolver); }
};
using ClientPtr = std::unique_ptr<AvahiClient, ClientDeleter>;
using EntryGroupPtr = std::unique_ptr<AvahiEntryGroup, EntryGroupDeleter>;
using ServiceBrowserPtr = std::unique_ptr<AvahiServiceBrowser, ServiceBrowserDeleter>;
using ServiceResolverPtr = std::unique_ptr<AvahiServiceResolver, ServiceResolverDeleter>;

//! Why a client could not be made or stopped working, in words for a log or a settings page.
inline QString clientErrorText(int error)
{
    switch (error) {
    case AVAHI_ERR_NO_DAEMON:
        return QStringLiteral("the Avahi daemon (avahi-daemon) is not running");
    case AVAHI_ERR_DBUS_ERROR:
        return QStringLiteral("the D-Bus system bus cannot be reached, so neither can the Avahi "
                              "daemon");
    case AVAHI_ERR_DISCONNECTED:
        return QStringLiteral("the connection to the Avahi daemon was lost");
    default:
        return QStringLiteral("Avahi error: %1").arg(QString::fromUtf8(avahi_strerror(error)));
    }
}

//! Why avahi_client_new() with AVAHI_CLIENT_NO_FAIL returned no client. With that flag a
//! missing daemon is not an error (the client waits in AVAHI_CLIENT_CONNECTING), so
//! AVAHI_ERR_NO_DAEMON means that the bus itself could not be reached (measured: Avahi 0.8 reports
//! a missing system bus socket that way).
inline QString connectErrorText(int error)
{
    return clientErrorText(error == AVAHI_ERR_NO_DAEMON ? AVAHI_ERR_DBUS_ERROR : error);
}

//! A client on `poll` made with AVAHI_CLIENT_NO_FAIL (it waits for a missing daemon), or null
//! with `error` set. The state callback runs inside avahi_client_new (e.g. RUNNING), before the
//! pointer is returned: callbacks must use the client they are given.
inline ClientPtr newClient(const AvahiPoll *poll, AvahiClientCallback callback, void *userdata,
                           QString *error)
{
    int code = 0;
    ClientPtr client(avahi_client_new(poll, AVAHI_CLIENT_NO_FAIL, callback, userdata, &code));
    if (!client) {
        *error = connectErrorText(code);
    }
    return client;
}

} // namespace Tincan::Discovery::Avahi
