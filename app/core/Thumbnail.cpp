#include "app/core/Thumbnail.h"

#include "app/core/VideoPoster.h"

#include <QBuffer>
#include <QImageReader>
#include <QMimeDatabase>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace Tincan::Client {

namespace {

//! `size` scaled down so that its longest side is at most `maxSide` (never up, never to 0).
QSize boundedSize(QSize size, int maxSide)
{
    const int longest = std::max(size.width(), size.height());
    if (longest <= maxSide) {
        return size;
    }
    const double scale = static_cast<double>(maxSide) / longest;
    return {std::clamp(static_cast<int>(std::lround(size.width() * scale)), 1, maxSide),
            std::clamp(static_cast<int>(std::lround(size.height() * scale)), 1, maxSide)};
}

QByteArray toJpeg(const QImage &image, int quality)
{
    QByteArray jpeg;
    QBuffer buffer(&jpeg);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, "JPEG", quality)) {
        return {};
    }
    return jpeg;
}

} // namespace

std::optional<ImageInfo> makeThumbnail(const QString &path, QString *error)
{
    const auto fail = [error](const QString &message) {
        if (error) {
            *error = message;
        }
        return std::nullopt;
    };
    QImageReader reader(path);
    // The content decides, not the file name: a renamed file must not pick another decoder.
    reader.setDecideFormatFromContent(true);
    reader.setAllocationLimit(Thumbnail::AllocationLimitMB);
    reader.setAutoTransform(true);
    if (!reader.canRead()) {
        // Not an image: perhaps a video (decided from the content as well).
        return makeVideoPoster(path, error);
    }
    // From the image's header, before any pixel is decoded.
    const QSize stored = reader.size();
    if (stored.isValid()) {
        if (stored.isEmpty()) {
            return fail(QStringLiteral("The image has no pixels."));
        }
        if (static_cast<qint64>(stored.width()) * stored.height() > Thumbnail::MaxPixels) {
            return fail(QStringLiteral("The image is too large for a preview (%1 x %2 pixels).")
                            .arg(stored.width())
                            .arg(stored.height()));
        }
        // Decoders that can (JPEG) then decode at a fraction of the size.
        reader.setScaledSize(boundedSize(stored, Thumbnail::MaxSide));
    }
    QImage image = reader.read();
    if (image.isNull()) {
        return fail(QStringLiteral("The image cannot be decoded: %1").arg(reader.errorString()));
    }
    ImageInfo info;
    info.mime = mimeTypeOf(path);
    if (stored.isValid()) {
        const bool turned =
            reader.transformation().testFlag(QImageIOHandler::TransformationRotate90);
        info.width = turned ? stored.height() : stored.width();
        info.height = turned ? stored.width() : stored.height();
    } else {
        // A format that does not tell its size up front: the allocation limit bounded decoding.
        if (static_cast<qint64>(image.width()) * image.height() > Thumbnail::MaxPixels) {
            return fail(QStringLiteral("The image is too large for a preview (%1 x %2 pixels).")
                            .arg(image.width())
                            .arg(image.height()));
        }
        info.width = image.width();
        info.height = image.height();
        image = image.scaled(boundedSize(image.size(), Thumbnail::MaxSide), Qt::IgnoreAspectRatio,
                             Qt::SmoothTransformation);
    }

    info.jpegThumbnail = previewJpeg(image, error);
    if (info.jpegThumbnail.isEmpty()) {
        return std::nullopt;
    }
    return info;
}

QByteArray previewJpeg(const QImage &image, QString *error)
{
    const auto fail = [error](const QString &message) {
        if (error) {
            *error = message;
        }
        return QByteArray();
    };
    if (image.isNull()) {
        return fail(QStringLiteral("There is no picture to make a preview of."));
    }
    // JPEG has no alpha: transparent parts become white, not black.
    QImage opaque(boundedSize(image.size(), Thumbnail::MaxSide), QImage::Format_RGB32);
    opaque.fill(Qt::white);
    {
        QPainter painter(&opaque);
        if (opaque.size() == image.size()) {
            painter.drawImage(0, 0, image);
        } else {
            painter.drawImage(opaque.rect(), image.scaled(opaque.size(), Qt::IgnoreAspectRatio,
                                                          Qt::SmoothTransformation));
        }
    }
    for (int round = 0; round < 8; ++round) {
        for (const int quality : {80, 65, 50, 35, 20}) {
            QByteArray jpeg = toJpeg(opaque, quality);
            if (jpeg.isEmpty()) {
                return fail(QStringLiteral("Cannot write a JPEG preview (is Qt's JPEG plugin "
                                           "installed?)."));
            }
            if (jpeg.size() <= Thumbnail::MaxBytes) {
                return jpeg;
            }
        }
        // Still too big at low quality (noise-like content): fewer pixels.
        opaque =
            opaque.scaled(std::max(1, opaque.width() * 3 / 4), std::max(1, opaque.height() * 3 / 4),
                          Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    }
    return fail(QStringLiteral("Cannot make the preview small enough."));
}

QImage decodeThumbnail(const QByteArray &jpeg)
{
    if (jpeg.isEmpty() || jpeg.size() > 2 * Thumbnail::MaxBytes) {
        return {};
    }
    QBuffer buffer;
    buffer.setData(jpeg);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer, "jpeg");
    reader.setDecideFormatFromContent(false);
    reader.setAllocationLimit(Thumbnail::PreviewAllocationLimitMB);
    const QSize size = reader.size();
    if (!size.isValid() || size.isEmpty() || size.width() > 2 * Thumbnail::MaxSide ||
        size.height() > 2 * Thumbnail::MaxSide) {
        return {};
    }
    return reader.read();
}

QString mimeTypeOf(const QString &path)
{
    const QMimeType type = QMimeDatabase().mimeTypeForFile(path);
    if (!type.isValid() || type.name().isEmpty()) {
        return QStringLiteral("application/octet-stream");
    }
    return type.name();
}

} // namespace Tincan::Client
