#include "bench/loadgen/GroupReceiver.h"

#include "shared/protocol/Frames.h"

#include <QNetworkRequest>
#include <QtEndian>

namespace Tincan::Bench {

GroupPhase::GroupPhase(int phaseId, qint64 capacityValue, int expectedPerMessage)
    : id(phaseId)
    , capacity(capacityValue)
    , expected(expectedPerMessage)
    , stamp(new std::atomic<int64_t>[static_cast<size_t>(capacityValue)]())
    , status(new std::atomic<int32_t>[static_cast<size_t>(capacityValue)]())
    , arrived(new std::atomic<int32_t>[static_cast<size_t>(capacityValue)]())
    , lastArrival(new std::atomic<int64_t>[static_cast<size_t>(capacityValue)]())
{}

void GroupPhase::arrival(qint64 index, int64_t stampValue, int64_t now)
{
    if (index < 0 || index >= capacity) {
        return;
    }
    int64_t last = lastArrival[index].load(std::memory_order_relaxed);
    while (now > last && !lastArrival[index].compare_exchange_weak(last, now)) {
    }
    arrived[index].fetch_add(1);
    ++deliveriesTotal;
    if (now >= windowFrom.load(std::memory_order_relaxed) &&
        now < windowTo.load(std::memory_order_relaxed)) {
        ++deliveriesInWindow;
    }
    if (stampValue >= windowFrom.load(std::memory_order_relaxed) &&
        stampValue < windowTo.load(std::memory_order_relaxed)) {
        deliveryLatency.add(now - stampValue);
    }
}

std::optional<EnvelopeHead> envelopeHead(QByteArrayView text)
{
    static constexpr QByteArrayView EnvelopeStart("{\"envelope\":{");
    if (!text.startsWith(EnvelopeStart)) {
        return std::nullopt;
    }
    EnvelopeHead result;
    static constexpr QByteArrayView IdKey("},\"id\":");
    static constexpr QByteArrayView PayloadKey(",\"payload\":\"");
    const qsizetype idAt = text.indexOf(IdKey);
    if (idAt > 0) {
        qsizetype end = idAt + IdKey.size();
        while (end < text.size() && text.at(end) >= '0' && text.at(end) <= '9') {
            ++end;
        }
        bool ok = false;
        result.id = text.sliced(idAt + IdKey.size(), end - idAt - IdKey.size()).toLongLong(&ok);
        if (!ok) {
            result.id = -1;
        }
        const qsizetype payloadAt = text.indexOf(PayloadKey, end);
        if (result.id > 0 && payloadAt > 0) {
            result.head = QByteArray::fromBase64(
                text.sliced(payloadAt + PayloadKey.size(),
                            std::min<qsizetype>(28, text.size() - payloadAt - PayloadKey.size()))
                    .toByteArray());
        }
    }
    if (result.id <= 0) {
        auto frame = Protocol::parseServerFrame(text.toByteArray());
        if (!frame || frame->type != Protocol::ServerFrame::Type::Envelope) {
            return EnvelopeHead{};
        }
        result.id = frame->envelope.id;
        result.head = frame->envelope.payload.left(21);
    }
    return result;
}

void countArrival(GroupPhase *phase, const QByteArray &head, int64_t now)
{
    if (head.size() >= 20 && phase) {
        const int64_t stampValue = qFromBigEndian<qint64>(head.constData());
        const qint32 phaseId = qFromBigEndian<qint32>(head.constData() + 8);
        const qint64 message = qFromBigEndian<qint64>(head.constData() + 12);
        if (phaseId == phase->id) {
            phase->arrival(message, stampValue, now);
        }
    }
}

GroupReceiver::GroupReceiver(const Endpoint &server, QList<Account> accounts, int ackDelayMs,
                             MemberCounters &counters)
    : m_server(server)
    , m_accounts(std::move(accounts))
    , m_counters(counters)
    , m_ackDelayMs(ackDelayMs)
{}

GroupReceiver::~GroupReceiver() = default;

void GroupReceiver::start()
{
    const QUrl url = m_server.streamUrl();
    m_streams.resize(static_cast<size_t>(m_accounts.size()));
    m_ackTimer = new QTimer(this);
    // Like the reference client (ClientCore::m_ackTimer): ACK once the event loop has handled
    // what arrived, in one frame per stream.
    m_ackTimer->setSingleShot(true);
    m_ackTimer->setInterval(m_ackDelayMs);
    connect(m_ackTimer, &QTimer::timeout, this, &GroupReceiver::flushAcks);
    for (size_t i = 0; i < m_streams.size(); ++i) {
        Stream &stream = m_streams[i];
        stream.socket = std::make_unique<QWebSocket>();
        QWebSocket *socket = stream.socket.get();
        m_server.accept(socket);
        connect(socket, &QWebSocket::connected, this, [this, i] {
            m_streams[i].open = true;
            ++m_counters.connected;
        });
        connect(socket, &QWebSocket::disconnected, this, [this, i] {
            if (m_streams[i].open) {
                m_streams[i].open = false;
                ++m_counters.disconnected;
            }
        });
        connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
                [this, socket](QAbstractSocket::SocketError) {
                    ++m_counters.errors;
                    qWarning("tincan-loadgen: member stream: %s",
                             qPrintable(socket->errorString()));
                });
        connect(socket, &QWebSocket::textMessageReceived, this,
                [this, i](const QString &text) { onText(i, text); });
        QNetworkRequest request(url);
        request.setRawHeader(QByteArrayLiteral("Authorization"),
                             "Bearer " + m_accounts[static_cast<qsizetype>(i)].token);
        socket->open(request);
    }
    // The reference client's heartbeat, so the daemon's idle timeout never closes a stream.
    m_pingTimer = new QTimer(this);
    m_pingTimer->setInterval(25000);
    connect(m_pingTimer, &QTimer::timeout, this, [this] {
        const QString ping = QString::fromLatin1(Protocol::pingFrame());
        for (Stream &stream : m_streams) {
            if (stream.open) {
                stream.socket->sendTextMessage(ping);
            }
        }
    });
    m_pingTimer->start();
}

