#include "server/net/TlsCredentials.h"

#include "server/core/Config.h"
#include "server/core/Logging.h"
#include "shared/protocol/Fingerprint.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSslSocket>
#include <QSysInfo>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace Tincan::Server {

namespace {

constexpr long ValiditySeconds = 10L * 365 * 24 * 3600;
constexpr long BackdateSeconds = 3600; // Tolerates clients whose clocks run a little behind.

template<class T, void (*Free)(T *)> struct Deleter
{
    void operator()(T *p) const { Free(p); }
};
using PKeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using BigNumPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

QByteArray bioContents(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return QByteArray(data, static_cast<qsizetype>(size));
}

bool addExtension(X509 *certificate, int nid, const QByteArray &value)
{
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
    ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value.constData()));
    return extension && X509_add_ext(certificate, extension.get(), -1) == 1;
}

//! The names the certificate is valid for. Clients pin the fingerprint rather than check the
//! name, but browsers and tools such as curl check it, so list what a client may use.
QByteArray subjectAltNames(const Config &config)
{
    QList<QByteArray> names{"DNS:localhost", "IP:127.0.0.1", "IP:::1"};
    const QHostAddress &listen = config.listenAddress;
    if (!listen.isLoopback() && listen != QHostAddress::Any && listen != QHostAddress::AnyIPv4 &&
        listen != QHostAddress::AnyIPv6) {
        names.append("IP:" + listen.toString().toLatin1());
    }
    const QByteArray host = QSysInfo::machineHostName().toLatin1();
    const bool plainName = !host.isEmpty() && host != "localhost" &&
                           std::all_of(host.cbegin(), host.cend(), [](char c) {
                               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                      (c >= '0' && c <= '9') || c == '-' || c == '.';
                           });
    if (plainName) {
        names.append("DNS:" + host);
    }
    return names.join(',');
}

//! A self-signed certificate and its key, both PEM: ECDSA P-256, SHA-256, ten years.
bool generate(const Config &config, QByteArray *certificatePem, QByteArray *keyPem, QString *error)
{
    PKeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    X509Ptr certificate(X509_new());
    if (!key || !certificate) {
        *error = QStringLiteral("Cannot create a key pair for the TLS certificate.");
        return false;
    }
    X509 *x = certificate.get();
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof(serial)) != 1) {
        *error = QStringLiteral("No random numbers for the TLS certificate's serial number.");
        return false;
    }
    serial[0] &= 0x7f; // A positive number.
    BigNumPtr serialNumber(BN_bin2bn(serial, sizeof(serial), nullptr));
    X509_NAME *name = X509_get_subject_name(x);
    const auto *commonName = reinterpret_cast<const unsigned char *>("tincand");
    const bool ok =
        serialNumber && X509_set_version(x, 2) == 1 &&
        BN_to_ASN1_INTEGER(serialNumber.get(), X509_get_serialNumber(x)) != nullptr &&
        X509_gmtime_adj(X509_getm_notBefore(x), -BackdateSeconds) != nullptr &&
        X509_gmtime_adj(X509_getm_notAfter(x), ValiditySeconds) != nullptr &&
        X509_set_pubkey(x, key.get()) == 1 &&
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, commonName, -1, -1, 0) == 1 &&
        X509_set_issuer_name(x, name) == 1 &&
        addExtension(x, NID_basic_constraints, "critical,CA:FALSE") &&
        addExtension(x, NID_key_usage, "critical,digitalSignature") &&
        addExtension(x, NID_ext_key_usage, "serverAuth") &&
        addExtension(x, NID_subject_key_identifier, "hash") &&
        addExtension(x, NID_subject_alt_name, subjectAltNames(config)) &&
        X509_sign(x, key.get(), EVP_sha256()) > 0;
    if (!ok) {
        *error = QStringLiteral("Cannot create the self-signed TLS certificate.");
        return false;
    }
    BioPtr certificateBio(BIO_new(BIO_s_mem()));
    BioPtr keyBio(BIO_new(BIO_s_mem()));
    if (!certificateBio || !keyBio || PEM_write_bio_X509(certificateBio.get(), x) != 1 ||
        PEM_write_bio_PrivateKey(keyBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
            1) {
        *error = QStringLiteral("Cannot encode the self-signed TLS certificate.");
        return false;
    }
    *certificatePem = bioContents(certificateBio.get());
    *keyPem = bioContents(keyBio.get());
    return true;
}

//! Writes `data` to a new file next to `path` with the given permissions (set when the file
//! is created, before anything is written), then renames it over `path`.
bool writeFile(const QString &path, const QByteArray &data, QFileDevice::Permissions permissions,
               QString *error)
{
    const QString temporary = path + QStringLiteral(".new");
    QFile::remove(temporary);
    QFile file(temporary);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, permissions) ||
        file.write(data) != data.size() || !file.flush()) {
        *error = QStringLiteral("Cannot write %1: %2").arg(temporary, file.errorString());
        file.remove();
        return false;
    }
    file.close();
    QFile::remove(path);
    if (!QFile::rename(temporary, path)) {
        *error = QStringLiteral("Cannot create %1.").arg(path);
        return false;
    }
    return true;
}

