#include "server/core/ApiService.h"

#include "server/core/KeyJson.h"
#include "server/core/Logging.h"
#include "server/core/MessageBus.h"
#include "server/core/SessionRegistry.h"
#include "server/core/Tokens.h"
#include "server/media/MediaService.h"
#include "shared/protocol/JsonReader.h"
#include "shared/protocol/Validation.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace Tincan::Server {

using Protocol::ApiError;
using Protocol::JsonReader;
using Protocol::Result;

namespace {
constexpr qint64 MaxId = (qint64(1) << 53);

constexpr qsizetype MaxBundleDevices = 64;

constexpr qsizetype MaxPresenceUsers = 256;

QString defaultDeviceName()
{
    return QStringLiteral("Unnamed device");
}

ApiError unknownUser(const QString &username)
{
    return ApiError::notFound(
        QStringLiteral("There is no user called '%1'.").arg(username.left(64)),
        Protocol::ErrorCode::UnknownUser);
}

//! Only a device that has published keys can receive (encrypted) messages.
QList<Device> reachable(const QList<Device> &devices)
{
    QList<Device> result;
    for (const Device &device : devices) {
        if (device.hasKeys) {
            result.append(device);
        }
    }
    return result;
}

//! Parses `?devices=3,5`: comma-separated positive ids, at most MaxBundleDevices.
std::optional<QList<qint64>> parseDeviceFilter(const QString &text)
{
    const QStringList parts = text.split(QLatin1Char(','));
    if (parts.size() > MaxBundleDevices) {
        return std::nullopt;
    }
    QList<qint64> ids;
    for (const QString &part : parts) {
        const bool digits = !part.isEmpty() && part.size() <= 16 &&
                            std::all_of(part.cbegin(), part.cend(), [](QChar c) {
                                return c >= QLatin1Char('0') && c <= QLatin1Char('9');
                            });
        const qint64 id = digits ? part.toLongLong() : 0;
        if (id < 1 || id > MaxId) {
            return std::nullopt;
        }
        if (!ids.contains(id)) {
            ids.append(id);
        }
    }
    return ids;
}
} // namespace

