// The desktop app's panels against the real daemon: contact info (safety numbers, verifying),
// group info (members, roles, rename, leave), and the settings (devices and linking, privacy,
// notifications, theme, the hosted server's status). Several app sessions, each with its core on
// its own thread, talk through tincand on loopback, offscreen.
#include "app/core/ClientCore.h"
#include "app/gui/Composer.h"
#include "app/gui/ContactInfoDialog.h"
#include "app/gui/DevicesPage.h"
#include "app/gui/GroupInfoDialog.h"
#include "app/gui/MainWindow.h"
#include "app/gui/QrCodeWidget.h"
#include "app/gui/ServerHost.h"
#include "app/gui/Session.h"
#include "app/gui/SettingsDialog.h"
#include "shared/protocol/Validation.h"
#include "tests/common/TestServer.h"
#include "tests/gui/GuiTestApp.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>

using namespace Tincan;
using State = Protocol::PresenceUpdate::State;

namespace {

constexpr int Timeout = 30000;

//! One running app: profile, session (core on its own thread), main window.
using App = Test::GuiApp;
using Test::callCore;
using Test::signUp;

bool hasMessage(App &app, const QString &conversation, const QString &text)
{
    const QList<Client::StoredMessage> messages = app.reader().historyAfter(conversation, 0, 10000);
    return std::any_of(messages.cbegin(), messages.cend(),
                       [&text](const Client::StoredMessage &m) { return m.text == text; });
}

//! Sends `text` from `from` to `to` and waits until `to` has it.
bool exchange(App &from, App &to, const QString &text)
{
    QString error;
    QString id;
    const QString peer = to.session->username();
    from.session->run([&](Client::ClientCore &core) { id = core.send(peer, text, &error); });
    if (id.isEmpty()) {
        qWarning() << "not sent:" << error;
        return false;
    }
    const QString dm = Protocol::directConversationId(from.session->username(), peer);
    return QTest::qWaitFor([&] { return hasMessage(to, dm, text); }, Timeout);
}

//! What `viewer` may see of `user`'s presence now (asked from the server).
State presenceSeenBy(App &viewer, const QString &user)
{
    auto seen = std::make_shared<std::atomic<int>>(-1);
    viewer.session->post([user, seen](Client::ClientCore &core) {
        core.fetchPresence({user}, [seen](const Client::ApiResult &,
                                          const QList<Protocol::PresenceUpdate> &updates) {
            seen->store(updates.isEmpty() ? static_cast<int>(State::Unknown)
                                          : static_cast<int>(updates.first().state));
        });
    });
    if (!QTest::qWaitFor([&seen] { return seen->load() >= 0; }, Timeout)) {
        qWarning() << "no presence answer in time";
    }
    return static_cast<State>(std::max(0, seen->load()));
}

//! The read position of `user` in `conversation` as the server shows it to `viewer`.
qint64 readPositionSeenBy(App &viewer, const QString &conversation, const QString &user)
{
    const Client::ApiResult page =
        callCore(*viewer.session, [](Client::ClientCore &core, const Client::ApiCallback &done) {
            core.api().call("GET", QStringLiteral("/v1/receipts"), nullptr, done);
        });
    for (const QJsonValue &value : page.body.value(QStringLiteral("receipts")).toArray()) {
        const QJsonObject state = value.toObject();
        if (state.value(QStringLiteral("conversation")).toString() == conversation &&
            state.value(QStringLiteral("user")).toString() == user) {
            return state.value(QStringLiteral("read")).toInteger();
        }
    }
    return 0;
}

template<typename T> T *visibleChild(QWidget *parent, const QString &name)
{
    T *child = parent->findChild<T *>(name);
    return child && child->isVisible() ? child : nullptr;
}

//! Clicks the button labelled `text` in the message box `name` that `parent` opened.
bool answerBox(QWidget *parent, const QString &name, const QString &text)
{
    QMessageBox *box = nullptr;
    if (!QTest::qWaitFor(
            [&] {
                box = visibleChild<QMessageBox>(parent, name);
                return box != nullptr;
            },
            Timeout)) {
        return false;
    }
    for (QAbstractButton *button : box->buttons()) {
        if (button->text() == text) {
            button->click();
            return true;
        }
    }
    return false;
}

QStringList memberTexts(Gui::GroupInfoDialog &dialog)
{
    QStringList texts;
    for (int row = 0; row < dialog.memberList()->count(); ++row) {
        texts.append(dialog.memberList()->item(row)->text());
    }
    return texts;
}

bool memberIsAdmin(Gui::GroupInfoDialog &dialog, const QString &user)
{
    for (int row = 0; row < dialog.memberList()->count(); ++row) {
        const QListWidgetItem *item = dialog.memberList()->item(row);
        if (item->data(Gui::GroupInfoDialog::UserRole).toString() == user) {
            return item->data(Gui::GroupInfoDialog::AdminRole).toBool();
        }
    }
    return false;
}

void selectMember(Gui::GroupInfoDialog &dialog, const QString &user)
{
    for (int row = 0; row < dialog.memberList()->count(); ++row) {
        if (dialog.memberList()->item(row)->data(Gui::GroupInfoDialog::UserRole).toString() ==
            user) {
            dialog.memberList()->setCurrentRow(row);
            return;
        }
    }
    QFAIL(qPrintable(QStringLiteral("%1 is not in the member list").arg(user)));
}

int leadingNumber(const QString &text)
{
    const auto match = QRegularExpression(QStringLiteral("^\\s*(\\d+)")).match(text);
    return match.hasMatch() ? match.captured(1).toInt() : -1;
}

} // namespace

