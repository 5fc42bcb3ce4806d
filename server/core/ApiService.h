#pragma once

#include "server/core/Config.h"
#include "server/core/PasswordHasher.h"
#include "server/core/PresenceService.h"
#include "server/core/RateLimiter.h"
#include "server/store/Stores.h"

#include <QByteArray>
#include <QHash>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QThreadPool>
#include <QUrlQuery>

#include <functional>
#include <optional>

namespace Tincan::Server {

class FanoutWorker;
class MediaService;
class MessageBus;
class SessionRegistry;

//! A transport-neutral API request: what the HTTP layer parsed.
struct ApiRequest
{
    QByteArray method;              //!< "GET", "HEAD", ...
    QHash<QString, QString> params; //!< Path captures, e.g. {"id": "12"}.
    QUrlQuery query;
    QByteArray body;
    QString peer; //!< Client address, for rate limits.
    std::optional<AuthContext> auth;
    //! The few request headers handlers look at (lower-case names): range, if-range,
    //! if-none-match.
    QHash<QByteArray, QByteArray> headers;
};

struct ApiResponse
{
    int status = 200;
    QJsonObject body;
    bool noBody = false;
    QList<QPair<QByteArray, QByteArray>> headers;
    //! A streamed body instead of JSON: `streamLength` bytes of `stream` from its current
    //! position, sent as `contentType`. With noBody (HEAD), only the length is announced.
    std::shared_ptr<QIODevice> stream;
    qint64 streamLength = -1;
    QByteArray contentType;

    static ApiResponse json(int status, QJsonObject body);
    static ApiResponse error(const Protocol::ApiError &error);
};

//! Called exactly once with the answer, from any thread.
using Reply = std::function<void(ApiResponse)>;

//! The HTTP API's logic: accounts, devices, the key directory, sending, the pull inbox.
//! Thread-safe: every worker thread calls into one instance. Slow work (Argon2) runs on a small
//! pool, writes go through the stores' group commit; nothing here blocks an event loop for long.
class ApiService
{
public:
    //! `fanout` (may be null: nothing is fanned out, e.g. in an admin command) is kicked after
    //! each group message or change is stored.
    ApiService(const Config &config, UserStore &users, DeviceStore &devices, KeyStore &keys,
               MessageStore &messages, GroupStore &groups, ReceiptStore &receipts, LinkStore &links,
               MessageBus &bus, SessionRegistry &registry, FanoutWorker *fanout,
               MediaService *media = nullptr);
    ~ApiService();

    std::optional<AuthContext> authenticate(const QByteArray &authorizationHeader);

    void health(const ApiRequest &request, Reply reply);
    void registerAccount(const ApiRequest &request, Reply reply);
    void login(const ApiRequest &request, Reply reply);
    void account(const ApiRequest &request, Reply reply);
    void listDevices(const ApiRequest &request, Reply reply);
    void revokeDevice(const ApiRequest &request, Reply reply);
    void userDevices(const ApiRequest &request, Reply reply);
    //! GET /v1/users?query=PREFIX[&limit=N]: the user directory, for starting a chat.
    void findUsers(const ApiRequest &request, Reply reply);
    void publishKeys(const ApiRequest &request, Reply reply);
    void keyStatus(const ApiRequest &request, Reply reply);
    void userKeys(const ApiRequest &request, Reply reply);
    void sendMessage(const ApiRequest &request, Reply reply);
    void inbox(const ApiRequest &request, Reply reply);
    void acknowledgeInbox(const ApiRequest &request, Reply reply);
    void presence(const ApiRequest &request, Reply reply);
    void privacy(const ApiRequest &request, Reply reply);
    void setPrivacy(const ApiRequest &request, Reply reply);

    //! Presence and typing, for the stream sessions.
    PresenceService &presence() { return m_presence; }

    // Groups (GroupApi.cpp).
    void createGroup(const ApiRequest &request, Reply reply);
    void listGroups(const ApiRequest &request, Reply reply);
    void getGroup(const ApiRequest &request, Reply reply);
    void addGroupMembers(const ApiRequest &request, Reply reply);
    void removeGroupMember(const ApiRequest &request, Reply reply);
    void setGroupMemberRole(const ApiRequest &request, Reply reply);
    void renameGroup(const ApiRequest &request, Reply reply);
    void sendGroupMessage(const ApiRequest &request, Reply reply);

    // Device linking (LinkApi.cpp).
    void createLink(const ApiRequest &request, Reply reply);
    void getLink(const ApiRequest &request, Reply reply);
    void claimLink(const ApiRequest &request, Reply reply);
    void approveLink(const ApiRequest &request, Reply reply);
    void rejectLink(const ApiRequest &request, Reply reply);
    void completeLink(const ApiRequest &request, Reply reply);
    void putLinkHistory(const ApiRequest &request, Reply reply);
    void getLinkHistory(const ApiRequest &request, Reply reply);
    void deleteLinkHistory(const ApiRequest &request, Reply reply);

    // Media (MediaApi.cpp).
    void createMedia(const ApiRequest &request, Reply reply);
    void mediaUploadUrl(const ApiRequest &request, Reply reply);
    void mediaDownloadUrl(const ApiRequest &request, Reply reply);
    void deleteMedia(const ApiRequest &request, Reply reply);
    void mediaUploadStatus(const ApiRequest &request, Reply reply);
    //! PATCH of an upload: received by the connection (MediaUpload), never routed here.
    void mediaUploadMisrouted(const ApiRequest &request, Reply reply);
    void mediaContent(const ApiRequest &request, Reply reply);
    MediaService *media() { return m_media; }

