#include "server/http/Router.h"

namespace Tincan::Server {

const Router &Router::api()
{
    static const Router router = [] {
        Router r;
        auto add = [&r](const char *method, const char *pattern, Handler handler, bool auth) {
            r.m_routes.append(
                {QByteArray(method), QString::fromLatin1(pattern), handler, auth, false});
        };
        add("GET", "/healthz", &ApiService::health, false);
        add("POST", "/v1/accounts", &ApiService::registerAccount, false);
        add("POST", "/v1/sessions", &ApiService::login, false);
        add("GET", "/v1/account", &ApiService::account, true);
        add("GET", "/v1/devices", &ApiService::listDevices, true);
        add("DELETE", "/v1/devices/{id}", &ApiService::revokeDevice, true);
        add("GET", "/v1/users", &ApiService::findUsers, true);
        add("GET", "/v1/users/{username}/devices", &ApiService::userDevices, true);
        add("POST", "/v1/links", &ApiService::createLink, true);
        add("POST", "/v1/links/claim", &ApiService::claimLink, false);
        add("GET", "/v1/links/{id}", &ApiService::getLink, true);
        add("POST", "/v1/links/{id}/approve", &ApiService::approveLink, true);
        add("POST", "/v1/links/{id}/reject", &ApiService::rejectLink, true);
        add("POST", "/v1/links/{id}/complete", &ApiService::completeLink, false);
        add("PUT", "/v1/links/{id}/history", &ApiService::putLinkHistory, true);
        add("GET", "/v1/links/{id}/history", &ApiService::getLinkHistory, true);
        add("DELETE", "/v1/links/{id}/history", &ApiService::deleteLinkHistory, true);
        add("POST", "/v1/media", &ApiService::createMedia, true);
        add("DELETE", "/v1/media/{id}", &ApiService::deleteMedia, true);
        add("POST", "/v1/media/{id}/upload-url", &ApiService::mediaUploadUrl, true);
        add("POST", "/v1/media/{id}/download-url", &ApiService::mediaDownloadUrl, true);
        // Signed URLs: no bearer token.
        add("HEAD", "/v1/media/{id}/upload", &ApiService::mediaUploadStatus, false);
        add("PATCH", "/v1/media/{id}/upload", &ApiService::mediaUploadMisrouted, false);
        add("GET", "/v1/media/{id}/content", &ApiService::mediaContent, false);
        add("HEAD", "/v1/media/{id}/content", &ApiService::mediaContent, false);
        add("PUT", "/v1/keys", &ApiService::publishKeys, true);
        add("GET", "/v1/keys", &ApiService::keyStatus, true);
        add("GET", "/v1/users/{username}/keys", &ApiService::userKeys, true);
        add("POST", "/v1/messages", &ApiService::sendMessage, true);
        add("GET", "/v1/inbox", &ApiService::inbox, true);
        add("POST", "/v1/inbox/ack", &ApiService::acknowledgeInbox, true);
        add("POST", "/v1/groups", &ApiService::createGroup, true);
        add("GET", "/v1/groups", &ApiService::listGroups, true);
        add("GET", "/v1/groups/{id}", &ApiService::getGroup, true);
        add("PUT", "/v1/groups/{id}/name", &ApiService::renameGroup, true);
        add("POST", "/v1/groups/{id}/members", &ApiService::addGroupMembers, true);
        add("DELETE", "/v1/groups/{id}/members/{username}", &ApiService::removeGroupMember, true);
        add("PUT", "/v1/groups/{id}/members/{username}/role", &ApiService::setGroupMemberRole,
            true);
        add("POST", "/v1/groups/{id}/messages", &ApiService::sendGroupMessage, true);
        add("POST", "/v1/read", &ApiService::markRead, true);
        add("GET", "/v1/receipts", &ApiService::receipts, true);
        add("GET", "/v1/presence", &ApiService::presence, true);
        add("GET", "/v1/account/privacy", &ApiService::privacy, true);
        add("PUT", "/v1/account/privacy", &ApiService::setPrivacy, true);
        r.m_routes.append(
            {QByteArrayLiteral("GET"), QStringLiteral("/v1/stream"), nullptr, true, true});
        for (const Route &route : std::as_const(r.m_routes)) {
            r.m_segments.append(route.pattern.split(QLatin1Char('/'), Qt::SkipEmptyParts));
        }
        return r;
    }();
    return router;
}

Router::Match Router::match(const QByteArray &method, const QString &path, const Route **route,
                            QHash<QString, QString> *params) const
{
    const QStringList parts = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    bool pathKnown = false;
    for (qsizetype i = 0; i < m_routes.size(); ++i) {
        const QStringList &segments = m_segments[i];
        if (segments.size() != parts.size()) {
            continue;
        }
        QHash<QString, QString> captures;
        bool same = true;
        for (qsizetype s = 0; s < segments.size() && same; ++s) {
            const QString &segment = segments[s];
            if (segment.startsWith(QLatin1Char('{')) && segment.endsWith(QLatin1Char('}'))) {
                captures.insert(segment.mid(1, segment.size() - 2), parts[s]);
            } else {
                same = segment == parts[s];
            }
        }
        if (!same) {
            continue;
        }
        pathKnown = true;
        if (m_routes[i].method == method) {
            *route = &m_routes[i];
            *params = std::move(captures);
            return Match::Found;
        }
    }
    return pathKnown ? Match::WrongMethod : Match::NotFound;
}

} // namespace Tincan::Server
