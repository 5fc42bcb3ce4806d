#pragma once

#include <QString>

#include <functional>

class QMessageBox;
class QWidget;

namespace Tincan::Gui {

//! Message boxes for the panels that never block: they open window-modal (QDialog::open()) and
//! return at once. Answers from the client core arrive through the event loop; a nested loop
//! inside one (QMessageBox::exec) would hold back every later answer until it is closed.
namespace MessageBoxes {
//! A warning with `text` (a server's readable error message, for example).
QMessageBox *showError(QWidget *parent, const QString &title, const QString &text);
//! Asks before something that cannot be undone; `confirmed` runs when the user clicks the
//! button labelled `action` (Cancel is the default button).
QMessageBox *confirm(QWidget *parent, const QString &title, const QString &text,
                     const QString &action, std::function<void()> confirmed);
} // namespace MessageBoxes

} // namespace Tincan::Gui