ApiResponse ApiResponse::json(int status, QJsonObject body)
{
    ApiResponse response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

ApiResponse ApiResponse::error(const ApiError &error)
{
    return json(error.status, error.toJson());
}

ApiService::ApiService(const Config &config, UserStore &users, DeviceStore &devices, KeyStore &keys,
                       MessageStore &messages, GroupStore &groups, ReceiptStore &receipts,
                       LinkStore &links, MessageBus &bus, SessionRegistry &registry,
                       FanoutWorker *fanout, MediaService *media)
    : m_config(config)
    , m_users(users)
    , m_devices(devices)
    , m_keys(keys)
    , m_messages(messages)
    , m_groups(groups)
    , m_receipts(receipts)
    , m_links(links)
    , m_bus(bus)
    , m_registry(registry)
    , m_fanout(fanout)
    , m_media(media)
    , m_hasher(config.argon2MemoryKiB, config.argon2Iterations)
    , m_authLimiter(config.authRatePerMinute / 60.0, config.authBurst)
    , m_messageLimiter(config.messageRatePerSecond, config.messageBurst)
    , m_keyFetchLimiter(config.keyFetchRatePerMinute / 60.0, config.keyFetchBurst)
    , m_presence(config, users, devices, groups, registry, bus)
{
    // Argon2 is memory-hard: bound how many run at once.
    m_hashPool.setMaxThreadCount(2);
}

ApiService::~ApiService()
{
    m_hashPool.waitForDone();
}

std::optional<AuthContext> ApiService::authenticate(const QByteArray &authorizationHeader)
{
    const QByteArray token = Tokens::fromAuthorizationHeader(authorizationHeader);
    if (token.isEmpty()) {
        return std::nullopt;
    }
    return m_devices.authenticate(Tokens::hash(token));
}

void ApiService::health(const ApiRequest &, Reply reply)
{
    reply(ApiResponse::json(200, {{QStringLiteral("status"), QStringLiteral("ok")},
                                  {QStringLiteral("online"), m_registry.onlineCount()}}));
}

bool ApiService::withinRate(RateLimiter &limiter, const QString &key, const QString &message,
                            const Reply &reply)
{
    double retryAfter = 0;
    if (limiter.tryAcquire(key, &retryAfter)) {
        return true;
    }
    ApiResponse response = ApiResponse::error(ApiError::rateLimited(message));
    response.headers.append({QByteArrayLiteral("Retry-After"),
                             QByteArray::number(static_cast<qint64>(std::ceil(retryAfter)))});
    reply(response);
    return false;
}

bool ApiService::checkAuthRate(const ApiRequest &request, const Reply &reply)
{
    return withinRate(
        m_authLimiter, request.peer,
        QStringLiteral("Too many sign-in attempts from this address; try again later."), reply);
}

namespace {
ApiResponse signedIn(const User &user, qint64 deviceId, const QByteArray &token)
{
    return ApiResponse::json(201, {{QStringLiteral("userId"), user.id},
                                   {QStringLiteral("username"), user.username},
                                   {QStringLiteral("deviceId"), deviceId},
                                   {QStringLiteral("token"), QString::fromLatin1(token)}});
}
} // namespace

void ApiService::signIn(const User &user, const QString &deviceName, const QString &platform,
                        const std::optional<DeviceKeys> &keys, const Reply &reply)
{
    const QByteArray token = Tokens::generate();
    m_devices.createDevice(user.id, deviceName, platform, Tokens::hash(token),
                           m_config.limits.maxDevicesPerUser, keys,
                           [user, token, reply](Result<Device> device) {
                               if (!device) {
                                   reply(ApiResponse::error(device.error()));
                                   return;
                               }
                               reply(signedIn(user, device->id, token));
                           });
}

std::optional<ApiService::Credentials> ApiService::readCredentials(const ApiRequest &request,
                                                                   const Reply &reply)
{
    if (!checkAuthRate(request, reply)) {
        return std::nullopt;
    }
    auto body = Protocol::parseJsonObject(request.body);
    if (!body) {
        reply(ApiResponse::error(body.error()));
        return std::nullopt;
    }
    JsonReader reader(*body);
    Credentials credentials;
    credentials.username = reader.string(QStringLiteral("username"), 64);
    credentials.password = reader.string(QStringLiteral("password"), 1024);
    credentials.deviceName = reader.optionalString(QStringLiteral("deviceName"), 64);
    credentials.inviteCode = reader.optionalString(QStringLiteral("inviteCode"), 128);
    credentials.platform = reader.optionalString(QStringLiteral("platform"), 64);
    const QJsonObject keysObject =
        reader.has(QStringLiteral("keys")) ? reader.object(QStringLiteral("keys")) : QJsonObject();
    if (!reader.ok()) {
        reply(ApiResponse::error(reader.error()));
        return std::nullopt;
    }
    if (reader.has(QStringLiteral("keys"))) {
        auto keys = readDeviceKeys(keysObject, QStringLiteral("keys"));
        if (!keys) {
            reply(ApiResponse::error(keys.error()));
            return std::nullopt;
        }
        if (!keys->isComplete()) {
            reply(ApiResponse::error(ApiError::badRequest(
                QStringLiteral("'keys' must include identityKey, registrationId and "
                               "signedPreKey: it is the new device's first publication."))));
            return std::nullopt;
        }
        credentials.keys = *keys;
    }
    if (credentials.deviceName.isEmpty()) {
        credentials.deviceName = defaultDeviceName();
    }
    if (!Protocol::isValidDeviceName(credentials.deviceName) ||
        (!credentials.platform.isEmpty() && !Protocol::isValidDeviceName(credentials.platform))) {
        reply(ApiResponse::error(ApiError::badRequest(
            QStringLiteral("The device name and platform must be 1 to 64 printable characters."))));
        return std::nullopt;
    }
    return credentials;
}

void ApiService::registerAccount(const ApiRequest &request, Reply reply)
{
    const std::optional<Credentials> credentials = readCredentials(request, reply);
    if (!credentials) {
        return;
    }
    if (!Protocol::isValidUsername(credentials->username)) {
        reply(ApiResponse::error(ApiError::badRequest(
            QStringLiteral("Invalid username: %1.").arg(Protocol::usernameRules()))));
        return;
    }
    if (!PasswordHasher::isAcceptable(credentials->password)) {
        reply(ApiResponse::error(ApiError::badRequest(
            QStringLiteral("The password must be 8 to 1024 characters long."))));
        return;
    }
    const bool inviteOnly = m_config.registration == Config::RegistrationPolicy::InviteOnly;
    if (inviteOnly && credentials->inviteCode.isEmpty()) {
        reply(ApiResponse::error(
            ApiError::forbidden(QStringLiteral("This server only accepts new accounts with an "
                                               "invite code from an administrator."),
                                Protocol::ErrorCode::InviteRequired)));
        return;
    }
    const QByteArray inviteHash =
        inviteOnly ? Tokens::hash(credentials->inviteCode.toUtf8()) : QByteArray();
    m_hashPool.start([this, credentials = *credentials, inviteHash, reply] {
        const QString hash = m_hasher.hash(credentials.password);
        if (hash.isEmpty()) {
            reply(
                ApiResponse::error(ApiError::internal(QStringLiteral("Password hashing failed."))));
            return;
        }
        // The account and its first device are created in one transaction.
        const QByteArray token = Tokens::generate();
        m_users.createUser(credentials.username, hash, inviteHash,
                           FirstDevice{credentials.deviceName, Tokens::hash(token),
                                       credentials.keys, credentials.platform},
                           [token, reply](Result<NewAccount> account) {
                               if (!account) {
                                   reply(ApiResponse::error(account.error()));
                                   return;
                               }
                               qCInfo(lcServer) << "account created:" << account->user.username;
                               reply(signedIn(account->user, account->device.id, token));
                           });
    });
}

void ApiService::login(const ApiRequest &request, Reply reply)
{
    const std::optional<Credentials> credentials = readCredentials(request, reply);
    if (!credentials) {
        return;
    }
    const QString &username = credentials->username;
    const QString &password = credentials->password;
    const QString &deviceName = credentials->deviceName;
    const QString &platform = credentials->platform;
    const std::optional<DeviceKeys> &keys = credentials->keys;
    const std::optional<User> user =
        Protocol::isValidUsername(username) ? m_users.userByName(username) : std::nullopt;
    m_hashPool.start([this, user, password, deviceName, platform, keys, reply] {
        // Verify against a throwaway hash for unknown users too, so that timing does not tell
        // which usernames exist.
        static const QString decoy = m_hasher.hash(QStringLiteral("decoy password"));
        const bool good = user ? m_hasher.verify(user->passwordHash, password)
                               : (m_hasher.verify(decoy, password), false);
        if (!good) {
            reply(ApiResponse::error(
                ApiError::unauthenticated(QStringLiteral("Wrong username or password."))));
            return;
        }
        signIn(*user, deviceName, platform, keys, reply);
    });
}

void ApiService::account(const ApiRequest &request, Reply reply)
{
    reply(ApiResponse::json(200, {{QStringLiteral("userId"), request.auth->userId},
                                  {QStringLiteral("username"), request.auth->username},
                                  {QStringLiteral("deviceId"), request.auth->deviceId}}));
}

void ApiService::listDevices(const ApiRequest &request, Reply reply)
{
    QJsonArray devices;
    for (const Device &device : m_devices.devicesOf(request.auth->userId)) {
        devices.append(QJsonObject{{QStringLiteral("id"), device.id},
                                   {QStringLiteral("name"), device.name},
                                   {QStringLiteral("createdAt"), device.createdAt},
                                   {QStringLiteral("lastSeen"), device.lastSeen},
                                   {QStringLiteral("platform"), device.platform},
                                   {QStringLiteral("current"), device.id == request.auth->deviceId},
                                   {QStringLiteral("online"), m_registry.isOnline(device.id)},
                                   {QStringLiteral("hasKeys"), device.hasKeys}});
    }
    reply(ApiResponse::json(200, {{QStringLiteral("devices"), devices}}));
}

void ApiService::revokeDevice(const ApiRequest &request, Reply reply)
{
    bool ok = false;
    const qint64 deviceId = request.params.value(QStringLiteral("id")).toLongLong(&ok);
    if (!ok || deviceId <= 0) {
        reply(ApiResponse::error(
            ApiError::badRequest(QStringLiteral("The device id must be a positive integer."))));
        return;
    }
    m_devices.revokeDevice(
        request.auth->userId, deviceId, [this, deviceId, reply](Result<bool> result) {
            if (!result) {
                reply(ApiResponse::error(result.error()));
                return;
            }
            m_bus.publishDeviceRevoked(deviceId);
            reply(ApiResponse::json(200, {{QStringLiteral("revoked"), deviceId}}));
        });
}

std::optional<User> ApiService::pathUser(const ApiRequest &request, const Reply &reply)
{
    const QString username = request.params.value(QStringLiteral("username"));
    std::optional<User> user =
        Protocol::isValidUsername(username) ? m_users.userByName(username) : std::nullopt;
    if (!user) {
        reply(ApiResponse::error(unknownUser(username)));
    }
    return user;
}

void ApiService::userDevices(const ApiRequest &request, Reply reply)
{
    const std::optional<User> user = pathUser(request, reply);
    if (!user) {
        return;
    }
    QJsonArray devices;
    for (const Device &device : reachable(m_devices.devicesOf(user->id))) {
        devices.append(QJsonObject{{QStringLiteral("id"), device.id}});
    }
    reply(ApiResponse::json(200, {{QStringLiteral("username"), user->username},
                                  {QStringLiteral("userId"), user->id},
                                  {QStringLiteral("devices"), devices}}));
}

void ApiService::findUsers(const ApiRequest &request, Reply reply)
{
    const QString prefix =
        request.query.queryItemValue(QStringLiteral("query"), QUrl::FullyDecoded).toLower();
    // A prefix of a valid username: 1-32 characters of the username alphabet.
    const bool validPrefix =
        !prefix.isEmpty() && prefix.size() <= 32 &&
        Protocol::isValidUsername(prefix.size() >= 3 ? prefix : prefix + QStringLiteral("aa"));
    if (!validPrefix) {
        reply(ApiResponse::error(
            ApiError::badRequest(QStringLiteral("'query' must be the start of a username: %1.")
                                     .arg(Protocol::usernameRules()))));
        return;
    }
    int limit = 20;
    if (request.query.hasQueryItem(QStringLiteral("limit"))) {
        bool ok = false;
        limit = request.query.queryItemValue(QStringLiteral("limit")).toInt(&ok);
        if (!ok || limit < 1 || limit > 50) {
            reply(ApiResponse::error(
                ApiError::badRequest(QStringLiteral("'limit' must be between 1 and 50."))));
            return;
        }
    }
    QJsonArray users;
    for (const QString &name : m_users.findUsers(prefix, limit)) {
        users.append(QJsonObject{{QStringLiteral("username"), name}});
    }
    reply(ApiResponse::json(200, {{QStringLiteral("users"), users}}));
}

void ApiService::publishKeys(const ApiRequest &request, Reply reply)
{
    auto body = Protocol::parseJsonObject(request.body);
    if (!body) {
        reply(ApiResponse::error(body.error()));
        return;
    }
    auto keys = readDeviceKeys(*body);
    if (!keys) {
        reply(ApiResponse::error(keys.error()));
        return;
    }
    m_keys.publishKeys(request.auth->deviceId, *keys, [reply](Result<qint64> count) {
        if (!count) {
            reply(ApiResponse::error(count.error()));
            return;
        }
        reply(ApiResponse::json(200, {{QStringLiteral("preKeyCount"), *count}}));
    });
}

void ApiService::keyStatus(const ApiRequest &request, Reply reply)
{
    const KeyStatus status = m_keys.keyStatus(request.auth->deviceId);
    reply(ApiResponse::json(
        200, {{QStringLiteral("hasKeys"), status.hasKeys},
              {QStringLiteral("preKeyCount"), status.preKeyCount},
              {QStringLiteral("signedPreKeyId"), status.signedPreKeyId},
              {QStringLiteral("signedPreKeyAt"), status.signedPreKeyAt},
              {QStringLiteral("low"), status.preKeyCount < m_config.keysLowWatermark}}));
}

void ApiService::userKeys(const ApiRequest &request, Reply reply)
{
    if (!withinRate(m_keyFetchLimiter, QString::number(request.auth->deviceId),
                    QStringLiteral("This device fetches key bundles too fast; retry later."),
                    reply)) {
        return;
    }
    QList<qint64> only;
    if (request.query.hasQueryItem(QStringLiteral("devices"))) {
        const auto parsed = parseDeviceFilter(
            request.query.queryItemValue(QStringLiteral("devices"), QUrl::FullyDecoded));
        if (!parsed) {
            reply(ApiResponse::error(ApiError::badRequest(
                QStringLiteral("'devices' must be 1 to %1 comma-separated positive device ids.")
                    .arg(MaxBundleDevices))));
            return;
        }
        only = *parsed;
    }
    const std::optional<User> user = pathUser(request, reply);
    if (!user) {
        return;
    }
    auto answer = [user = *user, reply](Result<QList<KeyBundle>> bundles) {
        if (!bundles) {
            reply(ApiResponse::error(bundles.error()));
            return;
        }
        QJsonArray devices;
        for (const KeyBundle &bundle : *bundles) {
            devices.append(keyBundleJson(bundle));
        }
        reply(ApiResponse::json(200, {{QStringLiteral("username"), user.username},
                                      {QStringLiteral("userId"), user.id},
                                      {QStringLiteral("devices"), devices}}));
    };
    // A device never needs a session with itself: do not spend one of its own prekeys.
    if (user->id == request.auth->userId) {
        if (only.isEmpty()) {
            for (const Device &device : reachable(m_devices.devicesOf(user->id))) {
                only.append(device.id);
            }
        }
        only.removeAll(request.auth->deviceId);
        if (only.isEmpty()) { // An empty filter would mean every device.
            answer(QList<KeyBundle>());
            return;
        }
    }
    m_keys.takeBundles(user->id, only, std::move(answer));
}

void ApiService::sendMessage(const ApiRequest &request, Reply reply)
{
    const AuthContext &sender = *request.auth;
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
    NewMessage message;
    message.clientMessageId = reader.string(QStringLiteral("clientMessageId"), 64);
    message.recipientUsername = reader.string(QStringLiteral("to"), 64);
    const QJsonArray payloads =
        reader.array(QStringLiteral("payloads"), m_config.limits.maxDevicesPerMessage);
    const bool targeted = reader.optionalBoolean(QStringLiteral("targeted"), false);
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
    if (!Protocol::isValidUsername(message.recipientUsername)) {
        reply(ApiResponse::error(ApiError::badRequest(
            QStringLiteral("'to' must be a username: %1.").arg(Protocol::usernameRules()))));
        return;
    }
    auto copies = readCopies(payloads, QStringLiteral("payloads"), reply);
    if (!copies) {
        return;
    }
    message.copies = std::move(*copies);
    QSet<qint64> given;
    for (const NewMessage::Copy &copy : std::as_const(message.copies)) {
        given.insert(copy.deviceId);
    }

    const QString conversation =
        Protocol::directConversationId(sender.username, message.recipientUsername);
    const std::optional<User> recipient = m_users.userByName(message.recipientUsername);
    if (!recipient) {
        reply(ApiResponse::error(unknownUser(message.recipientUsername)));
        return;
    }

    // The payload set must match the recipient's devices plus the sender's other devices, all
    // of them reachable (with keys). A targeted message goes to some of the recipient's
    // reachable devices only, never to the sending device.
    QJsonArray missing;
    QSet<qint64> expected;
    const QList<Device> recipientDevices = m_devices.devicesOf(recipient->id);
    const QList<Device> senderDevices =
        recipient->id == sender.userId ? recipientDevices : m_devices.devicesOf(sender.userId);
    auto expect = [&](const Device &device, const QString &owner) {
        if (device.id == sender.deviceId || expected.contains(device.id)) {
            return;
        }
        expected.insert(device.id);
        if (!targeted && !given.contains(device.id)) {
            missing.append(QJsonObject{{QStringLiteral("user"), owner},
                                       {QStringLiteral("device"), device.id}});
        }
    };
    for (const Device &device : reachable(recipientDevices)) {
        expect(device, recipient->username);
    }
    if (!targeted) {
        for (const Device &device : reachable(senderDevices)) {
            expect(device, sender.username);
        }
    }
    QJsonArray stale;
    for (const qint64 id : std::as_const(given)) {
        if (!expected.contains(id)) {
            stale.append(id);
        }
    }
    if (!missing.isEmpty() || !stale.isEmpty()) {
        // A retry of a message stored before the devices changed gets the original answer.
        if (answerStoredRetry(sender, message.clientMessageId, conversation, reply)) {
            return;
        }
        ApiError error = ApiError::conflict(
            QStringLiteral("The payloads do not match the current devices; refresh and retry."),
            Protocol::ErrorCode::DeviceMismatch);
        error.details.insert(QStringLiteral("missingDevices"), missing);
        error.details.insert(QStringLiteral("staleDevices"), stale);
        reply(ApiResponse::error(error));
        return;
    }
    if (given.isEmpty()) {
        reply(ApiResponse::error(ApiError::badRequest(
            targeted ? QStringLiteral("A targeted message needs at least one payload.")
                     : QStringLiteral("There is no other device to deliver this message to "
                                      "(a device without keys cannot receive messages)."))));
        return;
    }

    message.senderUserId = sender.userId;
    message.senderUsername = sender.username;
    message.senderDeviceId = sender.deviceId;
    message.recipientUserId = recipient->id;
    message.conversation = conversation;
    QList<qint64> senderDeviceIds;
    for (const Device &device : std::as_const(senderDevices)) {
        senderDeviceIds.append(device.id);
    }
    // The media first: once the message is out, its recipients may ask for the media.
    attachMedia(sender, *mediaIds, conversation, reply,
                [this, message = std::move(message), senderDeviceIds, reply]() mutable {
                    m_messages.storeMessage(std::move(message), [this, senderDeviceIds, reply](
                                                                    Result<StoredMessage> stored) {
                        if (!stored) {
                            reply(ApiResponse::error(stored.error()));
                            return;
                        }
                        QJsonObject body = stored->receipt.toJson();
                        body.insert(QStringLiteral("duplicate"), stored->duplicate);
                        reply(ApiResponse::json(stored->duplicate ? 200 : 201, body));
                        if (!stored->duplicate) {
                            m_bus.publishEnvelopes(stored->deliveries);
                            m_bus.publishSent(senderDeviceIds, stored->receipt);
                        }
                    });
                });
}

std::optional<QList<NewMessage::Copy>>
ApiService::readCopies(const QJsonArray &items, const QString &field, const Reply &reply)
{
    QList<NewMessage::Copy> copies;
    QSet<qint64> given;
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (!items[i].isObject()) {
            reply(ApiResponse::error(ApiError::badRequest(
                QStringLiteral("%1[%2] must be an object.").arg(field).arg(i))));
            return std::nullopt;
        }
        JsonReader item(items[i].toObject(), QStringLiteral("%1[%2]").arg(field).arg(i));
        NewMessage::Copy copy;
        copy.deviceId = item.integer(QStringLiteral("device"), 1, MaxId);
        copy.payload = item.base64(QStringLiteral("body"), m_config.limits.maxPayloadBytes);
        if (!item.ok()) {
            reply(ApiResponse::error(item.error()));
            return std::nullopt;
        }
        if (copy.payload.isEmpty()) {
            reply(ApiResponse::error(ApiError::badRequest(
                QStringLiteral("%1[%2].body must not be empty.").arg(field).arg(i))));
            return std::nullopt;
        }
        if (given.contains(copy.deviceId)) {
            reply(ApiResponse::error(ApiError::badRequest(
                QStringLiteral("Device %1 appears twice in %2.").arg(copy.deviceId).arg(field))));
            return std::nullopt;
        }
        given.insert(copy.deviceId);
        copies.append(std::move(copy));
    }
    return copies;
}

