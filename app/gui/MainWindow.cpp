#include "app/gui/MainWindow.h"

#include "app/core/ClientCore.h"
#include "app/gui/Avatar.h"
#include "app/gui/Composer.h"
#include "app/gui/ContactInfoDialog.h"
#include "app/gui/ConversationDelegate.h"
#include "app/gui/ConversationListModel.h"
#include "app/gui/GroupInfoDialog.h"
#include "app/gui/MessageDelegate.h"
#include "app/gui/MessageModel.h"
#include "app/gui/MessageView.h"
#include "app/gui/SearchModel.h"
#include "app/gui/ServerHost.h"
#include "app/gui/Session.h"
#include "app/gui/SettingsDialog.h"
#include "app/gui/UserPicker.h"
#include "shared/protocol/Validation.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPainter>
#include <QPainterPath>
#include <QPointer>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollBar>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace Tincan::Gui {

namespace {

//! The attach button's paperclip, drawn in `color`: the emoji (U+1F4CE) needs a colour emoji
//! font, and without one it showed as an empty box.
QIcon paperclipIcon(const QColor &color)
{
    QPixmap pixmap(48, 48);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.scale(2, 2); // drawn on a 24 x 24 grid
    painter.translate(12, 12);
    painter.rotate(45);
    painter.translate(-12, -12);
    QPainterPath clip;
    clip.moveTo(14.5, 8);
    clip.lineTo(14.5, 16.5);
    clip.arcTo(QRectF(9.5, 14, 5, 5), 0, -180);
    clip.lineTo(9.5, 6);
    clip.arcTo(QRectF(9.5, 2.5, 7, 7), 180, -180);
    clip.lineTo(16.5, 17);
    clip.arcTo(QRectF(7.5, 12.5, 9, 9), 0, -180);
    clip.lineTo(7.5, 9);
    painter.setPen(QPen(color, 1.6, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    painter.drawPath(clip);
    painter.end();
    return QIcon(pixmap);
}

} // namespace

MainWindow::MainWindow(Session *session, ServerHost *host, QWidget *parent)
    : QMainWindow(parent)
    , m_session(session)
    , m_host(host)
{
    setWindowTitle(tr("Tincan — %1").arg(session->username()));
    resize(1000, 680);
    m_conversations = new ConversationListModel(session, this);
    m_messages = new MessageModel(session, this);
    buildUi();
    buildMenus();
    setupTray();
    if (m_tray) {
        m_closeToTray = m_session->uiSetting(QStringLiteral("close-to-tray"), "1") == "1";
    }
    connect(m_session, &Session::uiSettingChanged, this, &MainWindow::applySetting);

    Client::ClientCore *core = session->core();
    connect(core, &Client::ClientCore::messageReceived, this,
            [this](const Client::StoredMessage &message) {
                if (message.status == Client::StoredMessage::Status::System) {
                    return;
                }
                onMessage(message.conversation, message.sender, message.text, message.outgoing,
                          !message.media.isEmpty());
            });
    connect(core, &Client::ClientCore::connectionStateChanged, this, &MainWindow::onConnection);
    connect(core, &Client::ClientCore::outboxEmpty, this, &MainWindow::updateOutboxState);
    connect(core, &Client::ClientCore::messageStatusChanged, this, &MainWindow::updateOutboxState);
    connect(core, &Client::ClientCore::fatalError, this, &MainWindow::fatal);
    connect(core, &Client::ClientCore::typingChanged, this,
            [this](const QString &conversation, const QString &user, bool typing) {
                if (user == m_session->username()) {
                    return;
                }
                QStringList &users = m_typing[conversation];
                users.removeAll(user);
                if (typing) {
                    users.append(user);
                }
                if (conversation == m_current) {
                    updateHeader();
                }
            });
    connect(core, &Client::ClientCore::presenceChanged, this,
            [this](const QString &user, bool online, qint64 lastSeenMs) {
                m_presence.insert(user, {online ? 1 : 0, lastSeenMs});
                updateHeader();
            });
    connect(core, &Client::ClientCore::groupChanged, this, [this] { updateHeader(); });
    connect(core, &Client::ClientCore::safetyNumberChanged, this,
            [this](const QString &user, bool wasVerified) {
                if (wasVerified) {
                    statusBar()->showMessage(
                        tr("%1's safety number changed. Verify it again before you trust new "
                           "messages.")
                            .arg(user),
                        15000);
                }
            });
    connect(m_conversations, &ConversationListModel::totalUnreadChanged, this,
            &MainWindow::updateTray);
    connect(m_messages, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &, int first, int last) {
                // Follow new messages when the view was at the bottom; otherwise offer a jump.
                const bool appended = first > 0 && last == m_messages->rowCount() - 1;
                if (appended && m_atBottom) {
                    QMetaObject::invokeMethod(this, &MainWindow::scrollToLatest,
                                              Qt::QueuedConnection);
                }
                markReadIfVisible();
            });
    updateTray(m_conversations->totalUnread());
    onConnection(false);
    // Back where the user was: the last open conversation, or the most recent one.
    QString last = QString::fromUtf8(m_session->uiSetting(QStringLiteral("last-conversation")));
    if (m_conversations->rowOf(last) < 0) {
        last = m_conversations->conversationAt(0);
    }
    if (!last.isEmpty()) {
        openConversation(last);
    }
    m_session->post([](Client::ClientCore &core) { core.connectToServer(); });
}

MainWindow::~MainWindow() = default;

void MainWindow::buildUi()
{
    auto *splitter = new QSplitter(this);
    splitter->setChildrenCollapsible(false);

    // Leading side: filter, conversations, new chat / group.
    auto *side = new QWidget;
    auto *sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(6, 6, 0, 6);
    m_search = new QLineEdit;
    m_search->setPlaceholderText(tr("Search (Ctrl+K)"));
    m_search->setAccessibleName(tr("Filter conversations"));
    m_search->setClearButtonEnabled(true);
    sideLayout->addWidget(m_search);
    m_filter = new QSortFilterProxyModel(this);
    m_filter->setSourceModel(m_conversations);
    m_filter->setFilterRole(ConversationListModel::TitleRole);
    m_filter->setFilterCaseSensitivity(Qt::CaseInsensitive);
    connect(m_search, &QLineEdit::textChanged, m_filter,
            &QSortFilterProxyModel::setFilterFixedString);
    m_conversationView = new QListView;
    m_conversationView->setObjectName(QStringLiteral("conversations"));
    m_conversationView->setAccessibleName(tr("Conversations"));
    m_conversationView->setModel(m_filter);
    m_conversationView->setItemDelegate(new ConversationDelegate(m_conversationView));
    m_conversationView->setUniformItemSizes(true);
    m_conversationView->setContextMenuPolicy(Qt::CustomContextMenu);
    m_conversationView->setMinimumWidth(240);
    connect(m_conversationView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid()) {
                    openConversation(current.data(ConversationListModel::IdRole).toString());
                }
            });
    connect(m_conversationView, &QWidget::customContextMenuRequested, this,
            &MainWindow::showConversationMenu);
    // The list is rebuilt when its order changes: keep the open conversation selected.
    connect(m_filter, &QAbstractItemModel::modelReset, this, [this] {
        const int row = m_conversations->rowOf(m_current);
        if (row >= 0) {
            const QModelIndex index = m_filter->mapFromSource(m_conversations->index(row));
            QSignalBlocker block(m_conversationView->selectionModel());
            m_conversationView->setCurrentIndex(index);
        }
    });
    sideLayout->addWidget(m_conversationView, 1);
    // Messages that match the search box, from every conversation.
    m_results = new SearchModel(
        m_session, [this](const QString &id) { return m_conversations->titleOf(id); }, this);
    m_resultsPane = new QWidget;
    auto *resultsLayout = new QVBoxLayout(m_resultsPane);
    resultsLayout->setContentsMargins(0, 0, 0, 0);
    auto *resultsLabel = new QLabel;
    resultsLayout->addWidget(resultsLabel);
    m_resultsView = new QListView;
    m_resultsView->setObjectName(QStringLiteral("searchResults"));
    m_resultsView->setAccessibleName(tr("Messages found"));
    m_resultsView->setModel(m_results);
    m_resultsView->setItemDelegate(new SearchDelegate(m_resultsView));
    m_resultsView->setUniformItemSizes(true);
    resultsLayout->addWidget(m_resultsView);
    m_resultsPane->hide();
    sideLayout->addWidget(m_resultsPane, 2);
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_resultsPane->setVisible(!text.trimmed().isEmpty());
        m_results->setQuery(text);
    });
    connect(m_results, &SearchModel::searched, this, [resultsLabel](int count) {
        resultsLabel->setText(count == 0 ? tr("No messages found")
                              : count >= SearchModel::Limit
                                  ? tr("Messages (the newest %1)").arg(count)
                                  : tr("Messages (%1)").arg(count));
    });
    const auto openHit = [this](const QModelIndex &index) {
        if (index.isValid()) {
            jumpToMessage(index.data(SearchModel::ConversationRole).toString(),
                          index.data(SearchModel::LocalIdRole).toLongLong());
        }
    };
    connect(m_resultsView, &QAbstractItemView::clicked, this, openHit);
    connect(m_resultsView, &QAbstractItemView::activated, this, openHit);
    connect(m_search, &QLineEdit::returnPressed, this, [this, openHit] {
        if (m_results->rowCount() > 0 && m_filter->rowCount() == 0) {
            openHit(m_results->index(0));
        } else if (m_filter->rowCount() > 0) {
            openConversation(m_filter->index(0, 0).data(ConversationListModel::IdRole).toString());
        }
    });
    auto *sideButtons = new QHBoxLayout;
    auto *newChat = new QPushButton(tr("New chat"));
    newChat->setAccessibleName(tr("Start a new chat"));
    auto *newGroup = new QPushButton(tr("New group"));
    connect(newChat, &QPushButton::clicked, this, &MainWindow::showNewChat);
    connect(newGroup, &QPushButton::clicked, this, &MainWindow::showNewGroup);
    sideButtons->addWidget(newChat);
    sideButtons->addWidget(newGroup);
    sideLayout->addLayout(sideButtons);
    splitter->addWidget(side);

    // Trailing side: the conversation.
    auto *stack = new QStackedWidget;
    m_emptyPane = new QLabel(tr("Choose a conversation, or start a new chat."));
    static_cast<QLabel *>(m_emptyPane)->setAlignment(Qt::AlignCenter);
    stack->addWidget(m_emptyPane);
    m_chatPane = new QWidget;
    auto *chat = new QVBoxLayout(m_chatPane);
    chat->setContentsMargins(0, 6, 6, 6);
    auto *header = new QHBoxLayout;
    auto *titles = new QVBoxLayout;
    m_headerTitle = new QLabel;
    QFont titleFont = m_headerTitle->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    m_headerTitle->setFont(titleFont);
    m_headerStatus = new QLabel;
    m_headerStatus->setObjectName(QStringLiteral("headerStatus"));
    titles->addWidget(m_headerTitle);
    titles->addWidget(m_headerStatus);
    header->addLayout(titles, 1);
    m_infoButton = new QToolButton;
    m_infoButton->setText(tr("Info"));
    m_infoButton->setAccessibleName(tr("Conversation info"));
    m_infoButton->setObjectName(QStringLiteral("infoButton"));
    connect(m_infoButton, &QToolButton::clicked, this, &MainWindow::showConversationInfo);
    header->addWidget(m_infoButton);
    chat->addLayout(header);

    // Search in this conversation (Ctrl+F): Enter goes to the next older hit, Shift+Enter back.
    m_chatSearchBar = new QWidget;
    auto *searchRow = new QHBoxLayout(m_chatSearchBar);
    searchRow->setContentsMargins(0, 0, 0, 0);
    m_chatSearch = new QLineEdit;
    m_chatSearch->setPlaceholderText(tr("Search in this chat"));
    m_chatSearch->setAccessibleName(tr("Search in this chat"));
    m_chatSearch->setClearButtonEnabled(true);
    m_chatSearchCount = new QLabel;
    auto *older = new QToolButton;
    older->setText(QStringLiteral("\u2191"));
    older->setToolTip(tr("Older match (Enter)"));
    older->setAccessibleName(tr("Older match"));
    auto *newer = new QToolButton;
    newer->setText(QStringLiteral("\u2193"));
    newer->setToolTip(tr("Newer match (Shift+Enter)"));
    newer->setAccessibleName(tr("Newer match"));
    auto *closeSearch = new QToolButton;
    closeSearch->setText(QStringLiteral("\u2715"));
    closeSearch->setAccessibleName(tr("Close the search"));
    searchRow->addWidget(m_chatSearch, 1);
    searchRow->addWidget(m_chatSearchCount);
    searchRow->addWidget(older);
    searchRow->addWidget(newer);
    searchRow->addWidget(closeSearch);
    m_chatSearchBar->hide();
    chat->addWidget(m_chatSearchBar);
    m_chatResults = new SearchModel(
        m_session, [this](const QString &id) { return m_conversations->titleOf(id); }, this);
    connect(m_chatSearch, &QLineEdit::textChanged, this,
            [this](const QString &text) { m_chatResults->setQuery(text, m_current); });
    connect(m_chatResults, &SearchModel::searched, this, [this](int count) {
        m_chatHit = -1;
        m_chatSearchCount->setText(m_chatSearch->text().trimmed().isEmpty() ? QString()
                                   : count == 0                             ? tr("No results")
                                                : tr("%n result(s)", nullptr, count));
        if (count > 0) {
            stepChatSearch(1);
        }
    });
    connect(m_chatSearch, &QLineEdit::returnPressed, this, [this] { stepChatSearch(1); });
    auto *back = new QShortcut(QKeySequence(Qt::SHIFT | Qt::Key_Return), m_chatSearch);
    back->setContext(Qt::WidgetShortcut);
    connect(back, &QShortcut::activated, this, [this] { stepChatSearch(-1); });
    connect(older, &QToolButton::clicked, this, [this] { stepChatSearch(1); });
    connect(newer, &QToolButton::clicked, this, [this] { stepChatSearch(-1); });
    connect(closeSearch, &QToolButton::clicked, this, [this] {
        m_chatSearch->clear();
        m_chatSearchBar->hide();
        m_composer->setFocus();
    });

    m_messageView = new MessageView;
    m_messageView->setObjectName(QStringLiteral("messages"));
    m_messageView->setAccessibleName(tr("Messages"));
    m_messageView->setModel(m_messages);
    auto *messageDelegate = new MessageDelegate(m_messageView);
    messageDelegate->cacheSizesOf(m_messages);
    m_messageView->setMessageDelegate(messageDelegate);
    connect(m_messageView, &MessageView::cancelUploadRequested, this,
            [this](const QModelIndex &index) { discardUnsent(index); });
    m_messageView->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_messageView->verticalScrollBar()->setSingleStep(24);
    m_messageView->setResizeMode(QListView::Adjust);
    m_messageView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_messageView->setWordWrap(true);
    m_messageView->setMouseTracking(true);
    m_messageView->setContextMenuPolicy(Qt::CustomContextMenu);
    m_messageView->setFrameShape(QFrame::NoFrame);
    connect(m_messageView, &QWidget::customContextMenuRequested, this,
            &MainWindow::showMessageMenu);
    connect(m_messageView, &QAbstractItemView::doubleClicked, this, &MainWindow::openAttachment);
    chat->addWidget(m_messageView, 1);
    m_jumpButton = new QPushButton(tr("Jump to latest ↓"), m_messageView);
    m_jumpButton->setAccessibleName(tr("Jump to the latest message"));
    m_jumpButton->hide();
    connect(m_jumpButton, &QPushButton::clicked, this, &MainWindow::scrollToLatest);
    connect(m_messageView->verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        QScrollBar *bar = m_messageView->verticalScrollBar();
        const bool atBottom = value >= bar->maximum() - 40;
        m_atBottom = atBottom;
        m_jumpButton->setVisible(!atBottom);
        if (!atBottom) {
            m_jumpButton->adjustSize();
            m_jumpButton->move(m_messageView->width() - m_jumpButton->width() - 24,
                               m_messageView->height() - m_jumpButton->height() - 12);
        } else {
            markReadIfVisible();
        }
        // After a jump into the past, newer history loads when the bottom is reached.
        if (atBottom && !m_messages->atEnd()) {
            m_atBottom = false;
            m_messages->loadNewer();
        }
        // Older history loads when the top is reached; the view stays on what it showed.
        if (value <= bar->minimum() + 10 && m_messages->canFetchOlder()) {
            m_messages->fetchOlder();
        }
    });
    connect(m_messages, &MessageModel::olderLoaded, this, [this] {
        QScrollBar *bar = m_messageView->verticalScrollBar();
        const int before = bar->maximum();
        const int value = bar->value();
        m_messageView->doItemsLayout();
        bar->setValue(value + bar->maximum() - before);
    });

    m_outboxLabel = new QLabel;
    m_outboxLabel->hide();
    chat->addWidget(m_outboxLabel);
    auto *composerRow = new QHBoxLayout;
    auto *attach = new QToolButton;
    attach->setObjectName(QStringLiteral("attach"));
    attach->setIcon(paperclipIcon(palette().color(QPalette::ButtonText)));
    attach->setToolTip(tr("Attach a file (Ctrl+O)"));
    attach->setAccessibleName(tr("Attach a file"));
    connect(attach, &QToolButton::clicked, this, &MainWindow::chooseAttachment);
    m_composer = new Composer;
    m_composer->setObjectName(QStringLiteral("composer"));
    m_composer->setEnterSends(m_session->uiSetting(QStringLiteral("enter-sends"), "1") == "1");
    connect(m_composer, &Composer::sendRequested, this, &MainWindow::sendComposed);
    connect(m_composer, &Composer::filesAttached, this, &MainWindow::attachFiles);
    connect(m_composer, &Composer::typing, this, [this](bool active) {
        const QString conversation = m_current;
        if (!conversation.isEmpty()) {
            m_session->post([conversation, active](Client::ClientCore &core) {
                core.setTyping(conversation, active);
            });
        }
    });
    auto *send = new QToolButton;
    send->setText(tr("Send"));
    send->setAccessibleName(tr("Send the message"));
    connect(send, &QToolButton::clicked, this, &MainWindow::sendComposed);
    composerRow->addWidget(attach, 0, Qt::AlignBottom);
    composerRow->addWidget(m_composer, 1);
    composerRow->addWidget(send, 0, Qt::AlignBottom);
    chat->addLayout(composerRow);
    stack->addWidget(m_chatPane);
    splitter->addWidget(stack);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({300, 700});
    setCentralWidget(splitter);
    setAcceptDrops(true);

    m_connectionLabel = new QLabel;
    statusBar()->addPermanentWidget(m_connectionLabel);
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&Tincan"));
    QAction *newChat = file->addAction(tr("&New chat…"), this, &MainWindow::showNewChat);
    newChat->setShortcut(QKeySequence::New);
    QAction *newGroup = file->addAction(tr("New &group…"), this, &MainWindow::showNewGroup);
    newGroup->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
    file->addSeparator();
    QAction *settings = file->addAction(tr("&Settings…"), this, [this] { showSettings(); });
    settings->setObjectName(QStringLiteral("settingsAction"));
    settings->setMenuRole(QAction::PreferencesRole);
    QList<QKeySequence> settingsKeys{QKeySequence(Qt::CTRL | Qt::Key_Comma)};
    if (!QKeySequence(QKeySequence::Preferences).isEmpty() &&
        QKeySequence(QKeySequence::Preferences) != settingsKeys.first()) {
        settingsKeys.prepend(QKeySequence(QKeySequence::Preferences));
    }
    settings->setShortcuts(settingsKeys);
    file->addSeparator();
    QAction *close = file->addAction(tr("&Close window"), this, &QWidget::close);
    close->setShortcut(QKeySequence::Close);
    QAction *quit = file->addAction(tr("&Quit"), this, [this] {
        if (m_host && m_host->isRunning()) {
            const auto answer = QMessageBox::question(
                this, tr("Quit Tincan"),
                tr("This computer hosts your team's Tincan server. Quitting stops the server "
                   "for everyone until you start Tincan again.\n\nQuit anyway?"));
            if (answer != QMessageBox::Yes) {
                return;
            }
        }
        m_quitting = true;
        Q_EMIT quitRequested();
    });
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    QMenu *chat = menuBar()->addMenu(tr("&Chat"));
    QAction *search = chat->addAction(tr("&Search"), this, [this] {
        m_search->setFocus();
        m_search->selectAll();
    });
    search->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    QAction *find = chat->addAction(tr("&Find in this chat"), this, &MainWindow::showChatSearch);
    find->setShortcut(QKeySequence::Find);
    QAction *next = chat->addAction(tr("Next &unread"), this, &MainWindow::nextUnread);
    next->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Down));
    QAction *attach = chat->addAction(tr("&Attach a file…"), this, &MainWindow::chooseAttachment);
    attach->setShortcut(QKeySequence::Open);
    QAction *latest = chat->addAction(tr("Jump to &latest"), this, &MainWindow::scrollToLatest);
    latest->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_End));
    QAction *copy = chat->addAction(tr("&Copy"), this, &MainWindow::copySelectedMessages);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_messageView->addAction(copy);
    QAction *dnd = chat->addAction(tr("&Do not disturb"));
    dnd->setCheckable(true);
    dnd->setChecked(m_session->uiSetting(QStringLiteral("dnd")) == "1");
    connect(dnd, &QAction::toggled, this,
            [this](bool on) { m_session->setUiSetting(QStringLiteral("dnd"), on ? "1" : "0"); });
    connect(m_session, &Session::uiSettingChanged, dnd,
            [dnd](const QString &key, const QByteArray &value) {
                if (key == QLatin1String("dnd")) {
                    const QSignalBlocker block(dnd);
                    dnd->setChecked(value == "1");
                }
            });
}

