// ClientCore's devices: linking a new device (both sides), the sealed history transfer, and the
// device list. See docs/protocol.md ("Device linking") for the wire format.

#include "app/core/ClientCore.h"

#include "app/core/Logging.h"
#include "shared/crypto/DeviceCrypto.h"
#include "shared/crypto/SealedBox.h"
#include "shared/protocol/DeviceLink.h"
#include "shared/protocol/MessageContent.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QUuid>

namespace Tincan::Client {

namespace {

//! Approved links whose history is still to be sent: {"since": ms, "identityKey": base64}.
const QString ApprovedLinkPrefix = QStringLiteral("link/approved/");
//! The secrets of the links we opened (in the link URI, never sent to the server): they check a
//! claimed device's key proof. {"expiresAt": ms, "secret": base64}; dropped a day after expiry.
const QString LinkCodePrefix = QStringLiteral("link/secret/");
//! On a new device: the device that opened link <id>, the only one whose history we take.
const QString LinkCreatorPrefix = QStringLiteral("link/creator/");
const QString PendingHistoryPrefix = QStringLiteral("history/pending/");
constexpr int HistoryVersion = 1;
constexpr int HistoryRetryMs = 2000;

QString newSecret()
{
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()),
                                          bytes.size() / 4);
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

ApiResult failure(const QString &code, const QString &message)
{
    ApiResult result;
    result.error.code = code;
    result.error.message = message;
    return result;
}

QJsonObject messageJson(const StoredMessage &m)
{
    QJsonObject object{{QStringLiteral("c"), m.conversation},
                       {QStringLiteral("s"), m.sender},
                       {QStringLiteral("d"), m.senderDevice},
                       {QStringLiteral("id"), m.clientMessageId},
                       {QStringLiteral("sid"), m.serverId},
                       {QStringLiteral("seq"), m.seq},
                       {QStringLiteral("t"), m.text},
                       {QStringLiteral("ts"), m.serverTimestamp},
                       {QStringLiteral("lts"), m.localTimestamp},
                       {QStringLiteral("o"), m.outgoing},
                       {QStringLiteral("st"), StoredMessage::statusName(m.status)}};
    if (!m.media.isEmpty()) {
        // The attachments (file keys included): the new device can fetch the files too.
        object.insert(QStringLiteral("m"), QString::fromLatin1(m.media.toBase64()));
    }
    return object;
}

std::optional<StoredMessage> messageFromJson(const QJsonObject &o)
{
    StoredMessage m;
    m.conversation = o.value(QStringLiteral("c")).toString();
    m.sender = o.value(QStringLiteral("s")).toString();
    m.senderDevice = o.value(QStringLiteral("d")).toInteger();
    m.clientMessageId = o.value(QStringLiteral("id")).toString();
    m.serverId = o.value(QStringLiteral("sid")).toInteger();
    m.seq = o.value(QStringLiteral("seq")).toInteger();
    m.text = o.value(QStringLiteral("t")).toString();
    m.serverTimestamp = o.value(QStringLiteral("ts")).toInteger();
    m.localTimestamp = o.value(QStringLiteral("lts")).toInteger();
    m.outgoing = o.value(QStringLiteral("o")).toBool();
    const QByteArray media =
        QByteArray::fromBase64(o.value(QStringLiteral("m")).toString().toLatin1());
    const auto content = Protocol::MessageContent::decode(media);
    if (content && content->kind == Protocol::MessageContent::Kind::Media) {
        m.media = media;
    }
    const QString status = o.value(QStringLiteral("st")).toString();
    using Status = StoredMessage::Status;
    bool known = false;
    for (const Status allowed : {Status::Received, Status::Sent, Status::Delivered, Status::Read}) {
        if (status == StoredMessage::statusName(allowed)) {
            m.status = allowed;
            known = true;
        }
    }
    if (m.conversation.isEmpty() || m.sender.isEmpty() || m.clientMessageId.isEmpty() || !known) {
        return std::nullopt;
    }
    return m;
}

QJsonObject groupJson(const GroupInfo &group)
{
    QJsonArray members;
    for (const GroupMemberInfo &member : group.members) {
        QJsonArray devices;
        for (const qint64 device : member.devices) {
            devices.append(device);
        }
        members.append(QJsonObject{{QStringLiteral("user"), member.user},
                                   {QStringLiteral("admin"), member.admin},
                                   {QStringLiteral("devices"), devices}});
    }
    return {{QStringLiteral("id"), group.id},
            {QStringLiteral("name"), group.name},
            {QStringLiteral("member"), group.member},
            {QStringLiteral("members"), members}};
}

GroupInfo groupFromHistory(const QJsonObject &object)
{
    GroupInfo group;
    group.id = object.value(QStringLiteral("id")).toString();
    group.name = object.value(QStringLiteral("name")).toString();
    group.member = object.value(QStringLiteral("member")).toBool();
    group.epoch = 0; // Stale: fetched again before we send to it.
    for (const QJsonValue &value : object.value(QStringLiteral("members")).toArray()) {
        const QJsonObject m = value.toObject();
        GroupMemberInfo member;
        member.user = m.value(QStringLiteral("user")).toString();
        member.admin = m.value(QStringLiteral("admin")).toBool();
        group.members.append(member);
    }
    return group;
}

} // namespace

