#include "app/gui/GroupInfoDialog.h"

#include "app/core/ClientCore.h"
#include "app/gui/MessageBoxes.h"
#include "app/gui/Session.h"
#include "shared/protocol/Validation.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>

#include <algorithm>

namespace Tincan::Gui {

GroupInfoDialog::GroupInfoDialog(Session *session, const QString &groupId, QWidget *parent)
    : QDialog(parent)
    , m_session(session)
    , m_groupId(groupId)
{
    setWindowTitle(tr("Group info"));
    resize(420, 520);
    auto *layout = new QVBoxLayout(this);

    auto *nameRow = new QHBoxLayout;
    m_name = new QLineEdit;
    m_name->setObjectName(QStringLiteral("groupName"));
    m_name->setAccessibleName(tr("Group name"));
    m_name->setMaxLength(100);
    m_rename = new QPushButton(tr("Rename"));
    m_rename->setObjectName(QStringLiteral("renameButton"));
    m_rename->setAccessibleName(tr("Rename the group"));
    connect(m_rename, &QPushButton::clicked, this, &GroupInfoDialog::rename);
    connect(m_name, &QLineEdit::returnPressed, this, [this] {
        if (m_admin) {
            rename();
        }
    });
    connect(m_name, &QLineEdit::textChanged, this, &GroupInfoDialog::updateButtons);
    nameRow->addWidget(m_name, 1);
    nameRow->addWidget(m_rename);
    layout->addLayout(nameRow);

    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("groupSummary"));
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);
    m_members = new QListWidget;
    m_members->setObjectName(QStringLiteral("members"));
    m_members->setAccessibleName(tr("Members"));
    connect(m_members, &QListWidget::currentRowChanged, this, &GroupInfoDialog::updateButtons);
    layout->addWidget(m_members, 1);

    // Only admins see these.
    m_adminTools = new QWidget;
    auto *tools = new QVBoxLayout(m_adminTools);
    tools->setContentsMargins(0, 0, 0, 0);
    auto *memberActions = new QHBoxLayout;
    m_promote = new QPushButton(tr("Make admin"));
    m_promote->setObjectName(QStringLiteral("promoteButton"));
    connect(m_promote, &QPushButton::clicked, this, &GroupInfoDialog::toggleAdmin);
    m_remove = new QPushButton(tr("Remove from group"));
    m_remove->setObjectName(QStringLiteral("removeButton"));
    connect(m_remove, &QPushButton::clicked, this, &GroupInfoDialog::removeSelected);
    memberActions->addWidget(m_promote);
    memberActions->addWidget(m_remove);
    memberActions->addStretch(1);
    tools->addLayout(memberActions);
    auto *addRow = new QHBoxLayout;
    m_addUsers = new QLineEdit;
    m_addUsers->setObjectName(QStringLiteral("addUsers"));
    m_addUsers->setPlaceholderText(tr("Usernames, separated by spaces or commas"));
    m_addUsers->setAccessibleName(tr("Usernames to add"));
    m_add = new QPushButton(tr("Add"));
    m_add->setObjectName(QStringLiteral("addButton"));
    m_add->setAccessibleName(tr("Add these members"));
    connect(m_add, &QPushButton::clicked, this, &GroupInfoDialog::addMembers);
    connect(m_addUsers, &QLineEdit::returnPressed, this, &GroupInfoDialog::addMembers);
    connect(m_addUsers, &QLineEdit::textChanged, this, &GroupInfoDialog::updateButtons);
    addRow->addWidget(m_addUsers, 1);
    addRow->addWidget(m_add);
    tools->addLayout(addRow);
    layout->addWidget(m_adminTools);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    m_leave = buttons->addButton(tr("Leave group…"), QDialogButtonBox::DestructiveRole);
    m_leave->setObjectName(QStringLiteral("leaveButton"));
    connect(m_leave, &QPushButton::clicked, this, &GroupInfoDialog::leave);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    connect(m_session->core(), &Client::ClientCore::groupChanged, this,
            [this](const QString &changed) {
                if (changed == m_groupId) {
                    reload();
                }
            });
    reload();
    // What we have may be behind (roles are not in every event): ask the server once.
    if (m_member) {
        const QString id = m_groupId;
        auto reloaded = Session::uiCallback(this, [this](const Client::ApiResult &) { reload(); });
        m_session->post([id, reloaded](Client::ClientCore &core) {
            core.refreshGroup(id, [reloaded](bool, const QString &) { reloaded({}); });
        });
    }
}

