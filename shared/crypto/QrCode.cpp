#include "shared/crypto/QrCode.h"

#include <qrencode.h>

namespace Tincan::Crypto {

QrCode QrCode::encode(const QByteArray &data)
{
    QrCode code;
    QRcode *qr = QRcode_encodeData(static_cast<int>(data.size()),
                                   reinterpret_cast<const unsigned char *>(data.constData()), 0,
                                   QR_ECLEVEL_M);
    if (!qr) {
        return code;
    }
    code.m_size = qr->width;
    code.m_modules.resize(static_cast<qsizetype>(qr->width) * qr->width);
    for (qsizetype i = 0; i < code.m_modules.size(); ++i) {
        code.m_modules[i] = static_cast<char>(qr->data[i] & 1);
    }
    QRcode_free(qr);
    return code;
}

QString QrCode::toText() const
{
    constexpr int Quiet = 2;
    auto isDark = [this](int x, int y) {
        return x >= 0 && y >= 0 && x < m_size && y < m_size && dark(x, y);
    };
    QString text;
    for (int y = -Quiet; y < m_size + Quiet; y += 2) {
        for (int x = -Quiet; x < m_size + Quiet; ++x) {
            // Light modules are drawn as blocks so the code reads on dark terminals too.
            const bool top = !isDark(x, y);
            const bool bottom = !isDark(x, y + 1);
            if (top && bottom) {
                text += QChar(0x2588); // full block
            } else if (top) {
                text += QChar(0x2580); // upper half
            } else if (bottom) {
                text += QChar(0x2584); // lower half
            } else {
                text += QLatin1Char(' ');
            }
        }
        text += QLatin1Char('\n');
    }
    return text;
}

} // namespace Tincan::Crypto
