#include "server/net/TlsContext.h"

#include "shared/protocol/Frames.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

namespace Tincan::Server {

namespace {

QString openSslError(const char *what)
{
    const unsigned long code = ERR_get_error();
    char text[256] = {};
    ERR_error_string_n(code, text, sizeof(text));
    ERR_clear_error();
    return QStringLiteral("%1: %2").arg(QLatin1String(what), QLatin1String(text));
}

//! Picks the stream protocol when the client offers it (it always does on this path: the
//! accept path only brings such connections here).
int selectAlpn(SSL *, const unsigned char **out, unsigned char *outLength, const unsigned char *in,
               unsigned int inLength, void *)
{
    static const QByteArray wire = [] {
        QByteArray list;
        list += static_cast<char>(qstrlen(Protocol::StreamAlpn));
        list += Protocol::StreamAlpn;
        return list;
    }();
    unsigned char *selected = nullptr;
    if (SSL_select_next_proto(
            &selected, outLength, reinterpret_cast<const unsigned char *>(wire.constData()),
            static_cast<unsigned int>(wire.size()), in, inLength) != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_NOACK;
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

struct BioFree
{
    void operator()(BIO *bio) const { BIO_free(bio); }
};
using Bio = std::unique_ptr<BIO, BioFree>;

//! A read-only BIO over `pem`, which must outlive it (BIO_new_mem_buf does not copy).
Bio memoryBio(const QByteArray &pem)
{
    return Bio(BIO_new_mem_buf(pem.constData(), static_cast<int>(pem.size())));
}

} // namespace

std::shared_ptr<TlsContext> TlsContext::create(const QList<QSslCertificate> &chain,
                                               const QSslKey &key, QString *error)
{
    if (chain.isEmpty() || key.isNull()) {
        *error = QStringLiteral("no certificate or key");
        return {};
    }
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        *error = openSslError("SSL_CTX_new");
        return {};
    }
    std::shared_ptr<TlsContext> context(new TlsContext(ctx));
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                              SSL_MODE_RELEASE_BUFFERS);
    // A record's header and body in one read(2), and the records that came together with it
    // too (TlsStream reads until OpenSSL wants more, and comes back for what it keeps).
    SSL_CTX_set_read_ahead(ctx, 1);
    SSL_CTX_set_alpn_select_cb(ctx, selectAlpn, nullptr);
    for (qsizetype i = 0; i < chain.size(); ++i) {
        const QByteArray pem = chain[i].toPem();
        Bio bio = memoryBio(pem);
        X509 *certificate = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
        if (!certificate) {
            *error = openSslError("certificate");
            return {};
        }
        // The leaf is used (and copied); the rest of the chain is handed over.
        const int ok = i == 0 ? SSL_CTX_use_certificate(ctx, certificate)
                              : static_cast<int>(SSL_CTX_add_extra_chain_cert(ctx, certificate));
        if (i == 0) {
            X509_free(certificate);
        }
        if (ok != 1) {
            if (i > 0) {
                X509_free(certificate);
            }
            *error = openSslError("certificate chain");
            return {};
        }
    }
    const QByteArray keyPem = key.toPem();
    Bio bio = memoryBio(keyPem);
    EVP_PKEY *privateKey = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
    if (!privateKey) {
        *error = openSslError("private key");
        return {};
    }
    const int used = SSL_CTX_use_PrivateKey(ctx, privateKey);
    EVP_PKEY_free(privateKey);
    if (used != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        *error = openSslError("private key");
        return {};
    }
    return context;
}

TlsContext::~TlsContext()
{
    SSL_CTX_free(m_ctx);
}

} // namespace Tincan::Server
