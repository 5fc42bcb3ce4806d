// The desktop app's widgets against the real daemon: two app windows (each with its own
// profile and client core on its own thread) chat through tincand on loopback.
#include "app/core/ClientCore.h"
#include "app/gui/Composer.h"
#include "app/gui/ConversationListModel.h"
#include "app/gui/MainWindow.h"
#include "app/gui/MessageDelegate.h"
#include "app/gui/MessageModel.h"
#include "app/gui/MessageView.h"
#include "app/gui/SearchModel.h"
#include "app/gui/ServerHost.h"
#include "app/gui/Session.h"
#include "app/gui/SetupDialog.h"
#include "app/gui/UserPicker.h"
#include "shared/discovery/ServiceBrowser.h"
#include "shared/protocol/Validation.h"
#include "tests/common/TestServer.h"
#include "tests/gui/GuiTestApp.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QMimeData>
#include <QPainter>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Tincan;
using Status = Client::StoredMessage::Status;

namespace {

constexpr int Timeout = 30000;

using App = Test::GuiApp;

bool signUp(App &app, const Test::TestServer &server, const QString &user)
{
    return Test::signUp(app, server.url(), server.fingerprint(), user, nullptr, true);
}

int rowWithText(Gui::MessageModel *model, const QString &text)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row).data(Gui::MessageModel::TextRole).toString() == text) {
            return row;
        }
    }
    return -1;
}

void activate(Gui::MainWindow *window)
{
    // The offscreen platform has no window manager to activate windows: do what it would.
    QApplication::setActiveWindow(window);
    QVERIFY(window->isActiveWindow());
}

} // namespace

class TestGui : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void composerMessageAppearsInOtherApp();
    void ticksAdvanceToRead();
    void typingShowsInHeader();
    void notificationWhenNotLooking();
    void attachmentShowsThumbnail();
    void uploadShowsAtOnceAndCancels();
    void selectPartOfAMessage();
    void dropAndPasteAttach();
    void openingAFileTwiceReusesIt();
    void videoShowsPosterAndLength();
    void historyLoadsLazily();
    void rightToLeftMirrorsBubbles();
    void searchFindsAndJumpsToTheMessage();
    void searchInChatSteps();
    void groupFromTheDirectoryWithReceipts();
    void offlineMessagesWaitInTheOutbox();
    void firstRunHostsAServer();
    void firstRunFindsTheServerOnTheLan();

private:
    Test::TestServer m_server;
    App m_alice;
    App m_bob;
    QString m_dm;
};

void TestGui::initTestCase()
{
    QVERIFY(m_server.start());
    QVERIFY(signUp(m_alice, m_server, QStringLiteral("alice")));
    QVERIFY(signUp(m_bob, m_server, QStringLiteral("bob")));
    m_dm = Protocol::directConversationId(QStringLiteral("alice"), QStringLiteral("bob"));
}

void TestGui::cleanupTestCase()
{
    for (App *app : {&m_alice, &m_bob}) {
        app->reset();
    }
}