bool readFile(const QString &path, QByteArray *data, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("Cannot read %1: %2").arg(path, file.errorString());
        return false;
    }
    *data = file.readAll();
    return true;
}

//! The private key in `keyPem`, checked against the leaf certificate in `certificatePem`.
QSslKey parseKey(const QByteArray &keyPem, const QByteArray &certificatePem, QString *problem)
{
    BioPtr keyBio(BIO_new_mem_buf(keyPem.constData(), static_cast<int>(keyPem.size())));
    BioPtr certificateBio(
        BIO_new_mem_buf(certificatePem.constData(), static_cast<int>(certificatePem.size())));
    PKeyPtr key(keyBio ? PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr)
                       : nullptr);
    X509Ptr certificate(certificateBio
                            ? PEM_read_bio_X509(certificateBio.get(), nullptr, nullptr, nullptr)
                            : nullptr);
    if (!key) {
        *problem = QStringLiteral("holds no unencrypted PEM private key");
        return {};
    }
    if (!certificate || X509_check_private_key(certificate.get(), key.get()) != 1) {
        *problem = QStringLiteral("does not belong to the certificate");
        return {};
    }
    QSsl::KeyAlgorithm algorithm = QSsl::Opaque;
    switch (EVP_PKEY_get_base_id(key.get())) {
    case EVP_PKEY_EC:
        algorithm = QSsl::Ec;
        break;
    case EVP_PKEY_RSA:
        algorithm = QSsl::Rsa;
        break;
    case EVP_PKEY_DSA:
        algorithm = QSsl::Dsa;
        break;
    default:
        *problem = QStringLiteral("holds a key type TLS cannot use here (use EC or RSA)");
        return {};
    }
    QSslKey sslKey(keyPem, algorithm, QSsl::Pem, QSsl::PrivateKey);
    if (sslKey.isNull()) {
        *problem = QStringLiteral("cannot be loaded");
    }
    return sslKey;
}

} // namespace

QString TlsCredentials::selfSignedCertificatePath(const Config &config)
{
    return config.tlsDirectory() + QStringLiteral("/certificate.pem");
}

QString TlsCredentials::selfSignedKeyPath(const Config &config)
{
    return config.tlsDirectory() + QStringLiteral("/private-key.pem");
}

bool TlsCredentials::load(const Config &config, QString *error)
{
    if (!QSslSocket::supportsSsl()) {
        *error = QStringLiteral("TLS is not available: Qt found no usable OpenSSL backend.");
        return false;
    }
    QString keyPath = config.tlsPrivateKey;
    m_certificatePath = config.tlsCertificate;
    m_created = false;
    if (m_certificatePath.isEmpty()) {
        m_certificatePath = selfSignedCertificatePath(config);
        keyPath = selfSignedKeyPath(config);
        // The certificate is written last, so its presence means the pair is complete.
        if (!QFileInfo::exists(m_certificatePath)) {
            const QString directory = config.tlsDirectory();
            if (!QDir().mkpath(directory)) {
                *error = QStringLiteral("Cannot create %1.").arg(directory);
                return false;
            }
            QFile::setPermissions(directory,
                                  QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
            QByteArray certificatePem;
            QByteArray keyPem;
            if (!generate(config, &certificatePem, &keyPem, error) ||
                !writeFile(keyPath, keyPem, QFile::ReadOwner | QFile::WriteOwner, error) ||
                !writeFile(m_certificatePath, certificatePem,
                           QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup |
                               QFile::ReadOther,
                           error)) {
                return false;
            }
            m_created = true;
        }
    }
    QByteArray certificatePem;
    QByteArray keyPem;
    if (!readFile(m_certificatePath, &certificatePem, error) ||
        !readFile(keyPath, &keyPem, error)) {
        return false;
    }
    m_chain = QSslCertificate::fromData(certificatePem, QSsl::Pem);
    if (m_chain.isEmpty() || m_chain.first().isNull()) {
        *error = QStringLiteral("%1 holds no PEM certificate.").arg(m_certificatePath);
        return false;
    }
    QString problem;
    m_key = parseKey(keyPem, certificatePem, &problem);
    if (m_key.isNull()) {
        *error = QStringLiteral("The TLS private key %1 %2.").arg(keyPath, problem);
        return false;
    }
    return true;
}

QSslConfiguration TlsCredentials::serverConfiguration() const
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(m_chain);
    configuration.setPrivateKey(m_key);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    configuration.setAllowedNextProtocols({QByteArray(QSslConfiguration::NextProtocolHttp1_1)});
    return configuration;
}

QString TlsCredentials::fingerprint() const
{
    return Protocol::formatFingerprint(Protocol::certificateDigest(certificate().toDer()));
}

} // namespace Tincan::Server
