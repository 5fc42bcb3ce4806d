// ClientCore's groups: membership calls, sending with sender keys, and receiving group messages
// and events. See docs/protocol.md ("Groups") for the wire format.

#include "app/core/ClientCore.h"

#include "app/core/Logging.h"
#include "shared/crypto/DeviceCrypto.h"
#include "shared/protocol/MessageContent.h"
#include "shared/protocol/Validation.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QUuid>

namespace Tincan::Client {

namespace {

QString b64(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toBase64());
}

QStringList strings(const QJsonValue &value)
{
    QStringList result;
    for (const QJsonValue &item : value.toArray()) {
        result.append(item.toString());
    }
    return result;
}

GroupInfo groupFromJson(const QJsonObject &object)
{
    GroupInfo group;
    group.id = object.value(QStringLiteral("id")).toString();
    group.name = object.value(QStringLiteral("name")).toString();
    group.epoch = object.value(QStringLiteral("epoch")).toInteger();
    group.member = true;
    for (const QJsonValue &value : object.value(QStringLiteral("members")).toArray()) {
        const QJsonObject member = value.toObject();
        GroupMemberInfo info;
        info.user = member.value(QStringLiteral("user")).toString();
        info.admin = member.value(QStringLiteral("role")).toString() == QLatin1String("admin");
        for (const QJsonValue &device : member.value(QStringLiteral("devices")).toArray()) {
            info.devices.append(device.toInteger());
        }
        group.members.append(std::move(info));
    }
    return group;
}

} // namespace

QString ClientCore::groupEventText(const QJsonObject &event)
{
    const QString type = event.value(QStringLiteral("type")).toString();
    const QString actor = event.value(QStringLiteral("actor")).toString();
    const QString users = strings(event.value(QStringLiteral("users"))).join(QStringLiteral(", "));
    const QString name = event.value(QStringLiteral("name")).toString();
    QString text;
    if (type == QLatin1String("created")) {
        text = QStringLiteral("%1 created the group \"%2\" with %3")
                   .arg(actor, name,
                        strings(event.value(QStringLiteral("members"))).join(QStringLiteral(", ")));
    } else if (type == QLatin1String("added")) {
        text = QStringLiteral("%1 added %2").arg(actor, users);
    } else if (type == QLatin1String("removed")) {
        text = QStringLiteral("%1 removed %2").arg(actor, users);
    } else if (type == QLatin1String("left")) {
        text = QStringLiteral("%1 left the group").arg(actor);
    } else if (type == QLatin1String("renamed")) {
        text = QStringLiteral("%1 renamed the group to \"%2\"").arg(actor, name);
    } else if (type == QLatin1String("promoted")) {
        text = QStringLiteral("%1 made %2 an admin").arg(actor, users);
    } else if (type == QLatin1String("demoted")) {
        text = QStringLiteral("%1 removed %2 as admin").arg(actor, users);
    } else {
        text = QStringLiteral("%1 changed the group").arg(actor);
    }
    const QStringList heirs = strings(event.value(QStringLiteral("promoted")));
    if (type != QLatin1String("promoted") && !heirs.isEmpty()) {
        text += QStringLiteral("; %1 is now an admin").arg(heirs.join(QStringLiteral(", ")));
    }
    return text;
}

// ---- membership ----

void ClientCore::groupCall(const QByteArray &verb, const QString &path, const QJsonObject &body,
                           ApiCallback done)
{
    const QJsonObject *payload = body.isEmpty() && verb == "DELETE" ? nullptr : &body;
    m_api.call(verb, path, payload, [this, done](const ApiResult &result) {
        if (result.ok() && result.body.contains(QStringLiteral("members"))) {
            GroupInfo group = groupFromJson(result.body);
            const auto known = m_store.group(group.id);
            const bool stillMember = std::any_of(
                group.members.cbegin(), group.members.cend(),
                [this](const GroupMemberInfo &m) { return m.user == m_profile.username(); });
            group.member = stillMember;
            saveGroupState(group, known);
        }
        if (done) {
            done(result);
        }
    });
}

