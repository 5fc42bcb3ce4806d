#include "shared/discovery/Logging.h"

Q_LOGGING_CATEGORY(lcDiscovery, "tincan.discovery", QtInfoMsg)
