#pragma once

#include "app/core/ClientCore.h"
#include "app/gui/MainWindow.h"
#include "app/gui/Session.h"

#include <QAbstractItemModelTester>
#include <QTemporaryDir>
#include <QUrl>

#include <functional>
#include <memory>

namespace Tincan::Gui {
class ServerHost;
}

namespace Tincan::Test {

//! One running instance of the desktop app in a GUI test: its own profile, a Session (the
//! client core on its own thread) and the main window; its models checked by
//! QAbstractItemModelTester throughout when asked.
struct GuiApp
{
    QTemporaryDir dir;
    std::unique_ptr<Gui::Session> session;
    std::unique_ptr<Gui::MainWindow> window;
    std::unique_ptr<QAbstractItemModelTester> conversationsTester;
    std::unique_ptr<QAbstractItemModelTester> messagesTester;

    Client::LocalStore &reader() { return session->reader(); }
    //! Closes the window and the session (testers first).
    void reset();
};

//! Runs `work` on the app's core and waits (30 s) for the answer it gives `done`.
Client::ApiResult
callCore(Gui::Session &session,
         const std::function<void(Client::ClientCore &, const Client::ApiCallback &)> &work);

//! Creates `user` on the server at `url` (pinned to `fingerprint`) from a fresh profile, and
//! opens and shows the main window (`host`: the server this app hosts, if it does).
bool signUp(GuiApp &app, const QUrl &url, const QString &fingerprint, const QString &user,
            Gui::ServerHost *host = nullptr, bool testModels = false);

} // namespace Tincan::Test