class TestPanels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void qrCodeIsCrispWithQuietZone();
    void contactWithoutSessionExplainsWhy();
    void contactSafetyNumbersMatchAndVerify();
    void groupAdminManagesMembers();
    void settingsListAndLinkDevices();
    void privacySwitchesReachTheServer();
    void notificationSettingsApplyLive();
    void themeSwitchChangesThePalette();
    void dialogsMirrorRightToLeft();
    void serverPageShowsTheHostedServer();
    void changedCertificateIsABlockingWarning();

private:
    Gui::SettingsDialog *openSettings(App &app);

    Test::TestServer m_server;
    App m_alice;
    App m_bob;
    App m_carol;
    QString m_groupId;
};

void TestPanels::initTestCase()
{
    QVERIFY(m_server.start());
    QVERIFY(signUp(m_alice, m_server.url(), m_server.fingerprint(), QStringLiteral("alice")));
    QVERIFY(signUp(m_bob, m_server.url(), m_server.fingerprint(), QStringLiteral("bob")));
    QVERIFY(signUp(m_carol, m_server.url(), m_server.fingerprint(), QStringLiteral("carol")));
}

void TestPanels::cleanupTestCase()
{
    for (App *app : {&m_alice, &m_bob, &m_carol}) {
        app->reset();
    }
}

Gui::SettingsDialog *TestPanels::openSettings(App &app)
{
    // Through the Tincan menu's action, as the user (or Ctrl+,) would.
    auto *action = app.window->findChild<QAction *>(QStringLiteral("settingsAction"));
    if (!action || !action->shortcuts().contains(QKeySequence(Qt::CTRL | Qt::Key_Comma))) {
        return nullptr;
    }
    // Dialogs closed earlier are deleted later: let that happen first.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    action->trigger();
    return app.window->findChild<Gui::SettingsDialog *>();
}

void TestPanels::qrCodeIsCrispWithQuietZone()
{
    Gui::QrCodeWidget widget;
    QVERIFY(widget.isEmpty());
    QVERIFY(!widget.accessibleName().isEmpty());
    QVERIFY(widget.setData("tincan://link?code=7KQ2MX9D4R"));
    const int size = widget.code().size();
    QVERIFY(size >= 21);
    widget.resize(300, 300);
    widget.show();
    QVERIFY(QTest::qWaitForWindowExposed(&widget));
    const int module = widget.moduleSize();
    QCOMPARE(module, 300 / (size + 2 * Gui::QrCodeWidget::QuietZone));
    const QImage shot = widget.grab().toImage();
    const int side = module * (size + 2 * Gui::QrCodeWidget::QuietZone);
    const int left = (300 - side) / 2;
    // The quiet zone is light all round; every module is one solid square of its colour.
    for (int i = 0; i < Gui::QrCodeWidget::QuietZone * module; ++i) {
        QCOMPARE(shot.pixelColor(left + i, left + side / 2), QColor(Qt::white));
        QCOMPARE(shot.pixelColor(left + side / 2, left + i), QColor(Qt::white));
    }
    for (int y = 0; y < size; ++y) {
        for (int x = 0; x < size; ++x) {
            const QColor expected = widget.code().dark(x, y) ? Qt::black : Qt::white;
            const int px = left + (x + Gui::QrCodeWidget::QuietZone) * module;
            const int py = left + (y + Gui::QrCodeWidget::QuietZone) * module;
            QCOMPARE(shot.pixelColor(px, py), expected);
            QCOMPARE(shot.pixelColor(px + module - 1, py + module - 1), expected);
        }
    }
    // Right to left mirrors layouts, never the code.
    QWidget parent;
    parent.setLayoutDirection(Qt::RightToLeft);
    auto *mirrored = new Gui::QrCodeWidget(&parent);
    QVERIFY(mirrored->setData("tincan://link?code=7KQ2MX9D4R"));
    mirrored->resize(300, 300);
    QCOMPARE(mirrored->layoutDirection(), Qt::LeftToRight);
    QCOMPARE(mirrored->grab().toImage().convertToFormat(QImage::Format_RGB32),
             shot.convertToFormat(QImage::Format_RGB32));
}

