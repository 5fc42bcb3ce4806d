#include "bench/loadgen/Receiver.h"

#include "bench/loadgen/E2ee.h"
#include "shared/protocol/Frames.h"

#include <QNetworkRequest>
#include <QtEndian>

namespace Tincan::Bench {

Receiver::Receiver(const Endpoint &server, QList<Account> accounts, bool e2ee)
    : m_server(server)
    , m_accounts(std::move(accounts))
    , m_e2ee(e2ee)
{}

Receiver::~Receiver() = default;

void Receiver::setWindow(int64_t from, int64_t to)
{
    m_windowFrom = from;
    m_windowTo = to;
}

void Receiver::start()
{
    const QUrl url = m_server.streamUrl();
    m_streams.resize(static_cast<size_t>(m_accounts.size()));
    for (qsizetype i = 0; i < m_accounts.size(); ++i) {
        Stream &stream = m_streams[static_cast<size_t>(i)];
        if (m_e2ee) {
            stream.device = std::make_unique<BenchDevice>(m_accounts[i].cryptoPath);
            QString error;
            if (!stream.device->open(&error)) {
                qFatal("cannot open a recipient device: %s", qPrintable(error));
            }
        }
        stream.socket = std::make_unique<QWebSocket>();
        m_server.accept(stream.socket.get());
        connect(stream.socket.get(), &QWebSocket::connected, this, [this] { ++connected; });
        connect(stream.socket.get(), &QWebSocket::textMessageReceived, this,
                [this, &stream](const QString &text) { onText(stream, text); });
        QNetworkRequest request(url);
        request.setRawHeader(QByteArrayLiteral("Authorization"), "Bearer " + m_accounts[i].token);
        stream.socket->open(request);
    }
    m_ackTimer = new QTimer(this);
    m_ackTimer->setInterval(2);
    connect(m_ackTimer, &QTimer::timeout, this, [this] {
        for (Stream &stream : m_streams) {
            if (!stream.acks.isEmpty()) {
                stream.socket->sendTextMessage(
                    QString::fromLatin1(Protocol::ackFrame(stream.acks)));
                stream.acks.clear();
            }
        }
    });
    m_ackTimer->start();
}

void Receiver::stop()
{
    m_ackTimer->stop();
    for (Stream &stream : m_streams) {
        stream.socket->abort();
    }
}

void Receiver::onText(Stream &stream, const QString &text)
{
    const int64_t now = nowMicros();
    auto frame = Protocol::parseServerFrame(text.toUtf8());
    if (!frame || frame->type != Protocol::ServerFrame::Type::Envelope) {
        return;
    }
    QByteArray payload = frame->envelope.payload;
    if (stream.device) {
        // Decrypted like a client would, in arrival order; the time counts in the latency.
        auto decrypted = stream.device->crypto().decrypt(
            frame->envelope.fromUser, static_cast<int>(frame->envelope.fromDevice), payload);
        if (!decrypted.ok()) {
            qFatal("decrypt: %s", qPrintable(decrypted.error.message));
        }
        payload = decrypted.value->plaintext;
    }
    if (payload.size() >= 8) {
        const int64_t stamp = qFromBigEndian<qint64>(payload.constData());
        if (stamp >= m_windowFrom && stamp <= m_windowTo) {
            latency.add(now - stamp);
            ++delivered;
        }
    }
    stream.acks.append(frame->envelope.id);
    if (stream.acks.size() >= 128) {
        stream.socket->sendTextMessage(QString::fromLatin1(Protocol::ackFrame(stream.acks)));
        stream.acks.clear();
    }
}

} // namespace Tincan::Bench
