#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace Tincan::Crypto {

//! A QR code (libqrencode), for showing a safety number so that another device can scan it.
class QrCode
{
public:
    //! Encodes binary data at error-correction level M; an empty code on failure.
    static QrCode encode(const QByteArray &data);

    bool isNull() const { return m_size == 0; }
    int size() const { return m_size; }
    bool dark(int x, int y) const
    {
        return m_modules.at(static_cast<qsizetype>(y) * m_size + x) != 0;
    }
    //! Renders with Unicode half blocks (two rows per line) and a quiet zone, for terminals.
    QString toText() const;

private:
    int m_size = 0;
    QByteArray m_modules; //!< size*size bytes, 1 = dark.
};

} // namespace Tincan::Crypto
