// Media: sending files (encrypt on the fly, resumable tus-style upload, then the message with
// the attachment) and fetching them (ranged, resumable download into the encrypted cache,
// digest check, decryption to the destination).

#include "app/core/ClientCore.h"
#include "app/core/DownloadReceiver.h"
#include "app/core/EncryptingFileDevice.h"
#include "app/core/Logging.h"
#include "app/core/Thumbnail.h"
#include "app/core/UploadSender.h"
#include "shared/crypto/MediaCipher.h"
#include "shared/protocol/Validation.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QPointer>
#include <QThread>
#include <QThreadPool>
#include <QTimer>
#include <QUuid>

#include <openssl/rand.h>

namespace Tincan::Client {

using Protocol::Attachment;
using Protocol::MessageContent;

namespace {

constexpr int MaxAttempts = 4;
constexpr qint64 ProgressIntervalMs = 100;
constexpr qint64 DownloadBuffer = 1024 * 1024;

QString b64(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toBase64());
}

QByteArray unb64(const QJsonValue &value)
{
    return QByteArray::fromBase64(value.toString().toLatin1());
}

//! When the file last changed: its status change time, which every write moves and which (unlike
//! the modification time) cannot be set back. A resumed upload encrypts again from the same key
//! and nonces, so it must never read different bytes than the first time.
qint64 mtimeOf(const QFileInfo &info)
{
    return std::max(info.lastModified().toMSecsSinceEpoch(),
                    info.metadataChangeTime().toMSecsSinceEpoch());
}

QString statusError(QNetworkReply *reply, const QString &pinError)
{
    if (!pinError.isEmpty()) {
        return pinError;
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 0) {
        return reply->errorString();
    }
    const Protocol::ApiError error = Protocol::ApiError::fromJson(status, reply->readAll());
    return error.message.isEmpty() ? QStringLiteral("The server answered HTTP %1.").arg(status)
                                   : error.message;
}

//! The attachment a transfer's draft describes. Before the upload completes it has no media id
//! or digest yet: zeros stand in for both (the message is Uploading, and never leaves this
//! device like that).
Attachment attachmentFromDraft(const QJsonObject &draft)
{
    Attachment attachment;
    attachment.mediaId = draft.value(QStringLiteral("mediaId")).toString();
    if (attachment.mediaId.isEmpty()) {
        attachment.mediaId = QString(32, QLatin1Char('0'));
    }
    attachment.key = unb64(draft.value(QStringLiteral("key")));
    attachment.digest = unb64(draft.value(QStringLiteral("digest")));
    if (attachment.digest.isEmpty()) {
        attachment.digest = QByteArray(Attachment::DigestBytes, '\0');
    }
    attachment.size = draft.value(QStringLiteral("size")).toInteger();
    attachment.cipherSize = draft.value(QStringLiteral("cipherSize")).toInteger();
    attachment.name = draft.value(QStringLiteral("name")).toString();
    attachment.mime = draft.value(QStringLiteral("mime")).toString();
    attachment.width = draft.value(QStringLiteral("width")).toInt();
    attachment.height = draft.value(QStringLiteral("height")).toInt();
    attachment.thumbnail = unb64(draft.value(QStringLiteral("thumbnail")));
    attachment.durationMs = draft.value(QStringLiteral("durationMs")).toInteger();
    return attachment;
}

MessageContent mediaContentFromDraft(const QJsonObject &draft)
{
    MessageContent content;
    content.kind = MessageContent::Kind::Media;
    content.text = draft.value(QStringLiteral("caption")).toString();
    content.attachments = {attachmentFromDraft(draft)};
    return content;
}

} // namespace

struct ClientCore::Transfer
{
    QString id;
    bool upload = true;
    bool paused = false;
    bool running = false;
    bool cancelled = false;
    //! The digest pass runs on the thread pool; its result continues the upload.
    bool digesting = false;
    //! Stops the request running on its own thread (UploadSender, DownloadReceiver).
    std::shared_ptr<std::atomic_bool> stop;
    //! A cancelled download's thread deletes its partial blob.
    std::shared_ptr<std::atomic_bool> discard;
    int attempts = 0;
    QPointer<QNetworkReply> reply;
    std::shared_ptr<QString> pinError = std::make_shared<QString>();
    qint64 done = 0;
    qint64 total = 0;
    QElapsedTimer clock;
    qint64 lastProgressMs = -ProgressIntervalMs;
    qint64 rateBytes = 0;
    qint64 rateMs = 0;
    qint64 rate = 0;
    // Upload.
    MediaTransfer record;
    QJsonObject draft;
    // Download.
    Attachment attachment;
    QString destination;
    QString partPath;
    QString blobPath;
    bool verified = false; //!< The cached blob's digest was checked as it arrived.

