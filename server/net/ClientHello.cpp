#include "server/net/ClientHello.h"

namespace Tincan::Server {

namespace {

constexpr quint8 RecordHandshake = 0x16;
constexpr quint8 HandshakeClientHello = 0x01;
constexpr quint16 ExtensionAlpn = 16;

//! Bounds-checked reads over a byte range.
class Cursor
{
public:
    explicit Cursor(QByteArrayView bytes)
        : m_bytes(bytes)
    {}
    bool ok() const { return m_ok; }
    qsizetype left() const { return m_bytes.size() - m_at; }
    quint32 number(int width)
    {
        if (left() < width) {
            m_ok = false;
            return 0;
        }
        quint32 value = 0;
        for (int i = 0; i < width; ++i) {
            value = (value << 8) | static_cast<quint8>(m_bytes[m_at++]);
        }
        return value;
    }
    QByteArrayView take(qsizetype length)
    {
        if (length < 0 || left() < length) {
            m_ok = false;
            m_at = m_bytes.size();
            return {};
        }
        const QByteArrayView part = m_bytes.sliced(m_at, length);
        m_at += length;
        return part;
    }
    //! A vector with a length prefix of `width` bytes.
    QByteArrayView vector(int width) { return take(static_cast<qsizetype>(number(width))); }

private:
    QByteArrayView m_bytes;
    qsizetype m_at = 0;
    bool m_ok = true;
};

} // namespace

ClientHello::Result ClientHello::parse(QByteArrayView bytes, QList<QByteArray> *alpn)
{
    alpn->clear();
    // The handshake message may be split over several records: join their fragments.
    QByteArray handshake;
    Cursor records(bytes);
    qsizetype needed = -1; // The whole handshake message's length, once known.
    while (needed < 0 || handshake.size() < needed) {
        if (records.left() < 5) {
            return bytes.size() >= MaxBytes ? Result::NotTls : Result::NeedMore;
        }
        const quint32 type = records.number(1);
        const quint32 major = records.number(1);
        records.number(1); // Minor version: any.
        const quint32 length = records.number(2);
        if (type != RecordHandshake || major != 3 || length == 0 || length > 16384 + 2048) {
            return Result::NotTls;
        }
        if (records.left() < length) {
            return bytes.size() >= MaxBytes ? Result::NotTls : Result::NeedMore;
        }
        const QByteArrayView fragment = records.take(length);
        handshake.append(fragment.data(), fragment.size());
        if (needed < 0 && handshake.size() >= 4) {
            if (static_cast<quint8>(handshake[0]) != HandshakeClientHello) {
                return Result::NotTls;
            }
            needed = 4 + ((qsizetype(quint8(handshake[1])) << 16) |
                          (qsizetype(quint8(handshake[2])) << 8) | quint8(handshake[3]));
            if (needed > MaxBytes) {
                return Result::NotTls;
            }
        }
    }

    Cursor hello(QByteArrayView(handshake).sliced(4, needed - 4));
    hello.number(2); // legacy_version
    hello.take(32);  // random
    hello.vector(1); // legacy_session_id
    hello.vector(2); // cipher_suites
    hello.vector(1); // legacy_compression_methods
    if (!hello.ok()) {
        return Result::NotTls;
    }
    if (hello.left() == 0) {
        return Result::Parsed; // No extensions at all.
    }
    Cursor extensions(hello.vector(2));
    if (!hello.ok()) {
        return Result::NotTls;
    }
    while (extensions.left() > 0) {
        const quint32 type = extensions.number(2);
        const QByteArrayView data = extensions.vector(2);
        if (!extensions.ok()) {
            return Result::NotTls;
        }
        if (type != ExtensionAlpn) {
            continue;
        }
        Cursor list(data);
        Cursor names(list.vector(2));
        while (list.ok() && names.left() > 0) {
            const QByteArrayView name = names.vector(1);
            if (!names.ok() || name.isEmpty()) {
                return Result::NotTls;
            }
            alpn->append(name.toByteArray());
        }
        if (!list.ok()) {
            return Result::NotTls;
        }
    }
    return Result::Parsed;
}

} // namespace Tincan::Server
