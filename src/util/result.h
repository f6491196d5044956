#pragma once
// Result<T>: a value or an error message with its context, for every layer. A failure goes back to the caller (who
// adds context or turns it into a warning); nothing throws.

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace treeprint {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_value(std::move(value)) {}  // NOLINT: implicit, so `return value;` works
  static Result failure(std::string message) {
    Result r;
    r.m_error = std::move(message);
    return r;
  }

  bool ok() const { return m_value.has_value(); }
  explicit operator bool() const { return ok(); }
  T& operator*() { return *m_value; }
  const T& operator*() const { return *m_value; }
  T* operator->() { return &*m_value; }
  const T* operator->() const { return &*m_value; }
  T& value() { return *m_value; }
  const T& value() const { return *m_value; }
  /// The message when !ok(), empty otherwise.
  const std::string& error() const { return m_error; }

 private:
  Result() = default;
  std::optional<T> m_value;
  std::string m_error;
};

/// Success or an error message, for operations with nothing to return.
using Status = Result<std::monostate>;

inline Status ok_status() { return Status(std::monostate{}); }

}  // namespace treeprint
