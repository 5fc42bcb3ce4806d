#include "app/gui/ContactInfoDialog.h"

#include "app/core/ClientCore.h"
#include "app/gui/Avatar.h"
#include "app/gui/MessageBoxes.h"
#include "app/gui/QrCodeWidget.h"
#include "app/gui/Session.h"
#include "shared/crypto/DeviceCrypto.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPointer>
#include <QPushButton>
#include <QVBoxLayout>

namespace Tincan::Gui {

namespace {

QString presenceText(Protocol::PresenceUpdate::State state, qint64 lastSeen)
{
    using State = Protocol::PresenceUpdate::State;
    if (state == State::Online) {
        return ContactInfoDialog::tr("online");
    }
    if (state == State::Offline && lastSeen > 0) {
        return ContactInfoDialog::tr("last seen %1")
            .arg(
                QLocale().toString(QDateTime::fromMSecsSinceEpoch(lastSeen), QLocale::ShortFormat));
    }
    if (state == State::Hidden || state == State::Offline) {
        return ContactInfoDialog::tr("presence hidden");
    }
    return {};
}

} // namespace

ContactInfoDialog::ContactInfoDialog(Session *session, const QString &user, QWidget *parent)
    : QDialog(parent)
    , m_session(session)
    , m_user(user)
{
    setWindowTitle(tr("%1 — contact info").arg(user));
    auto *layout = new QVBoxLayout(this);

    auto *header = new QHBoxLayout;
    auto *avatar = new QLabel;
    avatar->setPixmap(Avatar::pixmap(user, 48, devicePixelRatioF()));
    avatar->setAccessibleName(tr("Avatar"));
    header->addWidget(avatar);
    auto *names = new QVBoxLayout;
    auto *name = new QLabel(user);
    name->setObjectName(QStringLiteral("contactName"));
    QFont bold = name->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.2);
    name->setFont(bold);
    m_presence = new QLabel;
    m_presence->setObjectName(QStringLiteral("presence"));
    names->addWidget(name);
    names->addWidget(m_presence);
    header->addLayout(names, 1);
    layout->addLayout(header);

    auto *numberBox = new QGroupBox(tr("Safety number"));
    auto *numberLayout = new QVBoxLayout(numberBox);
    auto *about = new QLabel(
        tr("Compare these digits with the ones %1 sees, in person or on a call you trust, or "
           "let their device scan the code. If they match, your messages are end-to-end "
           "encrypted with %1's devices and no one else's.")
            .arg(user));
    about->setWordWrap(true);
    numberLayout->addWidget(about);
    m_number = new QLabel;
    m_number->setObjectName(QStringLiteral("safetyNumber"));
    m_number->setAccessibleName(tr("Safety number"));
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSizeF(mono.pointSizeF() * 1.2);
    m_number->setFont(mono);
    m_number->setAlignment(Qt::AlignCenter);
    m_number->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    // Digits in groups read left to right in every language.
    m_number->setLayoutDirection(Qt::LeftToRight);
    numberLayout->addWidget(m_number);
    m_qr = new QrCodeWidget;
    m_qr->setAccessibleName(tr("Safety number as a QR code"));
    m_qr->setAccessibleDescription(
        tr("Scan it with %1's device to compare the numbers.").arg(user));
    numberLayout->addWidget(m_qr, 0, Qt::AlignHCenter);
    m_noNumber = new QLabel(
        tr("There is no safety number with %1 yet. It exists once your devices and theirs "
           "have exchanged a message: send %1 a message, then look here again.")
            .arg(user));
    m_noNumber->setObjectName(QStringLiteral("noSafetyNumber"));
    m_noNumber->setWordWrap(true);
    m_noNumber->hide();
    numberLayout->addWidget(m_noNumber);
    layout->addWidget(numberBox);

    m_trust = new QLabel;
    m_trust->setObjectName(QStringLiteral("trustState"));
    m_trust->setWordWrap(true);
    layout->addWidget(m_trust);
    auto *actions = new QHBoxLayout;
    m_verify = new QPushButton(tr("Mark as verified"));
    m_verify->setObjectName(QStringLiteral("verifyButton"));
    connect(m_verify, &QPushButton::clicked, this, &ContactInfoDialog::toggleVerified);
    m_accept = new QPushButton(tr("Accept the new safety number"));
    m_accept->setObjectName(QStringLiteral("acceptButton"));
    m_accept->setToolTip(tr("Send to %1 again without verifying the new number.").arg(user));
    m_accept->hide();
    connect(m_accept, &QPushButton::clicked, this, &ContactInfoDialog::acceptChange);
    actions->addWidget(m_verify);
    actions->addWidget(m_accept);
    actions->addStretch(1);
    layout->addLayout(actions);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    Client::ClientCore *core = m_session->core();
    connect(core, &Client::ClientCore::safetyNumberChanged, this, [this](const QString &changed) {
        if (changed == m_user) {
            reload();
        }
    });
    // The first message exchanged starts the sessions that make the number.
    connect(core, &Client::ClientCore::messageReceived, this,
            [this](const Client::StoredMessage &message) {
                if (m_digits.isEmpty() && message.sender == m_user) {
                    reload();
                }
            });
    connect(core, &Client::ClientCore::messageStatusChanged, this, [this] {
        if (m_digits.isEmpty()) {
            reload();
        }
    });
    connect(core, &Client::ClientCore::presenceChanged, this,
            [this](const QString &who, bool online, qint64 lastSeen) {
                if (who == m_user) {
                    using State = Protocol::PresenceUpdate::State;
                    m_presence->setText(
                        presenceText(online ? State::Online : State::Offline, lastSeen));
                }
            });
    showTrust();
    reload();
    fetchPresence();
}