    void progress(ClientCore *core, qint64 now, bool force)
    {
        if (!clock.isValid()) {
            clock.start();
        }
        const qint64 elapsed = clock.elapsed();
        if (!force && elapsed - lastProgressMs < ProgressIntervalMs) {
            return;
        }
        if (elapsed - rateMs >= 500) {
            rate = (now - rateBytes) * 1000 / std::max<qint64>(1, elapsed - rateMs);
            rateBytes = now;
            rateMs = elapsed;
        }
        lastProgressMs = elapsed;
        done = now;
        Q_EMIT core->transferProgress(id, now, total, std::max<qint64>(0, rate));
    }
};

void ClientCore::Alive::post(std::function<void(ClientCore *)> call)
{
    std::lock_guard lock(mutex);
    if (core) {
        ClientCore *target = core;
        QMetaObject::invokeMethod(
            target, [target, call = std::move(call)] { call(target); }, Qt::QueuedConnection);
    }
}

QString ClientCore::mediaCacheDirectory() const
{
    return m_profile.directory() + QStringLiteral("/media");
}

QList<Attachment> ClientCore::attachmentsOf(const StoredMessage &message)
{
    if (message.media.isEmpty()) {
        return {};
    }
    auto content = MessageContent::decode(message.media);
    if (!content || content->kind != MessageContent::Kind::Media) {
        return {};
    }
    return content->attachments;
}

bool ClientCore::checkRecipient(const QString &to, QString *error)
{
    if (!m_profile.isSignedIn()) {
        *error = QStringLiteral("Sign in first.");
        return false;
    }
    const QString groupId = Protocol::groupIdOf(to);
    if (groupId.isEmpty() && !Protocol::isValidUsername(to)) {
        *error = QStringLiteral("'%1' is neither a username nor a group (group:<id>).").arg(to);
        return false;
    }
    if (!groupId.isEmpty()) {
        const auto group = m_store.group(groupId);
        if (group && !group->member) {
            *error = QStringLiteral("You are no longer a member of this group.");
            return false;
        }
        if (!group) {
            GroupInfo placeholder;
            placeholder.id = groupId;
            if (!m_store.saveGroup(placeholder)) {
                *error = QStringLiteral("Cannot save the group: %1").arg(m_store.lastError());
                return false;
            }
        }
    } else if (m_store.trust(to).confirmationRequired) {
        *error = QStringLiteral("Your safety number with %1 has changed since you verified it. "
                                "Compare it again, or accept the change, before sending.")
                     .arg(to);
        return false;
    }
    return true;
}

QString ClientCore::sendFile(const QString &to, const QString &path, const QString &caption,
                             QString *error)
{
    if (!checkRecipient(to, error)) {
        return {};
    }
    if (caption.size() > MessageContent::MaxTextLength) {
        *error = QStringLiteral("The caption is too long.");
        return {};
    }
    const QFileInfo info(path);
    if (!info.isFile() || !info.isReadable()) {
        *error = QStringLiteral("Cannot read %1: not a readable file.").arg(path);
        return {};
    }
    const qint64 size = info.size();
    const qint64 cipherSize = Crypto::MediaCipher::cipherSize(size);
    QString name = info.fileName().left(Attachment::MaxNameLength);
    if (!Protocol::isValidAttachmentName(name)) {
        name = QStringLiteral("file");
    }
    QJsonObject draft{{QStringLiteral("name"), name},
                      {QStringLiteral("mime"), mimeTypeOf(path)},
                      {QStringLiteral("size"), size},
                      {QStringLiteral("cipherSize"), cipherSize},
                      {QStringLiteral("key"), b64(Crypto::MediaCipher::generateKey())},
                      {QStringLiteral("caption"), caption}};
    QString thumbnailError;
    if (const auto image = makeThumbnail(path, &thumbnailError)) {
        draft.insert(QStringLiteral("width"), image->width);
        draft.insert(QStringLiteral("height"), image->height);
        draft.insert(QStringLiteral("thumbnail"), b64(image->jpegThumbnail));
        if (image->durationMs > 0) {
            draft.insert(QStringLiteral("durationMs"), image->durationMs);
        }
        if (!image->mime.isEmpty()) {
            draft.insert(QStringLiteral("mime"), image->mime);
        }
    } else if (!thumbnailError.isEmpty()) {
        qCInfo(lcNet) << "no preview for the file:" << thumbnailError;
    }
    QByteArray salt(Crypto::MediaCipher::SaltBytes, Qt::Uninitialized);
    RAND_bytes(reinterpret_cast<unsigned char *>(salt.data()), static_cast<int>(salt.size()));
    MediaTransfer record;
    record.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    record.recipient = to;
    record.path = info.absoluteFilePath();
    record.content = QJsonDocument(draft).toJson(QJsonDocument::Compact);
    record.salt = salt;
    // The digest is taken while the file uploads (UploadSender): no pass over it first.
    record.state = QStringLiteral("reserve");
    record.fileSize = size;
    record.fileMtime = mtimeOf(info);
    record.createdAt = QDateTime::currentMSecsSinceEpoch();
    // The message is in the chat at once, with the preview, while the file uploads.
    StoredMessage message = outgoingMediaMessage(record.id, to, mediaContentFromDraft(draft));
    if (!m_store.startUpload(record, &message)) {
        *error = QStringLiteral("Cannot save the transfer: %1").arg(m_store.lastError());
        return {};
    }
    Q_EMIT messageAdded(message);
    runUpload(record.id);
    return record.id;
}