    // Receipts (ReceiptApi.cpp).
    void markRead(const ApiRequest &request, Reply reply);
    void receipts(const ApiRequest &request, Reply reply);
    //! A device stored (acknowledged) these messages: delivered receipts for their senders.
    void messagesAcknowledged(const AuthContext &device, const QList<qint64> &messageIds);
    //! The same for envelopes a stream pushed to the device (their positions are known).
    void envelopesAcknowledged(const AuthContext &device, const QList<PushedEnvelope> &envelopes);

    //! Waits for password hashing in flight (their writes are queued to the stores when done).
    void drain();

    //! A device opened its stream: remember when it was last seen.
    void deviceConnected(qint64 deviceId);

    //! Deletes inbox entries older than the retention period. Thread-safe.
    void purgeExpired(std::function<void(qint64 removed)> done);
    //! Creates an invite code valid for `ttlSeconds`; yields the code (shown once).
    void createInvite(qint64 ttlSeconds, std::function<void(Protocol::Result<QString>)> done);

private:
    struct Credentials
    {
        QString username;
        QString password;
        QString deviceName;
        QString inviteCode;
        QString platform;
        std::optional<DeviceKeys> keys; //!< Published with the new device.
    };
    //! Rate limit, parse and check the body of a sign-in or registration; answers on failure.
    std::optional<Credentials> readCredentials(const ApiRequest &request, const Reply &reply);
    //! Answers with the original receipt if this client id was already stored (true), or a
    //! 409 if it was stored for another conversation (true); false if it is new.
    bool answerStoredRetry(const AuthContext &sender, const QString &clientMessageId,
                           const QString &conversation, const Reply &reply);
    //! The user named by the path's {username}; otherwise answers 404 unknown_user.
    std::optional<User> pathUser(const ApiRequest &request, const Reply &reply);
    //! Takes a token from `limiter` for `key`; otherwise answers 429 with Retry-After.
    bool withinRate(RateLimiter &limiter, const QString &key, const QString &message,
                    const Reply &reply);
    bool checkAuthRate(const ApiRequest &request, const Reply &reply);
    //! Per-device payloads (`[{device, body}]` under `field`): objects, base64 bodies that are
    //! not empty, no device twice; otherwise answers 400.
    std::optional<QList<NewMessage::Copy>> readCopies(const QJsonArray &items, const QString &field,
                                                      const Reply &reply);
    //! The group id of the path's {id} (well-formed); otherwise answers 404 unknown_group.
    std::optional<QString> pathGroup(const ApiRequest &request, const Reply &reply);
    //! Resolves usernames (a JSON array under `key`, at most `max`); answers on failure.
    std::optional<QList<User>> readUsers(const QJsonObject &body, const QString &key, qint64 max,
                                         const Reply &reply);
    //! Applies a group change and answers with the group (status `status`).
    void applyGroupChange(GroupChange change, int status, const Reply &reply);
    void kickFanout();
    //! Pushes receipt changes to the devices of their audience.
    void publishReceipts(const QList<ReceiptChange> &changes);
    void signIn(const User &user, const QString &deviceName, const QString &platform,
                const std::optional<DeviceKeys> &keys, const Reply &reply);
    // Media (MediaApi.cpp).
    //! The media of the path's {id} (`ownOnly`: of the caller's account); otherwise answers.
    std::optional<MediaRecord> pathMedia(const ApiRequest &request, const Reply &reply,
                                         bool ownOnly);
    //! The media of a signed URL: the path's {id}, with a valid signature of its upload
    //! (`upload`) or download URL in the query; otherwise answers (404, 403).
    std::optional<MediaRecord> signedMedia(const ApiRequest &request, const Reply &reply,
                                           bool upload);
    //! A fresh signed upload (`upload`: {uploadUrl, expiresAt}) or download ({url, expiresAt})
    //! URL for the media.
    QJsonObject signedUrl(const MediaRecord &media, bool upload) const;
    //! Reads the optional "media" id list of a send; answers 400 on a bad one.
    std::optional<QStringList> readMediaIds(const QJsonObject &body, const Reply &reply);
    //! Lets `conversation` download `ids` (nothing to do when empty), then runs `next`.
    void attachMedia(const AuthContext &sender, const QStringList &ids, const QString &conversation,
                     const Reply &reply, std::function<void()> next);
    // Device linking (LinkApi.cpp).
    //! Which of the user's devices may act on a link: any, the one that opened it, the one it
    //! made, or either of those two.
    enum class LinkParty { AnyDevice, Creator, NewDevice, Either };
    //! The user's link `{id}` of the path (any user's for unauthenticated routes); otherwise
    //! answers 404. A caller that is not `party` gets 403 with `refusal`.
    std::optional<DeviceLinkRecord> pathLink(const ApiRequest &request, const Reply &reply,
                                             LinkParty party = LinkParty::AnyDevice,
                                             const char *refusal = "");
    //! Tells every device of the user that the link changed (never on the writer thread).
    void publishLink(const DeviceLinkRecord &link);
    //! Answers 200 with the link (after telling the user's devices, if `publish`), or the error.
    Done<DeviceLinkRecord> answerLink(const Reply &reply, bool publish);

    const Config &m_config;
    UserStore &m_users;
    DeviceStore &m_devices;
    KeyStore &m_keys;
    MessageStore &m_messages;
    GroupStore &m_groups;
    ReceiptStore &m_receipts;
    LinkStore &m_links;
    MessageBus &m_bus;
    SessionRegistry &m_registry;
    FanoutWorker *m_fanout = nullptr;
    MediaService *m_media = nullptr;
    PasswordHasher m_hasher;
    RateLimiter m_authLimiter;
    RateLimiter m_messageLimiter;
    RateLimiter m_keyFetchLimiter;
    QThreadPool m_hashPool;
    PresenceService m_presence;
};

} // namespace Tincan::Server
