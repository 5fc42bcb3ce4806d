#include "app/gui/ServerHost.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>

#ifdef Q_OS_LINUX
#include <csignal>
#include <sys/prctl.h>
#endif

namespace Tincan::Gui {

ServerHost::ServerHost(QObject *parent)
    : QObject(parent)
    , m_dataDirectory(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
                      QStringLiteral("/server"))
{
    m_process.setProcessChannelMode(QProcess::MergedChannels);
#ifdef Q_OS_LINUX
    m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
#endif
    connect(&m_process, &QProcess::readyReadStandardOutput, this, &ServerHost::onOutput);
    connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart) {
            Q_EMIT failed(
                tr("The server program could not be started (%1).").arg(m_process.errorString()));
        }
    });
    connect(&m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus) {
        const bool wasReady = m_ready;
        m_ready = false;
        if (m_stopping) {
            Q_EMIT stopped();
            return;
        }
        // Its last lines say why (port in use, unreadable data directory...).
        QStringList lines = m_output.trimmed().split(QLatin1Char('\n'));
        const QString tail =
            lines.mid(std::max<qsizetype>(0, lines.size() - 3)).join(QLatin1Char('\n'));
        Q_EMIT failed(wasReady ? tr("The server stopped (exit code %1).\n%2").arg(code).arg(tail)
                               : tr("The server could not start.\n%1").arg(tail));
    });
}

ServerHost::~ServerHost()
{
    stop();
}

QString ServerHost::daemonPath()
{
    const QString fromEnv = qEnvironmentVariable("TINCAN_TINCAND");
    if (!fromEnv.isEmpty()) {
        return fromEnv;
    }
    const QString appDir = QCoreApplication::applicationDirPath();
    for (const QString &candidate :
         {appDir + QStringLiteral("/tincand"), appDir + QStringLiteral("/../../server/tincand")}) {
        if (QFileInfo(candidate).isExecutable()) {
            return QFileInfo(candidate).canonicalFilePath();
        }
    }
    return QStandardPaths::findExecutable(QStringLiteral("tincand"));
}

void ServerHost::start()
{
    if (m_process.state() != QProcess::NotRunning) {
        return;
    }
    const QString program = daemonPath();
    if (program.isEmpty()) {
        Q_EMIT failed(tr("The server program (tincand) was not found next to Tincan."));
        return;
    }
    if (!QDir().mkpath(m_dataDirectory)) {
        Q_EMIT failed(tr("Cannot create the server's data directory %1.").arg(m_dataDirectory));
        return;
    }
    m_output.clear();
    m_ready = false;
    m_stopping = false;
    m_process.start(program, {QStringLiteral("--data-dir"), m_dataDirectory,
                              QStringLiteral("--listen"), m_listen});
}

void ServerHost::stop()
{
    if (m_process.state() == QProcess::NotRunning) {
        return;
    }
    m_stopping = true;
    m_process.terminate();
    if (!m_process.waitForFinished(10000)) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

void ServerHost::onOutput()
{
    m_output += QString::fromUtf8(m_process.readAllStandardOutput());
    if (m_output.size() > 64 * 1024) {
        m_output = m_output.right(32 * 1024);
    }
    if (m_ready) {
        return;
    }
    static const QRegularExpression listening(
        QStringLiteral("listening on (https?)://[^:\\s]+:(\\d+)"));
    static const QRegularExpression fingerprint(
        QStringLiteral("certificate SHA-256 fingerprint ([0-9A-F:]+)"));
    const auto match = listening.match(m_output);
    if (!match.hasMatch()) {
        return;
    }
    m_ready = true;
    m_port = static_cast<quint16>(match.captured(2).toUInt());
    m_fingerprint = fingerprint.match(m_output).captured(1);
    m_localUrl = QUrl(QStringLiteral("%1://127.0.0.1:%2").arg(match.captured(1)).arg(m_port));
    Q_EMIT started(m_localUrl, m_fingerprint);
}

qint64 ServerHost::dataSize() const
{
    qint64 total = 0;
    QDirIterator it(m_dataDirectory, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        total += it.fileInfo().size();
    }
    return total;
}

} // namespace Tincan::Gui