void MainWindow::setupTray()
{
    if (!QSystemTrayIcon::isSystemTrayAvailable()) {
        m_closeToTray = false; // closing must not leave an invisible app
        return;
    }
    m_tray = new QSystemTrayIcon(this);
    auto *menu = new QMenu(this);
    menu->addAction(tr("Show Tincan"), this, [this] {
        showNormal();
        raise();
        activateWindow();
    });
    menu->addAction(tr("Quit"), this, [this] {
        m_quitting = true;
        Q_EMIT quitRequested();
    });
    m_tray->setContextMenu(menu);
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason r) {
        if (r == QSystemTrayIcon::Trigger) {
            showNormal();
            raise();
            activateWindow();
        }
    });
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
        showNormal();
        raise();
        activateWindow();
        if (!m_notifiedConversation.isEmpty()) {
            openConversation(m_notifiedConversation);
        }
    });
    m_tray->show();
}

void MainWindow::updateTray(int unread)
{
    const QString title = unread > 0 ? tr("Tincan (%1)").arg(unread) : tr("Tincan");
    if (m_tray) {
        QPixmap icon(64, 64);
        icon.fill(Qt::transparent);
        QPainter painter(&icon);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(QColor(0x1a, 0x73, 0xe8));
        painter.drawRoundedRect(QRect(4, 8, 56, 48), 14, 14);
        if (unread > 0) {
            painter.setBrush(QColor(0xd9, 0x30, 0x25));
            painter.drawEllipse(QRect(30, 0, 34, 34));
            QFont font = painter.font();
            font.setPixelSize(unread > 99 ? 14 : 20);
            font.setBold(true);
            painter.setFont(font);
            painter.setPen(Qt::white);
            painter.drawText(QRect(30, 0, 34, 34), Qt::AlignCenter,
                             unread > 99 ? QStringLiteral("99+") : QString::number(unread));
        }
        painter.end();
        m_tray->setIcon(QIcon(icon));
        m_tray->setToolTip(title);
    }
    setWindowTitle(unread > 0 ? tr("(%1) Tincan — %2").arg(unread).arg(m_session->username())
                              : tr("Tincan — %1").arg(m_session->username()));
}

