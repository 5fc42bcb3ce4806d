#include "app/core/VideoPoster.h"

#include "app/core/Logging.h"
#include "shared/protocol/MessageContent.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QImage>
#include <QTransform>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
}

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <memory>
#include <mutex>
#include <vector>

namespace Tincan::Client {

namespace {

constexpr int IoBufferBytes = 64 * 1024;

// Every FFmpeg object is owned by a unique_ptr whose deleter is the matching free function, so
// that each early return frees what was made so far.
struct FormatCloser
{
    void operator()(AVFormatContext *format) const { avformat_close_input(&format); }
};
struct CodecFreer
{
    void operator()(AVCodecContext *codec) const { avcodec_free_context(&codec); }
};
struct FrameFreer
{
    void operator()(AVFrame *frame) const { av_frame_free(&frame); }
};
struct PacketFreer
{
    void operator()(AVPacket *packet) const { av_packet_free(&packet); }
};
struct ScalerFreer
{
    void operator()(SwsContext *scaler) const { sws_freeContext(scaler); }
};
struct IoFreer
{
    void operator()(AVIOContext *io) const
    {
        // The buffer may have been replaced by FFmpeg meanwhile: free the one it holds now.
        av_freep(&io->buffer);
        avio_context_free(&io);
    }
};
struct AvFreer
{
    void operator()(void *memory) const { av_free(memory); }
};
//! Options passed to FFmpeg: whatever it leaves in them is freed.
struct Options
{
    AVDictionary *dictionary = nullptr;
    Options() = default;
    Options(const Options &) = delete;
    Options &operator=(const Options &) = delete;
    ~Options() { av_dict_free(&dictionary); }
    void set(const char *key, const char *value) { av_dict_set(&dictionary, key, value, 0); }
};

using FormatPtr = std::unique_ptr<AVFormatContext, FormatCloser>;
using CodecPtr = std::unique_ptr<AVCodecContext, CodecFreer>;
using FramePtr = std::unique_ptr<AVFrame, FrameFreer>;
using PacketPtr = std::unique_ptr<AVPacket, PacketFreer>;
using ScalerPtr = std::unique_ptr<SwsContext, ScalerFreer>;
using IoPtr = std::unique_ptr<AVIOContext, IoFreer>;

//! FFmpeg's log, which goes to stderr by default, at debug level in tincan.media.
void logToQt(void *context, int level, const char *format, va_list arguments)
{
    if (level > AV_LOG_WARNING || !lcMedia().isDebugEnabled()) {
        return;
    }
    thread_local int printPrefix = 1; // FFmpeg's state between the pieces of one line
    char line[1024];
    va_list copy;
    va_copy(copy, arguments);
    av_log_format_line2(context, level, format, copy, line, sizeof line, &printPrefix);
    va_end(copy);
    qCDebug(lcMedia).noquote() << "ffmpeg:" << QString::fromUtf8(line).trimmed();
}

void quietFfmpeg()
{
    static std::once_flag once;
    std::call_once(once, [] {
        av_log_set_level(AV_LOG_WARNING);
        av_log_set_callback(&logToQt);
    });
}

QString errorText(int code)
{
    char text[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(code, text, sizeof text);
    return QString::fromUtf8(text);
}

//! The file FFmpeg reads, through our own I/O: no URL is parsed (a path such as "concat:a|b"
//! stays a file name) and no protocol is opened.
struct Source
{
    QFile file;
    QDeadlineTimer deadline{VideoPoster::TimeLimitMs};
};

int readSource(void *opaque, uint8_t *buffer, int size)
{
    auto *source = static_cast<Source *>(opaque);
    if (source->deadline.hasExpired()) {
        return AVERROR_EXIT;
    }
    const qint64 n = source->file.read(reinterpret_cast<char *>(buffer), size);
    if (n < 0) {
        return AVERROR(EIO);
    }
    return n == 0 ? AVERROR_EOF : static_cast<int>(n);
}

int64_t seekSource(void *opaque, int64_t offset, int whence)
{
    auto *source = static_cast<Source *>(opaque);
    whence &= ~AVSEEK_FORCE;
    if (whence == AVSEEK_SIZE) {
        return source->file.size();
    }
    qint64 position = offset;
    if (whence == SEEK_CUR) {
        position += source->file.pos();
    } else if (whence == SEEK_END) {
        position += source->file.size();
    } else if (whence != SEEK_SET) {
        return AVERROR(EINVAL);
    }
    if (position < 0 || !source->file.seek(position)) {
        return AVERROR(EINVAL);
    }
    return position;
}

int interrupted(void *opaque)
{
    return static_cast<Source *>(opaque)->deadline.hasExpired() ? 1 : 0;
}

//! A MIME type from the container, for a video QMimeDatabase did not recognise as one.
QString mimeOfContainer(const char *name)
{
    const QByteArray names(name);
    const auto is = [&names](const char *one) {
        return av_match_list(one, names, ',') > 0;
    };
    if (is("mov")) {
        return QStringLiteral("video/mp4");
    }
    if (is("matroska")) {
        return QStringLiteral("video/x-matroska");
    }
    if (is("avi")) {
        return QStringLiteral("video/x-msvideo");
    }
    if (is("mpegts")) {
        return QStringLiteral("video/mp2t");
    }
    if (is("mpeg")) {
        return QStringLiteral("video/mpeg");
    }
    if (is("flv")) {
        return QStringLiteral("video/x-flv");
    }
    if (is("ogg")) {
        return QStringLiteral("video/ogg");
    }
    if (is("asf")) {
        return QStringLiteral("video/x-ms-asf");
    }
    return QStringLiteral("video/x-unknown");
}

//! Counterclockwise quarter turns the stream asks for when shown (0 to 3); 0 when it asks for
//! none or for an angle that is not a multiple of 90 degrees.
int quarterTurnsOf(const AVStream *stream)
{
    size_t size = 0;
    // FFmpeg 5.1 (Debian 12). From FFmpeg 6.1 the matrix is in codecpar->coded_side_data.
    const uint8_t *matrix = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (!matrix || size < 9 * sizeof(int32_t)) {
        return 0;
    }
    const double angle = av_display_rotation_get(reinterpret_cast<const int32_t *>(matrix));
    if (!std::isfinite(angle)) {
        return 0;
    }
    const double turns = angle / 90.0;
    if (std::abs(turns - std::round(turns)) > 0.01) {
        return 0;
    }
    return static_cast<int>(((std::lround(turns) % 4) + 4) % 4);
}

//! Reads packets of stream `index` and decodes them until a frame comes out that is sound and
//! not too large, within `*packetBudget` packets (of any stream). Null if none does.
FramePtr firstFrame(AVFormatContext *format, AVCodecContext *codec, int index, int *packetBudget)
{
    FramePtr frame(av_frame_alloc());
    PacketPtr packet(av_packet_alloc());
    if (!frame || !packet) {
        return {};
    }
    const auto receive = [&]() -> bool {
        while (avcodec_receive_frame(codec, frame.get()) == 0) {
            const qint64 pixels = static_cast<qint64>(frame->width) * frame->height;
            if (frame->width > 0 && frame->height > 0 && pixels <= Thumbnail::MaxPixels &&
                !(frame->flags & AV_FRAME_FLAG_CORRUPT)) {
                return true;
            }
            av_frame_unref(frame.get());
        }
        return false;
    };
    while (*packetBudget > 0) {
        const int read = av_read_frame(format, packet.get());
        if (read < 0) {
            // The end (or an unreadable rest): what the decoder still holds.
            avcodec_send_packet(codec, nullptr);
            return receive() ? std::move(frame) : FramePtr();
        }
        --*packetBudget;
        if (packet->stream_index != index) {
            av_packet_unref(packet.get());
            continue;
        }
        const int sent = avcodec_send_packet(codec, packet.get());
        av_packet_unref(packet.get());
        if (sent < 0 && sent != AVERROR(EAGAIN)) {
            continue; // A damaged packet: perhaps the next one decodes.
        }
        if (receive()) {
            return frame;
        }
    }
    return {};
}

//! The displayed size of a `frame` of `stream`: stretched by the sample aspect ratio.
QSize displayedSize(AVFormatContext *format, AVStream *stream, AVFrame *frame)
{
    QSize size(frame->width, frame->height);
    const AVRational aspect = av_guess_sample_aspect_ratio(format, stream, frame);
    if (aspect.num > 0 && aspect.den > 0 && aspect.num != aspect.den) {
        const double ratio = av_q2d(aspect);
        if (ratio > 1) {
            size.setWidth(static_cast<int>(std::lround(std::min(size.width() * ratio, 1e6))));
        } else {
            size.setHeight(static_cast<int>(std::lround(std::min(size.height() / ratio, 1e6))));
        }
    }
    return size.expandedTo(QSize(1, 1));
}

//! `frame` scaled to `target` as an RGB image (colour matrix and range as the frame says).
QImage toImage(const AVFrame *frame, QSize target, QString *why)
{
    ScalerPtr scaler(sws_getContext(
        frame->width, frame->height, static_cast<AVPixelFormat>(frame->format), target.width(),
        target.height(), AV_PIX_FMT_RGB24, SWS_AREA | SWS_ACCURATE_RND, nullptr, nullptr, nullptr));
    if (!scaler) {
        *why = QStringLiteral("unsupported pixel format %1")
                   .arg(QString::fromUtf8(
                       av_get_pix_fmt_name(static_cast<AVPixelFormat>(frame->format))));
        return {};
    }
    const int colorspace = frame->colorspace == AVCOL_SPC_UNSPECIFIED
                               ? SWS_CS_DEFAULT
                               : static_cast<int>(frame->colorspace);
    sws_setColorspaceDetails(scaler.get(), sws_getCoefficients(colorspace),
                             frame->color_range == AVCOL_RANGE_JPEG ? 1 : 0,
                             sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
    // FFmpeg's own aligned buffer (its SIMD code may want it), then copied into a QImage.
    uint8_t *planes[4] = {};
    int strides[4] = {};
    const int bytes =
        av_image_alloc(planes, strides, target.width(), target.height(), AV_PIX_FMT_RGB24, 64);
    if (bytes < 0) {
        *why = errorText(bytes);
        return {};
    }
    const std::unique_ptr<uint8_t, AvFreer> buffer(planes[0]);
    const int rows =
        sws_scale(scaler.get(), frame->data, frame->linesize, 0, frame->height, planes, strides);
    if (rows != target.height()) {
        *why = QStringLiteral("the frame cannot be converted");
        return {};
    }
    return QImage(planes[0], target.width(), target.height(), strides[0], QImage::Format_RGB888)
        .copy();
}

} // namespace

std::optional<ImageInfo> makeVideoPoster(const QString &path, QString *error)
{
    quietFfmpeg();
    const auto fail = [error](const QString &message) {
        if (error) {
            *error = message;
        }
        return std::nullopt;
    };

    Source source;
    source.file.setFileName(path);
    if (!source.file.open(QIODevice::ReadOnly) || source.file.isSequential()) {
        return std::nullopt;
    }
    auto *ioBuffer = static_cast<unsigned char *>(av_malloc(IoBufferBytes));
    if (!ioBuffer) {
        return fail(QStringLiteral("Out of memory."));
    }
    AVIOContext *rawIo =
        avio_alloc_context(ioBuffer, IoBufferBytes, 0, &source, &readSource, nullptr, &seekSource);
    if (!rawIo) {
        av_free(ioBuffer);
        return fail(QStringLiteral("Out of memory."));
    }
    // Declared before the format context, so destroyed after it (FFmpeg never frees our I/O).
    const IoPtr io(rawIo);

    // What the content is, without a file name (no guess from the extension), and only if it
    // is confidently one of the containers we read.
    const AVInputFormat *container = nullptr;
    const int score =
        av_probe_input_buffer2(io.get(), &container, "", nullptr, 0, VideoPoster::MaxProbeBytes);
    if (score <= AVPROBE_SCORE_RETRY || !container ||
        av_match_list(container->name, VideoPoster::Containers, ',') <= 0) {
        return std::nullopt;
    }

    AVFormatContext *rawFormat = avformat_alloc_context();
    if (!rawFormat) {
        return fail(QStringLiteral("Out of memory."));
    }
    rawFormat->pb = io.get();
    rawFormat->flags |= AVFMT_FLAG_CUSTOM_IO;
    rawFormat->interrupt_callback = {&interrupted, &source};
    rawFormat->probesize = VideoPoster::MaxAnalyzeBytes;
    rawFormat->max_analyze_duration = VideoPoster::MaxAnalyzeUs;
    Options openOptions;
    // Nothing the container refers to is opened: no other file, no network.
    openOptions.set("protocol_whitelist", "none");
    const int opened = avformat_open_input(&rawFormat, nullptr, container, &openOptions.dictionary);
    if (opened < 0) {
        // avformat_open_input freed the context. A file that looked like a video but is not
        // one after all (damaged, cut before its header): no preview, and say why.
        return fail(QStringLiteral("The video cannot be read: %1").arg(errorText(opened)));
    }
    const FormatPtr format(rawFormat);

    // Parameters the header left out (some containers only tell them in the packets), with
    // the same limits on the decoders this opens as on ours.
    {
        std::vector<Options> perStream(format->nb_streams);
        std::vector<AVDictionary *> dictionaries;
        for (Options &options : perStream) {
            options.set("threads", "1");
            options.set("max_pixels", QByteArray::number(Thumbnail::MaxPixels).constData());
            dictionaries.push_back(options.dictionary);
        }
        const int found = avformat_find_stream_info(format.get(), dictionaries.data());
        for (size_t i = 0; i < perStream.size(); ++i) {
            perStream[i].dictionary = dictionaries[i]; // FFmpeg may have replaced them
        }
        if (found < 0) {
            return fail(QStringLiteral("The video cannot be read: %1").arg(errorText(found)));
        }
    }

    // The video: a video stream that is not merely a picture attached to audio (cover art).
    AVStream *stream = nullptr;
    for (unsigned i = 0; i < format->nb_streams; ++i) {
        AVStream *candidate = format->streams[i];
        if (!stream && candidate->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
            !(candidate->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
            stream = candidate;
        } else {
            candidate->discard = AVDISCARD_ALL;
        }
    }
    if (!stream) {
        return std::nullopt; // Audio in a video container, or no stream at all.
    }
    const AVCodecParameters *parameters = stream->codecpar;
    if (static_cast<qint64>(parameters->width) * parameters->height > Thumbnail::MaxPixels) {
        return fail(QStringLiteral("The video is too large for a preview (%1 x %2 pixels).")
                        .arg(parameters->width)
                        .arg(parameters->height));
    }

    ImageInfo info;
    info.mime = mimeTypeOf(path);
    if (!info.mime.startsWith(QLatin1String("video/"))) {
        info.mime = mimeOfContainer(container->name);
    }
    qint64 durationUs = 0;
    if (format->duration != AV_NOPTS_VALUE && format->duration > 0) {
        durationUs = format->duration;
    } else if (stream->duration != AV_NOPTS_VALUE && stream->duration > 0) {
        durationUs = av_rescale_q(stream->duration, stream->time_base, AV_TIME_BASE_Q);
    }
    info.durationMs =
        std::clamp<qint64>((durationUs + 500) / 1000, 0, Protocol::Attachment::MaxDurationMs);

    const AVCodec *decoder = avcodec_find_decoder(parameters->codec_id);
    if (!decoder) {
        return fail(QStringLiteral("No decoder for this video's format (%1).")
                        .arg(QString::fromUtf8(avcodec_get_name(parameters->codec_id))));
    }
    const CodecPtr codec(avcodec_alloc_context3(decoder));
    if (!codec) {
        return fail(QStringLiteral("Out of memory."));
    }
    int status = avcodec_parameters_to_context(codec.get(), parameters);
    if (status >= 0) {
        codec->thread_count = 1; // one frame is wanted: no frame threads holding more
        codec->max_pixels = Thumbnail::MaxPixels;
        codec->pkt_timebase = stream->time_base;
        status = avcodec_open2(codec.get(), decoder, nullptr);
    }
    if (status < 0) {
        return fail(QStringLiteral("The video cannot be decoded: %1").arg(errorText(status)));
    }

    // Past the first second when the video is long enough (the first frames are often black
    // or a fade), as other messengers do: the keyframe at or before it. Else, or if that finds
    // nothing, the first frame.
    const qint64 start = stream->start_time != AV_NOPTS_VALUE ? stream->start_time : 0;
    int packetBudget = VideoPoster::MaxPackets;
    FramePtr frame;
    if (info.durationMs > VideoPoster::PosterFromDurationMs &&
        av_seek_frame(format.get(), stream->index,
                      start +
                          av_rescale_q(VideoPoster::PosterAtUs, AV_TIME_BASE_Q, stream->time_base),
                      AVSEEK_FLAG_BACKWARD) >= 0) {
        frame = firstFrame(format.get(), codec.get(), stream->index, &packetBudget);
        if (!frame && packetBudget > 0 && !source.deadline.hasExpired()) {
            avcodec_flush_buffers(codec.get());
            av_seek_frame(format.get(), stream->index, start, AVSEEK_FLAG_BACKWARD);
        }
    }
    if (!frame && packetBudget > 0 && !source.deadline.hasExpired()) {
        frame = firstFrame(format.get(), codec.get(), stream->index, &packetBudget);
    }
    if (!frame) {
        return fail(source.deadline.hasExpired()
                        ? QStringLiteral("The video took too long to decode.")
                        : QStringLiteral("The video has no frame that decodes."));
    }

    const QSize displayed = displayedSize(format.get(), stream, frame.get());
    QSize target = displayed;
    if (std::max(target.width(), target.height()) > Thumbnail::MaxSide) {
        target = target.scaled(Thumbnail::MaxSide, Thumbnail::MaxSide, Qt::KeepAspectRatio)
                     .expandedTo(QSize(1, 1));
    }
    QString why;
    QImage poster = toImage(frame.get(), target, &why);
    if (poster.isNull()) {
        return fail(QStringLiteral("The video's frame cannot be converted: %1").arg(why));
    }
    const int turns = quarterTurnsOf(stream);
    if (turns != 0) {
        // FFmpeg's angle is counterclockwise; QTransform's (y down) is clockwise.
        poster = poster.transformed(QTransform().rotate(-90.0 * turns));
    }
    info.width = turns % 2 ? displayed.height() : displayed.width();
    info.height = turns % 2 ? displayed.width() : displayed.height();
    info.jpegThumbnail = previewJpeg(poster, error);
    if (info.jpegThumbnail.isEmpty()) {
        return std::nullopt;
    }
    return info;
}

} // namespace Tincan::Client
