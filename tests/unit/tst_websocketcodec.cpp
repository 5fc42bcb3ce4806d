// The server side of RFC 6455 framing (server/ws/WebSocketCodec): the frames the stream sends
// and the reader of what clients send, including every way a client frame can be wrong.

#include "server/ws/WebSocketCodec.h"

#include <QtTest>

using namespace Tincan::Server::WebSocket;
using Kind = Reader::Event::Kind;

namespace {

//! A client frame: `first` is the first byte (FIN, RSV and opcode), masked unless told not.
QByteArray clientFrame(quint8 first, const QByteArray &payload, bool masked = true,
                       quint64 announcedLength = ~quint64(0))
{
    const quint64 length =
        announcedLength == ~quint64(0) ? quint64(payload.size()) : announcedLength;
    QByteArray out;
    out += static_cast<char>(first);
    const char maskBit = masked ? char(0x80) : char(0);
    if (length <= 125) {
        out += static_cast<char>(maskBit | static_cast<char>(length));
    } else if (length <= 0xFFFF) {
        out += static_cast<char>(maskBit | 126);
        out += static_cast<char>(length >> 8);
        out += static_cast<char>(length & 0xFF);
    } else {
        out += static_cast<char>(maskBit | 127);
        for (int shift = 56; shift >= 0; shift -= 8) {
            out += static_cast<char>((length >> shift) & 0xFF);
        }
    }
    const char mask[4] = {0x37, char(0xfa), 0x21, 0x3d};
    if (masked) {
        out.append(mask, 4);
    }
    for (qsizetype i = 0; i < payload.size(); ++i) {
        out += masked ? static_cast<char>(payload[i] ^ mask[i & 3]) : payload[i];
    }
    return out;
}

QByteArray text(const QByteArray &payload)
{
    return clientFrame(0x81, payload);
}

QList<Reader::Event> readAll(Reader &reader, const QByteArray &bytes)
{
    QList<Reader::Event> events;
    reader.feed(bytes, events);
    return events;
}

} // namespace

class TestWebSocketCodec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void handshakeKeys();
    void serverFrameHeaders_data();
    void serverFrameHeaders();
    void closePayloadFits();
    void readsMessagesWholeOrInPieces();
    void fragmentsWithControlFramesBetween();
    void closeFrames();
    void refusesBrokenFrames_data();
    void refusesBrokenFrames();
    void boundsMessagesBeforeBuffering();
    void ignoresEverythingAfterTheEnd();
};