QString ClientCore::pendingHistoryKey(qint64 linkId)
{
    return PendingHistoryPrefix + QString::number(linkId);
}

QString ClientCore::linkVerificationCode(const Protocol::LinkEvent &link)
{
    return link.identityKey.isEmpty() ? QString()
                                      : Protocol::DeviceLink::verificationCode(link.identityKey);
}

// ---------------------------------------------------------------- the existing device

void ClientCore::startLink(LinkOfferCallback done)
{
    m_api.call(
        "POST", QStringLiteral("/v1/links"), nullptr,
        [this, done = std::move(done)](const ApiResult &result) {
            LinkOffer offer;
            if (result.ok()) {
                offer.id = result.body.value(QStringLiteral("id")).toInteger();
                offer.code = result.body.value(QStringLiteral("code")).toString();
                offer.expiresAt = result.body.value(QStringLiteral("expiresAt")).toInteger();
                const QByteArray secret =
                    Crypto::SealedBox::generateKey().left(Protocol::DeviceLink::LinkSecretBytes);
                offer.uri = Protocol::DeviceLink::uri(offer.code, m_profile.serverUrl(),
                                                      m_profile.serverFingerprint(), secret);
                // Secrets of links that expired long ago and need nothing more go first.
                const qint64 now = QDateTime::currentMSecsSinceEpoch();
                for (const QString &key : m_store.settingKeys(LinkCodePrefix)) {
                    const QString id = key.mid(LinkCodePrefix.size());
                    const qint64 expiresAt = QJsonDocument::fromJson(m_store.setting(key))
                                                 .object()
                                                 .value(QStringLiteral("expiresAt"))
                                                 .toInteger();
                    if (expiresAt < now - 24LL * 3600 * 1000 &&
                        m_store.setting(ApprovedLinkPrefix + id).isEmpty()) {
                        m_store.removeSetting(key);
                    }
                }
                const QJsonObject kept{
                    {QStringLiteral("expiresAt"), offer.expiresAt},
                    {QStringLiteral("secret"), QString::fromLatin1(secret.toBase64())}};
                if (secret.size() != Protocol::DeviceLink::LinkSecretBytes ||
                    !m_store.setSetting(LinkCodePrefix + QString::number(offer.id),
                                        QJsonDocument(kept).toJson(QJsonDocument::Compact))) {
                    done(failure(QStringLiteral("storage"), m_store.lastError()), {});
                    return;
                }
            }
            done(result, offer);
        });
}