void ClientCore::createGroup(const QString &name, const QStringList &members, ApiCallback done)
{
    QJsonArray users;
    for (const QString &member : members) {
        users.append(member);
    }
    groupCall("POST", QStringLiteral("/v1/groups"),
              {{QStringLiteral("name"), name}, {QStringLiteral("members"), users}},
              std::move(done));
}

void ClientCore::addGroupMembers(const QString &groupId, const QStringList &users, ApiCallback done)
{
    QJsonArray names;
    for (const QString &user : users) {
        names.append(user);
    }
    groupCall("POST", QStringLiteral("/v1/groups/%1/members").arg(groupId),
              {{QStringLiteral("users"), names}}, std::move(done));
}

void ClientCore::removeGroupMember(const QString &groupId, const QString &user, ApiCallback done)
{
    groupCall("DELETE", QStringLiteral("/v1/groups/%1/members/%2").arg(groupId, user), {},
              std::move(done));
}

void ClientCore::leaveGroup(const QString &groupId, ApiCallback done)
{
    removeGroupMember(groupId, m_profile.username(), std::move(done));
}

void ClientCore::setGroupAdmin(const QString &groupId, const QString &user, bool admin,
                               ApiCallback done)
{
    groupCall(
        "PUT", QStringLiteral("/v1/groups/%1/members/%2/role").arg(groupId, user),
        {{QStringLiteral("role"), admin ? QStringLiteral("admin") : QStringLiteral("member")}},
        std::move(done));
}

void ClientCore::renameGroup(const QString &groupId, const QString &name, ApiCallback done)
{
    groupCall("PUT", QStringLiteral("/v1/groups/%1/name").arg(groupId),
              {{QStringLiteral("name"), name}}, std::move(done));
}

void ClientCore::refreshGroup(const QString &groupId, std::function<void(bool, QString)> next)
{
    m_api.call("GET", QStringLiteral("/v1/groups/%1").arg(groupId), nullptr,
               [this, groupId, next](const ApiResult &result) {
                   const auto known = m_store.group(groupId);
                   if (result.ok()) {
                       saveGroupState(groupFromJson(result.body), known);
                       if (next) {
                           next(true, {});
                       }
                       return;
                   }
                   if (result.status == 404) {
                       // Not (or no longer) a member.
                       if (known && known->member) {
                           m_store.setGroupMembership(groupId, false);
                           Q_EMIT groupChanged(groupId);
                       }
                   }
                   if (next) {
                       next(false, result.error.code);
                   }
               });
}

bool ClientCore::saveGroupState(const GroupInfo &group, const std::optional<GroupInfo> &known)
{
    // A device that holds our sender key but is no longer in the group (its user left or was
    // removed, or the device was revoked) must not read what we send next: rotate.
    QSet<qint64> devices;
    for (const GroupMemberInfo &member : group.members) {
        for (const qint64 device : member.devices) {
            devices.insert(device);
        }
    }
    bool rotate = !group.member;
    for (const auto &[user, device] : m_store.groupKeyHolders(group.id)) {
        if (!devices.contains(device)) {
            rotate = true;
        }
    }
    QSqlDatabase &db = m_store.database();
    const bool ok = db.transaction() && m_store.saveGroup(group) &&
                    (!rotate || rotateGroupKey(group.id)) && db.commit();
    if (!ok) {
        qCWarning(lcDb) << "cannot save a group:" << m_store.lastError();
        db.rollback();
        return false;
    }
    if (!known || known->name != group.name || known->member != group.member ||
        known->members.size() != group.members.size()) {
        Q_EMIT groupChanged(group.id);
    }
    return true;
}

bool ClientCore::rotateGroupKey(const QString &groupId)
{
    qCInfo(lcNet) << "rotating our sender key for a group";
    return m_crypto->rotateSenderKey(groupId, m_profile.username(),
                                     static_cast<int>(m_profile.deviceId())) &&
           m_store.removeGroupKeyHolders(groupId);
}

std::optional<GroupInfo> ClientCore::group(const QString &groupId)
{
    return m_store.group(groupId);
}

QList<GroupInfo> ClientCore::groups()
{
    QList<GroupInfo> result;
    for (const QString &id : m_store.groupIds()) {
        if (auto group = m_store.group(id)) {
            result.append(std::move(*group));
        }
    }
    return result;
}