void ClientCore::runUpload(const QString &id)
{
    if (m_transfers.contains(id)) {
        return;
    }
    const auto record = m_store.transfer(id);
    if (!record) {
        return;
    }
    auto transfer = std::make_shared<Transfer>();
    transfer->id = id;
    transfer->record = *record;
    transfer->paused = record->paused;
    transfer->draft = QJsonDocument::fromJson(record->content).object();
    transfer->total = transfer->draft.value(QStringLiteral("cipherSize")).toInteger();
    m_transfers.insert(id, transfer);
    m_transferQueue.append(id);
    scheduleTransfers();
}

QStringList ClientCore::activeTransfers() const
{
    return m_transfers.keys();
}

void ClientCore::scheduleTransfers()
{
    int running = 0;
    for (const auto &transfer : std::as_const(m_transfers)) {
        running += transfer->running ? 1 : 0;
    }
    for (qsizetype i = 0; i < m_transferQueue.size() && running < m_maxTransfers;) {
        const auto transfer = m_transfers.value(m_transferQueue[i]);
        if (!transfer) {
            m_transferQueue.removeAt(i);
            continue;
        }
        if (transfer->paused) {
            ++i;
            continue;
        }
        m_transferQueue.removeAt(i);
        transfer->running = true;
        ++running;
        if (transfer->upload) {
            uploadStep(transfer);
        } else {
            runDownload(transfer);
        }
    }
}

bool ClientCore::pauseTransfer(const QString &id)
{
    const auto transfer = m_transfers.value(id);
    if (!transfer) {
        return false;
    }
    transfer->paused = true;
    if (transfer->upload) {
        transfer->record.paused = true;
        m_store.saveTransfer(transfer->record);
    }
    if (transfer->running) {
        transfer->running = false;
        if (transfer->reply) {
            transfer->reply->abort();
        }
        if (transfer->stop) {
            *transfer->stop = true;
        }
    }
    if (!m_transferQueue.contains(id)) {
        m_transferQueue.append(id);
    }
    scheduleTransfers();
    return true;
}

bool ClientCore::resumeTransfer(const QString &id)
{
    auto transfer = m_transfers.value(id);
    if (!transfer) {
        if (m_store.transfer(id)) {
            runUpload(id);
            return resumeTransfer(id);
        }
        return false;
    }
    transfer->paused = false;
    transfer->attempts = 0;
    if (transfer->upload) {
        transfer->record.paused = false;
        m_store.saveTransfer(transfer->record);
    }
    if (!transfer->running && !m_transferQueue.contains(id)) {
        m_transferQueue.append(id);
    }
    scheduleTransfers();
    return true;
}

bool ClientCore::cancelTransfer(const QString &id)
{
    const auto transfer = m_transfers.value(id);
    const auto record = m_store.transfer(id);
    if (!transfer && !record) {
        return false;
    }
    if (transfer) {
        transfer->cancelled = true;
        if (transfer->reply) {
            transfer->reply->abort();
        }
        if (transfer->stop) {
            *transfer->stop = true;
        }
        if (!transfer->upload) {
            if (transfer->discard) {
                *transfer->discard = true; // its thread deletes the partial blob
            } else {
                QFile::remove(transfer->partPath);
            }
        }
    }
    if (record) {
        const QString mediaId = QJsonDocument::fromJson(record->content)
                                    .object()
                                    .value(QStringLiteral("mediaId"))
                                    .toString();
        if (!mediaId.isEmpty()) {
            // The server drops the partial upload (best effort: it is purged anyway).
            m_api.call("DELETE", QStringLiteral("/v1/media/") + mediaId, nullptr,
                       [](const ApiResult &) {});
        }
        m_store.removeTransfer(id);
        // A cancelled upload takes its message with it.
        if (const auto message = m_store.messageByClientId(id);
            message && message->status == StoredMessage::Status::Uploading &&
            m_store.discardUnsent(id)) {
            Q_EMIT messageRemoved(message->conversation, id);
        }
    }
    if (transfer) {
        endTransfer(transfer, false, QStringLiteral("Cancelled."));
    } else {
        Q_EMIT transferFinished(id, false, QStringLiteral("Cancelled."));
    }
    return true;
}