void MainWindow::openConversation(const QString &conversation)
{
    if (conversation.isEmpty()) {
        return;
    }
    if (conversation != m_current) {
        if (!m_current.isEmpty() && !m_composer->toPlainText().isEmpty()) {
            // Drafts stay with their conversation.
            m_session->setUiSetting(QStringLiteral("draft/") + m_current,
                                    m_composer->toPlainText().toUtf8());
        } else if (!m_current.isEmpty()) {
            m_session->setUiSetting(QStringLiteral("draft/") + m_current, {});
        }
        m_current = conversation;
        m_chatSearchBar->hide();
        m_chatSearch->clear();
        m_session->setUiSetting(QStringLiteral("last-conversation"), conversation.toUtf8());
        m_messages->setConversation(conversation);
        {
            QSignalBlocker block(m_composer);
            m_composer->setPlainText(
                QString::fromUtf8(m_session->uiSetting(QStringLiteral("draft/") + conversation)));
        }
    }
    static_cast<QStackedWidget *>(m_chatPane->parentWidget())->setCurrentWidget(m_chatPane);
    const int row = m_conversations->rowOf(conversation);
    if (row >= 0) {
        const QModelIndex index = m_filter->mapFromSource(m_conversations->index(row));
        if (index.isValid() && m_conversationView->currentIndex() != index) {
            QSignalBlocker block(m_conversationView->selectionModel());
            m_conversationView->setCurrentIndex(index);
        }
    }
    const QString peer = Protocol::directPeer(conversation, m_session->username());
    if (!peer.isEmpty() && peer != m_session->username()) {
        QPointer<MainWindow> self(this);
        m_session->post([peer, self](Client::ClientCore &core) {
            core.fetchPresence({peer}, [self](const Client::ApiResult &,
                                              const QList<Protocol::PresenceUpdate> &updates) {
                if (!self) {
                    return;
                }
                Session::onUi(self, [self, updates] {
                    if (!self) {
                        return;
                    }
                    for (const Protocol::PresenceUpdate &update : updates) {
                        if (update.state == Protocol::PresenceUpdate::State::Online ||
                            update.state == Protocol::PresenceUpdate::State::Offline) {
                            self->m_presence.insert(
                                update.user,
                                {update.state == Protocol::PresenceUpdate::State::Online ? 1 : 0,
                                 update.lastSeen});
                        }
                    }
                    self->updateHeader();
                });
            });
        });
    }
    updateHeader();
    updateOutboxState();
    scrollToLatest();
    m_composer->setFocus();
    markReadIfVisible();
}

