// Real clickhouse-server processes (Debian's 18.16) on 127.0.0.1, for tests of the ClickHouse
// store. No test framework here.
//
//   ClickHouseServers servers(2);  // Two shards of the cluster "telemetry".
//   if (!servers.ok()) ...;        // servers.error() says why, with the server's log.
//   std::string out;
//   servers.Query(0, "SELECT count() FROM db.t", &out);  // TabSeparated.
//   servers.Kill(1); ...; servers.Restart(1);            // A crash, then the same ports and data.
//
// Each server has its own directory under one mkdtemp directory ($TMPDIR or /tmp), its own
// free ports (HTTP and native TCP: all 18.16 opens without <interserver_http_port>, which a
// cluster without replication does not need), and a config naming all the servers in one
// <remote_servers> cluster, one shard each, so a Distributed table on any server reaches every
// shard. No ZooKeeper. Logs at warning level into the server's directory; timezone UTC.
//
// Every wait is bounded; servers are signalled and waited for by their pid. A child is started
// with PR_SET_PDEATHSIG: a test killed mid-run takes its servers with it (so the thread that
// constructs or restarts must outlive the servers it starts; a test's main thread does).
#ifndef TELEMETRY_TESTS_CLICKHOUSE_SERVERS_H_
#define TELEMETRY_TESTS_CLICKHOUSE_SERVERS_H_

#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace telemetry::testing {

class ClickHouseServers {
 public:
  static constexpr const char* kServerBinary = "/usr/sbin/clickhouse-server";

  // Starts `n` servers (1 or more) and waits (bounded, ~60 s) until each answers `SELECT 1` over
  // HTTP. On failure ok() is false and error() says why. Never throws.
  explicit ClickHouseServers(int n, std::string cluster = "telemetry")
      : cluster_(std::move(cluster)) {
    try {
      Start(n);
    } catch (const std::exception& e) {
      error_ = std::string("ClickHouseServers: ") + e.what();
    }
    if (!error_.empty()) StopAll();  // Nothing half-started outlives a failed constructor.
  }

  // SIGTERM to every running server, a wait by pid (SIGKILL after ~20 s), the directory removed.
  ~ClickHouseServers() {
    StopAll();
    if (!root_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(root_, ignored);
    }
  }
  ClickHouseServers(const ClickHouseServers&) = delete;
  ClickHouseServers& operator=(const ClickHouseServers&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  int size() const { return static_cast<int>(servers_.size()); }
  int http_port(int i) const { return Valid(i) ? servers_[i].http_port : 0; }
  int tcp_port(int i) const { return Valid(i) ? servers_[i].tcp_port : 0; }
  const std::string& cluster() const { return cluster_; }
  const std::string& directory() const { return root_; }  // Server i's is directory()/s<i>.

  // "clickhouse://127.0.0.1:H0,127.0.0.1:H1/DATABASE?cluster=NAME" (the HTTP ports).
  std::string StoreUrl(const std::string& database, bool with_cluster = true) const {
    std::string url = "clickhouse://";
    for (size_t i = 0; i < servers_.size(); ++i) {
      url +=
          (i == 0 ? "" : ",") + std::string("127.0.0.1:") + std::to_string(servers_[i].http_port);
    }
    url += "/" + database;
    if (with_cluster) url += "?cluster=" + cluster_;
    return url;
  }

  // Runs `sql` on server i over HTTP (POST, 60 s at most). True: *out is the result
  // (TabSeparated unless the query says otherwise). False: *out says why (ClickHouse's message
  // for a refused query, libcurl's for a server that cannot be reached).
  bool Query(int i, const std::string& sql, std::string* out) const {
    return Post(i, sql, std::chrono::seconds(60), out);
  }

  void Kill(int i) {  // SIGKILL, then waitpid: a crash.
    if (!Valid(i) || servers_[i].pid <= 0) return;
    kill(servers_[i].pid, SIGKILL);
    Reap(i, std::chrono::seconds(20));
  }

  void Stop(int i) {  // SIGTERM, then waitpid (SIGKILL after ~20 s).
    if (!Valid(i) || servers_[i].pid <= 0) return;
    kill(servers_[i].pid, SIGTERM);
    if (!Reap(i, std::chrono::seconds(20))) Kill(i);
  }

  // Starts server i again (stopping it first if it runs) on its ports and data directory; waits
  // (~60 s) until it answers. A port still held (TIME_WAIT is no obstacle: the server sets
  // SO_REUSEADDR) is retried until then. False: Log(i) says why.
  bool Restart(int i) {
    if (!Valid(i)) return false;
    Stop(i);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::string why;
    while (true) {
      Launch(i);
      why = WaitReady(i, deadline);
      if (why.empty()) return true;
      Stop(i);
      if (!AddressInUse(i) || std::chrono::steady_clock::now() >= deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));  // The port to come free.
    }
    servers_[i].last_error = why;
    return false;
  }

