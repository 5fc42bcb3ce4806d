#include "app/gui/SettingsDialog.h"

#include "app/core/ClientCore.h"
#include "app/gui/DesktopApp.h"
#include "app/gui/DevicesPage.h"
#include "app/gui/MessageBoxes.h"
#include "app/gui/ServerHost.h"
#include "app/gui/Session.h"
#include "shared/protocol/Fingerprint.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHostAddress>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QNetworkInterface>
#include <QNetworkReply>
#include <QPushButton>
#include <QRadioButton>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace Tincan::Gui {

namespace {

const QString ReadReceiptsKey = QStringLiteral("privacy/read-receipts");
const QString PresenceKey = QStringLiteral("privacy/presence");

QLabel *wrapped(const QString &text)
{
    auto *label = new QLabel(text);
    label->setWordWrap(true);
    return label;
}

QLabel *value(const QString &objectName, const QString &accessibleName)
{
    auto *label = new QLabel;
    label->setObjectName(objectName);
    label->setAccessibleName(accessibleName);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    return label;
}

} // namespace

SettingsDialog::SettingsDialog(Session *session, ServerHost *host, QWidget *parent)
    : QDialog(parent)
    , m_session(session)
    , m_host(host)
{
    setWindowTitle(tr("Settings"));
    resize(620, 560);
    auto *layout = new QVBoxLayout(this);
    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("settingsPages"));
    m_tabs->setAccessibleName(tr("Settings pages"));
    m_devices = new DevicesPage(session);
    m_tabs->addTab(m_devices, tr("Account && devices"));
    m_tabs->addTab(buildNotificationsPage(), tr("Notifications"));
    m_tabs->addTab(buildPrivacyPage(), tr("Privacy"));
    m_tabs->addTab(buildAppearancePage(), tr("Appearance"));
    m_tabs->addTab(buildServerPage(), tr("Server"));
    layout->addWidget(m_tabs, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    if (m_host) {
        connect(m_host, &ServerHost::started, this, &SettingsDialog::refreshServerStatus);
        connect(m_host, &ServerHost::stopped, this, &SettingsDialog::updateHostSection);
        connect(m_host, &ServerHost::failed, this, &SettingsDialog::updateHostSection);
        // Devices come and go: the count follows while the page is open.
        m_statusTimer.setInterval(5000);
        connect(&m_statusTimer, &QTimer::timeout, this, [this] {
            if (isVisible() && m_tabs->currentIndex() == ServerPage) {
                refreshServerStatus();
            }
        });
        m_statusTimer.start();
    }
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (index == ServerPage) {
            refreshServerStatus();
        }
    });
    refreshPrivacy();
    refreshServerStatus();
}

void SettingsDialog::showPage(Page page)
{
    m_tabs->setCurrentIndex(page);
}

QCheckBox *SettingsDialog::settingCheckBox(const QString &text, const QString &key, bool fallback)
{
    auto *box = new QCheckBox(text);
    box->setObjectName(key);
    box->setChecked(m_session->uiSetting(key, fallback ? "1" : "0") == "1");
    connect(box, &QCheckBox::toggled, this,
            [this, key](bool on) { m_session->setUiSetting(key, on ? "1" : "0"); });
    return box;
}

// ---- notifications

