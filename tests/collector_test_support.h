// Helpers of the collector suites: temporary directories, an in-process collector on a free
// port, the real binary as a child process, pings to send, raw sockets and SQLite queries.
#ifndef TELEMETRY_TESTS_COLLECTOR_TEST_SUPPORT_H_
#define TELEMETRY_TESTS_COLLECTOR_TEST_SUPPORT_H_

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "collector/collector_service.h"
#include "collector/privacy/id_hasher.h"
#include "telemetry/base/uuid.h"
#include "telemetry/wire/ping.pb.h"

namespace telemetry::collector::testing {

inline std::string SharedDir() {
  if (const char* dir = std::getenv("TELEMETRY_SHARED_DIR")) return dir;
  return TELEMETRY_SHARED_DIR;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// A fresh directory, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "collector-test-XXXXXX");
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string Path(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A collector served in-process on 127.0.0.1 (any free port), stopped at destruction.
class InProcessCollector {
 public:
  explicit InProcessCollector(const std::string& db, std::string glean_schema = "",
                              std::chrono::milliseconds io_timeout = std::chrono::seconds(5))
      : InProcessCollector(db, [&](CollectorConfig& config) {
          config.glean_schema_path = std::move(glean_schema);
          config.server.idle_timeout = io_timeout;
          config.server.head_timeout = io_timeout;
          config.server.write_timeout = io_timeout;
        }) {}
  // `configure` adjusts the configuration (server options, queue size) before the start.
  InProcessCollector(const std::string& db,
                     const std::function<void(CollectorConfig&)>& configure) {
    CollectorConfig config;
    config.db_path = db;
    config.server.port = 0;
    configure(config);
    auto service = CollectorService::Create(std::move(config), IdHasher::InsecureDevelopmentKey());
    EXPECT_TRUE(service.ok()) << service.status().message();
    if (!service.ok()) return;
    service_ = std::move(*service);
    thread_ = std::thread([this] { service_->Run(); });
  }
  ~InProcessCollector() { Stop(); }
  void Stop() {
    if (service_ == nullptr) return;
    service_->Stop();
    thread_.join();
    service_.reset();
  }
  int port() const { return service_->port(); }
  httplib::Client Client() const {
    httplib::Client client("127.0.0.1", port());
    client.set_read_timeout(60);
    // One connection: the server finishes accounting for a request (metrics) before it reads
    // the next one on the same connection.
    client.set_keep_alive(true);
    return client;
  }

 private:
  std::unique_ptr<CollectorService> service_;
  std::thread thread_;
};

// The real telemetry-collector binary as a child process; stdout and stderr go to a file.
class CollectorProcess {
 public:
  // Starts `serve` with `args` added; waits (bounded) for its "listening on" line.
  CollectorProcess(const std::vector<std::string>& args, const std::string& output_file)
      : output_file_(output_file) {
    pid_ = fork();
    if (pid_ == 0) {
      const int fd = ::open(output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      std::vector<std::string> all{TELEMETRY_COLLECTOR, "serve", "--listen", "127.0.0.1:0"};
      all.insert(all.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (std::string& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    for (int i = 0; i < 3000 && port_ == 0 && Running(); ++i) {
      const std::string out = ReadFile(output_file_);
      const size_t at = out.find("listening on http://127.0.0.1:");
      if (at != std::string::npos && out.find('\n', at) != std::string::npos) {
        port_ = std::atoi(out.c_str() + at + std::string("listening on http://127.0.0.1:").size());
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));  // Polling for start-up.
      }
    }
  }
  ~CollectorProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      Wait();
    }
  }
  int port() const { return port_; }
  bool Running() {
    if (exited_) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      status_ = status;
      return false;
    }
    return true;
  }
  void Signal(int signal) { kill(pid_, signal); }
  // Waits up to `limit` for the process to end; its wait status, or nullopt if it still runs.
  std::optional<int> WaitAtMost(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (Running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // Polling for the exit.
    }
    if (Running()) return std::nullopt;
    return status_;
  }
  // Waits for the process to end; its wait status.
  int Wait() {
    if (!exited_) {
      waitpid(pid_, &status_, 0);
      exited_ = true;
    }
    return status_;
  }
  std::string Output() const { return ReadFile(output_file_); }

 private:
  std::string output_file_;
  pid_t pid_ = -1;
  int port_ = 0;
  bool exited_ = false;
  int status_ = 0;
};

using telemetry::NewUuid;

// One of our pings: an account block, `events` account.login events with extras, 2 scalars.
inline telemetry::ping::Ping MakePing(const std::string& id, const std::string& uid = "uid-1",
                                      const std::string& device = "device-1", int events = 1) {
  telemetry::ping::Ping ping;
  ping.set_document_id(id);
  ping.set_document_type("account-ecosystem");
  ping.set_document_version(1);
  ping.mutable_app()->set_name("Firefox");
  ping.mutable_app()->set_version("120.0");
  ping.set_end_time_ms(1456387200000);  // 2016-02-25
  ping.mutable_environment()->set_os("Linux");
  if (!uid.empty()) ping.mutable_account()->set_uid(uid);
  if (!device.empty()) ping.mutable_account()->set_device_id(device);
  auto* scalar = ping.mutable_payload()->add_scalars();
  scalar->set_name("sync.engines");
  scalar->mutable_value()->set_uint_value(3);
  auto* keyed = ping.mutable_payload()->add_keyed_scalars();
  keyed->set_name("sync.by_engine");
  (*keyed->mutable_values())["tabs"].set_bool_value(true);
  for (int i = 0; i < events; ++i) {
    auto* event = ping.mutable_payload()->add_events();
    event->set_timestamp_ms(1456387200000 + i);
    event->set_category("account");
    event->set_method("login");
    event->set_object("account");
    (*event->mutable_extras())["service"] = "sync";
    (*event->mutable_extras())["seq_time"] = "20412";
    (*event->mutable_extras())["new_user"] = "1";
  }
  return ping;
}

inline std::string Zstd(const std::string& plain) {
  std::string out(ZSTD_compressBound(plain.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), plain.data(), plain.size(), 3));
  return out;
}

inline std::string Gzip(const std::string& plain) {
  z_stream s{};
  deflateInit2(&s, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&s, plain.size()), '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  s.avail_in = static_cast<uInt>(plain.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  deflate(&s, Z_FINISH);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

inline std::string SubmitPath(const std::string& id) {
  return "/submit/firefox-desktop/account-ecosystem/1/" + id;
}

// POSTs one protobuf+zstd ping; the response status (-1 when there is none).
inline int PostPing(httplib::Client& client, const telemetry::ping::Ping& ping) {
  auto res = client.Post(SubmitPath(ping.document_id()), {{"Content-Encoding", "zstd"}},
                         Zstd(ping.SerializeAsString()), "application/x-protobuf");
  return res ? res->status : -1;
}

// Sends `bytes` on a fresh connection and reads until the server closes it or `wait` passes.
inline std::string RawExchange(int port, const std::string& bytes,
                               std::chrono::seconds wait = std::chrono::seconds(20)) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  timeval tv{static_cast<time_t>(wait.count()), 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) {
    out.append(buffer, static_cast<size_t>(n));
    if (out.find("\r\n\r\n") != std::string::npos &&
        out.find("Connection: close") == std::string::npos) {
      // A complete keep-alive answer: stop once its body is in.
      const size_t header_end = out.find("\r\n\r\n") + 4;
      const size_t cl = out.find("Content-Length: ");
      if (cl != std::string::npos && out.size() >= header_end + std::stoul(out.substr(cl + 16))) {
        break;
      }
    }
  }
  close(fd);
  return out;
}

// One HTTP response as a RawConnection read it.
struct RawResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The first header of that name (compared without case); nullopt when absent.
  std::optional<std::string> Header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) {
        return value;
      }
    }
    return std::nullopt;
  }
};