  bool running(int i) const {
    if (!Valid(i) || servers_[i].pid <= 0) return false;
    siginfo_t info{};
    // WNOWAIT: looks without reaping (that is Stop's and Kill's business).
    if (waitid(P_PID, static_cast<id_t>(servers_[i].pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
      return false;
    return info.si_pid == 0;
  }

  // The tail of server i's log and of its stdout/stderr, for failure messages.
  std::string Log(int i) const {
    if (!Valid(i)) return "no server " + std::to_string(i);
    const Server& s = servers_[i];
    std::string log = "--- " + s.dir + "/server.log (tail):\n" + Tail(s.dir + "/server.log", 4000);
    log += "--- " + s.dir + "/stderr.log (tail):\n" + Tail(s.dir + "/stderr.log", 2000);
    if (!s.last_error.empty()) log += "--- last error: " + s.last_error + "\n";
    return log;
  }

 private:
  struct Server {
    std::string dir;
    int http_port = 0;
    int tcp_port = 0;
    pid_t pid = -1;
    std::uintmax_t log_offset = 0;  // server.log's size when the current run started.
    std::string last_error;
  };

  bool Valid(int i) const { return i >= 0 && i < size(); }

  void Start(int n) {
    if (n < 1) {
      error_ = "ClickHouseServers: n must be 1 or more, not " + std::to_string(n);
      return;
    }
    if (access(kServerBinary, X_OK) != 0) {
      error_ = std::string("ClickHouseServers: no ") + kServerBinary + " (scripts/deps.sh)";
      return;
    }
    GlobalCurlInit();
    const char* tmp = getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/clickhouse-servers-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      error_ = "ClickHouseServers: mkdtemp " + pattern + " failed";
      return;
    }
    root_ = pattern;
    servers_.resize(n);
    // A port picked free may be taken before the server binds it: then all start again on new
    // ports (every config names every server's port). Start-up takes about a second.
    for (int attempt = 1;; ++attempt) {
      error_ = Attempt();
      if (error_.empty()) return;
      bool collision = false;
      for (int i = 0; i < n; ++i) collision = collision || AddressInUse(i);
      StopAll();
      if (!collision || attempt == 5) return;
    }
  }

  // One try at starting every server on fresh ports and fresh directories. Empty: all ready.
  std::string Attempt() {
    const int n = size();
    std::vector<int> ports;
    if (!FreePorts(2 * n, &ports)) return "ClickHouseServers: no free ports on 127.0.0.1";
    for (int i = 0; i < n; ++i) {
      Server& s = servers_[i];
      s = Server{};
      s.dir = root_ + "/s" + std::to_string(i);
      s.http_port = ports[2 * i];
      s.tcp_port = ports[2 * i + 1];
      std::error_code ec;
      std::filesystem::remove_all(s.dir, ec);
      std::filesystem::create_directories(s.dir, ec);
      if (ec) return "ClickHouseServers: cannot create " + s.dir + ": " + ec.message();
    }
    for (int i = 0; i < n; ++i) {
      if (!WriteFile(servers_[i].dir + "/config.xml", Config(i)) ||
          !WriteFile(servers_[i].dir + "/users.xml", Users())) {
        return "ClickHouseServers: cannot write the config in " + servers_[i].dir;
      }
    }
    for (int i = 0; i < n; ++i) Launch(i);  // All at once: they start side by side.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (int i = 0; i < n; ++i) {
      std::string why = WaitReady(i, deadline);
      if (!why.empty()) {
        servers_[i].last_error = why;
        return "ClickHouseServers: server " + std::to_string(i) + " (http " +
               std::to_string(servers_[i].http_port) + ", tcp " +
               std::to_string(servers_[i].tcp_port) + ") " + why + "\n" + Log(i);
      }
    }
    return "";
  }

  // `count` distinct ports the kernel calls free (bound to port 0 together, then released).
  static bool FreePorts(int count, std::vector<int>* ports) {
    std::vector<int> fds;
    bool ok = true;
    for (int k = 0; k < count && ok; ++k) {
      const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = 0;
      socklen_t len = sizeof(addr);
      ok = fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
           getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
      if (fd >= 0) fds.push_back(fd);
      if (ok) ports->push_back(ntohs(addr.sin_port));
    }
    for (int fd : fds) close(fd);
    return ok;
  }

  // 18.16 refuses to start without <mark_cache_size> ("Not found: mark_cache_size").
  std::string Config(int i) const {
    const Server& s = servers_[i];
    std::string shards;
    for (const Server& other : servers_) {
      shards +=
          "      <shard><internal_replication>false</internal_replication>"
          "<replica><host>127.0.0.1</host><port>" +
          std::to_string(other.tcp_port) + "</port></replica></shard>\n";
    }
    return "<?xml version=\"1.0\"?>\n"
           "<yandex>\n"
           "  <logger>\n"
           "    <level>warning</level>\n"
           "    <log>" +
           s.dir +
           "/server.log</log>\n"
           "    <errorlog>" +
           s.dir +
           "/server.err.log</errorlog>\n"
           "    <size>100M</size><count>1</count>\n"
           "  </logger>\n"
           "  <listen_host>127.0.0.1</listen_host>\n"
           "  <http_port>" +
           std::to_string(s.http_port) +
           "</http_port>\n"
           "  <tcp_port>" +
           std::to_string(s.tcp_port) +
           "</tcp_port>\n"
           "  <path>" +
           s.dir +
           "/data/</path>\n"
           "  <tmp_path>" +
           s.dir +
           "/tmp/</tmp_path>\n"
           "  <user_files_path>" +
           s.dir +
           "/user_files/</user_files_path>\n"
           "  <format_schema_path>" +
           s.dir +
           "/format_schemas/</format_schema_path>\n"
           "  <users_config>" +
           s.dir +
           "/users.xml</users_config>\n"
           "  <default_profile>default</default_profile>\n"
           "  <default_database>default</default_database>\n"
           "  <timezone>UTC</timezone>\n"
           "  <max_concurrent_queries>100</max_concurrent_queries>\n"
           "  <mark_cache_size>268435456</mark_cache_size>\n"
           "  <uncompressed_cache_size>67108864</uncompressed_cache_size>\n"
           "  <remote_servers>\n"
           "    <" +
           cluster_ + ">\n" + shards + "    </" + cluster_ +
           ">\n"
           "  </remote_servers>\n"
           "</yandex>\n";
  }

  static std::string Users() {
    return "<?xml version=\"1.0\"?>\n"
           "<yandex>\n"
           "  <profiles>\n"
           "    <default>\n"
           "      <max_memory_usage>4000000000</max_memory_usage>\n"
           "      <max_memory_usage_for_all_queries>6000000000</max_memory_usage_for_all_queries>\n"
           "      "
           "<max_bytes_before_external_group_by>2000000000</max_bytes_before_external_group_by>\n"
           "      <max_bytes_before_external_sort>2000000000</max_bytes_before_external_sort>\n"
           "    </default>\n"
           "  </profiles>\n"
           "  <users>\n"
           "    <default>\n"
           "      <password></password>\n"
           "      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>\n"
           "      <profile>default</profile>\n"
           "      <quota>default</quota>\n"
           "    </default>\n"
           "  </users>\n"
           "  <quotas><default></default></quotas>\n"
           "</yandex>\n";
  }

  static bool WriteFile(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    out.close();
    return static_cast<bool>(out);
  }

  // Forks and execs server i (not waiting for it).
  void Launch(int i) {
    Server& s = servers_[i];
    s.last_error.clear();
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(s.dir + "/server.log", ec);
    s.log_offset = ec ? 0 : size;
    // Everything the child needs, built before fork (after it only async-signal-safe calls).
    std::vector<std::string> args = {kServerBinary, "--config-file=" + s.dir + "/config.xml"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string err = s.dir + "/stderr.log";
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);  // The test died before the line above.
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      const int in = ::open("/dev/null", O_RDONLY);
      const int out = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (in >= 0) dup2(in, STDIN_FILENO);
      if (out >= 0) {
        dup2(out, STDOUT_FILENO);
        dup2(out, STDERR_FILENO);
      }
      close_range(3, ~0U, 0);  // Not the test's sockets and files (a port it listens on).
      execv(argv[0], argv.data());
      _exit(127);
    }
    s.pid = pid;  // -1: fork failed, WaitReady says so.
  }

