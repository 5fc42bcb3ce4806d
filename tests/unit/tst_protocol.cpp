// Unit tests for shared/protocol: validation rules, the JSON reader, envelopes, stream frames,
// message content and API errors.

#include "shared/protocol/ApiError.h"
#include "shared/protocol/DeviceLink.h"
#include "shared/protocol/Envelope.h"
#include "shared/protocol/Frames.h"
#include "shared/protocol/JsonReader.h"
#include "shared/protocol/MessageContent.h"
#include "shared/protocol/Validation.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUuid>
#include <QtTest>

using namespace Tincan::Protocol;

namespace {

constexpr qint64 MaxId = qint64(1) << 53;

Envelope sampleEnvelope()
{
    Envelope envelope;
    envelope.id = 4242;
    envelope.clientMessageId = QStringLiteral("123e4567-e89b-12d3-a456-426614174000");
    envelope.conversation = directConversationId(QStringLiteral("alice"), QStringLiteral("bob"));
    envelope.seq = 17;
    envelope.fromUser = QStringLiteral("alice");
    envelope.fromDevice = 3;
    envelope.toUser = QStringLiteral("bob");
    envelope.serverTimestamp = 1700000000123;
    // Binary payload: NUL, high bytes and bytes that are special in base64 ('+', '/').
    envelope.payload = QByteArray("\x00\x01\xfb\xff\xfe hello \x3e\x3f", 14);
    return envelope;
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject parseObject(const QByteArray &bytes)
{
    return QJsonDocument::fromJson(bytes).object();
}

//! A complete attachment: binary key and digest (with '+' and '/' in base64), a non-ASCII name.
Attachment sampleAttachment()
{
    Attachment attachment;
    attachment.mediaId = QStringLiteral("0123456789abcdef0123456789abcdef");
    attachment.key = QByteArray(32, '\xfb');
    attachment.digest = QByteArray(32, '\x3f');
    attachment.size = 3 * 65536 + 5;
    attachment.cipherSize = 20 + 3 * 65536 + 5 + 4 * 16;
    attachment.name = QStringLiteral("Gr\u00fc\u00dfe aus M\u00fcnchen (2).jpg");
    attachment.mime = QStringLiteral("image/jpeg");
    attachment.width = 4000;
    attachment.height = 3000;
    attachment.thumbnail = QByteArray("\xff\xd8\xff\xe0") + QByteArray(1000, '\x01');
    attachment.durationMs = 1500;
    return attachment;
}

//! A valid media content as JSON, for tests that break one field of it.
QJsonObject mediaObject()
{
    MessageContent content;
    content.kind = MessageContent::Kind::Media;
    content.text = QStringLiteral("caption");
    content.attachments = {sampleAttachment()};
    return parseObject(content.encode());
}

} // namespace

class TestProtocol : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // DeviceLink.h
    void linkCodes_data();
    void linkCodes();
    void linkUriRoundTrip();
    void linkUriRejectsJunk_data();
    void linkUriRejectsJunk();
    void linkVerificationCode();
    void historyContentRoundTrip();
    void linkFrameRoundTrip();
    // Validation.h
    void username_data();
    void username();
    void clientMessageId_data();
    void clientMessageId();
    void generatedUuidIsValidClientMessageId();
    void deviceName_data();
    void deviceName();
    void directConversationIdIsSymmetric_data();
    void directConversationIdIsSymmetric();
    void directPeer_data();
    void directPeer();

    // JsonReader.h
    void parseJsonObject_data();
    void parseJsonObject();
    void readerReadsValidFields();
    void readerMissingField_data();
    void readerMissingField();
    void readerWrongType_data();
    void readerWrongType();
    void readerNonInteger();
    void readerIntegerRange_data();
    void readerIntegerRange();
    void readerStringTooLong();
    void readerOptionalFields();
    void readerKeepsFirstError();
    void readerArraySize_data();
    void readerArraySize();
    void readerBadBase64_data();
    void readerBadBase64();
    void readerBase64Size_data();
    void readerBase64Size();
    void readerHasAndOptionalBoolean();
    void readerFixedBase64_data();
    void readerFixedBase64();

    // Envelope.h
    void envelopeRoundTrip();
    void envelopeWireFormat();
    void envelopeRejectsMalformed_data();
    void envelopeRejectsMalformed();

    // Frames.h
    void clientFrame_data();
    void clientFrame();
    void clientFrameAckRoundTrip();
    void clientFrameAckLimit();
    void serverEnvelopeFrameRoundTrip();
    void serverSentFrameRoundTrip();
    void serverHelloFrameRoundTrip();
    void presenceAndTypingFrames();
    void receiptFramesOneOrMany();
    void serverSimpleFrames();
    void serverErrorFrameRoundTrip();
    void serverUnknownFrameType();
    void serverFrameRejectsMalformed_data();
    void serverFrameRejectsMalformed();

    // MessageContent.h
    void messageContentRoundTrip_data();
    void messageContentRoundTrip();
    void messageContentRejects_data();
    void messageContentRejects();
    void mediaContentRoundTrip();
    void mediaContentLimits();
    void mediaContentRejects_data();
    void mediaContentRejects();
    void mediaValidation();

    // ApiError.h
    void apiErrorFactories_data();
    void apiErrorFactories();
    void apiErrorJsonRoundTrip();
    void apiErrorFromNonJson();
};

// ---- Validation ----------------------------------------------------------------------------

void TestProtocol::username_data()
{
    QTest::addColumn<QString>("username");
    QTest::addColumn<bool>("valid");

    QTest::newRow("simple") << QStringLiteral("alice") << true;
    QTest::newRow("three chars") << QStringLiteral("bob") << true;
    QTest::newRow("32 chars") << QString(32, QLatin1Char('a')) << true;
    QTest::newRow("starts with digit") << QStringLiteral("9lives") << true;
    QTest::newRow("punctuation inside") << QStringLiteral("a.b_c-d") << true;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("two chars") << QStringLiteral("ab") << false;
    QTest::newRow("33 chars") << QString(33, QLatin1Char('a')) << false;
    QTest::newRow("upper case") << QStringLiteral("Alice") << false;
    QTest::newRow("starts with underscore") << QStringLiteral("_alice") << false;
    QTest::newRow("starts with dot") << QStringLiteral(".alice") << false;
    QTest::newRow("starts with dash") << QStringLiteral("-alice") << false;
    QTest::newRow("space") << QStringLiteral("al ice") << false;
    QTest::newRow("colon") << QStringLiteral("al:ice") << false;
    QTest::newRow("non-ascii letter") << QStringLiteral("alic\u00e9") << false;
}

void TestProtocol::username()
{
    QFETCH(QString, username);
    QFETCH(bool, valid);
    QCOMPARE(isValidUsername(username), valid);
}

void TestProtocol::clientMessageId_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<bool>("valid");

    QTest::newRow("canonical") << QStringLiteral("123e4567-e89b-12d3-a456-426614174000") << true;
    QTest::newRow("all zero") << QStringLiteral("00000000-0000-0000-0000-000000000000") << true;
    QTest::newRow("upper case") << QStringLiteral("123E4567-E89B-12D3-A456-426614174000") << false;
    QTest::newRow("braces") << QStringLiteral("{123e4567-e89b-12d3-a456-426614174000}") << false;
    QTest::newRow("no dashes") << QStringLiteral("123e4567e89b12d3a456426614174000") << false;
    QTest::newRow("dash moved") << QStringLiteral("123e456-7e89b-12d3-a456-426614174000") << false;
    QTest::newRow("too short") << QStringLiteral("123e4567-e89b-12d3-a456-42661417400") << false;
    QTest::newRow("too long") << QStringLiteral("123e4567-e89b-12d3-a456-4266141740000") << false;
    QTest::newRow("non-hex") << QStringLiteral("123e4567-e89b-12d3-a456-42661417400g") << false;
    QTest::newRow("empty") << QString() << false;
}

void TestProtocol::clientMessageId()
{
    QFETCH(QString, id);
    QFETCH(bool, valid);
    QCOMPARE(isValidClientMessageId(id), valid);
}

void TestProtocol::generatedUuidIsValidClientMessageId()
{
    // What the client generates must be what the server accepts.
    for (int i = 0; i < 20; ++i) {
        const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        QVERIFY2(isValidClientMessageId(id), qPrintable(id));
    }
}

void TestProtocol::deviceName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");

    QTest::newRow("simple") << QStringLiteral("Laptop") << true;
    QTest::newRow("one char") << QStringLiteral("x") << true;
    QTest::newRow("spaces inside") << QStringLiteral("Alice's work PC") << true;
    QTest::newRow("non-ascii") << QStringLiteral("B\u00fcro-Rechner \U0001F600") << true;
    QTest::newRow("64 chars") << QString(64, QLatin1Char('d')) << true;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("only spaces") << QStringLiteral("   ") << false;
    QTest::newRow("65 chars") << QString(65, QLatin1Char('d')) << false;
    QTest::newRow("newline") << QStringLiteral("bad\nname") << false;
    QTest::newRow("tab") << QStringLiteral("bad\tname") << false;
    QTest::newRow("escape") << QStringLiteral("bad\x1bname") << false;
    QTest::newRow("zero-width space") << QStringLiteral("bad\u200bname") << false;
    QTest::newRow("bidi override") << QStringLiteral("bad\u202ename") << false;
}

void TestProtocol::deviceName()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QCOMPARE(isValidDeviceName(name), valid);
}

void TestProtocol::directConversationIdIsSymmetric_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<QString>("expected");

    QTest::newRow("sorted") << QStringLiteral("alice") << QStringLiteral("bob")
                            << QStringLiteral("dm:alice:bob");
    QTest::newRow("unsorted") << QStringLiteral("bob") << QStringLiteral("alice")
                              << QStringLiteral("dm:alice:bob");
    QTest::newRow("prefix") << QStringLiteral("anna") << QStringLiteral("ann")
                            << QStringLiteral("dm:ann:anna");
    QTest::newRow("note to self") << QStringLiteral("alice") << QStringLiteral("alice")
                                  << QStringLiteral("dm:alice:alice");
}

void TestProtocol::directConversationIdIsSymmetric()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(QString, expected);
    QCOMPARE(directConversationId(a, b), expected);
    QCOMPARE(directConversationId(b, a), expected);
}