void TestWebSocketCodec::handshakeKeys()
{
    // RFC 6455 §1.3's example.
    QCOMPARE(acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    QVERIFY(validClientKey("dGhlIHNhbXBsZSBub25jZQ=="));
    QVERIFY(!validClientKey(""));
    QVERIFY(!validClientKey("dGhlIHNhbXBsZSBub25jZQ"));   // too short
    QVERIFY(!validClientKey("dGhlIHNhbXBsZSBub25jZQ=x")); // not base64
    QVERIFY(!validClientKey("dGhlIHNhbXBsZSBub25jZSEx")); // 18 bytes, not 16
}

void TestWebSocketCodec::serverFrameHeaders_data()
{
    QTest::addColumn<int>("length");
    QTest::addColumn<QByteArray>("header");
    QTest::newRow("empty") << 0 << QByteArray("\x81\x00", 2);
    QTest::newRow("125") << 125 << QByteArray("\x81\x7d");
    QTest::newRow("126") << 126 << QByteArray("\x81\x7e\x00\x7e", 4);
    QTest::newRow("65535") << 65535 << QByteArray("\x81\x7e\xff\xff");
    QTest::newRow("65536") << 65536 << QByteArray("\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10);
}

void TestWebSocketCodec::serverFrameHeaders()
{
    QFETCH(int, length);
    QFETCH(QByteArray, header);
    const QByteArray payload(length, 'p');
    const QByteArray out = frame(Opcode::Text, payload);
    QCOMPARE(out.left(header.size()), header);
    QCOMPARE(out.size(), header.size() + length);
    QCOMPARE(out.mid(header.size()), payload);
    // Server frames are never masked, and appendFrame adds to what is there.
    QByteArray two = out;
    appendFrame(two, Opcode::Pong, "x");
    QCOMPARE(two.mid(out.size()), QByteArray("\x8a\x01x"));
}

void TestWebSocketCodec::closePayloadFits()
{
    QCOMPARE(closePayload(4401, QStringLiteral("device revoked")), QByteArray("\x11\x31"
                                                                              "device revoked"));
    // A control frame holds 125 bytes: the reason is cut, never inside a character.
    const QByteArray cut = closePayload(1000, QString(100, QChar(0xe9)));
    QVERIFY(cut.size() <= 125);
    QCOMPARE(cut.size(), 2 + 122);
    QVERIFY(QByteArrayView(cut).sliced(2).isValidUtf8());
}

void TestWebSocketCodec::readsMessagesWholeOrInPieces()
{
    const QByteArray bytes = text(R"({"type":"ping"})") + clientFrame(0x82, "\x01\x02") +
                             text(QByteArray(300, 'a')) + text(QByteArray(70000, 'b'));
    for (const int piece : {int(bytes.size()), 1, 7, 4096}) {
        Reader reader(1 << 20);
        QList<Reader::Event> events;
        for (qsizetype at = 0; at < bytes.size(); at += piece) {
            reader.feed(
                QByteArrayView(bytes).sliced(at, std::min<qsizetype>(piece, bytes.size() - at)),
                events);
        }
        QCOMPARE(events.size(), 4);
        QCOMPARE(events[0].kind, Kind::Text);
        QCOMPARE(events[0].data, QByteArray(R"({"type":"ping"})"));
        QCOMPARE(events[1].kind, Kind::Binary);
        QCOMPARE(events[1].data, QByteArray("\x01\x02"));
        QCOMPARE(events[2].data, QByteArray(300, 'a'));
        QCOMPARE(events[3].data, QByteArray(70000, 'b'));
        QVERIFY(!reader.finished());
    }
}

void TestWebSocketCodec::fragmentsWithControlFramesBetween()
{
    Reader reader(1024);
    // "héllo" split inside its two-byte character: only the whole message must be UTF-8.
    const QByteArray word = QStringLiteral("h\u00e9llo").toUtf8();
    const auto events =
        readAll(reader, clientFrame(0x01, word.left(2)) + clientFrame(0x89, "are you there") +
                            clientFrame(0x00, word.mid(2, 2)) + clientFrame(0x8a, "") +
                            clientFrame(0x80, word.mid(4)));
    QCOMPARE(events.size(), 3);
    QCOMPARE(events[0].kind, Kind::Ping);
    QCOMPARE(events[0].data, QByteArray("are you there"));
    QCOMPARE(events[1].kind, Kind::Pong);
    QCOMPARE(events[2].kind, Kind::Text);
    QCOMPARE(events[2].data, word);
}

void TestWebSocketCodec::closeFrames()
{
    {
        Reader reader(1024);
        const auto events =
            readAll(reader, clientFrame(0x88, closePayload(1000, QStringLiteral("bye"))) +
                                text("after the close"));
        QCOMPARE(events.size(), 1);
        QCOMPARE(events[0].kind, Kind::Close);
        QCOMPARE(events[0].code, 1000);
        QCOMPARE(events[0].reason, QStringLiteral("bye"));
        QVERIFY(reader.finished());
    }
    {
        Reader reader(1024);
        const auto events = readAll(reader, clientFrame(0x88, ""));
        QCOMPARE(events.size(), 1);
        QCOMPARE(events[0].kind, Kind::Close);
        QCOMPARE(events[0].code, int(CloseNoStatus));
    }
}

void TestWebSocketCodec::refusesBrokenFrames_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("code");
    const int protocol = CloseProtocolError;
    QTest::newRow("unmasked") << clientFrame(0x81, "hi", false) << protocol;
    QTest::newRow("reserved bit") << clientFrame(0xC1, "hi") << protocol;
    QTest::newRow("opcode 3") << clientFrame(0x83, "hi") << protocol;
    QTest::newRow("opcode 11") << clientFrame(0x8B, "") << protocol;
    QTest::newRow("fragmented ping") << clientFrame(0x09, "x") << protocol;
    QTest::newRow("ping over 125") << clientFrame(0x89, QByteArray(126, 'x')) << protocol;
    QTest::newRow("continuation first") << clientFrame(0x80, "x") << protocol;
    QTest::newRow("text inside a message")
        << clientFrame(0x01, "a") + clientFrame(0x81, "b") << protocol;
    QTest::newRow("one-byte close") << clientFrame(0x88, "\x03") << protocol;
    QTest::newRow("close code 1005") << clientFrame(0x88, closePayload(1005, {})) << protocol;
    QTest::newRow("close reason not UTF-8")
        << clientFrame(0x88, QByteArray("\x03\xe8\xff", 3)) << protocol;
    QTest::newRow("64-bit length with the top bit")
        << QByteArray("\x81\xff\x80\x00\x00\x00\x00\x00\x00\x01", 10) << protocol;
    QTest::newRow("text not UTF-8") << text("\xc3\x28") << int(CloseBadPayload);
    QTest::newRow("text ends inside a character")
        << clientFrame(0x01, "a") + clientFrame(0x80, "\xe2\x82") << int(CloseBadPayload);
}

void TestWebSocketCodec::refusesBrokenFrames()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, code);
    Reader reader(1024);
    const auto events = readAll(reader, text("fine") + bytes);
    QCOMPARE(events.size(), 2);
    QCOMPARE(events[0].kind, Kind::Text);
    QCOMPARE(events[1].kind, Kind::Error);
    QCOMPARE(events[1].code, code);
    QVERIFY(!events[1].reason.isEmpty());
    QVERIFY(reader.finished());
}