bool ApiService::answerStoredRetry(const AuthContext &sender, const QString &clientMessageId,
                                   const QString &conversation, const Reply &reply)
{
    const auto stored = m_messages.findStored(sender.userId, clientMessageId);
    if (!stored) {
        return false;
    }
    if (stored->conversation != conversation) {
        reply(ApiResponse::error(ApiError::conflict(
            QStringLiteral("This client message id was already used for another conversation."),
            Protocol::ErrorCode::IdConflict)));
        return true;
    }
    QJsonObject body = stored->toJson();
    body.insert(QStringLiteral("duplicate"), true);
    reply(ApiResponse::json(200, body));
    return true;
}

void ApiService::inbox(const ApiRequest &request, Reply reply)
{
    bool limitOk = true;
    const QString afterText = request.query.queryItemValue(QStringLiteral("after"));
    const QString limitText = request.query.queryItemValue(QStringLiteral("limit"));
    const std::optional<InboxPosition> after =
        afterText.isEmpty() ? InboxPosition{} : InboxPosition::fromString(afterText);
    const qint64 limit = limitText.isEmpty() ? std::min<qint64>(100, m_config.limits.maxInboxPage)
                                             : limitText.toLongLong(&limitOk);
    if (!after || !limitOk || limit < 1 || limit > m_config.limits.maxInboxPage) {
        reply(ApiResponse::error(ApiError::badRequest(
            QStringLiteral("'after' must be a cursor from an earlier page ('next') and 'limit' "
                           "between 1 and %1.")
                .arg(m_config.limits.maxInboxPage))));
        return;
    }
    const QList<Protocol::Envelope> envelopes =
        m_messages.pending(request.auth->deviceId, *after, limit);
    QJsonArray array;
    InboxPosition next = *after;
    for (const Protocol::Envelope &envelope : envelopes) {
        array.append(envelope.toJson());
        next.advance(envelope);
    }
    reply(ApiResponse::json(200, {{QStringLiteral("envelopes"), array},
                                  {QStringLiteral("next"), next.toString()},
                                  {QStringLiteral("more"), envelopes.size() == limit}}));
}

