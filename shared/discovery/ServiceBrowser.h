#pragma once

#include "shared/discovery/Backend.h"
#include "shared/discovery/DiscoveredServer.h"

#include <QMap>
#include <QObject>
#include <QStringList>

#include <memory>
#include <optional>

namespace Tincan::Discovery {

//! Lists the Tincan servers on the local network, live: browses DNS-SD for `_tincan._tcp` and
//! resolves every instance to addresses, port and TXT record (DiscoveredServer). A server seen
//! on several interfaces or IP protocols is one entry, with all its addresses. On Linux it talks
//! to the Avahi daemon over D-Bus in the Qt event loop; without a daemon it says why
//! (availabilityChanged()) and starts browsing by itself when one appears.
//! Owning thread only; that thread needs a running event loop. Signals are queued (receivers may
//! delete the browser); servers() is always the current state, possibly ahead of them.
class ServiceBrowser : public QObject
{
    Q_OBJECT

public:
    explicit ServiceBrowser(QObject *parent = nullptr);
    ~ServiceBrowser() override;

    //! The service type to browse for (default "_tincan._tcp"). Takes effect at the next start().
    void setServiceType(const QString &type);

    //! Starts browsing. Does not fail: see isAvailable().
    void start();
    //! Stops browsing and forgets every server (no serverLost() for them). No signals after this.
    void stop();
    bool isRunning() const { return m_running; }

    //! True while browsing works (the daemon answers).
    bool isAvailable() const { return m_available; }
    //! Why browsing does not work, in words (e.g. "the Avahi daemon (avahi-daemon) is not
    //! running; waiting for it to start"); empty while it works or before start().
    QString unavailableReason() const { return m_reason; }

    //! The servers found so far, in the order they were found.
    QList<DiscoveredServer> servers() const;
    std::optional<DiscoveredServer> server(const QString &name) const;

Q_SIGNALS:
    //! A new server was resolved.
    void serverFound(const Tincan::Discovery::DiscoveredServer &server);
    //! A known server changed: addresses, port or TXT record (e.g. a new certificate).
    void serverUpdated(const Tincan::Discovery::DiscoveredServer &server);
    //! The server went away (stopped, or its daemon did), or browsing became unavailable.
    void serverLost(const QString &name);
    //! Browsing started or stopped working; `reason` says why not.
    void availabilityChanged(bool available, const QString &reason);

private:
    struct Entry
    {
        QMap<QString, ResolvedInstance> instances; //!< Per interface and IP protocol.
        DiscoveredServer server;
    };

    void onResolved(const QString &name, const QString &instance, const ResolvedInstance &data);
    void onRemoved(const QString &name, const QString &instance);
    void onAvailable();
    void onUnavailable(const QString &reason);
    static DiscoveredServer merge(const QString &name, const Entry &entry);
    //! Emits later, unless stop() came in between.
    template<class Emitter> void queue(Emitter emitter);

    std::unique_ptr<BrowserBackend> m_backend;
    QString m_type;
    QMap<QString, Entry> m_entries;
    QStringList m_order; //!< Names in the order found.
    QString m_reason;
    quint64 m_generation = 0;
    bool m_running = false;
    bool m_available = false;
};

} // namespace Tincan::Discovery
