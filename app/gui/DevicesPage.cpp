#include "app/gui/DevicesPage.h"

#include "app/core/ClientCore.h"
#include "app/gui/MessageBoxes.h"
#include "app/gui/QrCodeWidget.h"
#include "app/gui/Session.h"
#include "shared/protocol/DeviceLink.h"

#include <QDateTime>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLocale>
#include <QPointer>
#include <QPushButton>
#include <QRadioButton>
#include <QStackedWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Tincan::Gui {

namespace {

QString when(qint64 ms)
{
    return ms > 0 ? QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), QLocale::ShortFormat)
                  : QString();
}

} // namespace

DevicesPage::DevicesPage(Session *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
{
    auto *layout = new QVBoxLayout(this);
    auto *account = new QFormLayout;
    auto *username = new QLabel(m_session->username());
    username->setObjectName(QStringLiteral("username"));
    username->setTextInteractionFlags(Qt::TextSelectableByMouse);
    account->addRow(tr("Username:"), username);
    auto *device = new QLabel(QString::number(m_session->deviceId()));
    device->setObjectName(QStringLiteral("deviceId"));
    account->addRow(tr("This device's number:"), device);
    layout->addLayout(account);

    auto *devicesBox = new QGroupBox(tr("Devices signed in to this account"));
    auto *devicesLayout = new QVBoxLayout(devicesBox);
    m_devices = new QTreeWidget;
    m_devices->setObjectName(QStringLiteral("devices"));
    m_devices->setAccessibleName(tr("Devices"));
    m_devices->setRootIsDecorated(false);
    m_devices->setHeaderLabels({tr("Name"), tr("System"), tr("Last seen"), tr("Status")});
    m_devices->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_devices->setMinimumHeight(120);
    connect(m_devices, &QTreeWidget::currentItemChanged, this, &DevicesPage::updateButtons);
    devicesLayout->addWidget(m_devices);
    auto *deviceButtons = new QHBoxLayout;
    auto *refresh = new QPushButton(tr("Refresh"));
    refresh->setAccessibleName(tr("Refresh the device list"));
    connect(refresh, &QPushButton::clicked, this, &DevicesPage::refreshDevices);
    m_revoke = new QPushButton(tr("Revoke…"));
    m_revoke->setObjectName(QStringLiteral("revokeButton"));
    m_revoke->setAccessibleName(tr("Revoke the selected device"));
    connect(m_revoke, &QPushButton::clicked, this, &DevicesPage::revokeSelected);
    m_link = new QPushButton(tr("Link a new device…"));
    m_link->setObjectName(QStringLiteral("linkButton"));
    connect(m_link, &QPushButton::clicked, this, &DevicesPage::startLink);
    deviceButtons->addWidget(refresh);
    deviceButtons->addWidget(m_revoke);
    deviceButtons->addStretch(1);
    deviceButtons->addWidget(m_link);
    devicesLayout->addLayout(deviceButtons);
    layout->addWidget(devicesBox, 1);

    // Linking: the offer (code and QR code), then the claimed device to confirm.
    m_linkBox = new QGroupBox(tr("Link a new device"));
    m_linkBox->setObjectName(QStringLiteral("linkBox"));
    auto *linkLayout = new QVBoxLayout(m_linkBox);
    m_linkPages = new QStackedWidget;
    auto *offer = new QWidget;
    auto *offerLayout = new QHBoxLayout(offer);
    offerLayout->setContentsMargins(0, 0, 0, 0);
    m_linkQr = new QrCodeWidget;
    m_linkQr->setObjectName(QStringLiteral("linkQr"));
    m_linkQr->setAccessibleName(tr("Link code as a QR code"));
    m_linkQr->setAccessibleDescription(
        tr("Scan it with the new device: it names this server and its certificate too."));
    offerLayout->addWidget(m_linkQr);
    auto *offerText = new QVBoxLayout;
    auto *howTo = new QLabel(
        tr("On the new device, choose “Link this computer”, then scan this code or type:"));
    howTo->setWordWrap(true);
    offerText->addWidget(howTo);
    m_codeLabel = new QLabel;
    m_codeLabel->setObjectName(QStringLiteral("linkCode"));
    m_codeLabel->setAccessibleName(tr("Link code"));
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSizeF(mono.pointSizeF() * 1.5);
    mono.setBold(true);
    m_codeLabel->setFont(mono);
    m_codeLabel->setLayoutDirection(Qt::LeftToRight);
    m_codeLabel->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    offerText->addWidget(m_codeLabel);
    m_expiry = new QLabel;
    m_expiry->setWordWrap(true);
    offerText->addWidget(m_expiry);
    offerText->addStretch(1);
    offerLayout->addLayout(offerText, 1);
    m_linkPages->addWidget(offer);

    auto *claimed = new QWidget;
    auto *claimedLayout = new QVBoxLayout(claimed);
    claimedLayout->setContentsMargins(0, 0, 0, 0);
    m_claimedBy = new QLabel;
    m_claimedBy->setObjectName(QStringLiteral("claimedBy"));
    m_claimedBy->setWordWrap(true);
    claimedLayout->addWidget(m_claimedBy);
    auto *compare = new QLabel(tr("Check that the new device shows the same verification code:"));
    compare->setWordWrap(true);
    claimedLayout->addWidget(compare);
    m_verification = new QLabel;
    m_verification->setObjectName(QStringLiteral("verificationCode"));
    m_verification->setAccessibleName(tr("Verification code"));
    m_verification->setFont(mono);
    m_verification->setLayoutDirection(Qt::LeftToRight);
    m_verification->setAlignment(Qt::AlignCenter);
    claimedLayout->addWidget(m_verification);
    m_proof = new QLabel;
    m_proof->setObjectName(QStringLiteral("linkProof"));
    m_proof->setWordWrap(true);
    claimedLayout->addWidget(m_proof);
    m_historyAll = new QRadioButton(tr("Send my message history to the new device"));
    m_historyNone = new QRadioButton(tr("Start the new device without history"));
    m_historyAll->setChecked(true);
    claimedLayout->addWidget(m_historyAll);
    claimedLayout->addWidget(m_historyNone);
    auto *decide = new QHBoxLayout;
    m_approve = new QPushButton(tr("Approve"));
    m_approve->setObjectName(QStringLiteral("approveButton"));
    m_approve->setAccessibleName(tr("Approve the new device"));
    connect(m_approve, &QPushButton::clicked, this, &DevicesPage::approve);
    m_reject = new QPushButton(tr("Reject"));
    m_reject->setObjectName(QStringLiteral("rejectButton"));
    m_reject->setAccessibleName(tr("Reject the new device"));
    connect(m_reject, &QPushButton::clicked, this, &DevicesPage::reject);
    decide->addStretch(1);
    decide->addWidget(m_reject);
    decide->addWidget(m_approve);
    claimedLayout->addLayout(decide);
    m_linkPages->addWidget(claimed);
    linkLayout->addWidget(m_linkPages);
    m_linkStatus = new QLabel;
    m_linkStatus->setObjectName(QStringLiteral("linkStatus"));
    m_linkStatus->setWordWrap(true);
    linkLayout->addWidget(m_linkStatus);
    m_linkBox->hide();
    layout->addWidget(m_linkBox);

    connect(m_session->core(), &Client::ClientCore::linkChanged, this, &DevicesPage::onLinkChanged);
    updateButtons();
    refreshDevices();
}

void DevicesPage::refreshDevices()
{
    auto done = Session::uiCallback(this, [this](const Client::ApiResult &result) {
        if (!result.ok()) {
            m_devices->setToolTip(tr("The list could not be loaded: %1").arg(result.error.message));
            return;
        }
        m_devices->setToolTip({});
        showDevices(result.body.value(QStringLiteral("devices")).toArray());
    });
    m_session->post([done](Client::ClientCore &core) { core.listDevices(done); });
}

void DevicesPage::showDevices(const QJsonArray &devices)
{
    const QTreeWidgetItem *selected = m_devices->currentItem();
    const qint64 selectedId = selected ? selected->data(0, DeviceIdRole).toLongLong() : 0;
    m_devices->clear();
    for (const QJsonValue &value : devices) {
        const QJsonObject device = value.toObject();
        const qint64 id = device.value(QStringLiteral("id")).toInteger();
        const bool current = device.value(QStringLiteral("current")).toBool();
        const bool online = device.value(QStringLiteral("online")).toBool();
        const QString name = device.value(QStringLiteral("name")).toString();
        auto *item = new QTreeWidgetItem(
            {current ? tr("%1 (this device)").arg(name) : name,
             device.value(QStringLiteral("platform")).toString(),
             online ? tr("now") : when(device.value(QStringLiteral("lastSeen")).toInteger()),
             online ? tr("online") : tr("offline")});
        item->setData(0, DeviceIdRole, id);
        item->setData(0, CurrentRole, current);
        if (current) {
            m_devices->insertTopLevelItem(0, item);
        } else {
            m_devices->addTopLevelItem(item);
        }
        if (id == selectedId) {
            m_devices->setCurrentItem(item);
        }
    }
    updateButtons();
    Q_EMIT devicesLoaded();
}

void DevicesPage::updateButtons()
{
    const QTreeWidgetItem *item = m_devices->currentItem();
    const bool other = item && !item->data(0, CurrentRole).toBool();
    m_revoke->setEnabled(other && !m_busy);
    m_approve->setEnabled(!m_busy && !m_claimed.identityKey.isEmpty());
    m_reject->setEnabled(!m_busy && m_claimed.id != 0);
}

void DevicesPage::setLinkStatus(const QString &text)
{
    m_linkStatus->setText(text);
}

void DevicesPage::startLink()
{
    m_link->setEnabled(false);
    m_claimed = {};
    m_linkBox->show();
    m_linkPages->hide();
    setLinkStatus(tr("Opening a link…"));
    QPointer<DevicesPage> self(this);
    m_session->post([self, this](Client::ClientCore &core) {
        core.startLink([self, this](const Client::ApiResult &result,
                                    const Client::ClientCore::LinkOffer &offer) {
            if (!self) {
                return;
            }
            Session::onUi(self, [this, result, offer] {
                m_link->setEnabled(true);
                if (!result.ok()) {
                    setLinkStatus({});
                    m_linkBox->hide();
                    MessageBoxes::showError(this, tr("No link opened"), result.error.message);
                    return;
                }
                m_linkId = offer.id;
                m_linkUri = offer.uri;
                m_linkCode = offer.code;
                m_codeLabel->setText(Protocol::DeviceLink::formatCode(offer.code));
                m_linkQr->setData(offer.uri.toUtf8());
                m_expiry->setText(tr("The code works until %1, once.").arg(when(offer.expiresAt)));
                m_linkPages->setCurrentIndex(0);
                m_linkPages->show();
                setLinkStatus(tr("Waiting for the new device…"));
                updateButtons();
            });
        });
    });
}

void DevicesPage::onLinkChanged(const Protocol::LinkEvent &link)
{
    if (link.state == QLatin1String("linked")) {
        refreshDevices();
    }
    if (link.id != m_linkId || m_linkId == 0) {
        return;
    }
    if (link.state == QLatin1String("claimed")) {
        m_claimed = link;
        m_claimedBy->setText(tr("“%1” (%2) wants to join your account.")
                                 .arg(link.deviceName, link.platform.isEmpty()
                                                           ? tr("system not named")
                                                           : link.platform));
        m_verification->setText(Client::ClientCore::linkVerificationCode(link));
        m_proof->clear();
        m_linkPages->setCurrentIndex(1);
        m_linkPages->show();
        setLinkStatus({});
        // Whether its key came with the proof that it read our link (the core knows the secret).
        QPointer<DevicesPage> self(this);
        m_session->post([self, this, link](Client::ClientCore &core) {
            const Client::ClientCore::LinkProof proof = core.linkProof(link);
            if (self) {
                Session::onUi(self, [this, proof, id = link.id] {
                    if (id != m_claimed.id) {
                        return;
                    }
                    using Proof = Client::ClientCore::LinkProof;
                    if (proof == Proof::Verified) {
                        m_proof->setText(tr("✓ The new device read this link's QR code or "
                                            "address, so its key is the one it shows."));
                    } else if (proof == Proof::Typed) {
                        m_proof->setText(tr("The code was typed by hand: approve only if the "
                                            "new device shows the same verification code."));
                    } else {
                        m_proof->setText(tr("⚠ This device did not prove that it read your "
                                            "link. Do not approve it."));
                        m_claimed.identityKey.clear(); // never approvable
                    }
                    updateButtons();
                });
            }
        });
    } else if (link.state == QLatin1String("approved")) {
        m_linkPages->hide();
        setLinkStatus(tr("Approved. The new device is signing in…"));
    } else if (link.state == QLatin1String("linked")) {
        m_linkPages->hide();
        m_claimed = {};
        setLinkStatus(tr("“%1” is now linked to your account.").arg(link.deviceName));
    } else if (link.state == QLatin1String("rejected")) {
        m_linkPages->hide();
        m_claimed = {};
        setLinkStatus(tr("The new device was rejected."));
    } else if (link.state == QLatin1String("expired")) {
        m_linkPages->hide();
        m_claimed = {};
        setLinkStatus(tr("The code expired. Link again if you still want to add a device."));
    }
    updateButtons();
}

void DevicesPage::call(const QString &failureTitle, CoreCall work, std::function<void()> succeeded)
{
    m_busy = true;
    updateButtons();
    auto done =
        Session::uiCallback(this, [this, failureTitle, succeeded](const Client::ApiResult &result) {
            m_busy = false;
            updateButtons();
            if (!result.ok()) {
                MessageBoxes::showError(this, failureTitle, result.error.message);
            } else if (succeeded) {
                succeeded();
            }
        });
    m_session->post([work = std::move(work), done](Client::ClientCore &core) { work(core, done); });
}

void DevicesPage::approve()
{
    if (m_claimed.identityKey.isEmpty()) {
        return;
    }
    const Protocol::LinkEvent shown = m_claimed;
    const qint64 since = m_historyAll->isChecked() ? 0 : -1;
    call(
        tr("Device not linked"),
        [shown, since](Client::ClientCore &core, const Client::ApiCallback &done) {
            core.approveLink(shown, since, done);
        },
        [this] {
            m_linkPages->hide();
            setLinkStatus(tr("Approved. The new device is signing in…"));
        });
}

void DevicesPage::reject()
{
    const qint64 id = m_claimed.id;
    if (id == 0) {
        return;
    }
    call(tr("Not rejected"), [id](Client::ClientCore &core, const Client::ApiCallback &done) {
        core.rejectLink(id, done);
    });
}

void DevicesPage::revokeSelected()
{
    const QTreeWidgetItem *item = m_devices->currentItem();
    if (!item || item->data(0, CurrentRole).toBool()) {
        return;
    }
    const qint64 id = item->data(0, DeviceIdRole).toLongLong();
    const QString name = item->text(0);
    MessageBoxes::confirm(
        this, tr("Revoke device"),
        tr("Revoke “%1”? It is signed out for good and receives no more messages. To use it "
           "again, link it anew.")
            .arg(name),
        tr("Revoke"), [this, id] {
            call(
                tr("Device not revoked"),
                [id](Client::ClientCore &core, const Client::ApiCallback &done) {
                    core.revokeDevice(id, done);
                },
                [this] { refreshDevices(); });
        });
}

} // namespace Tincan::Gui
