#pragma once

#include <QLoggingCategory>

// The discovery library's log category. DNS-SD data is public (anyone on the LAN sees it), but
// it is still only logged at debug level.
Q_DECLARE_LOGGING_CATEGORY(lcDiscovery)