void MainWindow::startChat(const QString &user)
{
    openConversation(Protocol::directConversationId(m_session->username(), user));
}

void MainWindow::updateHeader()
{
    if (m_current.isEmpty()) {
        return;
    }
    m_headerTitle->setText(m_conversations->titleOf(m_current));
    const QStringList typing = m_typing.value(m_current);
    const QString groupId = Protocol::groupIdOf(m_current);
    QString status;
    if (!typing.isEmpty()) {
        status = groupId.isEmpty() ? tr("typing…")
                                   : tr("%1 typing…").arg(typing.join(QStringLiteral(", ")));
    } else if (!groupId.isEmpty()) {
        const auto group = m_session->reader().group(groupId);
        if (group && !group->member) {
            status = tr("You are no longer a member of this group.");
        } else if (group) {
            status = tr("%n members", nullptr, static_cast<int>(group->members.size()));
        }
    } else {
        const QString peer = Protocol::directPeer(m_current, m_session->username());
        const auto presence = m_presence.constFind(peer);
        if (presence != m_presence.constEnd()) {
            if (presence->first == 1) {
                status = tr("online");
            } else if (presence->second > 0) {
                const QDateTime seen = QDateTime::fromMSecsSinceEpoch(presence->second);
                status =
                    seen.date() == QDate::currentDate()
                        ? tr("last seen at %1")
                              .arg(QLocale().toString(seen.time(), QLocale::ShortFormat))
                        : tr("last seen %1").arg(QLocale().toString(seen, QLocale::ShortFormat));
            } else {
                status = tr("offline");
            }
        }
    }
    m_headerStatus->setText(status);
}