ClientCore::LinkProof ClientCore::linkProof(const Protocol::LinkEvent &link)
{
    const QByteArray secret = QByteArray::fromBase64(
        QJsonDocument::fromJson(m_store.setting(LinkCodePrefix + QString::number(link.id)))
            .object()
            .value(QStringLiteral("secret"))
            .toString()
            .toLatin1());
    if (secret.size() != Protocol::DeviceLink::LinkSecretBytes) {
        return LinkProof::NotOurs;
    }
    if (link.keyProof.isEmpty()) {
        return LinkProof::Typed;
    }
    return Protocol::DeviceLink::keyProof(secret, link.identityKey) == link.keyProof
               ? LinkProof::Verified
               : LinkProof::Invalid;
}

void ClientCore::approveLink(const Protocol::LinkEvent &shown, qint64 historySinceMs,
                             ApiCallback done)
{
    // What the server relays is checked before anything is approved: the key must be the one
    // the user was shown (and compared), and it must come with the proof that its device read
    // our link URI, unless the code was typed by hand.
    const qint64 linkId = shown.id;
    m_api.call(
        "GET", QStringLiteral("/v1/links/%1").arg(linkId), nullptr,
        [this, shown, linkId, historySinceMs, done = std::move(done)](const ApiResult &result) {
            if (!result.ok()) {
                done(result);
                return;
            }
            auto link = Protocol::LinkEvent::fromJson(result.body);
            if (!link || link->state != QLatin1String("claimed")) {
                ApiResult refused = failure(QString::fromLatin1(Protocol::ErrorCode::LinkState),
                                            QStringLiteral("There is no new device waiting on "
                                                           "this link."));
                refused.status = 409;
                done(refused);
                return;
            }
            const LinkProof proof = linkProof(*link);
            if (proof == LinkProof::NotOurs) {
                ApiResult refused =
                    failure(QString::fromLatin1(Protocol::ErrorCode::Forbidden),
                            QStringLiteral("Only the device that showed the link code can "
                                           "approve it."));
                refused.status = 403;
                done(refused);
                return;
            }
            if (proof == LinkProof::Invalid || link->identityKey != shown.identityKey ||
                shown.identityKey.isEmpty()) {
                // Another key than the one shown, or one without the proof of our URI's secret:
                // not the device the user is linking. Never approved.
                rejectLink(linkId, [](const ApiResult &) {});
                done(failure(QStringLiteral("key_mismatch"),
                             QStringLiteral("The device that claimed the code is not the one "
                                            "you were shown (its key is different, or it could "
                                            "not prove it scanned your code). The link was "
                                            "rejected; start again.")));
                return;
            }
            const QJsonObject approved{
                {QStringLiteral("since"), historySinceMs},
                {QStringLiteral("identityKey"), QString::fromLatin1(link->identityKey.toBase64())}};
            // Remembered first: the link may turn "linked" before our answer arrives.
            if (!m_store.setSetting(ApprovedLinkPrefix + QString::number(linkId),
                                    QJsonDocument(approved).toJson(QJsonDocument::Compact))) {
                done(failure(QStringLiteral("storage"), m_store.lastError()));
                return;
            }
            QJsonObject body{{QStringLiteral("history"), historySinceMs >= 0}};
            m_api.call("POST", QStringLiteral("/v1/links/%1/approve").arg(linkId), &body,
                       [this, linkId, done](const ApiResult &answer) {
                           if (!answer.ok() && !answer.transient()) {
                               m_store.removeSetting(ApprovedLinkPrefix + QString::number(linkId));
                           }
                           done(answer);
                       });
        });
}

void ClientCore::rejectLink(qint64 linkId, ApiCallback done)
{
    m_store.removeSetting(ApprovedLinkPrefix + QString::number(linkId));
    m_store.removeSetting(LinkCodePrefix + QString::number(linkId));
    m_api.call("POST", QStringLiteral("/v1/links/%1/reject").arg(linkId), nullptr, std::move(done));
}