void GroupInfoDialog::reload()
{
    const auto group = m_session->reader().group(m_groupId);
    const QString self = m_session->username();
    const QString selected = selectedUser();
    m_member = group && group->member;
    m_admin = false;
    QList<Client::GroupMemberInfo> members =
        group ? group->members : QList<Client::GroupMemberInfo>{};
    // Admins first, then by name.
    std::sort(members.begin(), members.end(),
              [](const Client::GroupMemberInfo &a, const Client::GroupMemberInfo &b) {
                  return a.admin != b.admin ? a.admin : a.user < b.user;
              });
    m_members->clear();
    for (const Client::GroupMemberInfo &member : members) {
        if (member.user == self && member.admin && m_member) {
            m_admin = true;
        }
        QString text = member.user == self ? tr("%1 (you)").arg(member.user) : member.user;
        if (member.admin) {
            text = tr("%1 — admin").arg(text);
        }
        auto *item = new QListWidgetItem(text, m_members);
        item->setData(UserRole, member.user);
        item->setData(AdminRole, member.admin);
        if (member.admin) {
            QFont font = item->font();
            font.setBold(true);
            item->setFont(font);
        }
        if (member.user == selected) {
            m_members->setCurrentItem(item);
        }
    }
    if (group && !m_name->isModified()) { // not while the user edits it
        m_name->setText(group->name);
    }
    setWindowTitle(group ? tr("%1 — group info").arg(group->name) : tr("Group info"));
    if (!group) {
        m_summary->setText(tr("This group is not known on this device."));
    } else if (!m_member) {
        m_summary->setText(tr("You are no longer a member of this group."));
    } else {
        m_summary->setText(tr("%n member(s)", nullptr, static_cast<int>(members.size())) +
                           (m_admin ? QStringLiteral(" · ") + tr("You are an admin.") : QString()));
    }
    m_name->setReadOnly(!m_admin);
    m_rename->setVisible(m_admin);
    m_adminTools->setVisible(m_admin);
    m_leave->setVisible(m_member);
    updateButtons();
}

QString GroupInfoDialog::selectedUser() const
{
    const QListWidgetItem *item = m_members->currentItem();
    return item ? item->data(UserRole).toString() : QString();
}

bool GroupInfoDialog::selectedIsAdmin() const
{
    const QListWidgetItem *item = m_members->currentItem();
    return item && item->data(AdminRole).toBool();
}

void GroupInfoDialog::updateButtons()
{
    const bool idle = m_busy == 0;
    const QString user = selectedUser();
    const bool other = !user.isEmpty() && user != m_session->username();
    const auto group = m_session->reader().group(m_groupId);
    m_rename->setEnabled(idle && m_admin && group && m_name->text().trimmed() != group->name &&
                         !m_name->text().trimmed().isEmpty());
    m_promote->setEnabled(idle && m_admin && other);
    m_promote->setText(selectedIsAdmin() ? tr("Remove as admin") : tr("Make admin"));
    m_promote->setAccessibleName(other ? (selectedIsAdmin() ? tr("Remove %1 as admin").arg(user)
                                                            : tr("Make %1 an admin").arg(user))
                                       : m_promote->text());
    m_remove->setEnabled(idle && m_admin && other);
    m_remove->setAccessibleName(other ? tr("Remove %1 from the group").arg(user)
                                      : m_remove->text());
    m_add->setEnabled(idle && m_admin && !m_addUsers->text().trimmed().isEmpty());
    m_leave->setEnabled(idle && m_member);
}

