#include "collector/http/server.h"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <string_view>
#include <thread>
#include <vector>

#include "collector/ingest/reasons.h"

namespace telemetry::collector {
namespace {

// cpp-httplib inflates gzip (and brotli) request bodies by itself, without any size limit. The
// collector decodes bodies itself, under its cap, and keeps them as received, so the header is
// moved out of the library's sight before the body is read, under this name.
constexpr const char* kOriginalEncoding = "X-Collector-Content-Encoding";

constexpr const char* kRelevantHeaders[] = {
    "Content-Type", "Content-Length", "Transfer-Encoding",    "User-Agent",       "Date",
    "X-Debug-ID",   "X-Source-Tags",  "X-PingSender-Version", "X-Telemetry-Agent"};

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 1;  // After the leading '/'.
  while (start <= path.size()) {
    const size_t end = std::min(path.find('/', start), path.size());
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

}  // namespace

class HttpServer::Handlers {
 public:
  Handlers(const ServerOptions& options, const Ingester* ingester, GroupCommitter* committer,
           Metrics* metrics, const Clock* clock)
      : options_(options),
        ingester_(ingester),
        committer_(committer),
        metrics_(metrics),
        clock_(clock) {}

  void Install(httplib::Server& server) {
    server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      return PreRouting(req, res);
    });
    server.Post(R"(/.*)",
                [this](const httplib::Request& req, httplib::Response& res) { Submit(req, res); });
    server.Get("/health", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok\n", "text/plain");
    });
    server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(metrics_->RenderPrometheus(), "text/plain; version=0.0.4");
    });
    server.set_error_handler(
        [this](const httplib::Request& req, httplib::Response& res) { LibraryError(req, res); });
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          res.status = 500;
          res.set_content("internal_error\n", "text/plain");
        });
    server.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      metrics_->CountRequest(res.status);
      metrics_->AddBytesIn(req.body.size());
    });
  }

 private:
  using HandlerResponse = httplib::Server::HandlerResponse;

  HandlerResponse PreRouting(const httplib::Request& const_req, httplib::Response& res) {
    // The Request object belongs to the library's connection loop and is not const there; the
    // hook is the only place before the body is read.
    auto& req = const_cast<httplib::Request&>(const_req);
    req.headers.erase(kOriginalEncoding);
    if (auto it = req.headers.find("Content-Encoding"); it != req.headers.end()) {
      req.headers.emplace(kOriginalEncoding, it->second);
      req.headers.erase("Content-Encoding");
    }
    if (req.method == "POST" && !req.has_header("Content-Length")) {
      Refuse(req, res,
             collector::Refuse(Reason::kLengthRequired,
                               "a POST needs a Content-Length (chunked bodies are "
                               "not accepted)"));
      return HandlerResponse::Handled;
    }
    if (req.has_header("Content-Length") &&
        !IsPlainDecimal(req.get_header_value("Content-Length"))) {
      // The library reads "-1" as 2^64 - 1 and would call it too large; it is malformed.
      Refuse(req, res,
             collector::Refuse(Reason::kBadRequest, "the Content-Length is not a number of bytes"));
      return HandlerResponse::Handled;
    }
    return HandlerResponse::Unhandled;
  }

  // RFC 9110's Content-Length: 1*DIGIT, and short enough to mean a size.
  static bool IsPlainDecimal(const std::string& value) {
    return !value.empty() && value.size() <= 18 &&
           value.find_first_not_of("0123456789") == std::string::npos;
  }

  void Submit(const httplib::Request& req, httplib::Response& res) {
    const auto started = std::chrono::steady_clock::now();
    HandleSubmit(req, res);
    metrics_->ObserveIngestSeconds(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }

  void HandleSubmit(const httplib::Request& req, httplib::Response& res) {
    if (req.target.size() > options_.max_path_bytes) {
      return Refuse(req, res,
                    collector::Refuse(Reason::kUriTooLong,
                                      "the request target is longer than " +
                                          std::to_string(options_.max_path_bytes) + " bytes"));
    }
    if (req.path == "/noop") {
      res.set_content("ok\n", "text/plain");
      return;
    }
    const std::vector<std::string_view> parts = Split(req.path);
    Submission submission;
    bool routed = false;
    if (parts.size() == 8 && parts[0] == "submit" && parts[1] == "telemetry") {
      submission.route = Submission::Route::kFirefox;
      submission.namespace_name = "telemetry";
      submission.doc_id = parts[2];
      submission.doc_type = parts[3];
      routed = true;
    } else if (parts.size() == 5 && parts[0] == "submit") {
      submission.route = Submission::Route::kGeneric;
      submission.namespace_name = parts[1];
      submission.doc_type = parts[2];
      submission.doc_version = parts[3];
      submission.doc_id = parts[4];
      routed = true;
    }
    for (std::string_view part : parts) routed = routed && !part.empty();
    if (!routed) {
      return Refuse(req, res, collector::Refuse(Reason::kUnknownRoute, "no endpoint " + req.path));
    }
    // Firefox's app, version, channel and build id; the ingester checks namespace and type.
    for (size_t i = 4; submission.route == Submission::Route::kFirefox && i < parts.size(); ++i) {
      if (!IsValidName(parts[i])) {
        return Refuse(req, res,
                      collector::Refuse(Reason::kInvalidUri,
                                        "the app, version, channel and build id may hold only "
                                        "letters, digits, '-', '_' and '.'"));
      }
    }
    submission.path = req.path;
    submission.content_type = req.get_header_value("Content-Type");
    submission.content_encoding = req.get_header_value(kOriginalEncoding);
    submission.body = req.body;
    submission.received_ms = clock_->NowMillis();
    Result<Document> document = ingester_->Ingest(submission);
    if (!document.ok()) return Refuse(req, res, document.status());
    Result<bool> stored = committer_->Write(*document);
    if (!stored.ok()) {
      metrics_->CountRejection(ReasonName(Reason::kStorageUnavailable));
      res.status = HttpStatusOf(Reason::kStorageUnavailable);
      res.set_content("storage_unavailable: " + stored.status().message() + "\n", "text/plain");
      return;
    }
    metrics_->CountStored(!*stored);
    res.set_content(*stored ? "ok\n" : "ok (duplicate)\n", "text/plain");
  }

  // Answers with the refusal's status and reason, counts it, and stores the rejection row.
  void Refuse(const httplib::Request& req, httplib::Response& res, const Status& refusal,
              bool keep_body = true) {
    const Reason reason = ReasonOf(refusal);
    res.status = HttpStatusOf(reason);
    res.set_content(refusal.message() + "\n", "text/plain");
    metrics_->CountRejection(ReasonName(reason));
    Rejection rejection;
    rejection.received_ms = clock_->NowMillis();
    rejection.path = req.target.substr(0, 8192);
    rejection.http_status = res.status;
    rejection.reason = std::string(ReasonName(reason));
    const std::string& message = refusal.message();
    const size_t colon = message.find(": ");
    rejection.detail = colon == std::string::npos ? message : message.substr(colon + 2);
    for (const char* name : kRelevantHeaders) {
      if (req.has_header(name)) rejection.headers.emplace_back(name, req.get_header_value(name));
    }
    if (req.has_header(kOriginalEncoding)) {
      rejection.headers.emplace_back("Content-Encoding", req.get_header_value(kOriginalEncoding));
    }
    // Sealed: a refused body may carry raw ids, which must never be at rest in the clear.
    if (keep_body && !req.body.empty()) {
      rejection.body = ingester_->SealRejectedBody(
          std::string_view(req.body).substr(0, options_.max_body_bytes));
    }
    committer_->Reject(rejection);  // Best effort: the client's answer does not depend on it.
  }

  // Errors the library answers by itself (before or instead of our handlers): unreadable
  // requests, bodies over the limit, unknown GET targets, targets over its own limit.
  void LibraryError(const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;  // Ours, already answered and recorded.
    Reason reason = Reason::kBadRequest;
    std::string detail = "the request could not be read";
    if (res.status == 404) {
      reason = Reason::kUnknownRoute;
      detail = "no endpoint " + req.path;
    } else if (res.status == 413) {
      reason = Reason::kBodyTooLarge;
      detail = "the body is larger than " + std::to_string(options_.max_body_bytes) + " bytes";
    } else if (res.status == 414) {
      reason = Reason::kUriTooLong;
      detail = "the request target is too long";
    }
    const int status = res.status;
    Refuse(req, res, collector::Refuse(reason, detail), /*keep_body=*/false);
    res.status = status;
  }

  const ServerOptions& options_;
  const Ingester* ingester_;
  GroupCommitter* committer_;
  Metrics* metrics_;
  const Clock* clock_;
};