bool ClientCore::discardUnsent(const QString &clientMessageId, QString *error)
{
    const auto message = m_store.messageByClientId(clientMessageId);
    if (!message || !message->outgoing ||
        (message->status != StoredMessage::Status::Uploading &&
         message->status != StoredMessage::Status::Failed)) {
        *error = QStringLiteral("Only a message that was not sent can be deleted here.");
        return false;
    }
    if (m_transfers.contains(clientMessageId) || m_store.transfer(clientMessageId)) {
        cancelTransfer(clientMessageId);
        return true;
    }
    if (!m_store.discardUnsent(clientMessageId)) {
        *error = m_store.lastError();
        return false;
    }
    Q_EMIT messageRemoved(message->conversation, clientMessageId);
    return true;
}

void ClientCore::transferFailed(const std::shared_ptr<Transfer> &transfer, const QString &error,
                                bool retry)
{
    transfer->reply = nullptr;
    if (transfer->cancelled || transfer->paused) {
        transfer->running = false;
        scheduleTransfers();
        return;
    }
    if (retry && ++transfer->attempts < MaxAttempts) {
        qCInfo(lcNet) << "transfer interrupted, retrying:" << error;
        transfer->running = false;
        const int delay = std::min(250 << transfer->attempts, 8000);
        QPointer<ClientCore> self(this);
        QTimer::singleShot(delay, this, [self, transfer] {
            if (!self || transfer->cancelled || transfer->running || transfer->paused ||
                !self->m_transfers.contains(transfer->id)) {
                return;
            }
            if (!self->m_transferQueue.contains(transfer->id)) {
                self->m_transferQueue.append(transfer->id);
            }
            self->scheduleTransfers();
        });
        return;
    }
    if (transfer->upload && retry) {
        // Still kept: it resumes when the connection is back (or at the next start).
        transfer->running = false;
        transfer->attempts = 0;
        m_transfers.remove(transfer->id);
        Q_EMIT transferFinished(transfer->id, false, error);
        scheduleTransfers();
        return;
    }
    if (transfer->upload) {
        m_store.removeTransfer(transfer->id);
        // The message stays, marked failed with the reason (the user may delete it).
        if (const auto message = m_store.messageByClientId(transfer->id);
            message && message->status == StoredMessage::Status::Uploading) {
            if (m_store.markFailed(transfer->id, error)) {
                Q_EMIT messageStatusChanged(transfer->id, StoredMessage::Status::Failed, error);
            }
        }
    }
    endTransfer(transfer, false, error);
}

void ClientCore::endTransfer(const std::shared_ptr<Transfer> &transfer, bool ok,
                             const QString &error)
{
    transfer->running = false;
    transfer->reply = nullptr;
    m_transfers.remove(transfer->id);
    m_transferQueue.removeAll(transfer->id);
    Q_EMIT transferFinished(transfer->id, ok, error);
    scheduleTransfers();
}

void ClientCore::resumeTransfersAfterReconnect()
{
    for (const MediaTransfer &record : m_store.transfers()) {
        if (!record.paused) {
            runUpload(record.id);
        }
    }
    for (const auto &transfer : std::as_const(m_transfers)) {
        if (!transfer->running && !transfer->paused && !m_transferQueue.contains(transfer->id)) {
            transfer->attempts = 0;
            m_transferQueue.append(transfer->id);
        }
    }
    scheduleTransfers();
}

// ------------------------------------------------------------------------------- uploads

