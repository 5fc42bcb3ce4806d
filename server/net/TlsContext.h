#pragma once

#include <QByteArray>
#include <QList>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>

#include <memory>

using SSL_CTX = struct ssl_ctx_st;

namespace Tincan::Server {

//! OpenSSL's server context for the connections whose TLS we terminate ourselves: the streams
//! of clients that offer ALPN Protocol::StreamAlpn (TlsStream). The same certificate chain and
//! key as the QSslSocket path (TlsCredentials), TLS 1.2 or later, no renegotiation, and the
//! stream ALPN selected. Built once on the main thread; SSL_CTX is then shared by the
//! connection threads (OpenSSL allows SSL_new on a configured context from any thread).
class TlsContext
{
public:
    //! Null with `error` set if OpenSSL refuses the pair.
    static std::shared_ptr<TlsContext> create(const QList<QSslCertificate> &chain,
                                              const QSslKey &key, QString *error);
    ~TlsContext();

    SSL_CTX *get() const { return m_ctx; }

private:
    explicit TlsContext(SSL_CTX *ctx)
        : m_ctx(ctx)
    {}
    SSL_CTX *m_ctx;
};

} // namespace Tincan::Server
