// A real HTTP server on 127.0.0.1 for the uploader's tests (cpp-httplib), with faults to
// inject: a queue of scripted responses (status, Retry-After, a delay), and stop/start to take
// it down and bring it back on the same port.
#ifndef TELEMETRY_TESTS_HTTP_TEST_SERVER_H_
#define TELEMETRY_TESTS_HTTP_TEST_SERVER_H_

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace telemetry::testing {

class HttpTestServer {
 public:
  struct Request {
    std::string path;
    std::map<std::string, std::string> headers;
    std::string body;
  };
  struct Reply {
    int status = 200;
    std::string retry_after;  // Empty: no header.
    int delay_ms = 0;         // Before answering (a slow server).
  };

  HttpTestServer() { Start(0); }
  ~HttpTestServer() { Stop(); }

  // Listens on `port` (0: any free port).
  void Start(int port) {
    server_ = std::make_unique<httplib::Server>();
    server_->Post(R"(/submit/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      Reply reply;
      started_.fetch_add(1);
      {
        std::lock_guard lock(mu_);
        if (!replies_.empty()) {
          reply = replies_.front();
          replies_.pop_front();
        }
      }
      if (reply.delay_ms > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(reply.delay_ms));
      {
        std::lock_guard lock(mu_);
        Request request{req.path, {}, req.body};
        for (const auto& [name, value] : req.headers) request.headers[name] = value;
        (reply.status >= 200 && reply.status < 300 ? accepted_ : refused_).push_back(request);
      }
      res.status = reply.status;
      if (!reply.retry_after.empty()) res.set_header("Retry-After", reply.retry_after);
    });
    port_ = port == 0 ? server_->bind_to_any_port("127.0.0.1") : port;
    if (port != 0) server_->bind_to_port("127.0.0.1", port);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::yield();
  }

  void Stop() {
    if (!server_) return;
    server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }

  void Restart() { Start(port_); }

  void Script(std::vector<Reply> replies) {
    std::lock_guard lock(mu_);
    replies_.assign(replies.begin(), replies.end());
  }

  std::vector<Request> accepted() {
    std::lock_guard lock(mu_);
    return accepted_;
  }
  std::vector<Request> refused() {
    std::lock_guard lock(mu_);
    return refused_;
  }
  // Requests whose handling has begun (answered or not).
  int started() const { return started_.load(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> started_{0};
  std::mutex mu_;
  std::deque<Reply> replies_;
  std::vector<Request> accepted_;
  std::vector<Request> refused_;
};

}  // namespace telemetry::testing

#endif  // TELEMETRY_TESTS_HTTP_TEST_SERVER_H_
