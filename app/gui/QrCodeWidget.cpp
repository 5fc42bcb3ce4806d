#include "app/gui/QrCodeWidget.h"

#include <QPainter>

namespace Tincan::Gui {

QrCodeWidget::QrCodeWidget(QWidget *parent)
    : QWidget(parent)
{
    setAccessibleName(tr("QR code"));
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    // A QR code reads left to right whatever the language: painting uses plain coordinates.
    setLayoutDirection(Qt::LeftToRight);
}

bool QrCodeWidget::setData(const QByteArray &data)
{
    m_code = Crypto::QrCode::encode(data);
    updateGeometry();
    update();
    return !m_code.isNull();
}

void QrCodeWidget::clear()
{
    m_code = {};
    updateGeometry();
    update();
}

int QrCodeWidget::moduleSize() const
{
    if (m_code.isNull()) {
        return 0;
    }
    // In device pixels, so that a fractional scale factor (1.5) still gives whole pixels.
    return static_cast<int>(std::min(width(), height()) * devicePixelRatioF()) / modulesAcross();
}

QImage QrCodeWidget::toImage(int moduleSize) const
{
    if (m_code.isNull() || moduleSize <= 0) {
        return {};
    }
    const int side = modulesAcross() * moduleSize;
    QImage image(side, side, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    for (int y = 0; y < m_code.size(); ++y) {
        for (int x = 0; x < m_code.size(); ++x) {
            if (m_code.dark(x, y)) {
                painter.fillRect((x + QuietZone) * moduleSize, (y + QuietZone) * moduleSize,
                                 moduleSize, moduleSize, Qt::black);
            }
        }
    }
    return image;
}

QSize QrCodeWidget::sizeHint() const
{
    // Four pixels per module: comfortably scannable from a phone held at arm's length.
    const int side = m_code.isNull() ? 160 : modulesAcross() * 4;
    return {side, side};
}

QSize QrCodeWidget::minimumSizeHint() const
{
    // Three pixels per module at the least: dense codes (a link URI) stay easy to scan.
    const int side = m_code.isNull() ? 0 : modulesAcross() * 3;
    return {side, side};
}

void QrCodeWidget::paintEvent(QPaintEvent *)
{
    const int module = moduleSize();
    if (module <= 0) {
        return;
    }
    // Whole device pixels per module, drawn unscaled: a scaled image would blur the edges.
    QImage image = toImage(module);
    const qreal ratio = devicePixelRatioF();
    image.setDevicePixelRatio(ratio);
    // Centred on a whole device pixel too.
    const int left = static_cast<int>(width() * ratio - image.width()) / 2;
    const int top = static_cast<int>(height() * ratio - image.height()) / 2;
    QPainter painter(this);
    painter.drawImage(QPointF(left / ratio, top / ratio), image);
}

} // namespace Tincan::Gui