void ClientCore::uploadStep(const std::shared_ptr<Transfer> &transfer)
{
    if (transfer->cancelled || transfer->paused) {
        transfer->running = false;
        return;
    }
    MediaTransfer &record = transfer->record;
    const QFileInfo info(record.path);
    if (record.state != QLatin1String("send") &&
        (!info.isFile() || info.size() != record.fileSize || mtimeOf(info) != record.fileMtime)) {
        transferFailed(transfer,
                       QStringLiteral("%1 changed or disappeared since it was chosen; send it "
                                      "again.")
                           .arg(record.path),
                       false);
        return;
    }
    const QByteArray key = unb64(transfer->draft.value(QStringLiteral("key")));
    QPointer<ClientCore> self(this);
    if (record.state == QLatin1String("digest")) {
        // A transfer from before digests were taken during the upload.
        record.state = QStringLiteral("reserve");
    }
    if (record.state == QLatin1String("reserve")) {
        const QJsonObject body{{QStringLiteral("size"), transfer->total}};
        m_api.call("POST", QStringLiteral("/v1/media"), &body,
                   [self, transfer](const ApiResult &result) {
                       if (!self || transfer->cancelled) {
                           return;
                       }
                       if (!result.ok()) {
                           self->transferFailed(transfer, result.error.message, result.transient());
                           return;
                       }
                       transfer->draft.insert(QStringLiteral("mediaId"),
                                              result.body.value(QStringLiteral("id")).toString());
                       transfer->record.content =
                           QJsonDocument(transfer->draft).toJson(QJsonDocument::Compact);
                       transfer->record.uploadUrl =
                           result.body.value(QStringLiteral("uploadUrl")).toString();
                       transfer->record.state = QStringLiteral("upload");
                       self->m_store.saveTransfer(transfer->record);
                       self->uploadStep(transfer);
                   });
        return;
    }
    if (record.state == QLatin1String("send")) {
        finishUpload(transfer);
        return;
    }
    // "upload": ask the server how much it has, then send the rest.
    transfer->pinError->clear();
    QNetworkReply *reply =
        m_api.transfer("HEAD", record.uploadUrl, {}, nullptr, transfer->pinError);
    transfer->reply = reply;
    connect(reply, &QNetworkReply::finished, this, [self, transfer, reply] {
        reply->deleteLater();
        if (!self || transfer->cancelled) {
            return;
        }
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QString mediaId = transfer->draft.value(QStringLiteral("mediaId")).toString();
        if (status == 200) {
            const qint64 offset = reply->rawHeader(QByteArrayLiteral("Upload-Offset")).toLongLong();
            const QByteArray sha = reply->rawHeader(QByteArrayLiteral("Tincan-Sha256"));
            if (!sha.isEmpty()) {
                self->uploadCompleted(transfer, QByteArray::fromHex(sha));
                return;
            }
            self->patchUpload(transfer, offset);
            return;
        }
        if (status == 403) {
            // The upload URL expired: a fresh one (the server keeps what it has).
            self->m_api.call(
                "POST", QStringLiteral("/v1/media/%1/upload-url").arg(mediaId), nullptr,
                [self, transfer](const ApiResult &result) {
                    if (!self || transfer->cancelled) {
                        return;
                    }
                    if (result.status == 409 &&
                        result.error.code == QLatin1String(Protocol::ErrorCode::UploadClosed)) {
                        // Complete already (the last PATCH outlived its URL).
                        self->confirmUpload(transfer);
                        return;
                    }
                    if (!result.ok()) {
                        self->transferFailed(transfer, result.error.message, result.transient());
                        return;
                    }
                    transfer->record.uploadUrl =
                        result.body.value(QStringLiteral("uploadUrl")).toString();
                    self->m_store.saveTransfer(transfer->record);
                    self->uploadStep(transfer);
                });
            return;
        }
        if (status == 404) {
            // The server no longer has it (purged while this device was away): start over, with
            // a new key and salt (the same ones would encrypt again under the same nonces).
            QByteArray salt(Crypto::MediaCipher::SaltBytes, Qt::Uninitialized);
            RAND_bytes(reinterpret_cast<unsigned char *>(salt.data()),
                       static_cast<int>(salt.size()));
            transfer->draft.insert(QStringLiteral("key"), b64(Crypto::MediaCipher::generateKey()));
            transfer->draft.remove(QStringLiteral("digest"));
            transfer->draft.remove(QStringLiteral("mediaId"));
            transfer->record.content =
                QJsonDocument(transfer->draft).toJson(QJsonDocument::Compact);
            transfer->record.salt = salt;
            transfer->record.state = QStringLiteral("reserve");
            self->m_store.saveTransfer(transfer->record);
            self->uploadStep(transfer);
            return;
        }
        self->transferFailed(transfer, statusError(reply, *transfer->pinError),
                             status == 0 || status >= 500 || status == 429);
    });
}

void ClientCore::patchUpload(const std::shared_ptr<Transfer> &transfer, qint64 offset)
{
    if (transfer->cancelled || transfer->paused) {
        transfer->running = false;
        return;
    }
    const MediaTransfer &record = transfer->record;
    UploadSender::Request request;
    request.url = m_api.baseUrl().resolved(QUrl(record.uploadUrl));
    request.pin = m_pin.digest();
    request.path = record.path;
    request.key = unb64(transfer->draft.value(QStringLiteral("key")));
    request.salt = record.salt;
    request.plainSize = record.fileSize;
    request.offset = offset;
    transfer->stop = std::make_shared<std::atomic_bool>(false);
    transfer->progress(this, offset, true);
    // The body is encrypted, hashed and sent on a thread of its own; progress and the answer
    // come back to this thread.
    const std::weak_ptr<Transfer> weak = transfer;
    startTransferThread(
        QStringLiteral("tincan-upload"), [request, stop = transfer->stop, alive = m_alive, weak] {
            const UploadSender::Result result =
                UploadSender::run(request, *stop, progressReporter(alive, weak));
            alive->post([weak, result, stop](ClientCore *self) {
                // Not the answer of a request paused and already started anew.
                if (const auto transfer = weak.lock(); transfer && transfer->stop == stop) {
                    self->patchFinished(transfer, result);
                }
            });
        });
}

std::function<void(qint64)> ClientCore::progressReporter(const std::shared_ptr<Alive> &alive,
                                                         const std::weak_ptr<Transfer> &weak)
{
    return [alive, weak](qint64 done) {
        alive->post([weak, done](ClientCore *self) {
            const auto transfer = weak.lock();
            if (transfer && transfer->running && !transfer->cancelled) {
                transfer->progress(self, done, false);
            }
        });
    };
}

