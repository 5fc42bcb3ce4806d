#pragma once

#include <QObject>
#include <QStringList>

#include <memory>

namespace Tincan::Gui {

class MainWindow;
class ServerHost;
class Session;

//! The desktop app's start-up and lifetime: the profile (`--profile DIR`, the same format as
//! tincan-cli's), the hosted server when this computer hosts one, the first-run dialog, the
//! main window, and quitting (which stops a hosted server). main.cpp only creates the
//! QApplication and calls run().
class DesktopApp : public QObject
{
    Q_OBJECT

public:
    DesktopApp();
    ~DesktopApp() override;

    //! Parses the arguments, opens the profile and shows the first-run dialog or the main
    //! window. Returns a process exit code when it is already over (error, cancelled, --help),
    //! or -1 when the event loop should run.
    int start(const QStringList &arguments);

    Session *session() const { return m_session.get(); }
    ServerHost *host() const { return m_host.get(); }
    MainWindow *window() const { return m_window.get(); }

    //! Light, dark, or the system's palette ("light", "dark", "system").
    static void applyTheme(const QString &theme);
    //! Installs the translations for `language` ("de", "ar", ... ; empty: the system's).
    static void applyLanguage(const QString &language);

private:
    void showMainWindow();
    void quit();

    std::unique_ptr<ServerHost> m_host;
    std::unique_ptr<Session> m_session;
    std::unique_ptr<MainWindow> m_window;
};

} // namespace Tincan::Gui
