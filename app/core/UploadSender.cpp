#include "app/core/UploadSender.h"

#include "app/core/EncryptingFileDevice.h"
#include "shared/crypto/MediaCipher.h"
#include "shared/protocol/Fingerprint.h"

#include <QElapsedTimer>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <mutex>

namespace Tincan::Client {

namespace {

constexpr qsizetype MaxAnswerBytes = 64 * 1024;
constexpr qint64 ProgressIntervalMs = 100;
constexpr long UploadBufferBytes = 512 * 1024;

//! What the callbacks of one transfer share.
struct State
{
    const UploadSender::Request *request = nullptr;
    const std::atomic_bool *stop = nullptr;
    const std::function<void(qint64)> *progress = nullptr;
    EncryptingFileDevice *device = nullptr;
    Crypto::MediaDigest digest;
    qint64 position = 0; //!< Blob bytes read (and hashed) so far.
    qint64 end = 0;      //!< The blob's size.
    QElapsedTimer clock;
    qint64 lastProgressMs = -ProgressIntervalMs;
    UploadSender::Result *result = nullptr;
    QString readError;
    QString presented; //!< The fingerprint of a certificate that did not match the pin.
};

int stateIndex()
{
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

int verifyCertificate(int preverified, X509_STORE_CTX *store)
{
    Q_UNUSED(preverified); // no CA trust: the pin decides
    if (X509_STORE_CTX_get_error_depth(store) != 0) {
        return 1; // the chain's other certificates: the leaf decides
    }
    auto *ssl =
        static_cast<SSL *>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto *state =
        ssl ? static_cast<State *>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), stateIndex()))
            : nullptr;
    X509 *leaf = X509_STORE_CTX_get_current_cert(store);
    if (!state || !leaf) {
        return 0;
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (X509_digest(leaf, EVP_sha256(), md, &length) != 1) {
        return 0;
    }
    const QByteArray presented(reinterpret_cast<const char *>(md), static_cast<int>(length));
    if (presented != state->request->pin) {
        state->presented = Protocol::formatFingerprint(presented);
        return 0;
    }
    return 1;
}

CURLcode configureTls(CURL *, void *context, void *data)
{
    auto *ctx = static_cast<SSL_CTX *>(context);
    SSL_CTX_set_ex_data(ctx, stateIndex(), data);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verifyCertificate);
    return CURLE_OK;
}

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
    state->digest.addData(QByteArrayView(buffer, n));
    state->position += n;
    return static_cast<size_t>(n);
}

size_t keepAnswer(char *buffer, size_t size, size_t count, void *data)
{
    auto *state = static_cast<State *>(data);
    const size_t n = size * count;
    QByteArray &body = state->result->body;
    body.append(buffer,
                std::min<qsizetype>(static_cast<qsizetype>(n), MaxAnswerBytes - body.size()));
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

int reportProgress(void *data, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    auto *state = static_cast<State *>(data);
    if (state->stop->load()) {
        return 1; // aborts the transfer
    }
    const qint64 now = state->clock.elapsed();
    if (now - state->lastProgressMs >= ProgressIntervalMs) {
        state->lastProgressMs = now;
        (*state->progress)(state->position);
    }
    return 0;
}

void initialiseCurl()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlFree
{
    void operator()(CURL *curl) const { curl_easy_cleanup(curl); }
};
struct HeadersFree
{
    void operator()(curl_slist *list) const { curl_slist_free_all(list); }
};

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
    state.progress = &progress;
    state.device = &device;
    state.result = &result;
    state.end = device.cipherSize();
    state.clock.start();
    if (request.offset < 0 || request.offset > state.end) {
        result.error = QStringLiteral("The server reports an offset past the end of the file.");
        return result;
    }
    // What the server has already: hashed again, not sent.
    QByteArray piece(1024 * 1024, Qt::Uninitialized);
    while (state.position < request.offset) {
        if (stop.load()) {
            result.stopped = true;
            return result;
        }
        const qint64 n = device.read(
            piece.data(), std::min<qint64>(piece.size(), request.offset - state.position));
        if (n <= 0) {
            result.error =
                QStringLiteral("Cannot read %1: %2").arg(request.path, device.errorString());
            result.fileChanged = true;
            return result;
        }
        state.digest.addData(QByteArrayView(piece.constData(), n));
        state.position += n;
    }
    piece = {};

    initialiseCurl();
    std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
    if (!curl) {
        result.error = QStringLiteral("Cannot start the upload (libcurl).");
        return result;
    }
    const QByteArray url = request.url.toEncoded();
    const QByteArray offsetHeader = "Upload-Offset: " + QByteArray::number(request.offset);
    curl_slist *list = nullptr;
    list = curl_slist_append(list, offsetHeader.constData());
    list = curl_slist_append(list, "Content-Type: application/offset+octet-stream");
    list = curl_slist_append(list, "Expect:"); // no 100-continue round trip
    std::unique_ptr<curl_slist, HeadersFree> headers(list);
    CURL *c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.constData());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
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
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, reportProgress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &state);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.stallTimeoutMs));
    // Stalled: less than a byte a second for the whole stall timeout.
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
                     static_cast<long>(std::max(1, request.stallTimeoutMs / 1000)));
    if (tls) {
        // The pin replaces CA trust and host names: verifyCertificate() decides, in the
        // handshake.
        curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, configureTls);
        curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, &state);
    }
    const CURLcode code = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    result.status = static_cast<int>(status);
    if (state.position == state.end) {
        result.digest = state.digest.result();
    }
    if (!state.presented.isEmpty()) {
        result.pinMismatch = true;
        result.status = 0;
        result.error = QStringLiteral("The server showed another certificate (%1) than the one "
                                      "pinned for it; nothing was sent.")
                           .arg(state.presented);
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
