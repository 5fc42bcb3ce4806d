#pragma once

#include <QColor>
#include <QPixmap>
#include <QString>

namespace Tincan::Gui {

//! Generated avatars and name colours: the same name always gets the same colour.
namespace Avatar {
QColor colorFor(const QString &name);
//! Up to two initials of a name ("alice smith" -> "AS", "bob" -> "B").
QString initials(const QString &name);
//! A round avatar of `size` pixels with the initials on the name's colour.
QPixmap pixmap(const QString &name, int size, qreal devicePixelRatio = 1.0);
} // namespace Avatar

} // namespace Tincan::Gui
