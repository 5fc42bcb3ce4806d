#pragma once

#include "shared/protocol/Frames.h"

#include <QObject>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

namespace Tincan::Client {

class CertificatePin;

//! The receiving half: a WebSocket to /v1/stream that reconnects with jittered exponential
//! backoff, sends a heartbeat every 30 s (or as often as the server's hello asks: that keeps the
//! device counted as online) and drops a connection that stays silent for two heartbeats.
//! Over wss:// the server's certificate must match the pin before the handshake request (with
//! the token) is sent; a mismatch stops the stream for good. Main thread.
class StreamClient : public QObject
{
    Q_OBJECT

public:
    explicit StreamClient(QObject *parent = nullptr);
    ~StreamClient() override;

    //! The pin that wss:// connections must match (not owned; set once, before start()).
    void setCertificatePin(CertificatePin *pin);
    void start(const QUrl &url, const QByteArray &token);
    void stop();
    bool isConnected() const { return m_connected; }
    void sendAck(const QList<qint64> &ids);
    //! Sends a heartbeat now; the server answers `pong` after every frame sent before it.
    bool sendPing();
    //! Connected, and the server's hello said it takes typing frames.
    bool canSendTyping() const
    {
        return m_connected && m_serverVersion >= Protocol::StreamVersionTyping;
    }
    //! Sends a typing frame; false when not connected, or the server is too old for typing.
    bool sendTyping(const QString &conversation, bool typing);

    //! Overrides the heartbeat interval (ms) whatever the server asks, for tests; 0: default.
    void setHeartbeatInterval(int ms);
    int heartbeatInterval() const { return m_heartbeat.interval(); }
    //! Backoff bounds, for tests.
    void setBackoff(int initialMs, int maxMs);

Q_SIGNALS:
    void connected();
    //! The server's hello arrived on this connection (after connected()).
    void ready();
    void disconnected();
    void envelopeReceived(const Tincan::Protocol::Envelope &envelope);
    void sentReceived(const Tincan::Protocol::SendReceipt &receipt);
    void receiptReceived(const Tincan::Protocol::ReceiptState &state);
    //! A device link of the user changed (see Protocol::LinkEvent).
    void linkReceived(const Tincan::Protocol::LinkEvent &link);
    void presenceReceived(const Tincan::Protocol::PresenceUpdate &update);
    void typingReceived(const Tincan::Protocol::TypingEvent &event);
    void pongReceived();
    //! The server refused a frame (e.g. typing in a conversation we are not in).
    void errorReceived(const Tincan::Protocol::ApiError &error);
    //! Everything stored for this device so far has been pushed.
    void synced();
    //! The server will not take this device any more (revoked): no reconnect.
    void rejected(const QString &reason);

private:
    void openSocket();
    void onText(const QString &text);
    void onDisconnected();
    void scheduleReconnect();

    QWebSocket m_socket;
    QTimer m_reconnectTimer;
    QTimer m_heartbeat;
    QUrl m_url;
    QByteArray m_token;
    CertificatePin *m_pin = nullptr;
    QString m_certificateError; //!< Set by the pin during a refused handshake.
    qint64 m_lastFrameMs = 0;
    int m_forcedHeartbeatMs = 0;
    int m_serverVersion = 0; //!< From the current connection's hello.
    int m_attempt = 0;
    int m_initialBackoffMs = 500;
    int m_maxBackoffMs = 30000;
    bool m_running = false;
    bool m_connected = false;
};

} // namespace Tincan::Client
