#include "tools/loadgen/response_parser.h"

#include <charconv>
#include <optional>
#include <utility>

namespace telemetry::loadgen {
namespace {

constexpr size_t kMaxHeadBytes = 64 * 1024;

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<size_t> ParseDecimal(std::string_view text) {
  size_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

ResponseParser::State ResponseParser::Feed(std::string_view bytes) {
  if (state_ == State::kError) return state_;
  buffer_.append(bytes);
  return Check();
}

void ResponseParser::Reset() {
  if (state_ == State::kDone) {
    buffer_.erase(0, head_bytes_ + body_bytes_);
  } else {
    buffer_.clear();
  }
  head_bytes_ = 0;
  body_bytes_ = 0;
  status_ = 0;
  keep_alive_ = true;
  state_ = State::kNeedMore;
  error_.clear();
  if (!buffer_.empty()) Check();
}

std::string_view ResponseParser::body() const {
  if (state_ != State::kDone) return {};
  return std::string_view(buffer_).substr(head_bytes_, body_bytes_);
}

ResponseParser::State ResponseParser::Check() {
  if (head_bytes_ == 0) {
    const size_t head_end = buffer_.find("\r\n\r\n");
    if (head_end == std::string::npos) {
      return buffer_.size() > kMaxHeadBytes ? Fail("response head over 64 KiB") : state_;
    }
    if (ParseHead(head_end) == State::kError) return state_;
  }
  if (buffer_.size() >= head_bytes_ + body_bytes_) state_ = State::kDone;
  return state_;
}

ResponseParser::State ResponseParser::ParseHead(size_t head_end) {
  const std::string_view head(buffer_.data(), head_end + 2);  // every line ends with \r\n
  const size_t line_end = head.find("\r\n");
  const std::string_view status_line = head.substr(0, line_end);
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ') {
    return Fail("not an HTTP/1.x status line: " + std::string(status_line.substr(0, 80)));
  }
  const std::optional<size_t> status = ParseDecimal(status_line.substr(9, 3));
  if (!status || *status < 100 || (status_line.size() > 12 && status_line[12] != ' ')) {
    return Fail("bad status code: " + std::string(status_line.substr(0, 80)));
  }
  status_ = static_cast<int>(*status);
  keep_alive_ = status_line[7] == '1';  // HTTP/1.0 closes unless it says keep-alive
  std::optional<size_t> length;
  for (size_t at = line_end + 2; at < head.size();) {
    const size_t end = head.find("\r\n", at);
    const std::string_view line = head.substr(at, end - at);
    at = end + 2;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return Fail("header line without ':'");
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = Trim(line.substr(colon + 1));
    if (EqualsIgnoringCase(name, "Content-Length")) {
      const std::optional<size_t> parsed = ParseDecimal(value);
      if (!parsed || (length && *length != *parsed)) return Fail("bad Content-Length");
      length = parsed;
    } else if (EqualsIgnoringCase(name, "Transfer-Encoding")) {
      return Fail("Transfer-Encoding in a response (only Content-Length is read)");
    } else if (EqualsIgnoringCase(name, "Connection")) {
      if (EqualsIgnoringCase(value, "close")) keep_alive_ = false;
      if (EqualsIgnoringCase(value, "keep-alive")) keep_alive_ = true;
    }
  }
  const bool bodiless = status_ < 200 || status_ == 204 || status_ == 304;
  if (!length && !bodiless) return Fail("response without Content-Length");
  head_bytes_ = head_end + 4;
  body_bytes_ = length.value_or(0);
  return state_;
}

ResponseParser::State ResponseParser::Fail(std::string reason) {
  error_ = std::move(reason);
  state_ = State::kError;
  return state_;
}

}  // namespace telemetry::loadgen
