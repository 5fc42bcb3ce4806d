#pragma once

#include <QByteArray>
#include <QMap>
#include <QObject>
#include <QString>

#include <memory>

namespace Tincan::Discovery {

class AdvertiserBackend;

//! Advertises one service on the local network with DNS-SD (multicast DNS), by default as
//! `_tincan._tcp` (serviceType()): tincand uses it with serverTxtRecord(). On Linux it talks to
//! the Avahi daemon over D-Bus, in the Qt event loop (no thread of its own).
//! Owning thread only; that thread needs a running event loop. Signals are queued: receivers may
//! delete the advertiser in their slots.
class ServiceAdvertiser : public QObject
{
    Q_OBJECT

public:
    explicit ServiceAdvertiser(QObject *parent = nullptr);
    ~ServiceAdvertiser() override;

    //! The service type, e.g. "_tincan._tcp" (the default). Takes effect at the next start().
    void setServiceType(const QString &type);
    QString serviceType() const { return m_type; }
    //! Advertises on this network interface only (QNetworkInterface::index()); 0, the default:
    //! on every interface the daemon uses. Takes effect at the next start().
    void setInterfaceIndex(int index) { m_interfaceIndex = index; }

    //! Starts advertising `instanceName` (cut to the 63 bytes DNS-SD allows) on `port` with the
    //! TXT record `txt` (keys up to 9 characters are usual; a null value gives a key without
    //! '='). Returns false with a readable `error` when that cannot start: no Avahi daemon, no
    //! D-Bus system bus, an empty name or too big a TXT record. Then registered() follows with
    //! the name actually used (" #2" appended when another service on the network has the
    //! requested one). If the daemon restarts later, failed() reports it and the service is
    //! published again (registered() again).
    bool start(const QString &instanceName, quint16 port, const QMap<QString, QByteArray> &txt,
               QString *error);
    //! Withdraws the service (goodbye packets tell browsers at once). No signals after this.
    void stop();

    bool isActive() const { return m_active; }
    //! The name registered() last reported; empty before that.
    QString registeredName() const { return m_registeredName; }

    //! `name` cut to at most 63 bytes of UTF-8 at a character boundary, trimmed.
    static QString truncatedInstanceName(const QString &name);

Q_SIGNALS:
    void registered(const QString &finalName);
    void failed(const QString &reason);

private:
    std::unique_ptr<AdvertiserBackend> m_backend;
    QString m_type;
    QString m_registeredName;
    int m_interfaceIndex = 0;
    quint64 m_generation = 0; //!< Queued signals from before a stop() are dropped.
    bool m_active = false;
};

} // namespace Tincan::Discovery
