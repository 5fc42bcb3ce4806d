#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>

class QNetworkReply;
class QSslSocket;
class QWebSocket;

namespace Tincan::Test {

//! Runs the real tincand binary on 127.0.0.1 with a free port and a temporary data directory.
//! TLS is on, as by default: the daemon makes its self-signed certificate in the data directory
//! on first start; tests read its fingerprint here and trust it as a pinning client would.
//! `[tls]\nenabled=false\n` in the config gives a plain-HTTP daemon.
class TestServer
{
public:
    //! `config` is extra INI text appended to the test defaults.
    explicit TestServer(const QString &config = {});
    ~TestServer();

    //! Lets the daemon advertise itself on the LAN (DNS-SD), as [discovery] in its config says.
    //! Off by default: the daemon gets --no-advertise. Takes effect at the next start().
    void setAdvertise(bool advertise) { m_advertise = advertise; }

    //! Starts on `port` (0: a free one). restart() reuses the last port, so clients reconnect.
    bool start(quint16 port = 0);
    bool restart() { return start(m_port); }
    //! SIGTERM and wait: the clean shutdown path.
    bool stop();
    //! SIGKILL: the crash path.
    void kill();
    //! Stops the process without killing it (SIGSTOP / SIGCONT).
    void pause();
    void resume();

    bool isRunning() const;
    quint16 port() const { return m_port; }
    //! https://127.0.0.1:PORT (http:// when TLS is off).
    QUrl url() const;
    bool tls() const { return m_scheme == QLatin1String("https"); }
    //! The certificate's SHA-256 fingerprint as the daemon printed it ("AB:CD:..."); empty
    //! without TLS.
    QString fingerprint() const { return m_fingerprint; }
    //! The fingerprint's 32 bytes.
    QByteArray digest() const;
    //! Makes the client side accept this daemon's certificate (and only it), as a client that
    //! pinned it would.
    void trust(QNetworkReply *reply) const;
    void trust(QSslSocket *socket) const;
    void trust(QWebSocket *socket) const;
    //! Connects `socket` (with TLS when the daemon has it); false if that fails within 10 s.
    bool connectSocket(QSslSocket *socket) const;
    QString dataDir() const { return m_dir.path() + QStringLiteral("/data"); }
    //! Where the daemon keeps its self-signed certificate and key.
    QString tlsDir() const { return dataDir() + QStringLiteral("/tls"); }
    QString configPath() const { return m_dir.path() + QStringLiteral("/tincand.conf"); }
    QString output() const { return m_output; }
    qint64 processId() const { return m_process.processId(); }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    QString m_output;
    QString m_scheme;
    QString m_fingerprint;
    quint16 m_port = 0;
    bool m_advertise = false;
};

} // namespace Tincan::Test
