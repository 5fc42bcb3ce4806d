#include "app/core/CertificatePin.h"

#include "app/core/Logging.h"
#include "shared/protocol/Fingerprint.h"

#include <QNetworkReply>
#include <QSslCertificate>
#include <QSslError>
#include <QWebSocket>

namespace Tincan::Client {

namespace {
//! The server's own certificate: what the handshake recorded, or what the errors are about.
QSslCertificate leafCertificate(const QSslConfiguration &configuration,
                                const QList<QSslError> &errors)
{
    if (!configuration.peerCertificate().isNull()) {
        return configuration.peerCertificate();
    }
    for (const QSslError &error : errors) {
        if (!error.certificate().isNull()) {
            return error.certificate();
        }
    }
    return QSslCertificate();
}
} // namespace

CertificatePin::CertificatePin(QObject *parent)
    : QObject(parent)
{}

QString CertificatePin::fingerprint() const
{
    return Protocol::formatFingerprint(m_digest);
}

void CertificatePin::setDigest(const QByteArray &digest)
{
    m_digest = digest;
    m_lastRejected.clear();
}

QSslConfiguration CertificatePin::clientConfiguration()
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    // No CA at all: even a certificate a CA vouches for is reported through sslErrors, and the
    // pin decides alone. (setCaCertificates also stops Qt from loading the system's CAs later.)
    configuration.setCaCertificates({});
    return configuration;
}

QString CertificatePin::mismatchMessage(const QString &expected, const QString &actual)
{
    return QStringLiteral("The server's TLS certificate has changed: it shows SHA-256 %1, but this "
                          "profile trusts SHA-256 %2. Nothing was sent. If the administrator "
                          "confirms the new certificate, pin it with --server-fingerprint.")
        .arg(actual, expected);
}

bool CertificatePin::check(const QSslCertificate &certificate, QString *error)
{
    if (certificate.isNull()) {
        *error = QStringLiteral("The server showed no TLS certificate.");
        return false;
    }
    const QByteArray digest = Protocol::certificateDigest(certificate.toDer());
    if (m_digest.isEmpty()) {
        m_digest = digest;
        qCInfo(lcNet).noquote() << "pinned the server certificate SHA-256"
                                << Protocol::formatFingerprint(digest);
        Q_EMIT pinned(Protocol::formatFingerprint(digest));
        return true;
    }
    if (digest == m_digest) {
        return true;
    }
    *error = mismatchMessage(fingerprint(), Protocol::formatFingerprint(digest));
    if (digest != m_lastRejected) {
        m_lastRejected = digest;
        qCInfo(lcNet).noquote() << *error;
        Q_EMIT rejected(*error);
    }
    return false;
}

void CertificatePin::guard(QNetworkReply *reply, QString *error)
{
    // Both checks run before the request goes out: sslErrors during the handshake (always, as no
    // CA is trusted), encrypted right after it (also covers a resumed session).
    connect(reply, &QNetworkReply::sslErrors, this,
            [this, reply, error](const QList<QSslError> &errors) {
                if (check(leafCertificate(reply->sslConfiguration(), errors), error)) {
                    reply->ignoreSslErrors(errors);
                }
            });
    connect(reply, &QNetworkReply::encrypted, this, [this, reply, error] {
        if (!check(reply->sslConfiguration().peerCertificate(), error)) {
            reply->abort();
        }
    });
}

void CertificatePin::guard(QWebSocket *socket, QString *error)
{
    connect(socket, &QWebSocket::sslErrors, this,
            [this, socket, error](const QList<QSslError> &errors) {
                // Only these errors, for this certificate: a later connection that shows another
                // certificate comes back here instead of being let through.
                if (check(leafCertificate(socket->sslConfiguration(), errors), error)) {
                    socket->ignoreSslErrors(errors);
                }
            });
    connect(socket, &QWebSocket::connected, this, [this, socket, error] {
        if (socket->requestUrl().scheme() == QLatin1String("wss") &&
            !check(socket->sslConfiguration().peerCertificate(), error)) {
            socket->abort();
        }
    });
}

} // namespace Tincan::Client
