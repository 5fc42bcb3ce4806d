// The group endpoints of ApiService: create, list, read, change membership, roles and name, and
// send a group message. Membership changes and messages are checked and applied in one store
// transaction; fan-out to the members happens afterwards (FanoutWorker).

#include "server/core/ApiService.h"
#include "server/core/FanoutWorker.h"
#include "server/core/MessageBus.h"
#include "shared/protocol/JsonReader.h"
#include "shared/protocol/Validation.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace Tincan::Server {

using Protocol::ApiError;
using Protocol::JsonReader;
using Protocol::Result;

namespace {
constexpr qint64 MaxId = (qint64(1) << 53);

QString roleName(GroupRole role)
{
    return role == GroupRole::Admin ? QStringLiteral("admin") : QStringLiteral("member");
}

QJsonObject groupJson(const Group &group)
{
    QJsonArray members;
    for (const GroupMember &member : group.members) {
        QJsonArray devices;
        for (const qint64 device : member.devices) {
            devices.append(device);
        }
        members.append(QJsonObject{{QStringLiteral("user"), member.username},
                                   {QStringLiteral("role"), roleName(member.role)},
                                   {QStringLiteral("joinedAt"), member.joinedAt},
                                   {QStringLiteral("devices"), devices}});
    }
    return QJsonObject{{QStringLiteral("id"), group.id},
                       {QStringLiteral("conversation"), Protocol::groupConversationId(group.id)},
                       {QStringLiteral("name"), group.name},
                       {QStringLiteral("createdBy"), group.createdBy},
                       {QStringLiteral("createdAt"), group.createdAt},
                       {QStringLiteral("epoch"), group.epoch},
                       {QStringLiteral("members"), members}};
}

ApiError unknownGroup()
{
    return ApiError::notFound(QStringLiteral("There is no such group, or you are not a member."),
                              Protocol::ErrorCode::UnknownGroup);
}

ApiError badGroupName()
{
    return ApiError::badRequest(
        QStringLiteral("'name' must be 1-100 characters without control characters."));
}
} // namespace

void ApiService::kickFanout()
{
    if (m_fanout) {
        m_fanout->kick();
    }
}

std::optional<QString> ApiService::pathGroup(const ApiRequest &request, const Reply &reply)
{
    const QString id = request.params.value(QStringLiteral("id"));
    if (!Protocol::isValidGroupId(id)) {
        reply(ApiResponse::error(unknownGroup()));
        return std::nullopt;
    }
    return id;
}

std::optional<QList<User>> ApiService::readUsers(const QJsonObject &body, const QString &key,
                                                 qint64 max, const Reply &reply)
{
    JsonReader reader(body);
    const QJsonArray names = reader.array(key, max);
    if (!reader.ok()) {
        reply(ApiResponse::error(reader.error()));
        return std::nullopt;
    }
    QList<User> users;
    QJsonArray unknown;
    for (qsizetype i = 0; i < names.size(); ++i) {
        const QString name = names[i].toString();
        if (!names[i].isString() || !Protocol::isValidUsername(name)) {
            reply(ApiResponse::error(
                ApiError::badRequest(QStringLiteral("%1[%2] must be a username: %3.")
                                         .arg(key)
                                         .arg(i)
                                         .arg(Protocol::usernameRules()))));
            return std::nullopt;
        }
        if (std::optional<User> user = m_users.userByName(name)) {
            users.append(std::move(*user));
        } else {
            unknown.append(name);
        }
    }
    if (!unknown.isEmpty()) {
        ApiError error = ApiError::notFound(
            QStringLiteral("Unknown users: %1.")
                .arg(QString::fromUtf8(QJsonDocument(unknown).toJson(QJsonDocument::Compact))),
            Protocol::ErrorCode::UnknownUser);
        error.details.insert(QStringLiteral("unknownUsers"), unknown);
        reply(ApiResponse::error(error));
        return std::nullopt;
    }
    return users;
}

void ApiService::applyGroupChange(GroupChange change, int status, const Reply &reply)
{
    change.maxMembers = m_config.groupMaxMembers;
    m_groups.changeGroup(std::move(change),
                         [this, status, reply](Result<GroupChangeResult> result) {
                             if (!result) {
                                 reply(ApiResponse::error(result.error()));
                                 return;
                             }
                             QJsonObject body = groupJson(result->group);
                             body.insert(QStringLiteral("event"), result->event.toJson());
                             reply(ApiResponse::json(status, body));
                             kickFanout();
                         });
}

