#pragma once

#include <QString>

namespace Tincan::Server {

//! Argon2id password hashing (libargon2), in the PHC string format. Slow on purpose: call it off
//! the event-loop threads. Thread-safe.
class PasswordHasher
{
public:
    PasswordHasher(int memoryKiB, int iterations)
        : m_memoryKiB(memoryKiB)
        , m_iterations(iterations)
    {}

    //! Returns the encoded hash, or an empty string on failure.
    QString hash(const QString &password) const;
    bool verify(const QString &encodedHash, const QString &password) const;

    //! Password rules: 8 to 1024 characters.
    static bool isAcceptable(const QString &password);

private:
    int m_memoryKiB;
    int m_iterations;
};

} // namespace Tincan::Server