  // Polls server i until it answers `SELECT 1`, exits, or the deadline passes. Empty: ready.
  std::string WaitReady(int i, std::chrono::steady_clock::time_point deadline) {
    Server& s = servers_[i];
    if (s.pid <= 0) return "could not be started (fork failed)";
    while (true) {
      std::string out;
      if (Post(i, "SELECT 1", std::chrono::seconds(2), &out) && out == "1\n") return "";
      if (!running(i)) {
        int status = 0;
        waitpid(s.pid, &status, 0);  // It has exited: no wait.
        s.pid = -1;
        return "exited during start-up (" + Describe(status) + ")";
      }
      if (std::chrono::steady_clock::now() >= deadline) return "did not answer SELECT 1 in time";
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // Polling for start-up.
    }
  }

  // Waits (bounded) for server i's exit by its pid. False: still running at the deadline.
  bool Reap(int i, std::chrono::seconds patience) {
    Server& s = servers_[i];
    const auto deadline = std::chrono::steady_clock::now() + patience;
    while (true) {
      int status = 0;
      const pid_t done = waitpid(s.pid, &status, WNOHANG);
      if (done == s.pid || (done < 0 && errno != EINTR)) {
        s.pid = -1;
        return true;
      }
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // Polling for the exit.
    }
  }

