#include "bench/loadgen/RawMemberStreams.h"

#include "shared/protocol/Fingerprint.h"
#include "shared/protocol/Frames.h"

#include <QtEndian>

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pthread.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

namespace Tincan::Bench {

namespace {

constexpr int PingIntervalMs = 25000; // The reference client's heartbeat.
constexpr size_t MaxMessageBytes = 16 * 1024 * 1024;

int64_t nowMs()
{
    return nowMicros() / 1000;
}

} // namespace

struct RawMemberStreams::Loop
{
    enum class State { Connecting, Handshaking, Upgrading, Open, Closed };

    struct Stream
    {
        int fd = -1;
        SSL *ssl = nullptr;
        State state = State::Connecting;
        QByteArray token;
        std::string in;      //!< Bytes read, not parsed yet.
        std::string message; //!< A fragmented message being put together.
        std::string out;     //!< Bytes to write (a write that would have blocked).
        std::vector<qint64> acks;
        quint64 ackRound = 0; //!< Tells a stale ACK deadline from the current one.
        bool synced = false;
        bool wantWrite = false; //!< EPOLLOUT is on.
    };

    struct AckDeadline
    {
        int64_t atMs;
        size_t stream;
        quint64 round;
    };

    Endpoint server;
    MemberCounters &counters;
    std::atomic<GroupPhase *> &phase;
    std::atomic<bool> &stop;
    int ackDelayMs;
    int epoll = -1;
    int wake = -1;
    SSL_CTX *ctx = nullptr;
    sockaddr_in address{};
    std::vector<Stream> streams;
    std::deque<AckDeadline> deadlines; // The delay is constant: ordered by time.
    int64_t nextPingMs = 0;
    quint32 maskState = 0x9e3779b9u;