// ---- sending ----

void ClientCore::sendGroupEntry(const OutboxEntry &entry)
{
    const QString groupId = Protocol::groupIdOf(entry.recipient);
    const QJsonObject made = QJsonDocument::fromJson(entry.payloads).object();
    if (!made.isEmpty()) {
        // Encrypted by an earlier attempt: send the same bytes.
        postGroupEntry(entry, made);
        return;
    }
    const auto group = m_store.group(groupId);
    if (!group || !group->member) {
        entryFailed(entry, QStringLiteral("You are not a member of this group."));
        return;
    }
    if (group->epoch == 0) {
        // Stale (an event arrived, or the server said the group changed): fetch it first.
        refreshGroup(groupId, [this, entry](bool ok, const QString &code) {
            if (ok) {
                sendGroupEntry(entry);
            } else if (code == QLatin1String(Protocol::ErrorCode::UnknownGroup)) {
                entryFailed(entry, QStringLiteral("You are not a member of this group."));
            } else {
                m_sending = false;
                retryLater(0);
            }
        });
        return;
    }
    // Member devices that do not have our current sender key get it with this message, each in
    // its pairwise session (started from key bundles where missing).
    QSet<qint64> holders;
    for (const auto &[user, device] : m_store.groupKeyHolders(groupId)) {
        holders.insert(device);
    }
    QList<Target> needKey;
    QStringList members;
    for (const GroupMemberInfo &member : group->members) {
        members.append(member.user);
        for (const qint64 device : member.devices) {
            if (device != m_profile.deviceId() && !holders.contains(device)) {
                needKey.append({member.user, device, false});
            }
        }
    }
    const qint64 epoch = group->epoch;
    ensureSessions(needKey, [=, this](bool ok, const QString &code) {
        if (!ok) {
            if (code == QLatin1String("bad_bundle")) {
                entryFailed(entry, QStringLiteral("The keys of a group member's device do not "
                                                  "verify; nothing was sent."));
            } else {
                m_sending = false;
                retryLater(0);
            }
            return;
        }
        for (const QString &member : members) {
            if (member != m_profile.username() && m_store.trust(member).confirmationRequired) {
                entryFailed(entry, QStringLiteral("Your safety number with %1 changed. Verify it "
                                                  "or accept the change, then send again.")
                                       .arg(member));
                return;
            }
        }
        const QString self = m_profile.username();
        const int selfDevice = static_cast<int>(m_profile.deviceId());
        QSqlDatabase &db = m_store.database();
        if (!db.transaction()) {
            m_sending = false;
            retryLater(0);
            return;
        }
        QJsonObject keys;
        QJsonArray holdersAfter;
        bool failed = false;
        if (!needKey.isEmpty() || !m_crypto->hasSenderKey(groupId, self, selfDevice)) {
            const auto distribution = m_crypto->senderKeyDistribution(groupId, self, selfDevice);
            if (!distribution.ok()) {
                qCWarning(lcNet) << distribution.error.message;
                failed = true;
            } else {
                Protocol::MessageContent keyContent;
                keyContent.kind = Protocol::MessageContent::Kind::SenderKey;
                keyContent.group = groupId;
                keyContent.key = *distribution.value;
                QByteArray plaintext = keyContent.encode();
                for (const Target &target : needKey) {
                    if (!m_crypto->hasSession(target.user, static_cast<int>(target.device))) {
                        continue; // No keys on the server: the 409 tells what is current.
                    }
                    const auto encrypted =
                        m_crypto->encrypt(target.user, static_cast<int>(target.device), plaintext);
                    if (!encrypted.ok()) {
                        qCWarning(lcNet) << encrypted.error.message;
                        continue;
                    }
                    keys.insert(QString::number(target.device), b64(*encrypted.value));
                    holdersAfter.append(QJsonArray{target.user, target.device});
                }
                plaintext.fill('\0');
            }
        }
        if (failed) {
            db.rollback();
            m_sending = false;
            retryLater(0);
            return;
        }
        Protocol::MessageContent content;
        content.text = entry.text;
        if (entry.kind == QLatin1String("media")) {
            auto media = Protocol::MessageContent::decode(entry.text.toUtf8());
            if (!media || media->kind != Protocol::MessageContent::Kind::Media) {
                db.rollback();
                entryFailed(entry, QStringLiteral("the media message is unreadable"));
                return;
            }
            content = *media;
        }
        QByteArray plaintext = content.encode();
        const auto body = m_crypto->groupEncrypt(groupId, self, selfDevice, plaintext);
        plaintext.fill('\0');
        if (!body.ok()) {
            db.rollback();
            qCWarning(lcNet) << "cannot encrypt for the group:" << body.error.message;
            m_sending = false;
            retryLater(0);
            return;
        }
        const QJsonObject encrypted{{QStringLiteral("epoch"), epoch},
                                    {QStringLiteral("body"), b64(*body.value)},
                                    {QStringLiteral("keys"), keys},
                                    {QStringLiteral("holders"), holdersAfter}};
        if (keepEncrypted(entry, encrypted)) {
            postGroupEntry(entry, encrypted);
        }
    });
}

