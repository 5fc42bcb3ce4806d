#pragma once

#include <QLoggingCategory>

// All of the daemon's log categories, declared in one place. Never log keys, tokens, passwords or
// message payloads.
Q_DECLARE_LOGGING_CATEGORY(lcServer)
Q_DECLARE_LOGGING_CATEGORY(lcServerHttp)
Q_DECLARE_LOGGING_CATEGORY(lcServerStream)
Q_DECLARE_LOGGING_CATEGORY(lcServerStore)
