#include "shared/crypto/CryptoProvider.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <signal/signal_protocol.h>

#include <climits>

namespace Tincan::Crypto {

namespace {

// The library's return convention: 0 on success, a negative SG_ERR_* on failure.

int randomBytes(uint8_t *data, size_t len, void *)
{
    if (len > static_cast<size_t>(INT_MAX)) {
        return SG_ERR_INVAL;
    }
    return RAND_bytes(data, static_cast<int>(len)) == 1 ? 0 : SG_ERR_UNKNOWN;
}

int hmacInit(void **context, const uint8_t *key, size_t keyLen, void *)
{
    EVP_MAC *mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (!mac) {
        return SG_ERR_UNKNOWN;
    }
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac); // The context keeps its own reference.
    if (!ctx) {
        return SG_ERR_NOMEM;
    }
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_END};
    if (EVP_MAC_init(ctx, key, keyLen, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        return SG_ERR_UNKNOWN;
    }
    *context = ctx;
    return 0;
}

int hmacUpdate(void *context, const uint8_t *data, size_t len, void *)
{
    return EVP_MAC_update(static_cast<EVP_MAC_CTX *>(context), data, len) == 1 ? 0 : SG_ERR_UNKNOWN;
}

int hmacFinal(void *context, signal_buffer **output, void *)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    size_t len = 0;
    if (EVP_MAC_final(static_cast<EVP_MAC_CTX *>(context), md, &len, sizeof md) != 1) {
        return SG_ERR_UNKNOWN;
    }
    *output = signal_buffer_create(md, len);
    OPENSSL_cleanse(md, sizeof md); // Chain and message keys come out of here.
    return *output ? 0 : SG_ERR_NOMEM;
}

void hmacCleanup(void *context, void *)
{
    EVP_MAC_CTX_free(static_cast<EVP_MAC_CTX *>(context));
}

int shaInit(void **context, void *)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx) {
        return SG_ERR_NOMEM;
    }
    if (EVP_DigestInit_ex(ctx, EVP_sha512(), nullptr) != 1) {
        EVP_MD_CTX_free(ctx);
        return SG_ERR_UNKNOWN;
    }
    *context = ctx;
    return 0;
}

int shaUpdate(void *context, const uint8_t *data, size_t len, void *)
{
    return EVP_DigestUpdate(static_cast<EVP_MD_CTX *>(context), data, len) == 1 ? 0
                                                                                : SG_ERR_UNKNOWN;
}

int shaFinal(void *context, signal_buffer **output, void *)
{
    auto *ctx = static_cast<EVP_MD_CTX *>(context);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx, md, &len) != 1) {
        return SG_ERR_UNKNOWN;
    }
    // The library reuses the context after final: it must start a fresh digest.
    if (EVP_DigestInit_ex(ctx, EVP_sha512(), nullptr) != 1) {
        return SG_ERR_UNKNOWN;
    }
    *output = signal_buffer_create(md, len);
    return *output ? 0 : SG_ERR_NOMEM;
}

void shaCleanup(void *context, void *)
{
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX *>(context));
}

const EVP_CIPHER *cipherFor(int cipher, size_t keyLen)
{
    if (cipher == SG_CIPHER_AES_CBC_PKCS5) {
        switch (keyLen) {
        case 16:
            return EVP_aes_128_cbc();
        case 24:
            return EVP_aes_192_cbc();
        case 32:
            return EVP_aes_256_cbc();
        default:
            return nullptr;
        }
    }
    if (cipher == SG_CIPHER_AES_CTR_NOPADDING) {
        switch (keyLen) {
        case 16:
            return EVP_aes_128_ctr();
        case 24:
            return EVP_aes_192_ctr();
        case 32:
            return EVP_aes_256_ctr();
        default:
            return nullptr;
        }
    }
    return nullptr;
}

int aes(bool encrypt, signal_buffer **output, int cipher, const uint8_t *key, size_t keyLen,
        const uint8_t *iv, size_t ivLen, const uint8_t *input, size_t inputLen)
{
    const EVP_CIPHER *evp = cipherFor(cipher, keyLen);
    if (!evp || ivLen != 16 || inputLen > static_cast<size_t>(INT_MAX - 32)) {
        return SG_ERR_INVAL;
    }
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx) {
        return SG_ERR_NOMEM;
    }
    int result = SG_ERR_UNKNOWN;
    signal_buffer *buffer = signal_buffer_alloc(inputLen + 32);
    int written = 0;
    int finalLen = 0;
    if (buffer && EVP_CipherInit_ex(ctx, evp, nullptr, key, iv, encrypt ? 1 : 0) == 1 &&
        EVP_CIPHER_CTX_set_padding(ctx, cipher == SG_CIPHER_AES_CBC_PKCS5 ? 1 : 0) == 1 &&
        EVP_CipherUpdate(ctx, signal_buffer_data(buffer), &written, input,
                         static_cast<int>(inputLen)) == 1 &&
        EVP_CipherFinal_ex(ctx, signal_buffer_data(buffer) + written, &finalLen) == 1) {
        *output = signal_buffer_create(signal_buffer_data(buffer),
                                       static_cast<size_t>(written + finalLen));
        result = *output ? 0 : SG_ERR_NOMEM;
    } else if (!buffer) {
        result = SG_ERR_NOMEM;
    }
    if (buffer) {
        signal_buffer_bzero_free(buffer);
    }
    EVP_CIPHER_CTX_free(ctx);
    return result;
}

int encryptAes(signal_buffer **output, int cipher, const uint8_t *key, size_t keyLen,
               const uint8_t *iv, size_t ivLen, const uint8_t *plaintext, size_t len, void *)
{
    return aes(true, output, cipher, key, keyLen, iv, ivLen, plaintext, len);
}

int decryptAes(signal_buffer **output, int cipher, const uint8_t *key, size_t keyLen,
               const uint8_t *iv, size_t ivLen, const uint8_t *ciphertext, size_t len, void *)
{
    return aes(false, output, cipher, key, keyLen, iv, ivLen, ciphertext, len);
}

} // namespace

const signal_crypto_provider &openSslProvider()
{
    static const signal_crypto_provider provider = {randomBytes, hmacInit,   hmacUpdate, hmacFinal,
                                                    hmacCleanup, shaInit,    shaUpdate,  shaFinal,
                                                    shaCleanup,  encryptAes, decryptAes, nullptr};
    return provider;
}

} // namespace Tincan::Crypto
