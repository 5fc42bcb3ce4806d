#include "tests/common/RawStream.h"

#include "tests/common/TestServer.h"

#include <QJsonDocument>
#include <QNetworkRequest>
#include <QtTest>

namespace Tincan::Test {

RawStream::RawStream(const TestServer &server, const QByteArray &token)
{
    QUrl url = server.url();
    url.setScheme(server.tls() ? QStringLiteral("wss") : QStringLiteral("ws"));
    url.setPath(QStringLiteral("/v1/stream"));
    QNetworkRequest request(url);
    if (!token.isEmpty()) {
        request.setRawHeader(QByteArrayLiteral("Authorization"), "Bearer " + token);
    }
    server.trust(&socket);
    QObject::connect(&socket, &QWebSocket::textMessageReceived, [this](const QString &text) {
        frames.append(QJsonDocument::fromJson(text.toUtf8()).object());
    });
    socket.open(request);
}

QJsonObject RawStream::first(const QString &type) const
{
    for (const QJsonObject &frame : frames) {
        if (frame.value(QStringLiteral("type")).toString() == type) {
            return frame;
        }
    }
    return {};
}

bool RawStream::has(const QString &type) const
{
    return !first(type).isEmpty();
}

bool RawStream::hasError(const QString &code) const
{
    return std::any_of(frames.cbegin(), frames.cend(), [&](const QJsonObject &frame) {
        return frame.value(QStringLiteral("type")).toString() == QLatin1String("error") &&
               frame.value(QStringLiteral("error")).toString() == code;
    });
}

RawStream::Outcome RawStream::connect(const TestServer &server, const QByteArray &token)
{
    RawStream stream(server, token);
    bool connected = false;
    bool finished = false;
    QObject::connect(&stream.socket, &QWebSocket::connected, [&] {
        connected = true;
        finished = true;
    });
    QObject::connect(&stream.socket, &QWebSocket::disconnected, [&] { finished = true; });
    if (!QTest::qWaitFor([&] { return finished; }, 10000)) {
        return Outcome::NoAnswer;
    }
    return connected ? Outcome::Accepted : Outcome::Refused;
}

} // namespace Tincan::Test
