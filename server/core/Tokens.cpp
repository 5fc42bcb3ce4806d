#include "server/core/Tokens.h"

#include <QCryptographicHash>
#include <QRandomGenerator>

#include <array>

namespace Tincan::Server::Tokens {

QByteArray generate()
{
    std::array<quint32, 8> words{};
    QRandomGenerator::system()->fillRange(words.data(), words.size());
    return QByteArray(reinterpret_cast<const char *>(words.data()), sizeof(words))
        .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray hash(const QByteArray &token)
{
    return QCryptographicHash::hash(token, QCryptographicHash::Sha256);
}

QByteArray fromAuthorizationHeader(const QByteArray &value)
{
    const QByteArray trimmed = value.trimmed();
    static const QByteArray prefix = QByteArrayLiteral("bearer ");
    if (trimmed.size() <= prefix.size() || trimmed.left(prefix.size()).toLower() != prefix) {
        return {};
    }
    const QByteArray token = trimmed.mid(prefix.size()).trimmed();
    if (token.size() > 128) {
        return {};
    }
    return token;
}

} // namespace Tincan::Server::Tokens