void GroupInfoDialog::call(const QString &failureTitle, GroupCall work,
                           std::function<void()> succeeded)
{
    ++m_busy;
    updateButtons();
    auto done =
        Session::uiCallback(this, [this, failureTitle, succeeded](const Client::ApiResult &result) {
            --m_busy;
            reload();
            if (!result.ok()) {
                const QString why =
                    result.error.message.isEmpty()
                        ? tr("The server answered with status %1.").arg(result.status)
                        : result.error.message;
                MessageBoxes::showError(this, failureTitle, why);
                return;
            }
            if (succeeded) {
                succeeded();
            }
        });
    const QString id = m_groupId;
    m_session->post(
        [id, work = std::move(work), done](Client::ClientCore &core) { work(core, id, done); });
}

void GroupInfoDialog::rename()
{
    const QString name = m_name->text().trimmed();
    if (!Protocol::isValidGroupName(name)) {
        MessageBoxes::showError(this, tr("Group not renamed"),
                                tr("Group names are 1 to 100 characters."));
        return;
    }
    call(
        tr("Group not renamed"),
        [name](Client::ClientCore &core, const QString &id, Client::ApiCallback done) {
            core.renameGroup(id, name, std::move(done));
        },
        [this] {
            m_name->setModified(false);
            reload();
        });
}

void GroupInfoDialog::addMembers()
{
    if (!m_admin) {
        return;
    }
    QStringList users = m_addUsers->text().toLower().split(
        QRegularExpression(QStringLiteral("[\\s,;]+")), Qt::SkipEmptyParts);
    users.removeDuplicates();
    if (users.isEmpty()) {
        return;
    }
    for (const QString &user : users) {
        if (!Protocol::isValidUsername(user)) {
            MessageBoxes::showError(this, tr("Members not added"),
                                    tr("“%1” is not a username: usernames are %2.")
                                        .arg(user, Protocol::usernameRules()));
            return;
        }
    }
    call(
        tr("Members not added"),
        [users](Client::ClientCore &core, const QString &id, Client::ApiCallback done) {
            core.addGroupMembers(id, users, std::move(done));
        },
        [this] { m_addUsers->clear(); });
}

void GroupInfoDialog::removeSelected()
{
    const QString user = selectedUser();
    if (user.isEmpty() || !m_admin) {
        return;
    }
    MessageBoxes::confirm(
        this, tr("Remove member"),
        tr("Remove %1 from “%2”? They will no longer receive the group's messages.")
            .arg(user, m_name->text()),
        tr("Remove"), [this, user] {
            call(tr("Member not removed"),
                 [user](Client::ClientCore &core, const QString &id, Client::ApiCallback done) {
                     core.removeGroupMember(id, user, std::move(done));
                 });
        });
}

void GroupInfoDialog::toggleAdmin()
{
    const QString user = selectedUser();
    if (user.isEmpty() || !m_admin) {
        return;
    }
    const bool admin = !selectedIsAdmin();
    call(admin ? tr("Not made an admin") : tr("Still an admin"),
         [user, admin](Client::ClientCore &core, const QString &id, Client::ApiCallback done) {
             core.setGroupAdmin(id, user, admin, std::move(done));
         });
}

void GroupInfoDialog::leave()
{
    if (!m_member) {
        return;
    }
    MessageBoxes::confirm(
        this, tr("Leave group"),
        tr("Leave “%1”? You will no longer receive its messages, and only an admin can add you "
           "again.")
            .arg(m_name->text()),
        tr("Leave"), [this] {
            call(
                tr("You are still in the group"),
                [](Client::ClientCore &core, const QString &id, Client::ApiCallback done) {
                    core.leaveGroup(id, std::move(done));
                },
                [this] { Q_EMIT left(); });
        });
}

} // namespace Tincan::Gui
