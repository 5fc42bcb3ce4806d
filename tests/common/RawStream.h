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

    enum class Outcome { Accepted, Refused, NoAnswer };
    //! Opens a stream and tells what the server did with it within 10 s. A server that neither
    //! accepts nor refuses is a bug of its own, so it is not counted as a refusal.
    static Outcome connect(const QUrl &server, const QByteArray &token);
};

} // namespace Tincan::Test
