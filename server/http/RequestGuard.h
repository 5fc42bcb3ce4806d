#pragma once

#include "server/media/MediaService.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

#include <memory>

namespace Tincan::Server {

class HttpFrontend;
class UploadReceiver;

//! A request head's header fields, names in lower case (a repeated field: the values joined
//! by ", ").
QHash<QByteArray, QByteArray> httpHeaderFields(const QByteArray &head);
//! Whether a request head asks to upgrade /v1/stream to a WebSocket (the request line
//! `GET /v1/stream[?query] HTTP/1.1` and an Upgrade field naming websocket).
bool isStreamUpgradeHead(const QByteArray &head);

//! Follows the requests of one connection as their bytes arrive, before QtHttpServer reads them
//! (its parser buffers heads and bodies without limit), and refuses what is too large to buffer:
//! a head over 16 KiB gets 431, a Content-Length over the limit 413. Every byte is looked at
//! once, so a head is followed across any number of readyRead signals: a QSslSocket hands its
//! decrypted bytes over in 4 KiB pieces, and QtHttpServer reads each piece before the next one
//! arrives. Chunked request bodies cannot be bounded in advance and are refused.
//!
//! Media uploads (PATCH of a signed upload URL) are the exception: their bodies may be gigabytes.
//! When the guard sees one at a request boundary it takes the connection over from QtHttpServer
//! (which then never sees it again) and an UploadReceiver streams the body to the blob store;
//! the connection closes after the answer. WebSocket upgrades of /v1/stream are taken over the
//! same way, right after their head: HttpFrontend::startStream answers the upgrade and the
//! StreamSession does the framing (no QWebSocket).
//!
//! A refusal is answered with a lingering close: the answer is sent, what the client still
//! uploads of the announced body is read and dropped, then our side is shut, all within bounds.
//! Closing at once would make the client's kernel reset the connection, and shutting our side
//! while the client is still uploading makes some clients (QNAM over TLS) report the close
//! instead of the answer.
class RequestGuard : public QObject
{
public:
    //! `media` may be null (no uploads).
    RequestGuard(QTcpSocket *socket, qint64 maxBody, HttpFrontend *frontend, MediaService *media,
                 int idleTimeoutMs);
    ~RequestGuard() override;

    //! Connected to readyRead before QtHttpServer's handler: looks at the bytes not seen yet.
    void inspect();
    //! Connected after it: whatever QtHttpServer left unread has been looked at already.
    void markInspected() { m_inspectedUnread = m_socket->bytesAvailable(); }

    //! Answers and drains `bodyToCome` more bytes before shutting our side.
    void refuse(int status, const char *code, const QString &message, qint64 bodyToCome = 0,
                const QList<QPair<QByteArray, QByteArray>> &headers = {});

private:
    void follow(const QByteArray &bytes);
    //! Checks a complete head, of which `bodyReceived` body bytes already arrived; false once
    //! the request has been refused or taken over.
    bool checkHead(const QByteArray &head, qint64 bodyReceived);
    //! Takes the connection over from QtHttpServer for the upload whose head this is.
    void takeOver(const QByteArray &head, qint64 bodyReceived);
    //! Takes the connection over for a /v1/stream WebSocket: HttpFrontend::startStream answers
    //! the upgrade and a StreamSession reads and writes the connection from then on.
    void takeOverStream(const QByteArray &head);
    //! Stops QtHttpServer reading this connection and consumes `head` from the socket; false
    //! (and the request refused) if an earlier request is still in progress.
    bool detachFromHttpServer(const QByteArray &head, const QString &what);
    void drain();

    QTcpSocket *m_socket;
    qint64 m_maxBody;
    HttpFrontend *m_frontend;
    MediaService *m_media;
    int m_idleTimeoutMs;
    QByteArray m_head;      //!< The current request's head so far.
    qint64 m_headStart = 0; //!< Where it started in the connection's byte stream.
    qint64 m_seen = 0;      //!< Bytes of the connection followed so far.
    qint64 m_seenEnd = 0;   //!< ... including the piece being followed.
    qint64 m_bodyLeft = 0;  //!< Bytes of the current request's body still to come.
    qint64 m_inspectedUnread = 0;
    qint64 m_drained = -1;    //!< Bytes dropped since the refusal; -1 before one.
    qint64 m_lingerBytes = 0; //!< Our side is shut once this much was dropped.
    bool m_shutting = false;
    UploadReceiver *m_upload = nullptr;
    bool m_stream = false; //!< Taken over by a StreamSession.
};

//! Receives one upload body (tus-style: PATCH with Upload-Offset) into the blob store: written
//! and hashed as it arrives, at most about a megabyte buffered (the socket's read buffer is
//! bounded, so a fast client is slowed down by TCP, not by our memory). What arrived before a
//! cut connection stays stored; the client asks for the offset (HEAD) and continues from there.
//! The request that completes the upload makes the blob durable (fsync off this thread), names
//! it by its SHA-256 and answers with that digest.
class UploadReceiver : public QObject
{
public:
    UploadReceiver(QTcpSocket *socket, RequestGuard *guard, MediaService &media, int idleTimeoutMs);
    ~UploadReceiver() override;

    //! Checks the request and starts receiving its body (or answers with an error).
    void start(const QByteArray &head);
    void onReadyRead();

private:
    void receive();
    void bodyDone();
    void complete();
    //! Answers with success and closes.
    void answer(int status, const QList<QPair<QByteArray, QByteArray>> &headers);
    void fail(int status, const char *code, const QString &message,
              const QList<QPair<QByteArray, QByteArray>> &headers = {});
    void release();
    void onDisconnected();

    struct Handle; //!< Lets the completion (another thread) reach this object, or nothing.

    QTcpSocket *m_socket;
    RequestGuard *m_guard;
    MediaService &m_media;
    int m_idleTimeoutMs;
    QTimer *m_idle = nullptr;
    std::shared_ptr<Handle> m_handle;
    std::shared_ptr<MediaService::Upload> m_upload;
    std::shared_ptr<BlobWriter> m_writer;
    MediaRecord m_record;
    qint64 m_left = 0; //!< Body bytes still to come.
    qint64 m_sinceSpaceCheck = 0;
    bool m_finishing = false;
    QByteArray m_buffer;
};

//! Shuts our side once everything written has left, encrypted bytes included.
void shutdownWrite(QTcpSocket *socket);

} // namespace Tincan::Server