void ClientCore::onLinkEvent(const Protocol::LinkEvent &link)
{
    qCInfo(lcCore) << "device link" << link.id << "is" << link.state;
    if (link.state == QLatin1String("linked")) {
        // A new device of ours: our messages must now be encrypted for it too.
        m_deviceCache.remove(m_profile.username());
        if (link.createdBy == m_profile.deviceId()) {
            resumeLinks();
        }
    } else if (link.state == QLatin1String("rejected") || link.state == QLatin1String("expired")) {
        m_store.removeSetting(ApprovedLinkPrefix + QString::number(link.id));
        m_store.removeSetting(LinkCodePrefix + QString::number(link.id));
    }
    Q_EMIT linkChanged(link);
}

void ClientCore::resumeLinks()
{
    for (const QString &key : m_store.settingKeys(ApprovedLinkPrefix)) {
        const qint64 linkId = key.mid(ApprovedLinkPrefix.size()).toLongLong();
        if (linkId <= 0 || m_sendingHistory.contains(linkId)) {
            continue;
        }
        m_sendingHistory.insert(linkId);
        m_api.call(
            "GET", QStringLiteral("/v1/links/%1").arg(linkId), nullptr,
            [this, key, linkId](const ApiResult &result) {
                const QString state = result.body.value(QStringLiteral("state")).toString();
                if (result.ok() && state == QLatin1String("linked")) {
                    const QJsonObject approved =
                        QJsonDocument::fromJson(m_store.setting(key)).object();
                    sendHistory(
                        linkId, result.body.value(QStringLiteral("deviceId")).toInteger(),
                        approved.value(QStringLiteral("since")).toInteger(),
                        QByteArray::fromBase64(
                            approved.value(QStringLiteral("identityKey")).toString().toLatin1()));
                    return;
                }
                m_sendingHistory.remove(linkId);
                const bool waiting =
                    state == QLatin1String("claimed") || state == QLatin1String("approved");
                if (!result.transient() && !waiting) {
                    // Rejected, expired, purged: there is nobody to send history to.
                    m_store.removeSetting(key);
                }
            });
    }
}

QByteArray ClientCore::exportHistory(qint64 sinceMs, int *messageCount)
{
    QJsonArray messages;
    for (const StoredMessage &message : m_store.messagesSince(sinceMs)) {
        messages.append(messageJson(message));
    }
    *messageCount = static_cast<int>(messages.size());
    QJsonArray groups;
    for (const QString &id : m_store.groupIds()) {
        if (const auto group = m_store.group(id)) {
            groups.append(groupJson(*group));
        }
    }
    QJsonArray receipts;
    for (const ReceiptPosition &position : m_store.receiptPositions()) {
        receipts.append(QJsonObject{{QStringLiteral("c"), position.conversation},
                                    {QStringLiteral("u"), position.user},
                                    {QStringLiteral("d"), position.delivered},
                                    {QStringLiteral("r"), position.read}});
    }
    // Other senders' keys (never our own private chain): the new device reads group messages
    // whose sender has not sent it their key yet.
    QJsonArray senderKeys;
    for (const auto &key : m_crypto->receivedSenderKeys(m_profile.username(),
                                                        static_cast<int>(m_profile.deviceId()))) {
        senderKeys.append(
            QJsonObject{{QStringLiteral("g"), key.groupId},
                        {QStringLiteral("u"), key.name},
                        {QStringLiteral("d"), key.device},
                        {QStringLiteral("k"), QString::fromLatin1(key.record.toBase64())}});
    }
    const QJsonObject bundle{
        {QStringLiteral("v"), HistoryVersion},     {QStringLiteral("user"), m_profile.username()},
        {QStringLiteral("since"), sinceMs},        {QStringLiteral("messages"), messages},
        {QStringLiteral("groups"), groups},        {QStringLiteral("receipts"), receipts},
        {QStringLiteral("senderKeys"), senderKeys}};
    return QJsonDocument(bundle).toJson(QJsonDocument::Compact);
}