  // SIGTERM to all at once, then the waits; SIGKILL to any still running after ~20 s.
  void StopAll() {
    for (Server& s : servers_) {
      if (s.pid > 0) kill(s.pid, SIGTERM);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (int i = 0; i < size(); ++i) {
      if (servers_[i].pid <= 0) continue;
      const auto left = std::chrono::duration_cast<std::chrono::seconds>(
          deadline - std::chrono::steady_clock::now());
      if (!Reap(i, std::max(left, std::chrono::seconds(0)))) Kill(i);
    }
  }

  // Whether server i's current run failed to bind a port (its log since Launch).
  bool AddressInUse(int i) const {
    const Server& s = servers_[i];
    std::ifstream in(s.dir + "/server.log");
    in.seekg(static_cast<std::streamoff>(s.log_offset));
    const std::string since(std::istreambuf_iterator<char>(in), {});
    std::ifstream err_in(s.dir + "/stderr.log");
    const std::string err(std::istreambuf_iterator<char>(err_in), {});
    return since.find("Address already in use") != std::string::npos ||
           err.find("Address already in use") != std::string::npos;
  }

  static std::string Describe(int status) {
    if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
    return "status " + std::to_string(status);
  }

  static std::string Tail(const std::string& path, size_t bytes) {
    std::ifstream in(path);
    if (!in) return "(none)\n";
    std::string text(std::istreambuf_iterator<char>(in), {});
    if (text.size() > bytes) text = "..." + text.substr(text.size() - bytes);
    if (!text.empty() && text.back() != '\n') text += '\n';
    return text;
  }

  static void GlobalCurlInit() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  static size_t Append(char* data, size_t size, size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
  }

  bool Post(int i, const std::string& sql, std::chrono::seconds timeout, std::string* out) const {
    out->clear();
    if (!Valid(i)) {
      *out = "no server " + std::to_string(i);
      return false;
    }
    GlobalCurlInit();
    CURL* curl = curl_easy_init();
    if (curl == nullptr) {
      *out = "libcurl did not initialise";
      return false;
    }
    const std::string url = "http://127.0.0.1:" + std::to_string(servers_[i].http_port) + "/";
    std::string body;
    curl_slist* headers = curl_slist_append(nullptr, "Expect:");
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, sql.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(sql.size()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count() * 1000));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    const CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (code != CURLE_OK) {
      *out = url + ": " + curl_easy_strerror(code);
      return false;
    }
    if (status != 200) {
      *out = "HTTP " + std::to_string(status) + ": " + body;
      return false;
    }
    *out = std::move(body);
    return true;
  }

  std::string cluster_;
  std::string root_;
  std::string error_;
  std::vector<Server> servers_;
};

}  // namespace telemetry::testing

#endif  // TELEMETRY_TESTS_CLICKHOUSE_SERVERS_H_
