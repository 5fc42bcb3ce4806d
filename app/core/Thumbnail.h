#pragma once

#include <QByteArray>
#include <QImage>
#include <QString>

#include <optional>

namespace Tincan::Client {

//! What a media message says about an image or a video: its size as shown, a small JPEG
//! preview (a video's poster frame) that travels inside the end-to-end encrypted message, its
//! MIME type and, for a video, its length.
struct ImageInfo
{
    int width = 0;  //!< Pixels, as displayed (EXIF orientation or the video's rotation applied).
    int height = 0; //!< Pixels, as displayed.
    QByteArray jpegThumbnail;
    QString mime;
    qint64 durationMs = 0; //!< A video's length; 0 for an image or when unknown.
};

//! Limits of previews. Decoding untrusted images is bounded: the pixel count is checked from
//! the image header before decoding, and QImageReader's allocation limit caps what decoding
//! may allocate.
namespace Thumbnail {

inline constexpr int MaxSide = 320;              //!< Longest side of a preview (pixels).
inline constexpr qsizetype MaxBytes = 24 * 1024; //!< Largest preview JPEG.
inline constexpr qint64 MaxPixels = 100'000'000; //!< Larger images get no preview.
inline constexpr int AllocationLimitMB = 256;    //!< For decoding a file.
//! For decoding a received preview (which may come from anyone).
inline constexpr int PreviewAllocationLimitMB = 4;

} // namespace Thumbnail

//! The preview of the image or video file at `path` (longest side <= Thumbnail::MaxSide, JPEG of
//! at most Thumbnail::MaxBytes; transparency over white). What the file is comes from its
//! content, never its name: an image is what QImageReader reads, a video what makeVideoPoster
//! (VideoPoster.h) opens. Nothing without an error if the file is neither (the caller shows a
//! generic icon); nothing with `error` if it is one that cannot or may not be decoded (too many
//! pixels, corrupt, over the allocation limit).
//! Thread-safe (use it off the UI thread: large images take a while).
std::optional<ImageInfo> makeThumbnail(const QString &path, QString *error);

//! `image` as a preview JPEG: scaled down so that its longest side is at most
//! Thumbnail::MaxSide, transparency over white, then the quality and if need be the size lowered
//! until it fits Thumbnail::MaxBytes. Empty with `error` if it cannot be made. Thread-safe.
QByteArray previewJpeg(const QImage &image, QString *error);

//! Decodes a preview received in a message: JPEG only, at most Thumbnail::MaxBytes * 2 bytes
//! and 2 * Thumbnail::MaxSide pixels per side, under a small allocation limit. A null image if
//! it is anything else. Thread-safe.
QImage decodeThumbnail(const QByteArray &jpeg);

//! The MIME type of the file at `path`, from its content and name (QMimeDatabase);
//! "application/octet-stream" when unknown. Thread-safe.
QString mimeTypeOf(const QString &path);

} // namespace Tincan::Client
