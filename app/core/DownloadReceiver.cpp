#include "app/core/DownloadReceiver.h"

#include "app/core/CurlSupport.h"
#include "shared/crypto/MediaCipher.h"

#include <QFile>

#include <curl/curl.h>

#include <memory>

namespace Tincan::Client {

namespace {

constexpr qint64 Piece = 1024 * 1024;
//! The `.part` is written in blocks of this size: libcurl hands the body over in pieces of 16
//! to 64 KiB.
constexpr qsizetype WriteBlock = 1024 * 1024;

//! What the callbacks of one transfer share.
struct State
{
    const DownloadReceiver::Request *request = nullptr;
    const std::atomic_bool *stop = nullptr;
    CURL *curl = nullptr;
    QFile part;
    QByteArray pending; //!< Received, not written yet (at most about WriteBlock).
    std::unique_ptr<Crypto::MediaDigest> digest;
    qint64 position = 0; //!< Blob bytes received (written or pending).
    qint64 have = 0;     //!< What `part` held before this request.
    long status = 0;     //!< The answer's status, once known.
    bool restarted = false;
    bool tooLong = false;
    QString writeError;
    Curl::Progress reporting;
    QByteArray errorBody;
    Curl::PinCheck pin;

    bool flush()
    {
        if (pending.isEmpty()) {
            return true;
        }
        const bool ok = part.write(pending) == pending.size();
        if (!ok) {
            writeError = part.errorString();
        }
        pending.resize(0);
        return ok;
    }
};

size_t receive(char *buffer, size_t size, size_t count, void *data)
{
    auto *state = static_cast<State *>(data);
    const size_t n = size * count;
    if (state->stop->load()) {
        return 0; // aborts the transfer
    }
    if (state->status == 0) {
        curl_easy_getinfo(state->curl, CURLINFO_RESPONSE_CODE, &state->status);
    }
    if (state->status != 200 && state->status != 206) {
        state->errorBody.append(
            buffer, std::min<qsizetype>(static_cast<qsizetype>(n),
                                        Curl::MaxAnswerBytes - state->errorBody.size()));
        return n;
    }
    if (state->status == 200 && state->have > 0 && !state->restarted) {
        // The whole blob instead of the rest (it changed, or Range was ignored): from the start.
        state->restarted = true;
        state->pending.resize(0);
        state->part.resize(0);
        state->part.seek(0);
        state->position = 0;
        state->digest = std::make_unique<Crypto::MediaDigest>();
    }
    if (state->position + static_cast<qint64>(n) > state->request->cipherSize) {
        state->tooLong = true;
        return 0;
    }
    const QByteArrayView bytes(buffer, static_cast<qsizetype>(n));
    state->digest->addData(bytes);
    state->pending.append(bytes);
    state->position += static_cast<qint64>(n);
    if (state->pending.size() >= WriteBlock && !state->flush()) {
        return 0;
    }
    return n;
}

} // namespace

DownloadReceiver::Result DownloadReceiver::run(const Request &request, const std::atomic_bool &stop,
                                               const std::function<void(qint64)> &progress)
{
    Result result;
    State state;
    state.request = &request;
    state.stop = &stop;
    state.part.setFileName(request.partPath);
    state.digest = std::make_unique<Crypto::MediaDigest>();
    state.pending.reserve(WriteBlock + 512 * 1024);
    const auto fail = [&](const QString &error, bool dropPart, bool retry) {
        if (dropPart) {
            state.part.close();
            QFile::remove(request.partPath);
        } else {
            state.flush(); // what arrived is kept, to continue from
            state.part.close();
        }
        result.error = error;
        result.retry = retry;
        return result;
    };
    if (request.url.scheme() == QLatin1String("https") && request.pin.isEmpty()) {
        return fail(QStringLiteral("No server certificate is pinned."), false, false);
    }
    if (!state.part.open(QIODevice::ReadWrite | QIODevice::Unbuffered)) {
        return fail(
            QStringLiteral("Cannot write %1: %2").arg(request.partPath, state.part.errorString()),
            false, false);
    }
    // What an earlier attempt stored: hashed again, then asked for from its end.
    qint64 have = state.part.size();
    if (have > request.cipherSize) {
        have = 0;
    }
    QByteArray piece(Piece, Qt::Uninitialized);
    while (state.position < have) {
        const qint64 n = state.part.read(piece.data(), std::min(Piece, have - state.position));
        if (n <= 0) {
            have = 0;
            break;
        }
        state.digest->addData(QByteArrayView(piece.constData(), n));
        state.position += n;
    }
    piece = {};
    if (have == 0) {
        state.part.resize(0);
        state.position = 0;
        state.digest = std::make_unique<Crypto::MediaDigest>();
    }
    state.part.seek(state.position);
    state.have = state.position;
    result.resumedFrom = state.have;

    state.pin.pin = request.pin;
    const Curl::Easy curl = Curl::open(request.url.toEncoded(), request.stallTimeoutMs, &state.pin);
    if (!curl) {
        return fail(QStringLiteral("Cannot start the download (libcurl)."), false, true);
    }
    CURL *c = curl.get();
    state.curl = c;
    curl_slist *list = nullptr;
    QByteArray range;
    QByteArray ifRange;
    if (state.have > 0) {
        range = "Range: bytes=" + QByteArray::number(state.have) + '-';
        ifRange = "If-Range: \"" + request.digest.toHex() + '"';
        list = curl_slist_append(list, range.constData());
        list = curl_slist_append(list, ifRange.constData());
    }
    const Curl::List headers(list);
    if (headers) {
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    }
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 512L * 1024);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, receive);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &state);
    state.reporting.stop = &stop;
    state.reporting.report = &progress;
    state.reporting.position = &state.position;
    Curl::follow(c, &state.reporting);
    const CURLcode code = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    result.status = static_cast<int>(status);

    if (!state.pin.presented.isEmpty()) {
        result.pinMismatch = true;
        result.status = 0;
        return fail(Curl::pinMismatchMessage(state.pin.presented), false, true);
    }
    if (stop.load()) {
        result.stopped = true;
        return fail(QStringLiteral("Stopped."), false, true);
    }
    if (!state.writeError.isEmpty()) {
        return fail(QStringLiteral("Cannot write the download: %1").arg(state.writeError), false,
                    false);
    }
    if (status != 200 && status != 206) {
        result.body = state.errorBody;
        // No answer: the connection failed (the part is kept, to continue).
        return fail(status == 0 ? QStringLiteral("The download was interrupted: %1")
                                      .arg(QString::fromUtf8(curl_easy_strerror(code)))
                                : QString(),
                    status == 416, status == 0);
    }
    if (state.tooLong) {
        return fail(QStringLiteral("The server sent more than the %1 bytes expected: the file is "
                                   "damaged.")
                        .arg(request.cipherSize),
                    true, false);
    }
    if (code == CURLE_OK && state.position != request.cipherSize) {
        return fail(QStringLiteral("The server sent %1 bytes where %2 were expected: the file is "
                                   "damaged.")
                        .arg(state.position)
                        .arg(request.cipherSize),
                    true, false);
    }
    if (code != CURLE_OK) {
        return fail(QStringLiteral("The download was interrupted: %1")
                        .arg(QString::fromUtf8(curl_easy_strerror(code))),
                    false, true);
    }
    if (state.digest->result() != request.digest) {
        return fail(QStringLiteral("The downloaded file does not match its digest: it was altered "
                                   "or damaged on the server or on the way. Nothing was saved."),
                    true, false);
    }
    if (!state.flush()) {
        return fail(QStringLiteral("Cannot write the download: %1").arg(state.writeError), false,
                    false);
    }
    state.part.close();
    QFile::remove(request.blobPath);
    if (!QFile::rename(request.partPath, request.blobPath)) {
        return fail(QStringLiteral("Cannot keep the download."), true, false);
    }
    result.cached = true;
    return result;
}

} // namespace Tincan::Client
