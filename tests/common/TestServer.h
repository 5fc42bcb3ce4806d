#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>

namespace Tincan::Test {

//! Runs the real tincand binary on 127.0.0.1 with a free port and a temporary data directory.
class TestServer
{
public:
    //! `config` is extra INI text appended to the test defaults.
    explicit TestServer(const QString &config = {});
    ~TestServer();

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
    QUrl url() const;
    QString dataDir() const { return m_dir.path() + QStringLiteral("/data"); }
    QString configPath() const { return m_dir.path() + QStringLiteral("/tincand.conf"); }
    QString output() const { return m_output; }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    QString m_output;
    quint16 m_port = 0;
};

} // namespace Tincan::Test
