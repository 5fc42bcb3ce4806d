// Reading the ALPN offer from a TLS ClientHello (server/net/ClientHello), on real ClientHellos
// that OpenSSL writes, whole, cut short, spread over records, and on things that are not TLS.
#include "server/net/ClientHello.h"

#include <QtTest>

#include <openssl/ssl.h>

using Tincan::Server::ClientHello;
using Result = ClientHello::Result;

namespace {

//! The first flight of an OpenSSL client offering `alpn` (wire format; empty: no ALPN).
QByteArray clientHello(const QByteArray &alpn)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!alpn.isEmpty()) {
        SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char *>(alpn.constData()),
                                static_cast<unsigned int>(alpn.size()));
    }
    SSL *ssl = SSL_new(ctx);
    BIO *in = BIO_new(BIO_s_mem());
    BIO *out = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl, in, out);
    SSL_set_tlsext_host_name(ssl, "tincan.example");
    SSL_connect(ssl); // Writes the ClientHello, then wants to read.
    QByteArray bytes(static_cast<qsizetype>(BIO_pending(out)), '\0');
    BIO_read(out, bytes.data(), static_cast<int>(bytes.size()));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    return bytes;
}

const QByteArray StreamOffer = QByteArray("\x0dtincan-stream\x08http/1.1");

} // namespace

class TestClientHello : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsTheOffer();
    void noOffer();
    void waitsForTheRest();
    void joinsRecords();
    void refusesWhatIsNotAClientHello();
};

void TestClientHello::readsTheOffer()
{
    const QByteArray hello = clientHello(StreamOffer);
    QVERIFY(hello.size() > 100);
    QList<QByteArray> alpn;
    QCOMPARE(ClientHello::parse(hello, &alpn), Result::Parsed);
    QCOMPARE(alpn, (QList<QByteArray>{"tincan-stream", "http/1.1"}));
    // Bytes after the ClientHello (none in practice) do not matter.
    QCOMPARE(ClientHello::parse(hello + "extra", &alpn), Result::Parsed);
}

void TestClientHello::noOffer()
{
    QList<QByteArray> alpn{"stale"};
    QCOMPARE(ClientHello::parse(clientHello({}), &alpn), Result::Parsed);
    QVERIFY(alpn.isEmpty());
}

void TestClientHello::waitsForTheRest()
{
    const QByteArray hello = clientHello(StreamOffer);
    QList<QByteArray> alpn;
    for (qsizetype cut = 0; cut < hello.size(); ++cut) {
        QCOMPARE(ClientHello::parse(hello.left(cut), &alpn), Result::NeedMore);
    }
}

void TestClientHello::joinsRecords()
{
    // The same handshake message in three records of the size a client may choose.
    const QByteArray hello = clientHello(StreamOffer);
    const QByteArray message = hello.mid(5);
    QByteArray records;
    for (qsizetype at = 0; at < message.size(); at += 100) {
        const QByteArray piece = message.mid(at, 100);
        records += hello.left(3);
        records += static_cast<char>(piece.size() >> 8);
        records += static_cast<char>(piece.size() & 0xff);
        records += piece;
    }
    QList<QByteArray> alpn;
    QCOMPARE(ClientHello::parse(records, &alpn), Result::Parsed);
    QCOMPARE(alpn.first(), QByteArray("tincan-stream"));
    QCOMPARE(ClientHello::parse(records.left(records.size() - 1), &alpn), Result::NeedMore);
}

void TestClientHello::refusesWhatIsNotAClientHello()
{
    QList<QByteArray> alpn;
    QCOMPARE(ClientHello::parse("GET /healthz HTTP/1.1\r\n\r\n", &alpn), Result::NotTls);
    QCOMPARE(ClientHello::parse(QByteArray(3000, '\x16'), &alpn), Result::NotTls);
    // An alert record, a handshake that is not a ClientHello.
    QCOMPARE(ClientHello::parse(QByteArray("\x15\x03\x03\x00\x02\x02\x28", 7), &alpn),
             Result::NotTls);
    QByteArray serverHello = clientHello(StreamOffer);
    serverHello[5] = 0x02;
    QCOMPARE(ClientHello::parse(serverHello, &alpn), Result::NotTls);
    // A ClientHello whose ALPN list holds an empty name.
    QByteArray broken = clientHello(StreamOffer);
    const qsizetype name = broken.indexOf("\x0dtincan-stream");
    QVERIFY(name > 0);
    broken[name] = 0;
    QCOMPARE(ClientHello::parse(broken, &alpn), Result::NotTls);
    // Sixteen KiB of zeros.
    QCOMPARE(ClientHello::parse(QByteArray(ClientHello::MaxBytes, '\0'), &alpn), Result::NotTls);
}

QTEST_APPLESS_MAIN(TestClientHello)
#include "tst_clienthello.moc"
