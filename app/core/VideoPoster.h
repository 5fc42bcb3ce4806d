#pragma once

#include "app/core/Thumbnail.h"

#include <QString>

#include <optional>

namespace Tincan::Client {

//! Limits of reading a video for its poster frame (FFmpeg's libraries). The file is the user's
//! own, but may be anything: the work is bounded in bytes probed, packets read, pixels decoded
//! and wall-clock time.
namespace VideoPoster {

//! Containers read; anything else (raw streams, playlists, image sequences, concatenation
//! scripts, which may open other files) is not treated as a video.
inline constexpr const char *Containers = "mov,mp4,matroska,webm,avi,mpeg,mpegts,flv,ogg,asf";
inline constexpr int MaxProbeBytes = 1 << 20;         //!< To recognise the container.
inline constexpr qint64 MaxAnalyzeBytes = 2'000'000;  //!< To find the streams' parameters.
inline constexpr qint64 MaxAnalyzeUs = 2'000'000;     //!< Likewise, in stream time.
inline constexpr int MaxPackets = 500;                //!< Read to find a decodable frame.
inline constexpr int TimeLimitMs = 10'000;            //!< For the whole poster.
inline constexpr qint64 PosterAtUs = 1'000'000;       //!< The keyframe at or before 1 s...
inline constexpr qint64 PosterFromDurationMs = 2'000; //!< ...in a video longer than this.

} // namespace VideoPoster

//! The poster frame of the video file at `path`, as an ImageInfo: the width and height as
//! displayed (the sample aspect ratio and a rotation by quarter turns in the stream's display
//! matrix applied; mirroring is not), a preview JPEG by the rules of previewJpeg(), the MIME
//! type and `durationMs`. The frame is the keyframe at or before 1 s into a video longer than
//! 2 s (past a fade from black), else the first decodable one.
//!
//! A video is what the content says, never the name: a file in one of
//! VideoPoster::Containers, recognised with confidence, with a video stream that is not just
//! cover art. Nothing without an error for anything else; nothing with `error` for a video
//! that cannot or may not be decoded (corrupt, no decoder, more than Thumbnail::MaxPixels,
//! over a limit of VideoPoster). Never crashes on a damaged file; FFmpeg's own log goes to the
//! `tincan.media` category at debug level.
//! Thread-safe (use it off the UI thread).
std::optional<ImageInfo> makeVideoPoster(const QString &path, QString *error);

} // namespace Tincan::Client
