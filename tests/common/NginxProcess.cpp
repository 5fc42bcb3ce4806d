#include "tests/common/NginxProcess.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTcpServer>
#include <QTcpSocket>

#include <csignal>
#include <unistd.h>

namespace Tincan::Test {

namespace {

const QString nginxBinary = QStringLiteral("/usr/sbin/nginx");

QString readText(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    return QString::fromUtf8(file.readAll());
}

quint16 freePort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0)) {
        return 0;
    }
    return server.serverPort();
}

//! Replaces `from` by `to` in the one non-comment line holding it; false if there is not
//! exactly one such line.
bool replaceInCode(QStringList &lines, const QString &from, const QString &to, QString *error)
{
    int found = -1;
    for (int i = 0; i < lines.size(); ++i) {
        if (lines[i].trimmed().startsWith(QLatin1Char('#')) || !lines[i].contains(from)) {
            continue;
        }
        if (found >= 0) {
            *error = QStringLiteral("\"%1\" is on more than one line").arg(from);
            return false;
        }
        found = i;
    }
    if (found < 0) {
        *error = QStringLiteral("\"%1\" is not there").arg(from);
        return false;
    }
    lines[found].replace(from, to);
    return true;
}

} // namespace

NginxProcess::NginxProcess(const QString &siteConfig)
    : m_site(siteConfig)
{
    m_process.setProcessChannelMode(QProcess::MergedChannels);
}

NginxProcess::~NginxProcess()
{
    stop();
}

QString NginxProcess::tincanSitePath()
{
    return QStringLiteral(TINCAN_SOURCE_DIR "/packaging/nginx/tincan.conf");
}

QString NginxProcess::tincanSite(quint16 upstreamPort, QString *error)
{
    QString ignored;
    QString *why = error ? error : &ignored;
    const QString text = readText(tincanSitePath());
    if (text.isEmpty()) {
        *why = QStringLiteral("cannot read %1").arg(tincanSitePath());
        return {};
    }
    QStringList lines = text.split(QLatin1Char('\n'));
    const bool ok = replaceInCode(lines, QStringLiteral("listen 80;"),
                                  QStringLiteral("listen 127.0.0.1:@PORT@;"), why) &&
                    replaceInCode(lines, QStringLiteral("listen [::]:80;"),
                                  QStringLiteral("# (no IPv6)"), why) &&
                    replaceInCode(lines, QStringLiteral("server 127.0.0.1:7420"),
                                  QStringLiteral("server 127.0.0.1:%1").arg(upstreamPort), why) &&
                    replaceInCode(lines, QStringLiteral("/var/lib/nginx/tincan-media"),
                                  QStringLiteral("@DIR@/cache"), why);
    if (!ok) {
        *why = tincanSitePath() + QStringLiteral(" changed: ") + *why;
        return {};
    }
    return lines.join(QLatin1Char('\n'));
}

bool NginxProcess::available()
{
    return QFileInfo(nginxBinary).isExecutable();
}

void NginxProcess::writeConfig(quint16 port) const
{
    const QString dir = m_dir.path();
    QString site = m_site;
    site.replace(QStringLiteral("@PORT@"), QString::number(port));
    site.replace(QStringLiteral("@DIR@"), dir);
    QFile siteFile(dir + QStringLiteral("/site.conf"));
    siteFile.open(QIODevice::WriteOnly | QIODevice::Truncate);
    siteFile.write(site.toUtf8());
    siteFile.close();

    // As root nginx runs its workers as `nobody`, who could not enter the 0700 temporary
    // directory; elsewhere the directive is ignored with a warning, so only write it for root.
    QString main = QStringLiteral("worker_processes 1;\n"
                                  "pid @DIR@/nginx.pid;\n"
                                  "error_log @DIR@/error.log info;\n");
    if (::geteuid() == 0) {
        main += QStringLiteral("user root;\n");
    }
    main += QStringLiteral("events {\n"
                           "    worker_connections 1024;\n"
                           "}\n"
                           "http {\n"
                           "    log_format tincan_test '\"$request\" $status $body_bytes_sent "
                           "cache=$upstream_cache_status upstream=$upstream_status';\n"
                           "    access_log @DIR@/access.log tincan_test;\n"
                           "    client_body_temp_path @DIR@/client_body_temp;\n"
                           "    proxy_temp_path @DIR@/proxy_temp;\n"
                           "    fastcgi_temp_path @DIR@/fastcgi_temp;\n"
                           "    uwsgi_temp_path @DIR@/uwsgi_temp;\n"
                           "    scgi_temp_path @DIR@/scgi_temp;\n"
                           "    default_type application/octet-stream;\n"
                           "    include @DIR@/site.conf;\n"
                           "}\n");
    main.replace(QStringLiteral("@DIR@"), dir);
    QFile mainFile(configPath());
    mainFile.open(QIODevice::WriteOnly | QIODevice::Truncate);
    mainFile.write(main.toUtf8());
}

