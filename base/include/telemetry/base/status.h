// Status and Result<T>: how errors cross every API of the project. No exceptions are thrown.
//
//   telemetry::Result<int> ParsePort(std::string_view text);
//   telemetry::Result<int> port = ParsePort("8080");
//   if (!port.ok()) return port.status();  // "invalid argument: ..." via ToString()
//   Listen(*port);
//
// A Status is ok, or carries a code and a message meant for a person. A Result<T> holds either
// a T or a non-ok Status. Both are plain values; thread-compatible.
#ifndef TELEMETRY_BASE_STATUS_H_
#define TELEMETRY_BASE_STATUS_H_

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace telemetry {

class Status {
 public:
  enum class Code {
    kOk,
    kInvalidArgument,     // The caller passed something wrong.
    kNotFound,            // No such store, probe, ping, ...
    kFailedPrecondition,  // Not now: not open, already open, shut down, ...
    kAlreadyExists,
    kIoError,            // The file system or database failed.
    kCorruption,         // Stored data cannot be read.
    kUnavailable,        // Try again later (network, server).
    kResourceExhausted,  // Past a size or count limit (a bomb, an oversized input).
    kInternal,
  };

  Status() = default;  // Ok.
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {Code::kFailedPrecondition, std::move(m)};
  }
  static Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
  static Status IoError(std::string m) { return {Code::kIoError, std::move(m)}; }
  static Status Corruption(std::string m) { return {Code::kCorruption, std::move(m)}; }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status ResourceExhausted(std::string m) {
    return {Code::kResourceExhausted, std::move(m)};
  }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "ok", or "<code name>: <message>".
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}        // NOLINT: implicit by design.
  Result(Status status) : value_(std::move(status)) {  // NOLINT: implicit by design.
    assert(!std::get<Status>(value_).ok() && "a Result needs a value or an error");
  }

  bool ok() const { return std::holds_alternative<T>(value_); }
  // The error; Status::Ok() when there is a value.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(value_); }

  // Only when ok().
  T& value() & { return std::get<T>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> value_;
};

}  // namespace telemetry

#endif  // TELEMETRY_BASE_STATUS_H_
