#pragma once

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <atomic>
#include <functional>

namespace Tincan::Client {

//! One PATCH of a media upload (the rest of the blob, from the server's Upload-Offset), sent
//! with libcurl on the calling thread. The file is encrypted (EncryptingFileDevice) as curl asks
//! for the body, and the ciphertext is hashed on the way, so the upload needs no pass over the
//! file before it starts: the digest the message carries is the one of the bytes sent. A resumed
//! upload (offset > 0) sends at once and takes no digest (its URL may be short-lived, and the
//! part the server has would have to be hashed first): ClientCore takes it from the file once
//! the server reports the upload complete.
//!
//! Why not QNetworkAccessManager: it feeds a request body to its HTTP thread 16 KiB at a time,
//! with a thread wake-up for each piece; measured on this machine it took 4.0 s and 2.4 s of CPU
//! per GiB against curl's 2.4 s and 0.6 s (docs/benchmarks.md, "Media transfer").
//!
//! TLS: only the pinned certificate is accepted (SHA-256 of the leaf, as CertificatePin), and
//! it is checked during the handshake, before a byte of the request is sent; there is no CA
//! trust. Proxies from the environment are not used (as QNAM in the rest of the client).
class UploadSender
{
public:
    struct Request
    {
        QUrl url;       //!< The signed upload URL (absolute).
        QByteArray pin; //!< The pinned certificate's SHA-256 (required for https).
        QString path;   //!< The plaintext file.
        QByteArray key; //!< File key and salt of this upload (never changed).
        QByteArray salt;
        qint64 plainSize = 0;       //!< The file's size when it was chosen.
        qint64 offset = 0;          //!< Blob bytes the server has.
        int stallTimeoutMs = 30000; //!< Given up after this long without progress.
    };

    struct Result
    {
        int status = 0;           //!< The server's HTTP status; 0 if no answer arrived.
        QByteArray body;          //!< The answer's body (an error's JSON), at most 64 KiB.
        QByteArray serverDigest;  //!< Tincan-Sha256 (32 bytes) when the server completed it.
        QByteArray digest;        //!< SHA-256 of the whole blob, when all of it was sent.
        QString error;            //!< Without an answer: what went wrong, readable.
        bool fileChanged = false; //!< The file cannot be read as it was: do not retry.
        bool pinMismatch = false; //!< The server showed another certificate.
        bool stopped = false;     //!< `stop` was set.
    };

    //! Sends the PATCH and waits for the answer (blocking: call it on a thread of its own).
    //! `progress(blobOffset)` is called on this thread about every 100 ms; setting `stop`
    //! aborts within about a second.
    static Result run(const Request &request, const std::atomic_bool &stop,
                      const std::function<void(qint64)> &progress);
};

} // namespace Tincan::Client
