#include "app/gui/Avatar.h"

#include <QCryptographicHash>
#include <QPainter>
#include <QRegularExpression>

namespace Tincan::Gui::Avatar {

QColor colorFor(const QString &name)
{
    // Hues spread around the wheel, saturated enough for white initials, stable across runs.
    const QByteArray hash = QCryptographicHash::hash(name.toUtf8(), QCryptographicHash::Sha256);
    const int hue =
        (static_cast<unsigned char>(hash.at(0)) << 8 | static_cast<unsigned char>(hash.at(1))) %
        360;
    return QColor::fromHsl(hue, 140, 110);
}

QString initials(const QString &name)
{
    static const QRegularExpression separators(QStringLiteral("[\\s._-]+"));
    const QStringList words = name.split(separators, Qt::SkipEmptyParts);
    QString result;
    for (const QString &word : words) {
        result += word.at(0).toUpper();
        if (result.size() == 2) {
            break;
        }
    }
    return result.isEmpty() ? QStringLiteral("?") : result;
}

QPixmap pixmap(const QString &name, int size, qreal devicePixelRatio)
{
    QPixmap pixmap(QSize(size, size) * devicePixelRatio);
    pixmap.setDevicePixelRatio(devicePixelRatio);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(colorFor(name));
    painter.drawEllipse(QRectF(0, 0, size, size));
    QFont font = painter.font();
    font.setPixelSize(size * 2 / 5);
    font.setBold(true);
    painter.setFont(font);
    painter.setPen(Qt::white);
    painter.drawText(QRectF(0, 0, size, size), Qt::AlignCenter, initials(name));
    return pixmap;
}

} // namespace Tincan::Gui::Avatar
