#pragma once

#include <QByteArray>
#include <QImage>
#include <QString>

#include <optional>

namespace Tincan::Client {

//! What a media message says about an image: its size as shown, a small JPEG preview that
//! travels inside the end-to-end encrypted message, and its MIME type.
struct ImageInfo
{
    int width = 0;  //!< Pixels, as displayed (EXIF orientation applied).
    int height = 0; //!< Pixels, as displayed.
    QByteArray jpegThumbnail;
    QString mime;
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

//! The preview of the image file at `path` (longest side <= Thumbnail::MaxSide, JPEG of at most
//! Thumbnail::MaxBytes; transparency over white). Nothing without an error if the file is not
//! an image (the caller shows a generic icon); nothing with `error` if it is an image that
//! cannot or may not be decoded (too many pixels, corrupt, over the allocation limit).
//! Thread-safe (use it off the UI thread: large images take a while).
std::optional<ImageInfo> makeThumbnail(const QString &path, QString *error);

//! Decodes a preview received in a message: JPEG only, at most Thumbnail::MaxBytes * 2 bytes
//! and 2 * Thumbnail::MaxSide pixels per side, under a small allocation limit. A null image if
//! it is anything else. Thread-safe.
QImage decodeThumbnail(const QByteArray &jpeg);

//! The MIME type of the file at `path`, from its content and name (QMimeDatabase);
//! "application/octet-stream" when unknown. Thread-safe.
QString mimeTypeOf(const QString &path);

} // namespace Tincan::Client
