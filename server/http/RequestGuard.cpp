#include "server/http/RequestGuard.h"

#include "server/core/ApiService.h"
#include "server/core/Config.h"
#include "server/core/Logging.h"
#include "server/http/HttpFrontend.h"
#include "server/ws/StreamTransport.h"

#include <QDateTime>
#include <QSslSocket>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>
#include <cctype>
#include <sys/socket.h>

namespace Tincan::Server {

using Protocol::ApiError;

namespace {
constexpr qint64 MaxHeaderBytes = 16 * 1024;

constexpr qint64 MaxDrainBytes = 64 * 1024 * 1024;
constexpr int DrainTimeoutMs = 5000;

//! An upload reads at most this much at a time, and lets the socket buffer no more.
constexpr qint64 UploadPiece = 1024 * 1024;
//! Free space is checked again after this many bytes of an upload.
constexpr qint64 SpaceCheckInterval = 64 * 1024 * 1024;

using Headers = QList<QPair<QByteArray, QByteArray>>;

} // namespace

QHash<QByteArray, QByteArray> httpHeaderFields(const QByteArray &head)
{
    QHash<QByteArray, QByteArray> fields;
    const QList<QByteArray> lines = head.split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines[i];
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            continue;
        }
        QByteArray &value = fields[line.left(colon).trimmed().toLower()];
        if (!value.isEmpty()) {
            value += ", ";
        }
        value += line.mid(colon + 1).trimmed();
    }
    return fields;
}

bool isStreamUpgradeHead(const QByteArray &head)
{
    // The request line: GET, the target, the version. The path matches as the router matches
    // it: empty segments do not count (a trailing slash is accepted).
    const qsizetype lineEnd = head.indexOf('\n');
    const QList<QByteArray> parts = head.left(lineEnd).trimmed().split(' ');
    if (parts.size() != 3 || parts[0] != "GET") {
        return false;
    }
    const qsizetype query = parts[1].indexOf('?');
    const QByteArray path = query < 0 ? parts[1] : parts[1].first(query);
    QList<QByteArray> segments = path.split('/');
    segments.removeAll(QByteArray());
    if (!path.startsWith('/') || segments != QList<QByteArray>{"v1", "stream"}) {
        return false;
    }
    return httpHeaderFields(head).value("upgrade").trimmed().compare("websocket",
                                                                     Qt::CaseInsensitive) == 0;
}

void shutdownWrite(QTcpSocket *socket)
{
    qint64 pending = socket->bytesToWrite();
    if (auto *tls = qobject_cast<QSslSocket *>(socket)) {
        pending += tls->encryptedBytesToWrite();
    }
    if (pending == 0) {
        ::shutdown(static_cast<int>(socket->socketDescriptor()), SHUT_WR);
    }
}

RequestGuard::RequestGuard(QTcpSocket *socket, qint64 maxBody, HttpFrontend *frontend,
                           MediaService *media, int idleTimeoutMs)
    : QObject(socket)
    , m_socket(socket)
    , m_maxBody(maxBody)
    , m_frontend(frontend)
    , m_media(media)
    , m_idleTimeoutMs(idleTimeoutMs)
{}

RequestGuard::~RequestGuard() = default;

void RequestGuard::inspect()
{
    if (m_stream) {
        return; // The StreamSession reads the connection now.
    }
    if (m_upload) {
        m_upload->onReadyRead();
        return;
    }
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        return;
    }
    if (m_drained >= 0) {
        drain();
        return;
    }
    const qint64 available = m_socket->bytesAvailable();
    if (available > m_inspectedUnread) {
        const QByteArray fresh = m_socket->peek(available).mid(m_inspectedUnread);
        m_inspectedUnread = available;
        follow(fresh);
    }
}

