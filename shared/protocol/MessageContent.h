#pragma once

#include "shared/protocol/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace Tincan::Protocol {

//! A file in a media message: where its encrypted blob is (the server's media id), the key to
//! open it and what the receiver shows before downloading. The blob is the file encrypted in
//! the Crypto::MediaCipher format; `digest` is the SHA-256 of the whole blob (the server's
//! ETag), checked before the blob's plaintext is used.
struct Attachment
{
    static constexpr qsizetype KeyBytes = 32;
    static constexpr qsizetype DigestBytes = 32;
    static constexpr int MaxNameLength = 255;
    static constexpr int MaxMimeLength = 255;
    //! The sender makes previews of at most 24 KiB (Client::Thumbnail::MaxBytes).
    static constexpr qsizetype MaxThumbnailBytes = 32 * 1024;
    static constexpr qint64 MaxSize = qint64(1) << 50;
    static constexpr qint64 MaxDimension = 1'000'000;
    static constexpr qint64 MaxDurationMs = qint64(1) << 50;

    QString mediaId;       //!< 32 lower-case hex digits (the server's id).
    QByteArray key;        //!< The file key (KeyBytes).
    QByteArray digest;     //!< SHA-256 of the whole blob (DigestBytes).
    qint64 size = 0;       //!< Plaintext bytes.
    qint64 cipherSize = 0; //!< Blob bytes: always expectedCipherSize(size).
    QString name;          //!< File name: see isValidAttachmentName().
    QString mime;          //!< "type/subtype", e.g. "image/jpeg".
    int width = 0;         //!< Image or video pixels; 0 if unknown.
    int height = 0;        //!< Image or video pixels; 0 if unknown.
    QByteArray thumbnail;  //!< A JPEG preview, or empty.
    qint64 durationMs = 0; //!< Audio or video length; 0 if unknown.

    //! Blob bytes of a `size`-byte file: 20 + size + 16 * max(1, ceil(size / 65536)).
    //! Crypto::MediaCipher::cipherSize, restated because the protocol does not depend on the
    //! crypto library (tst_mediacipher keeps the two equal).
    static constexpr qint64 expectedCipherSize(qint64 size)
    {
        if (size < 0 || size > MaxSize) {
            return -1;
        }
        const qint64 chunks = size == 0 ? 1 : (size - 1) / 65536 + 1;
        return 20 + size + 16 * chunks;
    }

    friend bool operator==(const Attachment &, const Attachment &) = default;
};

//! The plaintext inside each per-device payload, end-to-end encrypted: the server never sees it.
//! Kinds:
//! - "text": what a user wrote. With `ref`, it is a resend of the message whose client id is
//!   `ref` (that a device could not decrypt the first time).
//!   In a group, `group` names it (a group message is encrypted with the sender key; a resend
//!   of one goes pairwise and says which group it belongs to).
//! - "retry": asks the sending device to resend message `ref`, over a fresh session.
//! - "sender_key": the sending device's sender key for `group` (a libsignal
//!   SenderKeyDistributionMessage in `key`), sent pairwise to each member device.
//! - "history": to a newly linked device of the same user, from the device that approved it:
//!   the history transfer of link `link` is ready on the server, `size` bytes sealed with `key`
//!   (Crypto::SealedBox) whose SHA-256 is `digest`.
//! - "media": files (`attachments`, 1 to MaxAttachments; one for now) with an optional caption
//!   in `text`. On the wire: {"v":1,"kind":"media","text":"...","attachments":[{"id","key",
//!   "sha256","size","cipherSize","name","mime"[,"width","height","thumbnail","durationMs"]}]},
//!   bytes in standard base64. Decoding checks every field (sizes, the blob size against the
//!   plaintext size, the media id, the name, the MIME type, that a thumbnail is a JPEG).
//!   Budget: the whole content must fit the server's per-device payload limit.
struct MessageContent
{
    static constexpr int Version = 1;
    static constexpr qsizetype MaxTextLength = 64 * 1024;
    static constexpr qsizetype MaxAttachments = 10;

    enum class Kind { Text, Retry, SenderKey, History, Media };

    QString text; //!< Text: the message; Media: the caption (may be empty).
    Kind kind = Kind::Text;
    QString ref;       //!< A client message id (UUID), or empty.
    QString group;     //!< A group id, or empty.
    QByteArray key;    //!< SenderKey: the serialized distribution message; History: the key.
    qint64 link = 0;   //!< History: the link id.
    qint64 size = 0;   //!< History: bytes of the sealed transfer.
    QByteArray digest; //!< History: SHA-256 of the sealed transfer.
    QList<Attachment> attachments; //!< Media: the files.

    QByteArray encode() const;
    static Result<MessageContent> decode(const QByteArray &bytes);
};

} // namespace Tincan::Protocol
