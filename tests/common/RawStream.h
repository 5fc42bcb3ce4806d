#pragma once

#include <QJsonObject>
#include <QList>
#include <QUrl>
#include <QWebSocket>

namespace Tincan::Test {

//! A bare /v1/stream connection for tests: records every frame it receives, sends nothing by
//! itself (no ACKs, no heartbeat).
class RawStream
{
public:
    RawStream(const QUrl &server, const QByteArray &token);

    QWebSocket socket;
    QList<QJsonObject> frames;

    //! True once a frame of this type arrived.
    bool has(const QString &type) const;
    //! The first frame of this type (empty if none).
    QJsonObject first(const QString &type) const;
    //! Whether the error code arrived in an `error` frame.
    bool hasError(const QString &code) const;

    //! Opens a stream and tells whether the server accepted it (waits up to 10 s).
    static bool connects(const QUrl &server, const QByteArray &token);
};

} // namespace Tincan::Test
