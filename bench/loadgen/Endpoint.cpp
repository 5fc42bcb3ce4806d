#include "bench/loadgen/Endpoint.h"

#include "shared/protocol/Fingerprint.h"
#include "shared/protocol/Frames.h"

#include <QNetworkReply>
#include <QSslSocket>
#include <QWebSocket>

namespace Tincan::Bench {

namespace {
bool expected(const QSslCertificate &certificate, const QByteArray &digest)
{
    return !certificate.isNull() && Protocol::certificateDigest(certificate.toDer()) == digest;
}
} // namespace

QUrl Endpoint::streamUrl() const
{
    QUrl stream = url;
    stream.setScheme(tls() ? QStringLiteral("wss") : QStringLiteral("ws"));
    stream.setPath(QStringLiteral("/v1/stream"));
    return stream;
}

void Endpoint::connect(QSslSocket *socket) const
{
    if (tls()) {
        accept(socket);
        socket->connectToHostEncrypted(url.host(), static_cast<quint16>(url.port()));
    } else {
        socket->connectToHost(url.host(), static_cast<quint16>(url.port()));
    }
}

bool Endpoint::ready(const QSslSocket *socket) const
{
    return tls() ? socket->isEncrypted() : socket->state() == QAbstractSocket::ConnectedState;
}

void Endpoint::accept(QSslSocket *socket) const
{
    QObject::connect(socket, &QSslSocket::sslErrors, socket,
                     [socket, digest = certificateDigest](const QList<QSslError> &errors) {
                         if (expected(socket->peerCertificate(), digest)) {
                             socket->ignoreSslErrors(errors);
                         }
                     });
}

void Endpoint::accept(QNetworkReply *reply) const
{
    QObject::connect(reply, &QNetworkReply::sslErrors, reply,
                     [reply, digest = certificateDigest](const QList<QSslError> &errors) {
                         if (expected(reply->sslConfiguration().peerCertificate(), digest)) {
                             reply->ignoreSslErrors(errors);
                         }
                     });
}

void Endpoint::accept(QWebSocket *socket) const
{
    if (tls()) {
        QSslConfiguration configuration = socket->sslConfiguration();
        configuration.setAllowedNextProtocols(
            {QByteArray(Protocol::StreamAlpn), QByteArray(QSslConfiguration::NextProtocolHttp1_1)});
        socket->setSslConfiguration(configuration);
    }
    QObject::connect(socket, &QWebSocket::sslErrors, socket,
                     [socket, digest = certificateDigest](const QList<QSslError> &errors) {
                         if (expected(socket->sslConfiguration().peerCertificate(), digest)) {
                             socket->ignoreSslErrors(errors);
                         }
                     });
}

} // namespace Tincan::Bench