void ApiService::acknowledgeInbox(const ApiRequest &request, Reply reply)
{
    auto body = Protocol::parseJsonObject(request.body);
    if (!body) {
        reply(ApiResponse::error(body.error()));
        return;
    }
    QJsonObject frame = *body;
    frame.insert(QStringLiteral("type"), QStringLiteral("ack"));
    auto parsed = Protocol::parseClientFrame(QJsonDocument(frame).toJson(QJsonDocument::Compact),
                                             m_config.limits.maxInboxPage);
    if (!parsed) {
        reply(ApiResponse::error(parsed.error()));
        return;
    }
    messagesAcknowledged(*request.auth, parsed->ids);
    m_messages.acknowledge(request.auth->deviceId, parsed->ids, [reply](Result<qint64> removed) {
        if (!removed) {
            reply(ApiResponse::error(removed.error()));
            return;
        }
        reply(ApiResponse::json(200, {{QStringLiteral("removed"), *removed}}));
    });
}

void ApiService::presence(const ApiRequest &request, Reply reply)
{
    const QString list = request.query.queryItemValue(QStringLiteral("users"), QUrl::FullyDecoded);
    QStringList users;
    for (const QString &name : list.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (!Protocol::isValidUsername(name)) {
            reply(ApiResponse::error(
                ApiError::badRequest(QStringLiteral("'users' must list usernames: %1.")
                                         .arg(Protocol::usernameRules()))));
            return;
        }
        if (!users.contains(name)) {
            users.append(name);
        }
    }
    if (users.isEmpty() || users.size() > MaxPresenceUsers) {
        reply(ApiResponse::error(ApiError::badRequest(
            QStringLiteral("'users' must be 1 to %1 comma-separated usernames.")
                .arg(MaxPresenceUsers))));
        return;
    }
    QJsonArray items;
    for (const Protocol::PresenceUpdate &update : m_presence.presenceFor(*request.auth, users)) {
        items.append(update.toJson());
    }
    reply(ApiResponse::json(200, {{QStringLiteral("presence"), items}}));
}

