#pragma once

#include <QDialog>

class QLabel;
class QPushButton;

namespace Tincan::Gui {

class QrCodeWidget;
class Session;

//! A contact's info: name, presence, the safety number (60 digits in twelve groups of five, as
//! Signal shows them, and its QR code for the other phone or computer to scan), whether it was
//! verified, and the buttons to mark it verified, clear that, or accept a number that changed
//! after it was verified. Without a session with the contact's devices there is no number yet:
//! the dialog says so and how to get one.
class ContactInfoDialog : public QDialog
{
    Q_OBJECT

public:
    ContactInfoDialog(Session *session, const QString &user, QWidget *parent = nullptr);

    QString user() const { return m_user; }
    //! The 60 digits shown (empty while there is no number).
    QString safetyNumber() const { return m_digits; }
    QrCodeWidget *qrCode() const { return m_qr; }
    //! "12345 67890 12345 67890" on three lines: twelve groups of five digits.
    static QString formatSafetyNumber(const QString &digits);

    //! Reads the number (on the core's thread) and the trust state again.
    void reload();

private:
    void showNumber(const QString &digits, const QByteArray &scannable);
    void showTrust();
    void fetchPresence();
    void toggleVerified();
    void acceptChange();

    Session *m_session;
    QString m_user;
    QString m_digits;
    bool m_loaded = false;
    QLabel *m_presence = nullptr;
    QLabel *m_number = nullptr;
    QLabel *m_noNumber = nullptr;
    QrCodeWidget *m_qr = nullptr;
    QLabel *m_trust = nullptr;
    QPushButton *m_verify = nullptr;
    QPushButton *m_accept = nullptr;
};

} // namespace Tincan::Gui
