// telemetry-collector as a child process listening on 127.0.0.1 (any free port), for the
// dashboard's browser tests and its render benchmark. No test framework here.
//
//   CollectorChild dashboard(TELEMETRY_COLLECTOR, {"dashboard", "--db", db}, "dashboard.log");
//   if (dashboard.port() == 0) ...;  // did not start: dashboard.Log() says why
//   browser->Navigate(dashboard.Url("/dashboard/"));
//
// Waits (bounded) for the "listening on" line; SIGTERM and a wait, by its pid, at destruction.
#ifndef TELEMETRY_TESTS_COLLECTOR_CHILD_H_
#define TELEMETRY_TESTS_COLLECTOR_CHILD_H_

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace telemetry::testing {

class CollectorChild {
 public:
  // Runs `binary ARGS... --listen 127.0.0.1:0`, its output into `log`.
  CollectorChild(const std::string& binary, std::vector<std::string> args, const std::string& log,
                 std::chrono::seconds patience = std::chrono::seconds(60))
      : log_(log) {
    args.insert(args.begin(), binary);
    args.insert(args.end(), {"--listen", "127.0.0.1:0"});
    std::ofstream(log, std::ios::trunc);  // Now: a log of an earlier run must not be read.
    pid_ = fork();
    if (pid_ == 0) {
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    WaitForPort(patience);
  }
  ~CollectorChild() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  CollectorChild(const CollectorChild&) = delete;
  CollectorChild& operator=(const CollectorChild&) = delete;

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port() const { return port_; }  // 0: it did not start.
  std::string Log() const {
    std::ifstream in(log_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  void WaitForPort(std::chrono::seconds patience) {
    const std::string marker = "listening on http://127.0.0.1:";
    const auto deadline = std::chrono::steady_clock::now() + patience;
    while (port_ == 0 && std::chrono::steady_clock::now() < deadline) {
      const std::string out = Log();
      const size_t at = out.find(marker);
      if (at != std::string::npos && out.find('\n', at) != std::string::npos) {
        port_ = std::atoi(out.c_str() + at + marker.size());
      } else if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;  // Exited: its log says why.
        return;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // Polling for start-up.
      }
    }
  }

  std::string log_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace telemetry::testing

#endif  // TELEMETRY_TESTS_COLLECTOR_CHILD_H_
