#include "server/net/TlsStream.h"

#include "server/core/Logging.h"
#include "server/http/HttpFrontend.h"
#include "server/http/RequestGuard.h"
#include "server/net/TlsContext.h"
#include "shared/protocol/Frames.h"

#include <QSocketNotifier>
#include <QTimer>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Tincan::Server {

namespace {
//! The request head of the upgrade, at most (as RequestGuard's limit for any head).
constexpr qsizetype MaxHeadBytes = 16 * 1024;
//! A peer that stops reading is cut off once this much is waiting for it.
constexpr qsizetype MaxPendingBytes = 64 * 1024 * 1024;
//! How long a closing connection waits for the peer's end.
constexpr int CloseWaitMs = 5000;
//! Read at most this much per wakeup, so one busy peer cannot hold the thread.
constexpr qsizetype MaxReadPerWakeup = 256 * 1024;
} // namespace

TlsStream::TlsStream(int fd, std::shared_ptr<TlsContext> context, HttpFrontend *frontend,
                     int handshakeTimeoutMs, QObject *parent)
    : StreamTransport(parent)
    , m_fd(fd)
    , m_context(std::move(context))
    , m_frontend(frontend)
{
    ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) | O_NONBLOCK);
    m_ssl = SSL_new(m_context->get());
    if (!m_ssl || SSL_set_fd(m_ssl, m_fd) != 1) {
        ERR_clear_error();
        QMetaObject::invokeMethod(this, &TlsStream::finish, Qt::QueuedConnection);
        return;
    }
    SSL_set_accept_state(m_ssl);
    m_readNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &TlsStream::onReadable);
    m_writeNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Write, this);
    m_writeNotifier->setEnabled(false);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &TlsStream::onWritable);
    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, [this] {
        // Only at debug level, as on the QSslSocket path: anyone can connect and stall.
        qCDebug(lcServerHttp) << "stream connection timed out in phase" << int(m_phase);
        finish();
    });
    m_timer->start(handshakeTimeoutMs);
    handshake();
}

TlsStream::~TlsStream()
{
    if (m_flushDeferred) {
        EpollEventDispatcher::cancelFlush(this);
    }
    if (m_phase != Phase::Closed) {
        m_phase = Phase::Closed;
        if (m_ssl) {
            SSL_free(m_ssl);
        }
        ::close(m_fd);
    }
}

void TlsStream::watchWrites(bool on)
{
    if (m_writeNotifier && m_writeNotifier->isEnabled() != on) {
        m_writeNotifier->setEnabled(on);
    }
}

void TlsStream::handshake()
{
    const int result = SSL_accept(m_ssl);
    if (result == 1) {
        m_phase = Phase::Head;
        watchWrites(false);
        onReadable(); // The head may have come with the end of the handshake.
        return;
    }
    switch (SSL_get_error(m_ssl, result)) {
    case SSL_ERROR_WANT_READ:
        watchWrites(false);
        return;
    case SSL_ERROR_WANT_WRITE:
        watchWrites(true);
        return;
    default:
        ERR_clear_error();
        qCDebug(lcServerHttp) << "TLS handshake of a stream connection failed";
        finish();
    }
}

bool TlsStream::readSome(QByteArray *into)
{
    char buffer[16 * 1024];
    qsizetype total = 0;
    while (total < MaxReadPerWakeup) {
        const int got = SSL_read(m_ssl, buffer, sizeof(buffer));
        if (got > 0) {
            into->append(buffer, got);
            total += got;
            if (!SSL_has_pending(m_ssl)) {
                return true; // Whatever else the socket has, epoll (level-triggered) tells.
            }
            continue;
        }
        const int error = SSL_get_error(m_ssl, got);
        if (error == SSL_ERROR_WANT_READ) {
            return true;
        }
        if (error == SSL_ERROR_WANT_WRITE) {
            watchWrites(true); // Continues from onWritable.
            return true;
        }
        // The peer's close_notify, its end of the connection, or a broken one.
        ERR_clear_error();
        return false;
    }
    // Enough for one wakeup. What OpenSSL read ahead is no longer in the socket, so epoll
    // will not say so: come back for it.
    if (SSL_has_pending(m_ssl)) {
        QMetaObject::invokeMethod(this, &TlsStream::onReadable, Qt::QueuedConnection);
    }
    return true;
}

void TlsStream::onReadable()
{
    switch (m_phase) {
    case Phase::Handshake:
        handshake();
        return;
    case Phase::Head: {
        if (!readSome(&m_in)) {
            finish();
            return;
        }
        takeHead();
        return;
    }
    case Phase::Open:
    case Phase::Closing: {
        QByteArray bytes;
        const bool open = readSome(&bytes);
        if (!bytes.isEmpty() && m_phase == Phase::Open) {
            Q_EMIT received(bytes);
        }
        if (!open && m_phase != Phase::Closed) {
            finish();
        }
        return;
    }
    case Phase::Closed:
        return;
    }
}

void TlsStream::onWritable()
{
    if (m_phase == Phase::Handshake) {
        handshake();
        return;
    }
    if (!flush()) {
        finish();
        return;
    }
    if (m_out.isEmpty()) {
        watchWrites(false);
        if (m_closeWanted && m_phase == Phase::Open) {
            startShutdown();
            return;
        }
    }
    // SSL_read may have asked for a write (a TLS 1.3 key update): read again.
    onReadable();
}

