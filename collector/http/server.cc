#include "collector/http/server.h"

#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "collector/http/connection.h"
#include "collector/http/event_loop.h"
#include "collector/ingest/reasons.h"

namespace telemetry::collector {
namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

class HttpServer::Impl {
 public:
  Impl(ServerOptions options, Metrics* metrics, const Clock* clock, const Ingester* ingester,
       GroupCommitter* committer) {
    core_.options = std::move(options);
    core_.metrics = metrics;
    core_.clock = clock;
    core_.ingester = ingester;
    core_.committer = committer;
    core_.maybe_finished = [this] { MaybeFinished(); };
    const size_t loops = std::max<size_t>(1, core_.options.io_threads);
    for (size_t i = 0; i < loops; ++i) loops_.push_back(std::make_unique<EventLoop>());
    acceptor_.emplace(loops_[0]->context());
    accept_retry_.emplace(loops_[0]->context());
    const std::string body = "overloaded: the server has too many open connections\n";
    refusal_ =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Retry-After: " +
        std::to_string(core_.options.retry_after_seconds) +
        "\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
        body;
  }

  ~Impl() {
    Stop();
    std::unique_lock lock(run_mutex_);
    run_done_.wait(lock, [this] { return !running_; });
  }

  void AddRoute(std::string prefix, RouteHandler handler) {
    core_.routes.emplace_back(std::move(prefix), std::move(handler));
  }

  Result<int> Bind();
  void Run();
  void Stop();

 private:
  void Accept();
  void OnAccepted(EventLoop& loop, tcp::socket socket);
  void DrainLoop(EventLoop& loop);
  void MaybeFinished();

  ServerCore core_;
  std::vector<std::unique_ptr<EventLoop>> loops_;
  std::optional<tcp::acceptor> acceptor_;
  std::optional<asio::steady_timer> accept_retry_;
  size_t next_loop_ = 0;
  std::string refusal_;  // The answer past max_connections.
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> finished_{false};
  std::mutex run_mutex_;
  std::condition_variable run_done_;
  bool running_ = false;
};

Result<int> HttpServer::Impl::Bind() {
  error_code ec;
  const auto address = asio::ip::make_address(core_.options.host, ec);
  if (ec)
    return Status::InvalidArgument("cannot listen on " + core_.options.host + ": " + ec.message());
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(core_.options.port));
  const std::string where = core_.options.host + ":" + std::to_string(core_.options.port);
  acceptor_->open(endpoint.protocol(), ec);
  if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_->bind(endpoint, ec);
  if (!ec) acceptor_->listen(4096, ec);
  if (ec) return Status::Unavailable("cannot listen on " + where + ": " + ec.message());
  return static_cast<int>(acceptor_->local_endpoint().port());
}

void HttpServer::Impl::Run() {
  {
    std::lock_guard lock(run_mutex_);
    if (stop_requested_.load() || !acceptor_->is_open()) return;
    running_ = true;
  }
  if (!core_.routes.empty()) {
    core_.route_pool =
        std::make_unique<asio::thread_pool>(std::max<size_t>(1, core_.options.route_threads));
  }
  Accept();
  std::vector<std::thread> threads;
  for (size_t i = 1; i < loops_.size(); ++i) {
    threads.emplace_back([loop = loops_[i].get()] { loop->context().run(); });
  }
  loops_[0]->context().run();
  for (std::thread& thread : threads) thread.join();
  if (core_.route_pool != nullptr) core_.route_pool->join();
  std::lock_guard lock(run_mutex_);
  running_ = false;
  run_done_.notify_all();
}

void HttpServer::Impl::Stop() {
  if (stop_requested_.exchange(true)) return;
  core_.stopping.store(true);
  asio::post(loops_[0]->context(), [this] {
    error_code ignored;
    acceptor_->close(ignored);
    accept_retry_->cancel();
  });
  for (auto& loop : loops_) {
    asio::post(loop->context(), [this, loop = loop.get()] { DrainLoop(*loop); });
  }
}

// Idle connections close now, busy ones after their answer; at the drain deadline the rest.
void HttpServer::Impl::DrainLoop(EventLoop& loop) {
  for (const auto& connection : loop.Connections()) connection->Drain();
  // Another loop may have drained first and found nothing left: MaybeFinished() then released
  // this loop before this ran, and a timer armed now would hold it for the whole drain_timeout.
  if (finished_.load()) return;
  loop.drain_timer().expires_after(core_.options.drain_timeout);
  loop.drain_timer().async_wait([&loop](error_code ec) {
    if (ec) return;
    for (const auto& connection : loop.Connections()) connection->Abort();
  });
  MaybeFinished();
}

// Once stopping, with no connection left and no commit or route call still out, every loop may
// end: its run() returns when its last handler has run.
void HttpServer::Impl::MaybeFinished() {
  if (!core_.stopping.load() || core_.live_connections.load() != 0 ||
      core_.outstanding.load() != 0 || finished_.exchange(true)) {
    return;
  }
  for (auto& loop : loops_) {
    asio::post(loop->context(), [loop = loop.get()] {
      loop->drain_timer().cancel();
      loop->ReleaseWork();
    });
  }
}

void HttpServer::Impl::Accept() {
  EventLoop& loop = *loops_[next_loop_++ % loops_.size()];
  acceptor_->async_accept(loop.context(), [this, &loop](error_code ec, tcp::socket socket) {
    if (!acceptor_->is_open()) return;
    if (!ec) {
      OnAccepted(loop, std::move(socket));
      return Accept();
    }
    // Out of descriptors, most likely: retry shortly instead of spinning.
    accept_retry_->expires_after(std::chrono::milliseconds(50));
    accept_retry_->async_wait([this](error_code wait_ec) {
      if (!wait_ec && acceptor_->is_open()) Accept();
    });
  });
}

void HttpServer::Impl::OnAccepted(EventLoop& loop, tcp::socket socket) {
  if (core_.stopping.load()) return;  // The socket closes as it goes out of scope.
  if (core_.live_connections.load() >= core_.options.max_connections) {
    // Answered without a read: the socket is fresh, so this small write does not block.
    ::send(socket.native_handle(), refusal_.data(), refusal_.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    core_.metrics->CountRequest(503);
    core_.metrics->CountRejection(ReasonName(Reason::kOverloaded));
    error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    return;
  }
  core_.live_connections.fetch_add(1);
  core_.metrics->AddOpenConnections(1);
  auto connection = std::make_shared<Connection>(core_, loop, std::move(socket));
  asio::post(loop.context(), [connection] { connection->Start(); });
}

HttpServer::HttpServer(ServerOptions options, Metrics* metrics, const Clock* clock,
                       const Ingester* ingester, GroupCommitter* committer)
    : impl_(std::make_unique<Impl>(std::move(options), metrics, clock, ingester, committer)) {}

HttpServer::~HttpServer() = default;

void HttpServer::AddRoute(std::string prefix, RouteHandler handler) {
  impl_->AddRoute(std::move(prefix), std::move(handler));
}

Result<int> HttpServer::Bind() { return impl_->Bind(); }
void HttpServer::Run() { impl_->Run(); }
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace telemetry::collector