void ApiService::privacy(const ApiRequest &request, Reply reply)
{
    reply(ApiResponse::json(
        200, {{QStringLiteral("showPresence"), m_presence.showsPresence(request.auth->userId)},
              {QStringLiteral("readReceipts"), m_users.sendsReadReceipts(request.auth->userId)}}));
}

void ApiService::setPrivacy(const ApiRequest &request, Reply reply)
{
    auto body = Protocol::parseJsonObject(request.body);
    if (!body) {
        reply(ApiResponse::error(body.error()));
        return;
    }
    // Either switch, or both: each given one must be a boolean.
    const QJsonValue show = body->value(QStringLiteral("showPresence"));
    const QJsonValue receipts = body->value(QStringLiteral("readReceipts"));
    if ((!show.isUndefined() && !show.isBool()) ||
        (!receipts.isUndefined() && !receipts.isBool()) ||
        (show.isUndefined() && receipts.isUndefined())) {
        reply(ApiResponse::error(ApiError::badRequest(
            QStringLiteral("Give 'showPresence' and/or 'readReceipts', each true or false."))));
        return;
    }
    const AuthContext auth = *request.auth;
    // The answer is worked out here: the writes complete on the writer thread, which must not
    // read from the stores.
    const bool showAfter =
        show.isUndefined() ? m_presence.showsPresence(auth.userId) : show.toBool();
    const bool receiptsAfter =
        receipts.isUndefined() ? m_users.sendsReadReceipts(auth.userId) : receipts.toBool();
    auto answer = [showAfter, receiptsAfter, reply](Result<bool> done) {
        if (!done) {
            reply(ApiResponse::error(done.error()));
            return;
        }
        reply(ApiResponse::json(200, {{QStringLiteral("showPresence"), showAfter},
                                      {QStringLiteral("readReceipts"), receiptsAfter}}));
    };
    auto setReceipts = [this, auth, receipts, answer](Result<bool> previous) {
        if (!previous || receipts.isUndefined()) {
            answer(previous);
            return;
        }
        m_users.setSendsReadReceipts(auth.userId, receipts.toBool(), answer);
    };
    if (show.isUndefined()) {
        setReceipts(true);
    } else {
        m_presence.setShowsPresence(auth, show.toBool(), setReceipts);
    }
}