void TestPanels::contactWithoutSessionExplainsWhy()
{
    // Alice and carol never wrote to each other: there is no number to compare yet.
    Gui::ContactInfoDialog dialog(m_alice.session.get(), QStringLiteral("carol"));
    dialog.show();
    QTRY_VERIFY_WITH_TIMEOUT(visibleChild<QLabel>(&dialog, QStringLiteral("noSafetyNumber")),
                             Timeout);
    QVERIFY(dialog.safetyNumber().isEmpty());
    QVERIFY(!visibleChild<QLabel>(&dialog, QStringLiteral("safetyNumber")));
    QVERIFY(dialog.qrCode()->isHidden());
    QVERIFY(!dialog.findChild<QPushButton *>(QStringLiteral("verifyButton"))->isEnabled());
}

void TestPanels::contactSafetyNumbersMatchAndVerify()
{
    QVERIFY(exchange(m_alice, m_bob, QStringLiteral("hello bob")));
    QVERIFY(exchange(m_bob, m_alice, QStringLiteral("hello alice")));

    // Alice opens it from the chat header, bob from his.
    m_alice.window->startChat(QStringLiteral("bob"));
    m_alice.window->findChild<QToolButton *>(QStringLiteral("infoButton"))->click();
    auto *alices = m_alice.window->findChild<Gui::ContactInfoDialog *>();
    QVERIFY(alices && alices->isVisible());
    QCOMPARE(alices->user(), QStringLiteral("bob"));
    m_bob.window->startChat(QStringLiteral("alice"));
    m_bob.window->findChild<QToolButton *>(QStringLiteral("infoButton"))->click();
    auto *bobs = m_bob.window->findChild<Gui::ContactInfoDialog *>();
    QVERIFY(bobs);
    QCOMPARE(bobs->user(), QStringLiteral("alice"));

    QTRY_COMPARE_WITH_TIMEOUT(alices->safetyNumber().size(), 60, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(bobs->safetyNumber().size(), 60, Timeout);
    QCOMPARE(alices->safetyNumber(), bobs->safetyNumber());
    // Shown as twelve groups of five digits, three lines of four; the QR code is there.
    auto *number = alices->findChild<QLabel *>(QStringLiteral("safetyNumber"));
    QVERIFY(number->isVisible());
    const QStringList lines = number->text().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 3);
    for (const QString &line : lines) {
        QVERIFY2(QRegularExpression(QStringLiteral("^\\d{5}( \\d{5}){3}$")).match(line).hasMatch(),
                 qPrintable(line));
    }
    QCOMPARE(number->text().remove(QLatin1Char(' ')).remove(QLatin1Char('\n')),
             alices->safetyNumber());
    QVERIFY(!alices->qrCode()->isEmpty());
    QVERIFY(alices->qrCode()->isVisible());
    QVERIFY(!visibleChild<QLabel>(alices, QStringLiteral("noSafetyNumber")));

    // Mark as verified: the store says so, at this number.
    auto *verify = alices->findChild<QPushButton *>(QStringLiteral("verifyButton"));
    QCOMPARE(verify->text(), QStringLiteral("Mark as verified"));
    QVERIFY(!m_alice.reader().trust(QStringLiteral("bob")).verified);
    verify->click();
    QTRY_VERIFY_WITH_TIMEOUT(m_alice.reader().trust(QStringLiteral("bob")).verified, Timeout);
    QCOMPARE(m_alice.reader().trust(QStringLiteral("bob")).verifiedNumber, alices->safetyNumber());
    QTRY_COMPARE_WITH_TIMEOUT(verify->text(), QStringLiteral("Clear verification"), Timeout);
    QVERIFY(alices->findChild<QLabel *>(QStringLiteral("trustState"))
                ->text()
                .contains(QStringLiteral("Verified")));

    // The number changes after verification (as a new device would make it): the dialog warns
    // and offers to accept it.
    auto *accept = alices->findChild<QPushButton *>(QStringLiteral("acceptButton"));
    QVERIFY(accept->isHidden());
    m_alice.session->run([](Client::ClientCore &core) {
        bool wasVerified = false;
        core.store().safetyNumberChanged(QStringLiteral("bob"), &wasVerified);
        Q_EMIT core.safetyNumberChanged(QStringLiteral("bob"), wasVerified);
    });
    QTRY_VERIFY_WITH_TIMEOUT(accept->isVisible(), Timeout);
    QVERIFY(alices->findChild<QLabel *>(QStringLiteral("trustState"))
                ->text()
                .contains(QStringLiteral("changed")));
    QString error;
    QString id;
    m_alice.session->run([&](Client::ClientCore &core) {
        id = core.send(QStringLiteral("bob"), QStringLiteral("refused"), &error);
    });
    QVERIFY(id.isEmpty()); // sending waits for the user's decision
    accept->click();
    QTRY_VERIFY_WITH_TIMEOUT(!m_alice.reader().trust(QStringLiteral("bob")).confirmationRequired,
                             Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(accept->isHidden(), Timeout);
    QVERIFY(exchange(m_alice, m_bob, QStringLiteral("accepted")));

    // Verified again, then cleared.
    QTRY_COMPARE_WITH_TIMEOUT(verify->text(), QStringLiteral("Mark as verified"), Timeout);
    verify->click();
    QTRY_VERIFY_WITH_TIMEOUT(m_alice.reader().trust(QStringLiteral("bob")).verified, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(verify->text(), QStringLiteral("Clear verification"), Timeout);
    verify->click();
    QTRY_VERIFY_WITH_TIMEOUT(!m_alice.reader().trust(QStringLiteral("bob")).verified, Timeout);
    alices->close();
    bobs->close();
}

void TestPanels::groupAdminManagesMembers()
{
    const Client::ApiResult created =
        callCore(*m_alice.session, [](Client::ClientCore &core, const Client::ApiCallback &done) {
            core.createGroup(QStringLiteral("Team"), {QStringLiteral("bob")}, done);
        });
    QVERIFY(created.ok());
    m_groupId = created.body.value(QStringLiteral("id")).toString();
    QTRY_VERIFY_WITH_TIMEOUT(m_bob.reader().group(m_groupId).has_value(), Timeout);

    // Alice (admin) opens it from the header; bob (member) directly.
    m_alice.window->openConversation(Protocol::groupConversationId(m_groupId));
    m_alice.window->findChild<QToolButton *>(QStringLiteral("infoButton"))->click();
    auto *alices = m_alice.window->findChild<Gui::GroupInfoDialog *>();
    QVERIFY(alices && alices->isVisible());
    QCOMPARE(alices->groupId(), m_groupId);
    QVERIFY(alices->isAdmin());
    QVERIFY(visibleChild<QLineEdit>(alices, QStringLiteral("addUsers")));
    QVERIFY(memberIsAdmin(*alices, QStringLiteral("alice")));
    QCOMPARE(alices->memberList()->count(), 2);
    Gui::GroupInfoDialog bobs(m_bob.session.get(), m_groupId);
    bobs.show();
    QTRY_COMPARE_WITH_TIMEOUT(bobs.memberList()->count(), 2, Timeout);
    // A member sees no admin controls.
    QVERIFY(!bobs.isAdmin());
    for (const char *name : {"addUsers", "addButton", "promoteButton", "removeButton"}) {
        QVERIFY2(!visibleChild<QWidget>(&bobs, QLatin1String(name)), name);
    }
    QVERIFY(!visibleChild<QPushButton>(&bobs, QStringLiteral("renameButton")));
    QVERIFY(bobs.findChild<QLineEdit *>(QStringLiteral("groupName"))->isReadOnly());
    QVERIFY(visibleChild<QPushButton>(&bobs, QStringLiteral("leaveButton")));

    // A server error shows in a message box.
    auto *addUsers = alices->findChild<QLineEdit *>(QStringLiteral("addUsers"));
    auto *add = alices->findChild<QPushButton *>(QStringLiteral("addButton"));
    addUsers->setText(QStringLiteral("nosuchuser"));
    add->click();
    QMessageBox *error = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        (error = visibleChild<QMessageBox>(alices, QStringLiteral("errorBox"))) != nullptr,
        Timeout);
    QVERIFY(!error->text().isEmpty());
    error->close();

    // Adding carol shows on both sides.
    addUsers->setText(QStringLiteral("carol"));
    QTRY_VERIFY_WITH_TIMEOUT(add->isEnabled(), Timeout);
    add->click();
    QTRY_VERIFY_WITH_TIMEOUT(memberTexts(*alices).contains(QStringLiteral("carol")), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(memberTexts(bobs).contains(QStringLiteral("carol")), Timeout);
    QVERIFY(addUsers->text().isEmpty());

    // Promoting carol.
    selectMember(*alices, QStringLiteral("carol"));
    auto *promote = alices->findChild<QPushButton *>(QStringLiteral("promoteButton"));
    QCOMPARE(promote->text(), QStringLiteral("Make admin"));
    promote->click();
    QTRY_VERIFY_WITH_TIMEOUT(memberIsAdmin(*alices, QStringLiteral("carol")), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(memberIsAdmin(bobs, QStringLiteral("carol")), Timeout);
    QVERIFY(memberTexts(bobs).contains(QStringLiteral("carol — admin")));
    QTRY_COMPARE_WITH_TIMEOUT(promote->text(), QStringLiteral("Remove as admin"), Timeout);

    // Renaming.
    auto *name = alices->findChild<QLineEdit *>(QStringLiteral("groupName"));
    name->setText(QStringLiteral("Renamed team"));
    alices->findChild<QPushButton *>(QStringLiteral("renameButton"))->click();
    QTRY_COMPARE_WITH_TIMEOUT(bobs.findChild<QLineEdit *>(QStringLiteral("groupName"))->text(),
                              QStringLiteral("Renamed team"), Timeout);
    QCOMPARE(m_bob.reader().group(m_groupId)->name, QStringLiteral("Renamed team"));

    // Bob leaves, after confirming.
    bobs.findChild<QPushButton *>(QStringLiteral("leaveButton"))->click();
    QSignalSpy left(&bobs, &Gui::GroupInfoDialog::left);
    QVERIFY(answerBox(&bobs, QStringLiteral("confirmBox"), QStringLiteral("Leave")));
    QTRY_COMPARE_WITH_TIMEOUT(left.size(), 1, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(!m_bob.reader().group(m_groupId)->member, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(!memberTexts(*alices).contains(QStringLiteral("bob")), Timeout);
    QVERIFY(!visibleChild<QPushButton>(&bobs, QStringLiteral("leaveButton")));
    alices->close();
}

void TestPanels::settingsListAndLinkDevices()
{
    Gui::SettingsDialog *settings = openSettings(m_alice);
    QVERIFY(settings && settings->isVisible());
    Gui::DevicesPage *page = settings->devicesPage();
    QTreeWidget *devices = page->deviceList();
    QTRY_COMPARE_WITH_TIMEOUT(devices->topLevelItemCount(), 1, Timeout);
    QTreeWidgetItem *self = devices->topLevelItem(0);
    QVERIFY(self->data(0, Gui::DevicesPage::CurrentRole).toBool());
    QCOMPARE(self->data(0, Gui::DevicesPage::DeviceIdRole).toLongLong(),
             m_alice.session->deviceId());
    QVERIFY(self->text(0).contains(QStringLiteral("desktop")));
    QCOMPARE(self->text(3), QStringLiteral("online"));

    // Link a new device: the code and its QR code show.
    page->findChild<QPushButton *>(QStringLiteral("linkButton"))->click();
    QTRY_VERIFY_WITH_TIMEOUT(!page->linkUri().isEmpty(), Timeout);
    QVERIFY(!page->findChild<Gui::QrCodeWidget *>(QStringLiteral("linkQr"))->isEmpty());
    QVERIFY(page->findChild<QLabel *>(QStringLiteral("linkCode"))->isVisible());
    QCOMPARE(page->findChild<QLabel *>(QStringLiteral("linkCode"))->text().remove(QLatin1Char('-')),
             page->linkCode());

    // A fresh profile scans it (the URI), and waits for approval.
    QObject context;
    QTemporaryDir freshDir;
    QString verification;
    std::optional<Client::ApiResult> linked;
    Gui::Session fresh(freshDir.path());
    QString error;
    QVERIFY2(fresh.open(&error), qPrintable(error));
    const QString uri = page->linkUri();
    fresh.post([&context, &verification, &linked, uri](Client::ClientCore &core) {
        core.setLinkPollInterval(100);
        core.linkDevice(
            uri, QStringLiteral("laptop"),
            [&context, &verification](const QString &code, const QString &) {
                Gui::Session::onUi(&context, [&verification, code] { verification = code; });
            },
            Gui::Session::uiCallback(
                &context, [&linked](const Client::ApiResult &result) { linked = result; }));
    });
    auto *approve = page->findChild<QPushButton *>(QStringLiteral("approveButton"));
    QTRY_VERIFY_WITH_TIMEOUT(approve->isVisible() && approve->isEnabled(), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(!verification.isEmpty(), Timeout);
    QCOMPARE(page->findChild<QLabel *>(QStringLiteral("verificationCode"))->text(), verification);
    QVERIFY(page->findChild<QLabel *>(QStringLiteral("claimedBy"))
                ->text()
                .contains(QStringLiteral("laptop")));
    QVERIFY(page->findChild<QLabel *>(QStringLiteral("linkProof"))->text().isEmpty() ||
            !page->findChild<QLabel *>(QStringLiteral("linkProof"))
                 ->text()
                 .contains(QStringLiteral("Do not approve")));
    approve->click();
    QTRY_VERIFY_WITH_TIMEOUT(linked.has_value(), Timeout);
    QVERIFY2(linked->ok(), qPrintable(linked->error.message));
    fresh.refreshIdentity();
    QVERIFY(fresh.isSignedIn());
    QCOMPARE(fresh.username(), QStringLiteral("alice"));
    QVERIFY(fresh.deviceId() != m_alice.session->deviceId());

    // The list follows; the new device can be revoked (after a confirmation).
    QTRY_COMPARE_WITH_TIMEOUT(devices->topLevelItemCount(), 2, Timeout);
    self = devices->topLevelItem(0); // the list was loaded again: new items
    QTreeWidgetItem *laptop = devices->topLevelItem(1);
    QCOMPARE(laptop->data(0, Gui::DevicesPage::DeviceIdRole).toLongLong(), fresh.deviceId());
    QVERIFY(laptop->text(0).contains(QStringLiteral("laptop")));
    devices->setCurrentItem(self);
    QVERIFY(!page->findChild<QPushButton *>(QStringLiteral("revokeButton"))->isEnabled());
    devices->setCurrentItem(laptop);
    auto *revoke = page->findChild<QPushButton *>(QStringLiteral("revokeButton"));
    QVERIFY(revoke->isEnabled());
    revoke->click();
    QVERIFY(answerBox(page, QStringLiteral("confirmBox"), QStringLiteral("Revoke")));
    QTRY_COMPARE_WITH_TIMEOUT(devices->topLevelItemCount(), 1, Timeout);
    QVERIFY(devices->topLevelItem(0)->data(0, Gui::DevicesPage::CurrentRole).toBool());
    // The server agrees, and the revoked device is signed out.
    const Client::ApiResult listed =
        callCore(*m_alice.session, [](Client::ClientCore &core, const Client::ApiCallback &done) {
            core.listDevices(done);
        });
    QCOMPARE(listed.body.value(QStringLiteral("devices")).toArray().size(), 1);
    const Client::ApiResult revoked =
        callCore(fresh, [](Client::ClientCore &core, const Client::ApiCallback &done) {
            core.listDevices(done);
        });
    QCOMPARE(revoked.status, 401);
    settings->close();
}

void TestPanels::privacySwitchesReachTheServer()
{
    Gui::SettingsDialog *settings = openSettings(m_alice);
    QVERIFY(settings);
    settings->showPage(Gui::SettingsDialog::PrivacyPage);
    auto *presence = settings->findChild<QCheckBox *>(QStringLiteral("presence"));
    auto *receipts = settings->findChild<QCheckBox *>(QStringLiteral("readReceipts"));
    QVERIFY(presence->isVisible() && receipts->isVisible());
    QVERIFY(presence->isChecked());
    QVERIFY(receipts->isChecked());

    // Presence: bob sees alice online, then hidden, then online again.
    const QString alice = QStringLiteral("alice");
    QTRY_COMPARE_WITH_TIMEOUT(presenceSeenBy(m_bob, alice), State::Online, Timeout);
    presence->setChecked(false);
    QTRY_COMPARE_WITH_TIMEOUT(presenceSeenBy(m_bob, alice), State::Hidden, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(m_alice.session->uiSetting(QStringLiteral("privacy/presence")),
                              QByteArray("0"), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(presence->isEnabled(), Timeout);
    presence->setChecked(true);
    QTRY_COMPARE_WITH_TIMEOUT(presenceSeenBy(m_bob, alice), State::Online, Timeout);

    // Read receipts: bob sees how far alice read, then nothing, then again.
    const QString dm = Protocol::directConversationId(alice, QStringLiteral("bob"));
    QVERIFY(exchange(m_bob, m_alice, QStringLiteral("read this")));
    m_alice.session->post([dm](Client::ClientCore &core) { core.markRead(dm); });
    QTRY_VERIFY_WITH_TIMEOUT(readPositionSeenBy(m_bob, dm, alice) > 0, Timeout);
    receipts->setChecked(false);
    QTRY_COMPARE_WITH_TIMEOUT(readPositionSeenBy(m_bob, dm, alice), qint64(0), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(m_alice.session->uiSetting(QStringLiteral("privacy/read-receipts")),
                              QByteArray("0"), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(receipts->isEnabled(), Timeout);
    receipts->setChecked(true);
    QTRY_VERIFY_WITH_TIMEOUT(readPositionSeenBy(m_bob, dm, alice) > 0, Timeout);

    // A new dialog reads the switches from the server.
    settings->close();
    QTRY_VERIFY_WITH_TIMEOUT(!m_alice.window->findChild<Gui::SettingsDialog *>(), Timeout);
    m_alice.session->setUiSetting(QStringLiteral("privacy/presence"), "0"); // stale local copy
    settings = openSettings(m_alice);
    QVERIFY(settings);
    QTRY_VERIFY_WITH_TIMEOUT(
        settings->findChild<QCheckBox *>(QStringLiteral("presence"))->isChecked(), Timeout);
    settings->close();
}

void TestPanels::notificationSettingsApplyLive()
{
    Gui::SettingsDialog *settings = openSettings(m_alice);
    QVERIFY(settings);
    settings->showPage(Gui::SettingsDialog::NotificationsPage);
    Gui::Composer *composer = m_alice.window->composer();
    QVERIFY(composer->enterSends());
    settings->findChild<QRadioButton *>(QStringLiteral("ctrlEnterSends"))->setChecked(true);
    QVERIFY(!composer->enterSends());
    QCOMPARE(m_alice.session->uiSetting(QStringLiteral("enter-sends")), QByteArray("0"));
    settings->findChild<QRadioButton *>(QStringLiteral("enterSends"))->setChecked(true);
    QVERIFY(composer->enterSends());

    // Do not disturb here and in the Chat menu are one setting.
    QAction *menuDnd = nullptr;
    for (QAction *action : m_alice.window->menuBar()->findChildren<QAction *>()) {
        if (action->text() == QStringLiteral("&Do not disturb")) {
            menuDnd = action;
        }
    }
    QVERIFY(menuDnd);
    auto *dnd = settings->findChild<QCheckBox *>(QStringLiteral("dnd"));
    QVERIFY(!dnd->isChecked());
    dnd->setChecked(true);
    QVERIFY(menuDnd->isChecked());
    QCOMPARE(m_alice.session->uiSetting(QStringLiteral("dnd")), QByteArray("1"));
    dnd->setChecked(false);
    QVERIFY(!menuDnd->isChecked());

    auto *previews = settings->findChild<QCheckBox *>(QStringLiteral("notify-preview"));
    QVERIFY(previews->isChecked());
    previews->setChecked(false);
    QCOMPARE(m_alice.session->uiSetting(QStringLiteral("notify-preview")), QByteArray("0"));
    previews->setChecked(true);
    settings->close();
}

void TestPanels::themeSwitchChangesThePalette()
{
    Gui::SettingsDialog *settings = openSettings(m_alice);
    QVERIFY(settings);
    settings->showPage(Gui::SettingsDialog::AppearancePage);
    settings->findChild<QRadioButton *>(QStringLiteral("theme-dark"))->click();
    QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 100);
    QVERIFY(QApplication::palette().color(QPalette::WindowText).lightness() > 150);
    QCOMPARE(m_alice.session->uiSetting(QStringLiteral("theme")), QByteArray("dark"));
    settings->findChild<QRadioButton *>(QStringLiteral("theme-light"))->click();
    QVERIFY(QApplication::palette().color(QPalette::Window).lightness() > 150);
    QCOMPARE(m_alice.session->uiSetting(QStringLiteral("theme")), QByteArray("light"));
    settings->findChild<QRadioButton *>(QStringLiteral("theme-system"))->click();
    QCOMPARE(m_alice.session->uiSetting(QStringLiteral("theme")), QByteArray("system"));
    settings->close();
}

void TestPanels::dialogsMirrorRightToLeft()
{
    QApplication::setLayoutDirection(Qt::RightToLeft);
    Gui::GroupInfoDialog group(m_alice.session.get(), m_groupId);
    group.show();
    QVERIFY(QTest::qWaitForWindowExposed(&group));
    QCOMPARE(group.layoutDirection(), Qt::RightToLeft);
    auto *name = group.findChild<QLineEdit *>(QStringLiteral("groupName"));
    auto *rename = group.findChild<QPushButton *>(QStringLiteral("renameButton"));
    QVERIFY(rename->isVisible());
    QVERIFY(rename->geometry().right() < name->geometry().left()); // the button leads on the left
    Gui::ContactInfoDialog contact(m_alice.session.get(), QStringLiteral("bob"));
    contact.show();
    QTRY_COMPARE_WITH_TIMEOUT(contact.safetyNumber().size(), 60, Timeout);
    // Digits and the code still read left to right.
    QCOMPARE(contact.findChild<QLabel *>(QStringLiteral("safetyNumber"))->layoutDirection(),
             Qt::LeftToRight);
    QCOMPARE(contact.qrCode()->layoutDirection(), Qt::LeftToRight);
    QApplication::setLayoutDirection(Qt::LeftToRight);
    QCOMPARE(group.layoutDirection(), Qt::LeftToRight);
    QTRY_VERIFY_WITH_TIMEOUT(rename->geometry().left() > name->geometry().right(), Timeout);
}

void TestPanels::serverPageShowsTheHostedServer()
{
    // Alice's app hosts nothing: no hosting section.
    Gui::SettingsDialog *plain = openSettings(m_alice);
    QVERIFY(plain);
    plain->showPage(Gui::SettingsDialog::ServerPage);
    QCOMPARE(plain->findChild<QLabel *>(QStringLiteral("serverUrl"))->text(),
             m_server.url().toString());
    QCOMPARE(plain->findChild<QLabel *>(QStringLiteral("serverFingerprint"))->text(),
             m_server.fingerprint());
    QVERIFY(!visibleChild<QLabel>(plain, QStringLiteral("hostPort")));
    plain->close();

    // An app that hosts the server (tincand as its child, on loopback).
    qputenv("TINCAN_TINCAND", TINCAND_PATH);
    QTemporaryDir serverDir;
    Gui::ServerHost host;
    host.setDataDirectory(serverDir.path());
    host.setListen(QStringLiteral("127.0.0.1:0"));
    host.start();
    QTRY_VERIFY_WITH_TIMEOUT(host.isRunning(), Timeout);
    App hostess;
    QVERIFY(signUp(hostess, host.localUrl(), host.fingerprint(), QStringLiteral("hostess"), &host));
    Gui::SettingsDialog *settings = openSettings(hostess);
    QVERIFY(settings);
    settings->showPage(Gui::SettingsDialog::ServerPage);
    QCOMPARE(settings->findChild<QLabel *>(QStringLiteral("serverFingerprint"))->text(),
             host.fingerprint());
    QLabel *port = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((port = visibleChild<QLabel>(settings, QStringLiteral("hostPort"))),
                             Timeout);
    QCOMPARE(port->text(), QString::number(host.port()));
    QVERIFY(settings->findChild<QLabel *>(QStringLiteral("hostAddress"))
                ->text()
                .contains(QStringLiteral("127.0.0.1:%1").arg(host.port())));
    // The hostess's own app is connected: at least one device online.
    auto *online = settings->findChild<QLabel *>(QStringLiteral("hostOnline"));
    QTRY_VERIFY_WITH_TIMEOUT(leadingNumber(online->text()) >= 1, Timeout);
    QVERIFY(!settings->findChild<QLabel *>(QStringLiteral("hostData"))->text().isEmpty());
    settings->close();
    hostess.reset();
    host.stop();
}

QTEST_MAIN(TestPanels)
void TestPanels::changedCertificateIsABlockingWarning()
{
    // The server comes back with another certificate (its key was replaced, or someone is in
    // the middle): the app refuses it in the handshake and says so in a blocking dialog that
    // names both fingerprints; nothing is sent to that server.
    Test::TestServer server;
    QVERIFY(server.start());
    const QString pinned = server.fingerprint();
    App dave;
    QVERIFY(signUp(dave, server.url(), pinned, QStringLiteral("dave")));
    QVERIFY(server.stop());
    QVERIFY(QDir(server.tlsDir()).removeRecursively());
    QVERIFY(server.restart()); // same port, a new self-signed certificate
    const QString presented = server.fingerprint();
    QVERIFY(presented != pinned);

    QString title;
    QString text;
    QString informative;
    QTimer watch;
    connect(&watch, &QTimer::timeout, this, [&] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box) {
            return;
        }
        title = box->windowTitle();
        text = box->text();
        informative = box->informativeText();
        box->accept();
    });
    watch.start(50);
    dave.session->post([](Client::ClientCore &core) { core.connectToServer(); });
    QTRY_VERIFY_WITH_TIMEOUT(!text.isEmpty(), 60000);
    watch.stop();
    QCOMPARE(title, QStringLiteral("Tincan stopped talking to the server"));
    QVERIFY2(text.contains(pinned) && text.contains(presented), qPrintable(text));
    QVERIFY2(informative.contains(QStringLiteral("certificate")), qPrintable(informative));
    // Still pinned to the old one: the new certificate was not taken.
    QString pin;
    dave.session->run([&](Client::ClientCore &core) { pin = core.certificatePin().fingerprint(); });
    QCOMPARE(pin, pinned);
    dave.reset();
}

#include "tst_panels.moc"