void ClientCore::finishLink(qint64 linkId)
{
    m_sendingHistory.remove(linkId);
    m_store.removeSetting(ApprovedLinkPrefix + QString::number(linkId));
    m_store.removeSetting(LinkCodePrefix + QString::number(linkId));
}

void ClientCore::sendHistory(qint64 linkId, qint64 deviceId, qint64 sinceMs,
                             const QByteArray &identityKey)
{
    if (sinceMs < 0) {
        finishLink(linkId);
        Q_EMIT historySent(linkId, 0);
        return;
    }
    // The history goes only to the key the user approved: the session with the new device is
    // started from its bundle here, and only if the bundle carries that identity key.
    const QString self = m_profile.username();
    const QString path = QStringLiteral("/v1/users/%1/keys?devices=%2").arg(self).arg(deviceId);
    m_api.call("GET", path, nullptr, [=, this](const ApiResult &result) {
        if (!result.ok()) {
            m_sendingHistory.remove(linkId);
            if (result.transient()) {
                QTimer::singleShot(HistoryRetryMs, this, &ClientCore::resumeLinks);
            } else {
                finishLink(linkId);
                Q_EMIT historyFailed(result.error.message);
            }
            return;
        }
        const QJsonArray devices = result.body.value(QStringLiteral("devices")).toArray();
        const auto bundle = devices.size() == 1 ? parseBundle(devices.first().toObject())
                                                : std::optional<Crypto::PreKeyBundle>();
        if (!bundle || bundle->deviceId != deviceId || identityKey.isEmpty() ||
            bundle->identityKey != identityKey) {
            finishLink(linkId);
            Q_EMIT historyFailed(QStringLiteral("The new device's keys on the server are not "
                                                "the ones you approved; no history was sent."));
            return;
        }
        const auto built = m_crypto->processBundle(self, *bundle);
        if (!built.ok()) {
            finishLink(linkId);
            Q_EMIT historyFailed(built.error.message);
            return;
        }
        sealAndUpload(linkId, deviceId, sinceMs);
    });
}

void ClientCore::sealAndUpload(qint64 linkId, qint64 deviceId, qint64 sinceMs)
{
    int count = 0;
    QByteArray bundle = exportHistory(sinceMs, &count);
    const QByteArray compressed = qCompress(bundle, 6);
    bundle.fill('\0');
    const QByteArray sealKey = Crypto::SealedBox::generateKey();
    const auto sealed = Crypto::SealedBox::seal(sealKey, compressed);
    if (sealKey.isEmpty() || !sealed) {
        finishLink(linkId);
        Q_EMIT historyFailed(QStringLiteral("Cannot encrypt the history."));
        return;
    }
    Protocol::MessageContent descriptor;
    descriptor.kind = Protocol::MessageContent::Kind::History;
    descriptor.key = sealKey;
    descriptor.link = linkId;
    descriptor.size = sealed->size();
    descriptor.digest = QCryptographicHash::hash(*sealed, QCryptographicHash::Sha256);
    QList<QByteArray> parts;
    for (qsizetype at = 0; at < sealed->size(); at += Protocol::DeviceLink::HistoryPartBytes) {
        parts.append(sealed->mid(at, Protocol::DeviceLink::HistoryPartBytes));
    }
    qCInfo(lcCore) << "sending" << count << "messages of history to device" << deviceId << "in"
                   << parts.size() << "parts";
    uploadHistoryPart(linkId, deviceId, parts, 0, descriptor.encode(), count);
}

