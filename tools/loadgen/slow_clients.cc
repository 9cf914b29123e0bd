#include "tools/loadgen/slow_clients.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/buffer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <string_view>
#include <thread>
#include <vector>

#include "tools/loadgen/endpoint.h"

namespace telemetry::loadgen {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A head that never ends: after this prefix, the X-Slow value grows one byte at a time.
constexpr std::string_view kHeadPrefix =
    "POST /noop HTTP/1.1\r\nHost: loadgen\r\nContent-Type: application/x-protobuf\r\nX-Slow: ";

// Written by the connections' thread only; atomics so that stats() may read them anywhere.
struct Counters {
  std::atomic<size_t> open{0}, min_open{0}, cut{0}, answered_408{0}, answered_other{0},
      connect_failures{0}, bytes_sent{0};
  std::atomic<bool> measuring{false};

  void Closed() {
    const size_t now = open.fetch_sub(1) - 1;
    if (measuring && now < min_open) min_open = now;
  }
};

// One slow connection. Every callback carries the generation it was started in, so that those
// of a connection already cut and reopened do nothing.
class SlowConnection {
 public:
  SlowConnection(asio::io_context& io, const tcp::endpoint& endpoint, Counters& counters, bool idle,
                 std::chrono::milliseconds interval, std::chrono::milliseconds first)
      : socket_(io),
        timer_(io),
        endpoint_(endpoint),
        counters_(counters),
        idle_(idle),
        interval_(interval),
        first_(first) {}

  void Open() {
    const uint64_t generation = ++generation_;
    socket_.async_connect(endpoint_, [this, generation](const boost::system::error_code& error) {
      if (Stale(generation)) return;
      if (error) return Retry();
      counters_.open.fetch_add(1);
      connected_ = true;
      sent_ = 0;
      Watch(generation);
      if (!idle_) Wait(first_, generation);
    });
  }

  void Close() {
    stopping_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);
    timer_.cancel();
  }

 private:
  bool Stale(uint64_t generation) const { return stopping_ || generation != generation_; }

  void Retry() {
    counters_.connect_failures.fetch_add(1);
    OpenLater();
  }

  // Past the server's connection cap (or with it down), reopening at once would spin.
  void OpenLater() {
    boost::system::error_code ignored;
    socket_.close(ignored);
    const uint64_t generation = ++generation_;  // this connection's callbacks in flight: stale
    timer_.expires_after(std::chrono::milliseconds(100));
    timer_.async_wait([this, generation](const boost::system::error_code& error) {
      if (!error && !Stale(generation)) Open();
    });
  }

  void Wait(std::chrono::milliseconds delay, uint64_t generation) {
    timer_.expires_after(delay);
    timer_.async_wait([this, generation](const boost::system::error_code& error) {
      if (!error && !Stale(generation)) Trickle(generation);
    });
  }

  void Trickle(uint64_t generation) {
    byte_ = sent_ < kHeadPrefix.size() ? kHeadPrefix[sent_] : 'a';
    asio::async_write(socket_, asio::buffer(&byte_, 1),
                      [this, generation](const boost::system::error_code& error, size_t) {
                        if (Stale(generation)) return;
                        if (error) return Cut({});
                        ++sent_;
                        counters_.bytes_sent.fetch_add(1);
                        Wait(interval_, generation);
                      });
  }

  // Whatever the server sends (a 408 or 503, or the close itself) ends this connection.
  void Watch(uint64_t generation) {
    socket_.async_read_some(
        asio::buffer(answer_),
        [this, generation](const boost::system::error_code& error, size_t bytes) {
          if (Stale(generation)) return;
          Cut(error ? std::string_view() : std::string_view(answer_.data(), bytes));
        });
  }

  void Cut(std::string_view answer) {
    counters_.cut.fetch_add(1);
    if (connected_) counters_.Closed();
    connected_ = false;
    if (answer.substr(0, 13) == "HTTP/1.1 408 ") {
      counters_.answered_408.fetch_add(1);
    } else if (answer.substr(0, 7) == "HTTP/1.") {
      counters_.answered_other.fetch_add(1);  // a 503 at the cap: not what the phase measures
      return OpenLater();
    }
    boost::system::error_code ignored;
    socket_.close(ignored);
    timer_.cancel();
    Open();
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  const tcp::endpoint endpoint_;
  Counters& counters_;
  const bool idle_;
  const std::chrono::milliseconds interval_;
  const std::chrono::milliseconds first_;  // the first byte's delay: spreads the writes out
  uint64_t generation_ = 0;
  bool connected_ = false;
  bool stopping_ = false;
  size_t sent_ = 0;
  char byte_ = 0;
  std::array<char, 256> answer_;
};

}  // namespace

class SlowClients::Impl {
 public:
  explicit Impl(SlowOptions options) : options_(std::move(options)) {}
  ~Impl() { Stop(); }

  Status Start(std::chrono::milliseconds within) {
    const Result<tcp::endpoint> endpoint = ResolveEndpoint(options_.host, options_.port);
    if (!endpoint.ok()) return endpoint.status();
    const int idle = options_.count * std::clamp(options_.idle_percent, 0, 100) / 100;
    for (int i = 0; i < options_.count; ++i) {
      const auto first = options_.byte_interval * i / std::max(1, options_.count);
      connections_.push_back(std::make_unique<SlowConnection>(io_, *endpoint, counters_, i < idle,
                                                              options_.byte_interval, first));
      connections_.back()->Open();
    }
    thread_ = std::thread([this] { io_.run(); });
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (counters_.open < static_cast<size_t>(options_.count)) {
      if (std::chrono::steady_clock::now() >= deadline) {
        const SlowStats stats = Stop();
        return Status::Unavailable(
            "only " + std::to_string(stats.open) + " of " + std::to_string(options_.count) +
            " slow connections open after " + std::to_string(within.count()) + " ms (" +
            std::to_string(stats.connect_failures) + " connects failed)");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    counters_.min_open = counters_.open.load();
    counters_.measuring = true;
    return Status::Ok();
  }

  SlowStats stats() const {
    return {.open = counters_.open,
            .min_open = counters_.min_open,
            .cut = counters_.cut,
            .answered_408 = counters_.answered_408,
            .answered_other = counters_.answered_other,
            .connect_failures = counters_.connect_failures,
            .bytes_sent = counters_.bytes_sent};
  }

  SlowStats Stop() {
    const SlowStats last = stats();  // before the closing below changes `open`
    if (thread_.joinable()) {
      asio::post(io_, [this] {
        for (auto& connection : connections_) connection->Close();
      });
      work_.reset();
      thread_.join();
    }
    return last;
  }

 private:
  SlowOptions options_;
  asio::io_context io_{1};
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  Counters counters_;
  std::vector<std::unique_ptr<SlowConnection>> connections_;
  std::thread thread_;
};

SlowClients::SlowClients(SlowOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
SlowClients::~SlowClients() = default;
Status SlowClients::Start(std::chrono::milliseconds within) { return impl_->Start(within); }
SlowStats SlowClients::stats() const { return impl_->stats(); }
SlowStats SlowClients::Stop() { return impl_->Stop(); }

}  // namespace telemetry::loadgen