bool NginxProcess::start()
{
    if (isRunning()) {
        return true;
    }
    if (!m_dir.isValid() || !available()) {
        qWarning("nginx: %s missing or no temporary directory", qPrintable(nginxBinary));
        return false;
    }
    for (int attempt = 0; attempt < 5; ++attempt) {
        bool portTaken = false;
        const quint16 port = freePort();
        if (port != 0 && startOnce(port, &portTaken)) {
            return true;
        }
        if (!portTaken) {
            break;
        }
    }
    qWarning("nginx did not start:\n%s", qPrintable(diagnostics()));
    return false;
}

bool NginxProcess::startOnce(quint16 port, bool *portTaken)
{
    m_port = 0;
    m_output.clear();
    QFile::remove(m_dir.filePath(QStringLiteral("nginx.pid")));
    QFile::remove(m_dir.filePath(QStringLiteral("error.log")));
    writeConfig(port);
    // -e: the error log from the first line on (Debian's build would otherwise use stderr
    // until the config is read).
    m_process.start(nginxBinary,
                    {QStringLiteral("-p"), m_dir.path() + QLatin1Char('/'), QStringLiteral("-e"),
                     m_dir.filePath(QStringLiteral("error.log")), QStringLiteral("-c"),
                     configPath(), QStringLiteral("-g"), QStringLiteral("daemon off;")});
    if (!m_process.waitForStarted(10000)) {
        return false;
    }
    // Up when the master has written its pid file (after binding its sockets) and the port
    // answers; the pid file rules out another process that took the port meanwhile.
    const QString pidFile = m_dir.filePath(QStringLiteral("nginx.pid"));
    QDeadlineTimer deadline(30000);
    while (!deadline.hasExpired()) {
        if (m_process.waitForFinished(20)) {
            break;
        }
        if (readText(pidFile).trimmed().toLongLong() != m_process.processId()) {
            continue;
        }
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        if (socket.waitForConnected(1000)) {
            socket.abort();
            m_port = port;
            return true;
        }
    }
    m_output += QString::fromUtf8(m_process.readAll());
    if (isRunning()) {
        stop();
    }
    *portTaken = errorLog().contains(QLatin1String("Address already in use"));
    return false;
}

bool NginxProcess::stop()
{
    if (!isRunning()) {
        return m_process.exitStatus() == QProcess::NormalExit && m_process.exitCode() == 0;
    }
    const auto pid = static_cast<pid_t>(m_process.processId());
    ::kill(pid, SIGQUIT);
    if (!m_process.waitForFinished(30000)) {
        qWarning("nginx did not stop on SIGQUIT within 30 s; SIGTERM");
        ::kill(pid, SIGTERM);
        if (!m_process.waitForFinished(10000)) {
            m_process.kill();
            m_process.waitForFinished(10000);
        }
    }
    m_output += QString::fromUtf8(m_process.readAll());
    return m_process.exitStatus() == QProcess::NormalExit && m_process.exitCode() == 0;
}

bool NginxProcess::isRunning() const
{
    return m_process.state() != QProcess::NotRunning;
}

QUrl NginxProcess::url() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port));
}

qint64 NginxProcess::pid() const
{
    return isRunning() ? m_process.processId() : 0;
}

QString NginxProcess::accessLog() const
{
    return readText(m_dir.filePath(QStringLiteral("access.log")));
}

QString NginxProcess::errorLog() const
{
    return readText(m_dir.filePath(QStringLiteral("error.log")));
}

QString NginxProcess::diagnostics() const
{
    return QStringLiteral("--- nginx error.log\n%1--- nginx access.log\n%2--- nginx output\n%3")
        .arg(errorLog(), accessLog(), m_output);
}

} // namespace Tincan::Test
