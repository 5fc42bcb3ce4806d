#pragma once

#include "shared/storage/Connection.h"

#include <QList>
#include <QString>
#include <QVariantList>

#include <optional>

namespace Tincan::Client {

//! A message as the client keeps it.
struct StoredMessage
{
    enum class Status { Pending, Sent, Failed, Received };

    qint64 localId = 0;
    QString conversation;
    QString sender;
    qint64 senderDevice = 0;
    QString clientMessageId;
    qint64 serverId = 0;
    qint64 seq = 0;
    QString text;
    qint64 serverTimestamp = 0;
    qint64 localTimestamp = 0;
    bool outgoing = false;
    Status status = Status::Pending;
    QString error; //!< Why a message failed or could not be read.

    static QString statusName(Status status);
};

struct OutboxEntry
{
    QString clientMessageId;
    QString recipient;
    QString text;
    qint64 createdAt = 0;
    int attempts = 0;
};

struct ConversationSummary
{
    QString conversation;
    QString peer;
    qint64 lastTimestamp = 0;
    QString lastText;
    qint64 messageCount = 0;
};

//! The client's local database: messages (de-duplicated on sender + client message id) and the
//! persistent outbox. Storage returns bool plus lastError(). Main thread for now; the E2EE issue
//! moves it into SQLCipher.
class LocalStore
{
public:
    bool open(const QString &path);
    QString lastError() const { return m_lastError; }

    //! Records an outgoing message and its outbox entry in one transaction.
    bool queueOutgoing(const StoredMessage &message, const QString &recipient);
    QList<OutboxEntry> outbox();
    bool bumpAttempts(const QString &clientMessageId);
    //! The server stored it: remove from the outbox, record server id/seq/time, status Sent.
    //! `changed` tells whether this was news (false when it was already marked sent).
    bool markSent(const QString &clientMessageId, qint64 serverId, qint64 seq, qint64 serverTs,
                  bool *changed = nullptr);
    //! The server refused it for good.
    bool markFailed(const QString &clientMessageId, const QString &reason);

    //! Inserts a message that arrived from the server. Returns true in `inserted` only the first
    //! time a (sender, clientMessageId) is seen: a re-delivery changes nothing.
    bool insertIncoming(const StoredMessage &message, bool *inserted);

    std::optional<StoredMessage> message(const QString &sender, const QString &clientMessageId);
    //! Newest-last page of a conversation, `limit` messages before `beforeLocalId` (0: newest).
    QList<StoredMessage> history(const QString &conversation, int limit, qint64 beforeLocalId = 0);
    QList<ConversationSummary> conversations(const QString &self);
    qint64 messageCount();

private:
    //! Runs `updateSql` on the message and removes its outbox entry, in one transaction.
    bool finishOutgoing(const QString &updateSql, const QVariantList &values,
                        const QString &clientMessageId, bool *changed);
    StoredMessage read(class QSqlQuery &query) const;

    Storage::Connection m_connection;
    QString m_lastError;
};

} // namespace Tincan::Client
