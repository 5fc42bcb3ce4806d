#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace Tincan::Protocol {

//! Error codes of the HTTP API: the `error` member of every error body.
namespace ErrorCode {
inline constexpr auto BadJson = "bad_json";                          // 400
inline constexpr auto InvalidRequest = "invalid_request";            // 400
inline constexpr auto Unauthenticated = "unauthenticated";           // 401
inline constexpr auto Forbidden = "forbidden";                       // 403
inline constexpr auto InviteRequired = "invite_required";            // 403
inline constexpr auto NotFound = "not_found";                        // 404
inline constexpr auto UnknownUser = "unknown_user";                  // 404
inline constexpr auto UnknownDevice = "unknown_device";              // 404
inline constexpr auto UnknownGroup = "unknown_group";                // 404
inline constexpr auto UnknownLink = "unknown_link";                  // 404
inline constexpr auto UnknownMedia = "unknown_media";                // 404
inline constexpr auto InvalidSignature = "invalid_signature";        // 403
inline constexpr auto UrlExpired = "url_expired";                    // 403
inline constexpr auto UploadClosed = "upload_closed";                // 403 (signed URL), 409 (API)
inline constexpr auto MethodNotAllowed = "method_not_allowed";       // 405
inline constexpr auto UsernameTaken = "username_taken";              // 409
inline constexpr auto DeviceMismatch = "device_mismatch";            // 409
inline constexpr auto IdConflict = "client_id_conflict";             // 409
inline constexpr auto IdentityConflict = "identity_conflict";        // 409
inline constexpr auto GroupChanged = "group_changed";                // 409
inline constexpr auto GroupFull = "group_full";                      // 409
inline constexpr auto LinkState = "link_state";                      // 409
inline constexpr auto MediaNotReady = "media_not_ready";             // 409
inline constexpr auto OffsetMismatch = "offset_mismatch";            // 409
inline constexpr auto UploadBusy = "upload_busy";                    // 409
inline constexpr auto RangeNotSatisfiable = "range_not_satisfiable"; // 416
inline constexpr auto InsufficientStorage = "insufficient_storage";  // 507
inline constexpr auto TooManyDevices = "too_many_devices";           // 403
inline constexpr auto TooLarge = "too_large";                        // 413
inline constexpr auto UpgradeRequired = "upgrade_required";          // 426
inline constexpr auto HeadersTooLarge = "headers_too_large";         // 431
inline constexpr auto RateLimited = "rate_limited";                  // 429
inline constexpr auto Internal = "internal";                         // 500
inline constexpr auto Unavailable = "unavailable";                   // 503
} // namespace ErrorCode

//! An API error: HTTP status, machine-readable code, human text and optional extra members.
struct ApiError
{
    int status = 0;
    QString code;
    QString message;
    QJsonObject details;

    bool isNull() const { return status == 0; }

    //! The JSON body `{"error": code, "message": text, ...details}`.
    QJsonObject toJson() const;
    QByteArray toJsonBytes() const;
    //! Parses an error body; returns an error with `code` empty when the body is not one.
    static ApiError fromJson(int status, const QByteArray &body);

    static ApiError badRequest(const QString &message,
                               const char *code = ErrorCode::InvalidRequest);
    static ApiError unauthenticated(const QString &message);
    static ApiError forbidden(const QString &message, const char *code = ErrorCode::Forbidden);
    static ApiError notFound(const QString &message, const char *code = ErrorCode::NotFound);
    static ApiError conflict(const QString &message, const char *code);
    static ApiError tooLarge(const QString &message);
    static ApiError rateLimited(const QString &message);
    static ApiError internal(const QString &message);
};

} // namespace Tincan::Protocol