void TestProtocol::directPeer_data()
{
    QTest::addColumn<QString>("conversation");
    QTest::addColumn<QString>("self");
    QTest::addColumn<QString>("peer");

    QTest::newRow("first") << QStringLiteral("dm:alice:bob") << QStringLiteral("alice")
                           << QStringLiteral("bob");
    QTest::newRow("second") << QStringLiteral("dm:alice:bob") << QStringLiteral("bob")
                            << QStringLiteral("alice");
    QTest::newRow("note to self") << QStringLiteral("dm:alice:alice") << QStringLiteral("alice")
                                  << QStringLiteral("alice");
    QTest::newRow("not a participant")
        << QStringLiteral("dm:alice:bob") << QStringLiteral("carol") << QString();
    QTest::newRow("not a dm") << QStringLiteral("group:alice:bob") << QStringLiteral("alice")
                              << QString();
    QTest::newRow("too few parts")
        << QStringLiteral("dm:alice") << QStringLiteral("alice") << QString();
    QTest::newRow("too many parts")
        << QStringLiteral("dm:alice:bob:carol") << QStringLiteral("alice") << QString();
    QTest::newRow("empty") << QString() << QStringLiteral("alice") << QString();
}

void TestProtocol::directPeer()
{
    QFETCH(QString, conversation);
    QFETCH(QString, self);
    QFETCH(QString, peer);
    QCOMPARE(Tincan::Protocol::directPeer(conversation, self), peer);
}

// ---- JsonReader ----------------------------------------------------------------------------

void TestProtocol::parseJsonObject_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("ok");

    QTest::newRow("object") << QByteArray(R"({"a":1})") << true;
    QTest::newRow("empty object") << QByteArray("{}") << true;
    QTest::newRow("object with whitespace") << QByteArray(" \n {\"a\": [1, 2]} \n") << true;
    QTest::newRow("empty") << QByteArray() << false;
    QTest::newRow("whitespace only") << QByteArray(" \r\n\t ") << false;
    QTest::newRow("truncated") << QByteArray(R"({"a":)") << false;
    QTest::newRow("trailing garbage") << QByteArray(R"({"a":1} x)") << false;
    QTest::newRow("array") << QByteArray("[1,2]") << false;
    QTest::newRow("number") << QByteArray("42") << false;
    QTest::newRow("string") << QByteArray(R"("text")") << false;
    QTest::newRow("not json") << QByteArray("hello") << false;
}

void TestProtocol::parseJsonObject()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, ok);

    const auto result = Tincan::Protocol::parseJsonObject(bytes);
    QCOMPARE(result.ok(), ok);
    if (ok) {
        QCOMPARE(*result, QJsonDocument::fromJson(bytes).object());
        QVERIFY(result.error().isNull());
    } else {
        QCOMPARE(result.error().status, 400);
        QCOMPARE(result.error().code, QLatin1String(ErrorCode::BadJson));
        QVERIFY(!result.error().message.isEmpty());
    }
}

void TestProtocol::readerReadsValidFields()
{
    const QJsonObject object{
        {QStringLiteral("name"), QStringLiteral("alice")},
        {QStringLiteral("count"), 42},
        {QStringLiteral("big"), static_cast<double>(MaxId)},
        {QStringLiteral("list"), QJsonArray{1, 2, 3}},
        {QStringLiteral("nested"), QJsonObject{{QStringLiteral("x"), true}}},
        {QStringLiteral("data"), QStringLiteral("AAH/")},
    };
    JsonReader reader(object);
    QCOMPARE(reader.string(QStringLiteral("name")), QStringLiteral("alice"));
    QCOMPARE(reader.integer(QStringLiteral("count"), 0, 100), 42);
    QCOMPARE(reader.integer(QStringLiteral("big"), 1, MaxId), MaxId);
    QCOMPARE(reader.array(QStringLiteral("list"), 3), (QJsonArray{1, 2, 3}));
    QCOMPARE(reader.object(QStringLiteral("nested")), (QJsonObject{{QStringLiteral("x"), true}}));
    QCOMPARE(reader.base64(QStringLiteral("data"), 3), QByteArray("\x00\x01\xff", 3));
    QVERIFY(reader.ok());
    QVERIFY(reader.error().isNull());
}

void TestProtocol::readerMissingField_data()
{
    QTest::addColumn<QString>("kind");

    QTest::newRow("string") << QStringLiteral("string");
    QTest::newRow("integer") << QStringLiteral("integer");
    QTest::newRow("array") << QStringLiteral("array");
    QTest::newRow("object") << QStringLiteral("object");
    QTest::newRow("base64") << QStringLiteral("base64");
}

// Reads `key` from `reader` with the accessor named by `kind`.
static void readAs(JsonReader &reader, const QString &kind, const QString &key)
{
    if (kind == QLatin1String("string")) {
        reader.string(key);
    } else if (kind == QLatin1String("integer")) {
        reader.integer(key, 0, 1000);
    } else if (kind == QLatin1String("array")) {
        reader.array(key, 10);
    } else if (kind == QLatin1String("object")) {
        reader.object(key);
    } else if (kind == QLatin1String("base64")) {
        reader.base64(key, 1024);
    } else {
        QFAIL("unknown accessor");
    }
}

void TestProtocol::readerMissingField()
{
    QFETCH(QString, kind);

    {
        JsonReader reader(QJsonObject{{QStringLiteral("other"), 1}}, QStringLiteral("request"));
        readAs(reader, kind, QStringLiteral("field"));
        QVERIFY(!reader.ok());
        QCOMPARE(reader.error().status, 400);
        QCOMPARE(reader.error().code, QLatin1String(ErrorCode::InvalidRequest));
        // The message names the member, qualified by the context.
        QVERIFY2(reader.error().message.contains(QStringLiteral("request.field")),
                 qPrintable(reader.error().message));
        QVERIFY2(reader.error().message.contains(QStringLiteral("Missing")),
                 qPrintable(reader.error().message));
    }
    {
        // An explicit null counts as missing.
        JsonReader reader(QJsonObject{{QStringLiteral("field"), QJsonValue::Null}});
        readAs(reader, kind, QStringLiteral("field"));
        QVERIFY(!reader.ok());
        QCOMPARE(reader.error().status, 400);
        QVERIFY2(reader.error().message.contains(QStringLiteral("'field'")),
                 qPrintable(reader.error().message));
    }
}

void TestProtocol::readerWrongType_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("expectedText");

    QTest::newRow("string from number")
        << QStringLiteral("string") << QJsonValue(5) << QStringLiteral("must be a string");
    QTest::newRow("string from bool")
        << QStringLiteral("string") << QJsonValue(true) << QStringLiteral("must be a string");
    QTest::newRow("string from object") << QStringLiteral("string") << QJsonValue(QJsonObject{})
                                        << QStringLiteral("must be a string");
    QTest::newRow("integer from string")
        << QStringLiteral("integer") << QJsonValue(QStringLiteral("5"))
        << QStringLiteral("must be an integer");
    QTest::newRow("integer from bool")
        << QStringLiteral("integer") << QJsonValue(true) << QStringLiteral("must be an integer");
    QTest::newRow("integer from array") << QStringLiteral("integer") << QJsonValue(QJsonArray{1})
                                        << QStringLiteral("must be an integer");
    QTest::newRow("array from object") << QStringLiteral("array") << QJsonValue(QJsonObject{})
                                       << QStringLiteral("must be an array");
    QTest::newRow("array from string")
        << QStringLiteral("array") << QJsonValue(QStringLiteral("[1]"))
        << QStringLiteral("must be an array");
    QTest::newRow("object from array") << QStringLiteral("object") << QJsonValue(QJsonArray{})
                                       << QStringLiteral("must be an object");
    QTest::newRow("object from string")
        << QStringLiteral("object") << QJsonValue(QStringLiteral("{}"))
        << QStringLiteral("must be an object");
    QTest::newRow("base64 from number")
        << QStringLiteral("base64") << QJsonValue(12) << QStringLiteral("must be a base64 string");
}

void TestProtocol::readerWrongType()
{
    QFETCH(QString, kind);
    QFETCH(QJsonValue, value);
    QFETCH(QString, expectedText);

    JsonReader reader(QJsonObject{{QStringLiteral("field"), value}}, QStringLiteral("ctx"));
    readAs(reader, kind, QStringLiteral("field"));
    QVERIFY(!reader.ok());
    QCOMPARE(reader.error().status, 400);
    QCOMPARE(reader.error().code, QLatin1String(ErrorCode::InvalidRequest));
    QVERIFY2(reader.error().message.contains(expectedText), qPrintable(reader.error().message));
    QVERIFY2(reader.error().message.contains(QStringLiteral("ctx.field")),
             qPrintable(reader.error().message));
}

void TestProtocol::readerNonInteger()
{
    JsonReader reader(QJsonObject{{QStringLiteral("n"), 1.5}});
    QCOMPARE(reader.integer(QStringLiteral("n"), 0, 10), 0);
    QVERIFY(!reader.ok());
    QCOMPARE(reader.error().status, 400);
    QVERIFY2(reader.error().message.contains(QStringLiteral("must be an integer")),
             qPrintable(reader.error().message));

    // Whole numbers written with a fraction part are still integers.
    JsonReader whole(parseObject(R"({"n": 7.0})"));
    QCOMPARE(whole.integer(QStringLiteral("n"), 0, 10), 7);
    QVERIFY(whole.ok());
}

void TestProtocol::readerIntegerRange_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<bool>("ok");

    QTest::newRow("min") << 1.0 << true;
    QTest::newRow("max") << 10.0 << true;
    QTest::newRow("inside") << 5.0 << true;
    QTest::newRow("below") << 0.0 << false;
    QTest::newRow("negative") << -3.0 << false;
    QTest::newRow("above") << 11.0 << false;
    QTest::newRow("huge") << 1e300 << false;
}