QWidget *SettingsDialog::buildNotificationsPage()
{
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);
    auto *notifications = new QGroupBox(tr("New messages"));
    auto *notificationsLayout = new QVBoxLayout(notifications);
    notificationsLayout->addWidget(
        settingCheckBox(tr("Show the sender and the text in notifications"),
                        QStringLiteral("notify-preview"), true));
    notificationsLayout->addWidget(
        wrapped(tr("Off: notifications only say “New message”, for screens others can see.")));
    notificationsLayout->addWidget(
        settingCheckBox(tr("Do not disturb (no notifications)"), QStringLiteral("dnd"), false));
    layout->addWidget(notifications);

    auto *keys = new QGroupBox(tr("Sending"));
    auto *keysLayout = new QVBoxLayout(keys);
    auto *enter = new QRadioButton(tr("Enter sends the message, Shift+Enter starts a new line"));
    enter->setObjectName(QStringLiteral("enterSends"));
    auto *ctrlEnter = new QRadioButton(tr("Ctrl+Enter sends the message, Enter starts a new line"));
    ctrlEnter->setObjectName(QStringLiteral("ctrlEnterSends"));
    const bool enterSends = m_session->uiSetting(QStringLiteral("enter-sends"), "1") == "1";
    enter->setChecked(enterSends);
    ctrlEnter->setChecked(!enterSends);
    connect(enter, &QRadioButton::toggled, this, [this](bool on) {
        m_session->setUiSetting(QStringLiteral("enter-sends"), on ? "1" : "0");
    });
    keysLayout->addWidget(enter);
    keysLayout->addWidget(ctrlEnter);
    layout->addWidget(keys);

    auto *window = new QGroupBox(tr("Window"));
    auto *windowLayout = new QVBoxLayout(window);
    QCheckBox *tray = settingCheckBox(tr("Keep Tincan running in the tray when the window closes"),
                                      QStringLiteral("close-to-tray"), true);
    if (!QSystemTrayIcon::isSystemTrayAvailable()) {
        tray->setEnabled(false);
        tray->setToolTip(tr("This desktop has no system tray: closing the window quits Tincan."));
    }
    windowLayout->addWidget(tray);
    layout->addWidget(window);
    layout->addStretch(1);
    return page;
}

// ---- privacy

QWidget *SettingsDialog::buildPrivacyPage()
{
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);
    m_readReceipts = new QCheckBox(tr("Send read receipts"));
    m_readReceipts->setObjectName(QStringLiteral("readReceipts"));
    m_readReceipts->setChecked(m_session->uiSetting(ReadReceiptsKey, "1") == "1");
    connect(m_readReceipts, &QCheckBox::toggled, this,
            [this](bool on) { setPrivacy(m_readReceipts, QStringLiteral("readReceipts"), on); });
    layout->addWidget(m_readReceipts);
    layout->addWidget(wrapped(tr("Off: others do not see when you read their messages, and you "
                                 "do not see when they read yours. Delivery ticks stay.")));
    m_presence = new QCheckBox(tr("Show when I am online and when I was last seen"));
    m_presence->setObjectName(QStringLiteral("presence"));
    m_presence->setChecked(m_session->uiSetting(PresenceKey, "1") == "1");
    connect(m_presence, &QCheckBox::toggled, this,
            [this](bool on) { setPrivacy(m_presence, QStringLiteral("showPresence"), on); });
    layout->addWidget(m_presence);
    layout->addWidget(wrapped(tr("Off: no one sees whether you are online, and you do not see "
                                 "anyone's presence either.")));
    m_privacyStatus = new QLabel;
    m_privacyStatus->setObjectName(QStringLiteral("privacyStatus"));
    m_privacyStatus->setWordWrap(true);
    layout->addWidget(m_privacyStatus);
    layout->addStretch(1);
    return page;
}

void SettingsDialog::refreshPrivacy()
{
    // The server keeps these switches (another device may have changed them); the UI settings
    // only remember the last answer, to show something before it comes.
    auto done = Session::uiCallback(this, [this](const Client::ApiResult &result) {
        if (result.ok()) {
            showPrivacy(result.body);
        } else {
            m_privacyStatus->setText(
                tr("The server could not be asked (%1): showing the last known choice.")
                    .arg(result.error.message));
        }
    });
    m_session->post([done](Client::ClientCore &core) {
        core.api().call("GET", QStringLiteral("/v1/account/privacy"), nullptr, done);
    });
}

void SettingsDialog::showPrivacy(const QJsonObject &privacy)
{
    m_privacyStatus->clear();
    const auto show = [this, &privacy](QCheckBox *box, const QString &field, const QString &key) {
        if (!privacy.contains(field)) {
            return;
        }
        const bool on = privacy.value(field).toBool();
        const QSignalBlocker block(box);
        box->setChecked(on);
        m_session->setUiSetting(key, on ? "1" : "0");
    };
    show(m_readReceipts, QStringLiteral("readReceipts"), ReadReceiptsKey);
    show(m_presence, QStringLiteral("showPresence"), PresenceKey);
}

