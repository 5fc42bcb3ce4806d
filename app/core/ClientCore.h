#pragma once

#include "app/core/ApiClient.h"
#include "app/core/CertificatePin.h"
#include "app/core/DownloadReceiver.h"
#include "app/core/LocalStore.h"
#include "app/core/Profile.h"
#include "app/core/StreamClient.h"
#include "app/core/TypingTracker.h"
#include "app/core/UploadSender.h"
#include "shared/protocol/MessageContent.h"

#include <QHash>
#include <QJsonArray>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>

class QThread;

namespace Tincan::Crypto {
class DeviceCrypto;
struct PreKeyBundle;
struct SafetyNumber;
} // namespace Tincan::Crypto

namespace Tincan::Client {

//! One account on one device: profile, encrypted local store, Signal protocol state, HTTP API,
//! stream, outbox. This is what the desktop app and tincan-cli drive.
//!
//! Threading: everything here (the SQLCipher connection, the libsignal context, the network
//! objects) belongs to the thread that created the core. The desktop app runs it on its own
//! thread, so decrypting a backlog never blocks the UI thread; tincan-cli runs it on main.
//!
//! Sending: send() writes the message and an outbox entry in one transaction, then the outbox is
//! worked off in order, one request at a time, retrying with the same client message id until
//! the server answers (so a crash or a lost answer never duplicates a message). Each entry is
//! encrypted once per target device (the recipient's devices and our own other devices) with
//! the Signal protocol; missing sessions are started from key bundles (X3DH). A 409
//! device_mismatch drops stale sessions, refreshes the device lists and retries at once.
//!
//! Receiving: each envelope is decrypted and stored in one transaction (so the ratchet never
//! advances without the message being kept) before it is acknowledged. A payload that cannot be
//! decrypted is kept as Undecryptable with the reason; the session with that device is dropped
//! and the device is asked (over a fresh session) to resend, which repairs the message.
//!
//! Transport: https:// (and wss://) with the server's certificate pinned in the profile on first
//! use (certificatePinned); a server that later shows another certificate gets nothing (HTTP
//! calls fail with certificate_changed, the stream stops, fatalError says why).
class ClientCore : public QObject
{
    Q_OBJECT

public:
    //! Asks the user for the passphrase of the database key when there is no keychain.
    //! `creating`: a new passphrase is being chosen. Return nothing to cancel.
    using PassphrasePrompt =
        std::function<std::optional<QString>(bool creating, const QString &reason)>;

    explicit ClientCore(const QString &profileDirectory, QObject *parent = nullptr);
    ~ClientCore() override;

    void setPassphrasePrompt(PassphrasePrompt prompt) { m_passphrasePrompt = std::move(prompt); }
    //! Opens the profile: obtains the database key (keychain, or passphrase), opens the SQLCipher
    //! database and the Signal protocol state.
    bool open(QString *error);
    //! Opens `reader` as a read-only view of this core's database, for the calling thread (any
    //! thread, once open() returned there). The desktop app's UI reads history through it
    //! while the core runs on its own thread.
    bool openReader(LocalStore &reader, QString *error);
    Profile &profile() { return m_profile; }
    LocalStore &store() { return m_store; }
    ApiClient &api() { return m_api; }
    StreamClient &stream() { return m_stream; }
    Crypto::DeviceCrypto &crypto() { return *m_crypto; }
    CertificatePin &certificatePin() { return m_pin; }

    //! Overrides (and remembers) the server URL: https://, or http:// on this machine (loopback)
    //! or when plain HTTP was allowed. Another server than before drops the pinned certificate.
    bool setServerUrl(const QUrl &url, QString *error);
    //! Allows http:// URLs of other machines (passwords and tokens then cross the network
    //! unencrypted). Not remembered.
    void setPlainHttpAllowed(bool allowed) { m_plainHttpAllowed = allowed; }
    //! Pins (and remembers) the certificate the server must show, instead of trusting the first
    //! one: SHA-256, 64 hex digits, colons optional, any case.
    bool pinServerCertificate(const QString &fingerprint, QString *error);

    //! Creates the account and signs this profile's device in, publishing its keys.
    void registerAccount(const QString &username, const QString &password,
                         const QString &deviceName, const QString &inviteCode, ApiCallback done);
    void login(const QString &username, const QString &password, const QString &deviceName,
               ApiCallback done);