void RequestGuard::follow(const QByteArray &bytes)
{
    const qint64 base = m_seen;
    m_seenEnd = base + bytes.size();
    m_seen = m_seenEnd;
    qsizetype pos = 0;
    while (pos < bytes.size() && m_drained < 0 && !m_upload && !m_stream) {
        if (m_bodyLeft > 0) {
            const qint64 take = std::min<qint64>(m_bodyLeft, bytes.size() - pos);
            m_bodyLeft -= take;
            pos += take;
            continue;
        }
        if (m_head.isEmpty()) {
            // QtHttpServer skips white space left over from the previous request; so do we.
            while (pos < bytes.size() && std::isspace(static_cast<unsigned char>(bytes[pos]))) {
                ++pos;
            }
            if (pos == bytes.size()) {
                return;
            }
            m_headStart = base + pos;
        }
        // The head ends with an empty line; QtHttpServer accepts bare LF line ends too.
        const qsizetype searchFrom = std::max<qsizetype>(0, m_head.size() - 2);
        m_head.append(bytes.constData() + pos, bytes.size() - pos);
        qsizetype end = m_head.indexOf("\n\r\n", searchFrom);
        qsizetype endLength = 3;
        const qsizetype bare = m_head.indexOf("\n\n", searchFrom);
        if (bare >= 0 && (end < 0 || bare < end)) {
            end = bare;
            endLength = 2;
        }
        if (end < 0) {
            if (m_head.size() > MaxHeaderBytes) {
                refuse(431, Protocol::ErrorCode::HeadersTooLarge,
                       QStringLiteral("The request headers are too large."));
            }
            return;
        }
        const qsizetype headLength = end + endLength;
        if (headLength > MaxHeaderBytes) {
            refuse(431, Protocol::ErrorCode::HeadersTooLarge,
                   QStringLiteral("The request headers are too large."));
            return;
        }
        // What followed the head in this piece is the body (or the next request).
        pos = bytes.size() - (m_head.size() - headLength);
        const QByteArray head = m_head.left(headLength);
        m_head.clear();
        if (!checkHead(head, bytes.size() - pos)) {
            return;
        }
    }
}

bool RequestGuard::checkHead(const QByteArray &head, qint64 bodyReceived)
{
    if (m_media && head.startsWith("PATCH ")) {
        takeOver(head, bodyReceived);
        return false;
    }
    if (isStreamUpgradeHead(head)) {
        takeOverStream(head);
        return false;
    }
    const QList<QByteArray> lines = head.split('\n');
    for (const QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            continue;
        }
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length" && m_bodyLeft == 0) {
            bool ok = false;
            const qint64 length = value.toLongLong(&ok);
            if (!ok || length < 0 || length > m_maxBody) {
                refuse(413, Protocol::ErrorCode::TooLarge,
                       QStringLiteral("The request body is larger than %1 bytes.").arg(m_maxBody),
                       ok ? std::max<qint64>(0, length - bodyReceived) : 0);
                return false;
            }
            m_bodyLeft = length;
        } else if (name == "transfer-encoding" && value.toLower().contains("chunked")) {
            refuse(400, Protocol::ErrorCode::InvalidRequest,
                   QStringLiteral("Chunked request bodies are not supported; send "
                                  "Content-Length."));
            return false;
        }
    }
    return true;
}

void RequestGuard::takeOver(const QByteArray &head, qint64 bodyReceived)
{
    Q_UNUSED(bodyReceived);
    if (!detachFromHttpServer(head, QStringLiteral("an upload"))) {
        return;
    }
    m_upload = new UploadReceiver(m_socket, this, *m_media, m_idleTimeoutMs);
    m_upload->start(head);
}