void MainWindow::sendComposed()
{
    const QString text = m_composer->toPlainText().trimmed();
    if (text.isEmpty() || m_current.isEmpty()) {
        return;
    }
    const QString conversation = m_current;
    const QString groupId = Protocol::groupIdOf(conversation);
    const QString to = groupId.isEmpty() ? Protocol::directPeer(conversation, m_session->username())
                                         : Protocol::groupConversationId(groupId);
    {
        QSignalBlocker block(m_composer);
        m_composer->clear();
    }
    m_session->setUiSetting(QStringLiteral("draft/") + conversation, {});
    // Queued, never waited for: the core may be busy (a backlog to decrypt) and the window
    // must not freeze meanwhile. The answer comes back to this window.
    QPointer<MainWindow> self(this);
    m_session->post([this, self, to, text, conversation](Client::ClientCore &core) {
        QString error;
        const QString id = core.send(to, text, &error);
        core.setTyping(conversation, false);
        if (self) {
            QMetaObject::invokeMethod(this, [this, id, error, text, conversation] {
                messageQueued(conversation, id, error, text);
            });
        }
    });
}

void MainWindow::messageQueued(const QString &conversation, const QString &id, const QString &error,
                               const QString &text)
{
    if (id.isEmpty()) {
        // Nothing is lost: the text goes back into the composer if it was not retyped.
        if (conversation == m_current && m_composer->toPlainText().isEmpty()) {
            m_composer->setPlainText(text);
        }
        QMessageBox::warning(this, tr("Message not sent"), error);
        return;
    }
    if (conversation == m_current) {
        m_messages->refreshTail();
        scrollToLatest();
    }
    m_conversations->reload();
    updateOutboxState();
}