    //! Opens the stream and starts working off the outbox.
    void connectToServer();
    void disconnectFromServer();

    //! Queues a text message to a user or to a group ("group:<id>"); returns its client message
    //! id (empty with `error` on failure). Refused while the recipient's safety number changed
    //! after being verified, until acceptSafetyNumberChange().
    QString send(const QString &to, const QString &text, QString *error);

    // ---- groups (ClientGroups.cpp) ----
    // Each call answers with the server's result; on success the local group state is updated
    // and groupChanged() emitted. Every member device sees the change as an event message.
    void createGroup(const QString &name, const QStringList &members, ApiCallback done);
    void addGroupMembers(const QString &groupId, const QStringList &users, ApiCallback done);
    void removeGroupMember(const QString &groupId, const QString &user, ApiCallback done);
    void leaveGroup(const QString &groupId, ApiCallback done);
    void setGroupAdmin(const QString &groupId, const QString &user, bool admin, ApiCallback done);
    void renameGroup(const QString &groupId, const QString &name, ApiCallback done);
    //! Fetches the group's members and devices; rotates our sender key if a holder is gone.
    void refreshGroup(const QString &groupId, std::function<void(bool ok, QString code)> next);
    std::optional<GroupInfo> group(const QString &groupId);
    QList<GroupInfo> groups();
    //! The readable line of a group event ("alice added bob").
    static QString groupEventText(const QJsonObject &event);

    // ---- receipts (ClientReceipts.cpp) ----
    //! The user saw `conversation` up to `seq` (0: its last message): our other devices and the
    //! senders learn it. Batched: one mark covers every message before it.
    void markRead(const QString &conversation, qint64 seq = 0);
    //! Who got and who read our message.
    ReceiptSummary receiptSummary(const QString &clientMessageId);
    int unreadCount(const QString &conversation);
    //! Shares read receipts, or not (then none are shown from others either).
    void setReadReceiptsShared(bool shared, ApiCallback done);
    int outboxSize();
    //! Works off the outbox without opening the stream.
    void flushOutbox();

    // ---- devices and linking (ClientDevices.cpp) ----
    //! What the existing device shows for a new one: the code (Protocol::DeviceLink::formatCode
    //! for display) and the link URI for the QR code (server and pinned certificate included).
    struct LinkOffer
    {
        qint64 id = 0;
        QString code;
        QString uri;
        qint64 expiresAt = 0;
    };
    using LinkOfferCallback = std::function<void(const ApiResult &, const LinkOffer &)>;
    //! Opens a link for a new device. Then linkChanged() reports it claimed (with the new
    //! device's name and verification code): approveLink() or rejectLink().
    void startLink(LinkOfferCallback done);
    //! Approves a claimed link. Once the device exists this one sends it the history from
    //! `historySinceMs` on (0: everything; -1: none), sealed, with the key end to end; the
    //! choice is kept across restarts until the history is sent (historySent()).
    //! `shown`: the claimed link as the user saw it (its verification code); the server's
    //! current view must carry the same key, and its proof must hold (see linkProof()).
    void approveLink(const Protocol::LinkEvent &shown, qint64 historySinceMs, ApiCallback done);
    //! How a claimed link's key is vouched for. Verified: the new device proved it read our
    //! link URI (scanned the QR code, or pasted the address). Typed: the code was entered by
    //! hand, so only the user's comparison of the verification code vouches for the key.
    //! Invalid: a wrong proof (never approvable). NotOurs: another device opened the link.
    enum class LinkProof { Verified, Typed, Invalid, NotOurs };
    LinkProof linkProof(const Protocol::LinkEvent &link);
    void rejectLink(qint64 linkId, ApiCallback done);
    //! The verification code of a claimed link (the same twelve digits show on the new device).
    static QString linkVerificationCode(const Protocol::LinkEvent &link);

