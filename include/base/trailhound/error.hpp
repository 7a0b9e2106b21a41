// One error type for every stage: a value or an error with its kind, message, path and errno.
#pragma once

#include <cerrno>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace trailhound {

/// What kind of thing went wrong; the application turns kinds into exit codes in one place.
enum class ErrorKind {
  Usage,     ///< a flag or its value is wrong: nothing was read
  Config,    ///< a configuration file or a list it names cannot be used
  Input,     ///< an input file or record cannot be read (the run goes on)
  Write,     ///< results could not be written (full disk, closed pipe)
  Internal,  ///< a bug in trailhound: an exception where none was expected
};

/// A failure, returned (never thrown across a stage, never printed by the helper that made it).
struct Error {
  ErrorKind kind = ErrorKind::Internal;
  std::string message;  ///< what went wrong, without the path
  std::string path;     ///< the file or flag it concerns, when there is one
  int errno_value = 0;  ///< the system's errno, when a system call failed

  /// "PATH: message" (or the message alone), with the errno text appended when set.
  [[nodiscard]] std::string what() const;

  [[nodiscard]] static Error usage(std::string message, std::string path = {}) {
    return Error{ErrorKind::Usage, std::move(message), std::move(path), 0};
  }
  [[nodiscard]] static Error config(std::string message, std::string path = {}) {
    return Error{ErrorKind::Config, std::move(message), std::move(path), 0};
  }
  [[nodiscard]] static Error input(std::string message, std::string path = {}, int err = 0) {
    return Error{ErrorKind::Input, std::move(message), std::move(path), err};
  }
  [[nodiscard]] static Error write(std::string message, std::string path, int err) {
    return Error{ErrorKind::Write, std::move(message), std::move(path), err};
  }
};

/// A value of type T, or an Error. Small on purpose: C++20 has no std::expected.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}   // NOLINT: implicit, like std::expected
  Result(Error error) : v_(std::move(error)) {}  // NOLINT
  [[nodiscard]] bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  [[nodiscard]] T& value() & { return std::get<0>(v_); }
  [[nodiscard]] const T& value() const& { return std::get<0>(v_); }
  [[nodiscard]] T&& value() && { return std::get<0>(std::move(v_)); }
  [[nodiscard]] T& operator*() & { return value(); }
  [[nodiscard]] const T& operator*() const& { return value(); }
  [[nodiscard]] T* operator->() { return &value(); }
  [[nodiscard]] const T* operator->() const { return &value(); }
  [[nodiscard]] const Error& error() const& { return std::get<1>(v_); }
  [[nodiscard]] Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

/// Success or an Error: Result<void>.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  [[nodiscard]] bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  [[nodiscard]] const Error& error() const& { return error_; }
  [[nodiscard]] Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace trailhound
