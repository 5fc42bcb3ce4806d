#pragma once

#include "server/net/EpollEventDispatcher.h"
#include "server/ws/StreamTransport.h"

#include <QByteArray>
#include <QPointer>

#include <memory>

class QSocketNotifier;
class QTimer;
using SSL = struct ssl_st;

namespace Tincan::Server {

class HttpFrontend;
class TlsContext;

//! A /v1/stream connection whose TLS we terminate ourselves, with OpenSSL straight on the
//! non-blocking descriptor and the connection thread's epoll: the accept path brings here the
//! connections whose ClientHello offers ALPN Protocol::StreamAlpn. The frames written to a
//! device during one pass of the thread's event loop (a group message and the receipts that
//! came with it, say) go out together at its end: one SSL_write (one TLS record, encryption
//! and the write(2)), where the QSslSocket path adds two buffers, a posted flush, notifier
//! toggles and signals per frame (docs/benchmarks.md).
//!
//! Phases: the TLS handshake, then the request head (the WebSocket upgrade of /v1/stream and
//! nothing else: anything else is answered with an error and the connection closed), both
//! within the handshake timeout; then the StreamSession that HttpFrontend::openStream creates
//! owns it as its StreamTransport. Lives on its connection thread.
class TlsStream final : public StreamTransport, private EpollEventDispatcher::DeferredFlush
{
    Q_OBJECT

public:
    //! Takes `fd` over (a connected socket) and starts the handshake.
    TlsStream(int fd, std::shared_ptr<TlsContext> context, HttpFrontend *frontend,
              int handshakeTimeoutMs, QObject *parent = nullptr);
    ~TlsStream() override;

    void write(const QByteArray &bytes) override;
    void close() override;
    void abort() override;

private:
    enum class Phase { Handshake, Head, Open, Closing, Closed };

    void onReadable();
    void onWritable();
    void handshake();
    //! Reads what OpenSSL has for us; false once the connection is over.
    bool readSome(QByteArray *into);
    void takeHead();
    //! Writes the pending bytes; false if the connection failed.
    bool flush();
    //! The frames written during this loop iteration go out (one SSL_write, one record).
    void flushDeferred() override;
    //! Answers a refused head and closes.
    void refuse(const QByteArray &response);
    void startShutdown();
    //! Frees everything and says closed (once).
    void finish();
    void watchWrites(bool on);

    int m_fd;
    std::shared_ptr<TlsContext> m_context;
    SSL *m_ssl = nullptr;
    QPointer<HttpFrontend> m_frontend;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    QTimer *m_timer = nullptr; //!< The handshake and head deadline; then the close deadline.
    Phase m_phase = Phase::Handshake;
    QByteArray m_in;              //!< The head as it arrives.
    QByteArray m_out;             //!< Plaintext OpenSSL has not taken yet.
    bool m_flushDeferred = false; //!< m_out waits for the end of the loop iteration.
    bool m_closeWanted = false;
    bool m_handedOver = false; //!< A StreamSession owns (and deletes) it.
};

} // namespace Tincan::Server