    //! On a profile that is not signed in yet: joins the account of another device, which
    //! showed `codeOrUri` (a link code, or the link URI of its QR code, which also names the
    //! server and its certificate). `claimed` is called once the code was accepted, with the
    //! verification code to compare and the account's name; `done` when this device is signed
    //! in (or the link failed: rejected, expired, unknown code). Then connectToServer(); the
    //! history arrives by itself (historyReceived()).
    void
    linkDevice(const QString &codeOrUri, const QString &deviceName,
               std::function<void(const QString &verification, const QString &username)> claimed,
               ApiCallback done);
    //! Stops waiting for approval (linkDevice() then answers with a "cancelled" error).
    void cancelLinkDevice();
    //! How often linkDevice() asks whether the link was approved (ms).
    void setLinkPollInterval(int ms) { m_linkPollMs = ms; }

    //! The server's user directory: usernames that start with `prefix` (GET /v1/users).
    void findUsers(const QString &prefix, std::function<void(const ApiResult &, QStringList)> done);
    //! GET /v1/devices: this account's devices (name, platform, last seen, online).
    void listDevices(ApiCallback done);
    //! Revokes one of the account's devices (also this one: then it is signed out for good).
    void revokeDevice(qint64 deviceId, ApiCallback done);

    // ---- media (ClientMedia.cpp) ----
    //! Sends a file to a user or a group ("group:<id>"): encrypted on this device with a fresh
    //! key (Crypto::MediaCipher), uploaded to the server's asset service (resumable: after a
    //! cut connection or a restart it continues where the server stopped), then sent as a
    //! message whose attachment carries the key, digest, name, type and a thumbnail. Returns
    //! the transfer id, which becomes the message's client id (empty with `error` on failure).
    //! The message is in the conversation at once, with status Uploading (messageAdded()), and
    //! becomes Pending when the upload completes (messageStatusChanged()); an upload that fails
    //! for good leaves it Failed.
    //! Progress: transferProgress(); the end: transferFinished().
    QString sendFile(const QString &to, const QString &path, const QString &caption,
                     QString *error);
    //! Downloads attachment `index` of message `clientMessageId` into the encrypted media cache
    //! (ciphertext, resumed with a Range request after a cut), verifies its digest and writes
    //! the decrypted file to `destination` (only when everything checked out). Returns the
    //! transfer id ("<mediaId>"), or empty with `error`.
    QString fetchMedia(const QString &clientMessageId, int index, const QString &destination,
                       QString *error);
    //! Pauses, resumes or cancels an upload or download. Cancelling an upload deletes its
    //! message (messageRemoved()).
    bool pauseTransfer(const QString &id);
    bool resumeTransfer(const QString &id);
    bool cancelTransfer(const QString &id);
    //! Deletes one of our messages that never reached the server: a file still uploading (the
    //! upload is cancelled) or a message that failed. False with `error` otherwise.
    bool discardUnsent(const QString &clientMessageId, QString *error);
    //! Starts the uploads kept from an earlier run (also done when the stream connects).
    void resumeUploads() { resumeTransfersAfterReconnect(); }
    //! Transfers running or waiting in this session.
    QStringList activeTransfers() const;
    //! How many transfers run at once (more wait their turn).
    void setMaxConcurrentTransfers(int count) { m_maxTransfers = std::max(1, count); }
    //! The attachments of a stored message (empty if it has none).
    static QList<Protocol::Attachment> attachmentsOf(const StoredMessage &message);
    //! Where downloaded media (ciphertext) is cached.
    QString mediaCacheDirectory() const;

    // ---- identity and trust ----
    //! The safety number with `user`, over the identity keys of all devices we have sessions
    //! with on both sides; nothing if there is no session yet.
    std::optional<Crypto::SafetyNumber> safetyNumber(const QString &user);
    //! Marks `user` verified at the current safety number.
    bool markVerified(const QString &user, QString *error);
    bool clearVerified(const QString &user);
    //! The user saw that the safety number changed and wants to send anyway.
    bool acceptSafetyNumberChange(const QString &user);

    // ---- key maintenance (public for tests and tools) ----
    //! Checks the server's count of our one-time pre-keys and tops it up; rotates the signed
    //! pre-key when it is older than the rotation interval.
    void maintainKeys(std::function<void(bool ok)> done = {});
    void setKeyPolicy(qint64 signedPreKeyRotationMs, qint64 signedPreKeyGraceMs, int preKeyBatch);

    //! Retry bounds for the outbox, for tests.
    void setRetryDelays(int initialMs, int maxMs);