void ClientCore::postGroupEntry(const OutboxEntry &entry, const QJsonObject &made)
{
    const QString groupId = Protocol::groupIdOf(entry.recipient);
    QJsonArray keys;
    const QJsonObject keyMap = made.value(QStringLiteral("keys")).toObject();
    for (auto it = keyMap.constBegin(); it != keyMap.constEnd(); ++it) {
        keys.append(QJsonObject{{QStringLiteral("device"), it.key().toLongLong()},
                                {QStringLiteral("body"), it.value()}});
    }
    const QJsonObject plain{{QStringLiteral("clientMessageId"), entry.clientMessageId},
                            {QStringLiteral("epoch"), made.value(QStringLiteral("epoch"))},
                            {QStringLiteral("body"), made.value(QStringLiteral("body"))},
                            {QStringLiteral("keys"), keys}};
    QJsonObject request = plain;
    if (entry.kind == QLatin1String("media")) {
        // The members may then download the attachments.
        if (auto media = Protocol::MessageContent::decode(entry.text.toUtf8())) {
            request.insert(QStringLiteral("media"), mediaIdsOf(*media));
        }
    }
    m_store.bumpAttempts(entry.clientMessageId);
    m_api.call(
        "POST", QStringLiteral("/v1/groups/%1/messages").arg(groupId), &request,
        [=, this](const ApiResult &result) {
            m_sending = false;
            if (result.ok()) {
                m_retryAttempt = 0;
                m_mismatchRetries = 0;
                QList<QPair<QString, qint64>> holders;
                for (const QJsonValue &value : made.value(QStringLiteral("holders")).toArray()) {
                    const QJsonArray pair = value.toArray();
                    holders.append({pair.at(0).toString(), pair.at(1).toInteger()});
                }
                // Holders first: if recording the sent state fails, the retry sends the same
                // bytes again and the server answers with the original receipt.
                bool changed = false;
                const bool ok =
                    m_store.addGroupKeyHolders(groupId, holders) &&
                    m_store.markSent(entry.clientMessageId,
                                     result.body.value(QStringLiteral("messageId")).toInteger(),
                                     result.body.value(QStringLiteral("seq")).toInteger(),
                                     result.body.value(QStringLiteral("serverTs")).toInteger(),
                                     &changed);
                if (!ok) {
                    qCWarning(lcDb) << "cannot record a sent message:" << m_store.lastError();
                    retryLater(0);
                    return;
                }
                if (changed) {
                    messageSent(entry.clientMessageId);
                }
                processOutbox();
                return;
            }
            const bool changedGroup =
                result.status == 409 &&
                (result.error.code == QLatin1String(Protocol::ErrorCode::GroupChanged) ||
                 result.error.code == QLatin1String(Protocol::ErrorCode::DeviceMismatch));
            if (changedGroup && m_mismatchRetries < MaxGroupChangeRetries) {
                // Members or devices changed: fetch the group (rotating our key if someone
                // left) and encrypt again.
                ++m_mismatchRetries;
                if (!m_store.setOutboxPayloads(entry.clientMessageId, {}) ||
                    !m_store.markGroupStale(groupId)) {
                    retryLater(0);
                    return;
                }
                processOutbox();
            } else if (result.status == 404 &&
                       result.error.code == QLatin1String(Protocol::ErrorCode::UnknownGroup)) {
                m_store.setGroupMembership(groupId, false);
                entryFailed(entry, QStringLiteral("You are not a member of this group."));
            } else if (result.transient() || changedGroup) {
                m_mismatchRetries = 0;
                m_store.setOutboxPayloads(entry.clientMessageId, {});
                m_store.markGroupStale(groupId);
                retryLater(result.retryAfterSeconds);
            } else if (result.status == 401) {
                Q_EMIT fatalError(result.error.message);
            } else {
                entryFailed(entry, result.error.message);
            }
        });
}