bool RequestGuard::detachFromHttpServer(const QByteArray &head, const QString &what)
{
    // QtHttpServer reads inside a transaction that it commits when a request is complete: roll
    // back what it read of this head, so that the socket is at the last request it finished.
    if (m_socket->isTransactionStarted()) {
        m_socket->rollbackTransaction();
    }
    const qint64 committed = m_seenEnd - m_socket->bytesAvailable();
    if (committed > m_headStart || m_frontend->busyWith(m_socket)) {
        // Requests before this one are still being read or answered (pipelining).
        refuse(
            400, Protocol::ErrorCode::InvalidRequest,
            QStringLiteral("Send %1 on a connection with no other request in progress.").arg(what),
            0);
        return false;
    }
    // From here on QtHttpServer never reads this connection again.
    QObject::disconnect(m_socket, &QTcpSocket::readyRead, m_frontend, nullptr);
    m_socket->read(m_headStart - committed); // White space between requests.
    m_socket->read(head.size());
    return true;
}

void RequestGuard::takeOverStream(const QByteArray &head)
{
    if (!detachFromHttpServer(head, QStringLiteral("a stream upgrade"))) {
        return;
    }
    HttpFrontend::StreamUpgrade upgrade;
    if (const auto refusal = m_frontend->checkStreamUpgrade(httpHeaderFields(head), &upgrade)) {
        refuse(refusal->status, refusal->code, refusal->message, 0, refusal->headers);
        return;
    }
    m_stream = true;
    // Whatever followed the request (frames sent before the answer) goes to the session.
    m_frontend->openStream(new SocketStreamTransport(m_socket), std::move(upgrade),
                           m_socket->readAll());
}

void RequestGuard::refuse(int status, const char *code, const QString &message, qint64 bodyToCome,
                          const Headers &headers)
{
    ApiResponse response =
        ApiResponse::error(Protocol::ApiError{status, QString::fromLatin1(code), message, {}});
    response.headers = headers;
    response.headers.append({QByteArrayLiteral("Connection"), QByteArrayLiteral("close")});
    HttpFrontend::writeResponse(m_socket, response, false);
    m_socket->flush();
    // Everything unread so far is this request's head and the start of its body: drop it.
    m_socket->readAll();
    m_socket->setReadBufferSize(0);
    m_drained = 0;
    m_upload = nullptr; // A refused upload is over; its receiver is deleted with the socket.
    // A body too large to wait for is cut short: the client then sees the close early.
    m_lingerBytes = bodyToCome <= MaxDrainBytes ? bodyToCome : 0;
    QTimer::singleShot(DrainTimeoutMs, m_socket, [socket = m_socket] { socket->abort(); });
    drain();
}

void RequestGuard::drain()
{
    m_drained += m_socket->readAll().size();
    if (m_drained > MaxDrainBytes) {
        m_socket->abort();
        return;
    }
    if (m_shutting || m_drained < m_lingerBytes) {
        return;
    }
    m_shutting = true;
    QTcpSocket *socket = m_socket;
    shutdownWrite(socket);
    connect(socket, &QTcpSocket::bytesWritten, this, [socket] { shutdownWrite(socket); });
    if (auto *tls = qobject_cast<QSslSocket *>(socket)) {
        connect(tls, &QSslSocket::encryptedBytesWritten, this, [socket] { shutdownWrite(socket); });
    }
}

// ------------------------------------------------------------------------------ uploads

struct UploadReceiver::Handle
{
    std::mutex mutex;
    UploadReceiver *receiver = nullptr;
};

UploadReceiver::UploadReceiver(QTcpSocket *socket, RequestGuard *guard, MediaService &media,
                               int idleTimeoutMs)
    : QObject(socket)
    , m_socket(socket)
    , m_guard(guard)
    , m_media(media)
    , m_idleTimeoutMs(idleTimeoutMs)
    , m_handle(std::make_shared<Handle>())
{
    m_handle->receiver = this;
}

UploadReceiver::~UploadReceiver()
{
    {
        std::lock_guard lock(m_handle->mutex);
        m_handle->receiver = nullptr;
    }
    if (!m_finishing) {
        release();
    }
}

