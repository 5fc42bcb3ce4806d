#pragma once

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <atomic>
#include <functional>

namespace Tincan::Client {

//! One GET of a media blob into the media cache, received with libcurl on the calling thread:
//! appended to the cache's `.part` (ciphertext) in 1 MiB writes and hashed on the way. Only a
//! blob that arrived whole, with the attachment's size and digest, becomes the cached blob
//! (`.part` renamed); ClientCore then decrypts it to the destination (off its thread). A
//! download that continues hashes what the `.part` holds, then asks for the rest (`Range` with
//! `If-Range: "<digest>"`); a server that answers with the whole blob instead starts it over.
//! TLS as UploadSender: only the pinned certificate.
//!
//! Measured on this machine, decrypting into the destination while the blob arrives (two files
//! written at once) was slower than receiving first and decrypting after: see
//! docs/benchmarks.md, "Media transfer".
class DownloadReceiver
{
public:
    struct Request
    {
        QUrl url;          //!< The signed download URL (absolute).
        QByteArray pin;    //!< The pinned certificate's SHA-256 (required for https).
        QString partPath;  //!< The cache's partial blob (continued if present).
        QString blobPath;  //!< Where the verified blob is kept.
        QByteArray digest; //!< The attachment's digest and blob size.
        qint64 cipherSize = 0;
        int stallTimeoutMs = 30000;
    };

    struct Result
    {
        bool cached = false;      //!< The whole blob, verified, is at `blobPath`.
        int status = 0;           //!< The server's HTTP status; 0 if no answer arrived.
        QByteArray body;          //!< An error answer's body (JSON), at most 64 KiB.
        QString error;            //!< Why it was not cached, readable (for a 200/206 or none).
        bool retry = false;       //!< Worth another attempt (cut connection, refused pin).
        bool pinMismatch = false; //!< The server showed another certificate.
        bool stopped = false;     //!< `stop` was set.
        qint64 resumedFrom = 0;   //!< Blob bytes the `.part` already held.
    };

    //! Receives the blob (blocking: call it on a thread of its own). `progress(blobOffset)` is
    //! called on this thread about every 100 ms; setting `stop` aborts within about a second
    //! and keeps the `.part`.
    static Result run(const Request &request, const std::atomic_bool &stop,
                      const std::function<void(qint64)> &progress);
};

} // namespace Tincan::Client
