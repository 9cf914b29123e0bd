#include "tools/loadgen/http_client.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>

#include "tools/loadgen/endpoint.h"
#include "tools/loadgen/response_parser.h"

namespace telemetry::loadgen {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

// What every connection of one run shares. Only `next`, `reconnects` and `first_error` are
// written by more than one loop; each request's slot in `result` is written by one connection.
struct Shared {
  const LoadOptions& options;
  const std::vector<std::string>& requests;
  tcp::endpoint endpoint;
  LoadResult* result;
  std::atomic<size_t> next{0};
  std::atomic<size_t> reconnects{0};
  std::mutex error_mutex;

  void NoteError(std::string_view error) {
    std::lock_guard lock(error_mutex);
    if (result->first_error.empty()) result->first_error = std::string(error);
  }
};

class Connection {
 public:
  // `on_done` runs once, when the connection has stopped for good.
  Connection(asio::io_context& io, Shared& run, std::function<void()> on_done)
      : socket_(io), run_(run), on_done_(std::move(on_done)) {}

  void Start() { Connect(/*reopening=*/false); }

  // Called by the loop's watchdog: closing the socket fails the request in flight.
  void CheckTimeout(SteadyClock::time_point now) {
    if (current_ == kIdle || now - started_ < run_.options.request_timeout) return;
    timed_out_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  static constexpr size_t kIdle = static_cast<size_t>(-1);

  void Connect(bool reopening) {
    boost::system::error_code ignored;
    socket_.close(ignored);
    parser_ = ResponseParser();  // nothing of the last connection's bytes carries over
    if (reopening) run_.reconnects.fetch_add(1, std::memory_order_relaxed);
    socket_.async_connect(run_.endpoint, [this](const boost::system::error_code& error) {
      if (error) {
        run_.NoteError("could not connect to " + run_.options.host + ":" +
                       std::to_string(run_.options.port) + ": " + error.message());
        return on_done_();
      }
      boost::system::error_code no_delay_refused;  // only slower, not wrong
      socket_.set_option(tcp::no_delay(true), no_delay_refused);
      SendNext();
    });
  }

  void SendNext() {
    const auto& stop_at = run_.options.stop_at;
    const size_t i = run_.next.fetch_add(1, std::memory_order_relaxed);
    if (i >= run_.requests.size() || (stop_at && SteadyClock::now() >= *stop_at)) {
      boost::system::error_code ignored;
      socket_.close(ignored);
      return on_done_();
    }
    current_ = i;
    parser_.Reset();
    started_ = SteadyClock::now();
    asio::async_write(socket_, asio::buffer(run_.requests[i]),
                      [this](const boost::system::error_code& error, size_t) {
                        if (error) return Fail("writing the request: " + error.message());
                        Read();
                      });
  }

  void Read() {
    socket_.async_read_some(asio::buffer(buffer_),
                            [this](const boost::system::error_code& error, size_t bytes) {
                              if (error == asio::error::eof)
                                return Fail("the server closed before answering");
                              if (error) return Fail("reading the response: " + error.message());
                              switch (parser_.Feed(std::string_view(buffer_.data(), bytes))) {
                                case ResponseParser::State::kNeedMore:
                                  return Read();
                                case ResponseParser::State::kError:
                                  return Fail("bad response: " + parser_.error());
                                case ResponseParser::State::kDone:
                                  return Answered();
                              }
                            });
  }

  void Answered() {
    Record(static_cast<int16_t>(parser_.status()));
    if (parser_.status() != 200) {
      run_.NoteError("answered " + std::to_string(parser_.status()) + " \"" +
                     std::string(parser_.body().substr(0, 200)) + "\"");
    }
    if (parser_.keep_alive()) return SendNext();
    Connect(/*reopening=*/true);
  }

  void Fail(std::string error) {
    if (timed_out_) {
      error = "no response within " + std::to_string(run_.options.request_timeout.count()) + " ms";
    }
    timed_out_ = false;
    run_.NoteError(error);
    Record(kNoResponse);
    Connect(/*reopening=*/true);
  }

  void Record(int16_t status) {
    const std::chrono::duration<float, std::milli> took = SteadyClock::now() - started_;
    run_.result->status[current_] = status;
    run_.result->latency_ms[current_] = took.count();
    current_ = kIdle;
  }

  tcp::socket socket_;
  Shared& run_;
  std::function<void()> on_done_;
  ResponseParser parser_;
  std::array<char, 16 * 1024> buffer_;
  size_t current_ = kIdle;
  SteadyClock::time_point started_;
  bool timed_out_ = false;
};

// One event loop and the connections it drives; a watchdog times out requests until the last
// connection is done, which ends the loop at once.
class Loop {
 public:
  Loop(Shared& run, int connections) : io_(1), watchdog_(io_), running_(connections) {
    for (int c = 0; c < connections; ++c) {
      connections_.push_back(std::make_unique<Connection>(io_, run, [this] {
        if (--running_ == 0) watchdog_.cancel();
      }));
    }
  }

  void Run() {
    for (auto& connection : connections_) connection->Start();
    Watch();
    io_.run();
  }

 private:
  void Watch() {
    watchdog_.expires_after(std::chrono::milliseconds(200));
    watchdog_.async_wait([this](const boost::system::error_code& error) {
      if (error || running_ == 0) return;
      const auto now = SteadyClock::now();
      for (auto& connection : connections_) connection->CheckTimeout(now);
      Watch();
    });
  }

  asio::io_context io_;
  asio::steady_timer watchdog_;
  int running_;  // connections not done yet
  std::vector<std::unique_ptr<Connection>> connections_;
};

}  // namespace

size_t LoadResult::answered(int code) const {
  return static_cast<size_t>(std::count(status.begin(), status.end(), code));
}

size_t LoadResult::failed() const { return status.size() - answered(200) - unsent(); }

size_t LoadResult::unsent() const { return answered(kNotSent); }

LoadResult RunLoad(const LoadOptions& options, const std::vector<std::string>& requests) {
  LoadResult result;
  result.status.assign(requests.size(), kNotSent);
  result.latency_ms.assign(requests.size(), 0);
  const Result<tcp::endpoint> endpoint = ResolveEndpoint(options.host, options.port);
  if (!endpoint.ok()) {
    result.first_error = endpoint.status().message();
    return result;
  }
  Shared run{.options = options, .requests = requests, .endpoint = *endpoint, .result = &result};
  const int threads = std::clamp(options.threads, 1, std::max(1, options.connections));
  std::vector<std::unique_ptr<Loop>> loops;
  for (int t = 0; t < threads; ++t) {
    const int share = options.connections / threads + (t < options.connections % threads ? 1 : 0);
    loops.push_back(std::make_unique<Loop>(run, share));
  }
  const auto started = SteadyClock::now();
  std::vector<std::thread> running;
  for (auto& loop : loops) running.emplace_back([&loop] { loop->Run(); });
  for (auto& thread : running) thread.join();
  result.seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
  result.reconnects = run.reconnects.load();
  return result;
}

}  // namespace telemetry::loadgen