void ClientCore::startTransferThread(const QString &name, std::function<void()> work)
{
    QThread *thread = QThread::create(std::move(work));
    thread->setObjectName(name);
    m_transferThreads.insert(thread);
    connect(thread, &QThread::finished, this, [this, thread] {
        m_transferThreads.remove(thread);
        thread->deleteLater();
    });
    thread->start();
}

void ClientCore::stopTransferThreads()
{
    for (const auto &transfer : std::as_const(m_transfers)) {
        if (transfer->stop) {
            *transfer->stop = true;
        }
    }
    // Each stops within about a second (libcurl's progress callback sees the flag).
    for (QThread *thread : std::as_const(m_transferThreads)) {
        thread->wait();
        delete thread;
    }
    m_transferThreads.clear();
}

void ClientCore::patchFinished(const std::shared_ptr<Transfer> &transfer,
                               const UploadSender::Result &result)
{
    transfer->stop.reset();
    if (transfer->cancelled) {
        return;
    }
    if (result.status == 204) {
        transfer->attempts = 0;
        if (!result.digest.isEmpty()) {
            // The digest of what was sent: the message carries it.
            transfer->draft.insert(QStringLiteral("digest"), b64(result.digest));
            transfer->record.content =
                QJsonDocument(transfer->draft).toJson(QJsonDocument::Compact);
            m_store.saveTransfer(transfer->record);
        }
        if (!result.serverDigest.isEmpty()) {
            uploadCompleted(transfer, result.serverDigest);
            return;
        }
        uploadStep(transfer); // HEAD confirms the offset.
        return;
    }
    if (result.status == 0) {
        if (result.pinMismatch) {
            Q_EMIT m_pin.rejected(result.error);
        }
        transferFailed(transfer, result.error, !result.fileChanged);
        return;
    }
    const Protocol::ApiError error = Protocol::ApiError::fromJson(result.status, result.body);
    if (result.status == 409 || result.status == 403) {
        // Offset mismatch, another request still uploading, or an expired URL: ask again.
        transferFailed(transfer, error.message, true);
        return;
    }
    transferFailed(transfer,
                   error.message.isEmpty()
                       ? QStringLiteral("The server answered HTTP %1.").arg(result.status)
                       : error.message,
                   result.status >= 500 && result.status != 507);
}

void ClientCore::uploadCompleted(const std::shared_ptr<Transfer> &transfer,
                                 const QByteArray &serverDigest)
{
    if (!transfer->draft.contains(QStringLiteral("digest"))) {
        // Complete on the server, but the answer that carried our digest was lost: take it
        // from the file (one pass, off this thread), then compare.
        if (transfer->digesting) {
            return;
        }
        transfer->digesting = true;
        const QString path = transfer->record.path;
        const QByteArray key = unb64(transfer->draft.value(QStringLiteral("key")));
        const QByteArray salt = transfer->record.salt;
        QThreadPool::globalInstance()->start(
            [alive = m_alive, transfer, path, key, salt, serverDigest] {
                QString error;
                const auto digest = EncryptingFileDevice::digestOf(path, key, salt, &error);
                alive->post([transfer, digest, error, serverDigest](ClientCore *self) {
                    transfer->digesting = false;
                    if (transfer->cancelled || self->m_transfers.value(transfer->id) != transfer) {
                        return;
                    }
                    if (!digest) {
                        self->transferFailed(transfer, error, false);
                        return;
                    }
                    transfer->draft.insert(QStringLiteral("digest"), b64(*digest));
                    transfer->record.content =
                        QJsonDocument(transfer->draft).toJson(QJsonDocument::Compact);
                    self->m_store.saveTransfer(transfer->record);
                    self->uploadCompleted(transfer, serverDigest);
                });
            });
        return;
    }
    if (serverDigest != unb64(transfer->draft.value(QStringLiteral("digest")))) {
        transferFailed(transfer,
                       QStringLiteral("The server stored different bytes than were sent."), false);
        return;
    }
    transfer->record.state = QStringLiteral("send");
    m_store.saveTransfer(transfer->record);
    finishUpload(transfer);
}

void ClientCore::confirmUpload(const std::shared_ptr<Transfer> &transfer)
{
    const QString mediaId = transfer->draft.value(QStringLiteral("mediaId")).toString();
    QPointer<ClientCore> self(this);
    m_api.call("POST", QStringLiteral("/v1/media/%1/download-url").arg(mediaId), nullptr,
               [self, transfer](const ApiResult &result) {
                   if (!self || transfer->cancelled) {
                       return;
                   }
                   if (!result.ok()) {
                       self->transferFailed(transfer, result.error.message, result.transient());
                       return;
                   }
                   self->uploadCompleted(
                       transfer,
                       QByteArray::fromHex(
                           result.body.value(QStringLiteral("sha256")).toString().toLatin1()));
               });
}

