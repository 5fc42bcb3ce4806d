#include "app/gui/SetupDialog.h"

#include "app/core/ClientCore.h"
#include "app/gui/ServerHost.h"
#include "app/gui/Session.h"
#include "shared/discovery/ServiceBrowser.h"
#include "shared/protocol/Fingerprint.h"
#include "shared/protocol/Validation.h"

#include <QButtonGroup>
#include <QCryptographicHash>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QRadioButton>
#include <QSslSocket>
#include <QStackedWidget>
#include <QSysInfo>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace Tincan::Gui {

namespace {
QString normalized(const QString &fingerprint)
{
    return Protocol::formatFingerprint(Protocol::parseFingerprint(fingerprint));
}
} // namespace

SetupDialog::SetupDialog(Session *session, ServerHost *host, QWidget *parent)
    : QDialog(parent)
    , m_session(session)
    , m_host(host)
{
    setWindowTitle(tr("Welcome to Tincan"));
    setMinimumWidth(520);
    auto *layout = new QVBoxLayout(this);
    m_pages = new QStackedWidget(this);
    layout->addWidget(m_pages);

    // Page 1: the server.
    auto *serverPage = new QWidget;
    auto *serverLayout = new QVBoxLayout(serverPage);
    auto *intro = new QLabel(tr("<h3>Choose your team's server</h3>Tincan runs on your own "
                                "network. Pick a server found nearby, type its address, or host "
                                "one on this computer."));
    intro->setWordWrap(true);
    serverLayout->addWidget(intro);
    auto *choice = new QButtonGroup(this);
    m_useFound = new QRadioButton(tr("A server found on this network:"));
    m_found = new QListWidget;
    m_found->setAccessibleName(tr("Servers found on this network"));
    m_found->setMaximumHeight(120);
    m_useAddress = new QRadioButton(tr("The server at this address:"));
    m_address = new QLineEdit;
    m_address->setPlaceholderText(QStringLiteral("https://chat.example.lan:7420"));
    m_address->setAccessibleName(tr("Server address"));
    m_useHost = new QRadioButton(tr("Host a server on this computer"));
    auto *hostNote = new QLabel(tr("Everyone on your network can then connect to this computer. "
                                   "The server keeps running while Tincan is in the tray; "
                                   "quitting Tincan stops it for everyone."));
    hostNote->setWordWrap(true);
    hostNote->setIndent(24);
    for (QRadioButton *button : {m_useFound, m_useAddress, m_useHost}) {
        choice->addButton(button);
    }
    serverLayout->addWidget(m_useFound);
    serverLayout->addWidget(m_found);
    serverLayout->addWidget(m_useAddress);
    serverLayout->addWidget(m_address);
    serverLayout->addWidget(m_useHost);
    serverLayout->addWidget(hostNote);
    m_serverStatus = new QLabel;
    m_serverStatus->setWordWrap(true);
    serverLayout->addWidget(m_serverStatus);
    serverLayout->addStretch();
    m_next = new QPushButton(tr("&Next"));
    m_next->setDefault(true);
    auto *serverButtons = new QDialogButtonBox;
    serverButtons->addButton(m_next, QDialogButtonBox::AcceptRole);
    serverButtons->addButton(QDialogButtonBox::Cancel);
    connect(serverButtons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    serverLayout->addWidget(serverButtons);
    m_pages->addWidget(serverPage);
    m_useAddress->setChecked(true);
    const QUrl current = session->serverUrl();
    m_address->setText(current.toString());
    connect(m_found, &QListWidget::itemClicked, this, [this] { m_useFound->setChecked(true); });
    connect(m_address, &QLineEdit::textEdited, this, [this] { m_useAddress->setChecked(true); });
    connect(m_next, &QPushButton::clicked, this, &SetupDialog::goToAccount);

    // Page 2: the account.
    auto *accountPage = new QWidget;
    auto *accountLayout = new QVBoxLayout(accountPage);
    m_fingerprintLabel = new QLabel;
    m_fingerprintLabel->setWordWrap(true);
    m_fingerprintLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    accountLayout->addWidget(m_fingerprintLabel);
    m_tabs = new QTabWidget;
    auto *create = new QWidget;
    auto *createForm = new QFormLayout(create);
    m_newUser = new QLineEdit;
    m_newPassword = new QLineEdit;
    m_newPassword->setEchoMode(QLineEdit::Password);
    m_newPassword2 = new QLineEdit;
    m_newPassword2->setEchoMode(QLineEdit::Password);
    m_invite = new QLineEdit;
    m_invite->setPlaceholderText(tr("if the server asks for one"));
    createForm->addRow(tr("&Username:"), m_newUser);
    createForm->addRow(tr("&Password:"), m_newPassword);
    createForm->addRow(tr("&Repeat password:"), m_newPassword2);
    createForm->addRow(tr("&Invite code:"), m_invite);
    m_tabs->addTab(create, tr("Create an account"));
    auto *signIn = new QWidget;
    auto *signInForm = new QFormLayout(signIn);
    m_user = new QLineEdit;
    m_password = new QLineEdit;
    m_password->setEchoMode(QLineEdit::Password);
    signInForm->addRow(tr("&Username:"), m_user);
    signInForm->addRow(tr("&Password:"), m_password);
    m_tabs->addTab(signIn, tr("Sign in"));
    auto *link = new QWidget;
    auto *linkForm = new QFormLayout(link);
    auto *linkHelp =
        new QLabel(tr("On your other device, open Settings → Account & devices → Link a new "
                      "device…, then type the code it shows or paste its link."));
    linkHelp->setWordWrap(true);
    linkForm->addRow(linkHelp);
    m_linkCode = new QLineEdit;
    linkForm->addRow(tr("&Code or link:"), m_linkCode);
    m_tabs->addTab(link, tr("Link this computer"));
    accountLayout->addWidget(m_tabs);
    auto *deviceForm = new QFormLayout;
    m_deviceName = new QLineEdit(QSysInfo::machineHostName().left(64));
    deviceForm->addRow(tr("&Device name:"), m_deviceName);
    accountLayout->addLayout(deviceForm);
    m_accountStatus = new QLabel;
    m_accountStatus->setWordWrap(true);
    m_accountStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    accountLayout->addWidget(m_accountStatus);
    accountLayout->addStretch();
    m_submit = new QPushButton(tr("&Continue"));
    m_submit->setDefault(true);
    auto *back = new QPushButton(tr("&Back"));
    auto *accountButtons = new QDialogButtonBox;
    accountButtons->addButton(back, QDialogButtonBox::ResetRole);
    accountButtons->addButton(m_submit, QDialogButtonBox::AcceptRole);
    accountButtons->addButton(QDialogButtonBox::Cancel);
    connect(accountButtons, &QDialogButtonBox::rejected, this, [this] {
        m_session->post([](Client::ClientCore &core) { core.cancelLinkDevice(); });
        reject();
    });
    connect(back, &QPushButton::clicked, this, [this] { m_pages->setCurrentIndex(0); });
    connect(m_submit, &QPushButton::clicked, this, &SetupDialog::submit);
    accountLayout->addWidget(accountButtons);
    m_pages->addWidget(accountPage);

    connect(m_host, &ServerHost::started, this, [this](const QUrl &url, const QString &fp) {
        if (m_hosting) {
            serverReady(url, fp);
        }
    });
    connect(m_host, &ServerHost::failed, this, [this](const QString &reason) {
        if (m_hosting) {
            m_hosting = false;
            setBusy(false);
            showError(reason);
        }
    });
}

void SetupDialog::addDiscoveredServer(const QString &name, const QUrl &url,
                                      const QString &fingerprint)
{
    removeDiscoveredServer(name);
    auto *item = new QListWidgetItem(tr("%1 (%2)").arg(name, url.authority()), m_found);
    item->setData(Qt::UserRole, url);
    item->setData(Qt::UserRole + 1, fingerprint);
    item->setData(Qt::UserRole + 2, name);
    if (m_found->count() == 1 && m_address->text().isEmpty()) {
        m_useFound->setChecked(true);
        m_found->setCurrentItem(item);
    }
}

QUrl SetupDialog::urlOf(const Discovery::DiscoveredServer &server)
{
    QUrl url;
    url.setScheme(server.tls ? QStringLiteral("https") : QStringLiteral("http"));
    url.setHost(server.addresses.isEmpty() ? server.host : server.addresses.first().toString());
    url.setPort(server.port);
    return url;
}

void SetupDialog::followBrowser(Discovery::ServiceBrowser *browser)
{
    const auto add = [this](const Discovery::DiscoveredServer &server) {
        addDiscoveredServer(server.name, urlOf(server), server.fingerprint);
    };
    connect(browser, &Discovery::ServiceBrowser::serverFound, this, add);
    connect(browser, &Discovery::ServiceBrowser::serverUpdated, this, add);
    connect(browser, &Discovery::ServiceBrowser::serverLost, this,
            &SetupDialog::removeDiscoveredServer);
    connect(browser, &Discovery::ServiceBrowser::availabilityChanged, this,
            [this](bool available, const QString &reason) {
                m_found->setToolTip(available ? QString()
                                              : tr("Cannot look for servers: %1").arg(reason));
            });
    for (const Discovery::DiscoveredServer &server : browser->servers()) {
        add(server);
    }
    if (!browser->isRunning()) {
        browser->start();
    }
}

void SetupDialog::removeDiscoveredServer(const QString &name)
{
    for (int i = m_found->count() - 1; i >= 0; --i) {
        if (m_found->item(i)->data(Qt::UserRole + 2).toString() == name) {
            delete m_found->takeItem(i);
        }
    }
}

void SetupDialog::setBusy(bool busy, const QString &message)
{
    m_next->setEnabled(!busy);
    m_submit->setEnabled(!busy);
    if (!message.isEmpty() || !busy) {
        (m_pages->currentIndex() == 0 ? m_serverStatus : m_accountStatus)->setText(message);
    }
}

void SetupDialog::showError(const QString &message)
{
    (m_pages->currentIndex() == 0 ? m_serverStatus : m_accountStatus)
        ->setText(
            QStringLiteral("<span style='color:#d93025'>%1</span>").arg(message.toHtmlEscaped()));
}

void SetupDialog::goToAccount()
{
    if (m_useHost->isChecked()) {
        m_hosting = true;
        setBusy(true, tr("Starting the server…"));
        if (m_host->isRunning()) {
            serverReady(m_host->localUrl(), m_host->fingerprint());
        } else {
            m_host->start();
        }
        return;
    }
    m_hosting = false;
    if (m_useFound->isChecked()) {
        QListWidgetItem *item = m_found->currentItem();
        if (!item) {
            showError(tr("Choose one of the servers found, or type an address."));
            return;
        }
        useServer(item->data(Qt::UserRole).toUrl(), item->data(Qt::UserRole + 1).toString());
        return;
    }
    QString text = m_address->text().trimmed();
    if (!text.contains(QLatin1String("://"))) {
        text.prepend(QLatin1String("https://"));
    }
    QUrl url(text);
    if (url.port() < 0) {
        url.setPort(7420);
    }
    if (!url.isValid() || url.host().isEmpty() ||
        (url.scheme() != QLatin1String("https") && url.scheme() != QLatin1String("http"))) {
        showError(tr("That is not a server address. It looks like https://HOST:PORT."));
        return;
    }
    useServer(url, {});
}

void SetupDialog::probeCertificate(const QUrl &url, QObject *context,
                                   std::function<void(QString, QString)> done)
{
    auto *socket = new QSslSocket(context);
    // Only the certificate is read here, to show it: no request is made on this connection.
    // What the client then trusts is exactly this certificate (pinned), nothing else.
    socket->setPeerVerifyMode(QSslSocket::QueryPeer);
    auto finished = std::make_shared<bool>(false);
    auto finish = [socket, done, finished](const QString &fingerprint, const QString &error) {
        if (*finished) {
            return;
        }
        *finished = true;
        socket->abort();
        socket->deleteLater();
        done(fingerprint, error);
    };
    QObject::connect(socket, &QSslSocket::encrypted, socket, [socket, finish] {
        finish(Protocol::formatFingerprint(
                   socket->peerCertificate().digest(QCryptographicHash::Sha256)),
               {});
    });
    QObject::connect(socket, &QSslSocket::sslErrors, socket,
                     [socket](const QList<QSslError> &) { socket->ignoreSslErrors(); });
    QObject::connect(socket, &QAbstractSocket::errorOccurred, socket,
                     [socket, finish] { finish({}, socket->errorString()); });
    QTimer::singleShot(10000, socket, [finish] {
        finish({}, SetupDialog::tr("The server did not answer within 10 seconds."));
    });
    socket->connectToHostEncrypted(url.host(), static_cast<quint16>(url.port(7420)));
}

void SetupDialog::useServer(const QUrl &url, const QString &expectedFingerprint)
{
    if (url.scheme() == QLatin1String("http")) {
        serverReady(url, {});
        return;
    }
    setBusy(true, tr("Connecting to %1…").arg(url.authority()));
    QPointer<SetupDialog> self(this);
    probeCertificate(url, this, [self, url, expectedFingerprint](QString fp, QString error) {
        if (!self) {
            return;
        }
        self->setBusy(false);
        if (fp.isEmpty()) {
            self->showError(tr("Cannot reach %1: %2").arg(url.authority(), error));
            return;
        }
        if (!expectedFingerprint.isEmpty() && normalized(expectedFingerprint) != fp) {
            QMessageBox::critical(
                self, tr("Certificate mismatch"),
                tr("The server at %1 shows a certificate that is not the one it announced on "
                   "the network.\n\nAnnounced: %2\nShown: %3\n\nSomeone may be impersonating "
                   "the server. Tincan will not connect.")
                    .arg(url.authority(), normalized(expectedFingerprint), fp));
            return;
        }
        self->serverReady(url, fp);
    });
}

void SetupDialog::serverReady(const QUrl &url, const QString &fingerprint)
{
    setBusy(false);
    QString error;
    bool ok = true;
    m_session->run([&](Client::ClientCore &core) {
        ok = core.setServerUrl(url, &error) &&
             (fingerprint.isEmpty() || core.pinServerCertificate(fingerprint, &error));
    });
    if (!ok) {
        showError(error);
        return;
    }
    m_url = url;
    m_fingerprintLabel->setText(
        fingerprint.isEmpty()
            ? tr("<b>Server:</b> %1 (no encryption in transit)")
                  .arg(url.authority().toHtmlEscaped())
            : tr("<b>Server:</b> %1<br><b>Certificate SHA-256:</b> <tt>%2</tt><br>Compare it with "
                 "the one your administrator gave you (or the one shown in the hosting app's "
                 "settings). Tincan will refuse any other certificate from now on.")
                  .arg(url.authority().toHtmlEscaped(), fingerprint));
    m_accountStatus->clear();
    m_pages->setCurrentIndex(1);
    m_newUser->setFocus();
}

void SetupDialog::submit()
{
    const QString device = m_deviceName->text().trimmed();
    if (!Protocol::isValidDeviceName(device)) {
        showError(tr("Give this device a name (1 to 64 characters)."));
        return;
    }
    // uiCallback() drops the answer once the dialog is gone: `this` is valid when it runs.
    auto answered = Session::uiCallback(this, [this](const Client::ApiResult &result) {
        setBusy(false);
        if (!result.ok()) {
            showError(result.error.message.isEmpty()
                          ? tr("The server refused (%1).").arg(result.status)
                          : result.error.message);
            return;
        }
        m_session->refreshIdentity();
        accept();
    });
    const int tab = m_tabs->currentIndex();
    if (tab == 0) {
        const QString user = m_newUser->text().trimmed();
        const QString password = m_newPassword->text();
        if (!Protocol::isValidUsername(user)) {
            showError(tr("Usernames are %1.").arg(Protocol::usernameRules()));
            return;
        }
        if (password.size() < 8) {
            showError(tr("Choose a password of at least 8 characters."));
            return;
        }
        if (password != m_newPassword2->text()) {
            showError(tr("The two passwords differ."));
            return;
        }
        setBusy(true, tr("Creating the account and this device's keys…"));
        const QString invite = m_invite->text().trimmed();
        m_session->post([=](Client::ClientCore &core) {
            core.registerAccount(user, password, device, invite, answered);
        });
    } else if (tab == 1) {
        const QString user = m_user->text().trimmed();
        const QString password = m_password->text();
        if (user.isEmpty() || password.isEmpty()) {
            showError(tr("Enter your username and password."));
            return;
        }
        setBusy(true, tr("Signing in…"));
        m_session->post(
            [=](Client::ClientCore &core) { core.login(user, password, device, answered); });
    } else {
        const QString code = m_linkCode->text().trimmed();
        if (code.isEmpty()) {
            showError(tr("Type the code your other device shows, or paste its link."));
            return;
        }
        setBusy(true, tr("Asking your other device…"));
        QPointer<QLabel> status(m_accountStatus);
        QObject *ui = this;
        m_session->post([=](Client::ClientCore &core) {
            core.linkDevice(
                code, device,
                [ui, status](const QString &verification, const QString &username) {
                    Session::onUi(ui, [status, verification, username] {
                        if (status) {
                            status->setText(
                                tr("Linking to <b>%1</b>. Check that your other device shows "
                                   "<b>%2</b>, and approve it there.")
                                    .arg(username.toHtmlEscaped(), verification));
                        }
                    });
                },
                answered);
        });
    }
}

} // namespace Tincan::Gui
