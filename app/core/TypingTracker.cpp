#include "app/core/TypingTracker.h"

#include <QTimer>

namespace Tincan::Client {

TypingTracker::TypingTracker(QObject *parent)
    : QObject(parent)
{}

QString TypingTracker::key(const QString &conversation, const QString &user)
{
    return conversation + QLatin1Char('\n') + user;
}

void TypingTracker::received(const Protocol::TypingEvent &event)
{
    if (!event.typing) {
        clear(event.conversation, event.user);
        return;
    }
    const QString k = key(event.conversation, event.user);
    QTimer *timer = m_expiry.value(k);
    const bool fresh = timer == nullptr;
    if (fresh) {
        timer = new QTimer(this);
        timer->setSingleShot(true);
        connect(timer, &QTimer::timeout, this,
                [this, conversation = event.conversation, user = event.user] {
                    clear(conversation, user);
                });
        m_expiry.insert(k, timer);
    }
    timer->start(m_expiryMs); // A refresh starts the wait over.
    if (fresh) {
        Q_EMIT typingChanged(event.conversation, event.user, true);
    }
}

void TypingTracker::clear(const QString &conversation, const QString &user)
{
    QTimer *timer = m_expiry.take(key(conversation, user));
    if (!timer) {
        return;
    }
    timer->stop();
    timer->deleteLater();
    Q_EMIT typingChanged(conversation, user, false);
}

void TypingTracker::clearAll()
{
    const QList<QString> keys = m_expiry.keys();
    for (const QString &k : keys) {
        const qsizetype split = k.indexOf(QLatin1Char('\n'));
        clear(k.left(split), k.mid(split + 1));
    }
}

bool TypingTracker::shouldSend(const QString &conversation, bool typing, qint64 nowMs)
{
    const auto sent = m_sent.constFind(conversation);
    if (!typing) {
        if (sent == m_sent.cend()) {
            return false;
        }
        m_sent.erase(sent);
        return true;
    }
    if (sent != m_sent.cend() && nowMs - *sent < SendIntervalMs) {
        return false;
    }
    m_sent.insert(conversation, nowMs);
    return true;
}

} // namespace Tincan::Client