    // ---- presence and typing ----
    using PresenceCallback =
        std::function<void(const ApiResult &result, const QList<Protocol::PresenceUpdate> &)>;
    //! Asks the server what we may see of these users' presence (GET /v1/presence): online,
    //! offline with last seen, hidden, or unknown (no shared conversation).
    void fetchPresence(const QStringList &users, PresenceCallback done);
    //! Shows or hides our presence and last seen to everyone; hidden, we see no one's either.
    void setPresenceVisible(bool visible, ApiCallback done);
    //! Tells the other side of `conversation` ("dm:a:b") that we type, or stopped. Call it with
    //! true on every keystroke (it is sent at most every TypingTracker::SendIntervalMs) and with
    //! false when the text is sent or cleared. Does nothing while the stream is down.
    void setTyping(const QString &conversation, bool typing);
    TypingTracker &typing() { return m_typing; }

Q_SIGNALS:
    void messageReceived(const Tincan::Client::StoredMessage &message);
    //! An Undecryptable message became readable after its sender resent it.
    void messageRepaired(const Tincan::Client::StoredMessage &message);
    //! A payload could not be decrypted; it was recorded and a resend was requested.
    void decryptionFailed(const QString &user, qint64 device, const QString &reason);
    void messageStatusChanged(const QString &clientMessageId,
                              Tincan::Client::StoredMessage::Status status, const QString &error);
    //! One of our messages was created on this device without being queued yet (a file that
    //! starts uploading, status Uploading).
    void messageAdded(const Tincan::Client::StoredMessage &message);
    //! One of our unsent messages was deleted (a cancelled upload, a discarded failure).
    void messageRemoved(const QString &conversation, const QString &clientMessageId);
    //! A contact's safety number changed (a device's identity key changed, or a verified
    //! contact's set of devices changed). `wasVerified`: sending now asks for confirmation.
    void safetyNumberChanged(const QString &user, bool wasVerified);
    //! What we know of a group changed (members, name, our membership).
    void groupChanged(const QString &groupId);
    //! Another participant's (or our own) delivered/read position grew.
    void receiptChanged(const QString &conversation, const QString &user, qint64 delivered,
                        qint64 read);
    //! The conversation was read up to `seq` (here, or on another of our devices).
    void conversationRead(const QString &conversation, qint64 seq);
    //! Every read mark reached the server.
    void readMarksFlushed();
    //! One of our device links changed (claimed: ask the user; linked; rejected; expired).
    void linkChanged(const Tincan::Protocol::LinkEvent &link);
    //! The history for a linked device was sealed, uploaded and its key sent.
    void historySent(qint64 linkId, int messageCount);
    //! History from our other device was imported (`messageCount` new messages).
    void historyReceived(int messageCount);
    void historyFailed(const QString &reason);
    void keysPublished(int preKeyCount);
    void connectionStateChanged(bool online);
    //! A contact's presence changed (pushed by the server). `lastSeenMs` 0: not shown (they
    //! hid it, or we hid ours).
    void presenceChanged(const QString &user, bool online, qint64 lastSeenMs);
    //! `user` started or stopped typing in `conversation`; a start ends by itself after
    //! TypingTracker::expiryMs() without a refresh.
    void typingChanged(const QString &conversation, const QString &user, bool typing);
    void synced();
    void outboxEmpty();
    //! A transfer moved: `done` of `total` bytes (ciphertext), at `bytesPerSecond`.
    void transferProgress(const QString &id, qint64 done, qint64 total, qint64 bytesPerSecond);
    //! A transfer ended: sent/saved (`ok`), or failed/cancelled with a readable `error`.
    void transferFinished(const QString &id, bool ok, const QString &error);
    //! Something the user must act on (revoked device, broken profile, changed certificate).
    void fatalError(const QString &message);
    //! No certificate was pinned, and the server's became the pin: show it, so the user can
    //! compare it with the one the administrator announced.
    void certificatePinned(const QString &fingerprint);

private:
    bool obtainDatabaseKey(QByteArray *key, QString *error);
    bool encryptExistingPlaintextDatabase(const QByteArray &key, QString *error);
    QJsonObject signInKeys(QString *error);
    //! Puts this device's keys on the next sign-in request; on failure answers `done`.
    bool prepareSignIn(const ApiCallback &done);
    void signedIn(const ApiResult &result, const ApiCallback &done);
    void processOutbox();
    void sendEntry(const OutboxEntry &entry);
    struct Target
    {
        QString user;
        qint64 device = 0;
        bool fresh = false; //!< Start a new session even if there is one (repair).
    };
    void ensureSessions(const QList<Target> &targets, std::function<void(bool, QString)> next);
    void encryptAndPost(const OutboxEntry &entry, QList<Target> targets, bool targeted);
    void withDevices(const QString &username, std::function<void(bool, QString)> next);
    void entryFailed(const OutboxEntry &entry, const QString &reason);
    void retryLater(int hintSeconds);
    void onEnvelope(const Protocol::Envelope &envelope);
    //! An envelope was stored (or was a duplicate): acknowledge it; check safety numbers and
    //! pre-keys if it started a session.
    void envelopeStored(const Protocol::Envelope &envelope, bool preKeyMessage);
    //! The message an incoming envelope makes, before its content is known.
    static StoredMessage messageFrom(const Protocol::Envelope &envelope,
                                     const QString &conversation, bool outgoing);
    //! Keeps the ciphertexts made for an outbox entry and commits the transaction that advanced
    //! the sessions; on failure rolls back and schedules a retry (false).
    bool keepEncrypted(const OutboxEntry &entry, const QJsonObject &made);
    // Groups (ClientGroups.cpp).
    void groupCall(const QByteArray &verb, const QString &path, const QJsonObject &body,
                   ApiCallback done);
    bool saveGroupState(const GroupInfo &group, const std::optional<GroupInfo> &known);
    bool rotateGroupKey(const QString &groupId);
    void sendGroupEntry(const OutboxEntry &entry);
    void postGroupEntry(const OutboxEntry &entry, const QJsonObject &made);
    void onGroupEnvelope(const Protocol::Envelope &envelope);
    void applyGroupEvent(const QString &groupId, const QJsonObject &event, bool *refresh);
    // Receipts (ClientReceipts.cpp).
    QStringList otherParticipants(const QString &conversation);
    void refreshReceiptStatuses(const QString &conversation);
    //! Our message reached the server: announce it, and apply receipts that came first.
    void messageSent(const QString &clientMessageId);
    void onReceipt(const Protocol::ReceiptState &state);
    void flushReadMarks();
    void fetchReceipts();
    void requestResend(const QString &user, qint64 device, const QString &clientMessageId);
    void checkSafetyNumber(const QString &user, bool identityChanged);
    void addNotice(const QString &user, const QString &text);
    void publishKeys(const QJsonObject &body, std::function<void(bool)> done);
    //! A key bundle of GET /v1/users/{username}/keys; nothing if malformed.
    static std::optional<Crypto::PreKeyBundle> parseBundle(const QJsonObject &object);
    // Devices and linking (ClientDevices.cpp).
    static QString pendingHistoryKey(qint64 linkId);
    void onLinkEvent(const Protocol::LinkEvent &link);
    //! Sends the history of approved links whose device now exists (after a restart too).
    void resumeLinks();
    void sendHistory(qint64 linkId, qint64 deviceId, qint64 sinceMs, const QByteArray &identityKey);
    void sealAndUpload(qint64 linkId, qint64 deviceId, qint64 sinceMs);
    //! The link needs nothing more from us: forget its secret and history choice.
    void finishLink(qint64 linkId);
    void uploadHistoryPart(qint64 linkId, qint64 deviceId, QList<QByteArray> parts, int index,
                           const QByteArray &descriptor, int messageCount);
    QByteArray exportHistory(qint64 sinceMs, int *messageCount);
    bool importHistory(const QByteArray &bundle, int *imported, QString *error);
    void receivePendingHistory();
    void fetchHistoryPart(const Protocol::MessageContent &transfer, QByteArray collected,
                          qint64 part);
    void pollLink(qint64 linkId, const QString &secret);
    void flushAcks();
    // Media (ClientMedia.cpp).
    struct Transfer;
    static QJsonArray mediaIdsOf(const Protocol::MessageContent &content);
    //! Checks that `to` can be sent to now (user, group membership, trust); false with `error`.
    bool checkRecipient(const QString &to, QString *error);
    void scheduleTransfers();
    void runUpload(const QString &id);
    void uploadStep(const std::shared_ptr<Transfer> &transfer);
    void patchUpload(const std::shared_ptr<Transfer> &transfer, qint64 offset);
    void patchFinished(const std::shared_ptr<Transfer> &transfer,
                       const UploadSender::Result &result);
    //! Stops the transfers under way on their own threads and waits for them (destruction).
    void stopTransferThreads();
    //! Runs `work` (a blocking UploadSender or DownloadReceiver) on a thread of its own, joined
    //! by stopTransferThreads().
    void startTransferThread(const QString &name, std::function<void()> work);
    struct Alive;
    //! Reports a transfer thread's progress on the core's thread (while the transfer runs).
    static std::function<void(qint64)> progressReporter(const std::shared_ptr<Alive> &alive,
                                                        const std::weak_ptr<Transfer> &weak);
    void finishUpload(const std::shared_ptr<Transfer> &transfer);
    //! Our message carrying `content` to `to` (a user or "group:<id>"), not yet stored.
    StoredMessage outgoingMediaMessage(const QString &clientMessageId, const QString &to,
                                       const Protocol::MessageContent &content) const;
    //! The server has the whole upload with this digest: check it, then send the message.
    void uploadCompleted(const std::shared_ptr<Transfer> &transfer, const QByteArray &serverDigest);
    //! The upload was complete before we heard of it: ask for its digest.
    void confirmUpload(const std::shared_ptr<Transfer> &transfer);
    void runDownload(const std::shared_ptr<Transfer> &transfer);
    void getDownload(const std::shared_ptr<Transfer> &transfer, const QString &url);
    void finishDownload(const std::shared_ptr<Transfer> &transfer);
    void downloadFinished(const std::shared_ptr<Transfer> &transfer,
                          const DownloadReceiver::Result &result);
    void transferFailed(const std::shared_ptr<Transfer> &transfer, const QString &error,
                        bool retry);
    void endTransfer(const std::shared_ptr<Transfer> &transfer, bool ok, const QString &error);
    void resumeTransfersAfterReconnect();