void TestProtocol::readerIntegerRange()
{
    QFETCH(double, value);
    QFETCH(bool, ok);

    JsonReader reader(QJsonObject{{QStringLiteral("n"), value}});
    const qint64 result = reader.integer(QStringLiteral("n"), 1, 10);
    QCOMPARE(reader.ok(), ok);
    if (ok) {
        QCOMPARE(result, static_cast<qint64>(value));
    } else {
        QCOMPARE(result, 0);
        QCOMPARE(reader.error().status, 400);
        QCOMPARE(reader.error().code, QLatin1String(ErrorCode::InvalidRequest));
        QVERIFY2(reader.error().message.contains(QStringLiteral("between 1 and 10")),
                 qPrintable(reader.error().message));
    }
}

void TestProtocol::readerStringTooLong()
{
    const QJsonObject object{{QStringLiteral("s"), QString(11, QLatin1Char('x'))}};
    JsonReader fits(object);
    QCOMPARE(fits.string(QStringLiteral("s"), 11), QString(11, QLatin1Char('x')));
    QVERIFY(fits.ok());

    JsonReader tooLong(object);
    QCOMPARE(tooLong.string(QStringLiteral("s"), 10), QString());
    QVERIFY(!tooLong.ok());
    QCOMPARE(tooLong.error().status, 400);
    QVERIFY2(tooLong.error().message.contains(QStringLiteral("longer than 10")),
             qPrintable(tooLong.error().message));
}

void TestProtocol::readerOptionalFields()
{
    JsonReader absent(QJsonObject{{QStringLiteral("other"), 1}});
    QCOMPARE(absent.optionalString(QStringLiteral("s")), QString());
    QCOMPARE(absent.optionalInteger(QStringLiteral("n"), 1, 10, 7), 7);
    QVERIFY(absent.ok());

    JsonReader null(parseObject(R"({"s": null, "n": null})"));
    QCOMPARE(null.optionalString(QStringLiteral("s")), QString());
    QCOMPARE(null.optionalInteger(QStringLiteral("n"), 1, 10, 7), 7);
    QVERIFY(null.ok());

    JsonReader present(parseObject(R"({"s": "hi", "n": 3})"));
    QCOMPARE(present.optionalString(QStringLiteral("s")), QStringLiteral("hi"));
    QCOMPARE(present.optionalInteger(QStringLiteral("n"), 1, 10, 7), 3);
    QVERIFY(present.ok());

    // Present but invalid is an error, not the fallback.
    JsonReader badInteger(parseObject(R"({"n": 30})"));
    QCOMPARE(badInteger.optionalInteger(QStringLiteral("n"), 1, 10, 7), 0);
    QVERIFY(!badInteger.ok());
    QCOMPARE(badInteger.error().status, 400);

    JsonReader badString(parseObject(R"({"s": 12})"));
    QCOMPARE(badString.optionalString(QStringLiteral("s")), QString());
    QVERIFY(!badString.ok());
    QVERIFY(badString.error().message.contains(QStringLiteral("must be a string")));
}

void TestProtocol::readerKeepsFirstError()
{
    JsonReader reader(parseObject(R"({"first": "x", "second": 5, "good": "ok"})"));
    reader.integer(QStringLiteral("first"), 0, 10); // wrong type
    reader.string(QStringLiteral("second"));        // wrong type too
    reader.string(QStringLiteral("missing"));       // missing
    reader.string(QStringLiteral("good"));          // fine
    QVERIFY(!reader.ok());
    QVERIFY2(reader.error().message.contains(QStringLiteral("'first'")),
             qPrintable(reader.error().message));
    QVERIFY(!reader.error().message.contains(QStringLiteral("second")));

    // fail() also keeps the first error.
    reader.fail(ApiError::tooLarge(QStringLiteral("later")));
    QCOMPARE(reader.error().status, 400);
    QVERIFY(reader.error().message.contains(QStringLiteral("'first'")));

    JsonReader fresh(QJsonObject{});
    fresh.fail(ApiError::forbidden(QStringLiteral("nope")));
    QVERIFY(!fresh.ok());
    QCOMPARE(fresh.error().status, 403);
    QCOMPARE(fresh.error().message, QStringLiteral("nope"));
}

void TestProtocol::readerArraySize_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("maxCount");
    QTest::addColumn<int>("status"); // 0: accepted

    QTest::newRow("empty") << 0 << 4 << 0;
    QTest::newRow("at limit") << 4 << 4 << 0;
    QTest::newRow("one over") << 5 << 4 << 413;
    QTest::newRow("far over") << 1000 << 4 << 413;
    QTest::newRow("zero allowed") << 1 << 0 << 413;
}

void TestProtocol::readerArraySize()
{
    QFETCH(int, count);
    QFETCH(int, maxCount);
    QFETCH(int, status);

    QJsonArray array;
    for (int i = 0; i < count; ++i) {
        array.append(i);
    }
    JsonReader reader(QJsonObject{{QStringLiteral("ids"), array}});
    const QJsonArray result = reader.array(QStringLiteral("ids"), maxCount);
    if (status == 0) {
        QVERIFY(reader.ok());
        QCOMPARE(result, array);
    } else {
        QVERIFY(!reader.ok());
        QVERIFY(result.isEmpty());
        QCOMPARE(reader.error().status, status);
        QCOMPARE(reader.error().code, QLatin1String(ErrorCode::TooLarge));
        QVERIFY2(reader.error().message.contains(QStringLiteral("'ids'")),
                 qPrintable(reader.error().message));
    }
}

void TestProtocol::readerBadBase64_data()
{
    QTest::addColumn<QString>("text");

    QTest::newRow("punctuation") << QStringLiteral("not base64!");
    QTest::newRow("url alphabet") << QStringLiteral("AAH_");
    QTest::newRow("non-latin1") << QStringLiteral("QUJD\u20ac");
    QTest::newRow("data after padding") << QStringLiteral("QQ==QQ==");
}

void TestProtocol::readerBadBase64()
{
    QFETCH(QString, text);

    JsonReader reader(QJsonObject{{QStringLiteral("payload"), text}});
    QCOMPARE(reader.base64(QStringLiteral("payload"), 1024), QByteArray());
    QVERIFY(!reader.ok());
    QCOMPARE(reader.error().status, 400);
    QCOMPARE(reader.error().code, QLatin1String(ErrorCode::InvalidRequest));
    QVERIFY2(reader.error().message.contains(QStringLiteral("not valid base64")),
             qPrintable(reader.error().message));
}

void TestProtocol::readerBase64Size_data()
{
    QTest::addColumn<int>("decodedSize");
    QTest::addColumn<int>("maxDecoded");
    QTest::addColumn<int>("status"); // 0: accepted

    QTest::newRow("empty") << 0 << 16 << 0;
    QTest::newRow("below limit") << 15 << 16 << 0;
    QTest::newRow("at limit") << 16 << 16 << 0;
    QTest::newRow("one over") << 17 << 16 << 413;
    QTest::newRow("two over") << 18 << 16 << 413;
    QTest::newRow("far over") << 100000 << 16 << 413;
}

void TestProtocol::readerBase64Size()
{
    QFETCH(int, decodedSize);
    QFETCH(int, maxDecoded);
    QFETCH(int, status);

    QByteArray bytes(decodedSize, Qt::Uninitialized);
    for (int i = 0; i < decodedSize; ++i) {
        bytes[i] = static_cast<char>(i * 7);
    }
    const QString encoded = QString::fromLatin1(bytes.toBase64());
    JsonReader reader(QJsonObject{{QStringLiteral("payload"), encoded}});
    const QByteArray result = reader.base64(QStringLiteral("payload"), maxDecoded);
    if (status == 0) {
        QVERIFY(reader.ok());
        QCOMPARE(result, bytes);
    } else {
        QVERIFY(!reader.ok());
        QVERIFY(result.isEmpty());
        QCOMPARE(reader.error().status, status);
        QCOMPARE(reader.error().code, QLatin1String(ErrorCode::TooLarge));
    }
}

void TestProtocol::readerHasAndOptionalBoolean()
{
    JsonReader reader(parseObject(R"({"yes": true, "no": false, "null": null, "text": "true"})"));
    QVERIFY(reader.has(QStringLiteral("yes")));
    QVERIFY(!reader.has(QStringLiteral("null")));
    QVERIFY(!reader.has(QStringLiteral("absent")));
    QCOMPARE(reader.optionalBoolean(QStringLiteral("yes"), false), true);
    QCOMPARE(reader.optionalBoolean(QStringLiteral("no"), true), false);
    QCOMPARE(reader.optionalBoolean(QStringLiteral("null"), true), true);
    QCOMPARE(reader.optionalBoolean(QStringLiteral("absent"), false), false);
    QVERIFY(reader.ok());
    reader.optionalBoolean(QStringLiteral("text"), false);
    QVERIFY(!reader.ok());
    QCOMPARE(reader.error().status, 400);
    QVERIFY2(reader.error().message.contains(QStringLiteral("'text' must be a boolean")),
             qPrintable(reader.error().message));
}

void TestProtocol::readerFixedBase64_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("size");
    QTest::addColumn<bool>("ok");

    const QByteArray key33(33, '\x05');
    const QByteArray sig64(64, '\x7f');
    const QString sig64Text = QString::fromLatin1(sig64.toBase64());
    QTest::newRow("33 bytes") << QString::fromLatin1(key33.toBase64()) << 33 << true;
    QTest::newRow("64 bytes, padded") << sig64Text << 64 << true;
    QTest::newRow("64 bytes, unpadded") << sig64Text.chopped(2) << 64 << false;
    QTest::newRow("32 bytes for 33")
        << QString::fromLatin1(QByteArray(32, 'a').toBase64()) << 33 << false;
    QTest::newRow("34 bytes for 33")
        << QString::fromLatin1(QByteArray(34, 'a').toBase64()) << 33 << false;
    QTest::newRow("63 bytes for 64")
        << QString::fromLatin1(QByteArray(63, 'a').toBase64()) << 64 << false;
    QTest::newRow("url alphabet") << QString(44, QLatin1Char('_')) << 33 << false;
    QTest::newRow("empty") << QString() << 33 << false;
}

