// Connection: one client's TCP connection, read and answered one request at a time on its
// event loop, and ServerCore, what every connection of a server shares.
//
// A request goes through phases, each under its own deadline (server.h): idle (waiting for its
// first byte), head, body, then waiting (for the group commit or a route thread), then writing
// the answer. Pipelined requests wait in the read buffer and are taken in order. Refusals made
// before the body is read close the connection after a short linger, so the client sees the
// answer instead of a reset.
//
// Thread safety: every method runs on the connection's loop thread, except that the commit's
// outcome arrives through EventLoop::Complete().
#ifndef TELEMETRY_COLLECTOR_HTTP_CONNECTION_H_
#define TELEMETRY_COLLECTOR_HTTP_CONNECTION_H_

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collector/http/event_loop.h"
#include "collector/http/http_message.h"
#include "collector/http/metrics.h"
#include "collector/http/server.h"
#include "collector/ingest/ingester.h"
#include "collector/model/records.h"
#include "collector/storage/group_committer.h"
#include "telemetry/base/clock.h"
#include "telemetry/base/status.h"

namespace telemetry::collector {

struct ServerCore {
  ServerOptions options;
  Metrics* metrics = nullptr;
  const Clock* clock = nullptr;
  const Ingester* ingester = nullptr;  // Both null: no ingestion endpoints.
  GroupCommitter* committer = nullptr;
  std::vector<std::pair<std::string, RouteHandler>> routes;
  std::unique_ptr<boost::asio::thread_pool> route_pool;  // Only when there are routes.

  std::atomic<bool> stopping{false};
  std::atomic<size_t> live_connections{0};
  std::atomic<size_t> pending_body_bytes{0};
  // Commits and route calls whose outcome has not yet come back to its loop.
  std::atomic<size_t> outstanding{0};
  // Called whenever a connection closes or outstanding work returns while stopping.
  std::function<void()> maybe_finished;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ServerCore& core, EventLoop& loop, boost::asio::ip::tcp::socket socket);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void Start();
  // The server is draining: an idle connection closes now, a busy one after its answer.
  void Drain();
  // The drain deadline passed: close whatever is in progress.
  void Abort();
  // The group commit's outcome for this connection's document or rejection row.
  void Committed(Result<bool> outcome);

 private:
  enum class Phase { kIdle, kHead, kBody, kWaiting, kWriting, kLingering, kClosed };
  enum class After { kKeepAlive, kClose, kCloseUnread };
  using Clock = std::chrono::steady_clock;

  void ReadIdle();
  void ReadHead();
  void ParseHead();
  void OnHead(boost::system::error_code ec);
  void FillHead();
  bool AcceptHead();
  void ReadBody();
  void OnBody(boost::system::error_code ec, size_t bytes);
  void Dispatch();
  void Submit();
  template <typename Record>
  Status QueueForCommit(const Record* record);
  void CallRoute(const RouteHandler& handler);
  void Refuse(const Status& refusal, After after, bool record, bool keep_body);
  Status BodyTooLarge() const;
  void Answer(int status, std::string body, After after);
  void Write(After after);
  void OnWritten(boost::system::error_code ec, After after);
  void Linger();
  void Close();
  void Arm(Clock::duration timeout);
  void ArmAt(Clock::time_point deadline);
  void Disarm();
  bool Ingesting() const { return core_.committer != nullptr; }

  ServerCore& core_;
  EventLoop& loop_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  uint64_t timer_generation_ = 0;
  bool timed_out_ = false;
  Phase phase_ = Phase::kIdle;
  bool draining_ = false;
  size_t requests_ = 0;

  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  HttpRequest request_;
  bool keep_alive_ = true;
  size_t reserved_bytes_ = 0;
  Clock::time_point body_started_;
  size_t body_bytes_ = 0;
  size_t head_bytes_ = 0;  // Of the request head, consumed by the parser so far.
  Clock::time_point request_started_;
  bool observe_ingest_ = false;  // A /submit request: its answer is timed.

  // What the connection waits on while kWaiting.
  Document document_;
  Rejection rejection_;
  bool waiting_for_rejection_ = false;
  int pending_status_ = 0;
  std::string pending_body_;
  After pending_after_ = After::kKeepAlive;
  std::vector<std::pair<std::string, std::string>> extra_headers_;

  std::string out_;
};

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_HTTP_CONNECTION_H_