void ApiService::drain()
{
    m_hashPool.waitForDone();
}

void ApiService::deviceConnected(qint64 deviceId)
{
    m_devices.touch(deviceId, QDateTime::currentMSecsSinceEpoch(), [](const Result<bool> &) {});
}

void ApiService::purgeExpired(std::function<void(qint64)> done)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    // Unfinished links are kept a day past expiry, so the devices can still be told "expired".
    m_links.purgeLinks(now - 24LL * 3600 * 1000, now - m_config.historyTtlSeconds * 1000,
                       [](Result<qint64> removed) {
                           if (!removed) {
                               qCWarning(lcServer)
                                   << "device link purge failed:" << removed.error().message;
                           }
                       });
    if (m_media) {
        m_media->purge(now, [](qint64 removed) {
            if (removed > 0) {
                qCInfo(lcServer) << "media purge removed" << removed << "uploads";
            }
        });
    }
    const qint64 cutoff = now - m_config.retentionSeconds * 1000;
    m_messages.purgeBefore(cutoff, [done = std::move(done)](Result<qint64> removed) {
        if (!removed) {
            qCWarning(lcServer) << "retention purge failed:" << removed.error().message;
            done(-1);
            return;
        }
        done(*removed);
    });
}

void ApiService::createInvite(qint64 ttlSeconds, std::function<void(Result<QString>)> done)
{
    const QByteArray code = Tokens::generate().left(20);
    m_users.createInvite(Tokens::hash(code),
                         QDateTime::currentMSecsSinceEpoch() + ttlSeconds * 1000,
                         [code, done = std::move(done)](Result<bool> result) {
                             if (!result) {
                                 done(result.error());
                                 return;
                             }
                             done(QString::fromLatin1(code));
                         });
}

} // namespace Tincan::Server