void MainWindow::attachFiles(const QStringList &paths)
{
    if (m_current.isEmpty()) {
        return;
    }
    const QString groupId = Protocol::groupIdOf(m_current);
    const QString to = groupId.isEmpty() ? Protocol::directPeer(m_current, m_session->username())
                                         : Protocol::groupConversationId(groupId);
    statusBar()->showMessage(tr("Encrypting and uploading…"), 3000);
    // Queued like a message: making previews of big images takes a moment on the core's thread.
    QPointer<MainWindow> self(this);
    m_session->post([this, self, to, paths](Client::ClientCore &core) {
        QStringList errors;
        for (const QString &path : paths) {
            QString error;
            if (core.sendFile(to, path, {}, &error).isEmpty()) {
                errors.append(tr("%1: %2").arg(QFileInfo(path).fileName(), error));
            }
        }
        if (self && !errors.isEmpty()) {
            QMetaObject::invokeMethod(this, [this, errors] {
                QMessageBox::warning(this, tr("File not sent"), errors.join(QLatin1Char('\n')));
            });
        }
    });
}

namespace {

//! The local files a drag carries (none if it carries anything else).
QStringList localFiles(const QMimeData *data)
{
    QStringList files;
    if (data && data->hasUrls()) {
        for (const QUrl &url : data->urls()) {
            if (url.isLocalFile() && QFileInfo(url.toLocalFile()).isFile()) {
                files.append(url.toLocalFile());
            }
        }
    }
    return files;
}

} // namespace

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (!m_current.isEmpty() && !localFiles(event->mimeData()).isEmpty()) {
        event->acceptProposedAction();
        return;
    }
    event->ignore();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QStringList files = localFiles(event->mimeData());
    if (m_current.isEmpty() || files.isEmpty()) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
    attachFiles(files);
}

void MainWindow::chooseAttachment()
{
    if (m_current.isEmpty()) {
        return;
    }
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Send files"));
    if (!files.isEmpty()) {
        attachFiles(files);
    }
}

void MainWindow::onMessage(const QString &conversation, const QString &sender, const QString &text,
                           bool outgoing, bool media)
{
    if (outgoing) {
        return;
    }
    if (conversation == m_current && isLooking()) {
        markReadIfVisible();
        return;
    }
    if (m_conversations->isMuted(conversation) ||
        m_session->uiSetting(QStringLiteral("dnd")) == "1") {
        return;
    }
    const bool preview = m_session->uiSetting(QStringLiteral("notify-preview"), "1") == "1";
    QString title = tr("New message");
    QString body;
    if (preview) {
        title = m_conversations->titleOf(conversation);
        if (!Protocol::groupIdOf(conversation).isEmpty()) {
            title = tr("%1 in %2").arg(sender, title);
        }
        body = text.isEmpty() && media ? tr("Sent a file") : text.left(200);
    }
    m_lastNotification = title + QLatin1Char('\n') + body;
    m_notifiedConversation = conversation;
    if (m_tray) {
        m_tray->showMessage(title, body, QSystemTrayIcon::Information, 5000);
    }
    Q_EMIT notified(conversation, title, body);
}

bool MainWindow::isLooking() const
{
    if (!isVisible() || isMinimized()) {
        return false;
    }
    // Platforms that cannot tell which window has the focus (offscreen, some Wayland
    // compositors) count a visible window of an active application as looked at.
    return isActiveWindow() || (QGuiApplication::focusWindow() == nullptr &&
                                QGuiApplication::applicationState() == Qt::ApplicationActive);
}

void MainWindow::markReadIfVisible()
{
    if (m_current.isEmpty() || !isLooking() || !m_atBottom) {
        return;
    }
    const QString conversation = m_current;
    if (m_session->reader().unreadCount(conversation, m_session->username()) == 0) {
        return;
    }
    m_session->post([conversation](Client::ClientCore &core) { core.markRead(conversation); });
}

void MainWindow::onConnection(bool online)
{
    m_online = online;
    m_connectionLabel->setText(online ? tr("Connected") : tr("Offline — reconnecting"));
    if (m_host && m_host->isRunning()) {
        m_connectionLabel->setText(m_connectionLabel->text() + QLatin1String(" · ") +
                                   tr("hosting the server on port %1").arg(m_host->port()));
    }
    updateOutboxState();
}

void MainWindow::updateOutboxState()
{
    const int waiting = static_cast<int>(m_session->reader().outbox().size());
    if (waiting > 0 && !m_online) {
        m_outboxLabel->setText(tr(
            "Offline: %n message(s) will be sent when the connection returns.", nullptr, waiting));
        m_outboxLabel->show();
    } else {
        m_outboxLabel->hide();
    }
}

void MainWindow::showNewChat()
{
    UserPicker picker(m_session, false, this);
    if (picker.exec() == QDialog::Accepted && !picker.selectedUsers().isEmpty()) {
        startChat(picker.selectedUsers().first());
    }
}

void MainWindow::showNewGroup()
{
    UserPicker picker(m_session, true, this);
    if (picker.exec() != QDialog::Accepted) {
        return;
    }
    createGroup(picker.groupName(), picker.selectedUsers());
}

void MainWindow::createGroup(const QString &name, const QStringList &members)
{
    auto answered = Session::uiCallback(this, [this](const Client::ApiResult &result) {
        if (!result.ok()) {
            QMessageBox::warning(this, tr("New group"),
                                 tr("The group was not created: %1").arg(result.error.message));
            return;
        }
        const QString id = result.body.value(QStringLiteral("id")).toString();
        m_conversations->reload();
        openConversation(Protocol::groupConversationId(id));
    });
    m_session->post([name, members, answered](Client::ClientCore &core) {
        core.createGroup(name, members, answered);
    });
}

void MainWindow::nextUnread()
{
    const int count = m_conversations->rowCount();
    const int start = std::max(0, m_conversations->rowOf(m_current));
    for (int i = 1; i <= count; ++i) {
        const int row = (start + i) % count;
        if (m_conversations->index(row).data(ConversationListModel::UnreadRole).toInt() > 0) {
            openConversation(m_conversations->conversationAt(row));
            return;
        }
    }
}

