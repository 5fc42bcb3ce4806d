#pragma once

#include <QByteArray>
#include <QObject>
#include <QSslConfiguration>
#include <QString>

class QNetworkReply;
class QSslCertificate;
class QWebSocket;

namespace Tincan::Client {

//! The server certificate a profile trusts, as the SHA-256 fingerprint of the leaf certificate
//! (Protocol::formatFingerprint). Trust on first use: with no pin yet, the first certificate the
//! server shows becomes the pin (pinned()); after that, a connection to a server showing any
//! other certificate is refused during the TLS handshake, before a byte of the request (token,
//! password) is sent, and rejected() names both fingerprints. The pin replaces CA trust: a
//! CA-signed certificate is pinned the same way. ApiClient and StreamClient share one pin.
//! Main thread.
class CertificatePin : public QObject
{
    Q_OBJECT

public:
    explicit CertificatePin(QObject *parent = nullptr);

    //! The pinned 32-byte digest; empty when nothing is pinned yet.
    QByteArray digest() const { return m_digest; }
    //! The pin as "AB:CD:..." (empty when none).
    QString fingerprint() const;
    //! Sets or clears (empty) the pin without signals.
    void setDigest(const QByteArray &digest);

    //! The TLS settings for connections to the server: TLS 1.2 or later and no trusted CA, so
    //! that every handshake reports its certificate (through sslErrors) for the pin to decide.
    static QSslConfiguration clientConfiguration();
    //! Checks `certificate` against the pin, pinning it if nothing is pinned yet. On a mismatch
    //! returns false with `error` naming both fingerprints.
    bool check(const QSslCertificate &certificate, QString *error);

    //! Lets `reply`'s handshake through only for the pinned certificate; on a mismatch the
    //! request is never sent and `*error` (owned by the caller, alive until the reply finished)
    //! gets the reason.
    void guard(QNetworkReply *reply, QString *error);
    //! The same for a WebSocket; call once per socket, before opening it.
    void guard(QWebSocket *socket, QString *error);

    //! The message for a server showing `actual` where `expected` is pinned.
    static QString mismatchMessage(const QString &expected, const QString &actual);

Q_SIGNALS:
    //! The first certificate seen became the pin: show it so the user can compare it with the
    //! one the administrator announced (`tincand --print-fingerprint`).
    void pinned(const QString &fingerprint);
    //! A server showed another certificate than the pinned one; emitted once per certificate.
    void rejected(const QString &message);

private:
    QByteArray m_digest;
    QByteArray m_lastRejected;
};

} // namespace Tincan::Client
