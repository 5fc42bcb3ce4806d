#pragma once

#include <QJsonObject>
#include <QList>
#include <QUrl>
#include <QWebSocket>

namespace Tincan::Test {

class TestServer;

//! A bare /v1/stream connection for tests: records every frame it receives, sends nothing by
//! itself (no ACKs, no heartbeat). Speaks wss:// (its QWebSocket runs over a QSslSocket that
//! accepts the test daemon's certificate only), or ws:// to a plain-HTTP daemon.
class RawStream
{
public:
    RawStream(const TestServer &server, const QByteArray &token);

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
    static Outcome connect(const TestServer &server, const QByteArray &token);
};

} // namespace Tincan::Test
