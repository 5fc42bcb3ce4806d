#include "shared/discovery/ServiceAdvertiser.h"

#include "shared/discovery/Backend.h"
#include "shared/discovery/DiscoveredServer.h"
#include "shared/discovery/Logging.h"
#include "shared/discovery/Queue.h"

namespace Tincan::Discovery {

namespace {
constexpr qsizetype MaxInstanceNameBytes = 63; // RFC 6763 §4.1.1
constexpr qsizetype MaxTxtItemBytes = 255;     // One length byte per key=value string.
constexpr qsizetype MaxTxtBytes = 1300;        // RFC 6763 §6.2: keep it to one packet.
} // namespace

ServiceAdvertiser::ServiceAdvertiser(QObject *parent)
    : QObject(parent)
    , m_backend(createAdvertiserBackend())
    , m_type(Discovery::serviceType())
{
    // The backend signals from inside the DNS-SD library's callbacks: pass them on queued, so
    // that receivers may do anything, including deleting this object.
    connect(m_backend.get(), &AdvertiserBackend::registered, this, [this](const QString &name) {
        queueUnlessStale(this, &m_generation, [this, name] {
            m_registeredName = name;
            Q_EMIT registered(name);
        });
    });
    connect(m_backend.get(), &AdvertiserBackend::failed, this, [this](const QString &reason) {
        queueUnlessStale(this, &m_generation, [this, reason] { Q_EMIT failed(reason); });
    });
}

ServiceAdvertiser::~ServiceAdvertiser()
{
    stop();
}

void ServiceAdvertiser::setServiceType(const QString &type)
{
    m_type = type;
}

QString ServiceAdvertiser::truncatedInstanceName(const QString &name)
{
    QString result = name.trimmed();
    while (result.toUtf8().size() > MaxInstanceNameBytes) {
        result.chop(result.size() >= 2 && result.at(result.size() - 1).isLowSurrogate() ? 2 : 1);
    }
    return result.trimmed();
}

bool ServiceAdvertiser::start(const QString &instanceName, quint16 port,
                              const QMap<QString, QByteArray> &txt, QString *error)
{
    stop();
    const QString name = truncatedInstanceName(instanceName);
    if (name.isEmpty()) {
        *error = QStringLiteral("The DNS-SD service name is empty.");
        return false;
    }
    qsizetype txtBytes = 0;
    for (auto it = txt.cbegin(); it != txt.cend(); ++it) {
        const qsizetype item = it.key().toUtf8().size() + 1 + it.value().size();
        if (it.key().isEmpty() || it.key().contains(QLatin1Char('=')) || item > MaxTxtItemBytes) {
            *error = QStringLiteral("Bad TXT record entry '%1'.").arg(it.key());
            return false;
        }
        txtBytes += item + 1;
    }
    if (txtBytes > MaxTxtBytes) {
        *error = QStringLiteral("The TXT record is too big (%1 bytes).").arg(txtBytes);
        return false;
    }
    if (!m_backend->start(m_type, name, port, txt, m_interfaceIndex, error)) {
        return false;
    }
    m_active = true;
    qCDebug(lcDiscovery).noquote() << "advertising" << name << "as" << m_type << "on port" << port;
    return true;
}

void ServiceAdvertiser::stop()
{
    ++m_generation;
    if (m_active) {
        m_backend->stop();
    }
    m_active = false;
    m_registeredName.clear();
}

} // namespace Tincan::Discovery
