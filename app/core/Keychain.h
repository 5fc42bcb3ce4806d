#pragma once

#include <QByteArray>
#include <QString>

namespace Tincan::Client {

//! The OS keychain through QtKeychain: Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows. QtKeychain's insecure fallback (a plaintext file) is never enabled.
//!
//! The calls block until the job finishes: they are made once, when a profile is opened, before
//! the client core starts its network activity. On the main thread they run a local event loop;
//! on another thread (the desktop app's client-core thread) the job runs on the main thread,
//! where QtKeychain and the Secret Service callbacks live, and the caller waits for it.
class Keychain
{
public:
    struct Result
    {
        bool ok = false;
        bool notFound = false; //!< Read: there is no such entry.
        QByteArray secret;
        QString error; //!< For people: what went wrong, with the keychain's own words.
    };

    static constexpr auto Service = "Tincan";

    static Result read(const QString &key, int timeoutMs = 120000);
    static Result write(const QString &key, const QByteArray &secret, int timeoutMs = 120000);
    static Result remove(const QString &key, int timeoutMs = 120000);
};

} // namespace Tincan::Client
