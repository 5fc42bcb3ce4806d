#include "app/gui/UserPicker.h"

#include "app/core/ClientCore.h"
#include "app/gui/Session.h"
#include "shared/protocol/Validation.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPointer>
#include <QPushButton>
#include <QVBoxLayout>

namespace Tincan::Gui {

UserPicker::UserPicker(Session *session, bool multiple, QWidget *parent)
    : QDialog(parent)
    , m_session(session)
    , m_multiple(multiple)
{
    setWindowTitle(multiple ? tr("New group") : tr("New chat"));
    setMinimumWidth(380);
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    if (multiple) {
        m_name = new QLineEdit;
        m_name->setAccessibleName(tr("Group name"));
        form->addRow(tr("Group &name:"), m_name);
    }
    m_query = new QLineEdit;
    m_query->setPlaceholderText(tr("Type a username"));
    m_query->setAccessibleName(tr("Find people"));
    m_query->setClearButtonEnabled(true);
    form->addRow(multiple ? tr("&Add people:") : tr("&Find:"), m_query);
    layout->addLayout(form);
    m_results = new QListWidget;
    m_results->setAccessibleName(tr("People on this server"));
    layout->addWidget(m_results, 1);
    m_status = new QLabel;
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(multiple ? tr("Create group") : tr("Chat"));
    connect(buttons, &QDialogButtonBox::accepted, this, &UserPicker::tryAccept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    m_timer.setSingleShot(true);
    m_timer.setInterval(150);
    connect(&m_timer, &QTimer::timeout, this, &UserPicker::search);
    connect(m_query, &QLineEdit::textChanged, this, [this] { m_timer.start(); });
    connect(m_results, &QListWidget::itemChanged, this, [this](QListWidgetItem *item) {
        const QString user = item->text();
        m_chosen.removeAll(user);
        if (item->checkState() == Qt::Checked) {
            m_chosen.append(user);
        }
        m_status->setText(m_chosen.isEmpty()
                              ? QString()
                              : tr("Members: %1").arg(m_chosen.join(QStringLiteral(", "))));
    });
    connect(m_results, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        if (m_multiple) {
            item->setCheckState(item->checkState() == Qt::Checked ? Qt::Unchecked : Qt::Checked);
        } else {
            m_results->setCurrentItem(item);
            tryAccept();
        }
    });
    (multiple ? m_name : m_query)->setFocus();
}

void UserPicker::search()
{
    const QString prefix = m_query->text().trimmed().toLower();
    const int generation = ++m_searchGeneration;
    if (prefix.isEmpty()) {
        m_results->clear();
        return;
    }
    // The answer is queued to this dialog: Qt drops it if the dialog is gone by then.
    QPointer<UserPicker> self(this);
    m_session->post([this, self, prefix, generation](Client::ClientCore &core) {
        core.findUsers(prefix, [this, self, generation](const Client::ApiResult &result,
                                                        const QStringList &names) {
            if (self) {
                QMetaObject::invokeMethod(this, [this, generation, result, names] {
                    showFound(generation, result, names);
                });
            }
        });
    });
}

void UserPicker::showFound(int generation, const Client::ApiResult &result, QStringList names)
{
    if (generation != m_searchGeneration) {
        return; // a newer search is on its way
    }
    m_results->clear();
    if (!result.ok()) {
        m_status->setText(result.status == 400 ? tr("No username starts like that.")
                                               : result.error.message);
        return;
    }
    names.removeAll(m_session->username());
    for (const QString &name : std::as_const(names)) {
        auto *item = new QListWidgetItem(name, m_results);
        if (m_multiple) {
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            item->setCheckState(m_chosen.contains(name) ? Qt::Checked : Qt::Unchecked);
        }
    }
    if (names.isEmpty()) {
        m_status->setText(tr("Nobody on this server has a name starting with that."));
    } else if (!m_multiple) {
        m_results->setCurrentRow(0);
        m_status->clear();
    }
}

QStringList UserPicker::selectedUsers() const
{
    if (m_multiple) {
        return m_chosen;
    }
    const QListWidgetItem *item = m_results->currentItem();
    return item ? QStringList{item->text()} : QStringList{};
}

QString UserPicker::groupName() const
{
    return m_name ? m_name->text().trimmed() : QString();
}

void UserPicker::tryAccept()
{
    if (m_multiple && !Protocol::isValidGroupName(groupName())) {
        m_status->setText(tr("Give the group a name (1 to 100 characters)."));
        return;
    }
    if (selectedUsers().isEmpty()) {
        m_status->setText(m_multiple ? tr("Tick the people to add.")
                                     : tr("Choose someone from the list."));
        return;
    }
    accept();
}

} // namespace Tincan::Gui