    Profile m_profile;
    LocalStore m_store;
    std::unique_ptr<Crypto::DeviceCrypto> m_crypto;
    CertificatePin m_pin; // Before the clients that use it.
    ApiClient m_api;
    StreamClient m_stream;
    TypingTracker m_typing;
    PassphrasePrompt m_passphrasePrompt;
    //! Kept for openReader() (SQLCipher holds it in memory anyway); wiped on destruction.
    QByteArray m_databaseKey;
    QHash<QString, QList<qint64>> m_deviceCache;
    QTimer m_retryTimer;
    QTimer m_ackTimer;
    QTimer m_maintainTimer;
    QList<qint64> m_pendingAcks;
    //! The stream caught up (`synced`) and has not dropped since: ACKs then wait AckDelayMs.
    bool m_streamLive = false;
    QStringList m_changedIdentities; //!< Users whose identity changed during the current call.
    bool m_sending = false;
    bool m_connected = false;
    bool m_maintaining = false;
    bool m_plainHttpAllowed = false;
    bool m_sendingReadMark = false;
    bool m_fetchingReceipts = false;
    bool m_receivingHistory = false;
    QSet<qint64> m_sendingHistory;
    int m_linkPollMs = 1000;
    //! Lets work on other threads post back to this object while it exists (ClientMedia.cpp).
    struct Alive
    {
        std::mutex mutex;
        ClientCore *core = nullptr;
        //! Runs `call` on the core's thread, if the core still exists. Any thread.
        void post(std::function<void(ClientCore *)> call);
    };
    std::shared_ptr<Alive> m_alive = std::make_shared<Alive>();
    QHash<QString, std::shared_ptr<Transfer>> m_transfers;
    QSet<QThread *> m_transferThreads; //!< requests running (UploadSender, DownloadReceiver)
    QStringList m_transferQueue;
    int m_maxTransfers = 3;
    ApiCallback m_linkDone;
    int m_retryAttempt = 0;
    int m_mismatchRetries = 0;
    static constexpr int MaxGroupChangeRetries = 5;
    int m_initialRetryMs = 500;
    int m_maxRetryMs = 30000;
    qint64 m_rotationMs = 7LL * 24 * 3600 * 1000;
    qint64 m_graceMs = 30LL * 24 * 3600 * 1000;
    int m_preKeyBatch = 100;
};

} // namespace Tincan::Client
