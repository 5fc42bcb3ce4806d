#pragma once

#include "shared/protocol/Envelope.h"
#include "shared/protocol/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace Tincan::Protocol {

//! Sub-protocol version spoken on /v1/stream; sent in the hello frame. 2: presence and typing
//! frames (clients send `typing` only to a server that says 2 or more). 3: several receipt
//! changes may come in one "receipts" frame.
inline constexpr int StreamProtocolVersion = 3;
//! The first stream version with presence and typing.
inline constexpr int StreamVersionTyping = 2;
//! The TLS ALPN protocol a client offers on a connection it opens only for /v1/stream (its
//! first and only request is the WebSocket upgrade). The server then serves that connection on
//! its lean stream path; a client that offers nothing gets the same stream, served by the
//! general HTTP path. docs/protocol.md §8.
inline constexpr char StreamAlpn[] = "tincan-stream";

//! Confirmation that a message was stored: the answer to POST /v1/messages and the "sent" frame.
struct SendReceipt
{
    QString clientMessageId;
    qint64 messageId = 0;
    QString conversation;
    qint64 seq = 0;
    qint64 serverTimestamp = 0;

    QJsonObject toJson() const;
    static Result<SendReceipt> fromJson(const QJsonObject &object);
};

//! How far one participant of a conversation got: every message up to `delivered` reached one
//! of the user's devices, every message up to `read` was seen (seqs of the conversation). The
//! "receipt" frame and GET /v1/receipts carry it; one covers many messages.
struct ReceiptState
{
    QString conversation;
    QString user;
    qint64 delivered = 0;
    qint64 read = 0;
    qint64 updatedAt = 0; //!< Server time (ms) of the last change.

    QJsonObject toJson() const;
    static Result<ReceiptState> fromJson(const QJsonObject &object);
};

//! A user's presence as another user may see it: the `presence` frame and the items of
//! GET /v1/presence.
struct PresenceUpdate
{
    enum class State { Online, Offline, Hidden, Unknown };
    QString user;
    State state = State::Unknown;
    //! Online: the server's time of the change or answer; Offline: when a device of the user
    //! was last active (ms). 0 (not sent) for Hidden and Unknown.
    qint64 lastSeen = 0;

    static QString stateName(State state);
    QJsonObject toJson() const;
    static Result<PresenceUpdate> fromJson(const QJsonObject &object);
};

//! Someone started or stopped typing in a conversation: relayed, never stored.
struct TypingEvent
{
    QString conversation;
    QString user; //!< Who types (empty in the client's frame: the server fills it in).
    qint64 device = 0;
    bool typing = false; //!< "started" / "stopped".
};

//! A device link (POST /v1/links) as the user's devices see it: GET /v1/links/{id} and the
//! "link" frame, sent to every device of the user when the state changes. States: "open"
//! (waiting for a new device to claim the code), "claimed" (a device claimed it: confirm or
//! reject), "approved" (confirmed; the new device picks up its token), "linked" (the device
//! exists: `deviceId`), "rejected", "expired".
struct LinkEvent
{
    qint64 id = 0;
    QString state;
    qint64 createdBy = 0; //!< The device that showed the code (and approves, sends history).
    qint64 expiresAt = 0;
    QString deviceName;     //!< From "claimed" on: what the new device calls itself.
    QString platform;       //!< From "claimed" on.
    QByteArray identityKey; //!< From "claimed" on: the new device's public identity key.
    //! From "claimed" on: DeviceLink::keyProof of that key; empty when the code was typed.
    QByteArray keyProof;
    qint64 deviceId = 0; //!< "linked": the new device's id.
    //! From "approved" on: whether the approving device sends history (-1: not decided yet).
    int history = -1;

    QJsonObject toJson() const;
    static Result<LinkEvent> fromJson(const QJsonObject &object);
};

//! A frame a client sends on /v1/stream.
struct ClientFrame
{
    enum class Type { Ack, Ping, Typing };
    Type type = Type::Ping;
    QList<qint64> ids;  //!< For Ack: server message ids now stored by the client.
    TypingEvent typing; //!< For Typing: conversation and state.
};

//! How a client batches ACKs once its stream caught up (`synced`): an ACK waits at most
//! AckDelayMs for more envelopes to go with it, or until AckBatch ids wait (well under the
//! server's default window of 256). While catching up it ACKs what each pass stored at once.
inline constexpr int AckDelayMs = 200;
inline constexpr qsizetype AckBatch = 64;

Result<ClientFrame> parseClientFrame(const QByteArray &text, qsizetype maxAckIds = 4096);
QByteArray ackFrame(const QList<qint64> &ids);
QByteArray pingFrame();
//! The client's typing frame: {"type":"typing","conversation":...,"state":"started"|"stopped"}.
QByteArray typingClientFrame(const QString &conversation, bool typing);

//! A frame the server sends on /v1/stream.
struct ServerFrame
{
    enum class Type {
        Hello,
        Envelope,
        Sent,
        Synced,
        Pong,
        Error,
        Receipt,
        Presence,
        Typing,
        Link,
        Unknown
    };
    Type type = Type::Unknown;
    Protocol::Envelope envelope; //!< For Envelope.
    SendReceipt receipt;         //!< For Sent.
    //! For Receipt: one state ("receipt" frame) or several ("receipts" frame, stream version 3).
    QList<ReceiptState> receiptStates;
    QString user;             //!< For Hello.
    qint64 device = 0;        //!< For Hello.
    int heartbeatSeconds = 0; //!< For Hello: how often to send a frame (0: not said).
    int version = 0;          //!< For Hello: the server's stream protocol version.
    ApiError error;           //!< For Error.
    PresenceUpdate presence;  //!< For Presence.
    TypingEvent typing;       //!< For Typing.
    LinkEvent link;           //!< For Link.
};

Result<ServerFrame> parseServerFrame(const QByteArray &text);
//! `heartbeatSeconds`: the client must send a frame at least this often to count as online.
QByteArray helloFrame(const QString &user, qint64 device, int heartbeatSeconds = 0);
QByteArray envelopeFrame(const Envelope &envelope);
QByteArray sentFrame(const SendReceipt &receipt);
//! Tells the device that everything stored for it so far has been pushed.
QByteArray syncedFrame();
QByteArray receiptFrame(const ReceiptState &state);
//! Several receipt changes in one frame: {"type":"receipts","receipts":[state, ...]}; a single
//! state makes the "receipt" frame, as older clients expect.
QByteArray receiptsFrame(const QList<ReceiptState> &states);
//! The most states one "receipts" frame carries.
inline constexpr qsizetype MaxReceiptsPerFrame = 1024;
QByteArray pongFrame();
QByteArray errorFrame(const ApiError &error);
QByteArray presenceFrame(const PresenceUpdate &update);
//! The relayed typing frame, with who is typing.
QByteArray typingFrame(const TypingEvent &event);
QByteArray linkFrame(const LinkEvent &link);

} // namespace Tincan::Protocol
