// ResponseParser: reads just enough of an HTTP/1.1 response for a load generator: the status
// line, Content-Length, whether the connection stays open, and the end of the body.
//
//   ResponseParser parser;
//   switch (parser.Feed(std::string_view(buffer, bytes_read))) {
//     case ResponseParser::State::kNeedMore: /* read again */ break;
//     case ResponseParser::State::kDone: Use(parser.status(), parser.keep_alive()); break;
//     case ResponseParser::State::kError: Fail(parser.error()); break;
//   }
//   parser.Reset();  // before the next response on the same connection
//
// Bad input: a response that is not "HTTP/1.x NNN", a head over 64 KiB, a bad or missing
// Content-Length, or a Transfer-Encoding (our server always sends Content-Length) is kError
// with a one-line reason; nothing is read past it. Not thread-safe: one parser per connection.
#ifndef TELEMETRY_TOOLS_LOADGEN_RESPONSE_PARSER_H_
#define TELEMETRY_TOOLS_LOADGEN_RESPONSE_PARSER_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace telemetry::loadgen {

class ResponseParser {
 public:
  enum class State { kNeedMore, kDone, kError };

  // Appends bytes as they arrive. After kDone, bytes past the response are kept for the next.
  State Feed(std::string_view bytes);
  // Drops the finished response (or the error) and starts on what is left.
  void Reset();

  int status() const { return status_; }
  bool keep_alive() const { return keep_alive_; }
  const std::string& error() const { return error_; }
  // After kDone: the body, valid until the next Feed() or Reset().
  std::string_view body() const;

 private:
  State ParseHead(size_t head_end);
  State Fail(std::string reason);
  State Check();

  std::string buffer_;
  size_t head_bytes_ = 0;  // 0 until the head is parsed
  size_t body_bytes_ = 0;
  int status_ = 0;
  bool keep_alive_ = true;
  State state_ = State::kNeedMore;
  std::string error_;
};

}  // namespace telemetry::loadgen

#endif  // TELEMETRY_TOOLS_LOADGEN_RESPONSE_PARSER_H_