void ClientCore::uploadHistoryPart(qint64 linkId, qint64 deviceId, QList<QByteArray> parts,
                                   int index, const QByteArray &descriptor, int messageCount)
{
    if (index == parts.size()) {
        // Everything is on the server: the key goes to the new device, end to end.
        OutboxEntry entry;
        entry.clientMessageId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        entry.recipient = m_profile.username();
        entry.text = QString::fromUtf8(descriptor);
        entry.createdAt = QDateTime::currentMSecsSinceEpoch();
        entry.kind = QStringLiteral("history");
        entry.ref = QString::number(linkId);
        entry.targetDevice = deviceId;
        if (!m_store.queueControl(entry)) {
            m_sendingHistory.remove(linkId);
            Q_EMIT historyFailed(
                QStringLiteral("Cannot queue the history key: %1").arg(m_store.lastError()));
            return;
        }
        finishLink(linkId);
        Q_EMIT historySent(linkId, messageCount);
        processOutbox();
        return;
    }
    QJsonObject body{{QStringLiteral("part"), index},
                     {QStringLiteral("parts"), static_cast<qint64>(parts.size())},
                     {QStringLiteral("data"), QString::fromLatin1(parts.at(index).toBase64())}};
    m_api.call("PUT", QStringLiteral("/v1/links/%1/history").arg(linkId), &body,
               [=, this](const ApiResult &result) {
                   if (result.ok()) {
                       uploadHistoryPart(linkId, deviceId, parts, index + 1, descriptor,
                                         messageCount);
                       return;
                   }
                   if (result.transient()) {
                       // Started again from part 0 (the server drops the earlier parts then).
                       m_sendingHistory.remove(linkId);
                       QTimer::singleShot(HistoryRetryMs, this, &ClientCore::resumeLinks);
                       return;
                   }
                   // E.g. 413: more history than the server keeps. Not retried.
                   finishLink(linkId);
                   Q_EMIT historyFailed(result.error.message);
               });
}

// ---------------------------------------------------------------- the new device

void ClientCore::linkDevice(const QString &codeOrUri, const QString &deviceName,
                            std::function<void(const QString &, const QString &)> claimed,
                            ApiCallback done)
{
    const auto invitation = Protocol::DeviceLink::parse(codeOrUri);
    if (!invitation) {
        done(failure(QStringLiteral("invalid_code"),
                     QStringLiteral("That is not a link code (10 letters and digits, like "
                                    "7KQ2M-X9D4R) or a tincan://link address.")));
        return;
    }
    if (m_profile.isSignedIn()) {
        done(failure(QStringLiteral("signed_in"),
                     QStringLiteral("This profile already belongs to %1; link a new device with "
                                    "a new profile.")
                         .arg(m_profile.username())));
        return;
    }
    QString error;
    if (!invitation->server.isEmpty() && !setServerUrl(invitation->server, &error)) {
        done(failure(QStringLiteral("server"), error));
        return;
    }
    if (!invitation->fingerprint.isEmpty() &&
        !pinServerCertificate(invitation->fingerprint, &error)) {
        done(failure(QStringLiteral("server"), error));
        return;
    }
    const QJsonObject keys = signInKeys(&error);
    if (keys.isEmpty()) {
        done(failure(QStringLiteral("keys"), error));
        return;
    }
    const QString secret = newSecret();
    QJsonObject body{{QStringLiteral("code"), invitation->code},
                     {QStringLiteral("deviceName"), deviceName},
                     {QStringLiteral("platform"), ApiClient::platformName()},
                     {QStringLiteral("secret"), secret},
                     {QStringLiteral("keys"), keys}};
    if (!invitation->secret.isEmpty()) {
        body.insert(QStringLiteral("keyProof"),
                    QString::fromLatin1(Protocol::DeviceLink::keyProof(
                                            invitation->secret, m_crypto->identityPublicKey())
                                            .toBase64()));
    }
    m_linkDone = std::move(done);
    m_api.call(
        "POST", QStringLiteral("/v1/links/claim"), &body,
        [this, secret, claimed = std::move(claimed)](const ApiResult &result) {
            if (!m_linkDone) {
                return; // Cancelled.
            }
            if (!result.ok()) {
                ApiCallback finish = std::exchange(m_linkDone, {});
                finish(result);
                return;
            }
            const qint64 linkId = result.body.value(QStringLiteral("id")).toInteger();
            m_store.setSetting(
                LinkCreatorPrefix + QString::number(linkId),
                QByteArray::number(result.body.value(QStringLiteral("createdBy")).toInteger()));
            if (claimed) {
                claimed(Protocol::DeviceLink::verificationCode(m_crypto->identityPublicKey()),
                        result.body.value(QStringLiteral("username")).toString());
            }
            pollLink(linkId, secret);
        });
}

