#pragma once

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QThread>

#include "server/net/EpollEventDispatcher.h"

#include <functional>

namespace Tincan::Bench {

//! Runs an object on a thread of its own; start() and stop() are invoked there.
template<class T> class OnThread
{
public:
    //! `epoll`: the thread runs the daemon's epoll dispatcher instead of Qt's poll()-based one,
    //! for threads that hold thousands of sockets.
    explicit OnThread(T *object, const char *name, bool epoll = false)
        : m_object(object)
    {
        m_thread.setObjectName(QString::fromLatin1(name));
        if (epoll) {
            m_thread.setEventDispatcher(new Tincan::Server::EpollEventDispatcher);
        }
        m_object->moveToThread(&m_thread);
        m_thread.start();
        QMetaObject::invokeMethod(
            m_object, [this] { m_object->start(); }, Qt::BlockingQueuedConnection);
    }
    ~OnThread()
    {
        QMetaObject::invokeMethod(
            m_object, [this] { m_object->stop(); }, Qt::BlockingQueuedConnection);
        QMetaObject::invokeMethod(
            m_object, [this] { delete m_object; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    OnThread(const OnThread &) = delete;
    OnThread &operator=(const OnThread &) = delete;
    T *operator->() { return m_object; }
    //! Runs `call` on the object's thread and waits for it.
    void blocking(const std::function<void(T *)> &call)
    {
        QMetaObject::invokeMethod(
            m_object, [this, &call] { call(m_object); }, Qt::BlockingQueuedConnection);
    }

private:
    QThread m_thread;
    T *m_object;
};

//! Keeps the main thread's events going until `condition` holds or `timeoutMs` passed;
//! returns whether it holds. Polls every few milliseconds (the condition is cheap).
inline bool waitUntil(const std::function<bool()> &condition, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!condition()) {
        if (timer.elapsed() >= timeoutMs) {
            return condition();
        }
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        QThread::msleep(5);
    }
    return true;
}

} // namespace Tincan::Bench
