#include "tests/gui/GuiTestApp.h"

#include "app/gui/ConversationListModel.h"
#include "app/gui/MessageModel.h"

#include <QTest>

#include <optional>

namespace Tincan::Test {

void GuiApp::reset()
{
    messagesTester.reset();
    conversationsTester.reset();
    window.reset();
    session.reset();
}

Client::ApiResult
callCore(Gui::Session &session,
         const std::function<void(Client::ClientCore &, const Client::ApiCallback &)> &work)
{
    QObject context;
    std::optional<Client::ApiResult> answer;
    auto done = Gui::Session::uiCallback(
        &context, [&answer](const Client::ApiResult &result) { answer = result; });
    session.post([work, done](Client::ClientCore &core) { work(core, done); });
    if (!QTest::qWaitFor([&answer] { return answer.has_value(); }, 30000)) {
        qWarning() << "the core did not answer in time";
    }
    return answer.value_or(Client::ApiResult{});
}

bool signUp(GuiApp &app, const QUrl &url, const QString &fingerprint, const QString &user,
            Gui::ServerHost *host, bool testModels)
{
    app.session = std::make_unique<Gui::Session>(app.dir.path());
    QString error;
    if (!app.session->open(&error)) {
        qWarning() << "open:" << error;
        return false;
    }
    bool configured = false;
    app.session->run([&](Client::ClientCore &core) {
        configured =
            core.setServerUrl(url, &error) && core.pinServerCertificate(fingerprint, &error);
    });
    const Client::ApiResult created =
        callCore(*app.session, [user](Client::ClientCore &core, const Client::ApiCallback &done) {
            core.registerAccount(user, QStringLiteral("correct horse"), QStringLiteral("desktop"),
                                 {}, done);
        });
    if (!configured || created.status != 201) {
        qWarning() << "sign-up of" << user << "failed:" << error << created.status;
        return false;
    }
    app.session->refreshIdentity();
    app.window = std::make_unique<Gui::MainWindow>(app.session.get(), host);
    if (testModels) {
        app.conversationsTester = std::make_unique<QAbstractItemModelTester>(
            app.window->conversations(), QAbstractItemModelTester::FailureReportingMode::Fatal);
        app.messagesTester = std::make_unique<QAbstractItemModelTester>(
            app.window->messages(), QAbstractItemModelTester::FailureReportingMode::Fatal);
    }
    app.window->show();
    return QTest::qWaitForWindowExposed(app.window.get());
}

} // namespace Tincan::Test
