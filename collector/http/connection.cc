#include "collector/http/connection.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <cctype>
#include <type_traits>

#include "collector/http/submit_route.h"
#include "collector/ingest/reasons.h"

namespace telemetry::collector {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

namespace {

constexpr size_t kLingerBytes = 4 * 1024 * 1024;
constexpr std::chrono::seconds kLingerTime{1};

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

Connection::Connection(ServerCore& core, EventLoop& loop, asio::ip::tcp::socket socket)
    : core_(core), loop_(loop), socket_(std::move(socket)), timer_(loop.context()) {}

Connection::~Connection() {
  if (phase_ != Phase::kClosed) {  // Destroyed with its loop's pending handlers.
    loop_.Remove(this);
    core_.pending_body_bytes.fetch_sub(reserved_bytes_);
    core_.live_connections.fetch_sub(1);
    core_.metrics->AddOpenConnections(-1);
  }
}

void Connection::Start() {
  loop_.Add(this);
  error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  ReadIdle();
}

void Connection::Drain() {
  draining_ = true;
  if (phase_ == Phase::kIdle) Close();
}

void Connection::Abort() { Close(); }

// --- Deadlines -------------------------------------------------------------------------------

void Connection::Arm(Clock::duration timeout) { ArmAt(Clock::now() + timeout); }

void Connection::ArmAt(Clock::time_point deadline) {
  const uint64_t generation = ++timer_generation_;
  timer_.expires_at(deadline);
  timer_.async_wait([self = shared_from_this(), generation](error_code ec) {
    if (ec || generation != self->timer_generation_) return;
    self->timed_out_ = true;
    error_code ignored;
    self->socket_.cancel(ignored);  // The pending read or write ends with operation_aborted.
  });
}

void Connection::Disarm() {
  ++timer_generation_;
  timer_.cancel();
}

Status Connection::BodyTooLarge() const {
  return collector::Refuse(
      Reason::kBodyTooLarge,
      "the body is larger than " + std::to_string(core_.options.max_body_bytes) + " bytes");
}

// --- Reading ---------------------------------------------------------------------------------

void Connection::ReadIdle() {
  phase_ = Phase::kIdle;
  if (draining_ || core_.stopping.load()) return Close();
  if (buffer_.size() > 0) return ReadHead();  // A pipelined request is already here.
  Arm(core_.options.idle_timeout);
  socket_.async_read_some(buffer_.prepare(8192),
                          [self = shared_from_this()](error_code ec, size_t bytes) {
                            self->buffer_.commit(bytes);
                            if (ec) return self->Close();  // Closed by the client, or idle.
                            self->ReadHead();
                          });
}

void Connection::ReadHead() {
  phase_ = Phase::kHead;
  request_started_ = Clock::now();
  parser_.emplace();
  parser_->eager(false);  // Stop at the end of the head.
  parser_->header_limit(static_cast<std::uint32_t>(core_.options.max_header_bytes));
  parser_->body_limit(core_.options.max_body_bytes);
  head_bytes_ = 0;
  Arm(core_.options.head_timeout);
  ParseHead();
}

// Feeds the buffer to the parser and reads on until the head is whole. Not async_read_header:
// Beast checks header_limit against each buffer it parses, and fields it has parsed leave the
// buffer, so a head arriving in small reads passed any limit. Here the limit is what is left of
// max_header_bytes after the bytes consumed so far.
void Connection::ParseHead() {
  if (buffer_.size() > 0) {
    error_code ec;
    const size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    head_bytes_ += used;
    const size_t limit = core_.options.max_header_bytes;
    if (head_bytes_ > limit) return OnHead(http::error::header_limit);
    if (ec != http::error::need_more) return OnHead(ec);
    parser_->header_limit(static_cast<std::uint32_t>(limit - head_bytes_));
  }
  socket_.async_read_some(buffer_.prepare(65536),
                          [self = shared_from_this()](error_code ec, size_t bytes) {
                            self->buffer_.commit(bytes);
                            if (ec == asio::error::eof) ec = http::error::end_of_stream;
                            if (ec) return self->OnHead(ec);
                            self->ParseHead();
                          });
}

void Connection::OnHead(error_code ec) {
  if (phase_ == Phase::kClosed) return;
  FillHead();
  if (timed_out_) {
    return Refuse(
        collector::Refuse(Reason::kRequestTimeout, "the request head did not arrive in time"),
        After::kClose, /*record=*/false, false);
  }
  if (ec == http::error::header_limit) {
    return Refuse(collector::Refuse(Reason::kHeadersTooLarge,
                                    "the request head is larger than " +
                                        std::to_string(core_.options.max_header_bytes) + " bytes"),
                  After::kCloseUnread, true, false);
  }
  if (ec == http::error::body_limit) {
    return Refuse(BodyTooLarge(), After::kCloseUnread, true, false);
  }
  if (ec == http::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::connection_reset) {
    return Close();
  }
  if (ec == http::error::bad_content_length) {
    return Refuse(
        collector::Refuse(Reason::kBadRequest, "the Content-Length is not a number of bytes"),
        After::kCloseUnread, true, false);
  }
  if (ec) {
    return Refuse(
        collector::Refuse(Reason::kBadRequest, "the request could not be read: " + ec.message()),
        After::kCloseUnread, true, false);
  }
  if (AcceptHead()) ReadBody();
}

void Connection::FillHead() {
  const auto& head = parser_->get();
  request_.method = std::string(head.method_string());
  request_.target = std::string(head.target());
  const size_t question = request_.target.find('?');
  request_.path = request_.target.substr(0, question);
  request_.query = question == std::string::npos ? "" : request_.target.substr(question + 1);
  request_.headers.clear();
  for (const auto& field : head) {
    request_.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  request_.body.clear();
}

// The door rules that need only the head. Answers and returns false when one refuses.
bool Connection::AcceptHead() {
  const ServerOptions& options = core_.options;
  if (request_.headers.size() > options.max_header_fields) {
    Refuse(collector::Refuse(Reason::kHeadersTooLarge,
                             "the request has more than " +
                                 std::to_string(options.max_header_fields) + " header fields"),
           After::kCloseUnread, true, false);
    return false;
  }
  if (request_.target.size() > options.max_path_bytes) {
    Refuse(collector::Refuse(Reason::kUriTooLong, "the request target is longer than " +
                                                      std::to_string(options.max_path_bytes) +
                                                      " bytes"),
           After::kCloseUnread, true, false);
    return false;
  }
  const auto transfer_encoding = request_.Header("Transfer-Encoding");
  const bool has_length = request_.Header("Content-Length").has_value();
  if (transfer_encoding && has_length) {
    // RFC 9112 6.3: a message with both may be a smuggling attempt; it is never trusted.
    Refuse(collector::Refuse(Reason::kBadRequest,
                             "Transfer-Encoding and Content-Length together are not accepted"),
           After::kCloseUnread, true, false);
    return false;
  }
  if (transfer_encoding && !EqualsIgnoringCase(Trim(*transfer_encoding), "chunked")) {
    Refuse(collector::Refuse(Reason::kBadRequest, "the only Transfer-Encoding accepted is chunked"),
           After::kCloseUnread, true, false);
    return false;
  }
  if (request_.method == "POST" && !transfer_encoding && !has_length) {
    Refuse(collector::Refuse(Reason::kLengthRequired,
                             "a POST needs a Content-Length or a chunked body"),
           After::kCloseUnread, true, false);
    return false;
  }
  const auto length = parser_->content_length();
  reserved_bytes_ =
      length ? static_cast<size_t>(*length) : (transfer_encoding ? options.max_body_bytes : 0);
  if (core_.pending_body_bytes.fetch_add(reserved_bytes_) + reserved_bytes_ >
      options.max_pending_body_bytes) {
    Refuse(collector::Refuse(Reason::kOverloaded, "too many request bodies are in memory"),
           After::kCloseUnread, false, false);
    return false;
  }
  keep_alive_ = parser_->get().keep_alive();
  return true;
}

void Connection::ReadBody() {
  phase_ = Phase::kBody;
  body_started_ = Clock::now();
  body_bytes_ = 0;
  if (parser_->is_done()) return Dispatch();
  auto expect = request_.Header("Expect");
  if (expect && EqualsIgnoringCase(Trim(*expect), "100-continue")) {
    Disarm();
    static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    Arm(core_.options.write_timeout);
    asio::async_write(socket_, asio::buffer(kContinue),
                      [self = shared_from_this()](error_code ec, size_t) {
                        if (ec) return self->Close();
                        self->OnBody({}, 0);
                      });
    return;
  }
  OnBody({}, 0);
}

// Reads the body on, each read under a deadline that grows with what has arrived: at least
// min_body_bytes_per_second after body_grace, so a trickle is cut and a steady client is not.
void Connection::OnBody(error_code ec, size_t bytes) {
  if (phase_ == Phase::kClosed) return;
  body_bytes_ += bytes;
  if (timed_out_) {
    return Refuse(collector::Refuse(Reason::kRequestTimeout, "the body arrived too slowly"),
                  After::kClose, false, false);
  }
  if (ec == http::error::body_limit) {
    return Refuse(BodyTooLarge(), After::kCloseUnread, true, false);
  }
  if (ec == http::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == http::error::partial_message) {
    return Close();
  }
  if (ec) {
    return Refuse(collector::Refuse(Reason::kBadRequest,
                                    "the request body could not be read: " + ec.message()),
                  After::kCloseUnread, true, false);
  }
  if (parser_->is_done()) return Dispatch();
  const size_t rate = std::max<size_t>(1, core_.options.min_body_bytes_per_second);
  ArmAt(body_started_ + core_.options.body_grace +
        std::chrono::microseconds(body_bytes_ * 1000000 / rate));
  http::async_read_some(socket_, buffer_, *parser_,
                        [self = shared_from_this()](error_code read_ec, size_t read) {
                          self->OnBody(read_ec, read);
                        });
}

// --- Handling --------------------------------------------------------------------------------

void Connection::Dispatch() {
  Disarm();
  request_.body = std::move(parser_->get().body());
  parser_.reset();
  core_.metrics->AddBytesIn(request_.body.size());
  for (const auto& [prefix, handler] : core_.routes) {
    if (request_.path.compare(0, prefix.size(), prefix) == 0) return CallRoute(handler);
  }
  if (request_.method == "GET" && request_.path == "/health") {
    return Answer(200, "ok\n", After::kKeepAlive);
  }
  if (request_.method == "GET" && request_.path == "/metrics") {
    return Answer(200, core_.metrics->RenderPrometheus(), After::kKeepAlive);
  }
  if (request_.method == "POST" && request_.path == "/noop") {
    return Answer(200, "ok\n", After::kKeepAlive);
  }
  if (request_.method == "POST" && Ingesting()) return Submit();
  Refuse(collector::Refuse(Reason::kUnknownRoute,
                           "no endpoint " + request_.method + " " + request_.path.substr(0, 200)),
         After::kKeepAlive, true, request_.method == "POST");
}

void Connection::Submit() {
  observe_ingest_ = true;
  Result<Submission> submission = ParseSubmitPath(request_.path);
  if (!submission.ok()) return Refuse(submission.status(), After::kKeepAlive, true, true);
  submission->content_type = std::string(request_.Header("Content-Type").value_or(""));
  submission->content_encoding = std::string(request_.Header("Content-Encoding").value_or(""));
  submission->body = request_.body;
  submission->received_ms = core_.clock->NowMillis();
  Result<Document> document = core_.ingester->Ingest(*submission);
  if (!document.ok()) return Refuse(document.status(), After::kKeepAlive, true, true);
  document_ = std::move(*document);
  const Status queued = QueueForCommit(&document_);
  if (queued.ok()) return;
  Refuse(collector::Refuse(Reason::kOverloaded, queued.message()), After::kKeepAlive, false, false);
}

// Hands the document or rejection row to the group committer; its outcome comes back through
// the loop (Committed). On failure (queue full, stopping) nothing is outstanding.
template <typename Record>
Status Connection::QueueForCommit(const Record* record) {
  phase_ = Phase::kWaiting;
  waiting_for_rejection_ = std::is_same_v<Record, Rejection>;
  core_.outstanding.fetch_add(1);
  auto self = shared_from_this();
  const Status queued = core_.committer->Submit(
      record, [self](const Result<bool>& outcome) { self->loop_.Complete(self, outcome); });
  if (!queued.ok()) core_.outstanding.fetch_sub(1);
  return queued;
}

void Connection::CallRoute(const RouteHandler& handler) {
  phase_ = Phase::kWaiting;
  core_.outstanding.fetch_add(1);
  asio::post(*core_.route_pool, [self = shared_from_this(), &handler] {
    HttpResponse response;
    try {
      response = handler(self->request_);
    } catch (...) {
      response = HttpResponse{.status = 500, .body = "internal_error\n"};
    }
    asio::post(self->loop_.context(), [self, response = std::move(response)]() mutable {
      if (self->phase_ != Phase::kClosed) {
        self->extra_headers_ = std::move(response.headers);
        self->extra_headers_.emplace_back("Content-Type", std::move(response.content_type));
        self->Answer(response.status, std::move(response.body), After::kKeepAlive);
      }
      self->core_.outstanding.fetch_sub(1);
      self->core_.maybe_finished();
    });
  });
}

void Connection::Committed(Result<bool> outcome) {
  const bool was_rejection = waiting_for_rejection_;
  core_.outstanding.fetch_sub(1);
  if (phase_ != Phase::kClosed) {
    if (was_rejection) {
      // The refusal's answer does not depend on whether its row could be stored.
      Answer(pending_status_, std::move(pending_body_), pending_after_);
    } else if (!outcome.ok()) {
      core_.metrics->CountRejection(ReasonName(Reason::kStorageUnavailable));
      extra_headers_.emplace_back("Retry-After", std::to_string(core_.options.retry_after_seconds));
      Answer(HttpStatusOf(Reason::kStorageUnavailable),
             "storage_unavailable: " + outcome.status().message() + "\n", After::kKeepAlive);
    } else {
      core_.metrics->CountStored(!*outcome);
      Answer(200, *outcome ? "ok\n" : "ok (duplicate)\n", After::kKeepAlive);
    }
  }
  core_.maybe_finished();
}

// Answers with the refusal's status and reason and counts it; with `record`, first stores the
// rejection row (the answer waits for its commit, so a client that sees the answer finds the
// row), with the body sealed when `keep_body`.
void Connection::Refuse(const Status& refusal, After after, bool record, bool keep_body) {
  const Reason reason = ReasonOf(refusal);
  const int status = HttpStatusOf(reason);
  core_.metrics->CountRejection(ReasonName(reason));
  if (reason == Reason::kOverloaded || reason == Reason::kStorageUnavailable) {
    extra_headers_.emplace_back("Retry-After", std::to_string(core_.options.retry_after_seconds));
  }
  if (!record || !Ingesting()) return Answer(status, refusal.message() + "\n", after);
  std::string sealed;
  if (keep_body && !request_.body.empty()) sealed = core_.ingester->SealRejectedBody(request_.body);
  rejection_ =
      MakeRejection(request_, refusal, status, core_.clock->NowMillis(), std::move(sealed));
  pending_status_ = status;
  pending_body_ = refusal.message() + "\n";
  pending_after_ = after;
  Disarm();
  if (QueueForCommit(&rejection_).ok()) return;
  Answer(status, std::move(pending_body_), after);  // Best effort: the row is lost, not the answer.
}

// --- Writing ---------------------------------------------------------------------------------

void Connection::Answer(int status, std::string body, After after) {
  ++requests_;
  if (after == After::kKeepAlive && (!keep_alive_ || draining_ || core_.stopping.load() ||
                                     requests_ >= core_.options.keep_alive_max_requests)) {
    after = After::kClose;
  }
  core_.metrics->CountRequest(status);
  if (observe_ingest_) {
    observe_ingest_ = false;
    core_.metrics->ObserveIngestSeconds(
        std::chrono::duration<double>(Clock::now() - request_started_).count());
  }
  bool has_type = false;
  for (const auto& [name, value] : extra_headers_) has_type = has_type || name == "Content-Type";
  out_.clear();
  out_ += "HTTP/1.1 ";
  out_ += std::to_string(status);
  out_ += ' ';
  const auto phrase = http::obsolete_reason(http::int_to_status(status));
  out_.append(phrase.data(), phrase.size());
  out_ += "\r\n";
  if (!has_type) out_ += "Content-Type: text/plain; charset=utf-8\r\n";
  for (const auto& [name, value] : extra_headers_) {
    out_ += name;
    out_ += ": ";
    out_ += value;
    out_ += "\r\n";
  }
  extra_headers_.clear();
  out_ += "Content-Length: ";
  out_ += std::to_string(body.size());
  out_ += after == After::kKeepAlive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
  out_ += body;
  Write(after);
}

void Connection::Write(After after) {
  phase_ = Phase::kWriting;
  core_.pending_body_bytes.fetch_sub(reserved_bytes_);
  reserved_bytes_ = 0;
  request_.body.clear();
  request_.body.shrink_to_fit();
  document_ = Document();
  rejection_ = Rejection();
  Arm(core_.options.write_timeout);
  asio::async_write(
      socket_, asio::buffer(out_),
      [self = shared_from_this(), after](error_code ec, size_t) { self->OnWritten(ec, after); });
}

void Connection::OnWritten(error_code ec, After after) {
  if (phase_ == Phase::kClosed) return;
  if (ec) return Close();
  if (after == After::kKeepAlive) return ReadIdle();
  if (after == After::kCloseUnread) return Linger();
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  Close();
}

// The client may still be sending a body we will not read: closing now would reset the
// connection and could destroy our answer before the client reads it. Read and drop a little
// more (bounded in bytes and time) after shutting our side down.
void Connection::Linger() {
  phase_ = Phase::kLingering;
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  buffer_.consume(buffer_.size());
  body_bytes_ = 0;
  Arm(kLingerTime);
  struct Drop {
    std::shared_ptr<Connection> self;
    void operator()(error_code ec = {}, size_t bytes = 0) {
      Connection& c = *self;
      c.body_bytes_ += bytes;
      if (ec || c.body_bytes_ > kLingerBytes || c.phase_ == Phase::kClosed) return c.Close();
      c.buffer_.consume(c.buffer_.size());
      c.socket_.async_read_some(c.buffer_.prepare(65536), [self = self](error_code e, size_t n) {
        self->buffer_.commit(n);
        Drop{self}(e, n);
      });
    }
  };
  Drop{shared_from_this()}();
}

void Connection::Close() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  Disarm();
  error_code ignored;
  socket_.close(ignored);
  core_.pending_body_bytes.fetch_sub(reserved_bytes_);
  reserved_bytes_ = 0;
  loop_.Remove(this);
  core_.live_connections.fetch_sub(1);
  core_.metrics->AddOpenConnections(-1);
  core_.maybe_finished();
}

}  // namespace telemetry::collector
