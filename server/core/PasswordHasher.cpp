#include "server/core/PasswordHasher.h"

#include <QByteArray>
#include <QRandomGenerator>

#include <argon2.h>

#include <array>

namespace Tincan::Server {

QString PasswordHasher::hash(const QString &password) const
{
    const QByteArray utf8 = password.toUtf8();
    std::array<quint32, 4> salt{};
    QRandomGenerator::system()->fillRange(salt.data(), salt.size());
    constexpr uint32_t hashLength = 32;
    const size_t encodedLength =
        argon2_encodedlen(static_cast<uint32_t>(m_iterations), static_cast<uint32_t>(m_memoryKiB),
                          1, sizeof(salt), hashLength, Argon2_id);
    QByteArray encoded(static_cast<qsizetype>(encodedLength), '\0');
    const int rc = argon2id_hash_encoded(static_cast<uint32_t>(m_iterations),
                                         static_cast<uint32_t>(m_memoryKiB), 1, utf8.constData(),
                                         static_cast<size_t>(utf8.size()), salt.data(),
                                         sizeof(salt), hashLength, encoded.data(), encodedLength);
    if (rc != ARGON2_OK) {
        return {};
    }
    return QString::fromLatin1(encoded.constData()); // Stops at the terminating NUL.
}

bool PasswordHasher::verify(const QString &encodedHash, const QString &password) const
{
    const QByteArray utf8 = password.toUtf8();
    const QByteArray encoded = encodedHash.toLatin1();
    return argon2id_verify(encoded.constData(), utf8.constData(),
                           static_cast<size_t>(utf8.size())) == ARGON2_OK;
}

bool PasswordHasher::isAcceptable(const QString &password)
{
    return password.size() >= 8 && password.size() <= 1024;
}

} // namespace Tincan::Server