void TestProtocol::readerFixedBase64()
{
    QFETCH(QString, text);
    QFETCH(int, size);
    QFETCH(bool, ok);

    JsonReader reader(QJsonObject{{QStringLiteral("key"), text}}, QStringLiteral("keys"));
    const QByteArray result = reader.fixedBase64(QStringLiteral("key"), size);
    QCOMPARE(reader.ok(), ok);
    if (ok) {
        QCOMPARE(result.size(), size);
        QCOMPARE(QString::fromLatin1(result.toBase64()), text);
    } else {
        QVERIFY(result.isEmpty());
        QCOMPARE(reader.error().status, 400);
        QCOMPARE(reader.error().code, QLatin1String(ErrorCode::InvalidRequest));
        QVERIFY2(reader.error().message.contains(
                     QStringLiteral("'keys.key' must be %1 bytes of base64").arg(size)),
                 qPrintable(reader.error().message));
    }

    JsonReader wrongType(QJsonObject{{QStringLiteral("key"), 33}});
    wrongType.fixedBase64(QStringLiteral("key"), size);
    QCOMPARE(wrongType.error().status, 400);
}

// ---- Envelope ------------------------------------------------------------------------------

void TestProtocol::envelopeRoundTrip()
{
    const Envelope envelope = sampleEnvelope();
    const auto parsed = Envelope::fromJson(envelope.toJson());
    QVERIFY2(parsed.ok(), qPrintable(parsed.error().message));
    QVERIFY(*parsed == envelope);
    QCOMPARE(parsed->payload, envelope.payload);
    QCOMPARE(parsed->fromUser, envelope.fromUser);
    QCOMPARE(parsed->fromDevice, envelope.fromDevice);

    // Through bytes, as on the wire, and with the largest ids the protocol allows.
    Envelope big = envelope;
    big.id = MaxId;
    big.seq = MaxId;
    big.fromDevice = MaxId;
    big.serverTimestamp = 0;
    big.payload.clear();
    const auto reparsed = Envelope::fromJson(parseObject(compact(big.toJson())));
    QVERIFY2(reparsed.ok(), qPrintable(reparsed.error().message));
    QVERIFY(*reparsed == big);
    QCOMPARE(reparsed->id, MaxId);
    QCOMPARE(reparsed->payload, QByteArray());
}

void TestProtocol::envelopeWireFormat()
{
    const Envelope envelope = sampleEnvelope();
    const QJsonObject json = envelope.toJson();
    QCOMPARE(json.value(QStringLiteral("id")).toInteger(), envelope.id);
    QCOMPARE(json.value(QStringLiteral("clientMessageId")).toString(), envelope.clientMessageId);
    QCOMPARE(json.value(QStringLiteral("conversation")).toString(), QStringLiteral("dm:alice:bob"));
    QCOMPARE(json.value(QStringLiteral("seq")).toInteger(), envelope.seq);
    const QJsonObject from = json.value(QStringLiteral("from")).toObject();
    QCOMPARE(from.value(QStringLiteral("user")).toString(), QStringLiteral("alice"));
    QCOMPARE(from.value(QStringLiteral("device")).toInteger(), 3);
    QCOMPARE(json.value(QStringLiteral("to")).toString(), QStringLiteral("bob"));
    QCOMPARE(json.value(QStringLiteral("serverTs")).toInteger(), envelope.serverTimestamp);
    // Standard base64 alphabet.
    QCOMPARE(json.value(QStringLiteral("payload")).toString(),
             QString::fromLatin1(envelope.payload.toBase64()));
    QVERIFY(json.value(QStringLiteral("payload")).toString().contains(QLatin1Char('+')) ||
            json.value(QStringLiteral("payload")).toString().contains(QLatin1Char('/')));
}

void TestProtocol::envelopeRejectsMalformed_data()
{
    QTest::addColumn<QJsonObject>("json");

    const QJsonObject valid = sampleEnvelope().toJson();
    const auto with = [&](const QString &key, const QJsonValue &value) {
        QJsonObject copy = valid;
        copy.insert(key, value);
        return copy;
    };
    const auto without = [&](const QString &key) {
        QJsonObject copy = valid;
        copy.remove(key);
        return copy;
    };
    const auto withFrom = [&](const QString &key, const QJsonValue &value) {
        QJsonObject from = valid.value(QStringLiteral("from")).toObject();
        if (value.isUndefined()) {
            from.remove(key);
        } else {
            from.insert(key, value);
        }
        return with(QStringLiteral("from"), from);
    };

    QTest::newRow("empty object") << QJsonObject();
    QTest::newRow("no id") << without(QStringLiteral("id"));
    QTest::newRow("id zero") << with(QStringLiteral("id"), 0);
    QTest::newRow("id negative") << with(QStringLiteral("id"), -5);
    QTest::newRow("id above 2^53") << with(QStringLiteral("id"), 2 * static_cast<double>(MaxId));
    QTest::newRow("id as string") << with(QStringLiteral("id"), QStringLiteral("4242"));
    QTest::newRow("id fraction") << with(QStringLiteral("id"), 1.5);
    QTest::newRow("no clientMessageId") << without(QStringLiteral("clientMessageId"));
    QTest::newRow("clientMessageId not uuid")
        << with(QStringLiteral("clientMessageId"), QStringLiteral("not-a-uuid"));
    QTest::newRow("clientMessageId upper case") << with(
        QStringLiteral("clientMessageId"), QStringLiteral("123E4567-E89B-12D3-A456-426614174000"));
    QTest::newRow("clientMessageId too long")
        << with(QStringLiteral("clientMessageId"),
                QStringLiteral("123e4567-e89b-12d3-a456-426614174000-0"));
    QTest::newRow("no conversation") << without(QStringLiteral("conversation"));
    QTest::newRow("conversation too long")
        << with(QStringLiteral("conversation"), QString(129, QLatin1Char('c')));
    QTest::newRow("seq zero") << with(QStringLiteral("seq"), 0);
    QTest::newRow("no seq") << without(QStringLiteral("seq"));
    QTest::newRow("no from") << without(QStringLiteral("from"));
    QTest::newRow("from not object") << with(QStringLiteral("from"), QStringLiteral("alice"));
    QTest::newRow("from without user") << withFrom(QStringLiteral("user"), QJsonValue::Undefined);
    QTest::newRow("from bad user") << withFrom(QStringLiteral("user"), QStringLiteral("Alice"));
    QTest::newRow("from without device")
        << withFrom(QStringLiteral("device"), QJsonValue::Undefined);
    QTest::newRow("from device zero") << withFrom(QStringLiteral("device"), 0);
    QTest::newRow("no to") << without(QStringLiteral("to"));
    QTest::newRow("bad to") << with(QStringLiteral("to"), QStringLiteral("b"));
    QTest::newRow("to too long") << with(QStringLiteral("to"), QString(33, QLatin1Char('b')));
    QTest::newRow("negative serverTs") << with(QStringLiteral("serverTs"), -1);
    QTest::newRow("no payload") << without(QStringLiteral("payload"));
    QTest::newRow("payload not base64") << with(QStringLiteral("payload"), QStringLiteral("%%%"));
    QTest::newRow("payload not string") << with(QStringLiteral("payload"), 7);
}

void TestProtocol::envelopeRejectsMalformed()
{
    QFETCH(QJsonObject, json);

    const auto parsed = Envelope::fromJson(json);
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().status, 400);
    QCOMPARE(parsed.error().code, QLatin1String(ErrorCode::InvalidRequest));
    QVERIFY(!parsed.error().message.isEmpty());
}

// ---- Frames --------------------------------------------------------------------------------

void TestProtocol::clientFrame_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("status"); // 0: accepted
    QTest::addColumn<bool>("isAck");
    QTest::addColumn<QList<qint64>>("ids");

    const QList<qint64> none;
    QTest::newRow("ping") << QByteArray(R"({"type":"ping"})") << 0 << false << none;
    QTest::newRow("ping helper") << pingFrame() << 0 << false << none;
    QTest::newRow("ping with extra members")
        << QByteArray(R"({"type":"ping","x":[1]})") << 0 << false << none;
    QTest::newRow("ack") << QByteArray(R"({"type":"ack","ids":[3,1,2]})") << 0 << true
                         << QList<qint64>{3, 1, 2};
    QTest::newRow("ack empty") << QByteArray(R"({"type":"ack","ids":[]})") << 0 << true << none;
    QTest::newRow("ack max id") << QByteArray(R"({"type":"ack","ids":[9007199254740992]})") << 0
                                << true << QList<qint64>{MaxId};

    QTest::newRow("unknown type") << QByteArray(R"({"type":"dance"})") << 400 << false << none;
    QTest::newRow("no type") << QByteArray(R"({"ids":[1]})") << 400 << false << none;
    QTest::newRow("type not string") << QByteArray(R"({"type":1})") << 400 << false << none;
    QTest::newRow("server frame type") << QByteArray(R"({"type":"pong"})") << 400 << false << none;
    QTest::newRow("not json") << QByteArray("ping") << 400 << false << none;
    QTest::newRow("empty") << QByteArray() << 400 << false << none;
    QTest::newRow("array") << QByteArray(R"([{"type":"ping"}])") << 400 << false << none;
    QTest::newRow("ack without ids") << QByteArray(R"({"type":"ack"})") << 400 << false << none;
    QTest::newRow("ack ids not array")
        << QByteArray(R"({"type":"ack","ids":5})") << 400 << false << none;
    QTest::newRow("ack id zero") << QByteArray(R"({"type":"ack","ids":[1,0]})") << 400 << false
                                 << none;
    QTest::newRow("ack id negative")
        << QByteArray(R"({"type":"ack","ids":[-1]})") << 400 << false << none;
    QTest::newRow("ack id fraction")
        << QByteArray(R"({"type":"ack","ids":[1.5]})") << 400 << false << none;
    QTest::newRow("ack id string")
        << QByteArray(R"({"type":"ack","ids":["1"]})") << 400 << false << none;
    QTest::newRow("ack id null") << QByteArray(R"({"type":"ack","ids":[null]})") << 400 << false
                                 << none;
    QTest::newRow("ack id object")
        << QByteArray(R"({"type":"ack","ids":[{}]})") << 400 << false << none;
    QTest::newRow("ack id above 2^53")
        << QByteArray(R"({"type":"ack","ids":[9007199254740994]})") << 400 << false << none;
}