void MainWindow::showConversationMenu(const QPoint &pos)
{
    const QModelIndex index = m_conversationView->indexAt(pos);
    if (!index.isValid()) {
        return;
    }
    const QString conversation = index.data(ConversationListModel::IdRole).toString();
    const bool muted = index.data(ConversationListModel::MutedRole).toBool();
    const bool pinned = index.data(ConversationListModel::PinnedRole).toBool();
    QMenu menu(this);
    menu.addAction(muted ? tr("Unmute") : tr("Mute"), this,
                   [=, this] { m_conversations->setMuted(conversation, !muted); });
    menu.addAction(pinned ? tr("Unpin") : tr("Pin"), this,
                   [=, this] { m_conversations->setPinned(conversation, !pinned); });
    menu.addAction(tr("Mark as read"), this, [=, this] {
        m_session->post([conversation](Client::ClientCore &core) { core.markRead(conversation); });
    });
    menu.exec(m_conversationView->viewport()->mapToGlobal(pos));
}

void MainWindow::showMessageMenu(const QPoint &pos)
{
    const QModelIndex index = m_messageView->indexAt(pos);
    if (!index.isValid()) {
        return;
    }
    QMenu menu(this);
    menu.addAction(m_messageView->hasTextSelection() ? tr("Copy selected text") : tr("Copy"), this,
                   &MainWindow::copySelectedMessages);
    const auto status =
        static_cast<Client::StoredMessage::Status>(index.data(MessageModel::StatusRole).toInt());
    if (status == Client::StoredMessage::Status::Uploading) {
        menu.addAction(tr("Cancel upload"), this, [=, this] { discardUnsent(index); });
    } else if (index.data(MessageModel::AttachmentCountRole).toInt() > 0) {
        menu.addAction(tr("Open file"), this, [=, this] { openAttachment(index); });
    }
    if (status == Client::StoredMessage::Status::Failed &&
        index.data(MessageModel::OutgoingRole).toBool()) {
        menu.addAction(tr("Delete"), this, [=, this] { discardUnsent(index); });
    }
    const QString detail = index.data(MessageModel::ReceiptDetailRole).toString();
    if (!detail.isEmpty()) {
        menu.addAction(tr("Read by…"), this,
                       [=, this] { QMessageBox::information(this, tr("Receipts"), detail); });
    }
    menu.exec(m_messageView->viewport()->mapToGlobal(pos));
}

void MainWindow::discardUnsent(const QModelIndex &index)
{
    const QString clientId = index.data(MessageModel::ClientIdRole).toString();
    if (clientId.isEmpty()) {
        return;
    }
    QString error;
    bool done = false;
    m_session->run([&](Client::ClientCore &core) { done = core.discardUnsent(clientId, &error); });
    if (!done) {
        QMessageBox::warning(this, tr("Cannot delete the message"), error);
    }
}

