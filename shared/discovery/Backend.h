#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>

#include <memory>

namespace Tincan::Discovery {

//! The seam between ServiceAdvertiser / ServiceBrowser and one DNS-SD implementation. Linux has
//! Avahi's client library (avahi/); a backend on Apple's dns_sd.h (Bonjour on macOS, Bonjour for
//! Windows or Windows' own DNS-SD API) would implement the same two classes: DNSServiceRegister
//! for the advertiser; DNSServiceBrowse, DNSServiceResolve and DNSServiceGetAddrInfo for the
//! browser, their DNSServiceRefSockFD() watched by a QSocketNotifier. Backends report plain
//! DNS-SD data; what it means for Tincan (TXT keys, merging instances) is decided above them.
//! Everything runs on the thread that owns the object, in its Qt event loop. Backends may emit
//! their signals from inside the library's callbacks: receivers must not delete the backend
//! there (ServiceAdvertiser and ServiceBrowser queue what they pass on).

//! Publishes one service instance.
class AdvertiserBackend : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;
    //! Starts publishing; false with a readable `error` when it cannot even start (e.g. no
    //! daemon). `interfaceIndex` 0 means every interface.
    virtual bool start(const QString &serviceType, const QString &name, quint16 port,
                       const QMap<QString, QByteArray> &txt, int interfaceIndex,
                       QString *error) = 0;
    //! Withdraws the service (a goodbye on the network). No signals after this.
    virtual void stop() = 0;

Q_SIGNALS:
    //! Published under `finalName` (another name if the requested one was taken).
    void registered(const QString &finalName);
    //! Publishing stopped working. The backend may recover by itself (and emit registered()).
    void failed(const QString &reason);
};

//! One resolved instance of a service: a name is seen once per interface and IP protocol.
struct ResolvedInstance
{
    QString host;
    QList<QHostAddress> addresses;
    quint16 port = 0;
    QMap<QString, QByteArray> txt; //!< Keys as sent; a key without '=' maps to a null array.
};

//! Browses for one service type and resolves what it finds, live.
class BrowserBackend : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;
    //! Starts browsing; a missing daemon is not an error: the backend reports unavailable() and
    //! keeps trying to reach it.
    virtual void start(const QString &serviceType) = 0;
    //! Stops browsing. No signals after this.
    virtual void stop() = 0;

Q_SIGNALS:
    //! An instance of `name` (one of several, told apart by `instance`) was resolved, or its data
    //! changed.
    void instanceResolved(const QString &name, const QString &instance,
                          const ResolvedInstance &data);
    //! That instance went away (or stopped resolving).
    void instanceRemoved(const QString &name, const QString &instance);
    //! The daemon is reachable and browsing runs.
    void available();
    //! Browsing does not work for `reason` (e.g. the daemon is not running). Every instance
    //! reported so far counts as removed; the backend keeps trying.
    void unavailable(const QString &reason);
};

//! The platform's backends (Avahi on Linux; elsewhere, for now, ones that report that there is
//! no DNS-SD support in this build).
std::unique_ptr<AdvertiserBackend> createAdvertiserBackend();
std::unique_ptr<BrowserBackend> createBrowserBackend();

} // namespace Tincan::Discovery
