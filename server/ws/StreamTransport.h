#pragma once

#include <QByteArray>
#include <QObject>
#include <QPointer>

class QTcpSocket;

namespace Tincan::Server {

//! The byte pipe under a StreamSession once the WebSocket upgrade was answered: a Qt socket
//! (plain, or TLS through QSslSocket) or a TLS connection of our own on the descriptor
//! (TlsStream). The session does the WebSocket framing; the transport moves bytes.
//! Lives on its connection thread.
class StreamTransport : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    //! Queues bytes for the peer (nothing once closed).
    virtual void write(const QByteArray &bytes) = 0;
    //! Ends the connection once what was written has left.
    virtual void close() = 0;
    //! Ends the connection now.
    virtual void abort() = 0;

Q_SIGNALS:
    //! Bytes from the peer.
    void received(const QByteArray &bytes);
    //! The connection is over (either side); emitted once.
    void closed();
};

//! A StreamTransport over a QTcpSocket (QSslSocket included), which it owns from now on.
class SocketStreamTransport final : public StreamTransport
{
    Q_OBJECT

public:
    explicit SocketStreamTransport(QTcpSocket *socket, QObject *parent = nullptr);
    ~SocketStreamTransport() override;

    void write(const QByteArray &bytes) override;
    void close() override;
    void abort() override;

private:
    void onReadyRead();
    void onGone();

    QPointer<QTcpSocket> m_socket;
    bool m_closed = false;
};

} // namespace Tincan::Server
