#pragma once

#include <QByteArray>

#include <optional>

namespace Tincan::Crypto {

//! Authenticated symmetric encryption of a blob with a fresh random key (AES-256-GCM, OpenSSL
//! 3), for data that travels outside the Signal sessions (a linked device's history, media):
//! the blob goes through the server, the key goes end to end inside a Signal message.
//! Sealed form: 12-byte random nonce | ciphertext | 16-byte tag.
namespace SealedBox {

inline constexpr qsizetype KeyBytes = 32;
inline constexpr qsizetype Overhead = 12 + 16;

//! A new random 256-bit key from the OS CSPRNG (empty on failure).
QByteArray generateKey();
//! Encrypts `plaintext` under `key` (KeyBytes); nothing on failure.
std::optional<QByteArray> seal(const QByteArray &key, const QByteArray &plaintext);
//! Decrypts and authenticates; nothing if the key is wrong or the data was changed.
std::optional<QByteArray> open(const QByteArray &key, const QByteArray &sealed);

} // namespace SealedBox
} // namespace Tincan::Crypto