void ClientCore::pollLink(qint64 linkId, const QString &secret)
{
    QJsonObject body{{QStringLiteral("secret"), secret}};
    m_api.call("POST", QStringLiteral("/v1/links/%1/complete").arg(linkId), &body,
               [this, linkId, secret](const ApiResult &result) {
                   if (!m_linkDone) {
                       return; // Cancelled.
                   }
                   if (result.status == 202 || result.transient()) {
                       // Not approved yet (or the server is unreachable for a moment).
                       QTimer::singleShot(m_linkPollMs, this, [this, linkId, secret] {
                           if (m_linkDone) {
                               pollLink(linkId, secret);
                           }
                       });
                       return;
                   }
                   ApiCallback finish = std::exchange(m_linkDone, {});
                   if (!result.ok()) {
                       finish(result);
                       return;
                   }
                   signedIn(result, finish);
               });
}

void ClientCore::cancelLinkDevice()
{
    if (ApiCallback finish = std::exchange(m_linkDone, {})) {
        finish(failure(QStringLiteral("cancelled"), QStringLiteral("Linking was cancelled.")));
    }
}

void ClientCore::receivePendingHistory()
{
    if (m_receivingHistory) {
        return;
    }
    const QStringList pending = m_store.settingKeys(PendingHistoryPrefix);
    if (pending.isEmpty()) {
        return;
    }
    auto transfer = Protocol::MessageContent::decode(m_store.setting(pending.first()));
    if (!transfer || transfer->kind != Protocol::MessageContent::Kind::History) {
        m_store.removeSetting(pending.first());
        QMetaObject::invokeMethod(this, &ClientCore::receivePendingHistory, Qt::QueuedConnection);
        return;
    }
    m_receivingHistory = true;
    fetchHistoryPart(*transfer, {}, 0);
}

void ClientCore::fetchHistoryPart(const Protocol::MessageContent &transfer, QByteArray collected,
                                  qint64 part)
{
    const QString path =
        QStringLiteral("/v1/links/%1/history?part=%2").arg(transfer.link).arg(part);
    m_api.call("GET", path, nullptr, [=, this](const ApiResult &result) mutable {
        auto giveUp = [&](const QString &reason) {
            m_receivingHistory = false;
            m_store.removeSetting(pendingHistoryKey(transfer.link));
            qCWarning(lcCore).noquote() << "history transfer failed:" << reason;
            Q_EMIT historyFailed(reason);
            QMetaObject::invokeMethod(this, &ClientCore::receivePendingHistory,
                                      Qt::QueuedConnection);
        };
        if (!result.ok()) {
            if (result.transient()) {
                m_receivingHistory = false;
                QTimer::singleShot(HistoryRetryMs, this, &ClientCore::receivePendingHistory);
            } else {
                giveUp(result.error.message);
            }
            return;
        }
        collected +=
            QByteArray::fromBase64(result.body.value(QStringLiteral("data")).toString().toLatin1());
        const qint64 parts = result.body.value(QStringLiteral("parts")).toInteger();
        if (collected.size() > transfer.size) {
            giveUp(QStringLiteral("The history transfer is larger than announced."));
            return;
        }
        if (part + 1 < parts) {
            fetchHistoryPart(transfer, collected, part + 1);
            return;
        }
        if (collected.size() != transfer.size ||
            QCryptographicHash::hash(collected, QCryptographicHash::Sha256) != transfer.digest) {
            giveUp(QStringLiteral("The history transfer does not match its digest."));
            return;
        }
        const auto opened = Crypto::SealedBox::open(transfer.key, collected);
        if (!opened) {
            giveUp(QStringLiteral("The history transfer cannot be decrypted."));
            return;
        }
        QByteArray bundle = qUncompress(*opened);
        int imported = 0;
        QString error;
        const bool ok = importHistory(bundle, &imported, &error);
        bundle.fill('\0');
        if (!ok) {
            giveUp(error);
            return;
        }
        m_receivingHistory = false;
        m_store.removeSetting(pendingHistoryKey(transfer.link));
        m_api.call("DELETE", QStringLiteral("/v1/links/%1/history").arg(transfer.link), nullptr,
                   [](const ApiResult &) {});
        qCInfo(lcCore) << "imported" << imported << "messages of history";
        Q_EMIT historyReceived(imported);
        QMetaObject::invokeMethod(this, &ClientCore::receivePendingHistory, Qt::QueuedConnection);
    });
}

