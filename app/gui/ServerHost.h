#pragma once

#include <QObject>
#include <QProcess>
#include <QUrl>

namespace Tincan::Gui {

//! "Host a server on this computer": runs the bundled tincand as a child process, listening on
//! the LAN, with its data in the user's data directory. A child process rather than the server
//! library in-process, because the server's SQL needs the system SQLite 3.40 while the app's
//! Qt Sql driver runs on SQLCipher 3.4.1 (SQLite 3.15): one process can only have one of the
//! two behind the sqlite3_* symbols. The child dies with the app (PR_SET_PDEATHSIG on Linux).
class ServerHost : public QObject
{
    Q_OBJECT

public:
    explicit ServerHost(QObject *parent = nullptr);
    ~ServerHost() override;

    //! Where the hosted server keeps its data (the user's data directory unless set).
    void setDataDirectory(const QString &directory) { m_dataDirectory = directory; }
    QString dataDirectory() const { return m_dataDirectory; }
    //! "0.0.0.0:7420" by default: the whole LAN can connect.
    void setListen(const QString &listen) { m_listen = listen; }
    QString listen() const { return m_listen; }
    //! Starts tincand; started() or failed() follow.
    void start();
    void stop();
    bool isRunning() const { return m_process.state() != QProcess::NotRunning && m_ready; }
    //! The URL this machine's clients use (https://127.0.0.1:PORT).
    QUrl localUrl() const { return m_localUrl; }
    quint16 port() const { return m_port; }
    QString fingerprint() const { return m_fingerprint; }
    //! Bytes the server's data directory takes.
    qint64 dataSize() const;
    //! The tincand binary: $TINCAN_TINCAND, next to this program, the build tree, or PATH.
    static QString daemonPath();

Q_SIGNALS:
    void started(const QUrl &localUrl, const QString &fingerprint);
    void failed(const QString &reason);
    void stopped();

private:
    void onOutput();

    QProcess m_process;
    QString m_dataDirectory;
    QString m_listen = QStringLiteral("0.0.0.0:7420");
    QString m_output;
    QUrl m_localUrl;
    QString m_fingerprint;
    quint16 m_port = 0;
    bool m_ready = false;
    bool m_stopping = false;
};

} // namespace Tincan::Gui