void ApiService::createGroup(const ApiRequest &request, Reply reply)
{
    auto body = Protocol::parseJsonObject(request.body);
    if (!body) {
        reply(ApiResponse::error(body.error()));
        return;
    }
    JsonReader reader(*body);
    GroupChange change;
    change.type = GroupChange::Type::Create;
    change.actor = *request.auth;
    change.name = reader.string(QStringLiteral("name"), 100);
    if (!reader.ok()) {
        reply(ApiResponse::error(reader.error()));
        return;
    }
    if (!Protocol::isValidGroupName(change.name)) {
        reply(ApiResponse::error(badGroupName()));
        return;
    }
    auto users = readUsers(*body, QStringLiteral("members"), m_config.groupMaxMembers, reply);
    if (!users) {
        return;
    }
    change.users = std::move(*users);
    applyGroupChange(std::move(change), 201, reply);
}

void ApiService::listGroups(const ApiRequest &request, Reply reply)
{
    QJsonArray groups;
    for (const GroupSummary &group : m_groups.groupsOf(request.auth->userId)) {
        groups.append(
            QJsonObject{{QStringLiteral("id"), group.id},
                        {QStringLiteral("conversation"), Protocol::groupConversationId(group.id)},
                        {QStringLiteral("name"), group.name},
                        {QStringLiteral("epoch"), group.epoch},
                        {QStringLiteral("role"), roleName(group.role)},
                        {QStringLiteral("memberCount"), group.memberCount}});
    }
    reply(ApiResponse::json(200, {{QStringLiteral("groups"), groups}}));
}

void ApiService::getGroup(const ApiRequest &request, Reply reply)
{
    const auto id = pathGroup(request, reply);
    if (!id) {
        return;
    }
    const std::optional<Group> group = m_groups.group(*id, request.auth->userId);
    if (!group) {
        reply(ApiResponse::error(unknownGroup()));
        return;
    }
    reply(ApiResponse::json(200, groupJson(*group)));
}

void ApiService::addGroupMembers(const ApiRequest &request, Reply reply)
{
    const auto id = pathGroup(request, reply);
    if (!id) {
        return;
    }
    auto body = Protocol::parseJsonObject(request.body);
    if (!body) {
        reply(ApiResponse::error(body.error()));
        return;
    }
    auto users = readUsers(*body, QStringLiteral("users"), m_config.groupMaxMembers, reply);
    if (!users) {
        return;
    }
    if (users->isEmpty()) {
        reply(ApiResponse::error(ApiError::badRequest(QStringLiteral("'users' is empty."))));
        return;
    }
    GroupChange change;
    change.type = GroupChange::Type::Add;
    change.groupId = *id;
    change.actor = *request.auth;
    change.users = std::move(*users);
    applyGroupChange(std::move(change), 200, reply);
}

void ApiService::removeGroupMember(const ApiRequest &request, Reply reply)
{
    const auto id = pathGroup(request, reply);
    if (!id) {
        return;
    }
    const std::optional<User> user = pathUser(request, reply);
    if (!user) {
        return;
    }
    GroupChange change;
    change.type = GroupChange::Type::Remove;
    change.groupId = *id;
    change.actor = *request.auth;
    change.users = {*user};
    applyGroupChange(std::move(change), 200, reply);
}

void ApiService::setGroupMemberRole(const ApiRequest &request, Reply reply)
{
    const auto id = pathGroup(request, reply);
    if (!id) {
        return;
    }
    const std::optional<User> user = pathUser(request, reply);
    if (!user) {
        return;
    }
    auto body = Protocol::parseJsonObject(request.body);
    if (!body) {
        reply(ApiResponse::error(body.error()));
        return;
    }
    JsonReader reader(*body);
    const QString role = reader.string(QStringLiteral("role"), 16);
    if (!reader.ok()) {
        reply(ApiResponse::error(reader.error()));
        return;
    }
    if (role != QLatin1String("admin") && role != QLatin1String("member")) {
        reply(ApiResponse::error(
            ApiError::badRequest(QStringLiteral("'role' must be \"admin\" or \"member\"."))));
        return;
    }
    GroupChange change;
    change.type =
        role == QLatin1String("admin") ? GroupChange::Type::Promote : GroupChange::Type::Demote;
    change.groupId = *id;
    change.actor = *request.auth;
    change.users = {*user};
    applyGroupChange(std::move(change), 200, reply);
}

