#pragma once

#include <QByteArray>

#include <memory>

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace Tincan::Server {

//! Incremental SHA-256 (OpenSSL; uses the CPU's SHA extensions where there are any).
class Sha256
{
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;

    void reset();
    void update(const char *data, qint64 length);
    //! The digest (32 bytes) of everything so far; the state then starts afresh.
    QByteArray finish();

private:
    EVP_MD_CTX *m_context;
};

} // namespace Tincan::Server