void GroupReceiver::stop()
{
    m_ackTimer->stop();
    m_pingTimer->stop();
    for (Stream &stream : m_streams) {
        stream.open = false;
        stream.socket->abort();
    }
}

void GroupReceiver::flushAcks()
{
    for (const size_t i : m_dirty) {
        Stream &stream = m_streams[i];
        if (!stream.acks.isEmpty()) {
            stream.socket->sendTextMessage(QString::fromLatin1(Protocol::ackFrame(stream.acks)));
            stream.acks.clear();
        }
    }
    m_dirty.clear();
}

void GroupReceiver::onText(size_t index, const QString &text)
{
    const int64_t now = nowMicros();
    Stream &stream = m_streams[index];
    if (!text.startsWith(QLatin1StringView("{\"envelope\":{"))) {
        if (text.contains(QLatin1StringView("\"type\":\"synced\""))) {
            if (!stream.synced) {
                stream.synced = true;
                ++m_counters.synced;
            }
        } else if (text.contains(QLatin1StringView("\"type\":\"error\""))) {
            ++m_counters.errors;
            qWarning("tincan-loadgen: error frame on stream %zu: %s", index, qPrintable(text));
        }
        return; // hello, sent, receipt, presence, pong: nothing to do.
    }
    ++m_counters.envelopes;
    const QByteArray utf8 = text.toUtf8();
    const std::optional<EnvelopeHead> envelope = envelopeHead(utf8);
    if (!envelope || envelope->id <= 0) {
        ++m_counters.errors;
        return;
    }
    const qint64 id = envelope->id;
    countArrival(m_phase.load(), envelope->head, now);
    if (stream.acks.isEmpty()) {
        m_dirty.push_back(index);
    }
    stream.acks.append(id);
    if (stream.acks.size() >= Protocol::AckBatch) {
        stream.socket->sendTextMessage(QString::fromLatin1(Protocol::ackFrame(stream.acks)));
        stream.acks.clear();
    }
    if (!m_ackTimer->isActive()) {
        m_ackTimer->start();
    }
}

} // namespace Tincan::Bench
