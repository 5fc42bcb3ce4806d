// The device-linking endpoints of ApiService. An existing device opens a link and shows its code
// (and a QR code of it); the new device claims the code with its name, platform, public keys and
// a pick-up secret; the user confirms on the existing device; the new device trades the secret
// for its token, and the device exists with its own keys and inbox. The approving device then
// sends the history, sealed with a key that only travels end to end (in a Signal message to
// the new device): the server stores ciphertext parts until the new device has them.

#include "server/core/ApiService.h"
#include "server/core/KeyJson.h"
#include "server/core/Logging.h"
#include "server/core/MessageBus.h"
#include "server/core/Tokens.h"
#include "shared/protocol/DeviceLink.h"
#include "shared/protocol/JsonReader.h"
#include "shared/protocol/Validation.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QRandomGenerator>

namespace Tincan::Server {

using Protocol::ApiError;
using Protocol::JsonReader;
using Protocol::Result;

namespace {

constexpr qint64 MaxHistoryParts = 1000000;

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

//! A new link code from the OS CSPRNG (Crockford base32, 50 bits).
QString newLinkCode()
{
    static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    QString code;
    for (int i = 0; i < Protocol::DeviceLink::LinkCodeLength; ++i) {
        code.append(QLatin1Char(alphabet[QRandomGenerator::system()->bounded(32)]));
    }
    return code;
}

QByteArray codeHash(const QString &code)
{
    return Tokens::hash(code.toLatin1());
}

bool unfinished(const DeviceLinkRecord &link)
{
    return link.state == QLatin1String("open") || link.state == QLatin1String("claimed") ||
           link.state == QLatin1String("approved");
}

Protocol::LinkEvent linkEvent(const DeviceLinkRecord &link)
{
    Protocol::LinkEvent event;
    event.id = link.id;
    event.state =
        unfinished(link) && link.expiresAt <= now() ? QStringLiteral("expired") : link.state;
    event.createdBy = link.createdBy;
    event.expiresAt = link.expiresAt;
    event.deviceName = link.deviceName;
    event.platform = link.platform;
    event.identityKey = link.identityKey;
    event.keyProof = link.keyProof;
    event.deviceId = link.deviceId;
    event.history = link.historyWanted;
    return event;
}

QJsonObject linkJson(const DeviceLinkRecord &link)
{
    QJsonObject object = linkEvent(link).toJson();
    if (link.historyParts > 0) {
        object.insert(QStringLiteral("transfer"),
                      QJsonObject{{QStringLiteral("parts"), link.historyParts},
                                  {QStringLiteral("stored"), link.historyStored},
                                  {QStringLiteral("bytes"), link.historyBytes}});
    }
    return object;
}

ApiError unknownLink()
{
    return ApiError::notFound(QStringLiteral("There is no such device link, or it expired."),
                              Protocol::ErrorCode::UnknownLink);
}

//! The secret a new device picks its token up with: 32 to 128 URL-safe characters.
bool isValidSecret(const QString &secret)
{
    if (secret.size() < 32 || secret.size() > 128) {
        return false;
    }
    for (const QChar c : secret) {
        if (!(c.isLetterOrNumber() && c.unicode() < 128) && c != QLatin1Char('-') &&
            c != QLatin1Char('_')) {
            return false;
        }
    }
    return true;
}

} // namespace

Done<DeviceLinkRecord> ApiService::answerLink(const Reply &reply, bool publish)
{
    return [this, reply, publish](Result<DeviceLinkRecord> link) {
        if (!link) {
            reply(ApiResponse::error(link.error()));
            return;
        }
        if (publish) {
            publishLink(*link);
        }
        reply(ApiResponse::json(200, linkJson(*link)));
    };
}

void ApiService::publishLink(const DeviceLinkRecord &link)
{
    // Store completions run on the writer thread, which must never read: look the devices up
    // on the pool.
    m_hashPool.start([this, link] {
        QList<qint64> devices;
        for (const Device &device : m_devices.devicesOf(link.userId)) {
            devices.append(device.id);
        }
        if (!devices.isEmpty()) {
            m_bus.publishFrame(devices, Protocol::linkFrame(linkEvent(link)));
        }
    });
}

std::optional<DeviceLinkRecord> ApiService::pathLink(const ApiRequest &request, const Reply &reply,
                                                     LinkParty party, const char *refusal)
{
    bool ok = false;
    const qint64 id = request.params.value(QStringLiteral("id")).toLongLong(&ok);
    std::optional<DeviceLinkRecord> link = ok && id > 0 ? m_links.link(id) : std::nullopt;
    if (!link || (request.auth && link->userId != request.auth->userId)) {
        reply(ApiResponse::error(unknownLink()));
        return std::nullopt;
    }
    const qint64 caller = request.auth ? request.auth->deviceId : 0;
    const bool creator = link->createdBy == caller;
    const bool linked = link->deviceId > 0 && link->deviceId == caller;
    const bool allowed = party == LinkParty::AnyDevice ||
                         (party == LinkParty::Creator && creator) ||
                         (party == LinkParty::NewDevice && linked) ||
                         (party == LinkParty::Either && (creator || linked));
    if (!allowed) {
        reply(ApiResponse::error(ApiError::forbidden(QString::fromUtf8(refusal))));
        return std::nullopt;
    }
    return link;
}

void ApiService::createLink(const ApiRequest &request, Reply reply)
{
    const QString code = newLinkCode();
    m_links.createLink(request.auth->userId, request.auth->deviceId, codeHash(code),
                       now() + m_config.linkTtlSeconds * 1000, m_config.maxOpenLinks,
                       [this, code, reply](Result<DeviceLinkRecord> link) {
                           if (!link) {
                               ApiResponse response = ApiResponse::error(link.error());
                               if (response.status == 429) {
                                   // Open links end by themselves at the latest then.
                                   response.headers.append(
                                       {QByteArrayLiteral("Retry-After"),
                                        QByteArray::number(m_config.linkTtlSeconds)});
                               }
                               reply(response);
                               return;
                           }
                           QJsonObject body = linkJson(*link);
                           body.insert(QStringLiteral("code"), code);
                           reply(ApiResponse::json(201, body));
                       });
}

void ApiService::getLink(const ApiRequest &request, Reply reply)
{
    if (const auto link = pathLink(request, reply)) {
        reply(ApiResponse::json(200, linkJson(*link)));
    }
}

void ApiService::claimLink(const ApiRequest &request, Reply reply)
{
    // Codes are short: guessing is held back by the sign-in rate limit per address.
    if (!checkAuthRate(request, reply)) {
        return;
    }
    auto body = Protocol::parseJsonObject(request.body);
    if (!body) {
        reply(ApiResponse::error(body.error()));
        return;
    }
    JsonReader reader(*body);
    const QString code =
        Protocol::DeviceLink::normalizeCode(reader.string(QStringLiteral("code"), 32));
    DeviceLinkRecord claim;
    claim.deviceName = reader.optionalString(QStringLiteral("deviceName"), 64);
    claim.platform = reader.optionalString(QStringLiteral("platform"), 64);
    const QString secret = reader.string(QStringLiteral("secret"), 128);
    if (body->contains(QStringLiteral("keyProof"))) {
        claim.keyProof = reader.base64(QStringLiteral("keyProof"), 32);
    }
    const QJsonObject keysObject = reader.object(QStringLiteral("keys"));
    if (!reader.ok()) {
        reply(ApiResponse::error(reader.error()));
        return;
    }
    if (code.isEmpty()) {
        reply(ApiResponse::error(ApiError::badRequest(QStringLiteral(
            "'code' must be a link code: 10 letters and digits, like 7KQ2M-X9D4R."))));
        return;
    }
    if (reader.ok() && body->contains(QStringLiteral("keyProof")) && claim.keyProof.size() != 32) {
        reply(ApiResponse::error(ApiError::badRequest(
            QStringLiteral("'keyProof' must be the 32-byte HMAC-SHA256 of the identity key, "
                           "keyed with the link URI's secret."))));
        return;
    }
    if (!isValidSecret(secret)) {
        reply(ApiResponse::error(ApiError::badRequest(QStringLiteral(
            "'secret' must be 32 to 128 characters of A-Z, a-z, 0-9, '-' and '_'."))));
        return;
    }
    if (claim.deviceName.isEmpty()) {
        claim.deviceName = QStringLiteral("New device");
    }
    if (!Protocol::isValidDeviceName(claim.deviceName) ||
        (!claim.platform.isEmpty() && !Protocol::isValidDeviceName(claim.platform))) {
        reply(ApiResponse::error(ApiError::badRequest(
            QStringLiteral("The device name and platform must be 1 to 64 printable characters."))));
        return;
    }
    auto keys = readDeviceKeys(keysObject, QStringLiteral("keys"));
    if (!keys) {
        reply(ApiResponse::error(keys.error()));
        return;
    }
    if (!keys->isComplete()) {
        reply(ApiResponse::error(ApiError::badRequest(
            QStringLiteral("'keys' must include identityKey, registrationId and signedPreKey: "
                           "it is the new device's first publication."))));
        return;
    }
    claim.identityKey = keys->identityKey;
    claim.keysJson = QJsonDocument(keysObject).toJson(QJsonDocument::Compact);
    claim.secretHash = Tokens::hash(secret.toLatin1());
    m_links.claimLink(codeHash(code), claim, now(), [this, reply](Result<DeviceLinkRecord> link) {
        if (!link) {
            reply(ApiResponse::error(link.error()));
            return;
        }
        publishLink(*link);
        QJsonObject body = linkJson(*link);
        body.insert(QStringLiteral("username"), link->username);
        reply(ApiResponse::json(202, body));
    });
}

void ApiService::approveLink(const ApiRequest &request, Reply reply)
{
    const auto link = pathLink(request, reply, LinkParty::Creator,
                               "Only the device that showed the link code can approve it.");
    if (!link) {
        return;
    }
    bool history = true;
    if (!request.body.trimmed().isEmpty()) {
        auto body = Protocol::parseJsonObject(request.body);
        if (!body) {
            reply(ApiResponse::error(body.error()));
            return;
        }
        JsonReader reader(*body);
        history = reader.optionalBoolean(QStringLiteral("history"), true);
        if (!reader.ok()) {
            reply(ApiResponse::error(reader.error()));
            return;
        }
    }
    m_links.decideLink(request.auth->userId, link->id, true, history, now(),
                       answerLink(reply, true));
}

void ApiService::rejectLink(const ApiRequest &request, Reply reply)
{
    const auto link = pathLink(request, reply);
    if (!link) {
        return;
    }
    m_links.decideLink(request.auth->userId, link->id, false, false, now(),
                       answerLink(reply, true));
}

void ApiService::completeLink(const ApiRequest &request, Reply reply)
{
    auto body = Protocol::parseJsonObject(request.body);
    if (!body) {
        reply(ApiResponse::error(body.error()));
        return;
    }
    JsonReader reader(*body);
    const QString secret = reader.string(QStringLiteral("secret"), 128);
    if (!reader.ok()) {
        reply(ApiResponse::error(reader.error()));
        return;
    }
    const auto link = pathLink(request, reply);
    if (!link) {
        return;
    }
    const QByteArray secretHash = Tokens::hash(secret.toLatin1());
    if (link->secretHash.isEmpty() || link->secretHash != secretHash) {
        // Same answer as for a link that does not exist: the id alone tells nothing.
        reply(ApiResponse::error(unknownLink()));
        return;
    }
    const Protocol::LinkEvent state = linkEvent(*link);
    if (state.state == QLatin1String("claimed")) {
        // Not decided yet: the new device asks again.
        reply(ApiResponse::json(202, linkJson(*link)));
        return;
    }
    if (state.state != QLatin1String("approved") && state.state != QLatin1String("linked")) {
        reply(ApiResponse::error(ApiError::conflict(
            state.state == QLatin1String("rejected")
                ? QStringLiteral("The link was rejected on your other device.")
                : QStringLiteral("The link expired; ask your other device for a new code."),
            Protocol::ErrorCode::LinkState)));
        return;
    }
    const auto keys = readDeviceKeys(QJsonDocument::fromJson(link->keysJson).object());
    if (!keys) {
        reply(ApiResponse::error(keys.error()));
        return;
    }
    const QByteArray token = Tokens::generate();
    m_links.completeLink(link->id, secretHash, Tokens::hash(token), *keys,
                         m_config.limits.maxDevicesPerUser, now(),
                         [this, token, reply, wasLinked = link->state == QLatin1String("linked")](
                             Result<DeviceLinkRecord> linked) {
                             if (!linked) {
                                 reply(ApiResponse::error(linked.error()));
                                 return;
                             }
                             if (!wasLinked) {
                                 qCInfo(lcServer) << "device" << linked->deviceId
                                                  << "linked to account" << linked->username;
                                 publishLink(*linked);
                             }
                             QJsonObject body = linkJson(*linked);
                             body.insert(QStringLiteral("userId"), linked->userId);
                             body.insert(QStringLiteral("username"), linked->username);
                             body.insert(QStringLiteral("token"), QString::fromLatin1(token));
                             reply(ApiResponse::json(201, body));
                         });
}

void ApiService::putLinkHistory(const ApiRequest &request, Reply reply)
{
    const auto link = pathLink(request, reply, LinkParty::Creator,
                               "Only the device that showed the link code sends its history.");
    if (!link) {
        return;
    }
    auto body = Protocol::parseJsonObject(request.body);
    if (!body) {
        reply(ApiResponse::error(body.error()));
        return;
    }
    JsonReader reader(*body);
    const qint64 parts = reader.integer(QStringLiteral("parts"), 1, MaxHistoryParts);
    const qint64 part = reader.integer(QStringLiteral("part"), 0, MaxHistoryParts - 1);
    const QByteArray data =
        reader.base64(QStringLiteral("data"), Protocol::DeviceLink::HistoryPartBytes);
    if (!reader.ok()) {
        reply(ApiResponse::error(reader.error()));
        return;
    }
    if (part >= parts || data.isEmpty()) {
        reply(ApiResponse::error(ApiError::badRequest(
            QStringLiteral("'part' must be below 'parts', and 'data' must not be empty."))));
        return;
    }
    m_links.storeHistoryPart(link->id, part, parts, data, m_config.historyMaxBytes,
                             answerLink(reply, false));
}

void ApiService::getLinkHistory(const ApiRequest &request, Reply reply)
{
    const auto link = pathLink(request, reply, LinkParty::NewDevice,
                               "Only the device this link made can fetch its history.");
    if (!link) {
        return;
    }
    bool ok = false;
    const qint64 part = request.query.queryItemValue(QStringLiteral("part")).toLongLong(&ok);
    if (!ok || part < 0) {
        reply(ApiResponse::error(
            ApiError::badRequest(QStringLiteral("'part' must be a part number from 0."))));
        return;
    }
    if (link->historyParts == 0) {
        reply(ApiResponse::error(ApiError::notFound(QStringLiteral(
            "This link has no history transfer (none was sent, or it was picked up)."))));
        return;
    }
    if (link->historyStored < link->historyParts) {
        reply(ApiResponse::error(ApiError::conflict(
            QStringLiteral("The history transfer is not complete yet (%1 of %2 parts).")
                .arg(link->historyStored)
                .arg(link->historyParts),
            Protocol::ErrorCode::LinkState)));
        return;
    }
    const std::optional<QByteArray> data = m_links.historyPart(link->id, part);
    if (!data) {
        reply(ApiResponse::error(ApiError::notFound(
            QStringLiteral("The transfer has %1 parts.").arg(link->historyParts))));
        return;
    }
    reply(
        ApiResponse::json(200, {{QStringLiteral("part"), part},
                                {QStringLiteral("parts"), link->historyParts},
                                {QStringLiteral("data"), QString::fromLatin1(data->toBase64())}}));
}

void ApiService::deleteLinkHistory(const ApiRequest &request, Reply reply)
{
    const auto link = pathLink(request, reply, LinkParty::Either,
                               "Only the two devices of the link can delete its history.");
    if (!link) {
        return;
    }
    m_links.dropHistory(link->id, [reply](Result<bool> dropped) {
        if (!dropped) {
            reply(ApiResponse::error(dropped.error()));
            return;
        }
        reply(ApiResponse::json(200, {{QStringLiteral("deleted"), *dropped}}));
    });
}

} // namespace Tincan::Server