void SettingsDialog::setPrivacy(QCheckBox *box, const QString &field, bool value)
{
    box->setEnabled(false);
    auto done = Session::uiCallback(this, [this, box, value](const Client::ApiResult &result) {
        box->setEnabled(true);
        if (!result.ok()) {
            const QSignalBlocker block(box);
            box->setChecked(!value);
            MessageBoxes::showError(this, tr("Privacy setting not changed"), result.error.message);
            return;
        }
        showPrivacy(result.body);
    });
    const bool receipts = field == QLatin1String("readReceipts");
    m_session->post([receipts, value, done](Client::ClientCore &core) {
        if (receipts) {
            core.setReadReceiptsShared(value, done);
        } else {
            core.setPresenceVisible(value, done);
        }
    });
}

// ---- appearance

QWidget *SettingsDialog::buildAppearancePage()
{
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);
    auto *themeBox = new QGroupBox(tr("Theme"));
    auto *themeLayout = new QVBoxLayout(themeBox);
    auto *themes = new QButtonGroup(themeBox);
    const QString current =
        QString::fromUtf8(m_session->uiSetting(QStringLiteral("theme"), "system"));
    const QList<QPair<QString, QString>> choices{
        {QStringLiteral("system"), tr("Follow the system")},
        {QStringLiteral("light"), tr("Light")},
        {QStringLiteral("dark"), tr("Dark")}};
    for (const auto &[theme, label] : choices) {
        auto *choice = new QRadioButton(label);
        choice->setObjectName(QStringLiteral("theme-") + theme);
        choice->setChecked(theme == current);
        themes->addButton(choice);
        themeLayout->addWidget(choice);
        connect(choice, &QRadioButton::toggled, this, [this, theme](bool on) {
            if (on) {
                DesktopApp::applyTheme(theme);
                m_session->setUiSetting(QStringLiteral("theme"), theme.toUtf8());
            }
        });
    }
    layout->addWidget(themeBox);

    auto *languageBox = new QGroupBox(tr("Language"));
    auto *languageLayout = new QVBoxLayout(languageBox);
    m_language = new QComboBox;
    m_language->setObjectName(QStringLiteral("language"));
    m_language->setAccessibleName(tr("Language"));
    // Each language in its own name, so that anyone finds theirs.
    m_language->addItem(tr("The system's language"), QStringLiteral("system"));
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_language->addItem(QStringLiteral("Deutsch"), QStringLiteral("de"));
    m_language->addItem(QStringLiteral("العربية"), QStringLiteral("ar"));
    const int index = m_language->findData(
        QString::fromUtf8(m_session->uiSetting(QStringLiteral("language"), "system")));
    m_language->setCurrentIndex(std::max(0, index));
    auto *restart = wrapped(tr("Windows opened from now on use the new language; restart Tincan "
                               "to apply it everywhere."));
    restart->setObjectName(QStringLiteral("languageNote"));
    restart->hide();
    connect(m_language, &QComboBox::currentIndexChanged, this, [this, restart](int chosen) {
        const QString language = m_language->itemData(chosen).toString();
        DesktopApp::applyLanguage(language == QLatin1String("system") ? QString() : language);
        m_session->setUiSetting(QStringLiteral("language"), language.toUtf8());
        restart->show();
    });
    languageLayout->addWidget(m_language);
    languageLayout->addWidget(restart);
    layout->addWidget(languageBox);
    layout->addStretch(1);
    return page;
}

// ---- server

