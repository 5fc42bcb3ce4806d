// LocalStore: full-text search over the local history.
// The index (`message_search`, FTS4) and its triggers are the client's migration 6, in
// LocalStore.cpp.

#include "app/core/LocalStore.h"
#include "app/core/SearchQuery.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace Tincan::Client {

QList<SearchHit> LocalStore::search(const QString &query, const QString &conversation, int limit)
{
    QList<SearchHit> hits;
    const QString match = SearchQuery::matchExpression(query);
    if (match.isEmpty() || limit <= 0) {
        return hits;
    }
    // The index drives (CROSS JOIN keeps it the outer loop) and hands out its docids newest
    // first, which is the ORDER BY, so SQLite stops after `limit` rows: offsets() and the row
    // lookups are computed for the rows returned only, never for every match.
    const QString scope =
        conversation.isEmpty() ? QString() : QStringLiteral("AND m.conversation = ? ");
    QSqlQuery select(m_connection.database());
    select.prepare(QStringLiteral("SELECT m.id, m.conversation, m.sender, "
                                  "COALESCE(NULLIF(m.server_ts, 0), m.local_ts), m.text, "
                                  "CAST(m.text AS BLOB), offsets(message_search) "
                                  "FROM message_search CROSS JOIN messages m "
                                  "ON m.id = message_search.docid "
                                  "WHERE message_search MATCH ? %1"
                                  "ORDER BY message_search.docid DESC LIMIT ?")
                       .arg(scope));
    select.addBindValue(match);
    if (!conversation.isEmpty()) {
        select.addBindValue(conversation);
    }
    select.addBindValue(limit);
    if (!select.exec()) {
        m_lastError = select.lastError().text();
        return hits;
    }
    while (select.next()) {
        SearchHit hit;
        hit.localId = select.value(0).toLongLong();
        hit.conversation = select.value(1).toString();
        hit.sender = select.value(2).toString();
        hit.timestamp = select.value(3).toLongLong();
        hit.text = select.value(4).toString();
        hit.matches = SearchQuery::characterRanges(select.value(5).toByteArray(),
                                                   select.value(6).toByteArray());
        hits.append(hit);
    }
    return hits;
}

} // namespace Tincan::Client
