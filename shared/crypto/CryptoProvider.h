#pragma once

struct signal_crypto_provider;

namespace Tincan::Crypto {

//! libsignal-protocol-c's crypto callbacks, implemented on OpenSSL 3 (RAND_bytes, EVP_MAC
//! HMAC-SHA256, EVP SHA-512, AES-CBC/PKCS5 and AES-CTR). Stateless and thread-safe.
const signal_crypto_provider &openSslProvider();

} // namespace Tincan::Crypto