HttpServer::HttpServer(ServerOptions options, const Ingester* ingester, GroupCommitter* committer,
                       Metrics* metrics, const Clock* clock)
    : options_(std::move(options)),
      handlers_(std::make_unique<Handlers>(options_, ingester, committer, metrics, clock)),
      server_(std::make_unique<httplib::Server>()) {
  const size_t threads = options_.threads;
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  const auto io = options_.io_timeout;
  server_->set_read_timeout(io.count() / 1000, (io.count() % 1000) * 1000);
  server_->set_write_timeout(io.count() / 1000, (io.count() % 1000) * 1000);
  server_->set_keep_alive_timeout(options_.keep_alive_seconds);
  server_->set_keep_alive_max_count(options_.keep_alive_max_requests);
  server_->set_payload_max_length(options_.max_body_bytes);
  server_->set_tcp_nodelay(true);
  server_->set_socket_options([this](int fd) {
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));  // Inherited by connections.
    listen_fd_.store(fd);
  });
  handlers_->Install(*server_);
}

HttpServer::~HttpServer() { Stop(); }

Result<int> HttpServer::Bind() {
  int port = options_.port;
  if (port == 0) {
    port = server_->bind_to_any_port(options_.host);
    if (port < 0) return Status::Unavailable("cannot listen on " + options_.host);
  } else if (!server_->bind_to_port(options_.host, port)) {
    return Status::Unavailable("cannot listen on " + options_.host + ":" + std::to_string(port));
  }
  // The library listens with a backlog of 5; many clients connecting at once need more.
  if (int fd = listen_fd_.load(); fd >= 0) ::listen(fd, 1024);
  return port;
}

void HttpServer::Run() {
  run_started_.store(true);
  if (!stop_requested_.load()) server_->listen_after_bind();
  run_finished_.store(true);
}

void HttpServer::Stop() {
  stop_requested_.store(true);
  if (!run_started_.load()) return;  // Run() will see the request and return at once.
  while (!run_finished_.load()) {
    if (server_->is_running()) {
      server_->stop();
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // Run() is about to listen.
  }
}

}  // namespace telemetry::collector
