// The platform's DNS-SD backends on Linux: Avahi.
#include "shared/discovery/Backend.h"
#include "shared/discovery/avahi/AvahiAdvertiser.h"
#include "shared/discovery/avahi/AvahiBrowser.h"

namespace Tincan::Discovery {

std::unique_ptr<AdvertiserBackend> createAdvertiserBackend()
{
    return std::make_unique<Avahi::AvahiAdvertiser>();
}

std::unique_ptr<BrowserBackend> createBrowserBackend()
{
    return std::make_unique<Avahi::AvahiBrowser>();
}

} // namespace Tincan::Discovery