void TestProtocol::clientFrame()
{
    QFETCH(QByteArray, text);
    QFETCH(int, status);
    QFETCH(bool, isAck);
    QFETCH(QList<qint64>, ids);

    const auto frame = parseClientFrame(text);
    if (status == 0) {
        QVERIFY2(frame.ok(), qPrintable(frame.error().message));
        QCOMPARE(frame->type == ClientFrame::Type::Ack, isAck);
        QCOMPARE(frame->ids, ids);
    } else {
        QVERIFY(!frame.ok());
        QCOMPARE(frame.error().status, status);
        QVERIFY(!frame.error().message.isEmpty());
    }
}

void TestProtocol::clientFrameAckRoundTrip()
{
    const QList<qint64> ids{1, 42, 7, MaxId};
    const auto frame = parseClientFrame(ackFrame(ids));
    QVERIFY2(frame.ok(), qPrintable(frame.error().message));
    QCOMPARE(frame->type, ClientFrame::Type::Ack);
    QCOMPARE(frame->ids, ids);

    const auto empty = parseClientFrame(ackFrame({}));
    QVERIFY(empty.ok());
    QCOMPARE(empty->type, ClientFrame::Type::Ack);
    QVERIFY(empty->ids.isEmpty());
}

void TestProtocol::clientFrameAckLimit()
{
    const QByteArray three = ackFrame({1, 2, 3});
    const auto atLimit = parseClientFrame(three, 3);
    QVERIFY(atLimit.ok());
    QCOMPARE(atLimit->ids.size(), 3);

    const auto overLimit = parseClientFrame(three, 2);
    QVERIFY(!overLimit.ok());
    QCOMPARE(overLimit.error().status, 413);
    QCOMPARE(overLimit.error().code, QLatin1String(ErrorCode::TooLarge));

    // The default limit.
    QList<qint64> many;
    for (qint64 id = 1; id <= 4097; ++id) {
        many.append(id);
    }
    QCOMPARE(parseClientFrame(ackFrame(many)).error().status, 413);
    many.removeLast();
    QVERIFY(parseClientFrame(ackFrame(many)).ok());
}

void TestProtocol::serverEnvelopeFrameRoundTrip()
{
    const Envelope envelope = sampleEnvelope();
    const QByteArray text = envelopeFrame(envelope);
    QCOMPARE(parseObject(text).value(QStringLiteral("type")).toString(),
             QStringLiteral("envelope"));

    const auto frame = parseServerFrame(text);
    QVERIFY2(frame.ok(), qPrintable(frame.error().message));
    QCOMPARE(frame->type, ServerFrame::Type::Envelope);
    QVERIFY(frame->envelope == envelope);
    QCOMPARE(frame->envelope.payload, envelope.payload);
    QCOMPARE(frame->envelope.clientMessageId, envelope.clientMessageId);
}

void TestProtocol::serverSentFrameRoundTrip()
{
    SendReceipt receipt;
    receipt.clientMessageId = QStringLiteral("0f8fad5b-d9cb-469f-a165-70867728950e");
    receipt.messageId = 99;
    receipt.conversation = QStringLiteral("dm:alice:bob");
    receipt.seq = 5;
    receipt.serverTimestamp = 1700000000999;

    const QByteArray text = sentFrame(receipt);
    QCOMPARE(parseObject(text).value(QStringLiteral("type")).toString(), QStringLiteral("sent"));

    const auto frame = parseServerFrame(text);
    QVERIFY2(frame.ok(), qPrintable(frame.error().message));
    QCOMPARE(frame->type, ServerFrame::Type::Sent);
    QCOMPARE(frame->receipt.clientMessageId, receipt.clientMessageId);
    QCOMPARE(frame->receipt.messageId, receipt.messageId);
    QCOMPARE(frame->receipt.conversation, receipt.conversation);
    QCOMPARE(frame->receipt.seq, receipt.seq);
    QCOMPARE(frame->receipt.serverTimestamp, receipt.serverTimestamp);

    // The receipt alone (the POST /v1/messages answer) round-trips too.
    const auto direct = SendReceipt::fromJson(receipt.toJson());
    QVERIFY(direct.ok());
    QCOMPARE(direct->messageId, receipt.messageId);
    QCOMPARE(direct->seq, receipt.seq);
}

void TestProtocol::serverHelloFrameRoundTrip()
{
    const QByteArray text = helloFrame(QStringLiteral("alice"), 7);
    QCOMPARE(parseObject(text).value(QStringLiteral("version")).toInt(), StreamProtocolVersion);

    const auto frame = parseServerFrame(text);
    QVERIFY2(frame.ok(), qPrintable(frame.error().message));
    QCOMPARE(frame->type, ServerFrame::Type::Hello);
    QCOMPARE(frame->user, QStringLiteral("alice"));
    QCOMPARE(frame->device, 7);

    const auto big = parseServerFrame(helloFrame(QStringLiteral("bob"), MaxId));
    QVERIFY(big.ok());
    QCOMPARE(big->device, MaxId);
}

