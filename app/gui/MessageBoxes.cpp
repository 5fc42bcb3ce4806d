#include "app/gui/MessageBoxes.h"

#include <QMessageBox>
#include <QPushButton>

namespace Tincan::Gui::MessageBoxes {

QMessageBox *showError(QWidget *parent, const QString &title, const QString &text)
{
    auto *box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, parent);
    box->setObjectName(QStringLiteral("errorBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    return box;
}

QMessageBox *confirm(QWidget *parent, const QString &title, const QString &text,
                     const QString &action, std::function<void()> confirmed)
{
    auto *box = new QMessageBox(QMessageBox::Question, title, text, QMessageBox::Cancel, parent);
    box->setObjectName(QStringLiteral("confirmBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *yes = box->addButton(action, QMessageBox::AcceptRole);
    box->setDefaultButton(QMessageBox::Cancel);
    QObject::connect(box, &QMessageBox::buttonClicked, box,
                     [yes, confirmed = std::move(confirmed)](QAbstractButton *button) {
                         if (button == yes) {
                             confirmed();
                         }
                     });
    box->open();
    return box;
}

} // namespace Tincan::Gui::MessageBoxes