void TestWebSocketCodec::boundsMessagesBeforeBuffering()
{
    {
        // The header alone says too much: refused before any payload arrives.
        Reader reader(1000);
        const QByteArray head = clientFrame(0x81, {}, true, 1u << 30);
        const auto events = readAll(reader, head);
        QCOMPARE(events.size(), 1);
        QCOMPARE(events[0].code, int(CloseTooBig));
    }
    {
        // Fragments that add up to too much.
        Reader reader(1000);
        const auto events = readAll(reader, clientFrame(0x01, QByteArray(600, 'a')) +
                                                clientFrame(0x80, QByteArray(401, 'a')));
        QCOMPARE(events.size(), 1);
        QCOMPARE(events[0].code, int(CloseTooBig));
    }
    {
        // Exactly the limit is fine.
        Reader reader(1000);
        const auto events = readAll(reader, clientFrame(0x01, QByteArray(600, 'a')) +
                                                clientFrame(0x80, QByteArray(400, 'a')));
        QCOMPARE(events.size(), 1);
        QCOMPARE(events[0].kind, Kind::Text);
        QCOMPARE(events[0].data.size(), 1000);
    }
}

void TestWebSocketCodec::ignoresEverythingAfterTheEnd()
{
    Reader reader(1024);
    QList<Reader::Event> events;
    reader.feed(clientFrame(0x81, "x", false), events);
    QCOMPARE(events.size(), 1);
    reader.feed(text("more"), events);
    reader.feed(clientFrame(0x88, ""), events);
    QCOMPARE(events.size(), 1);
}

QTEST_APPLESS_MAIN(TestWebSocketCodec)
#include "tst_websocketcodec.moc"