bool ClientCore::importHistory(const QByteArray &bundleBytes, int *imported, QString *error)
{
    QJsonParseError parseError;
    const QJsonObject bundle = QJsonDocument::fromJson(bundleBytes, &parseError).object();
    if (parseError.error != QJsonParseError::NoError ||
        bundle.value(QStringLiteral("v")).toInt() != HistoryVersion ||
        bundle.value(QStringLiteral("user")).toString() != m_profile.username()) {
        *error = QStringLiteral("The history transfer is not readable by this version.");
        return false;
    }
    QSqlDatabase &db = m_store.database();
    if (!db.transaction()) {
        *error = QStringLiteral("Cannot write the history: %1").arg(m_store.lastError());
        return false;
    }
    bool ok = true;
    for (const QJsonValue &value : bundle.value(QStringLiteral("messages")).toArray()) {
        const auto message = messageFromJson(value.toObject());
        if (!message) {
            continue;
        }
        bool inserted = false;
        ok = ok && m_store.insertIncoming(*message, &inserted);
        *imported += inserted ? 1 : 0;
    }
    for (const QJsonValue &value : bundle.value(QStringLiteral("groups")).toArray()) {
        const GroupInfo group = groupFromHistory(value.toObject());
        if (ok && !group.id.isEmpty() && !m_store.group(group.id)) {
            ok = m_store.saveGroup(group);
        }
    }
    for (const QJsonValue &value : bundle.value(QStringLiteral("receipts")).toArray()) {
        const QJsonObject r = value.toObject();
        bool changed = false;
        ok = ok && m_store.applyReceipt(r.value(QStringLiteral("c")).toString(),
                                        r.value(QStringLiteral("u")).toString(),
                                        r.value(QStringLiteral("d")).toInteger(),
                                        r.value(QStringLiteral("r")).toInteger(), &changed);
    }
    for (const QJsonValue &value : bundle.value(QStringLiteral("senderKeys")).toArray()) {
        const QJsonObject k = value.toObject();
        Crypto::SignalStore::SenderKeyRecord key{
            k.value(QStringLiteral("g")).toString(), k.value(QStringLiteral("u")).toString(),
            k.value(QStringLiteral("d")).toInt(),
            QByteArray::fromBase64(k.value(QStringLiteral("k")).toString().toLatin1())};
        bool added = false;
        ok = ok && (key.record.isEmpty() || m_crypto->importSenderKey(key, &added));
    }
    if (!ok || !db.commit()) {
        *error = QStringLiteral("Cannot write the history: %1").arg(m_store.lastError());
        db.rollback();
        *imported = 0;
        return false;
    }
    return true;
}

// ---------------------------------------------------------------- the device list

void ClientCore::listDevices(ApiCallback done)
{
    m_api.devices(std::move(done));
}

void ClientCore::revokeDevice(qint64 deviceId, ApiCallback done)
{
    m_api.revokeDevice(deviceId, [this, done = std::move(done)](const ApiResult &result) {
        if (result.ok()) {
            m_deviceCache.remove(m_profile.username());
        }
        done(result);
    });
}

} // namespace Tincan::Client
