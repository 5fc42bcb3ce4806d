#pragma once

#include <QLoggingCategory>

// The client's log categories. Never log keys, tokens, passwords or message text.
Q_DECLARE_LOGGING_CATEGORY(lcNet)
Q_DECLARE_LOGGING_CATEGORY(lcDb)
Q_DECLARE_LOGGING_CATEGORY(lcCore)
Q_DECLARE_LOGGING_CATEGORY(lcMedia)