QString ContactInfoDialog::formatSafetyNumber(const QString &digits)
{
    QStringList lines;
    QStringList groups;
    for (qsizetype i = 0; i < digits.size(); i += 5) {
        groups.append(digits.mid(i, 5));
        if (groups.size() == 4) {
            lines.append(groups.join(QLatin1Char(' ')));
            groups.clear();
        }
    }
    if (!groups.isEmpty()) {
        lines.append(groups.join(QLatin1Char(' ')));
    }
    return lines.join(QLatin1Char('\n'));
}

void ContactInfoDialog::reload()
{
    const QString user = m_user;
    QPointer<ContactInfoDialog> self(this);
    m_session->post([user, self, this](Client::ClientCore &core) {
        const auto number = core.safetyNumber(user);
        const QString digits = number ? number->digits : QString();
        const QByteArray scannable = number ? number->scannable : QByteArray();
        if (self) {
            Session::onUi(self, [this, digits, scannable] {
                showNumber(digits, scannable);
                showTrust();
            });
        }
    });
}

void ContactInfoDialog::showNumber(const QString &digits, const QByteArray &scannable)
{
    m_loaded = true;
    m_digits = digits;
    const bool known = !digits.isEmpty();
    m_number->setText(formatSafetyNumber(digits));
    m_number->setVisible(known);
    if (known) {
        m_qr->setData(scannable);
    } else {
        m_qr->clear();
    }
    m_qr->setVisible(known && !m_qr->isEmpty());
    m_noNumber->setVisible(!known);
}

void ContactInfoDialog::showTrust()
{
    const Client::ContactTrust trust = m_session->reader().trust(m_user);
    const bool known = !m_digits.isEmpty();
    if (trust.confirmationRequired) {
        m_trust->setText(tr("⚠ The safety number changed after you verified it: %1 has a new "
                            "device, or someone may be listening in. Compare the new number "
                            "before you trust what is sent.")
                             .arg(m_user));
    } else if (trust.verified && known && trust.verifiedNumber != m_digits) {
        m_trust->setText(tr("⚠ The safety number changed after you verified it."));
    } else if (trust.verified) {
        m_trust->setText(tr("✓ Verified: you compared this safety number with %1.").arg(m_user));
    } else if (known) {
        m_trust->setText(tr("Not verified yet."));
    } else {
        m_trust->clear();
    }
    m_verify->setText(trust.verified ? tr("Clear verification") : tr("Mark as verified"));
    m_verify->setAccessibleName(trust.verified ? tr("Clear the verification of %1").arg(m_user)
                                               : tr("Mark %1 as verified").arg(m_user));
    m_verify->setEnabled(trust.verified || (m_loaded && known));
    m_accept->setVisible(trust.confirmationRequired);
}

void ContactInfoDialog::fetchPresence()
{
    const QString user = m_user;
    QPointer<ContactInfoDialog> self(this);
    m_session->post([user, self, this](Client::ClientCore &core) {
        core.fetchPresence({user}, [self, this](const Client::ApiResult &,
                                                const QList<Protocol::PresenceUpdate> &updates) {
            if (!self || updates.isEmpty()) {
                return;
            }
            const Protocol::PresenceUpdate update = updates.first();
            Session::onUi(self, [this, update] {
                m_presence->setText(presenceText(update.state, update.lastSeen));
            });
        });
    });
}

void ContactInfoDialog::toggleVerified()
{
    const QString user = m_user;
    const bool verified = m_session->reader().trust(user).verified;
    QPointer<ContactInfoDialog> self(this);
    m_session->post([user, verified, self, this](Client::ClientCore &core) {
        QString error;
        const bool ok = verified ? core.clearVerified(user) : core.markVerified(user, &error);
        if (!self) {
            return;
        }
        Session::onUi(self, [this, ok, error] {
            if (!ok) {
                MessageBoxes::showError(this, tr("Not verified"),
                                        error.isEmpty() ? tr("The change was not saved.") : error);
            }
            reload();
        });
    });
}

void ContactInfoDialog::acceptChange()
{
    const QString user = m_user;
    QPointer<ContactInfoDialog> self(this);
    m_session->post([user, self, this](Client::ClientCore &core) {
        core.acceptSafetyNumberChange(user);
        if (self) {
            Session::onUi(self, [this] { reload(); });
        }
    });
}

} // namespace Tincan::Gui