void TestProtocol::receiptFramesOneOrMany()
{
    const ReceiptState one{QStringLiteral("group:g1"), QStringLiteral("bob"), 19, 17,
                           1718001300000};
    const ReceiptState two{QStringLiteral("dm:alice:bob"), QStringLiteral("carol"), 4, 0,
                           1718001300001};

    // A single change is the "receipt" frame older clients know.
    QCOMPARE(parseObject(receiptsFrame({one})).value(QStringLiteral("type")).toString(),
             QStringLiteral("receipt"));
    const auto single = parseServerFrame(receiptsFrame({one}));
    QVERIFY2(single.ok(), qPrintable(single.error().message));
    QCOMPARE(single->type, ServerFrame::Type::Receipt);
    QCOMPARE(single->receiptStates.size(), 1);
    QCOMPARE(single->receiptStates[0].user, QStringLiteral("bob"));
    QCOMPARE(single->receiptStates[0].delivered, 19);
    QCOMPARE(single->receiptStates[0].read, 17);

    // Several go in one "receipts" frame, in order.
    const QByteArray both = receiptsFrame({one, two});
    QCOMPARE(parseObject(both).value(QStringLiteral("type")).toString(),
             QStringLiteral("receipts"));
    const auto many = parseServerFrame(both);
    QVERIFY2(many.ok(), qPrintable(many.error().message));
    QCOMPARE(many->type, ServerFrame::Type::Receipt);
    QCOMPARE(many->receiptStates.size(), 2);
    QCOMPARE(many->receiptStates[0].conversation, QStringLiteral("group:g1"));
    QCOMPARE(many->receiptStates[1].conversation, QStringLiteral("dm:alice:bob"));
    QCOMPARE(many->receiptStates[1].user, QStringLiteral("carol"));
    QCOMPARE(many->receiptStates[1].delivered, 4);
    QCOMPARE(many->receiptStates[1].updatedAt, 1718001300001);

    // The frame is written by hand: it is exactly the JSON of the items, whatever the strings
    // hold (quotes, backslashes, control characters, non-ASCII).
    const ReceiptState odd{QStringLiteral("dm:\"q\\b\n\t\x01:\u00e9\u6f22"),
                           QStringLiteral("z\x1f/\u00fc"), 1, 0, 2};
    const QByteArray three = receiptsFrame({one, odd, two});
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(three, &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    QCOMPARE(document.object().value(QStringLiteral("receipts")).toArray(),
             (QJsonArray{one.toJson(), odd.toJson(), two.toJson()}));
    QCOMPARE(document.object().size(), 2);
    const auto parsedOdd = parseServerFrame(three);
    QVERIFY2(parsedOdd.ok(), qPrintable(parsedOdd.error().message));
    QCOMPARE(parsedOdd->receiptStates[1].conversation, odd.conversation);
    QCOMPARE(parsedOdd->receiptStates[1].user, odd.user);

    // Bad lists are errors, not partial frames.
    QVERIFY(!parseServerFrame(R"({"type":"receipts","receipts":[]})").ok());
    QVERIFY(!parseServerFrame(R"({"type":"receipts","receipts":{}})").ok());
    QVERIFY(!parseServerFrame(R"({"type":"receipts"})").ok());
    QVERIFY(!parseServerFrame(R"({"type":"receipts","receipts":[{"conversation":"x"}]})").ok());
    QList<ReceiptState> tooMany(MaxReceiptsPerFrame + 1, one);
    QByteArray over = receiptsFrame(tooMany);
    QVERIFY(!parseServerFrame(over).ok());
    tooMany.removeLast();
    const auto most = parseServerFrame(receiptsFrame(tooMany));
    QVERIFY(most.ok());
    QCOMPARE(most->receiptStates.size(), MaxReceiptsPerFrame);
}

void TestProtocol::presenceAndTypingFrames()
{
    const auto hello = parseServerFrame(helloFrame(QStringLiteral("alice"), 7, 30));
    QVERIFY(hello.ok());
    QCOMPARE(hello->heartbeatSeconds, 30);
    QCOMPARE(hello->version, StreamProtocolVersion);
    QVERIFY(StreamProtocolVersion >= StreamVersionTyping);

    const auto typing = parseClientFrame(typingClientFrame(QStringLiteral("dm:a:b"), true));
    QVERIFY2(typing.ok(), qPrintable(typing.error().message));
    QCOMPARE(typing->type, ClientFrame::Type::Typing);
    QCOMPARE(typing->typing.conversation, QStringLiteral("dm:a:b"));
    QVERIFY(typing->typing.typing);
    QVERIFY(!parseClientFrame(typingClientFrame(QStringLiteral("dm:a:b"), false))->typing.typing);
    for (const char *bad :
         {R"({"type":"typing","conversation":"dm:a:b","state":"maybe"})",
          R"({"type":"typing","conversation":"dm:a:b"})", R"({"type":"typing","state":"started"})",
          R"({"type":"typing","conversation":7,"state":"started"})"}) {
        const auto refused = parseClientFrame(QByteArray(bad));
        QVERIFY2(!refused.ok(), bad);
        QCOMPARE(refused.error().code, QStringLiteral("invalid_request"));
    }
    const QByteArray longId = "{\"type\":\"typing\",\"state\":\"started\",\"conversation\":\"" +
                              QByteArray(129, 'x') + "\"}";
    QVERIFY(!parseClientFrame(longId).ok());

    const auto relayed =
        parseServerFrame(typingFrame({QStringLiteral("dm:a:b"), QStringLiteral("a"), 3, true}));
    QVERIFY(relayed.ok());
    QCOMPARE(relayed->type, ServerFrame::Type::Typing);
    QCOMPARE(relayed->typing.user, QStringLiteral("a"));
    QCOMPARE(relayed->typing.device, 3);
    QVERIFY(relayed->typing.typing);

    const PresenceUpdate offline{QStringLiteral("a"), PresenceUpdate::State::Offline, 1234};
    const auto presence = parseServerFrame(presenceFrame(offline));
    QVERIFY(presence.ok());
    QCOMPARE(presence->type, ServerFrame::Type::Presence);
    QCOMPARE(presence->presence.user, QStringLiteral("a"));
    QCOMPARE(presence->presence.state, PresenceUpdate::State::Offline);
    QCOMPARE(presence->presence.lastSeen, 1234);
    // Hidden carries no time; a state a newer server adds reads as unknown.
    const PresenceUpdate hidden{QStringLiteral("a"), PresenceUpdate::State::Hidden, 0};
    QVERIFY(!hidden.toJson().contains(QStringLiteral("lastSeen")));
    const auto away = PresenceUpdate::fromJson({{QStringLiteral("user"), QStringLiteral("a")},
                                                {QStringLiteral("state"), QStringLiteral("away")}});
    QVERIFY(away.ok());
    QCOMPARE(away->state, PresenceUpdate::State::Unknown);
}

void TestProtocol::serverSimpleFrames()
{
    const auto synced = parseServerFrame(syncedFrame());
    QVERIFY(synced.ok());
    QCOMPARE(synced->type, ServerFrame::Type::Synced);

    const auto pong = parseServerFrame(pongFrame());
    QVERIFY(pong.ok());
    QCOMPARE(pong->type, ServerFrame::Type::Pong);
}

void TestProtocol::serverErrorFrameRoundTrip()
{
    const ApiError error = ApiError::rateLimited(QStringLiteral("Slow down."));
    const QByteArray text = errorFrame(error);
    const QJsonObject json = parseObject(text);
    QCOMPARE(json.value(QStringLiteral("type")).toString(), QStringLiteral("error"));
    QCOMPARE(json.value(QStringLiteral("error")).toString(), QStringLiteral("rate_limited"));

    const auto frame = parseServerFrame(text);
    QVERIFY2(frame.ok(), qPrintable(frame.error().message));
    QCOMPARE(frame->type, ServerFrame::Type::Error);
    QCOMPARE(frame->error.code, QLatin1String(ErrorCode::RateLimited));
    QCOMPARE(frame->error.message, QStringLiteral("Slow down."));
}

void TestProtocol::serverUnknownFrameType()
{
    // Newer servers may add frames; old clients must ignore them rather than fail.
    const auto typing = parseServerFrame(R"({"type":"reaction","user":"bob","extra":{"a":1}})");
    QVERIFY2(typing.ok(), qPrintable(typing.error().message));
    QCOMPARE(typing->type, ServerFrame::Type::Unknown);

    const auto future = parseServerFrame(R"({"type":"envelope2","envelope":42})");
    QVERIFY(future.ok());
    QCOMPARE(future->type, ServerFrame::Type::Unknown);
}

void TestProtocol::serverFrameRejectsMalformed_data()
{
    QTest::addColumn<QByteArray>("text");

    QJsonObject badEnvelope = sampleEnvelope().toJson();
    badEnvelope.insert(QStringLiteral("clientMessageId"), QStringLiteral("nope"));
    QJsonObject sentWithoutId = SendReceipt{QStringLiteral("0f8fad5b-d9cb-469f-a165-70867728950e"),
                                            1, QStringLiteral("dm:a:b"), 1, 1}
                                    .toJson();
    sentWithoutId.remove(QStringLiteral("messageId"));
    sentWithoutId.insert(QStringLiteral("type"), QStringLiteral("sent"));

    QTest::newRow("not json") << QByteArray("{nope");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("array") << QByteArray("[]");
    QTest::newRow("envelope missing") << QByteArray(R"({"type":"envelope"})");
    QTest::newRow("envelope malformed")
        << compact({{QStringLiteral("type"), QStringLiteral("envelope")},
                    {QStringLiteral("envelope"), badEnvelope}});
    QTest::newRow("sent without messageId") << compact(sentWithoutId);
}

void TestProtocol::serverFrameRejectsMalformed()
{
    QFETCH(QByteArray, text);

    const auto frame = parseServerFrame(text);
    QVERIFY(!frame.ok());
    QCOMPARE(frame.error().status, 400);
    QVERIFY(!frame.error().message.isEmpty());
}

// ---- MessageContent ------------------------------------------------------------------------

void TestProtocol::messageContentRoundTrip_data()
{
    QTest::addColumn<QString>("text");

    QTest::newRow("ascii") << QStringLiteral("Hello, Bob!");
    QTest::newRow("empty") << QString(); // an empty string is still a string on the wire
    QTest::newRow("unicode") << QStringLiteral("Gr\u00fc\u00dfe \u4f60\u597d \U0001F600");
    QTest::newRow("newlines and quotes") << QStringLiteral("line 1\nline \"2\"\t\\end");
    QTest::newRow("json-looking") << QStringLiteral(R"({"v":2,"kind":"image"})");
    QTest::newRow("max length") << QString(MessageContent::MaxTextLength, QLatin1Char('m'));
}

void TestProtocol::messageContentRoundTrip()
{
    QFETCH(QString, text);

    MessageContent content;
    content.text = text;
    const QByteArray bytes = content.encode();
    QCOMPARE(parseObject(bytes).value(QStringLiteral("v")).toInt(), MessageContent::Version);

    const auto decoded = MessageContent::decode(bytes);
    QVERIFY2(decoded.ok(), qPrintable(decoded.error().message));
    QCOMPARE(decoded->text, text);
}

void TestProtocol::messageContentRejects_data()
{
    QTest::addColumn<QByteArray>("bytes");

    QTest::newRow("newer version")
        << QByteArray(R"({"v":2,"kind":"text","text":"from the future"})");
    QTest::newRow("much newer version") << QByteArray(R"({"v":1000,"kind":"text","text":"x"})");
    QTest::newRow("version zero") << QByteArray(R"({"v":0,"kind":"text","text":"x"})");
    QTest::newRow("no version") << QByteArray(R"({"kind":"text","text":"x"})");
    QTest::newRow("unknown kind") << QByteArray(R"({"v":1,"kind":"image","text":"x"})");
    QTest::newRow("no kind") << QByteArray(R"({"v":1,"text":"x"})");
    QTest::newRow("no text") << QByteArray(R"({"v":1,"kind":"text"})");
    QTest::newRow("text not string") << QByteArray(R"({"v":1,"kind":"text","text":5})");
    QTest::newRow("text too long") << compact(
        {{QStringLiteral("v"), 1},
         {QStringLiteral("kind"), QStringLiteral("text")},
         {QStringLiteral("text"), QString(MessageContent::MaxTextLength + 1, QLatin1Char('m'))}});
    QTest::newRow("not json") << QByteArray("plain text");
    QTest::newRow("binary") << QByteArray("\x00\xff\x10", 3);
    QTest::newRow("empty") << QByteArray();
}

void TestProtocol::messageContentRejects()
{
    QFETCH(QByteArray, bytes);

    const auto decoded = MessageContent::decode(bytes);
    QVERIFY(!decoded.ok());
    QCOMPARE(decoded.error().status, 400);
    QVERIFY(!decoded.error().message.isEmpty());
}

// ---- ApiError ------------------------------------------------------------------------------

void TestProtocol::apiErrorFactories_data()
{
    QTest::addColumn<int>("which");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");

    QTest::newRow("badRequest") << 0 << 400 << QStringLiteral("invalid_request");
    QTest::newRow("badRequest bad_json") << 1 << 400 << QStringLiteral("bad_json");
    QTest::newRow("unauthenticated") << 2 << 401 << QStringLiteral("unauthenticated");
    QTest::newRow("forbidden") << 3 << 403 << QStringLiteral("forbidden");
    QTest::newRow("notFound unknown_user") << 4 << 404 << QStringLiteral("unknown_user");
    QTest::newRow("conflict") << 5 << 409 << QStringLiteral("username_taken");
    QTest::newRow("tooLarge") << 6 << 413 << QStringLiteral("too_large");
    QTest::newRow("rateLimited") << 7 << 429 << QStringLiteral("rate_limited");
    QTest::newRow("internal") << 8 << 500 << QStringLiteral("internal");
}

void TestProtocol::apiErrorFactories()
{
    QFETCH(int, which);
    QFETCH(int, status);
    QFETCH(QString, code);

    const QString message = QStringLiteral("Something about it.");
    ApiError error;
    QVERIFY(error.isNull());
    switch (which) {
    case 0:
        error = ApiError::badRequest(message);
        break;
    case 1:
        error = ApiError::badRequest(message, ErrorCode::BadJson);
        break;
    case 2:
        error = ApiError::unauthenticated(message);
        break;
    case 3:
        error = ApiError::forbidden(message);
        break;
    case 4:
        error = ApiError::notFound(message, ErrorCode::UnknownUser);
        break;
    case 5:
        error = ApiError::conflict(message, ErrorCode::UsernameTaken);
        break;
    case 6:
        error = ApiError::tooLarge(message);
        break;
    case 7:
        error = ApiError::rateLimited(message);
        break;
    case 8:
        error = ApiError::internal(message);
        break;
    default:
        QFAIL("unknown factory");
    }
    QVERIFY(!error.isNull());
    QCOMPARE(error.status, status);
    QCOMPARE(error.code, code);
    QCOMPARE(error.message, message);
    QVERIFY(error.details.isEmpty());
}

void TestProtocol::apiErrorJsonRoundTrip()
{
    ApiError error = ApiError::rateLimited(QStringLiteral("Too many requests."));
    error.details.insert(QStringLiteral("retryAfter"), 3);
    error.details.insert(QStringLiteral("limit"), QStringLiteral("messages"));

    const QJsonObject json = error.toJson();
    QCOMPARE(json.value(QStringLiteral("error")).toString(), QStringLiteral("rate_limited"));
    QCOMPARE(json.value(QStringLiteral("message")).toString(),
             QStringLiteral("Too many requests."));
    QCOMPARE(json.value(QStringLiteral("retryAfter")).toInt(), 3);
    QCOMPARE(json.size(), 4);
    // The status travels as the HTTP status, not in the body.
    QVERIFY(!json.contains(QStringLiteral("status")));

    const ApiError parsed = ApiError::fromJson(429, error.toJsonBytes());
    QCOMPARE(parsed.status, 429);
    QCOMPARE(parsed.code, error.code);
    QCOMPARE(parsed.message, error.message);
    QCOMPARE(parsed.details, error.details);

    // The code and message win over details members of the same name.
    ApiError clash = ApiError::forbidden(QStringLiteral("real"));
    clash.details.insert(QStringLiteral("error"), QStringLiteral("fake"));
    clash.details.insert(QStringLiteral("message"), QStringLiteral("fake"));
    QCOMPARE(clash.toJson().value(QStringLiteral("error")).toString(), QStringLiteral("forbidden"));
    QCOMPARE(clash.toJson().value(QStringLiteral("message")).toString(), QStringLiteral("real"));
}

void TestProtocol::apiErrorFromNonJson()
{
    const ApiError html = ApiError::fromJson(502, "<html>Bad Gateway</html>");
    QCOMPARE(html.status, 502);
    QVERIFY(!html.isNull());
    QVERIFY(html.code.isEmpty());
    QVERIFY(html.message.isEmpty());

    const ApiError array = ApiError::fromJson(500, "[1,2]");
    QCOMPARE(array.status, 500);
    QVERIFY(array.code.isEmpty());

    const ApiError empty = ApiError::fromJson(503, QByteArray());
    QCOMPARE(empty.status, 503);
    QVERIFY(empty.code.isEmpty());
}

void TestProtocol::linkCodes_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("code");
    QTest::newRow("canonical") << "7KQ2MX9D4R"
                               << "7KQ2MX9D4R";
    QTest::newRow("formatted") << "7KQ2M-X9D4R"
                               << "7KQ2MX9D4R";
    QTest::newRow("lower, spaces") << " 7kq2m x9d4r "
                                   << "7KQ2MX9D4R";
    QTest::newRow("look-alikes") << "OIL00-00000"
                                 << "0110000000";
    QTest::newRow("too short") << "7KQ2M-X9D4"
                               << "";
    QTest::newRow("too long") << "7KQ2M-X9D4RR"
                              << "";
    QTest::newRow("U is not base32") << "UKQ2MX9D4R"
                                     << "";
    QTest::newRow("punctuation") << "7KQ2M.X9D4R"
                                 << "";
    QTest::newRow("empty") << ""
                           << "";
}

