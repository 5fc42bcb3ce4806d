#include "server/core/Logging.h"

Q_LOGGING_CATEGORY(lcServer, "tincan.server", QtInfoMsg)
Q_LOGGING_CATEGORY(lcServerHttp, "tincan.server.http", QtWarningMsg)
Q_LOGGING_CATEGORY(lcServerStream, "tincan.server.stream", QtWarningMsg)
Q_LOGGING_CATEGORY(lcServerStore, "tincan.server.store", QtInfoMsg)
