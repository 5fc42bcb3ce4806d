// ClientCore's receipts: delivered and read positions of the other participants (which turn our
// messages Delivered and Read), our own read position (sent to the server, batched, and synced
// from our other devices), and catch-up after being offline. See docs/protocol.md ("Receipts").

#include "app/core/ClientCore.h"

#include "app/core/Logging.h"
#include "shared/protocol/Validation.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrlQuery>

namespace Tincan::Client {

namespace {
const auto ReadMarksSetting = QStringLiteral("pending_read_marks");
const auto ReceiptsSinceSetting = QStringLiteral("receipts_since");
} // namespace

QStringList ClientCore::otherParticipants(const QString &conversation)
{
    const QString self = m_profile.username();
    const QString groupId = Protocol::groupIdOf(conversation);
    if (groupId.isEmpty()) {
        const QString peer = Protocol::directPeer(conversation, self);
        return peer.isEmpty() || peer == self ? QStringList() : QStringList{peer};
    }
    QStringList others;
    if (const auto group = m_store.group(groupId)) {
        for (const GroupMemberInfo &member : group->members) {
            if (member.user != self) {
                others.append(member.user);
            }
        }
    }
    return others;
}

void ClientCore::refreshReceiptStatuses(const QString &conversation)
{
    const auto changed =
        m_store.updateReceiptStatuses(conversation, otherParticipants(conversation));
    for (const auto &[id, status] : changed) {
        Q_EMIT messageStatusChanged(id, status, {});
    }
}

void ClientCore::messageSent(const QString &clientMessageId)
{
    Q_EMIT messageStatusChanged(clientMessageId, StoredMessage::Status::Sent, {});
    // Receipts may have come before the confirmation (a lost answer).
    if (const auto message = m_store.message(m_profile.username(), clientMessageId)) {
        refreshReceiptStatuses(message->conversation);
    }
}

void ClientCore::onReceipt(const Protocol::ReceiptState &state)
{
    const QString self = m_profile.username();
    const bool group = !Protocol::groupIdOf(state.conversation).isEmpty();
    if ((!group && Protocol::directPeer(state.conversation, self).isEmpty()) ||
        !Protocol::isValidUsername(state.user)) {
        return; // Not one of our conversations.
    }
    bool changed = false;
    if (!m_store.applyReceipt(state.conversation, state.user, state.delivered, state.read,
                              &changed)) {
        qCWarning(lcDb) << "cannot store a receipt:" << m_store.lastError();
        return;
    }
    if (!changed) {
        return;
    }
    Q_EMIT receiptChanged(state.conversation, state.user, state.delivered, state.read);
    if (state.user == self) {
        // Read on another of our devices: this one shows the conversation read too.
        Q_EMIT conversationRead(state.conversation,
                                m_store.receipt(state.conversation, self).second);
        return;
    }
    refreshReceiptStatuses(state.conversation);
}

void ClientCore::markRead(const QString &conversation, qint64 seq)
{
    const QString self = m_profile.username();
    if (seq <= 0) {
        seq = m_store.lastSeq(conversation);
    }
    if (seq <= 0) {
        return;
    }
    bool changed = false;
    if (!m_store.applyReceipt(conversation, self, seq, seq, &changed) || !changed) {
        return;
    }
    Q_EMIT conversationRead(conversation, seq);
    // One "read up to" per conversation, kept until the server has it (so it survives going
    // offline); a newer mark replaces an older one that was not sent yet.
    QJsonObject marks = QJsonDocument::fromJson(m_store.setting(ReadMarksSetting)).object();
    if (marks.value(conversation).toInteger() < seq) {
        marks.insert(conversation, seq);
        m_store.setSetting(ReadMarksSetting, QJsonDocument(marks).toJson(QJsonDocument::Compact));
    }
    flushReadMarks();
}

void ClientCore::flushReadMarks()
{
    if (m_sendingReadMark || !m_profile.isSignedIn()) {
        return;
    }
    const QJsonObject marks = QJsonDocument::fromJson(m_store.setting(ReadMarksSetting)).object();
    if (marks.isEmpty()) {
        Q_EMIT readMarksFlushed();
        return;
    }
    const QString conversation = marks.constBegin().key();
    const qint64 seq = marks.constBegin().value().toInteger();
    m_sendingReadMark = true;
    const QJsonObject body{{QStringLiteral("conversation"), conversation},
                           {QStringLiteral("seq"), seq}};
    m_api.call("POST", QStringLiteral("/v1/read"), &body,
               [this, conversation, seq](const ApiResult &result) {
                   m_sendingReadMark = false;
                   if (result.transient()) {
                       return; // Tried again on the next mark or connection.
                   }
                   if (!result.ok()) {
                       qCInfo(lcNet) << "read mark refused:" << result.error.message;
                   }
                   QJsonObject marks =
                       QJsonDocument::fromJson(m_store.setting(ReadMarksSetting)).object();
                   if (marks.value(conversation).toInteger() <= seq) {
                       marks.remove(conversation);
                       m_store.setSetting(ReadMarksSetting,
                                          QJsonDocument(marks).toJson(QJsonDocument::Compact));
                   }
                   flushReadMarks();
               });
}

void ClientCore::fetchReceipts()
{
    if (m_fetchingReceipts) {
        return;
    }
    m_fetchingReceipts = true;
    // The setting holds the server's `next` cursor (or, from older versions, a time in ms).
    const QString position = QString::fromUtf8(m_store.setting(ReceiptsSinceSetting));
    bool isTime = false;
    const qint64 since = position.toLongLong(&isTime);
    const QString path = position.isEmpty() || isTime
                             ? QStringLiteral("/v1/receipts?since=%1").arg(isTime ? since : 0)
                             : QStringLiteral("/v1/receipts?after=%1")
                                   .arg(QString::fromLatin1(QUrl::toPercentEncoding(position)));
    m_api.call("GET", path, nullptr, [this, position](const ApiResult &result) {
        m_fetchingReceipts = false;
        if (!result.ok()) {
            return;
        }
        const QJsonArray receipts = result.body.value(QStringLiteral("receipts")).toArray();
        for (const QJsonValue &value : receipts) {
            const auto state = Protocol::ReceiptState::fromJson(value.toObject());
            if (state) {
                onReceipt(*state);
            }
        }
        const QString next = result.body.value(QStringLiteral("next")).toString();
        if (!next.isEmpty()) {
            m_store.setSetting(ReceiptsSinceSetting, next.toUtf8());
        }
        if (result.body.value(QStringLiteral("more")).toBool() && !next.isEmpty() &&
            next != position) {
            fetchReceipts();
        }
    });
}

ReceiptSummary ClientCore::receiptSummary(const QString &clientMessageId)
{
    const auto message = m_store.message(m_profile.username(), clientMessageId);
    if (!message) {
        return {};
    }
    return m_store.receiptSummary(message->conversation, message->seq,
                                  otherParticipants(message->conversation));
}

void ClientCore::setReadReceiptsShared(bool shared, ApiCallback done)
{
    const QJsonObject body{{QStringLiteral("readReceipts"), shared}};
    m_api.call("PUT", QStringLiteral("/v1/account/privacy"), &body, std::move(done));
}

int ClientCore::unreadCount(const QString &conversation)
{
    return m_store.unreadCount(conversation, m_profile.username());
}

} // namespace Tincan::Client