StoredMessage ClientCore::outgoingMediaMessage(const QString &clientMessageId, const QString &to,
                                               const MessageContent &content) const
{
    const QString groupId = Protocol::groupIdOf(to);
    StoredMessage message;
    message.clientMessageId = clientMessageId;
    message.conversation =
        groupId.isEmpty() ? Protocol::directConversationId(m_profile.username(), to) : to;
    message.sender = m_profile.username();
    message.senderDevice = m_profile.deviceId();
    message.text = content.text;
    message.media = content.encode();
    message.localTimestamp = QDateTime::currentMSecsSinceEpoch();
    message.outgoing = true;
    return message;
}

void ClientCore::finishUpload(const std::shared_ptr<Transfer> &transfer)
{
    transfer->progress(this, transfer->total, true);
    const auto existing = m_store.messageByClientId(transfer->id);
    const QString to = transfer->record.recipient;
    const MessageContent content = mediaContentFromDraft(transfer->draft);
    bool queued = true;
    if (!existing) {
        // A transfer from before messages were shown while uploading.
        queued = m_store.queueOutgoing(outgoingMediaMessage(transfer->id, to, content), to);
    } else if (existing->status == StoredMessage::Status::Uploading) {
        queued = m_store.queueUploaded(transfer->id, content.encode(), to);
    }
    // Otherwise it was queued already (the transfer's removal was lost in a crash).
    if (!queued) {
        transferFailed(transfer,
                       QStringLiteral("Cannot save the message: %1").arg(m_store.lastError()),
                       false);
        return;
    }
    m_store.removeTransfer(transfer->id);
    if (existing && existing->status == StoredMessage::Status::Uploading) {
        Q_EMIT messageStatusChanged(transfer->id, StoredMessage::Status::Pending, {});
    }
    endTransfer(transfer, true, {});
    processOutbox();
}

// ----------------------------------------------------------------------------- downloads

QString ClientCore::fetchMedia(const QString &clientMessageId, int index,
                               const QString &destination, QString *error)
{
    const auto message = m_store.messageByClientId(clientMessageId);
    if (!message) {
        *error = QStringLiteral("There is no message %1.").arg(clientMessageId);
        return {};
    }
    if (message->status == StoredMessage::Status::Uploading) {
        *error = QStringLiteral("The file is still uploading.");
        return {};
    }
    const QList<Attachment> attachments = attachmentsOf(*message);
    if (attachments.isEmpty()) {
        *error = QStringLiteral("Message %1 has no attachment.").arg(clientMessageId);
        return {};
    }
    if (index < 0 || index >= attachments.size()) {
        *error = QStringLiteral("Message %1 has %2 attachment(s); there is no number %3.")
                     .arg(clientMessageId)
                     .arg(attachments.size())
                     .arg(index + 1);
        return {};
    }
    if (destination.isEmpty() || QFileInfo(destination).isDir()) {
        *error = QStringLiteral("Give a file name to save to.");
        return {};
    }
    const Attachment &attachment = attachments[index];
    const QString id = attachment.mediaId;
    if (m_transfers.contains(id)) {
        return id;
    }
    if (!QDir().mkpath(mediaCacheDirectory())) {
        *error = QStringLiteral("Cannot create %1.").arg(mediaCacheDirectory());
        return {};
    }
    auto transfer = std::make_shared<Transfer>();
    transfer->id = id;
    transfer->upload = false;
    transfer->attachment = attachment;
    transfer->destination = QFileInfo(destination).absoluteFilePath();
    transfer->blobPath = mediaCacheDirectory() + QLatin1Char('/') + id;
    transfer->partPath = transfer->blobPath + QStringLiteral(".part");
    transfer->total = attachment.cipherSize;
    m_transfers.insert(id, transfer);
    m_transferQueue.append(id);
    scheduleTransfers();
    return id;
}

void ClientCore::runDownload(const std::shared_ptr<Transfer> &transfer)
{
    if (QFileInfo(transfer->blobPath).size() == transfer->attachment.cipherSize &&
        QFile::exists(transfer->blobPath)) {
        finishDownload(transfer); // Cached: checked again and decrypted.
        return;
    }
    QPointer<ClientCore> self(this);
    m_api.call("POST", QStringLiteral("/v1/media/%1/download-url").arg(transfer->id), nullptr,
               [self, transfer](const ApiResult &result) {
                   if (!self || transfer->cancelled || transfer->paused) {
                       if (self) {
                           transfer->running = false;
                       }
                       return;
                   }
                   if (!result.ok()) {
                       self->transferFailed(transfer, result.error.message, result.transient());
                       return;
                   }
                   self->getDownload(transfer, result.body.value(QStringLiteral("url")).toString());
               });
}

