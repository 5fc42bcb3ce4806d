#pragma once

#include "server/core/SessionRegistry.h"

#include <QHash>
#include <QReadWriteLock>

namespace Tincan::Server {

class LocalSessionRegistry final : public SessionRegistry
{
public:
    void add(qint64 deviceId, StreamSession *session) override;
    void remove(qint64 deviceId, StreamSession *session) override;
    bool isOnline(qint64 deviceId) const override;
    qsizetype onlineCount() const override;
    bool withSession(qint64 deviceId,
                     const std::function<void(StreamSession *)> &fn) const override;

private:
    mutable QReadWriteLock m_lock;
    QHash<qint64, StreamSession *> m_sessions;
};

} // namespace Tincan::Server
