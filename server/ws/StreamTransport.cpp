#include "server/ws/StreamTransport.h"

#include <QTcpSocket>

namespace Tincan::Server {

SocketStreamTransport::SocketStreamTransport(QTcpSocket *socket, QObject *parent)
    : StreamTransport(parent)
    , m_socket(socket)
{
    connect(socket, &QTcpSocket::readyRead, this, &SocketStreamTransport::onReadyRead);
    connect(socket, &QTcpSocket::disconnected, this, &SocketStreamTransport::onGone);
    // Whoever else watched the socket (QtHttpServer) deletes it once it disconnects, or we do.
    connect(socket, &QObject::destroyed, this, &SocketStreamTransport::onGone);
}

SocketStreamTransport::~SocketStreamTransport()
{
    if (QTcpSocket *socket = m_socket) {
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
}

void SocketStreamTransport::onReadyRead()
{
    QTcpSocket *socket = m_socket;
    if (socket && !m_closed) {
        const QByteArray bytes = socket->readAll();
        if (!bytes.isEmpty()) {
            Q_EMIT received(bytes);
        }
    }
}

void SocketStreamTransport::onGone()
{
    if (!m_closed) {
        m_closed = true;
        Q_EMIT closed();
    }
}

void SocketStreamTransport::write(const QByteArray &bytes)
{
    QTcpSocket *socket = m_socket;
    if (socket && !m_closed) {
        socket->write(bytes);
    }
}

void SocketStreamTransport::close()
{
    if (QTcpSocket *socket = m_socket) {
        socket->disconnectFromHost();
    }
}

void SocketStreamTransport::abort()
{
    if (QTcpSocket *socket = m_socket) {
        socket->abort();
    }
}

} // namespace Tincan::Server