void TlsStream::takeHead()
{
    qsizetype end = m_in.indexOf("\r\n\r\n");
    qsizetype endLength = 4;
    const qsizetype bare = m_in.indexOf("\n\n");
    if (bare >= 0 && (end < 0 || bare < end)) {
        end = bare;
        endLength = 2;
    }
    if (end < 0 && m_in.size() <= MaxHeadBytes) {
        return; // More to come.
    }
    if (end < 0 || end + endLength > MaxHeadBytes) {
        refuse(HttpFrontend::refusalResponse({431,
                                              Protocol::ErrorCode::HeadersTooLarge,
                                              QStringLiteral("The request headers are too large."),
                                              {}}));
        return;
    }
    const QByteArray head = m_in.left(end + endLength);
    QByteArray pending = m_in.mid(end + endLength);
    m_in.clear();
    if (!m_frontend) {
        finish();
        return;
    }
    if (!isStreamUpgradeHead(head)) {
        refuse(HttpFrontend::refusalResponse(
            {400,
             Protocol::ErrorCode::InvalidRequest,
             QStringLiteral("This connection offered ALPN '%1': it serves the WebSocket upgrade "
                            "of /v1/stream only. Send other requests on another connection.")
                 .arg(QLatin1String(Protocol::StreamAlpn)),
             {}}));
        return;
    }
    HttpFrontend::StreamUpgrade upgrade;
    if (const auto refusal = m_frontend->checkStreamUpgrade(httpHeaderFields(head), &upgrade)) {
        refuse(HttpFrontend::refusalResponse(*refusal));
        return;
    }
    m_timer->stop();
    m_phase = Phase::Open;
    m_handedOver = true;
    m_frontend->openStream(this, std::move(upgrade), std::move(pending));
}

void TlsStream::refuse(const QByteArray &response)
{
    m_phase = Phase::Open; // So that the answer is written like any other bytes.
    write(response);
    close();
}

bool TlsStream::flush()
{
    while (!m_out.isEmpty()) {
        const int wrote = SSL_write(m_ssl, m_out.constData(),
                                    static_cast<int>(std::min<qsizetype>(m_out.size(), 1 << 30)));
        if (wrote > 0) {
            m_out.remove(0, wrote);
            continue;
        }
        const int error = SSL_get_error(m_ssl, wrote);
        if (error == SSL_ERROR_WANT_WRITE || error == SSL_ERROR_WANT_READ) {
            watchWrites(true);
            return true;
        }
        ERR_clear_error();
        return false;
    }
    return true;
}

void TlsStream::write(const QByteArray &bytes)
{
    if (m_phase != Phase::Open || m_closeWanted || bytes.isEmpty()) {
        return;
    }
    if (!m_out.isEmpty()) {
        // Waiting for the end of the loop pass, or for the socket to take more.
        if (m_out.size() + bytes.size() > MaxPendingBytes) {
            qCInfo(lcServerStream) << "stream peer does not read; closing";
            finish();
            return;
        }
        m_out += bytes;
        return;
    }
    m_out = bytes; // Shared, not copied, while it is the only frame.
    if (EpollEventDispatcher::deferFlush(this)) {
        m_flushDeferred = true;
        return;
    }
    flushDeferred(); // Not on an epoll loop: at once.
}

void TlsStream::flushDeferred()
{
    m_flushDeferred = false;
    if (m_phase != Phase::Open || m_out.isEmpty()) {
        return;
    }
    if (!flush()) {
        // The connection broke: say so from the event loop, not from inside a caller's write.
        QMetaObject::invokeMethod(this, &TlsStream::finish, Qt::QueuedConnection);
        m_phase = Phase::Closing;
        return;
    }
    if (m_out.isEmpty() && m_closeWanted) {
        startShutdown();
    }
}

void TlsStream::close()
{
    if (m_phase == Phase::Closed || m_phase == Phase::Closing) {
        return;
    }
    if (m_phase != Phase::Open) {
        finish();
        return;
    }
    m_closeWanted = true;
    if (m_out.isEmpty()) {
        startShutdown();
    }
}

void TlsStream::startShutdown()
{
    m_phase = Phase::Closing;
    SSL_shutdown(m_ssl); // Our close_notify; the peer's is not waited for here.
    ERR_clear_error();
    ::shutdown(m_fd, SHUT_WR);
    // Read on until the peer closes too, for a while.
    m_timer->start(CloseWaitMs);
}

void TlsStream::abort()
{
    finish();
}

void TlsStream::finish()
{
    if (m_phase == Phase::Closed) {
        return;
    }
    m_phase = Phase::Closed;
    if (m_flushDeferred) {
        EpollEventDispatcher::cancelFlush(this);
        m_flushDeferred = false;
    }
    // Possibly from inside one of their signals: stop them now, delete them later.
    for (QSocketNotifier *notifier : {m_readNotifier, m_writeNotifier}) {
        if (notifier) {
            notifier->setEnabled(false);
            notifier->deleteLater();
        }
    }
    m_readNotifier = nullptr;
    m_writeNotifier = nullptr;
    if (m_timer) {
        m_timer->stop();
    }
    if (m_ssl) {
        SSL_free(m_ssl);
        m_ssl = nullptr;
    }
    ::close(m_fd);
    m_out.clear();
    Q_EMIT closed();
    if (!m_handedOver) {
        deleteLater(); // Once a session owns it, the session deletes it.
    }
}

} // namespace Tincan::Server