void MainWindow::copySelectedMessages()
{
    // Part of one message's text, selected with the mouse, first.
    if (const QString text = m_messageView->selectedText(); !text.isEmpty()) {
        QApplication::clipboard()->setText(text);
        return;
    }
    QModelIndexList selected = m_messageView->selectionModel()->selectedIndexes();
    std::sort(selected.begin(), selected.end(),
              [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QStringList parts;
    for (const QModelIndex &index : selected) {
        const QString text = index.data(MessageModel::TextRole).toString();
        if (selected.size() == 1) {
            parts.append(text);
        } else {
            const QString who = index.data(MessageModel::OutgoingRole).toBool()
                                    ? m_session->username()
                                    : index.data(MessageModel::SenderRole).toString();
            parts.append(QStringLiteral("%1: %2").arg(who, text));
        }
    }
    if (!parts.isEmpty()) {
        QApplication::clipboard()->setText(parts.join(QLatin1Char('\n')));
    }
}

void MainWindow::openAttachment(const QModelIndex &index)
{
    if (index.data(MessageModel::AttachmentCountRole).toInt() == 0 ||
        static_cast<Client::StoredMessage::Status>(index.data(MessageModel::StatusRole).toInt()) ==
            Client::StoredMessage::Status::Uploading) {
        return;
    }
    const QString clientId = index.data(MessageModel::ClientIdRole).toString();
    // Saved before and still there, whole: opened again, not fetched and decrypted anew.
    const QString savedKey = QStringLiteral("saved/") + clientId;
    const QFileInfo saved(QString::fromUtf8(m_session->uiSetting(savedKey)));
    if (saved.isFile() && saved.size() == index.data(MessageModel::FileSizeRole).toLongLong()) {
        openSavedFile(saved.absoluteFilePath(), false);
        return;
    }
    QString name = QFileInfo(index.data(MessageModel::FileNameRole).toString()).fileName();
    if (name.isEmpty()) {
        name = QStringLiteral("file");
    }
    QString dir = QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
    if (dir.isEmpty()) {
        dir = QDir::homePath();
    }
    QDir().mkpath(dir);
    QString destination = dir + QLatin1Char('/') + name;
    for (int n = 1; QFileInfo::exists(destination); ++n) {
        const QFileInfo info(name);
        destination =
            dir + QStringLiteral("/%1 (%2)%3")
                      .arg(info.completeBaseName())
                      .arg(n)
                      .arg(info.suffix().isEmpty() ? QString() : QLatin1Char('.') + info.suffix());
    }
    // The transfer's id is the media id. Listen before asking: a file already in the cache is
    // decrypted on another thread and may be done before fetchMedia() has even returned here.
    const QString id = index.data(MessageModel::MediaIdRole).toString();
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = connect(m_session->core(), &Client::ClientCore::transferFinished, this,
                          [this, id, destination, savedKey,
                           connection](const QString &finished, bool ok, const QString &why) {
                              if (finished != id) {
                                  return;
                              }
                              disconnect(*connection);
                              if (!ok) {
                                  QMessageBox::warning(this, tr("Download failed"), why);
                                  return;
                              }
                              // Kept in the encrypted database: where this message's file was
                              // saved.
                              m_session->setUiSetting(savedKey, destination.toUtf8());
                              openSavedFile(destination, true);
                          });
    QString started;
    QString error;
    m_session->run([&](Client::ClientCore &core) {
        started = core.fetchMedia(clientId, 0, destination, &error);
    });
    if (started.isEmpty()) {
        disconnect(*connection);
        QMessageBox::warning(this, tr("Cannot open the file"), error);
    }
}

void MainWindow::openSavedFile(const QString &path, bool downloaded)
{
    statusBar()->showMessage(downloaded ? tr("Saved %1").arg(path) : tr("Opened %1").arg(path),
                             5000);
    if (qEnvironmentVariableIsEmpty("TINCAN_NO_OPEN")) {
        QDesktopServices::openUrl(QUrl::fromLocalFile(path));
    }
    Q_EMIT fileOpened(path, downloaded);
}

void MainWindow::scrollToLatest()
{
    if (!m_messages->atEnd()) {
        m_messages->setConversation(m_current); // back to the newest page
    }
    m_atBottom = true;
    m_messageView->scrollToBottom();
    m_jumpButton->hide();
}

bool MainWindow::jumpToMessage(const QString &conversation, qint64 localId)
{
    openConversation(conversation);
    const int row = m_messages->loadAround(localId);
    if (row < 0) {
        return false;
    }
    const QModelIndex index = m_messages->index(row);
    m_messageView->doItemsLayout();
    m_messageView->scrollTo(index, QAbstractItemView::PositionAtCenter);
    m_messageView->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect);
    m_atBottom = false;
    m_jumpButton->adjustSize();
    m_jumpButton->move(m_messageView->width() - m_jumpButton->width() - 24,
                       m_messageView->height() - m_jumpButton->height() - 12);
    m_jumpButton->show();
    return true;
}

void MainWindow::showChatSearch()
{
    if (m_current.isEmpty()) {
        return;
    }
    m_chatSearchBar->show();
    m_chatSearch->setFocus();
    m_chatSearch->selectAll();
}

void MainWindow::stepChatSearch(int direction)
{
    const int count = m_chatResults->rowCount();
    if (count == 0) {
        return;
    }
    // Hits are newest first: "older" is the next row.
    m_chatHit = std::clamp(m_chatHit + direction, 0, count - 1);
    m_chatSearchCount->setText(tr("%1 of %2").arg(m_chatHit + 1).arg(count));
    const Client::SearchHit &hit = m_chatResults->hitAt(m_chatHit);
    // Keep the focus in the search box while moving through the hits.
    const QString conversation = m_current;
    const int row = m_messages->loadAround(hit.localId);
    if (row >= 0 && conversation == hit.conversation) {
        const QModelIndex index = m_messages->index(row);
        m_messageView->doItemsLayout();
        m_messageView->scrollTo(index, QAbstractItemView::PositionAtCenter);
        m_messageView->selectionModel()->setCurrentIndex(index,
                                                         QItemSelectionModel::ClearAndSelect);
        m_atBottom = false;
    }
}

void MainWindow::fatal(const QString &message)
{
    if (m_fatalShown) {
        return;
    }
    m_fatalShown = true;
    QMessageBox box(QMessageBox::Critical, tr("Tincan stopped talking to the server"), message,
                    QMessageBox::Ok, this);
    box.setInformativeText(
        tr("If the server's certificate changed, ask your administrator whether that was "
           "expected. Tincan will not connect to a server it cannot verify."));
    box.exec();
}

void MainWindow::showConversationInfo()
{
    if (m_current.isEmpty()) {
        return;
    }
    const QString groupId = Protocol::groupIdOf(m_current);
    QDialog *dialog = nullptr;
    if (!groupId.isEmpty()) {
        dialog = new GroupInfoDialog(m_session, groupId, this);
    } else {
        const QString peer = Protocol::directPeer(m_current, m_session->username());
        if (peer.isEmpty() || peer == m_session->username()) {
            return; // notes to self have no one to verify
        }
        dialog = new ContactInfoDialog(m_session, peer, this);
    }
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

SettingsDialog *MainWindow::showSettings()
{
    SettingsDialog *settings = m_settings.data();
    if (settings && settings->isHidden()) {
        settings = nullptr; // closed: it deletes itself, a fresh one reads everything again
    }
    if (!settings) {
        settings = new SettingsDialog(m_session, m_host, this);
        settings->setAttribute(Qt::WA_DeleteOnClose);
        m_settings = settings;
    }
    settings->show();
    settings->raise();
    settings->activateWindow();
    return settings;
}

void MainWindow::applySetting(const QString &key, const QByteArray &value)
{
    if (key == QLatin1String("enter-sends")) {
        m_composer->setEnterSends(value == "1");
    } else if (key == QLatin1String("close-to-tray")) {
        // Without a tray, closing always quits: an invisible app could not be reached.
        m_closeToTray = m_tray && value == "1";
    }
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!m_quitting && m_closeToTray && m_tray) {
        hide();
        if (m_host && m_host->isRunning()) {
            m_tray->showMessage(tr("Tincan is still running"),
                                tr("The server keeps serving your team from the tray. Use Quit "
                                   "to stop it."),
                                QSystemTrayIcon::Information, 4000);
        }
        event->ignore();
        return;
    }
    if (!m_current.isEmpty()) {
        m_session->setUiSetting(QStringLiteral("draft/") + m_current,
                                m_composer->toPlainText().toUtf8());
    }
    event->accept();
    if (!m_quitting) {
        Q_EMIT quitRequested();
    }
}

void MainWindow::changeEvent(QEvent *event)
{
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::ActivationChange && isActiveWindow()) {
        markReadIfVisible();
    }
    if (event->type() == QEvent::PaletteChange) {
        if (auto *attach = findChild<QToolButton *>(QStringLiteral("attach"))) {
            attach->setIcon(paperclipIcon(palette().color(QPalette::ButtonText)));
        }
    }
}

} // namespace Tincan::Gui
