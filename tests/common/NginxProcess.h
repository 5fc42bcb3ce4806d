#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>

namespace Tincan::Test {

//! Runs Debian's nginx (/usr/sbin/nginx, from scripts/install-deps.sh) in the foreground on
//! 127.0.0.1 with a free port. Everything it writes lives in a temporary directory: the
//! generated nginx.conf, the pid file, error.log, access.log, every *_temp_path and the caches
//! the site config puts under "@DIR@". The generated nginx.conf is a small main/events/http
//! wrapper that includes the site config, as /etc/nginx/nginx.conf includes sites-enabled/.
//!
//! The access log line is: `"REQUEST" STATUS BYTES cache=$upstream_cache_status
//! upstream=$upstream_status`.
class NginxProcess
{
public:
    //! `siteConfig` is http{}-level text (upstreams, caches, server blocks) in which "@PORT@"
    //! stands for the listen port and "@DIR@" for the temporary directory (no trailing slash).
    explicit NginxProcess(const QString &siteConfig);
    //! stop().
    ~NginxProcess();

    //! packaging/nginx/tincan.conf as shipped, with only these lines rewritten: `listen 80;`
    //! -> `listen 127.0.0.1:@PORT@;`, `listen [::]:80;` dropped, `server 127.0.0.1:7420` ->
    //! the upstream tincand on 127.0.0.1:`upstreamPort` (plain HTTP: start tincand with
    //! `[tls] enabled=false`), and the cache directory moved to @DIR@/cache. Each of those must
    //! appear exactly once outside comments; if not, returns an empty string and says why in
    //! `*error`.
    static QString tincanSite(quint16 upstreamPort, QString *error = nullptr);
    //! The shipped site config's path.
    static QString tincanSitePath();
    //! Whether /usr/sbin/nginx is there (tests QSKIP without it only if they choose to).
    static bool available();

    //! Picks a free port, writes the config, starts nginx and waits until it has written its
    //! pid file and accepts connections (up to 30 s). Retries with another port if the chosen
    //! one was taken meanwhile. False (with the error log in the warning) if it does not come up.
    bool start();
    //! SIGQUIT (graceful: finishes open requests) and wait; SIGTERM, then SIGKILL if it hangs.
    //! True if nginx exited with status 0.
    bool stop();
    bool isRunning() const;

    quint16 port() const { return m_port; }
    //! http://127.0.0.1:PORT
    QUrl url() const;
    QString dir() const { return m_dir.path(); }
    QString configPath() const { return m_dir.path() + QStringLiteral("/nginx.conf"); }
    //! The master's pid (0 when not running); its workers are its children.
    qint64 pid() const;
    //! nginx writes a request's line when it has finished it, which may be a moment after the
    //! client got the whole response: poll (QTRY_VERIFY) rather than read once.
    QString accessLog() const;
    QString errorLog() const;
    //! What nginx printed on stdout/stderr (little: the logs go to their files).
    QString output() const { return m_output; }
    //! errorLog(), accessLog() and output(), for a failure message.
    QString diagnostics() const;

private:
    bool startOnce(quint16 port, bool *portTaken);
    void writeConfig(quint16 port) const;

    QTemporaryDir m_dir;
    QString m_site;
    QProcess m_process;
    QString m_output;
    quint16 m_port = 0;
};

} // namespace Tincan::Test