void ApiService::renameGroup(const ApiRequest &request, Reply reply)
{
    const auto id = pathGroup(request, reply);
    if (!id) {
        return;
    }
    auto body = Protocol::parseJsonObject(request.body);
    if (!body) {
        reply(ApiResponse::error(body.error()));
        return;
    }
    JsonReader reader(*body);
    GroupChange change;
    change.type = GroupChange::Type::Rename;
    change.groupId = *id;
    change.actor = *request.auth;
    change.name = reader.string(QStringLiteral("name"), 100);
    if (!reader.ok()) {
        reply(ApiResponse::error(reader.error()));
        return;
    }
    if (!Protocol::isValidGroupName(change.name)) {
        reply(ApiResponse::error(badGroupName()));
        return;
    }
    applyGroupChange(std::move(change), 200, reply);
}

void ApiService::sendGroupMessage(const ApiRequest &request, Reply reply)
{
    const AuthContext &sender = *request.auth;
    const auto id = pathGroup(request, reply);
    if (!id) {
        return;
    }
    if (!withinRate(m_messageLimiter, QString::number(sender.deviceId),
                    QStringLiteral("This device is sending too fast; slow down and retry."),
                    reply)) {
        return;
    }
    auto body = Protocol::parseJsonObject(request.body);
    if (!body) {
        reply(ApiResponse::error(body.error()));
        return;
    }
    JsonReader reader(*body);
    NewGroupMessage message;
    message.sender = sender;
    message.groupId = *id;
    message.clientMessageId = reader.string(QStringLiteral("clientMessageId"), 64);
    message.epoch = reader.integer(QStringLiteral("epoch"), 1, MaxId);
    message.body = reader.base64(QStringLiteral("body"), m_config.limits.maxPayloadBytes);
    const qint64 maxKeys = m_config.groupMaxMembers * m_config.limits.maxDevicesPerUser;
    const QJsonArray keys = reader.optionalArray(QStringLiteral("keys"), maxKeys);
    if (!reader.ok()) {
        reply(ApiResponse::error(reader.error()));
        return;
    }
    const std::optional<QStringList> mediaIds = readMediaIds(*body, reply);
    if (!mediaIds) {
        return;
    }
    if (!Protocol::isValidClientMessageId(message.clientMessageId)) {
        reply(ApiResponse::error(ApiError::badRequest(
            QStringLiteral("clientMessageId must be a lower-case UUID (8-4-4-4-12 hex digits)."))));
        return;
    }
    if (message.body.isEmpty()) {
        reply(
            ApiResponse::error(ApiError::badRequest(QStringLiteral("'body' must not be empty."))));
        return;
    }
    auto copies = readCopies(keys, QStringLiteral("keys"), reply);
    if (!copies) {
        return;
    }
    message.keys = std::move(*copies);
    message.fanoutReadThreshold = m_config.fanoutReadThreshold;
    QList<qint64> senderDevices;
    for (const Device &device : m_devices.devicesOf(sender.userId)) {
        senderDevices.append(device.id);
    }
    if (!mediaIds->isEmpty() && !m_groups.group(*id, sender.userId)) {
        // Only members may show their media to the group; a retry of a message stored while
        // the sender was a member still gets its receipt.
        if (answerStoredRetry(sender, message.clientMessageId, Protocol::groupConversationId(*id),
                              reply)) {
            return;
        }
        reply(ApiResponse::error(
            ApiError::notFound(QStringLiteral("You are not a member of this group."),
                               Protocol::ErrorCode::UnknownGroup)));
        return;
    }
    // The media first: once the message is out, the members may ask for the media.
    attachMedia(sender, *mediaIds, Protocol::groupConversationId(*id), reply,
                [this, message = std::move(message), senderDevices, reply]() mutable {
                    m_groups.storeGroupMessage(
                        std::move(message),
                        [this, senderDevices, reply](Result<StoredMessage> stored) {
                            if (!stored) {
                                reply(ApiResponse::error(stored.error()));
                                return;
                            }
                            QJsonObject answer = stored->receipt.toJson();
                            answer.insert(QStringLiteral("duplicate"), stored->duplicate);
                            reply(ApiResponse::json(stored->duplicate ? 200 : 201, answer));
                            if (!stored->duplicate) {
                                m_bus.publishSent(senderDevices, stored->receipt);
                                kickFanout();
                            }
                        });
                });
}

} // namespace Tincan::Server
