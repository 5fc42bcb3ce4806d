#include "bench/loadgen/HttpSender.h"

#include "bench/loadgen/E2ee.h"

#include <QUuid>
#include <QtEndian>

namespace Tincan::Bench {

HttpSender::HttpSender(const Endpoint &server, QList<Pair> pairs, int connections,
                       double ratePerSecond, bool e2ee)
    : m_server(server)
    , m_pairs(std::move(pairs))
    , m_connectionCount(connections)
    , m_rate(ratePerSecond)
    , m_e2ee(e2ee)
{}

HttpSender::HttpSender(const Endpoint &server, RequestFactory request, AnswerHook answered,
                       int connections, double ratePerSecond)
    : m_server(server)
    , m_request(std::move(request))
    , m_answered(std::move(answered))
    , m_connectionCount(connections)
    , m_rate(ratePerSecond)
{}

HttpSender::~HttpSender() = default;

void HttpSender::start()
{
    if (m_e2ee) {
        for (const Pair &pair : std::as_const(m_pairs)) {
            auto device = std::make_unique<BenchDevice>(pair.sender.cryptoPath);
            QString error;
            if (!device->open(&error)) {
                qFatal("cannot open a sender device: %s", qPrintable(error));
            }
            m_devices.push_back(std::move(device));
        }
    }
    m_connections.resize(static_cast<size_t>(m_connectionCount));
    for (Connection &connection : m_connections) {
        connection.socket = new QSslSocket(this);
        connect(connection.socket, &QTcpSocket::readyRead, this,
                [this, &connection] { onReadyRead(connection); });
        connect(connection.socket, &QTcpSocket::connected, this, [this, &connection] {
            connection.socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            dispatch();
        });
        connect(connection.socket, &QSslSocket::encrypted, this, [this] { dispatch(); });
        m_server.connect(connection.socket);
    }
    m_running = true;
    m_start = nowMicros();
    if (m_rate > 0) {
        m_timer = new QTimer(this);
        m_timer->setTimerType(Qt::PreciseTimer);
        m_timer->setInterval(1);
        connect(m_timer, &QTimer::timeout, this, &HttpSender::tick);
        m_timer->start();
    }
}

void HttpSender::stop()
{
    m_running = false;
    if (m_timer) {
        m_timer->stop();
    }
    for (Connection &connection : m_connections) {
        connection.socket->abort();
    }
}

void HttpSender::tick()
{
    const int64_t now = nowMicros();
    // Message k is due at m_start + k / rate: every message whose time has come is issued now.
    const auto due = static_cast<qint64>(static_cast<double>(now - m_start) * m_rate / 1e6) + 1;
    while (m_issued < due) {
        const int64_t stamp =
            m_start + static_cast<int64_t>(static_cast<double>(m_issued) * 1e6 / m_rate);
        m_queue.push_back({m_issued, stamp});
        ++m_issued;
    }
    dispatch();
}

void HttpSender::dispatch()
{
    if (!m_running) {
        return;
    }
    for (Connection &connection : m_connections) {
        if (connection.busy || !m_server.ready(connection.socket)) {
            continue;
        }
        if (m_rate > 0) {
            if (m_queue.empty()) {
                return;
            }
            send(connection, m_queue.front());
            m_queue.pop_front();
        } else {
            send(connection, {m_issued++, nowMicros()});
        }
    }
}

void HttpSender::send(Connection &connection, const Due &due)
{
    connection.busy = true;
    connection.index = due.index;
    if (m_request) {
        const QByteArray request = m_request(due.index, due.stamp);
        connection.sentAt = nowMicros();
        connection.socket->write(request);
        return;
    }
    const auto pairIndex = static_cast<int>(due.index % m_pairs.size());
    const Pair &pair = m_pairs[pairIndex];
    // The plaintext: the due time, then filler to a short chat message's size.
    QByteArray payload(100, 'x');
    qToBigEndian<qint64>(due.stamp, payload.data());
    if (m_e2ee) {
        auto encrypted = m_devices[static_cast<size_t>(pairIndex)]->crypto().encrypt(
            pair.recipient.username, static_cast<int>(pair.recipient.deviceId), payload);
        if (!encrypted.ok()) {
            qFatal("encrypt: %s", qPrintable(encrypted.error.message));
        }
        payload = *encrypted.value;
    } else {
        // As large as the Signal message for this plaintext (padded to 160 bytes, AES-CBC,
        // ratchet key, counters, MAC, our 2-byte header): about 230 bytes.
        payload.resize(230, 'x');
    }
    const QByteArray body =
        "{\"clientMessageId\":\"" + QUuid::createUuid().toByteArray(QUuid::WithoutBraces) +
        "\",\"to\":\"" + pair.recipient.username.toLatin1() +
        "\",\"payloads\":[{\"device\":" + QByteArray::number(pair.recipient.deviceId) +
        ",\"body\":\"" + payload.toBase64() + "\"}]}";
    QByteArray request =
        "POST /v1/messages HTTP/1.1\r\nHost: " + m_server.url.host().toLatin1() +
        "\r\nAuthorization: Bearer " + pair.sender.token +
        "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
        "\r\n\r\n" + body;
    connection.busy = true;
    connection.sentAt = nowMicros();
    connection.socket->write(request);
}

void HttpSender::onReadyRead(Connection &connection)
{
    connection.buffer += connection.socket->readAll();
    for (;;) {
        const qsizetype headerEnd = connection.buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0) {
            return;
        }
        qint64 length = 0;
        const qsizetype lengthAt = connection.buffer.indexOf("Content-Length: ");
        if (lengthAt >= 0 && lengthAt < headerEnd) {
            const qsizetype lineEnd = connection.buffer.indexOf("\r\n", lengthAt);
            length = connection.buffer.mid(lengthAt + 16, lineEnd - lengthAt - 16).toLongLong();
        }
        if (connection.buffer.size() < headerEnd + 4 + length) {
            return;
        }
        const int status = connection.buffer.mid(9, 3).toInt();
        connection.buffer.remove(0, headerEnd + 4 + length);
        if (status == 201 || status == 200) {
            ++accepted;
        } else {
            ++refused;
        }
        roundTrip.add(nowMicros() - connection.sentAt);
        connection.busy = false;
        if (m_answered) {
            m_answered(connection.index, status);
        }
        dispatch();
    }
}

} // namespace Tincan::Bench
