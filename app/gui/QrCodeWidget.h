#pragma once

#include "shared/crypto/QrCode.h"

#include <QImage>
#include <QWidget>

namespace Tincan::Gui {

//! Shows a QR code (Crypto::QrCode, libqrencode) for another device's camera: whole pixels per
//! module (no blur at any size), dark on white whatever the theme, with the four-module quiet
//! zone scanners need, never mirrored in right-to-left layouts. Empty (nothing painted) until
//! setData() succeeds.
class QrCodeWidget : public QWidget
{
    Q_OBJECT

public:
    //! Modules of light margin on each side (the QR specification's quiet zone).
    static constexpr int QuietZone = 4;

    explicit QrCodeWidget(QWidget *parent = nullptr);

    //! Encodes `data` (binary mode, error correction M); false (and empty) if it does not fit.
    bool setData(const QByteArray &data);
    void clear();
    const Crypto::QrCode &code() const { return m_code; }
    bool isEmpty() const { return m_code.isNull(); }
    //! Device pixels per module at the widget's current size (0 when empty or too small).
    int moduleSize() const;
    //! The code with its quiet zone at `moduleSize` pixels per module (null when empty).
    QImage toImage(int moduleSize) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override { return width; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    int modulesAcross() const { return m_code.size() + 2 * QuietZone; }

    Crypto::QrCode m_code;
};

} // namespace Tincan::Gui
