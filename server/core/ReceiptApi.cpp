// The receipt endpoints of ApiService: "read up to" marks, receipt catch-up, and delivered
// receipts from acknowledgements. Receipts are positions (seqs) per participant and
// conversation, so one covers many messages; they travel beside messages, never in their way.

#include "server/core/ApiService.h"
#include "server/core/MessageBus.h"
#include "shared/protocol/JsonReader.h"
#include "shared/protocol/Validation.h"

#include <QHash>
#include <QJsonArray>

#include <algorithm>

namespace Tincan::Server {

using Protocol::ApiError;
using Protocol::JsonReader;
using Protocol::Result;

namespace {
constexpr qint64 MaxId = (qint64(1) << 53);
constexpr qint64 MaxReceiptPage = 1000;
} // namespace

void ApiService::publishReceipts(const QList<ReceiptChange> &changes)
{
    // Runs on the writer thread (store completions): no reads here, the store worked out the
    // devices (ReceiptChange). Delivered positions always travel; read positions as the
    // privacy switches allow.
    QList<MessageBus::ReceiptPublication> publications;
    for (const ReceiptChange &change : changes) {
        if (!change.fullDevices.isEmpty()) {
            publications.append({change.fullDevices, change.state});
        }
        if (!change.deliveredOnlyDevices.isEmpty() && change.deliveredChanged) {
            Protocol::ReceiptState hidden = change.state;
            hidden.read = 0;
            publications.append({change.deliveredOnlyDevices, hidden});
        }
    }
    m_bus.publishReceipts(publications);
}

void ApiService::messagesAcknowledged(const AuthContext &device, const QList<qint64> &messageIds)
{
    if (messageIds.isEmpty()) {
        return;
    }
    m_receipts.markDelivered(device.userId, messageIds,
                             [this](Result<QList<ReceiptChange>> changes) {
                                 if (changes) {
                                     publishReceipts(*changes);
                                 }
                             });
}

void ApiService::envelopesAcknowledged(const AuthContext &device,
                                       const QList<PushedEnvelope> &envelopes)
{
    // One position per conversation: an ACK covers a few conversations at most.
    QList<DeliveredPosition> positions;
    for (const PushedEnvelope &envelope : envelopes) {
        if (!envelope.countsAsDelivered) {
            continue;
        }
        const auto it = std::find_if(positions.begin(), positions.end(),
                                     [&envelope](const DeliveredPosition &position) {
                                         return position.conversation == envelope.conversation;
                                     });
        if (it == positions.end()) {
            positions.append({envelope.conversation, envelope.seq});
        } else {
            it->seq = std::max(it->seq, envelope.seq);
        }
    }
    if (positions.isEmpty()) {
        return;
    }
    m_receipts.markDeliveredAt(device.userId, std::move(positions),
                               [this](Result<QList<ReceiptChange>> changes) {
                                   if (changes) {
                                       publishReceipts(*changes);
                                   }
                               });
}

void ApiService::markRead(const ApiRequest &request, Reply reply)
{
    auto body = Protocol::parseJsonObject(request.body);
    if (!body) {
        reply(ApiResponse::error(body.error()));
        return;
    }
    JsonReader reader(*body);
    const QString conversation = reader.string(QStringLiteral("conversation"), 128);
    const qint64 seq = reader.integer(QStringLiteral("seq"), 1, MaxId);
    if (!reader.ok()) {
        reply(ApiResponse::error(reader.error()));
        return;
    }
    if (Protocol::groupIdOf(conversation).isEmpty() &&
        Protocol::directPeer(conversation, request.auth->username).isEmpty()) {
        reply(ApiResponse::error(ApiError::notFound(
            QStringLiteral("You are not in this conversation."), Protocol::ErrorCode::NotFound)));
        return;
    }
    m_receipts.markRead(request.auth->userId, conversation, seq,
                        [this, reply](Result<std::optional<ReceiptChange>> change) {
                            if (!change) {
                                reply(ApiResponse::error(change.error()));
                                return;
                            }
                            QJsonObject answer{{QStringLiteral("changed"), change->has_value()}};
                            if (*change) {
                                answer.insert(QStringLiteral("receipt"), (*change)->state.toJson());
                            }
                            reply(ApiResponse::json(200, answer));
                            if (*change) {
                                publishReceipts({**change});
                            }
                        });
}

void ApiService::receipts(const ApiRequest &request, Reply reply)
{
    bool sinceOk = true;
    bool limitOk = true;
    const QString sinceText = request.query.queryItemValue(QStringLiteral("since"));
    const QString afterText =
        request.query.queryItemValue(QStringLiteral("after"), QUrl::FullyDecoded);
    const QString limitText = request.query.queryItemValue(QStringLiteral("limit"));
    const qint64 since = sinceText.isEmpty() ? 0 : sinceText.toLongLong(&sinceOk);
    const qint64 limit = limitText.isEmpty() ? MaxReceiptPage : limitText.toLongLong(&limitOk);
    // `after` (the `next` of the previous page) continues exactly; `since` starts at a time.
    const std::optional<ReceiptCursor> after = afterText.isEmpty()
                                                   ? std::optional(ReceiptCursor{since, 0, {}})
                                                   : ReceiptCursor::fromString(afterText);
    if (!sinceOk || since < 0 || !limitOk || limit < 1 || limit > MaxReceiptPage || !after) {
        reply(ApiResponse::error(ApiError::badRequest(
            QStringLiteral("'since' must be a non-negative integer (ms), 'after' the 'next' of "
                           "an earlier answer, and 'limit' between 1 and %1.")
                .arg(MaxReceiptPage))));
        return;
    }
    QList<ReceiptCursor> cursors;
    const QList<Protocol::ReceiptState> states = m_receipts.receiptsAfter(
        request.auth->userId, request.auth->username, *after, limit, &cursors);
    const bool viewerShares = m_users.sendsReadReceipts(request.auth->userId);
    QHash<QString, bool> shares; // username -> shares read receipts
    QJsonArray array;
    for (Protocol::ReceiptState state : states) {
        if (state.user != request.auth->username) {
            if (!shares.contains(state.user)) {
                const std::optional<User> user = m_users.userByName(state.user);
                shares.insert(state.user, user && m_users.sendsReadReceipts(user->id));
            }
            if (!viewerShares || !shares.value(state.user)) {
                state.read = 0;
            }
        }
        array.append(state.toJson());
    }
    const ReceiptCursor next = cursors.isEmpty() ? *after : cursors.last();
    reply(ApiResponse::json(200, {{QStringLiteral("receipts"), array},
                                  {QStringLiteral("more"), states.size() == limit},
                                  {QStringLiteral("next"), next.toString()}}));
}

} // namespace Tincan::Server