    Loop(const Endpoint &endpoint, const QList<Account> &accounts, int delay,
         MemberCounters &counterSet, std::atomic<GroupPhase *> &phaseRef,
         std::atomic<bool> &stopRef)
        : server(endpoint)
        , counters(counterSet)
        , phase(phaseRef)
        , stop(stopRef)
        , ackDelayMs(delay)
        , streams(static_cast<size_t>(accounts.size()))
    {
        epoll = ::epoll_create1(EPOLL_CLOEXEC);
        wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.u64 = UINT64_MAX;
        ::epoll_ctl(epoll, EPOLL_CTL_ADD, wake, &event);
        if (server.tls()) {
            ctx = SSL_CTX_new(TLS_client_method());
            SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr); // Pinned below instead.
            // Stream-only connections, as the reference client says (docs/protocol.md §8).
            const QByteArray alpn = char(qstrlen(Protocol::StreamAlpn)) +
                                    QByteArray(Protocol::StreamAlpn) + "\x08http/1.1";
            SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char *>(alpn.constData()),
                                    static_cast<unsigned int>(alpn.size()));
            SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
            // Records come in one read(2) each, or several together (readable() reads on until
            // OpenSSL wants more): the load generator's syscalls share the server's 2 cores.
            SSL_CTX_set_read_ahead(ctx, 1);
        }
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<uint16_t>(server.url.port()));
        ::inet_pton(AF_INET, server.url.host().toLatin1().constData(), &address.sin_addr);
        RAND_bytes(reinterpret_cast<unsigned char *>(&maskState), sizeof(maskState));
        maskState |= 1;
        for (qsizetype i = 0; i < accounts.size(); ++i) {
            streams[static_cast<size_t>(i)].token = accounts[i].token;
        }
    }

    ~Loop()
    {
        for (Stream &stream : streams) {
            closeStream(stream, false);
        }
        if (ctx) {
            SSL_CTX_free(ctx);
        }
        ::close(wake);
        ::close(epoll);
    }

    void fail(Stream &stream, const char *what)
    {
        ++counters.errors;
        qWarning("tincan-loadgen: member stream: %s", what);
        closeStream(stream, true);
    }

    void closeStream(Stream &stream, bool count)
    {
        if (stream.state == State::Closed) {
            return;
        }
        if (count && stream.state == State::Open) {
            ++counters.disconnected;
        }
        stream.state = State::Closed;
        if (stream.ssl) {
            SSL_free(stream.ssl);
            stream.ssl = nullptr;
        }
        if (stream.fd >= 0) {
            ::close(stream.fd);
            stream.fd = -1;
        }
    }

    void watch(size_t index, bool write)
    {
        Stream &stream = streams[index];
        epoll_event event{};
        event.events = EPOLLIN | (write ? EPOLLOUT : 0u);
        event.data.u64 = index;
        ::epoll_ctl(epoll, EPOLL_CTL_MOD, stream.fd, &event);
        stream.wantWrite = write;
    }

    void open(size_t index)
    {
        Stream &stream = streams[index];
        stream.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        const int one = 1;
        ::setsockopt(stream.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        epoll_event event{};
        event.events = EPOLLIN | EPOLLOUT;
        event.data.u64 = index;
        ::epoll_ctl(epoll, EPOLL_CTL_ADD, stream.fd, &event);
        stream.wantWrite = true;
        if (::connect(stream.fd, reinterpret_cast<const sockaddr *>(&address), sizeof(address)) !=
                0 &&
            errno != EINPROGRESS) {
            fail(stream, std::strerror(errno));
        }
    }

    //! Moves a connection through TCP connect, the TLS handshake and the upgrade request.
    void advance(size_t index)
    {
        Stream &stream = streams[index];
        if (stream.state == State::Connecting) {
            int error = 0;
            socklen_t length = sizeof(error);
            ::getsockopt(stream.fd, SOL_SOCKET, SO_ERROR, &error, &length);
            if (error != 0) {
                fail(stream, std::strerror(error));
                return;
            }
            if (ctx) {
                stream.ssl = SSL_new(ctx);
                SSL_set_fd(stream.ssl, stream.fd);
                SSL_set_connect_state(stream.ssl);
                stream.state = State::Handshaking;
            } else {
                sendUpgrade(index);
                return;
            }
        }
        if (stream.state == State::Handshaking) {
            const int done = SSL_do_handshake(stream.ssl);
            if (done != 1) {
                const int error = SSL_get_error(stream.ssl, done);
                if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
                    watch(index, error == SSL_ERROR_WANT_WRITE);
                    return;
                }
                fail(stream, "TLS handshake failed");
                return;
            }
            if (!pinned(stream.ssl)) {
                fail(stream, "the server showed another certificate");
                return;
            }
            sendUpgrade(index);
        }
    }

    bool pinned(SSL *ssl) const
    {
        X509 *certificate = SSL_get1_peer_certificate(ssl);
        if (!certificate) {
            return false;
        }
        unsigned char *der = nullptr;
        const int length = i2d_X509(certificate, &der);
        X509_free(certificate);
        if (length <= 0) {
            return false;
        }
        const QByteArray bytes(reinterpret_cast<const char *>(der), length);
        OPENSSL_free(der);
        return Protocol::certificateDigest(bytes) == server.certificateDigest;
    }

    void sendUpgrade(size_t index)
    {
        Stream &stream = streams[index];
        std::array<unsigned char, 16> nonce{};
        RAND_bytes(nonce.data(), static_cast<int>(nonce.size()));
        const QByteArray key =
            QByteArray(reinterpret_cast<const char *>(nonce.data()), nonce.size()).toBase64();
        const QByteArray request =
            "GET /v1/stream HTTP/1.1\r\nHost: " + server.url.host().toLatin1() + ':' +
            QByteArray::number(server.url.port()) +
            "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " +
            key + "\r\nAuthorization: Bearer " + stream.token + "\r\n\r\n";
        stream.state = State::Upgrading;
        stream.out.append(request.constData(), static_cast<size_t>(request.size()));
        flush(index);
        if (stream.state != State::Closed && !stream.wantWrite) {
            watch(index, false);
        }
    }

    //! Writes what waits in `out`; watches for writability if the socket is full.
    void flush(size_t index)
    {
        Stream &stream = streams[index];
        while (!stream.out.empty() && stream.state != State::Closed) {
            ssize_t written = 0;
            if (stream.ssl) {
                const int n =
                    SSL_write(stream.ssl, stream.out.data(), static_cast<int>(stream.out.size()));
                if (n <= 0) {
                    const int error = SSL_get_error(stream.ssl, n);
                    if (error == SSL_ERROR_WANT_WRITE || error == SSL_ERROR_WANT_READ) {
                        watch(index, true);
                        return;
                    }
                    fail(stream, "TLS write failed");
                    return;
                }
                written = n;
            } else {
                written = ::send(stream.fd, stream.out.data(), stream.out.size(), MSG_NOSIGNAL);
                if (written < 0) {
                    if (errno == EAGAIN || errno == EWOULDBLOCK) {
                        watch(index, true);
                        return;
                    }
                    fail(stream, std::strerror(errno));
                    return;
                }
            }
            stream.out.erase(0, static_cast<size_t>(written));
        }
        if (stream.wantWrite && stream.state != State::Closed) {
            watch(index, false);
        }
    }

    //! Queues a masked client frame (RFC 6455 section 5.3).
    void sendFrame(size_t index, int opcode, const char *data, size_t length)
    {
        Stream &stream = streams[index];
        std::string &out = stream.out;
        out.push_back(static_cast<char>(0x80 | opcode));
        if (length < 126) {
            out.push_back(static_cast<char>(0x80 | length));
        } else if (length <= 0xFFFF) {
            out.push_back(static_cast<char>(0x80 | 126));
            out.push_back(static_cast<char>(length >> 8));
            out.push_back(static_cast<char>(length & 0xFF));
        } else {
            out.push_back(static_cast<char>(0x80 | 127));
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.push_back(static_cast<char>((static_cast<quint64>(length) >> shift) & 0xFF));
            }
        }
        // xorshift: masks need only differ, the server does not judge them.
        maskState ^= maskState << 13;
        maskState ^= maskState >> 17;
        maskState ^= maskState << 5;
        char mask[4];
        std::memcpy(mask, &maskState, 4);
        out.append(mask, 4);
        const size_t at = out.size();
        out.append(data, length);
        for (size_t i = 0; i < length; ++i) {
            out[at + i] = static_cast<char>(out[at + i] ^ mask[i % 4]);
        }
    }

    void flushAcks(size_t index)
    {
        Stream &stream = streams[index];
        if (stream.acks.empty() || stream.state != State::Open) {
            stream.acks.clear();
            return;
        }
        const QByteArray frame =
            Protocol::ackFrame(QList<qint64>(stream.acks.begin(), stream.acks.end()));
        stream.acks.clear();
        ++stream.ackRound;
        sendFrame(index, 0x1, frame.constData(), static_cast<size_t>(frame.size()));
        flush(index);
    }

    void onText(size_t index, QByteArrayView view)
    {
        Stream &stream = streams[index];
        const std::optional<EnvelopeHead> envelope = envelopeHead(view);
        if (!envelope) {
            if (view.contains("\"type\":\"synced\"")) {
                if (!stream.synced) {
                    stream.synced = true;
                    ++counters.synced;
                }
            } else if (view.contains("\"type\":\"error\"")) {
                ++counters.errors;
                qWarning("tincan-loadgen: error frame on stream %zu: %.*s", index,
                         static_cast<int>(std::min<qsizetype>(view.size(), 300)), view.data());
            }
            return; // hello, sent, receipts, presence, pong: nothing to do.
        }
        ++counters.envelopes;
        if (envelope->id <= 0) {
            ++counters.errors;
            return;
        }
        countArrival(phase.load(std::memory_order_relaxed), envelope->head, nowMicros());
        stream.acks.push_back(envelope->id);
        if (stream.acks.size() >= static_cast<size_t>(Protocol::AckBatch) || ackDelayMs == 0) {
            flushAcks(index);
        } else if (stream.acks.size() == 1) {
            deadlines.push_back({nowMs() + ackDelayMs, index, stream.ackRound});
        }
    }

    //! Parses the frames in `in` (server frames are not masked).
    void parse(size_t index)
    {
        Stream &stream = streams[index];
        std::string &in = stream.in;
        size_t at = 0;
        while (stream.state == State::Open) {
            if (in.size() - at < 2) {
                break;
            }
            const auto b0 = static_cast<unsigned char>(in[at]);
            const auto b1 = static_cast<unsigned char>(in[at + 1]);
            size_t header = 2;
            quint64 length = b1 & 0x7F;
            if (length == 126) {
                if (in.size() - at < 4) {
                    break;
                }
                length = qFromBigEndian<quint16>(in.data() + at + 2);
                header = 4;
            } else if (length == 127) {
                if (in.size() - at < 10) {
                    break;
                }
                length = qFromBigEndian<quint64>(in.data() + at + 2);
                header = 10;
            }
            if ((b1 & 0x80) != 0 || length > MaxMessageBytes) {
                fail(stream, "bad frame from the server");
                return;
            }
            if (in.size() - at < header + length) {
                break;
            }
            const char *payload = in.data() + at + header;
            const int opcode = b0 & 0x0F;
            const bool fin = (b0 & 0x80) != 0;
            at += header + length;
            if (opcode == 0x9) { // ping: answer with the same payload
                sendFrame(index, 0xA, payload, length);
                flush(index);
            } else if (opcode == 0x8) {
                closeStream(stream, true);
                return;
            } else if (opcode == 0x1 || opcode == 0x0) {
                if (fin && opcode == 0x1) {
                    onText(index, QByteArrayView(payload, static_cast<qsizetype>(length)));
                } else {
                    stream.message.append(payload, length);
                    if (fin) {
                        const std::string whole = std::exchange(stream.message, {});
                        onText(index,
                               QByteArrayView(whole.data(), static_cast<qsizetype>(whole.size())));
                    } else if (stream.message.size() > MaxMessageBytes) {
                        fail(stream, "message too long");
                        return;
                    }
                }
            } else if (opcode != 0xA) {
                fail(stream, "unexpected frame from the server");
                return;
            }
        }
        in.erase(0, at);
    }

    void readable(size_t index)
    {
        Stream &stream = streams[index];
        char buffer[65536];
        for (bool drained = false; !drained;) {
            ssize_t got = 0;
            if (stream.ssl) {
                const int n = SSL_read(stream.ssl, buffer, sizeof(buffer));
                if (n <= 0) {
                    const int error = SSL_get_error(stream.ssl, n);
                    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
                        break;
                    }
                    if (error == SSL_ERROR_ZERO_RETURN) {
                        closeStream(stream, true);
                    } else {
                        fail(stream, "TLS read failed");
                    }
                    return;
                }
                got = n;
                // Nothing read ahead: the next record is in the socket, if anywhere, and epoll
                // (level-triggered) says so; no read(2) that would only say EAGAIN.
                drained = !SSL_has_pending(stream.ssl);
            } else {
                got = ::recv(stream.fd, buffer, sizeof(buffer), 0);
                if (got < 0) {
                    if (errno == EAGAIN || errno == EWOULDBLOCK) {
                        break;
                    }
                    fail(stream, std::strerror(errno));
                    return;
                }
                if (got == 0) {
                    closeStream(stream, true);
                    return;
                }
            }
            stream.in.append(buffer, static_cast<size_t>(got));
        }
        if (stream.state == State::Upgrading) {
            const size_t end = stream.in.find("\r\n\r\n");
            if (end == std::string::npos) {
                if (stream.in.size() > 16384) {
                    fail(stream, "no answer to the upgrade");
                }
                return;
            }
            if (stream.in.compare(0, 12, "HTTP/1.1 101") != 0) {
                fail(stream, "the upgrade was refused");
                return;
            }
            stream.in.erase(0, end + 4);
            stream.state = State::Open;
            ++counters.connected;
        }
        parse(index);
    }

    void handle(size_t index, uint32_t events)
    {
        Stream &stream = streams[index];
        if (stream.state == State::Closed) {
            return;
        }
        if (stream.state == State::Connecting || stream.state == State::Handshaking) {
            advance(index);
            return;
        }
        if ((events & EPOLLOUT) != 0) {
            flush(index);
        }
        if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0 && stream.state != State::Closed) {
            readable(index);
        }
    }

    void run()
    {
        for (size_t i = 0; i < streams.size(); ++i) {
            open(i);
        }
        nextPingMs = nowMs() + PingIntervalMs;
        std::vector<epoll_event> events(512);
        const QByteArray ping = Protocol::pingFrame();
        while (!stop.load()) {
            const int64_t now = nowMs();
            while (!deadlines.empty() && deadlines.front().atMs <= now) {
                const AckDeadline due = deadlines.front();
                deadlines.pop_front();
                if (streams[due.stream].ackRound == due.round) {
                    flushAcks(due.stream);
                }
            }
            if (now >= nextPingMs) {
                nextPingMs = now + PingIntervalMs;
                for (size_t i = 0; i < streams.size(); ++i) {
                    if (streams[i].state == State::Open) {
                        sendFrame(i, 0x1, ping.constData(), static_cast<size_t>(ping.size()));
                        flush(i);
                    }
                }
            }
            int64_t until = nextPingMs;
            if (!deadlines.empty()) {
                until = std::min(until, deadlines.front().atMs);
            }
            const int timeout = static_cast<int>(std::clamp<int64_t>(until - nowMs(), 0, 1000));
            const int ready =
                ::epoll_wait(epoll, events.data(), static_cast<int>(events.size()), timeout);
            for (int i = 0; i < ready; ++i) {
                if (events[static_cast<size_t>(i)].data.u64 == UINT64_MAX) {
                    continue; // The stop wake.
                }
                handle(static_cast<size_t>(events[static_cast<size_t>(i)].data.u64),
                       events[static_cast<size_t>(i)].events);
            }
        }
    }
};

RawMemberStreams::RawMemberStreams(const Endpoint &server, QList<Account> accounts, int ackDelayMs)
    : m_loop(std::make_unique<Loop>(server, accounts, ackDelayMs, *this, m_phase, m_stop))
{
    m_thread = std::thread([this] {
        pthread_setname_np(pthread_self(), "members");
        m_loop->run();
    });
}

RawMemberStreams::~RawMemberStreams()
{
    m_stop = true;
    const quint64 one = 1;
    [[maybe_unused]] const auto written = ::write(m_loop->wake, &one, sizeof(one));
    m_thread.join();
}

} // namespace Tincan::Bench