void TestGui::composerMessageAppearsInOtherApp()
{
    m_alice.window->startChat(QStringLiteral("bob"));
    QCOMPARE(m_alice.window->currentConversation(), m_dm);
    Gui::Composer *composer = m_alice.window->composer();
    composer->setFocus();
    QTest::keyClicks(composer, QStringLiteral("first line"));
    // Shift+Enter breaks the line, Enter sends.
    QTest::keyClick(composer, Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClicks(composer, QStringLiteral("second line"));
    QCOMPARE(composer->toPlainText(), QStringLiteral("first line\nsecond line"));
    QTest::keyClick(composer, Qt::Key_Return);
    QVERIFY(composer->toPlainText().isEmpty());
    const QString text = QStringLiteral("first line\nsecond line");
    QTRY_VERIFY_WITH_TIMEOUT(rowWithText(m_alice.window->messages(), text) >= 0, Timeout);

    // Bob's conversation list shows the chat with an unread badge and the preview.
    Gui::ConversationListModel *list = m_bob.window->conversations();
    QTRY_VERIFY_WITH_TIMEOUT(list->rowOf(m_dm) >= 0, Timeout);
    const QModelIndex row = list->index(list->rowOf(m_dm));
    QTRY_COMPARE_WITH_TIMEOUT(row.data(Gui::ConversationListModel::UnreadRole).toInt(), 1, Timeout);
    QCOMPARE(row.data(Gui::ConversationListModel::TitleRole).toString(), QStringLiteral("alice"));
    QCOMPARE(row.data(Gui::ConversationListModel::PreviewRole).toString(),
             QStringLiteral("first line second line"));

    // Clicking it opens the chat, with the message in the view.
    QListView *conversations = m_bob.window->conversationView();
    const QRect rect = conversations->visualRect(conversations->model()->index(0, 0));
    QTest::mouseClick(conversations->viewport(), Qt::LeftButton, {}, rect.center());
    QCOMPARE(m_bob.window->currentConversation(), m_dm);
    QTRY_VERIFY_WITH_TIMEOUT(rowWithText(m_bob.window->messages(), text) >= 0, Timeout);
    const QModelIndex message =
        m_bob.window->messages()->index(rowWithText(m_bob.window->messages(), text));
    QCOMPARE(message.data(Gui::MessageModel::SenderRole).toString(), QStringLiteral("alice"));
    QVERIFY(!message.data(Gui::MessageModel::OutgoingRole).toBool());
    QVERIFY(message.data(Gui::MessageModel::DayBreakRole).toBool());
}

void TestGui::ticksAdvanceToRead()
{
    // Bob is looking elsewhere: alice's next message stops at delivered.
    m_alice.window->openConversation(m_dm);
    m_bob.window->hide();
    Gui::Composer *composer = m_alice.window->composer();
    QTest::keyClicks(composer, QStringLiteral("are you there?"));
    QTest::keyClick(composer, Qt::Key_Return);
    Gui::MessageModel *messages = m_alice.window->messages();
    QTRY_VERIFY_WITH_TIMEOUT(rowWithText(messages, QStringLiteral("are you there?")) >= 0, Timeout);
    const int row = rowWithText(messages, QStringLiteral("are you there?"));
    const QModelIndex index = messages->index(row);
    QTRY_VERIFY_WITH_TIMEOUT(index.data(Gui::MessageModel::StatusRole).toInt() >=
                                 static_cast<int>(Status::Sent),
                             Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(index.data(Gui::MessageModel::StatusRole).toInt(),
                              static_cast<int>(Status::Delivered), Timeout);
    QCOMPARE(index.data(Gui::MessageModel::StatusTextRole).toString(), QStringLiteral("Delivered"));
    QCOMPARE(Gui::MessageDelegate::tickText(index.data(Gui::MessageModel::StatusRole).toInt()),
             QStringLiteral("\u2713\u2713"));

    // Bob comes back to the chat: it is marked read, and alice's ticks turn to read.
    m_bob.window->show();
    activate(m_bob.window.get());
    m_bob.window->openConversation(m_dm);
    QTRY_COMPARE_WITH_TIMEOUT(index.data(Gui::MessageModel::StatusRole).toInt(),
                              static_cast<int>(Status::Read), Timeout);
    Gui::ConversationListModel *bobList = m_bob.window->conversations();
    QTRY_COMPARE_WITH_TIMEOUT(
        bobList->index(bobList->rowOf(m_dm)).data(Gui::ConversationListModel::UnreadRole).toInt(),
        0, Timeout);
    // The view paints every state without trouble.
    QVERIFY(!m_alice.window->messageView()->grab().isNull());
}

void TestGui::typingShowsInHeader()
{
    m_bob.window->openConversation(m_dm);
    QTRY_VERIFY_WITH_TIMEOUT(m_bob.window->headerStatus()->text() != QStringLiteral("typing…"),
                             Timeout);
    QTest::keyClicks(m_alice.window->composer(), QStringLiteral("typ"));
    QTRY_COMPARE_WITH_TIMEOUT(m_bob.window->headerStatus()->text(), QStringLiteral("typing…"),
                              Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(m_bob.window->conversations()
                                  ->index(m_bob.window->conversations()->rowOf(m_dm))
                                  .data(Gui::ConversationListModel::TypingRole)
                                  .toString(),
                              QStringLiteral("typing…"), Timeout);
    // Sending ends it.
    QTest::keyClick(m_alice.window->composer(), Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(m_bob.window->headerStatus()->text() != QStringLiteral("typing…"),
                             Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(rowWithText(m_bob.window->messages(), QStringLiteral("typ")) >= 0,
                             Timeout);
}

void TestGui::notificationWhenNotLooking()
{
    // Bob looks at another conversation (his note to self): a message from alice notifies.
    m_bob.window->startChat(QStringLiteral("bob"));
    QSignalSpy notified(m_bob.window.get(), &Gui::MainWindow::notified);
    m_alice.window->openConversation(m_dm);
    QTest::keyClicks(m_alice.window->composer(), QStringLiteral("ping from alice"));
    QTest::keyClick(m_alice.window->composer(), Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(notified.size(), 1, Timeout);
    QCOMPARE(notified.at(0).at(0).toString(), m_dm);
    QCOMPARE(notified.at(0).at(1).toString(), QStringLiteral("alice"));
    QCOMPARE(notified.at(0).at(2).toString(), QStringLiteral("ping from alice"));

    // Muted: no notification, but the message still arrives.
    m_bob.window->conversations()->setMuted(m_dm, true);
    QTest::keyClicks(m_alice.window->composer(), QStringLiteral("muted ping"));
    QTest::keyClick(m_alice.window->composer(), Qt::Key_Return);
    Gui::ConversationListModel *list = m_bob.window->conversations();
    QTRY_COMPARE_WITH_TIMEOUT(
        list->index(list->rowOf(m_dm)).data(Gui::ConversationListModel::PreviewRole).toString(),
        QStringLiteral("muted ping"), Timeout);
    QCOMPARE(notified.size(), 1);
    QVERIFY(list->index(list->rowOf(m_dm)).data(Gui::ConversationListModel::MutedRole).toBool());
    m_bob.window->conversations()->setMuted(m_dm, false);
}

void TestGui::attachmentShowsThumbnail()
{
    QTemporaryDir files;
    QImage image(640, 480, QImage::Format_RGB32);
    image.fill(QColor(0x20, 0x90, 0xd0));
    QPainter(&image).fillRect(100, 100, 200, 150, Qt::yellow);
    const QString path = files.filePath(QStringLiteral("photo.png"));
    QVERIFY(image.save(path));

    m_bob.window->openConversation(m_dm);
    m_alice.window->openConversation(m_dm);
    m_alice.window->attachFiles({path});
    Gui::MessageModel *messages = m_bob.window->messages();
    const auto mediaRow = [messages] {
        for (int row = messages->rowCount() - 1; row >= 0; --row) {
            if (messages->index(row)
                    .data(Gui::MessageModel::KindRole)
                    .value<Gui::MessageModel::Kind>() == Gui::MessageModel::Kind::Media) {
                return row;
            }
        }
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(mediaRow() >= 0, 60000);
    const QModelIndex index = messages->index(mediaRow());
    QCOMPARE(index.data(Gui::MessageModel::FileNameRole).toString(), QStringLiteral("photo.png"));
    const QImage thumbnail = index.data(Gui::MessageModel::ThumbnailRole).value<QImage>();
    QVERIFY(!thumbnail.isNull());
    QCOMPARE(index.data(Gui::MessageModel::ImageSizeRole).toSize(), QSize(640, 480));
    // The preview is drawn: the row is as tall as the scaled picture, and the picture's blue
    // is on screen.
    QListView *view = m_bob.window->messageView();
    view->scrollToBottom();
    QVERIFY(view->sizeHintForIndex(index).height() > 190);
    const QImage shot = view->viewport()->grab().toImage();
    bool blue = false;
    for (int y = 0; y < shot.height() && !blue; y += 3) {
        for (int x = 0; x < shot.width() && !blue; x += 3) {
            const QColor c = shot.pixelColor(x, y);
            blue = qAbs(c.red() - 0x20) < 12 && qAbs(c.green() - 0x90) < 12 &&
                   qAbs(c.blue() - 0xd0) < 12;
        }
    }
    QVERIFY2(blue, "the image preview is not painted");
}

void TestGui::uploadShowsAtOnceAndCancels()
{
    // A file is in the chat from the moment it is chosen, with its name and a cancel button,
    // while it uploads (here held paused); the button cancels it and the bubble goes.
    QTemporaryDir files;
    const QString path = files.filePath(QStringLiteral("report.bin"));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(file.write(QByteArray(3'000'000, 'r')) == 3'000'000);
    }
    m_alice.window->openConversation(m_dm);
    Gui::MessageModel *messages = m_alice.window->messages();
    const int before = messages->rowCount();
    QString id;
    m_alice.session->run([&](Client::ClientCore &core) {
        QString error;
        id = core.sendFile(QStringLiteral("bob"), path, {}, &error);
        if (!id.isEmpty()) {
            core.pauseTransfer(id);
        }
    });
    QVERIFY(!id.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(messages->rowCount(), before + 1, Timeout);
    const int row = messages->rowOfClientId(id);
    QVERIFY(row >= 0);
    QModelIndex index = messages->index(row);
    QCOMPARE(index.data(Gui::MessageModel::StatusRole).toInt(),
             static_cast<int>(Status::Uploading));
    QCOMPARE(index.data(Gui::MessageModel::FileNameRole).toString(), QStringLiteral("report.bin"));
    QCOMPARE(index.data(Gui::MessageModel::FileSizeRole).toLongLong(), 3'000'000);
    QCOMPARE(index.data(Gui::MessageModel::StatusTextRole).toString(), QStringLiteral("Uploading"));
    // Opening it is not offered while it uploads; the conversation list shows it.
    QTRY_COMPARE_WITH_TIMEOUT(m_alice.window->conversations()
                                  ->index(m_alice.window->conversations()->rowOf(m_dm))
                                  .data(Gui::ConversationListModel::PreviewRole)
                                  .toString()
                                  .contains(QStringLiteral("report.bin")),
                              true, Timeout);

    Gui::MessageView *view = m_alice.window->messageView();
    view->scrollTo(index);
    const QRect cancel = view->cancelRectOf(index);
    QVERIFY(cancel.isValid());
    QVERIFY(view->viewport()->rect().contains(cancel.center()));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, cancel.center());
    QTRY_COMPARE_WITH_TIMEOUT(messages->rowCount(), before, Timeout);
    QCOMPARE(messages->rowOfClientId(id), -1);
    bool gone = false;
    m_alice.session->run([&](Client::ClientCore &core) {
        gone = !core.store().transfer(id) && !core.store().messageByClientId(id);
    });
    QVERIFY(gone);
}

void TestGui::selectPartOfAMessage()
{
    // Drag over a message's text selects part of it, painted in the bubble; a double-click
    // selects a word; Ctrl+C copies the selection, not the whole message.
    m_alice.window->openConversation(m_dm);
    activate(m_alice.window.get());
    const QString text = QStringLiteral("alpha beta gamma delta");
    QString id;
    m_alice.session->run([&](Client::ClientCore &core) {
        QString error;
        id = core.send(QStringLiteral("bob"), text, &error);
    });
    QVERIFY(!id.isEmpty());
    Gui::MessageModel *messages = m_alice.window->messages();
    QTRY_VERIFY_WITH_TIMEOUT(messages->rowOfClientId(id) >= 0, Timeout);
    const QModelIndex index = messages->index(messages->rowOfClientId(id));
    Gui::MessageView *view = m_alice.window->messageView();
    view->scrollTo(index);
    const QRect rect = view->textRectOf(index);
    QVERIFY(rect.isValid());
    QVERIFY(view->viewport()->rect().contains(rect));
    const QFontMetrics fm(view->font());
    const int y = rect.top() + fm.height() / 2;
    const int alphaBeta = fm.horizontalAdvance(QStringLiteral("alpha be"));
    // Left to right (the bubble is laid out left to right here).
    const QPoint from(rect.left() + 1, y);
    const QPoint to(rect.left() + alphaBeta, y);
    QTest::mousePress(view->viewport(), Qt::LeftButton, {}, from);
    QMouseEvent move(QEvent::MouseMove, to, view->viewport()->mapToGlobal(to), Qt::NoButton,
                     Qt::LeftButton, {});
    QApplication::sendEvent(view->viewport(), &move);
    QTest::mouseRelease(view->viewport(), Qt::LeftButton, {}, to);
    const QString selected = view->selectedText();
    QVERIFY2(text.startsWith(selected) && selected.size() >= 7 && selected.size() <= 9,
             qPrintable(selected));
    // The selection is painted: the bubble's text area looks different from before.
    const QImage painted = view->viewport()->grab(rect).toImage();
    view->clearTextSelection();
    QVERIFY(view->selectedText().isEmpty());
    QVERIFY(view->viewport()->grab(rect).toImage() != painted);

    QTest::mouseDClick(
        view->viewport(), Qt::LeftButton, {},
        QPoint(rect.left() + fm.horizontalAdvance(QStringLiteral("alpha beta ga")), y));
    QCOMPARE(view->selectedText(), QStringLiteral("gamma"));
    QApplication::clipboard()->clear();
    view->setFocus();
    QTest::keyClick(view, Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("gamma"));
    // A click elsewhere ends the selection; Ctrl+C then copies whole messages again.
    QTest::mouseClick(
        view->viewport(), Qt::LeftButton, {},
        QPoint(view->visualRect(index).left() + 2, view->visualRect(index).center().y()));
    QVERIFY(view->selectedText().isEmpty());
}

void TestGui::dropAndPasteAttach()
{
    // A file dropped on the window, and an image pasted into the composer, are sent to the open
    // conversation; each is in the chat at once, and reaches the other app.
    QTemporaryDir files;
    const QString path = files.filePath(QStringLiteral("dropped.txt"));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("dropped on the window\n");
    }
    m_alice.window->openConversation(m_dm);
    m_bob.window->openConversation(m_dm);
    Gui::MessageModel *mine = m_alice.window->messages();
    Gui::MessageModel *theirs = m_bob.window->messages();
    const auto rowNamed = [](Gui::MessageModel *model, const QString &prefix) {
        for (int row = model->rowCount() - 1; row >= 0; --row) {
            if (model->index(row)
                    .data(Gui::MessageModel::FileNameRole)
                    .toString()
                    .startsWith(prefix)) {
                return row;
            }
        }
        return -1;
    };

    QMimeData drag;
    drag.setUrls({QUrl::fromLocalFile(path)});
    const QPoint at = m_alice.window->messageView()->mapTo(
        m_alice.window.get(), m_alice.window->messageView()->rect().center());
    QDragEnterEvent enter(at, Qt::CopyAction, &drag, Qt::LeftButton, {});
    QApplication::sendEvent(m_alice.window.get(), &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(at), Qt::CopyAction, &drag, Qt::LeftButton, {});
    QApplication::sendEvent(m_alice.window.get(), &drop);
    QVERIFY(drop.isAccepted());
    QTRY_VERIFY_WITH_TIMEOUT(rowNamed(mine, QStringLiteral("dropped.txt")) >= 0, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(rowNamed(theirs, QStringLiteral("dropped.txt")) >= 0, 60000);

    // Text in a drag is not a file: refused.
    QMimeData text;
    text.setText(QStringLiteral("just text"));
    QDragEnterEvent refused(at, Qt::CopyAction, &text, Qt::LeftButton, {});
    QApplication::sendEvent(m_alice.window.get(), &refused);
    QVERIFY(!refused.isAccepted());

    QImage image(120, 80, QImage::Format_RGB32);
    image.fill(Qt::darkGreen);
    QApplication::clipboard()->setImage(image);
    Gui::Composer *composer = m_alice.window->composer();
    composer->setFocus();
    QTest::keyClick(composer, Qt::Key_V, Qt::ControlModifier);
    QVERIFY(composer->toPlainText().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(rowNamed(mine, QStringLiteral("pasted-")) >= 0, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(rowNamed(theirs, QStringLiteral("pasted-")) >= 0, 60000);
    const QModelIndex pasted = theirs->index(rowNamed(theirs, QStringLiteral("pasted-")));
    QTRY_VERIFY_WITH_TIMEOUT(
        !pasted.data(Gui::MessageModel::ThumbnailRole).value<QImage>().isNull(), Timeout);
    QCOMPARE(pasted.data(Gui::MessageModel::ImageSizeRole).toSize(), QSize(120, 80));
}

void TestGui::openingAFileTwiceReusesIt()
{
    // Opening a received file (double-click, "Open file") fetches, checks and decrypts it into
    // the Downloads folder; opening it again opens that copy instead of fetching it anew,
    // unless it is gone.
    qputenv("TINCAN_NO_OPEN", "1");
    QTemporaryDir files;
    const QString path = files.filePath(QStringLiteral("twice.bin"));
    QByteArray bytes(300'000, Qt::Uninitialized);
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        bytes[i] = static_cast<char>(i * 7);
    }
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(bytes), bytes.size());
    }
    m_bob.window->openConversation(m_dm);
    m_alice.window->openConversation(m_dm);
    m_alice.window->attachFiles({path});
    Gui::MessageModel *messages = m_bob.window->messages();
    const auto row = [messages] {
        for (int r = messages->rowCount() - 1; r >= 0; --r) {
            if (messages->index(r).data(Gui::MessageModel::FileNameRole).toString() ==
                QLatin1String("twice.bin")) {
                return r;
            }
        }
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(row() >= 0, 60000);
    QSignalSpy opened(m_bob.window.get(), &Gui::MainWindow::fileOpened);
    const auto open = [&] {
        m_bob.window->openAttachment(messages->index(row()));
    };
    open();
    QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 60000);
    const QString saved = opened.at(0).at(0).toString();
    QVERIFY(opened.at(0).at(1).toBool()); // downloaded
    const auto cleanup = qScopeGuard([saved] { QFile::remove(saved); });
    {
        QFile file(saved);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), bytes);
    }
    open();
    QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 2, Timeout);
    QCOMPARE(opened.at(1).at(0).toString(), saved);
    QVERIFY(!opened.at(1).at(1).toBool()); // the same copy, not fetched again
    // Gone: fetched again.
    QVERIFY(QFile::remove(saved));
    open();
    QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 3, 60000);
    QVERIFY(opened.at(2).at(1).toBool());
    QFile::remove(opened.at(2).at(0).toString());
}

void TestGui::videoShowsPosterAndLength()
{
    // 160 x 90, 3 s: blue for 1 s, then red (tests/data/README.md).
    QTemporaryDir files;
    const QString path = files.filePath(QStringLiteral("clip.mp4"));
    QVERIFY(
        QFile::copy(QStringLiteral(TINCAN_SOURCE_DIR "/tests/data/video-blue-then-red.mp4"), path));
    m_bob.window->openConversation(m_dm);
    m_alice.window->openConversation(m_dm);
    m_alice.window->attachFiles({path});
    Gui::MessageModel *messages = m_bob.window->messages();
    const auto videoRow = [messages] {
        for (int row = messages->rowCount() - 1; row >= 0; --row) {
            if (messages->index(row).data(Gui::MessageModel::FileNameRole).toString() ==
                QLatin1String("clip.mp4")) {
                return row;
            }
        }
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(videoRow() >= 0, 60000);
    const QModelIndex index = messages->index(videoRow());
    QCOMPARE(index.data(Gui::MessageModel::KindRole).value<Gui::MessageModel::Kind>(),
             Gui::MessageModel::Kind::Media);
    QCOMPARE(index.data(Gui::MessageModel::MimeRole).toString(), QStringLiteral("video/mp4"));
    QVERIFY(index.data(Gui::MessageModel::IsVideoRole).toBool());
    const qint64 duration = index.data(Gui::MessageModel::DurationRole).toLongLong();
    QVERIFY2(qAbs(duration - 3000) <= 50, qPrintable(QString::number(duration)));
    QCOMPARE(index.data(Gui::MessageModel::ImageSizeRole).toSize(), QSize(160, 90));
    const QImage poster = index.data(Gui::MessageModel::ThumbnailRole).value<QImage>();
    QVERIFY(!poster.isNull());
    QCOMPARE(poster.size(), QSize(160, 90));
    const QString spoken = index.data(Qt::AccessibleTextRole).toString();
    QVERIFY2(spoken.contains(QLatin1String("Video, 0:03")), qPrintable(spoken));
    QCOMPARE(Gui::MessageModel::durationText(65'000), QStringLiteral("1:05"));
    QCOMPARE(Gui::MessageModel::durationText(3'723'400), QStringLiteral("1:02:03"));

    // Painted: the poster's red, a light play button in its middle and the dark label of the
    // length in its top corner.
    QListView *view = m_bob.window->messageView();
    view->scrollToBottom();
    const QImage shot = view->viewport()->grab().toImage();
    const auto isRed = [](QColor c) {
        return c.red() > 230 && c.green() < 40 && c.blue() < 40;
    };
    QRect red;
    for (int y = 0; y < shot.height(); ++y) {
        for (int x = 0; x < shot.width(); ++x) {
            if (isRed(shot.pixelColor(x, y))) {
                red |= QRect(x, y, 1, 1);
            }
        }
    }
    QVERIFY2(red.width() > 140 && red.height() > 80, "the poster is not painted");
    const QColor middle = shot.pixelColor(red.center());
    QVERIFY2(middle.red() > 180 && middle.green() > 180 && middle.blue() > 180,
             qPrintable(middle.name()));
    bool label = false;
    for (int y = red.top() + 8; y < red.top() + 16 && !label; ++y) {
        for (int x = red.left() + 8; x < red.left() + 24 && !label; ++x) {
            label = shot.pixelColor(x, y).red() < 150;
        }
    }
    QVERIFY2(label, "the length is not painted over the poster");
}

void TestGui::historyLoadsLazily()
{
    // 200 messages: the view starts with the newest page and loads the rest when scrolled up.
    const int count = 200;
    QString error;
    m_alice.session->run([&](Client::ClientCore &core) {
        for (int i = 0; i < count; ++i) {
            QVERIFY(!core.send(QStringLiteral("bob"), QStringLiteral("bulk %1").arg(i), &error)
                         .isEmpty());
        }
    });
    Gui::MessageModel *messages = m_bob.window->messages();
    m_bob.window->openConversation(QStringLiteral("dm:bob:bob"));
    QTRY_VERIFY_WITH_TIMEOUT(
        m_bob.session->reader().search(QStringLiteral("bulk 199"), m_dm).size() == 1, 60000);
    m_bob.window->openConversation(m_dm);
    const int total = static_cast<int>(m_bob.session->reader().historyAfter(m_dm, 0, 10000).size());
    QCOMPARE(messages->rowCount(), Gui::MessageModel::PageSize);
    QCOMPARE(messages->index(messages->rowCount() - 1).data(Gui::MessageModel::TextRole),
             QVariant(QStringLiteral("bulk 199")));
    // Scrolling to the top loads the older pages, one at a time, keeping the view in place.
    QListView *view = m_bob.window->messageView();
    QScrollBar *bar = view->verticalScrollBar();
    QTRY_VERIFY_WITH_TIMEOUT(bar->maximum() > 0, Timeout);
    int pages = 0;
    while (messages->rowCount() < total && pages < 20) {
        const int before = messages->rowCount();
        bar->setValue(bar->minimum());
        QTRY_VERIFY_WITH_TIMEOUT(messages->rowCount() > before, Timeout);
        QVERIFY(bar->value() > bar->minimum()); // the rows in view stayed in view
        ++pages;
    }
    QVERIFY(pages >= 2);
    QVERIFY(rowWithText(messages, QStringLiteral("first line\nsecond line")) >= 0);
    QVERIFY(rowWithText(messages, QStringLiteral("bulk 0")) >= 0);
    QCOMPARE(messages->rowCount(), total);
}

void TestGui::rightToLeftMirrorsBubbles()
{
    // Alice's own messages are on the trailing side: right in LTR, left in RTL.
    Gui::MessageModel *messages = m_alice.window->messages();
    m_alice.window->openConversation(m_dm);
    const int row = rowWithText(messages, QStringLiteral("are you there?"));
    QVERIFY(row >= 0);
    QListView *view = m_alice.window->messageView();
    const auto bubbleSide = [&] {
        view->scrollTo(messages->index(row), QAbstractItemView::PositionAtCenter);
        QCoreApplication::processEvents();
        const QRect rect = view->visualRect(messages->index(row));
        const QImage shot = view->viewport()->grab().toImage();
        const int y = rect.center().y();
        const QColor base = shot.pixelColor(rect.center().x(), rect.top() + 1);
        int left = 0;
        int right = 0;
        for (int x = 0; x < shot.width(); ++x) {
            if (shot.pixelColor(x, y) != base) {
                (x < shot.width() / 2 ? left : right)++;
            }
        }
        return right > left; // the bubble is on the right
    };
    QVERIFY(bubbleSide()); // right side in LTR
    QApplication::setLayoutDirection(Qt::RightToLeft);
    QCoreApplication::processEvents();
    QCOMPARE(m_alice.window->layoutDirection(), Qt::RightToLeft);
    QVERIFY(!bubbleSide()); // left side in RTL
    QApplication::setLayoutDirection(Qt::LeftToRight);
}

void TestGui::searchFindsAndJumpsToTheMessage()
{
    // Typed in the search box: matching messages of every chat, words highlighted; choosing
    // one opens its chat scrolled to it, even far back in the history.
    Gui::MainWindow *window = m_bob.window.get();
    window->startChat(QStringLiteral("bob"));
    QTest::keyClicks(window->searchBox(), QStringLiteral("second lin"));
    Gui::SearchModel *results = window->searchResults();
    QTRY_COMPARE_WITH_TIMEOUT(results->rowCount(), 1, Timeout);
    QVERIFY(window->searchResultsView()->isVisible());
    QModelIndex hit = results->index(0);
    QCOMPARE(hit.data(Gui::SearchModel::ConversationRole).toString(), m_dm);
    QCOMPARE(hit.data(Gui::SearchModel::TitleRole).toString(), QStringLiteral("alice"));
    QCOMPARE(hit.data(Gui::SearchModel::SnippetRole).toString(),
             QStringLiteral("first line second line"));
    QVariantList matches = hit.data(Gui::SearchModel::MatchesRole).toList();
    QVERIFY(matches.contains(QPoint(11, 6))); // "second"
    QVERIFY(matches.contains(QPoint(18, 4))); // "line" (the prefix "lin")
    QListView *view = window->searchResultsView();
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(hit).center());
    QCOMPARE(window->currentConversation(), m_dm);
    QModelIndex current = window->messageView()->currentIndex();
    QCOMPARE(current.data(Gui::MessageModel::TextRole).toString(),
             QStringLiteral("first line\nsecond line"));
    QVERIFY(window->messageView()->viewport()->rect().intersects(
        window->messageView()->visualRect(current)));

    // A message far back (not in the newest page): the chat opens around it.
    window->searchBox()->clear();
    QSignalSpy searched(results, &Gui::SearchModel::searched);
    QTest::keyClicks(window->searchBox(), QStringLiteral("bulk 3"));
    QTRY_VERIFY_WITH_TIMEOUT(!searched.isEmpty() && results->query() == QStringLiteral("bulk 3") &&
                                 results->rowCount() > 0,
                             Timeout);
    QCOMPARE(results->rowCount(), 11); // bulk 3 and bulk 30..39
    int row = -1;
    for (int i = 0; i < results->rowCount(); ++i) {
        if (results->hitAt(i).text == QStringLiteral("bulk 3")) {
            row = i;
        }
    }
    QVERIFY(row >= 0);
    QVERIFY(window->jumpToMessage(m_dm, results->hitAt(row).localId));
    current = window->messageView()->currentIndex();
    QCOMPARE(current.data(Gui::MessageModel::TextRole).toString(), QStringLiteral("bulk 3"));
    QVERIFY(window->messageView()->viewport()->rect().intersects(
        window->messageView()->visualRect(current)));
    QVERIFY(!window->messages()->atEnd());
    // "Jump to latest" goes back to the newest messages.
    window->messages()->setConversation(m_dm);
    QVERIFY(window->messages()->atEnd());
    // Nothing found, and search syntax is only text.
    window->searchBox()->clear();
    QTest::keyClicks(window->searchBox(), QStringLiteral("\"zebra* OR (NEAR"));
    QTRY_COMPARE_WITH_TIMEOUT(results->query(), QStringLiteral("\"zebra* OR (NEAR"), Timeout);
    QTest::qWait(0);
    QTRY_COMPARE_WITH_TIMEOUT(results->rowCount(), 0, Timeout);
    window->searchBox()->clear();
    QVERIFY(!window->searchResultsView()->isVisible());
}

void TestGui::searchInChatSteps()
{
    Gui::MainWindow *window = m_bob.window.get();
    activate(window); // Shift+Enter is a shortcut: it needs the active window
    window->openConversation(m_dm);
    window->showChatSearch();
    QVERIFY(window->chatSearchBox()->isVisible());
    QTest::keyClicks(window->chatSearchBox(), QStringLiteral("bulk 19"));
    // "19" as a prefix: bulk 19 and bulk 190..199, newest first, the first one selected.
    QTRY_COMPARE_WITH_TIMEOUT(window->chatSearchResults()->rowCount(), 11, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(
        window->messageView()->currentIndex().data(Gui::MessageModel::TextRole).toString(),
        QStringLiteral("bulk 199"), Timeout);
    QTest::keyClick(window->chatSearchBox(), Qt::Key_Return);
    QCOMPARE(window->messageView()->currentIndex().data(Gui::MessageModel::TextRole).toString(),
             QStringLiteral("bulk 198"));
    QTest::keyClick(window->chatSearchBox(), Qt::Key_Return, Qt::ShiftModifier);
    QCOMPARE(window->messageView()->currentIndex().data(Gui::MessageModel::TextRole).toString(),
             QStringLiteral("bulk 199"));
    QVERIFY(window->chatSearchBox()->hasFocus() || !window->isActiveWindow());
}

void TestGui::groupFromTheDirectoryWithReceipts()
{
    // New chat: the server's directory as you type (without oneself).
    Gui::UserPicker chat(m_alice.session.get(), false);
    chat.show();
    QTest::keyClicks(chat.searchBox(), QStringLiteral("b"));
    QTRY_COMPARE_WITH_TIMEOUT(chat.results()->count(), 1, Timeout);
    QCOMPARE(chat.results()->item(0)->text(), QStringLiteral("bob"));
    QCOMPARE(chat.selectedUsers(), QStringList{QStringLiteral("bob")});
    chat.searchBox()->clear();
    QTest::keyClicks(chat.searchBox(), QStringLiteral("al"));
    QTRY_VERIFY_WITH_TIMEOUT(chat.results()->count() == 0 && !chat.searchBox()->text().isEmpty(),
                             Timeout);

    // New group: tick people found, name it, and it opens.
    Gui::UserPicker group(m_alice.session.get(), true);
    group.show();
    QTest::keyClicks(group.searchBox(), QStringLiteral("bo"));
    QTRY_COMPARE_WITH_TIMEOUT(group.results()->count(), 1, Timeout);
    group.results()->item(0)->setCheckState(Qt::Checked);
    QCOMPARE(group.selectedUsers(), QStringList{QStringLiteral("bob")});
    Gui::MainWindow *alice = m_alice.window.get();
    alice->createGroup(QStringLiteral("Design team"), group.selectedUsers());
    QTRY_VERIFY_WITH_TIMEOUT(alice->currentConversation().startsWith(QLatin1String("group:")),
                             Timeout);
    const QString conversation = alice->currentConversation();
    QCOMPARE(alice->conversations()->titleOf(conversation), QStringLiteral("Design team"));
    QTRY_COMPARE_WITH_TIMEOUT(alice->headerStatus()->text(), QStringLiteral("2 members"), Timeout);
    QTest::keyClicks(alice->composer(), QStringLiteral("hello team"));
    QTest::keyClick(alice->composer(), Qt::Key_Return);
    Gui::MessageModel *messages = alice->messages();
    QTRY_VERIFY_WITH_TIMEOUT(rowWithText(messages, QStringLiteral("hello team")) >= 0, Timeout);
    const QModelIndex sent = messages->index(rowWithText(messages, QStringLiteral("hello team")));

    // Bob sees the group and the message with alice's name; reading it gives "Read by 1 of 1".
    Gui::ConversationListModel *bobList = m_bob.window->conversations();
    QTRY_VERIFY_WITH_TIMEOUT(bobList->rowOf(conversation) >= 0, Timeout);
    QCOMPARE(bobList->index(bobList->rowOf(conversation))
                 .data(Gui::ConversationListModel::TitleRole)
                 .toString(),
             QStringLiteral("Design team"));
    activate(m_bob.window.get());
    m_bob.window->openConversation(conversation);
    QTRY_VERIFY_WITH_TIMEOUT(
        rowWithText(m_bob.window->messages(), QStringLiteral("hello team")) >= 0, Timeout);
    const QModelIndex received = m_bob.window->messages()->index(
        rowWithText(m_bob.window->messages(), QStringLiteral("hello team")));
    QVERIFY(received.data(Gui::MessageModel::ShowSenderRole).toBool());
    QCOMPARE(received.data(Gui::MessageModel::SenderRole).toString(), QStringLiteral("alice"));
    QTRY_COMPARE_WITH_TIMEOUT(sent.data(Gui::MessageModel::ReceiptTextRole).toString(),
                              QStringLiteral("Read by 1 of 1"), Timeout);
    QVERIFY(sent.data(Gui::MessageModel::ReceiptDetailRole)
                .toString()
                .contains(QStringLiteral("bob: read")));
}

void TestGui::offlineMessagesWaitInTheOutbox()
{
    // The server goes away: a message typed meanwhile waits (and says so), then goes when the
    // connection returns.
    m_alice.window->openConversation(m_dm);
    QSignalSpy offline(m_alice.session->core(), &Client::ClientCore::connectionStateChanged);
    QVERIFY(m_server.stop());
    QTRY_VERIFY_WITH_TIMEOUT(!offline.isEmpty() && !offline.last().at(0).toBool(), Timeout);
    QTest::keyClicks(m_alice.window->composer(), QStringLiteral("sent while offline"));
    QTest::keyClick(m_alice.window->composer(), Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(m_alice.window->outboxLabel()->isVisible(), Timeout);
    QVERIFY(m_alice.window->outboxLabel()->text().contains(QLatin1String("1")));
    Gui::MessageModel *messages = m_alice.window->messages();
    QTRY_VERIFY_WITH_TIMEOUT(rowWithText(messages, QStringLiteral("sent while offline")) >= 0,
                             Timeout);
    const int row = rowWithText(messages, QStringLiteral("sent while offline"));
    QCOMPARE(messages->index(row).data(Gui::MessageModel::StatusRole).toInt(),
             static_cast<int>(Status::Pending));
    QVERIFY(m_server.restart());
    QTRY_VERIFY_WITH_TIMEOUT(messages->index(row).data(Gui::MessageModel::StatusRole).toInt() >=
                                 static_cast<int>(Status::Sent),
                             60000);
    QTRY_VERIFY_WITH_TIMEOUT(!m_alice.window->outboxLabel()->isVisible(), Timeout);
    m_bob.window->openConversation(m_dm);
    QTRY_VERIFY_WITH_TIMEOUT(
        rowWithText(m_bob.window->messages(), QStringLiteral("sent while offline")) >= 0, 60000);
}

namespace {

//! Fills the account page of the first-run dialog and creates the account.
void createAccount(Gui::SetupDialog &dialog, const QString &user)
{
    auto *tabs = dialog.findChild<QTabWidget *>();
    QVERIFY(tabs && tabs->isVisible());
    tabs->setCurrentIndex(0);
    const QList<QLineEdit *> fields = tabs->widget(0)->findChildren<QLineEdit *>();
    QVERIFY(fields.size() >= 3);
    fields.at(0)->setText(user);
    fields.at(1)->setText(QStringLiteral("correct horse"));
    fields.at(2)->setText(QStringLiteral("correct horse"));
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    for (QPushButton *button : dialog.findChildren<QPushButton *>()) {
        if (button->isVisible() && button->text() == QStringLiteral("&Continue")) {
            button->click();
        }
    }
    if (!accepted.wait(Timeout)) {
        QStringList texts;
        for (QLabel *label : dialog.findChildren<QLabel *>()) {
            texts.append(label->text());
        }
        QFAIL(qPrintable(QStringLiteral("not accepted: ") + texts.join(QStringLiteral(" | "))));
    }
}

void clickNext(Gui::SetupDialog &dialog)
{
    for (QPushButton *button : dialog.findChildren<QPushButton *>()) {
        if (button->isVisible() && button->text() == QStringLiteral("&Next")) {
            button->click();
            return;
        }
    }
    QFAIL("no Next button");
}

} // namespace

void TestGui::firstRunHostsAServer()
{
    // "Host a server on this computer": the dialog starts tincand as a child process, shows its
    // fingerprint, and the new account lives on it.
    qputenv("TINCAN_TINCAND", TINCAND_PATH);
    QTemporaryDir dir;
    Gui::Session session(dir.filePath(QStringLiteral("profile")));
    QString error;
    QVERIFY2(session.open(&error), qPrintable(error));
    QVERIFY(!session.isSignedIn());
    Gui::ServerHost host;
    host.setDataDirectory(dir.filePath(QStringLiteral("server")));
    host.setListen(QStringLiteral("127.0.0.1:0"));
    Gui::SetupDialog dialog(&session, &host);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    const QList<QRadioButton *> choices = dialog.findChildren<QRadioButton *>();
    QCOMPARE(choices.size(), 3);
    choices.at(2)->setChecked(true); // host
    clickNext(dialog);
    QTRY_VERIFY_WITH_TIMEOUT(host.isRunning(), Timeout);
    QVERIFY(!host.fingerprint().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(dialog.findChild<QTabWidget *>()->isVisible(), Timeout);
    bool shown = false;
    for (QLabel *label : dialog.findChildren<QLabel *>()) {
        shown = shown || label->text().contains(host.fingerprint());
    }
    QVERIFY2(shown, "the hosted server's fingerprint is not shown");
    createAccount(dialog, QStringLiteral("hostess"));
    QVERIFY(dialog.hosting());
    QVERIFY(session.isSignedIn());
    QCOMPARE(session.username(), QStringLiteral("hostess"));
    QCOMPARE(session.serverUrl(), host.localUrl());
    QCOMPARE(session.serverFingerprint(), host.fingerprint());
    QVERIFY(host.dataSize() > 0);
    host.stop();
    QVERIFY(!host.isRunning());
}

void TestGui::firstRunFindsTheServerOnTheLan()
{
    // A daemon that advertises itself (DNS-SD) shows up in the list; choosing it connects to
    // it with its announced certificate pinned.
    Test::TestServer advertised;
    advertised.setAdvertise(true);
    QVERIFY(advertised.start());
    Discovery::ServiceBrowser browser;
    browser.start();
    if (!browser.isAvailable()) {
        QSignalSpy availability(&browser, &Discovery::ServiceBrowser::availabilityChanged);
        if (!availability.wait(5000) || !browser.isAvailable()) {
            QSKIP(qPrintable(QStringLiteral("No Avahi daemon (%1): run under "
                                            "scripts/with-avahi.sh, as scripts/run-tests.sh does")
                                 .arg(browser.unavailableReason())));
        }
    }
    QTemporaryDir dir;
    Gui::Session session(dir.filePath(QStringLiteral("profile")));
    QString error;
    QVERIFY2(session.open(&error), qPrintable(error));
    Gui::ServerHost host;
    Gui::SetupDialog dialog(&session, &host);
    dialog.followBrowser(&browser);
    dialog.show();
    QListWidget *found = dialog.foundList();
    const auto rowOfServer = [&] {
        for (int i = 0; i < found->count(); ++i) {
            if (found->item(i)->data(Qt::UserRole).toUrl().port() == advertised.port() &&
                found->item(i)->data(Qt::UserRole + 1).toString() == advertised.fingerprint()) {
                return i;
            }
        }
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(rowOfServer() >= 0, Timeout);
    found->setCurrentRow(rowOfServer());
    dialog.findChildren<QRadioButton *>().at(0)->setChecked(true);
    clickNext(dialog);
    QTRY_VERIFY_WITH_TIMEOUT(dialog.findChild<QTabWidget *>()->isVisible(), Timeout);
    createAccount(dialog, QStringLiteral("lanuser"));
    QCOMPARE(session.serverFingerprint(), advertised.fingerprint());
    QCOMPARE(session.serverUrl().port(), advertised.port());
    // Gone from the network, gone from the list.
    QVERIFY(advertised.stop());
    QTRY_VERIFY_WITH_TIMEOUT(rowOfServer() < 0, Timeout);
}

QTEST_MAIN(TestGui)
#include "tst_gui.moc"
