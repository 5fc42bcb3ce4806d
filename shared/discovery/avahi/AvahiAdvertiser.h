#pragma once

#include "shared/discovery/Backend.h"
#include "shared/discovery/avahi/Handles.h"
#include "shared/discovery/avahi/QtPoll.h"
#include "shared/discovery/avahi/Retry.h"

namespace Tincan::Discovery::Avahi {

//! Publishes one service through the Avahi daemon (avahi-client over D-Bus), in the Qt event
//! loop. The client is made with AVAHI_CLIENT_NO_FAIL: once started, a daemon that restarts
//! gets the service again without help; a lost D-Bus connection is retried with a back-off.
//! Owning thread only.
class AvahiAdvertiser final : public AdvertiserBackend
{
    Q_OBJECT

public:
    AvahiAdvertiser();
    ~AvahiAdvertiser() override;

    bool start(const QString &serviceType, const QString &name, quint16 port,
               const QMap<QString, QByteArray> &txt, int interfaceIndex, QString *error) override;
    void stop() override;

private:
    static void clientCallback(AvahiClient *client, AvahiClientState state, void *self);
    static void groupCallback(AvahiEntryGroup *group, AvahiEntryGroupState state, void *self);
    void onClientState(AvahiClient *client, AvahiClientState state);
    void onGroupState(AvahiEntryGroup *group, AvahiEntryGroupState state);
    bool connectClient(QString *error);
    //! Adds the service to the (new or reset) entry group and commits it.
    void publish(AvahiClient *client);
    void takeAlternativeName();

    QtPoll m_poll; // Outlives the client (declared first).
    ClientPtr m_client;
    EntryGroupPtr m_group;
    Retry m_retry;
    QString m_type;
    QString m_name; //!< The name being published: the requested one or an alternative.
    quint16 m_port = 0;
    QMap<QString, QByteArray> m_txt;
    int m_interface = 0;
};

} // namespace Tincan::Discovery::Avahi