// A client connection to 127.0.0.1 that writes exactly the bytes it is given and reads the
// answers one at a time: what an HTTP library will not send (pipelines, trickles, broken
// framing, floods). Reads never wait past the deadline they are given; a write blocks at most
// 30 s. Not thread-safe; the socket is closed at destruction.
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (fd_ >= 0 && connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      close(fd_);
      fd_ = -1;
    }
    timeval guard{30, 0};
    if (fd_ >= 0) setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &guard, sizeof(guard));
  }
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  RawConnection(RawConnection&& other) noexcept
      : fd_(std::exchange(other.fd_, -1)),
        buffer_(std::move(other.buffer_)),
        closed_(other.closed_) {}
  RawConnection& operator=(RawConnection&& other) noexcept {
    if (this != &other) {
      if (fd_ >= 0) close(fd_);
      fd_ = std::exchange(other.fd_, -1);
      buffer_ = std::move(other.buffer_);
      closed_ = other.closed_;
    }
    return *this;
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // True once the server ended the stream (or reset it).
  bool closed() const { return closed_; }
  // What arrived and was not read as a response.
  const std::string& unread() const { return buffer_; }

  // Writes all of `bytes`; false when the connection broke first (EPIPE, ECONNRESET).
  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Writes the pieces `next` returns (an empty one: no more) without blocking on a full socket,
  // until the server answers or closes, the connection breaks, the pieces end, or nothing moves
  // for 30 s; the bytes written. A small send buffer keeps that count close to what the server
  // took.
  size_t StreamUntilAnswered(const std::function<std::string()>& next) {
    const int small = 64 * 1024;
    setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    size_t written = 0;
    std::string piece;
    size_t offset = 0;
    while (true) {
      if (offset == piece.size()) {
        piece = next();
        offset = 0;
        if (piece.empty()) return written;
      }
      pollfd ready{fd_, POLLIN | POLLOUT, 0};
      const int polled = poll(&ready, 1, 30000);
      if (polled < 0 && errno == EINTR) continue;
      if (polled <= 0 || (ready.revents & (POLLIN | POLLHUP | POLLERR)) != 0) return written;
      const ssize_t n =
          send(fd_, piece.data() + offset, piece.size() - offset, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
      if (n <= 0) return written;
      offset += static_cast<size_t>(n);
      written += static_cast<size_t>(n);
    }
  }

  // The next whole response, waiting up to `wait`; nullopt when the server closed the
  // connection or `wait` passed before one was whole (closed() tells which; a part stays
  // buffered for the next call).
  std::optional<RawResponse> Read(std::chrono::milliseconds wait = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return std::nullopt;
    }
    RawResponse response = ParseHead(buffer_.substr(0, head_end));
    const size_t body_start = head_end + 4;
    std::optional<size_t> consumed = ReadBody(&response, body_start, deadline);
    if (!consumed) return std::nullopt;
    buffer_.erase(0, *consumed);
    return response;
  }

  // Waits up to `wait` for the server to close; true when it did. Bytes arriving meanwhile
  // are kept in unread().
  bool WaitForClose(std::chrono::milliseconds wait) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (Fill(deadline)) {
    }
    return closed_;
  }

  // Whether the server answered or closed by now (looks, never waits).
  bool Stirred() {
    pollfd ready{fd_, POLLIN, 0};
    return poll(&ready, 1, 0) > 0;
  }

 private:
  // Receives what arrives before `deadline` into buffer_; false at the end of the stream, on
  // a reset, or when the deadline passes first.
  bool Fill(std::chrono::steady_clock::time_point deadline) {
    if (closed_ || fd_ < 0) return false;
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd ready{fd_, POLLIN, 0};
      const int polled = poll(&ready, 1, static_cast<int>(left.count()));
      if (polled < 0 && errno == EINTR) continue;
      if (polled <= 0) return false;
      char chunk[65536];
      const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        closed_ = true;
        return false;
      }
      buffer_.append(chunk, static_cast<size_t>(n));
      return true;
    }
  }

  static RawResponse ParseHead(const std::string& head) {
    RawResponse response;
    if (head.rfind("HTTP/1.", 0) == 0 && head.size() > 12) response.status = std::atoi(&head[9]);
    size_t line = head.find("\r\n");
    while (line != std::string::npos) {
      const size_t start = line + 2;
      line = head.find("\r\n", start);
      const std::string field = head.substr(start, line == std::string::npos ? line : line - start);
      const size_t colon = field.find(':');
      if (colon == std::string::npos) continue;
      const size_t value = field.find_first_not_of(' ', colon + 1);
      response.headers.emplace_back(field.substr(0, colon),
                                    value == std::string::npos ? "" : field.substr(value));
    }
    return response;
  }

  // Reads the body that starts at buffer_[at] into response->body (by Content-Length, chunked,
  // or up to the end of the stream); how many bytes of buffer_ the response took.
  std::optional<size_t> ReadBody(RawResponse* response, size_t at,
                                 std::chrono::steady_clock::time_point deadline) {
    if (response->status / 100 == 1 || response->status == 204 || response->status == 304) {
      return at;
    }
    if (std::optional<std::string> length = response->Header("Content-Length")) {
      const size_t n = std::stoul(*length);
      while (buffer_.size() < at + n) {
        if (!Fill(deadline)) return std::nullopt;
      }
      response->body = buffer_.substr(at, n);
      return at + n;
    }
    if (response->Header("Transfer-Encoding").value_or("") == "chunked") {
      while (true) {  // Chunks without extensions or trailers: what a server writes.
        size_t line_end;
        while ((line_end = buffer_.find("\r\n", at)) == std::string::npos) {
          if (!Fill(deadline)) return std::nullopt;
        }
        const size_t size = std::stoul(buffer_.substr(at, line_end - at), nullptr, 16);
        while (buffer_.size() < line_end + 2 + size + 2) {
          if (!Fill(deadline)) return std::nullopt;
        }
        response->body += buffer_.substr(line_end + 2, size);
        at = line_end + 2 + size + 2;
        if (size == 0) return at;
      }
    }
    while (Fill(deadline)) {
    }
    if (!closed_) return std::nullopt;
    response->body = buffer_.substr(at);
    return buffer_.size();
  }

  int fd_ = -1;
  std::string buffer_;
  bool closed_ = false;
};

