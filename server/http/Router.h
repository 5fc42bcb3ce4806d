#pragma once

#include "server/core/ApiService.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace Tincan::Server {

//! The HTTP API's route table: method + path pattern ("/v1/devices/{id}") -> ApiService call.
//! The same table answers requests and is compared with docs/openapi.yaml by a test.
class Router
{
public:
    using Handler = void (ApiService::*)(const ApiRequest &, Reply);

    struct Route
    {
        QByteArray method;
        QString pattern;
        Handler handler = nullptr; //!< Null for the WebSocket route.
        bool authenticated = true;
        bool webSocket = false;
    };

    enum class Match { Found, WrongMethod, NotFound };

    //! The API of this server version.
    static const Router &api();

    const QList<Route> &routes() const { return m_routes; }
    //! Finds the route for `method` and `path`, filling `params` with the captures.
    Match match(const QByteArray &method, const QString &path, const Route **route,
                QHash<QString, QString> *params) const;

private:
    QList<Route> m_routes;
    QList<QStringList> m_segments;
};

} // namespace Tincan::Server
