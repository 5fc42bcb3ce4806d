// tincan: the desktop app. Wiring only; the logic lives in the tincan_gui library.
#include "app/gui/DesktopApp.h"

#include <QApplication>

#include <cstdio>
#include <cstdlib>

int main(int argc, char *argv[])
{
#if defined(Q_OS_LINUX)
    // Without a display Qt aborts with a message about xcb plugins; say what is wrong instead.
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
        qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        std::fprintf(stderr,
                     "tincan: no graphical display found (neither DISPLAY nor WAYLAND_DISPLAY is "
                     "set).\nRun it in a desktop session, over ssh -X, or under Xvfb "
                     "(xvfb-run tincan). The server alone runs headless: tincand.\n");
        return 2;
    }
#endif
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Tincan"));
    QApplication::setOrganizationName(QStringLiteral("Tincan"));
    QApplication::setApplicationVersion(QStringLiteral(TINCAN_VERSION));
    QApplication::setQuitOnLastWindowClosed(false); // the tray keeps it running
    Tincan::Gui::DesktopApp::applyLanguage(qEnvironmentVariable("TINCAN_LANGUAGE"));
    Tincan::Gui::DesktopApp desktop;
    const int code = desktop.start(QApplication::arguments());
    if (code >= 0) {
        return code;
    }
    return QApplication::exec();
}