void UploadReceiver::start(const QByteArray &head)
{
    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    const QUrl target = QUrl::fromEncoded(requestLine.value(1));
    const QStringList parts = target.path().split(QLatin1Char('/'), Qt::SkipEmptyParts);
    qint64 length = -1;
    qint64 offset = -1;
    bool expectContinue = false;
    bool chunked = false;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines[i];
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            continue;
        }
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        bool ok = false;
        if (name == "content-length") {
            length = value.toLongLong(&ok);
            if (!ok) {
                length = -2;
            }
        } else if (name == "upload-offset") {
            offset = value.toLongLong(&ok);
            if (!ok) {
                offset = -2;
            }
        } else if (name == "expect") {
            expectContinue = value.toLower() == "100-continue";
        } else if (name == "transfer-encoding") {
            chunked = value.toLower().contains("chunked");
        }
    }
    if (requestLine.size() != 3 || parts.size() != 4 || parts[0] != QLatin1String("v1") ||
        parts[1] != QLatin1String("media") || parts[3] != QLatin1String("upload")) {
        fail(404, Protocol::ErrorCode::NotFound,
             QStringLiteral("PATCH is for media uploads (/v1/media/{id}/upload) only."));
        return;
    }
    if (chunked || length < 0) {
        fail(400, Protocol::ErrorCode::InvalidRequest,
             QStringLiteral("An upload needs a Content-Length (chunked bodies are not "
                            "supported)."));
        return;
    }
    m_left = length; // From here on a refusal drains the announced body.
    const QString id = parts[2];
    std::optional<MediaRecord> media;
    if (MediaService::isValidId(id)) {
        media = m_media.store().media(id);
    }
    if (!media) {
        fail(404, Protocol::ErrorCode::UnknownMedia,
             QStringLiteral("There is no media %1.").arg(id.left(64)));
        return;
    }
    m_record = *media;
    qint64 max = 0;
    const UrlSigner::Check check = m_media.signer().check(
        UrlSigner::Op::Upload, id, QUrlQuery(target), QDateTime::currentSecsSinceEpoch(), &max);
    if (check == UrlSigner::Check::Expired) {
        fail(403, Protocol::ErrorCode::UrlExpired,
             QStringLiteral("This upload URL expired; ask for a new one."));
        return;
    }
    if (check != UrlSigner::Check::Valid || max != media->size) {
        fail(403, Protocol::ErrorCode::InvalidSignature,
             QStringLiteral("This upload URL is not valid (changed or not signed by this "
                            "server)."));
        return;
    }
    if (media->state == QLatin1String("complete")) {
        fail(403, Protocol::ErrorCode::UploadClosed,
             QStringLiteral("This upload is complete; its URL cannot be used again."),
             {{QByteArrayLiteral("Upload-Offset"), QByteArray::number(media->size)}});
        return;
    }
    if (offset < 0) {
        fail(400, Protocol::ErrorCode::InvalidRequest,
             QStringLiteral("An upload needs an Upload-Offset header (bytes already stored; "
                            "ask with HEAD)."));
        return;
    }
    QString error;
    m_upload = m_media.beginUpload(id, &error);
    if (!m_upload) {
        fail(409, Protocol::ErrorCode::UploadBusy,
             QStringLiteral("Another request is uploading this media; retry in a moment."),
             {{QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1")}});
        return;
    }
    if (offset != m_upload->offset) {
        fail(409, Protocol::ErrorCode::OffsetMismatch,
             QStringLiteral("The server has %1 bytes of this upload, not %2; continue from there.")
                 .arg(m_upload->offset)
                 .arg(offset),
             {{QByteArrayLiteral("Upload-Offset"), QByteArray::number(m_upload->offset)}});
        return;
    }
    if (offset + length > media->size) {
        fail(413, Protocol::ErrorCode::TooLarge,
             QStringLiteral("This upload was declared as %1 bytes; %2 more from offset %3 do not "
                            "fit.")
                 .arg(media->size)
                 .arg(length)
                 .arg(offset));
        return;
    }
    const qint64 free = m_media.blobs().freeBytes();
    if (free >= 0 && free - length < m_media.config().mediaMinFreeBytes) {
        fail(507, Protocol::ErrorCode::InsufficientStorage,
             QStringLiteral("The server does not have room for %1 more bytes.").arg(length),
             {{QByteArrayLiteral("Upload-Offset"), QByteArray::number(offset)}});
        return;
    }
    m_writer = m_media.blobs().openPartial(id, offset, &error);
    if (!m_writer) {
        qCWarning(lcServer).noquote() << "cannot open media upload" << id << ":" << error;
        fail(500, Protocol::ErrorCode::Internal,
             QStringLiteral("The server cannot store uploads."));
        return;
    }
    if (expectContinue) {
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    }
    // Bounded buffering: what the socket may hold beyond what we write out at once.
    m_socket->setReadBufferSize(UploadPiece);
    m_buffer.resize(UploadPiece);
    m_idle = new QTimer(this);
    m_idle->setSingleShot(true);
    connect(m_idle, &QTimer::timeout, this, [this] {
        qCInfo(lcServerHttp) << "media upload idle; closing";
        m_socket->abort();
    });
    m_idle->start(m_idleTimeoutMs);
    connect(m_socket, &QTcpSocket::disconnected, this, &UploadReceiver::onDisconnected);
    receive();
}

void UploadReceiver::onReadyRead()
{
    if (m_writer && !m_finishing) {
        receive();
    }
}

void UploadReceiver::receive()
{
    while (m_left > 0) {
        const qint64 n = m_socket->read(m_buffer.data(), std::min(m_left, UploadPiece));
        if (n <= 0) {
            break;
        }
        QString error;
        bool noSpace = false;
        if (!m_writer->write(m_buffer.constData(), n, &error, &noSpace)) {
            const qint64 stored = m_writer->offset();
            m_writer.reset();
            m_left -= n;
            if (noSpace) {
                fail(507, Protocol::ErrorCode::InsufficientStorage,
                     QStringLiteral("The server ran out of disk space; %1 bytes are stored.")
                         .arg(stored),
                     {{QByteArrayLiteral("Upload-Offset"), QByteArray::number(stored)}});
            } else {
                qCWarning(lcServer).noquote() << "media upload write failed:" << error;
                fail(500, Protocol::ErrorCode::Internal,
                     QStringLiteral("The server could not store the upload."),
                     {{QByteArrayLiteral("Upload-Offset"), QByteArray::number(stored)}});
            }
            return;
        }
        m_upload->hash.update(m_buffer.constData(), n);
        m_upload->offset += n;
        m_left -= n;
        m_sinceSpaceCheck += n;
        if (m_sinceSpaceCheck >= SpaceCheckInterval) {
            m_sinceSpaceCheck = 0;
            const qint64 free = m_media.blobs().freeBytes();
            if (free >= 0 && free < m_media.config().mediaMinFreeBytes) {
                const qint64 stored = m_writer->offset();
                m_writer.reset();
                fail(507, Protocol::ErrorCode::InsufficientStorage,
                     QStringLiteral("The server is running out of disk space; %1 bytes are "
                                    "stored.")
                         .arg(stored),
                     {{QByteArrayLiteral("Upload-Offset"), QByteArray::number(stored)}});
                return;
            }
        }
    }
    if (m_idle) {
        m_idle->start(m_idleTimeoutMs);
    }
    if (m_left == 0) {
        bodyDone();
    }
}

void UploadReceiver::bodyDone()
{
    if (m_idle) {
        m_idle->stop();
    }
    if (m_upload->offset < m_record.size) {
        const qint64 offset = m_upload->offset;
        release();
        answer(204, {{QByteArrayLiteral("Upload-Offset"), QByteArray::number(offset)}});
        return;
    }
    complete();
}

void UploadReceiver::complete()
{
    m_finishing = true;
    const QByteArray digest = m_upload->hash.finish();
    m_upload->offset = -1; // The hash state is spent: a retry after a failure hashes again.
    auto writer = std::move(m_writer);
    auto upload = m_upload;
    MediaService *media = &m_media;
    const QString id = m_record.id;
    auto handle = m_handle;
    auto reach = [handle](std::function<void(UploadReceiver *)> call) {
        std::lock_guard lock(handle->mutex);
        UploadReceiver *receiver = handle->receiver;
        if (!receiver) {
            return;
        }
        QMetaObject::invokeMethod(
            receiver, [receiver, call] { call(receiver); }, Qt::QueuedConnection);
    };
    // `code` is copied: the answer is written later, on the connection's thread.
    auto finished = [media, upload, reach](int status, const QByteArray &code,
                                           const QString &message, const Headers &headers) {
        if (status >= 300) {
            media->endUpload(upload);
        }
        reach([status, code, message, headers](UploadReceiver *receiver) {
            receiver->m_upload.reset();
            if (status >= 300) {
                receiver->fail(status, code.constData(), message, headers);
            } else {
                receiver->answer(status, headers);
            }
        });
    };
    // fsync can take seconds for a big file: not on this connection thread.
    media->filePool().start([media, writer, id, digest, finished] {
        QString error;
        if (!writer->sync(&error)) {
            qCWarning(lcServer).noquote() << "cannot sync media upload" << id << ":" << error;
            finished(507, Protocol::ErrorCode::InsufficientStorage,
                     QStringLiteral("The server could not store the upload."), {});
            return;
        }
        media->store().completeMedia(
            id, digest, QDateTime::currentMSecsSinceEpoch(),
            [media, id, digest] {
                QString publishError;
                if (!media->blobs().publish(id, digest, &publishError)) {
                    qCWarning(lcServer).noquote()
                        << "cannot publish media" << id << ":" << publishError;
                    return false;
                }
                return true;
            },
            [media, id, finished](Protocol::Result<MediaRecord> done) {
                if (!done) {
                    // 404 unknown_media when the media was deleted meanwhile, 507 when the blob
                    // could not be put in place, 503 when the database failed.
                    finished(done.error().status, done.error().code.toLatin1(),
                             done.error().message, {});
                    return;
                }
                media->forgetUpload(id);
                finished(204, QByteArray(), QString(),
                         {{QByteArrayLiteral("Upload-Offset"), QByteArray::number(done->size)},
                          {QByteArrayLiteral("Tincan-Sha256"), done->sha256.toHex()}});
            });
    });
}

void UploadReceiver::answer(int status, const Headers &headers)
{
    ApiResponse response;
    response.status = status;
    response.noBody = true;
    response.headers = headers;
    response.headers.append({QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store")});
    if (m_socket->state() == QAbstractSocket::ConnectedState) {
        HttpFrontend::writeResponse(m_socket, response, true);
    }
}

void UploadReceiver::fail(int status, const char *code, const QString &message,
                          const Headers &headers)
{
    release();
    m_finishing = true; // Nothing more is received.
    if (m_idle) {
        m_idle->stop();
    }
    if (m_socket->state() == QAbstractSocket::ConnectedState) {
        m_guard->refuse(status, code, message, std::max<qint64>(0, m_left), headers);
    }
}

void UploadReceiver::release()
{
    m_writer.reset();
    if (m_upload) {
        m_media.endUpload(m_upload);
        m_upload.reset();
    }
}

void UploadReceiver::onDisconnected()
{
    if (m_finishing) {
        return;
    }
    // Keep what already arrived: the client continues from there.
    if (m_writer) {
        receive();
    }
    if (!m_finishing) {
        release();
        m_finishing = true;
    }
}

} // namespace Tincan::Server