QWidget *SettingsDialog::buildServerPage()
{
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);
    auto *connection = new QFormLayout;
    QLabel *url = value(QStringLiteral("serverUrl"), tr("Server address"));
    url->setText(m_session->serverUrl().toString());
    url->setLayoutDirection(Qt::LeftToRight);
    connection->addRow(tr("Server:"), url);
    QLabel *fingerprint = value(QStringLiteral("serverFingerprint"), tr("Certificate fingerprint"));
    const QString pinned = m_session->serverFingerprint();
    fingerprint->setText(pinned.isEmpty() ? tr("none (the connection is not encrypted)") : pinned);
    fingerprint->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    fingerprint->setWordWrap(true);
    fingerprint->setLayoutDirection(Qt::LeftToRight);
    connection->addRow(tr("Certificate SHA-256:"), fingerprint);
    layout->addLayout(connection);
    layout->addWidget(wrapped(tr("Tincan only talks to a server that shows this certificate. "
                                 "Compare it with the one your administrator announced.")));

    auto *hostBox = new QGroupBox(tr("This computer hosts the server"));
    m_hostSection = hostBox;
    auto *hostLayout = new QFormLayout(hostBox);
    m_hostAddress = value(QStringLiteral("hostAddress"), tr("Addresses of the hosted server"));
    m_hostAddress->setLayoutDirection(Qt::LeftToRight);
    hostLayout->addRow(tr("Others connect to:"), m_hostAddress);
    m_hostPort = value(QStringLiteral("hostPort"), tr("Port of the hosted server"));
    hostLayout->addRow(tr("Port:"), m_hostPort);
    m_hostOnline = value(QStringLiteral("hostOnline"), tr("Users online"));
    hostLayout->addRow(tr("Online now:"), m_hostOnline);
    m_hostData = value(QStringLiteral("hostData"), tr("Data size of the hosted server"));
    hostLayout->addRow(tr("Data:"), m_hostData);
    auto *refresh = new QPushButton(tr("Refresh"));
    refresh->setAccessibleName(tr("Refresh the server's status"));
    connect(refresh, &QPushButton::clicked, this, &SettingsDialog::refreshServerStatus);
    hostLayout->addRow(QString(), refresh);
    hostLayout->addRow(wrapped(tr("Quitting Tincan stops the server for everyone. Closing the "
                                  "window keeps it running in the tray.")));
    layout->addWidget(hostBox);
    layout->addStretch(1);
    updateHostSection();
    return page;
}

void SettingsDialog::updateHostSection()
{
    const bool hosting = m_host && m_host->isRunning();
    m_hostSection->setVisible(hosting);
    if (!hosting) {
        return;
    }
    const QString listen = m_host->listen();
    QString bound = listen.left(listen.lastIndexOf(QLatin1Char(':')));
    bound.remove(QLatin1Char('[')).remove(QLatin1Char(']'));
    QStringList hosts;
    if (bound.isEmpty() || bound == QLatin1String("0.0.0.0") || bound == QLatin1String("::")) {
        // Every interface: the LAN addresses others can use.
        for (const QHostAddress &address : QNetworkInterface::allAddresses()) {
            if (!address.isLoopback() && address.protocol() == QAbstractSocket::IPv4Protocol) {
                hosts.append(address.toString());
            }
        }
    } else {
        hosts.append(bound);
    }
    QStringList urls;
    for (const QString &host : hosts) {
        QUrl url = m_host->localUrl();
        url.setHost(host);
        urls.append(url.toString());
    }
    const bool local = hosts.isEmpty() || std::all_of(hosts.cbegin(), hosts.cend(), [](auto &h) {
                           return QHostAddress(h).isLoopback();
                       });
    m_hostAddress->setText(
        urls.join(QLatin1Char('\n')) +
        (local ? QLatin1Char('\n') + tr("(only this computer can connect)") : QString()));
    m_hostPort->setText(QString::number(m_host->port()));
}

void SettingsDialog::refreshServerStatus()
{
    updateHostSection();
    if (!m_host || !m_host->isRunning()) {
        return;
    }
    m_hostData->setText(QLocale().formattedDataSize(m_host->dataSize()));
    QUrl url = m_host->localUrl();
    url.setPath(QStringLiteral("/healthz"));
    QNetworkRequest request(url);
    request.setTransferTimeout(10000);
    const bool tls = url.scheme() == QLatin1String("https");
    if (tls) {
        m_hostPin.setDigest(Protocol::parseFingerprint(m_host->fingerprint()));
        request.setSslConfiguration(Client::CertificatePin::clientConfiguration());
    }
    QNetworkReply *reply = m_network.get(request);
    auto pinError = std::make_shared<QString>();
    if (tls) {
        m_hostPin.guard(reply, pinError.get());
    }
    connect(reply, &QNetworkReply::finished, this, [this, reply, pinError] {
        reply->deleteLater();
        const QJsonObject health = QJsonDocument::fromJson(reply->readAll()).object();
        if (reply->error() != QNetworkReply::NoError ||
            !health.contains(QStringLiteral("online"))) {
            m_hostOnline->setText(
                tr("unknown (%1)").arg(pinError->isEmpty() ? reply->errorString() : *pinError));
            return;
        }
        const int online = health.value(QStringLiteral("online")).toInt();
        m_hostOnline->setText(tr("%n device(s)", nullptr, online));
    });
}

} // namespace Tincan::Gui
