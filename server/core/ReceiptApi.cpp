// The receipt endpoints of ApiService: "read up to" marks, receipt catch-up, and delivered
// receipts from acknowledgements. Receipts are positions (seqs) per participant and
// conversation, so one covers many messages; they travel beside messages, never in their way.

#include "server/core/ApiService.h"
#include "server/core/MessageBus.h"
#include "shared/protocol/JsonReader.h"
#include "shared/protocol/Validation.h"

#include <QJsonArray>

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
    for (const ReceiptChange &change : changes) {
        QList<qint64> devices;
        for (const qint64 userId : change.audience) {
            for (const Device &device : m_devices.devicesOf(userId)) {
                devices.append(device.id);
            }
        }
        if (!devices.isEmpty()) {
            m_bus.publishFrame(devices, Protocol::receiptFrame(change.state));
        }
    }
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
    const QString limitText = request.query.queryItemValue(QStringLiteral("limit"));
    const qint64 since = sinceText.isEmpty() ? 0 : sinceText.toLongLong(&sinceOk);
    const qint64 limit = limitText.isEmpty() ? MaxReceiptPage : limitText.toLongLong(&limitOk);
    if (!sinceOk || since < 0 || !limitOk || limit < 1 || limit > MaxReceiptPage) {
        reply(ApiResponse::error(ApiError::badRequest(
            QStringLiteral("'since' must be a non-negative integer (ms) and 'limit' between 1 "
                           "and %1.")
                .arg(MaxReceiptPage))));
        return;
    }
    const QList<Protocol::ReceiptState> states =
        m_receipts.receiptsSince(request.auth->userId, request.auth->username, since, limit);
    QJsonArray array;
    for (const Protocol::ReceiptState &state : states) {
        array.append(state.toJson());
    }
    reply(ApiResponse::json(200, {{QStringLiteral("receipts"), array},
                                  {QStringLiteral("more"), states.size() == limit}}));
}

} // namespace Tincan::Server
