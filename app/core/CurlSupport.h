#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

using CURL = void;
struct curl_slist;

namespace Tincan::Client::Curl {

//! The most of a server's answer body a transfer keeps (for the error it reports).
inline constexpr qsizetype MaxAnswerBytes = 64 * 1024;

//! The server certificate a transfer accepts: the pinned SHA-256 of the leaf certificate (as
//! CertificatePin). `presented` gets the fingerprint of a certificate that did not match.
struct PinCheck
{
    QByteArray pin;
    QString presented;
};

struct EasyFree
{
    void operator()(CURL *curl) const;
};
struct ListFree
{
    void operator()(curl_slist *list) const;
};
using Easy = std::unique_ptr<CURL, EasyFree>;
using List = std::unique_ptr<curl_slist, ListFree>;

//! A handle for one request to `url` with what every transfer of the client sets: HTTP(S)
//! only, no proxy from the environment, no signals, a connection timeout and "stalled" after
//! `stallTimeoutMs` under one byte a second; for https, TLS 1.2 or later where only `pin` is
//! accepted (checked in OpenSSL's verify callback during the handshake: no CA trust, no host
//! name check; the pin replaces both). `pin` must outlive the transfer. Null if libcurl fails.
Easy open(const QByteArray &url, int stallTimeoutMs, PinCheck *pin);

//! Reports a transfer's position (`*position`, blob bytes) to `report` about every 100 ms, and
//! aborts it once `stop` is set (libcurl calls back at least once a second, also while idle).
struct Progress
{
    const std::atomic_bool *stop = nullptr;
    const std::function<void(qint64)> *report = nullptr;
    const qint64 *position = nullptr;
    QElapsedTimer clock;
    qint64 lastMs = -100;
};
//! Has `curl` call `progress` back (which must outlive the transfer).
void follow(CURL *curl, Progress *progress);

//! The message for a refused certificate.
QString pinMismatchMessage(const QString &presented);

} // namespace Tincan::Client::Curl