void ClientCore::getDownload(const std::shared_ptr<Transfer> &transfer, const QString &url)
{
    DownloadReceiver::Request request;
    request.url = m_api.baseUrl().resolved(QUrl(url));
    request.pin = m_pin.digest();
    request.partPath = transfer->partPath;
    request.blobPath = transfer->blobPath;
    request.digest = transfer->attachment.digest;
    request.cipherSize = transfer->attachment.cipherSize;
    transfer->stop = std::make_shared<std::atomic_bool>(false);
    transfer->discard = std::make_shared<std::atomic_bool>(false);
    // Received into the cache and hashed on a thread of its own; progress and the outcome come
    // back to this thread, which then has it decrypted (finishDownload).
    const std::weak_ptr<Transfer> weak = transfer;
    startTransferThread(
        QStringLiteral("tincan-download"),
        [request, stop = transfer->stop, discard = transfer->discard, alive = m_alive, weak] {
            const DownloadReceiver::Result result =
                DownloadReceiver::run(request, *stop, progressReporter(alive, weak));
            if (discard->load()) {
                // Cancelled: nothing of it is kept.
                QFile::remove(request.partPath);
            }
            alive->post([weak, result, stop](ClientCore *self) {
                // Not the outcome of a request paused and already started anew.
                if (const auto transfer = weak.lock(); transfer && transfer->stop == stop) {
                    self->downloadFinished(transfer, result);
                }
            });
        });
}

void ClientCore::downloadFinished(const std::shared_ptr<Transfer> &transfer,
                                  const DownloadReceiver::Result &result)
{
    transfer->stop.reset();
    transfer->discard.reset();
    if (transfer->cancelled) {
        return;
    }
    if (result.cached) {
        transfer->verified = true; // hashed as it arrived
        finishDownload(transfer);
        return;
    }
    if (result.pinMismatch) {
        Q_EMIT m_pin.rejected(result.error);
    }
    if (result.status == 0 || result.status == 200 || result.status == 206) {
        transferFailed(transfer, result.error, result.retry);
        return;
    }
    const Protocol::ApiError error = Protocol::ApiError::fromJson(result.status, result.body);
    const QString message = error.message.isEmpty()
                                ? QStringLiteral("The server answered HTTP %1.").arg(result.status)
                                : error.message;
    transferFailed(transfer, message,
                   result.status == 416 || result.status == 403 || result.status == 429 ||
                       result.status >= 500);
}

void ClientCore::finishDownload(const std::shared_ptr<Transfer> &transfer)
{
    transfer->progress(this, transfer->total, true);
    // Decrypting a big file takes a while: off this thread. The destination appears only once
    // every chunk authenticated.
    const Attachment attachment = transfer->attachment;
    const QString blobPath = transfer->blobPath;
    const QString destination = transfer->destination;
    // A blob taken from the cache is hashed again; one just downloaded was hashed on the way.
    const bool verified = transfer->verified;

    QThreadPool::globalInstance()->start([alive = m_alive, transfer, attachment, blobPath,
                                          destination, verified] {
        QString error;
        const QString temporary = destination + QStringLiteral(".tincan-part");
        bool ok = false;
        {
            QFile in(blobPath);
            QFile out(temporary);
            Crypto::MediaDigest digest;
            if (!in.open(QIODevice::ReadOnly)) {
                error = QStringLiteral("Cannot read the cached download: %1").arg(in.errorString());
            } else if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
                error = QStringLiteral("Cannot write %1: %2").arg(temporary, out.errorString());
            } else {
                Crypto::MediaDecryptor decryptor(attachment.key);
                QByteArray plain;
                qint64 written = 0;
                ok = true;
                while (ok) {
                    const QByteArray bytes = in.read(DownloadBuffer);
                    if (bytes.isEmpty()) {
                        break;
                    }
                    if (!verified) {
                        digest.addData(bytes);
                    }
                    plain.clear();
                    ok =
                        decryptor.update(bytes, &plain, &error) && out.write(plain) == plain.size();
                    written += plain.size();
                }
                plain.clear();
                ok = ok && decryptor.finish(&plain, &error) && out.write(plain) == plain.size();
                written += plain.size();
                if (ok && !verified && digest.result() != attachment.digest) {
                    ok = false;
                    error = QStringLiteral("The cached file does not match its digest.");
                }
                if (ok && written != attachment.size) {
                    ok = false;
                    error = QStringLiteral("The file has %1 bytes, not the %2 announced.")
                                .arg(written)
                                .arg(attachment.size);
                }
                ok = ok && out.flush();
            }
        }
        if (ok) {
            QFile::remove(destination);
            ok = QFile::rename(temporary, destination);
            if (!ok) {
                error = QStringLiteral("Cannot write %1.").arg(destination);
            }
        }
        if (!ok) {
            QFile::remove(temporary);
            QFile::remove(blobPath); // A damaged cache entry is fetched again next time.
        }
        alive->post([transfer, ok, error](ClientCore *self) {
            self->endTransfer(transfer, ok,
                              ok ? QString()
                                 : QStringLiteral("The file cannot be decrypted: %1").arg(error));
        });
    });
}

} // namespace Tincan::Client
