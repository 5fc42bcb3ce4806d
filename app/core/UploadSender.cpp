#include "app/core/UploadSender.h"

#include "app/core/CurlSupport.h"
#include "app/core/EncryptingFileDevice.h"
#include "shared/crypto/MediaCipher.h"

#include <curl/curl.h>

namespace Tincan::Client {

namespace {

constexpr long UploadBufferBytes = 512 * 1024;

//! What the callbacks of one transfer share.
struct State
{
    const UploadSender::Request *request = nullptr;
    const std::atomic_bool *stop = nullptr;
    EncryptingFileDevice *device = nullptr;
    Crypto::MediaDigest digest;
    bool hashing = true; //!< The whole blob is sent: its digest is taken on the way.
    qint64 position = 0; //!< Blob bytes read (and hashed) so far.
    qint64 end = 0;      //!< The blob's size.
    Curl::Progress reporting;
    UploadSender::Result *result = nullptr;
    QString readError;
    Curl::PinCheck pin;
};

size_t readBody(char *buffer, size_t size, size_t count, void *data)
{
    auto *state = static_cast<State *>(data);
    if (state->stop->load()) {
        return CURL_READFUNC_ABORT;
    }
    const qint64 wanted =
        std::min<qint64>(static_cast<qint64>(size * count), state->end - state->position);
    if (wanted <= 0) {
        return 0;
    }
    const qint64 n = state->device->read(buffer, wanted);
    if (n <= 0) {
        state->readError = state->device->errorString();
        return CURL_READFUNC_ABORT;
    }
    if (state->hashing) {
        state->digest.addData(QByteArrayView(buffer, n));
    }
    state->position += n;
    return static_cast<size_t>(n);
}

size_t keepAnswer(char *buffer, size_t size, size_t count, void *data)
{
    auto *state = static_cast<State *>(data);
    const size_t n = size * count;
    QByteArray &body = state->result->body;
    body.append(buffer,
                std::min<qsizetype>(static_cast<qsizetype>(n), Curl::MaxAnswerBytes - body.size()));
    return n;
}

size_t keepHeader(char *buffer, size_t size, size_t count, void *data)
{
    auto *state = static_cast<State *>(data);
    const size_t n = size * count;
    const QByteArray line = QByteArray(buffer, static_cast<qsizetype>(n)).trimmed();
    const qsizetype colon = line.indexOf(':');
    if (colon > 0 && line.left(colon).trimmed().toLower() == "tincan-sha256") {
        state->result->serverDigest = QByteArray::fromHex(line.mid(colon + 1).trimmed());
    }
    return n;
}

} // namespace

UploadSender::Result UploadSender::run(const Request &request, const std::atomic_bool &stop,
                                       const std::function<void(qint64)> &progress)
{
    Result result;
    const bool tls = request.url.scheme() == QLatin1String("https");
    if (tls && request.pin.isEmpty()) {
        result.error = QStringLiteral("No server certificate is pinned.");
        return result;
    }
    EncryptingFileDevice device(request.path, request.key, request.salt);
    if (!device.open(QIODevice::ReadOnly)) {
        result.error = QStringLiteral("Cannot read %1: %2").arg(request.path, device.errorString());
        result.fileChanged = true;
        return result;
    }
    if (device.plainSize() != request.plainSize) {
        result.error =
            QStringLiteral("%1 changed since it was chosen; send it again.").arg(request.path);
        result.fileChanged = true;
        return result;
    }
    State state;
    state.request = &request;
    state.stop = &stop;
    state.device = &device;
    state.result = &result;
    state.end = device.cipherSize();
    if (request.offset < 0 || request.offset > state.end) {
        result.error = QStringLiteral("The server reports an offset past the end of the file.");
        return result;
    }
    // A resumed upload starts sending at once: its URL may be short-lived, and hashing the part
    // the server has first would take a second per GiB. Its digest is taken afterwards, from the
    // file (ClientCore::uploadCompleted), when the server reports the upload complete.
    state.hashing = request.offset == 0;
    if (!device.seek(request.offset)) {
        result.error = QStringLiteral("Cannot read %1: %2").arg(request.path, device.errorString());
        result.fileChanged = true;
        return result;
    }
    state.position = request.offset;

    state.pin.pin = request.pin;
    const Curl::Easy curl = Curl::open(request.url.toEncoded(), request.stallTimeoutMs, &state.pin);
    if (!curl) {
        result.error = QStringLiteral("Cannot start the upload (libcurl).");
        return result;
    }
    const QByteArray offsetHeader = "Upload-Offset: " + QByteArray::number(request.offset);
    curl_slist *list = nullptr;
    list = curl_slist_append(list, offsetHeader.constData());
    list = curl_slist_append(list, "Content-Type: application/offset+octet-stream");
    list = curl_slist_append(list, "Expect:"); // no 100-continue round trip
    const Curl::List headers(list);
    CURL *c = curl.get();
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PATCH");
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
                     static_cast<curl_off_t>(state.end - request.offset));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, UploadBufferBytes);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, readBody);
    curl_easy_setopt(c, CURLOPT_READDATA, &state);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keepAnswer);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &state);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, keepHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &state);
    state.reporting.stop = &stop;
    state.reporting.report = &progress;
    state.reporting.position = &state.position;
    Curl::follow(c, &state.reporting);
    const CURLcode code = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    result.status = static_cast<int>(status);
    if (state.hashing && state.position == state.end) {
        result.digest = state.digest.result();
    }
    if (!state.pin.presented.isEmpty()) {
        result.pinMismatch = true;
        result.status = 0;
        result.error = Curl::pinMismatchMessage(state.pin.presented);
        return result;
    }
    if (result.status > 0) {
        return result; // answered (possibly before the whole body was sent)
    }
    if (stop.load()) {
        result.stopped = true;
        result.error = QStringLiteral("Stopped.");
    } else if (!state.readError.isEmpty()) {
        result.fileChanged = true;
        result.error = QStringLiteral("Cannot read %1: %2").arg(request.path, state.readError);
    } else {
        result.error = QStringLiteral("The upload was interrupted: %1")
                           .arg(QString::fromUtf8(curl_easy_strerror(code)));
    }
    return result;
}

} // namespace Tincan::Client
