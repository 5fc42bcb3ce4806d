#include "server/media/Sha256.h"

#include <openssl/evp.h>

namespace Tincan::Server {

Sha256::Sha256()
    : m_context(EVP_MD_CTX_new())
{
    reset();
}

Sha256::~Sha256()
{
    EVP_MD_CTX_free(m_context);
}

void Sha256::reset()
{
    EVP_DigestInit_ex(m_context, EVP_sha256(), nullptr);
}

void Sha256::update(const char *data, qint64 length)
{
    EVP_DigestUpdate(m_context, data, static_cast<size_t>(length));
}

QByteArray Sha256::finish()
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(m_context, out, &length);
    reset();
    return QByteArray(reinterpret_cast<const char *>(out), static_cast<qsizetype>(length));
}

} // namespace Tincan::Server
