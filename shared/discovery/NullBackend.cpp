// Backends for platforms this build has no DNS-SD implementation for (see Backend.h for how a
// dns_sd.h one would fit): advertising fails, browsing reports that it is unavailable.
#include "shared/discovery/Backend.h"

namespace Tincan::Discovery {

namespace {
QString noSupport()
{
    return QStringLiteral("this build of Tincan has no DNS-SD (LAN discovery) support");
}

class NullAdvertiser final : public AdvertiserBackend
{
public:
    bool start(const QString &, const QString &, quint16, const QMap<QString, QByteArray> &, int,
               QString *error) override
    {
        *error = noSupport();
        return false;
    }
    void stop() override {}
};

class NullBrowser final : public BrowserBackend
{
public:
    void start(const QString &) override { Q_EMIT unavailable(noSupport()); }
    void stop() override {}
};
} // namespace

std::unique_ptr<AdvertiserBackend> createAdvertiserBackend()
{
    return std::make_unique<NullAdvertiser>();
}

std::unique_ptr<BrowserBackend> createBrowserBackend()
{
    return std::make_unique<NullBrowser>();
}

} // namespace Tincan::Discovery
