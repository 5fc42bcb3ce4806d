#include "app/core/Logging.h"

Q_LOGGING_CATEGORY(lcNet, "tincan.net", QtWarningMsg)
Q_LOGGING_CATEGORY(lcDb, "tincan.db", QtWarningMsg)
Q_LOGGING_CATEGORY(lcCore, "tincan.core", QtWarningMsg)
// Previews of media files; FFmpeg's own messages arrive here at debug level.
Q_LOGGING_CATEGORY(lcMedia, "tincan.media", QtWarningMsg)
