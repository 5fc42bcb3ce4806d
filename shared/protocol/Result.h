#pragma once

#include "shared/protocol/ApiError.h"

#include <optional>
#include <utility>

namespace Tincan::Protocol {

//! An expected-style result: either a value or an ApiError. Used by codec and validation code,
//! so that no exception crosses a layer.
template<class T> class Result
{
public:
    Result(T value)
        : m_value(std::move(value))
    {}
    Result(ApiError error)
        : m_error(std::move(error))
    {}

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return *m_value; }
    T &value() & { return *m_value; }
    T &&value() && { return std::move(*m_value); }
    const T &operator*() const & { return *m_value; }
    const T *operator->() const { return &*m_value; }
    const ApiError &error() const { return m_error; }

private:
    std::optional<T> m_value;
    ApiError m_error;
};

} // namespace Tincan::Protocol
