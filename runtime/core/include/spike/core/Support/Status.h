//===- Status.h - Error values for the exception-free core API --*- C++ -*-===//
//
// The core library is compiled with exceptions, but it is called from
// compiler code built with -fno-exceptions. Every public function therefore
// reports failure as a value: a Status, or a Result<T> holding either a value
// or the error. Messages are one line: what went wrong and where.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_SUPPORT_STATUS_H
#define SPIKE_CORE_SUPPORT_STATUS_H

#include <optional>
#include <string>
#include <utility>

namespace spike::core {

class [[nodiscard]] Status {
public:
  static Status ok() { return Status(); }
  static Status error(std::string message) {
    Status s;
    s.message_ = std::move(message);
    s.failed_ = true;
    return s;
  }
  bool isOk() const { return !failed_; }
  explicit operator bool() const { return !failed_; }
  const std::string &message() const { return message_; }

private:
  std::string message_;
  bool failed_ = false;
};

template <typename T> class [[nodiscard]] Result {
public:
  Result(T value) : value_(std::move(value)) {}
  Result(Status status) : status_(std::move(status)) {}
  bool isOk() const { return value_.has_value(); }
  explicit operator bool() const { return isOk(); }
  T &operator*() { return *value_; }
  const T &operator*() const { return *value_; }
  T *operator->() { return &*value_; }
  const T *operator->() const { return &*value_; }
  T take() { return std::move(*value_); }
  const Status &status() const { return status_; }
  const std::string &message() const { return status_.message(); }

private:
  std::optional<T> value_;
  Status status_;
};

} // namespace spike::core

#endif // SPIKE_CORE_SUPPORT_STATUS_H