// The rows of a query on the database at `path`, every value as text ("NULL" for NULL).
inline std::vector<std::vector<std::string>> Query(const std::string& path,
                                                   const std::string& sql) {
  sqlite3* db = nullptr;
  std::vector<std::vector<std::string>> rows;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << path;
    sqlite3_close(db);
    return rows;
  }
  sqlite3_busy_timeout(db, 10000);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sqlite3_errmsg(db) << " in " << sql;
  }
  while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const unsigned char* text = sqlite3_column_text(stmt, i);
      row.push_back(text == nullptr
                        ? "NULL"
                        : std::string(reinterpret_cast<const char*>(text),
                                      static_cast<size_t>(sqlite3_column_bytes(stmt, i))));
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

// Runs a shell command line; its exit status (-1 if it did not exit) and, in *output, its
// stdout and stderr together.
inline int RunCommandForTest(const std::string& command, std::string* output) {
  output->clear();
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) output->append(buffer, n);
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline int64_t Count(const std::string& db, const std::string& sql) {
  auto rows = Query(db, sql);
  return rows.empty() ? -1 : std::stoll(rows[0][0]);
}

// Posts pings from `threads` clients until stopped; remembers every acknowledged id.
class Load {
 public:
  Load(int port, int threads) {
    for (int t = 0; t < threads; ++t) {
      threads_.emplace_back([this, port] {
        httplib::Client client("127.0.0.1", port);
        client.set_read_timeout(10);
        while (!stop_) {
          const std::string id = NewUuid();
          if (PostPing(client, MakePing(id)) == 200) {
            std::lock_guard lock(mutex_);
            acknowledged_.push_back(id);
          } else if (!stop_) {
            failures_++;
          }
        }
      });
    }
  }
  ~Load() { Stop(); }
  size_t Acknowledged() {
    std::lock_guard lock(mutex_);
    return acknowledged_.size();
  }
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  std::vector<std::string> ids() {
    std::lock_guard lock(mutex_);
    return acknowledged_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> failures_{0};
  std::mutex mutex_;
  std::vector<std::string> acknowledged_;
  std::vector<std::thread> threads_;
};

inline void WaitForAcknowledged(Load& load, size_t n) {
  for (int i = 0; i < 6000 && load.Acknowledged() < n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // Polling for progress.
  }
  ASSERT_GE(load.Acknowledged(), n);
}

inline void ExpectAllStored(const std::string& db, const std::vector<std::string>& ids) {
  std::set<std::string> stored;
  for (const auto& row : Query(db, "SELECT document_id FROM pings")) stored.insert(row[0]);
  size_t missing = 0;
  for (const std::string& id : ids) missing += stored.count(id) == 0 ? 1 : 0;
  EXPECT_EQ(missing, 0u) << "of " << ids.size() << " acknowledged pings";
}

}  // namespace telemetry::collector::testing

#endif  // TELEMETRY_TESTS_COLLECTOR_TEST_SUPPORT_H_
