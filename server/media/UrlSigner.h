#pragma once

#include <QByteArray>
#include <QString>
#include <QUrlQuery>

#include <optional>

namespace Tincan::Server {

//! Pre-signed, expiring URLs for media: whoever holds one may upload (or download) one blob
//! until it expires, without a bearer token, so a caching proxy or a plain HTTP client can use
//! it. The signature is HMAC-SHA256 (OpenSSL) under a server-only key over
//! "tincan-media-v1\n<op>\n<path>\n<media id>\n<max size>\n<expiry>"; any change to one of
//! them, or to the signature, makes it invalid. Thread-safe after load().
class UrlSigner
{
public:
    enum class Op { Upload, Download };
    enum class Check { Valid, Invalid, Expired };

    //! Reads the 32-byte key from `keyFile`, creating it (mode 0600) on first use.
    bool load(const QString &keyFile, QString *error);
    //! Uses this key (tests).
    void setKey(const QByteArray &key) { m_key = key; }

    //! The relative URL (path and query) for `op` on media `id` of `maxSize` bytes, valid until
    //! `expiresAtSeconds` (Unix time).
    QString sign(Op op, const QString &id, qint64 maxSize, qint64 expiresAtSeconds) const;
    //! Checks the query of a request for `op` on media `id`; `maxSize` is filled from it.
    Check check(Op op, const QString &id, const QUrlQuery &query, qint64 nowSeconds,
                qint64 *maxSize) const;

    static QString path(Op op, const QString &id);

private:
    QByteArray mac(Op op, const QString &id, qint64 maxSize, qint64 expires) const;

    QByteArray m_key;
};

} // namespace Tincan::Server
