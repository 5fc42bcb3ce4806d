#include "app/gui/DesktopApp.h"

#include "app/core/ClientCore.h"
#include "app/core/Profile.h"
#include "app/gui/MainWindow.h"
#include "app/gui/ServerHost.h"
#include "app/gui/Session.h"
#include "app/gui/SetupDialog.h"
#include "shared/discovery/ServiceBrowser.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QLibraryInfo>
#include <QMessageBox>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>
#include <QTranslator>

namespace Tincan::Gui {

DesktopApp::DesktopApp() = default;

DesktopApp::~DesktopApp()
{
    // The window before the session it shows, the session before the server it talks to.
    m_window.reset();
    m_session.reset();
    m_host.reset();
}

int DesktopApp::start(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(tr("Tincan: end-to-end encrypted team chat."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption profileOption(
        QStringLiteral("profile"),
        tr("Open the account kept in profile directory DIR (the format tincan-cli uses)."),
        QStringLiteral("DIR"));
    const QCommandLineOption hostOption(
        QStringLiteral("host"), tr("Host a server on this computer (and keep hosting it)."));
    const QCommandLineOption listenOption(
        QStringLiteral("host-listen"), tr("Where a hosted server listens (default 0.0.0.0:7420)."),
        QStringLiteral("ADDR:PORT"));
    parser.addOptions({profileOption, hostOption, listenOption});
    if (!parser.parse(arguments)) {
        QMessageBox::critical(nullptr, tr("Tincan"), parser.errorText());
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        parser.showHelp(0);
    }
    if (parser.isSet(QStringLiteral("version"))) {
        parser.showVersion();
    }

    const QString profileDir = parser.isSet(profileOption) ? parser.value(profileOption)
                                                           : Client::Profile::defaultDirectory();
    m_host = std::make_unique<ServerHost>();
    // A profile given on the command line keeps its hosted server beside it, so several
    // accounts (and test runs) stay apart; the default profile's lives in the data directory.
    if (parser.isSet(profileOption)) {
        m_host->setDataDirectory(
            QDir(profileDir).absoluteFilePath(QStringLiteral("hosted-server")));
    }
    m_session = std::make_unique<Session>(profileDir);
    QString error;
    if (!m_session->open(&error)) {
        QMessageBox::critical(nullptr, tr("Tincan"),
                              tr("Cannot open the profile in %1:\n%2").arg(profileDir, error));
        return 1;
    }
    applyTheme(QString::fromUtf8(m_session->uiSetting(QStringLiteral("theme"), "system")));
    // The language chosen in the settings, unless TINCAN_LANGUAGE chose one (main.cpp).
    const QString language =
        QString::fromUtf8(m_session->uiSetting(QStringLiteral("language"), "system"));
    if (language != QLatin1String("system") && qEnvironmentVariableIsEmpty("TINCAN_LANGUAGE")) {
        applyLanguage(language);
    }

    const QString listen = parser.isSet(listenOption)
                               ? parser.value(listenOption)
                               : QString::fromUtf8(m_session->uiSetting(
                                     QStringLiteral("host/listen"), "0.0.0.0:7420"));
    m_host->setListen(listen);
    if (parser.isSet(listenOption)) {
        m_session->setUiSetting(QStringLiteral("host/listen"), listen.toUtf8());
    }
    const bool hosting =
        parser.isSet(hostOption) || m_session->uiSetting(QStringLiteral("host/enabled")) == "1";
    if (hosting) {
        m_session->setUiSetting(QStringLiteral("host/enabled"), "1");
    }
    // The hosted server's address can change (another port): the profile follows it.
    connect(m_host.get(), &ServerHost::started, this, [this](const QUrl &url, const QString &) {
        if (m_session->serverUrl() != url && m_session->isSignedIn()) {
            m_session->run([url](Client::ClientCore &core) {
                QString ignored;
                core.setServerUrl(url, &ignored);
            });
            m_session->refreshIdentity();
        }
    });

    if (!m_session->isSignedIn()) {
        if (hosting) {
            m_host->start();
        }
        SetupDialog setup(m_session.get(), m_host.get());
        // Servers on the LAN (DNS-SD), listed as they appear and go.
        Discovery::ServiceBrowser browser;
        setup.followBrowser(&browser);
        if (setup.exec() != QDialog::Accepted) {
            return 0;
        }
        if (setup.hosting()) {
            m_session->setUiSetting(QStringLiteral("host/enabled"), "1");
        }
        showMainWindow();
        return -1;
    }
    if (hosting) {
        connect(m_host.get(), &ServerHost::failed, this, [](const QString &reason) {
            QMessageBox::warning(
                nullptr, tr("Tincan"),
                tr("The server hosted on this computer is not running:\n%1").arg(reason));
        });
        m_host->start();
    }
    showMainWindow();
    return -1;
}

void DesktopApp::showMainWindow()
{
    m_window = std::make_unique<MainWindow>(m_session.get(), m_host.get());
    connect(m_window.get(), &MainWindow::quitRequested, this, &DesktopApp::quit);
    m_window->show();
}

void DesktopApp::quit()
{
    m_host->stop();
    QApplication::quit();
}

void DesktopApp::applyTheme(const QString &theme)
{
    static const QPalette systemPalette = QApplication::palette();
    if (theme == QLatin1String("dark")) {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QPalette dark;
        dark.setColor(QPalette::Window, QColor(0x20, 0x22, 0x26));
        dark.setColor(QPalette::WindowText, QColor(0xe8, 0xea, 0xed));
        dark.setColor(QPalette::Base, QColor(0x17, 0x19, 0x1c));
        dark.setColor(QPalette::AlternateBase, QColor(0x2a, 0x2d, 0x32));
        dark.setColor(QPalette::Text, QColor(0xe8, 0xea, 0xed));
        dark.setColor(QPalette::Button, QColor(0x2a, 0x2d, 0x32));
        dark.setColor(QPalette::ButtonText, QColor(0xe8, 0xea, 0xed));
        dark.setColor(QPalette::Highlight, QColor(0x3d, 0x8b, 0xfd));
        dark.setColor(QPalette::HighlightedText, Qt::white);
        dark.setColor(QPalette::PlaceholderText, QColor(0x9a, 0xa0, 0xa6));
        dark.setColor(QPalette::Mid, QColor(0x3c, 0x40, 0x43));
        dark.setColor(QPalette::Link, QColor(0x8a, 0xb4, 0xf8));
        dark.setColor(QPalette::ToolTipBase, QColor(0x2a, 0x2d, 0x32));
        dark.setColor(QPalette::ToolTipText, QColor(0xe8, 0xea, 0xed));
        QApplication::setPalette(dark);
    } else if (theme == QLatin1String("light")) {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QPalette light = QApplication::style()->standardPalette();
        light.setColor(QPalette::AlternateBase, QColor(0xf1, 0xf3, 0xf4));
        light.setColor(QPalette::Mid, QColor(0xbd, 0xc1, 0xc6));
        QApplication::setPalette(light);
    } else {
        QApplication::setPalette(systemPalette);
    }
}

void DesktopApp::applyLanguage(const QString &language)
{
    // Ours (built into the program: qt_add_translations, resource prefix /i18n), and Qt's own
    // for its standard buttons and dialogs (qt6-translations-l10n), when installed.
    static QList<QTranslator *> installed;
    for (QTranslator *translator : std::as_const(installed)) {
        QApplication::removeTranslator(translator);
        delete translator;
    }
    installed.clear();
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    const std::pair<QString, QString> catalogs[] = {
        {QStringLiteral("tincan"), QStringLiteral(":/i18n")},
        {QStringLiteral("qtbase"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)}};
    for (const auto &[name, directory] : catalogs) {
        auto *translator = new QTranslator(qApp);
        if (translator->load(locale, name, QStringLiteral("_"), directory)) {
            QApplication::installTranslator(translator);
            installed.append(translator);
        } else {
            delete translator;
        }
    }
    QLocale::setDefault(locale);
    QApplication::setLayoutDirection(locale.textDirection());
}

} // namespace Tincan::Gui
