#pragma once

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <atomic>
#include <functional>

namespace Tincan::Client {

//! One GET of a media blob, received with libcurl on the calling thread and decrypted as it
//! arrives. Each piece is appended to the media cache's `.part` (ciphertext, so that a cut
//! download continues with a Range request), hashed, and decrypted into `DEST.tincan-part`
//! (MediaDecryptor: every 64 KiB chunk is authenticated on its own). Only when the whole blob
//! has arrived, has the attachment's size and digest, and its last chunk authenticated, is the
//! `.part` kept as the cached blob and the plaintext renamed to the destination: a tampered,
//! truncated or oversized blob never reaches it. One pass over the bytes instead of a download
//! followed by a second read, hash and decryption (docs/benchmarks.md, "Media transfer").
//!
//! A download that continues hashes and decrypts again what the `.part` holds, then asks for
//! the rest (`Range` with `If-Range: "<digest>"`); a server that answers with the whole blob
//! instead starts it over. TLS as UploadSender: only the pinned certificate.
class DownloadReceiver
{
public:
    struct Request
    {
        QUrl url;         //!< The signed download URL (absolute).
        QByteArray pin;   //!< The pinned certificate's SHA-256 (required for https).
        QString partPath; //!< The cache's partial blob (continued if present).
        QString blobPath; //!< Where the verified blob is kept.
        QString destination;
        QByteArray key; //!< The attachment's file key, digest and sizes.
        QByteArray digest;
        qint64 cipherSize = 0;
        qint64 plainSize = 0;
        int stallTimeoutMs = 30000;
    };

    struct Result
    {
        bool saved = false;       //!< The destination holds the file; the blob is cached.
        int status = 0;           //!< The server's HTTP status; 0 if no answer arrived.
        QByteArray body;          //!< An error answer's body (JSON), at most 64 KiB.
        QString error;            //!< Why it was not saved, readable (for a 200/206 or none).
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
