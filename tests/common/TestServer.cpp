#include "tests/common/TestServer.h"

#include "shared/protocol/Fingerprint.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSslSocket>
#include <QWebSocket>

#include <csignal>

namespace Tincan::Test {

namespace {
bool isCertificate(const QSslCertificate &certificate, const QByteArray &digest)
{
    return !certificate.isNull() && Protocol::certificateDigest(certificate.toDer()) == digest;
}
} // namespace

TestServer::TestServer(const QString &config)
{
    QFile file(configPath());
    file.open(QIODevice::WriteOnly);
    // Test defaults: cheap Argon2 and generous sign-in limits, since every test registers users
    // from one address. Tests that check those limits override them.
    file.write("[auth]\nargon2_memory_kib=1024\nargon2_iterations=1\n"
               "[rate]\nauth_per_minute=100000\nauth_burst=100000\n"
               "[server]\nthreads=2\n");
    file.write(config.toUtf8());
    file.close();
    m_process.setProcessChannelMode(QProcess::MergedChannels);
}

TestServer::~TestServer()
{
    if (isRunning()) {
        resume();
        kill();
    }
}

bool TestServer::start(quint16 port)
{
    m_output.clear();
    m_port = 0;
    m_fingerprint.clear();
    QStringList arguments{QStringLiteral("--config"),   configPath(),
                          QStringLiteral("--data-dir"), dataDir(),
                          QStringLiteral("--listen"),   QStringLiteral("127.0.0.1:%1").arg(port)};
    if (!m_advertise) {
        arguments.append(QStringLiteral("--no-advertise"));
    }
    m_process.start(QStringLiteral(TINCAND_PATH), arguments);
    if (!m_process.waitForStarted(10000)) {
        return false;
    }
    static const QRegularExpression listening(
        QStringLiteral("listening on (https?)://[^:]+:(\\d+)"));
    static const QRegularExpression fingerprint(
        QStringLiteral("certificate SHA-256 fingerprint ([0-9A-F:]+)"));
    QDeadlineTimer deadline(20000);
    while (!deadline.hasExpired()) {
        if (!m_process.waitForReadyRead(static_cast<int>(deadline.remainingTime()))) {
            break;
        }
        m_output += QString::fromUtf8(m_process.readAll());
        const auto match = listening.match(m_output);
        if (match.hasMatch()) {
            // The fingerprint line comes before the listening line.
            m_scheme = match.captured(1);
            m_port = static_cast<quint16>(match.captured(2).toUInt());
            m_fingerprint = fingerprint.match(m_output).captured(1);
            return true;
        }
    }
    m_output += QString::fromUtf8(m_process.readAll());
    qWarning("tincand did not start: %s", qPrintable(m_output));
    return false;
}

bool TestServer::stop()
{
    if (!isRunning()) {
        return true;
    }
    m_process.terminate();
    const bool exited = m_process.waitForFinished(30000);
    m_output += QString::fromUtf8(m_process.readAll());
    m_output += QStringLiteral("\n[exit status %1, code %2]")
                    .arg(int(m_process.exitStatus()))
                    .arg(m_process.exitCode());
    return exited && m_process.exitStatus() == QProcess::NormalExit && m_process.exitCode() == 0;
}

void TestServer::kill()
{
    if (!isRunning()) {
        return;
    }
    m_process.kill();
    m_process.waitForFinished(30000);
}

void TestServer::pause()
{
    ::kill(static_cast<pid_t>(m_process.processId()), SIGSTOP);
}

void TestServer::resume()
{
    ::kill(static_cast<pid_t>(m_process.processId()), SIGCONT);
}

bool TestServer::isRunning() const
{
    return m_process.state() != QProcess::NotRunning;
}

QUrl TestServer::url() const
{
    return QUrl(QStringLiteral("%1://127.0.0.1:%2")
                    .arg(tls() ? QStringLiteral("https") : QStringLiteral("http"))
                    .arg(m_port));
}

QByteArray TestServer::digest() const
{
    return Protocol::parseFingerprint(m_fingerprint);
}

void TestServer::trust(QNetworkReply *reply) const
{
    QObject::connect(reply, &QNetworkReply::sslErrors, reply,
                     [reply, digest = digest()](const QList<QSslError> &errors) {
                         if (isCertificate(reply->sslConfiguration().peerCertificate(), digest)) {
                             reply->ignoreSslErrors(errors);
                         }
                     });
}

void TestServer::trust(QSslSocket *socket) const
{
    QObject::connect(socket, &QSslSocket::sslErrors, socket,
                     [socket, digest = digest()](const QList<QSslError> &errors) {
                         if (isCertificate(socket->peerCertificate(), digest)) {
                             socket->ignoreSslErrors(errors);
                         }
                     });
}

void TestServer::trust(QWebSocket *socket) const
{
    QObject::connect(socket, &QWebSocket::sslErrors, socket,
                     [socket, digest = digest()](const QList<QSslError> &errors) {
                         if (isCertificate(socket->sslConfiguration().peerCertificate(), digest)) {
                             socket->ignoreSslErrors(errors);
                         }
                     });
}

bool TestServer::connectSocket(QSslSocket *socket) const
{
    if (!tls()) {
        socket->connectToHost(QHostAddress::LocalHost, m_port);
        return socket->waitForConnected(10000);
    }
    trust(socket);
    socket->connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_port);
    return socket->waitForEncrypted(10000);
}

} // namespace Tincan::Test