// ---- receiving ----

void ClientCore::applyGroupEvent(const QString &groupId, const QJsonObject &event, bool *refresh)
{
    const QString self = m_profile.username();
    const QString type = event.value(QStringLiteral("type")).toString();
    const QString actor = event.value(QStringLiteral("actor")).toString();
    const QStringList users = strings(event.value(QStringLiteral("users")));
    auto known = m_store.group(groupId);
    if (!known) {
        GroupInfo group;
        group.id = groupId;
        group.name = event.value(QStringLiteral("name")).toString();
        group.epoch = 0;
        group.member = true;
        if (type == QLatin1String("created")) {
            for (const QString &member : strings(event.value(QStringLiteral("members")))) {
                group.members.append({member, member == actor, {}});
            }
        } else {
            *refresh = true; // We joined an existing group: learn its name and members.
        }
        m_store.saveGroup(group);
        return;
    }
    if (type == QLatin1String("added")) {
        m_store.setGroupMembers(groupId, users, true);
        if (users.contains(self)) {
            m_store.setGroupMembership(groupId, true);
            *refresh = true;
        }
    } else if (type == QLatin1String("removed") || type == QLatin1String("left")) {
        m_store.setGroupMembers(groupId, users, false);
        if (users.contains(self)) {
            m_store.setGroupMembership(groupId, false);
        }
        // Whoever left must not read what we send next.
        rotateGroupKey(groupId);
    } else if (type == QLatin1String("renamed")) {
        m_store.setGroupName(groupId, event.value(QStringLiteral("name")).toString());
    } else if (type == QLatin1String("promoted") || type == QLatin1String("demoted")) {
        m_store.setGroupMembers(groupId, users, true,
                                type == QLatin1String("promoted") ? QStringLiteral("admin")
                                                                  : QStringLiteral("member"));
    }
    const QStringList heirs = strings(event.value(QStringLiteral("promoted")));
    if (type != QLatin1String("promoted") && !heirs.isEmpty()) {
        m_store.setGroupMembers(groupId, heirs, true, QStringLiteral("admin"));
    }
    if (type == QLatin1String("added") || type == QLatin1String("removed") ||
        type == QLatin1String("left")) {
        m_store.markGroupStale(groupId);
    }
}

