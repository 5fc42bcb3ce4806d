#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace Tincan::Server {

//! Reads the ALPN protocols a TLS client offers from the first bytes of its connection (its
//! ClientHello, RFC 8446 §4.1.2 and RFC 7301), without consuming them: the accept path peeks at
//! them to choose who terminates TLS (ClientHello.h is parsing only, no cryptography).
struct ClientHello
{
    enum class Result {
        NeedMore, //!< A ClientHello so far: wait for more bytes.
        Parsed,   //!< `alpn` holds what the client offers (possibly nothing).
        NotTls,   //!< Not a ClientHello (plain HTTP, garbage, or too large to look at).
    };

    //! The most a caller should buffer to decide: beyond it, the answer is NotTls.
    static constexpr qsizetype MaxBytes = 16 * 1024;

    static Result parse(QByteArrayView bytes, QList<QByteArray> *alpn);
};

} // namespace Tincan::Server