void TestProtocol::linkCodes()
{
    QFETCH(QString, text);
    QFETCH(QString, code);
    QCOMPARE(DeviceLink::normalizeCode(text), code);
    if (!code.isEmpty()) {
        QCOMPARE(DeviceLink::normalizeCode(DeviceLink::formatCode(code)), code);
    }
}

void TestProtocol::linkUriRoundTrip()
{
    const QString fingerprint = QStringLiteral(
        "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:"
        "45:67:89");
    const QUrl server(QStringLiteral("https://chat.example.lan:8443"));
    const QByteArray secret(16, 's');
    const QString uri = DeviceLink::uri(QStringLiteral("7KQ2MX9D4R"), server, fingerprint, secret);
    QVERIFY(uri.startsWith(QLatin1String("tincan://link?code=7KQ2MX9D4R&server=")));
    const auto parsed = DeviceLink::parse(uri);
    QVERIFY(parsed);
    QCOMPARE(parsed->code, QStringLiteral("7KQ2MX9D4R"));
    QCOMPARE(parsed->server, server);
    QCOMPARE(parsed->fingerprint, fingerprint);
    QCOMPARE(parsed->secret, secret);
    QVERIFY(!DeviceLink::parse(uri.left(uri.size() - 2)));
    // A bare code has no server.
    const auto bare = DeviceLink::parse(QStringLiteral("7kq2m-x9d4r"));
    QVERIFY(bare);
    QCOMPARE(bare->code, QStringLiteral("7KQ2MX9D4R"));
    QVERIFY(bare->server.isEmpty());
}

void TestProtocol::linkUriRejectsJunk_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("other host") << "tincan://group?code=7KQ2MX9D4R";
    QTest::newRow("no code") << "tincan://link?server=https%3A%2F%2Fa";
    QTest::newRow("bad code") << "tincan://link?code=12";
    QTest::newRow("ftp server") << "tincan://link?code=7KQ2MX9D4R&server=ftp%3A%2F%2Fa";
    QTest::newRow("bad fingerprint") << "tincan://link?code=7KQ2MX9D4R&fp=abc";
    QTest::newRow("a word") << "hello";
}

void TestProtocol::linkUriRejectsJunk()
{
    QFETCH(QString, text);
    QVERIFY(!DeviceLink::parse(text));
}

void TestProtocol::linkVerificationCode()
{
    const QByteArray key = QByteArray(1, '\x05') + QByteArray(32, 'k');
    const QString code = DeviceLink::verificationCode(key);
    QCOMPARE(code.size(), 14);
    QCOMPARE(code.at(4), QLatin1Char(' '));
    QCOMPARE(code.at(9), QLatin1Char(' '));
    QCOMPARE(DeviceLink::verificationCode(key), code);
    QVERIFY(DeviceLink::verificationCode(QByteArray(1, '\x05') + QByteArray(32, 'j')) != code);
}

void TestProtocol::historyContentRoundTrip()
{
    MessageContent content;
    content.kind = MessageContent::Kind::History;
    content.key = QByteArray(32, 'k');
    content.link = 42;
    content.size = 123456;
    content.digest = QByteArray(32, 'd');
    const auto decoded = MessageContent::decode(content.encode());
    QVERIFY(decoded);
    QCOMPARE(decoded->kind, MessageContent::Kind::History);
    QCOMPARE(decoded->key, content.key);
    QCOMPARE(decoded->link, 42);
    QCOMPARE(decoded->size, 123456);
    QCOMPARE(decoded->digest, content.digest);
    // A short key is refused.
    QJsonObject broken = QJsonDocument::fromJson(content.encode()).object();
    broken.insert(QStringLiteral("key"), QString::fromLatin1(QByteArray(16, 'k').toBase64()));
    QVERIFY(!MessageContent::decode(QJsonDocument(broken).toJson()));
}

void TestProtocol::mediaContentRoundTrip()
{
    MessageContent content;
    content.kind = MessageContent::Kind::Media;
    content.text = QStringLiteral("Look \U0001F600");
    content.group = QStringLiteral("00112233445566778899aabbccddeeff");
    Attachment minimal;
    minimal.mediaId = QStringLiteral("ffffffffffffffffffffffffffffffff");
    minimal.key = QByteArray(32, 'k');
    minimal.digest = QByteArray(32, 'd');
    minimal.size = 0; // an empty file: one empty final chunk
    minimal.cipherSize = 36;
    minimal.name = QStringLiteral("empty");
    minimal.mime = QStringLiteral("application/octet-stream");
    content.attachments = {sampleAttachment(), minimal};

    const QByteArray bytes = content.encode();
    const QJsonObject object = parseObject(bytes);
    QCOMPARE(object.value(QStringLiteral("kind")).toString(), QStringLiteral("media"));
    const QJsonArray list = object.value(QStringLiteral("attachments")).toArray();
    QCOMPARE(list.size(), 2);
    // Unknown optional members are left out.
    const QJsonObject second = list.at(1).toObject();
    for (const char *member : {"width", "height", "thumbnail", "durationMs"}) {
        QVERIFY(list.at(0).toObject().contains(QLatin1String(member)));
        QVERIFY(!second.contains(QLatin1String(member)));
    }

    const auto decoded = MessageContent::decode(bytes);
    QVERIFY2(decoded, qPrintable(decoded.error().message));
    QCOMPARE(decoded->kind, MessageContent::Kind::Media);
    QCOMPARE(decoded->text, content.text);
    QCOMPARE(decoded->group, content.group);
    QCOMPARE(decoded->attachments.size(), 2);
    QVERIFY(decoded->attachments.at(0) == sampleAttachment());
    QVERIFY(decoded->attachments.at(1) == minimal);

    // Without a caption.
    content.text.clear();
    const QByteArray noCaption = content.encode();
    QVERIFY(!parseObject(noCaption).contains(QStringLiteral("text")));
    const auto decodedNoCaption = MessageContent::decode(noCaption);
    QVERIFY(decodedNoCaption);
    QVERIFY(decodedNoCaption->text.isEmpty());
}

void TestProtocol::mediaContentLimits()
{
    // The most of everything still decodes.
    MessageContent content;
    content.kind = MessageContent::Kind::Media;
    Attachment big = sampleAttachment();
    big.thumbnail = QByteArray("\xff\xd8\xff") + QByteArray(Attachment::MaxThumbnailBytes - 3, 'j');
    big.name = QString(Attachment::MaxNameLength, QLatin1Char('n'));
    big.size = Attachment::MaxSize;
    big.cipherSize = Attachment::expectedCipherSize(big.size);
    big.width = big.height = static_cast<int>(Attachment::MaxDimension);
    for (qsizetype i = 0; i < MessageContent::MaxAttachments; ++i) {
        content.attachments.append(big);
    }
    const auto decoded = MessageContent::decode(content.encode());
    QVERIFY2(decoded, qPrintable(decoded.error().message));
    QCOMPARE(decoded->attachments.size(), MessageContent::MaxAttachments);
    QVERIFY(decoded->attachments.last() == big);

    QCOMPARE(Attachment::expectedCipherSize(0), 36);
    QCOMPARE(Attachment::expectedCipherSize(65536), 20 + 65536 + 16);
    QCOMPARE(Attachment::expectedCipherSize(65537), 20 + 65537 + 32);
    QCOMPARE(Attachment::expectedCipherSize(-1), -1);
}

