// LocalStore: full-text search over the local history. The index (`message_search`, FTS4), its
// triggers and `search_scopes` are the client's migration 6, in LocalStore.cpp.

#include "app/core/LocalStore.h"
#include "app/core/SearchQuery.h"

#include <QSqlQuery>
#include <QVariant>

namespace Tincan::Client {

QList<SearchHit> LocalStore::search(const QString &query, const QString &conversation, int limit)
{
    QList<SearchHit> hits;
    QString match = SearchQuery::matchExpression(query);
    if (match.isEmpty() || limit <= 0) {
        return hits;
    }
    QSqlQuery select(m_connection.database());
    if (!conversation.isEmpty()) {
        // The conversation's token in the `scope` column: the index itself keeps only the
        // conversation's matches. No number: nothing readable was ever stored there.
        if (!run(select, QStringLiteral("SELECT id FROM search_scopes WHERE conversation = ?"),
                 {conversation}) ||
            !select.next()) {
            return hits;
        }
        match += QStringLiteral(" scope:") + QChar(SearchQuery::ScopeMarker) +
                 QString::number(select.value(0).toLongLong());
        select.finish();
    }
    // The index drives (CROSS JOIN keeps it the outer loop) and hands out its docids newest
    // first, which is the ORDER BY, so SQLite stops after `limit` rows: offsets() and the row
    // lookups run for the rows returned only, never for every match.
    if (!run(select,
             QStringLiteral("SELECT m.id, m.conversation, m.sender, "
                            "COALESCE(NULLIF(m.server_ts, 0), m.local_ts), m.text, "
                            "CAST(m.text AS BLOB), offsets(message_search) "
                            "FROM message_search CROSS JOIN messages m "
                            "ON m.id = message_search.docid WHERE message_search MATCH ? "
                            "ORDER BY message_search.docid DESC LIMIT ?"),
             {match, limit})) {
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
