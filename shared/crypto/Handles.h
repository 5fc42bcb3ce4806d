#pragma once

// RAII owners for libsignal-protocol-c's C handles. Reference-counted objects (keys, records,
// messages) are released with signal_type_unref; buffers are freed, secrets zeroed first.

#include <signal/signal_protocol.h>

#include <QByteArray>

#include <utility>

namespace Tincan::Crypto {

//! Owns one reference to a libsignal object (anything starting with signal_type_base).
template<class T> class Ref
{
public:
    Ref() = default;
    explicit Ref(T *pointer)
        : m_pointer(pointer)
    {}
    ~Ref() { reset(); }
    Ref(const Ref &) = delete;
    Ref &operator=(const Ref &) = delete;
    Ref(Ref &&other) noexcept
        : m_pointer(std::exchange(other.m_pointer, nullptr))
    {}
    Ref &operator=(Ref &&other) noexcept
    {
        if (this != &other) {
            reset();
            m_pointer = std::exchange(other.m_pointer, nullptr);
        }
        return *this;
    }

    void reset()
    {
        if (m_pointer) {
            signal_type_unref(reinterpret_cast<signal_type_base *>(m_pointer));
            m_pointer = nullptr;
        }
    }
    //! For out-parameters: releases what is held and hands out the slot.
    T **out()
    {
        reset();
        return &m_pointer;
    }
    T *get() const { return m_pointer; }
    explicit operator bool() const { return m_pointer != nullptr; }

private:
    T *m_pointer = nullptr;
};

//! Owns a signal_buffer. `secret` buffers are zeroed before they are freed.
class Buffer
{
public:
    Buffer() = default;
    explicit Buffer(signal_buffer *buffer, bool secret = false)
        : m_buffer(buffer)
        , m_secret(secret)
    {}
    ~Buffer() { reset(); }
    Buffer(const Buffer &) = delete;
    Buffer &operator=(const Buffer &) = delete;

    void reset()
    {
        if (m_buffer) {
            m_secret ? signal_buffer_bzero_free(m_buffer) : signal_buffer_free(m_buffer);
            m_buffer = nullptr;
        }
    }
    signal_buffer **out(bool secret = false)
    {
        reset();
        m_secret = secret;
        return &m_buffer;
    }
    signal_buffer *get() const { return m_buffer; }
    explicit operator bool() const { return m_buffer != nullptr; }
    QByteArray toByteArray() const
    {
        if (!m_buffer) {
            return {};
        }
        return QByteArray(reinterpret_cast<const char *>(signal_buffer_data(m_buffer)),
                          static_cast<qsizetype>(signal_buffer_len(m_buffer)));
    }

private:
    signal_buffer *m_buffer = nullptr;
    bool m_secret = false;
};

//! A generic owner for handles with their own free function (contexts, builders, ciphers).
template<class T, void (*Free)(T *)> class Handle
{
public:
    Handle() = default;
    ~Handle() { reset(); }
    Handle(const Handle &) = delete;
    Handle &operator=(const Handle &) = delete;
    void reset()
    {
        if (m_pointer) {
            Free(m_pointer);
            m_pointer = nullptr;
        }
    }
    T **out()
    {
        reset();
        return &m_pointer;
    }
    T *get() const { return m_pointer; }

private:
    T *m_pointer = nullptr;
};

} // namespace Tincan::Crypto
