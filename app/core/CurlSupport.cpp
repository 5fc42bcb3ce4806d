#include "app/core/CurlSupport.h"

#include "shared/protocol/Fingerprint.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <mutex>

namespace Tincan::Client::Curl {

namespace {

int pinIndex()
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
    auto *check =
        ssl ? static_cast<PinCheck *>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), pinIndex()))
            : nullptr;
    X509 *leaf = X509_STORE_CTX_get_current_cert(store);
    if (!check || !leaf) {
        return 0;
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (X509_digest(leaf, EVP_sha256(), md, &length) != 1) {
        return 0;
    }
    const QByteArray presented(reinterpret_cast<const char *>(md), static_cast<int>(length));
    if (check->pin.isEmpty() || presented != check->pin) {
        check->presented = Protocol::formatFingerprint(presented);
        return 0;
    }
    return 1;
}

CURLcode configureTls(CURL *, void *context, void *data)
{
    auto *ctx = static_cast<SSL_CTX *>(context);
    SSL_CTX_set_ex_data(ctx, pinIndex(), data);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verifyCertificate);
    return CURLE_OK;
}

} // namespace

void EasyFree::operator()(CURL *curl) const
{
    curl_easy_cleanup(curl);
}

void ListFree::operator()(curl_slist *list) const
{
    curl_slist_free_all(list);
}

Easy open(const QByteArray &url, int stallTimeoutMs, PinCheck *pin)
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    Easy curl(curl_easy_init());
    if (!curl) {
        return curl;
    }
    CURL *c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.constData());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(stallTimeoutMs));
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
                     static_cast<long>(std::max(1, stallTimeoutMs / 1000)));
    if (url.startsWith("https:")) {
        curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, configureTls);
        curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, pin);
    }
    return curl;
}

namespace {

int reportProgress(void *data, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    auto *progress = static_cast<Progress *>(data);
    if (progress->stop->load()) {
        return 1; // aborts the transfer
    }
    const qint64 now = progress->clock.elapsed();
    if (now - progress->lastMs >= 100) {
        progress->lastMs = now;
        (*progress->report)(*progress->position);
    }
    return 0;
}

} // namespace

void follow(CURL *curl, Progress *progress)
{
    progress->clock.start();
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, reportProgress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, progress);
}

QString pinMismatchMessage(const QString &presented)
{
    return QStringLiteral("The server showed another certificate (%1) than the one pinned for "
                          "it; nothing was sent.")
        .arg(presented);
}

} // namespace Tincan::Client::Curl