void ClientCore::onGroupEnvelope(const Protocol::Envelope &envelope)
{
    const QString self = m_profile.username();
    const QString groupId = Protocol::groupIdOf(envelope.conversation);
    // The group id binds the sender key (a message moved to another group does not decrypt),
    // so the envelope's conversation can be taken as it is.
    StoredMessage message = messageFrom(envelope, envelope.conversation,
                                        envelope.fromUser == self && envelope.event.isEmpty());

    QSqlDatabase &db = m_store.database();
    if (!db.transaction()) {
        qCWarning(lcDb) << "cannot start a transaction; the envelope will be delivered again";
        return;
    }
    m_changedIdentities.clear();
    bool stored = true;
    bool inserted = false;
    bool refresh = false;
    bool preKeyMessage = false;
    bool controlQueued = false;
    QString failure;
    if (!envelope.event.isEmpty()) {
        // A change the server made (group metadata is the server's): a notice, and our state.
        message.status = StoredMessage::Status::System;
        message.text = groupEventText(envelope.event);
        stored = m_store.insertIncoming(message, &inserted);
        if (stored && inserted) {
            applyGroupEvent(groupId, envelope.event, &refresh);
        }
    } else {
        bool sessionFault = false;
        if (!envelope.senderKey.isEmpty()) {
            // The sender's (new) sender key, in our pairwise session with that device.
            const auto pairwise = m_crypto->decrypt(
                envelope.fromUser, static_cast<int>(envelope.fromDevice), envelope.senderKey);
            if (pairwise.ok()) {
                preKeyMessage = pairwise.value->preKeyMessage;
                m_store.recordDecryption(envelope.fromUser, envelope.fromDevice, true, {});
                const auto content = Protocol::MessageContent::decode(pairwise.value->plaintext);
                if (content && content->kind == Protocol::MessageContent::Kind::SenderKey &&
                    content->group == groupId) {
                    const auto processed = m_crypto->processSenderKey(
                        groupId, envelope.fromUser, static_cast<int>(envelope.fromDevice),
                        content->key);
                    if (!processed.ok()) {
                        qCWarning(lcNet) << processed.error.message;
                    }
                }
            } else if (pairwise.error.failure != Crypto::DecryptFailure::Duplicate) {
                sessionFault = pairwise.error.failure != Crypto::DecryptFailure::Malformed &&
                               pairwise.error.failure != Crypto::DecryptFailure::Internal;
                qCInfo(lcNet) << "cannot read a sender key:" << pairwise.error.message;
            }
        }
        const auto decrypted = m_crypto->groupDecrypt(
            groupId, envelope.fromUser, static_cast<int>(envelope.fromDevice), envelope.payload);
        if (decrypted.ok()) {
            const auto content = Protocol::MessageContent::decode(decrypted.value->plaintext);
            if (!content || (content->kind != Protocol::MessageContent::Kind::Text &&
                             content->kind != Protocol::MessageContent::Kind::Media)) {
                message.status = StoredMessage::Status::Failed;
                message.error = content ? QStringLiteral("Unexpected content in a group message.")
                                        : content.error().message;
            } else {
                message.text = content->text;
                if (content->kind == Protocol::MessageContent::Kind::Media) {
                    message.media = content->encode();
                }
            }
            stored = m_store.insertIncoming(message, &inserted);
        } else if (decrypted.error.failure != Crypto::DecryptFailure::Duplicate) {
            failure = decrypted.error.message;
            message.status = StoredMessage::Status::Undecryptable;
            message.error = failure;
            stored =
                m_store.insertIncoming(message, &inserted) &&
                m_store.recordDecryption(envelope.fromUser, envelope.fromDevice, false, failure);
            if (stored && inserted) {
                // Ask the sending device to resend it pairwise (and to send its key again).
                OutboxEntry retry;
                retry.freshSession = sessionFault;
                retry.clientMessageId = QUuid::createUuid().toString(QUuid::WithoutBraces);
                retry.recipient = envelope.fromUser;
                retry.createdAt = QDateTime::currentMSecsSinceEpoch();
                retry.kind = QStringLiteral("retry");
                retry.ref = envelope.clientMessageId;
                retry.targetDevice = envelope.fromDevice;
                stored = m_store.queueControl(retry);
                controlQueued = true;
            }
        }
    }
    if (!stored || !db.commit()) {
        qCWarning(lcDb) << "cannot store an incoming group message; it will be delivered again:"
                        << m_store.lastError();
        db.rollback();
        return;
    }
    envelopeStored(envelope, preKeyMessage);
    if (inserted) {
        if (message.status == StoredMessage::Status::Undecryptable) {
            Q_EMIT decryptionFailed(envelope.fromUser, envelope.fromDevice, failure);
        } else if (auto kept = m_store.message(message.sender, message.clientMessageId)) {
            Q_EMIT messageReceived(*kept);
        }
        if (!envelope.event.isEmpty()) {
            Q_EMIT groupChanged(groupId);
        }
    }
    if (refresh) {
        refreshGroup(groupId, {});
    }
    if (controlQueued) {
        processOutbox();
    }
}

} // namespace Tincan::Client
