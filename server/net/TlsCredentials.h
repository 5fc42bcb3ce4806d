#pragma once

#include <QList>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QString>

namespace Tincan::Server {

struct Config;

//! The daemon's TLS identity: the certificate chain and key the administrator configured
//! (tls/certificate, tls/private_key), or a self-signed certificate (ECDSA P-256, SHA-256,
//! valid for ten years) that the first start creates in <data dir>/tls/ and later starts reuse.
//! Clients pin the SHA-256 fingerprint of the leaf certificate, so the same key pair must stay
//! in place for as long as clients should keep trusting the server.
class TlsCredentials
{
public:
    //! Loads the configured pair, or the self-signed one (creating it when missing). Returns
    //! false with an error text on failure. Main thread.
    bool load(const Config &config, QString *error);

    //! The server side of a TLS connection: our chain and key, TLS 1.2 or later, no client
    //! certificates. Implicitly shared; safe to copy to other threads.
    QSslConfiguration serverConfiguration() const;
    QSslCertificate certificate() const { return m_chain.value(0); }
    QList<QSslCertificate> chain() const { return m_chain; }
    QSslKey key() const { return m_key; }
    //! The leaf certificate's SHA-256 fingerprint, "AB:CD:..." (Protocol::formatFingerprint).
    QString fingerprint() const;
    QString certificatePath() const { return m_certificatePath; }
    //! True when load() had to create the self-signed pair.
    bool created() const { return m_created; }

    static QString selfSignedCertificatePath(const Config &config);
    static QString selfSignedKeyPath(const Config &config);

private:
    QList<QSslCertificate> m_chain;
    QSslKey m_key;
    QString m_certificatePath;
    bool m_created = false;
};

} // namespace Tincan::Server
