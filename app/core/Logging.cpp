#include "app/core/Logging.h"

Q_LOGGING_CATEGORY(lcNet, "tincan.net", QtWarningMsg)
Q_LOGGING_CATEGORY(lcDb, "tincan.db", QtWarningMsg)
Q_LOGGING_CATEGORY(lcCore, "tincan.core", QtWarningMsg)