void TestProtocol::mediaContentRejects_data()
{
    QTest::addColumn<QByteArray>("bytes");

    const QJsonObject base = mediaObject();
    QVERIFY(MessageContent::decode(compact(base))); // so that each row breaks one thing only
    const QJsonObject attachment =
        base.value(QStringLiteral("attachments")).toArray().at(0).toObject();
    const auto withContent = [&base](const QString &key, const QJsonValue &value) {
        QJsonObject object = base;
        if (value.isUndefined()) {
            object.remove(key);
        } else {
            object.insert(key, value);
        }
        return compact(object);
    };
    const auto withField = [&base, &attachment](const QString &key, const QJsonValue &value) {
        QJsonObject changed = attachment;
        if (value.isUndefined()) {
            changed.remove(key);
        } else {
            changed.insert(key, value);
        }
        QJsonObject object = base;
        object.insert(QStringLiteral("attachments"), QJsonArray{changed});
        return compact(object);
    };
    const auto b64 = [](const QByteArray &bytes) {
        return QString::fromLatin1(bytes.toBase64());
    };
    const QJsonValue absent(QJsonValue::Undefined);

    QTest::newRow("no attachments") << withContent(QStringLiteral("attachments"), absent);
    QTest::newRow("empty attachments") << withContent(QStringLiteral("attachments"), QJsonArray());
    QTest::newRow("attachments not array")
        << withContent(QStringLiteral("attachments"), QJsonValue(attachment));
    QJsonArray eleven;
    for (int i = 0; i < 11; ++i) {
        eleven.append(attachment);
    }
    QTest::newRow("11 attachments") << withContent(QStringLiteral("attachments"), eleven);
    QTest::newRow("attachment not object")
        << withContent(QStringLiteral("attachments"), QJsonArray{QStringLiteral("x")});
    QTest::newRow("caption not string") << withContent(QStringLiteral("text"), 5);
    QTest::newRow("caption too long") << withContent(
        QStringLiteral("text"), QString(MessageContent::MaxTextLength + 1, QLatin1Char('c')));
    QTest::newRow("newer version") << withContent(QStringLiteral("v"), 2);

    QTest::newRow("id missing") << withField(QStringLiteral("id"), absent);
    QTest::newRow("id upper case")
        << withField(QStringLiteral("id"), QStringLiteral("0123456789ABCDEF0123456789abcdef"));
    QTest::newRow("id short") << withField(QStringLiteral("id"),
                                           QStringLiteral("0123456789abcdef0123456789abcde"));
    QTest::newRow("id long") << withField(QStringLiteral("id"),
                                          QStringLiteral("0123456789abcdef0123456789abcdef0"));
    QTest::newRow("id not hex") << withField(QStringLiteral("id"),
                                             QStringLiteral("0123456789abcdef0123456789abcdeg"));
    QTest::newRow("id path") << withField(QStringLiteral("id"), QStringLiteral("../../etc/passwd"));
    QTest::newRow("key missing") << withField(QStringLiteral("key"), absent);
    QTest::newRow("key 31 bytes") << withField(QStringLiteral("key"), b64(QByteArray(31, 'k')));
    QTest::newRow("key 33 bytes") << withField(QStringLiteral("key"), b64(QByteArray(33, 'k')));
    QTest::newRow("key not base64")
        << withField(QStringLiteral("key"), QString(44, QLatin1Char('*')));
    QTest::newRow("sha256 missing") << withField(QStringLiteral("sha256"), absent);
    QTest::newRow("sha256 31 bytes")
        << withField(QStringLiteral("sha256"), b64(QByteArray(31, 'd')));
    QTest::newRow("sha256 64 bytes")
        << withField(QStringLiteral("sha256"), b64(QByteArray(64, 'd')));
    QTest::newRow("size missing") << withField(QStringLiteral("size"), absent);
    QTest::newRow("size negative") << withField(QStringLiteral("size"), -1);
    QTest::newRow("size fraction") << withField(QStringLiteral("size"), 1.5);
    QTest::newRow("size string") << withField(QStringLiteral("size"), QStringLiteral("5"));
    QTest::newRow("size too large")
        << withField(QStringLiteral("size"), static_cast<double>(Attachment::MaxSize + 1));
    QTest::newRow("cipherSize missing") << withField(QStringLiteral("cipherSize"), absent);
    QTest::newRow("cipherSize one more")
        << withField(QStringLiteral("cipherSize"), sampleAttachment().cipherSize + 1);
    QTest::newRow("cipherSize one less")
        << withField(QStringLiteral("cipherSize"), sampleAttachment().cipherSize - 1);
    QTest::newRow("cipherSize of the plaintext")
        << withField(QStringLiteral("cipherSize"), sampleAttachment().size);
    QTest::newRow("name missing") << withField(QStringLiteral("name"), absent);
    QTest::newRow("name empty") << withField(QStringLiteral("name"), QString());
    QTest::newRow("name too long")
        << withField(QStringLiteral("name"), QString(256, QLatin1Char('n')));
    QTest::newRow("name with slash")
        << withField(QStringLiteral("name"), QStringLiteral("../secret.txt"));
    QTest::newRow("name absolute") << withField(QStringLiteral("name"), QStringLiteral("/etc/x"));
    QTest::newRow("name with NUL")
        << withField(QStringLiteral("name"), QString::fromUtf16(u"a\u0000b.txt", 7));
    QTest::newRow("name with newline")
        << withField(QStringLiteral("name"), QStringLiteral("a\nb.txt"));
    QTest::newRow("name with bidi override")
        << withField(QStringLiteral("name"), QString::fromUtf16(u"invoice\u202Efdp.exe"));
    QTest::newRow("name dot") << withField(QStringLiteral("name"), QStringLiteral("."));
    QTest::newRow("name dot dot") << withField(QStringLiteral("name"), QStringLiteral(".."));
    QTest::newRow("mime missing") << withField(QStringLiteral("mime"), absent);
    QTest::newRow("mime empty") << withField(QStringLiteral("mime"), QString());
    QTest::newRow("mime no subtype") << withField(QStringLiteral("mime"), QStringLiteral("image"));
    QTest::newRow("mime empty subtype")
        << withField(QStringLiteral("mime"), QStringLiteral("image/"));
    QTest::newRow("mime empty type") << withField(QStringLiteral("mime"), QStringLiteral("/jpeg"));
    QTest::newRow("mime two slashes")
        << withField(QStringLiteral("mime"), QStringLiteral("image/jpeg/x"));
    QTest::newRow("mime space") << withField(QStringLiteral("mime"), QStringLiteral("image/jp eg"));
    QTest::newRow("mime parameters")
        << withField(QStringLiteral("mime"), QStringLiteral("text/plain;charset=utf-8"));
    QTest::newRow("mime too long")
        << withField(QStringLiteral("mime"), QStringLiteral("a/") + QString(254, QLatin1Char('b')));
    QTest::newRow("width negative") << withField(QStringLiteral("width"), -1);
    QTest::newRow("width string") << withField(QStringLiteral("width"), QStringLiteral("10"));
    QTest::newRow("height too large")
        << withField(QStringLiteral("height"), static_cast<double>(Attachment::MaxDimension + 1));
    QTest::newRow("thumbnail not JPEG")
        << withField(QStringLiteral("thumbnail"), b64(QByteArray("\x89PNG\r\n\x1a\n1234")));
    QTest::newRow("thumbnail empty") << withField(QStringLiteral("thumbnail"), QString());
    QTest::newRow("thumbnail too large") << withField(
        QStringLiteral("thumbnail"),
        b64(QByteArray("\xff\xd8\xff") + QByteArray(Attachment::MaxThumbnailBytes - 2, 'j')));
    QTest::newRow("thumbnail not base64")
        << withField(QStringLiteral("thumbnail"), QStringLiteral("/9j/!!!!"));
    QTest::newRow("durationMs negative") << withField(QStringLiteral("durationMs"), -5);
    QTest::newRow("durationMs fraction") << withField(QStringLiteral("durationMs"), 0.5);
}

void TestProtocol::mediaContentRejects()
{
    QFETCH(QByteArray, bytes);

    const auto decoded = MessageContent::decode(bytes);
    QVERIFY(!decoded.ok());
    QVERIFY(decoded.error().status == 400 || decoded.error().status == 413);
    QVERIFY(!decoded.error().message.isEmpty());
}

void TestProtocol::mediaValidation()
{
    QVERIFY(isValidMediaId(u"0123456789abcdef0123456789abcdef"));
    QVERIFY(!isValidMediaId(u""));
    QVERIFY(!isValidMediaId(u"0123456789abcdef0123456789abcdeF"));

    QVERIFY(isValidAttachmentName(u"report.pdf"));
    QVERIFY(isValidAttachmentName(u"..hidden"));
    QVERIFY(isValidAttachmentName(u"a\\b (copy).txt")); // a backslash is a Linux file name
    QVERIFY(isValidAttachmentName(QString(255, QLatin1Char('x'))));
    QVERIFY(!isValidAttachmentName(QString(256, QLatin1Char('x'))));
    QVERIFY(!isValidAttachmentName(u"a/b"));
    QVERIFY(!isValidAttachmentName(u"tab\there"));

    QVERIFY(isValidMimeType(u"image/jpeg"));
    QVERIFY(isValidMimeType(
        u"application/vnd.openxmlformats-officedocument.wordprocessingml.document"));
    QVERIFY(isValidMimeType(u"image/svg+xml"));
    QVERIFY(!isValidMimeType(u"image/jpeg "));
    QVERIFY(!isValidMimeType(u"image/j\u00e9pg"));
}

void TestProtocol::linkFrameRoundTrip()
{
    LinkEvent link;
    link.id = 7;
    link.state = QStringLiteral("claimed");
    link.createdBy = 3;
    link.expiresAt = 1000;
    link.deviceName = QStringLiteral("laptop");
    link.platform = QStringLiteral("Debian GNU/Linux 12 (bookworm)");
    link.identityKey = QByteArray(33, 'i');
    const auto frame = parseServerFrame(linkFrame(link));
    QVERIFY(frame);
    QCOMPARE(frame->type, ServerFrame::Type::Link);
    QCOMPARE(frame->link.id, 7);
    QCOMPARE(frame->link.state, QStringLiteral("claimed"));
    QCOMPARE(frame->link.deviceName, QStringLiteral("laptop"));
    QCOMPARE(frame->link.platform, link.platform);
    QCOMPARE(frame->link.identityKey, link.identityKey);
    QCOMPARE(frame->link.deviceId, 0);
}

QTEST_GUILESS_MAIN(TestProtocol)
#include "tst_protocol.moc"
