#include "shared/crypto/SealedBox.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

namespace Tincan::Crypto::SealedBox {

namespace {

constexpr int NonceBytes = 12;
constexpr int TagBytes = 16;

struct CipherContextFree
{
    void operator()(EVP_CIPHER_CTX *context) const { EVP_CIPHER_CTX_free(context); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree>;

unsigned char *bytes(QByteArray &array)
{
    return reinterpret_cast<unsigned char *>(array.data());
}

const unsigned char *bytes(const QByteArray &array)
{
    return reinterpret_cast<const unsigned char *>(array.constData());
}

} // namespace

QByteArray generateKey()
{
    QByteArray key(KeyBytes, Qt::Uninitialized);
    if (RAND_bytes(bytes(key), KeyBytes) != 1) {
        return {};
    }
    return key;
}

std::optional<QByteArray> seal(const QByteArray &key, const QByteArray &plaintext)
{
    if (key.size() != KeyBytes || plaintext.size() > (1LL << 31) - Overhead - 1) {
        return std::nullopt;
    }
    QByteArray sealed(NonceBytes + plaintext.size() + TagBytes, Qt::Uninitialized);
    if (RAND_bytes(bytes(sealed), NonceBytes) != 1) {
        return std::nullopt;
    }
    CipherContext context(EVP_CIPHER_CTX_new());
    int written = 0;
    int finalWritten = 0;
    unsigned char *out = bytes(sealed) + NonceBytes;
    if (!context ||
        EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(sealed)) !=
            1 ||
        EVP_EncryptUpdate(context.get(), out, &written, bytes(plaintext),
                          static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(context.get(), out + written, &finalWritten) != 1 ||
        written + finalWritten != plaintext.size() ||
        EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, TagBytes,
                            out + plaintext.size()) != 1) {
        return std::nullopt;
    }
    return sealed;
}

std::optional<QByteArray> open(const QByteArray &key, const QByteArray &sealed)
{
    if (key.size() != KeyBytes || sealed.size() < Overhead) {
        return std::nullopt;
    }
    const qsizetype length = sealed.size() - Overhead;
    QByteArray plaintext(length, Qt::Uninitialized);
    QByteArray tag = sealed.right(TagBytes);
    CipherContext context(EVP_CIPHER_CTX_new());
    int written = 0;
    int finalWritten = 0;
    if (!context ||
        EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(sealed)) !=
            1 ||
        EVP_DecryptUpdate(context.get(), bytes(plaintext), &written, bytes(sealed) + NonceBytes,
                          static_cast<int>(length)) != 1 ||
        EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, TagBytes, bytes(tag)) != 1 ||
        EVP_DecryptFinal_ex(context.get(), bytes(plaintext) + written, &finalWritten) != 1) {
        plaintext.fill('\0');
        return std::nullopt;
    }
    return plaintext;
}

} // namespace Tincan::Crypto::SealedBox
