// Debian's chromium, headless, started as a child process and driven over the Chrome DevTools
// Protocol (a WebSocket to --remote-debugging-port): load a page, evaluate JavaScript in it,
// collect its console errors, take a screenshot.
//
//   Result<std::unique_ptr<HeadlessChromium>> browser = HeadlessChromium::Launch({});
//   if (!browser.ok()) return browser.status();
//   (*browser)->Navigate("http://127.0.0.1:8080/dashboard/");
//   Result<bool> drawn = (*browser)->WaitFor("window.dashboardState.ready", seconds(30));
//   Result<nlohmann::json> labels = (*browser)->Evaluate("window.dashboardCharts.x.data.labels");
//   (*browser)->Screenshot("overview.png");
//
// The browser gets a fresh profile in a temporary directory, runs in a process group of its own
// and is ended by that id (SIGTERM, then SIGKILL) when the object goes; the profile is removed.
// As root it needs --no-sandbox, which it is given; no display is needed. Calls are synchronous
// and not thread-safe: one thread drives one browser. Errors are values: a browser that does not
// start, a protocol error, an exception thrown by evaluated script (with its text).
#ifndef TOOLS_BROWSER_HEADLESS_CHROMIUM_H_
#define TOOLS_BROWSER_HEADLESS_CHROMIUM_H_

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "telemetry/base/status.h"

namespace telemetry::browser {

struct ChromiumOptions {
  std::string binary = "chromium";  // Found on PATH.
  int width = 1200, height = 900;
  std::string log_path = "/dev/null";  // The browser's own stdout and stderr.
  std::chrono::milliseconds start_timeout{60000};
};

class HeadlessChromium {
 public:
  static Result<std::unique_ptr<HeadlessChromium>> Launch(const ChromiumOptions& options);
  ~HeadlessChromium();
  HeadlessChromium(const HeadlessChromium&) = delete;
  HeadlessChromium& operator=(const HeadlessChromium&) = delete;

  // One protocol command on the page's session; its "result", or the protocol's error.
  Result<nlohmann::json> Call(const std::string& method,
                              const nlohmann::json& params = nlohmann::json::object());
  // Starts loading `url` (Page.navigate); does not wait for the load.
  Status Navigate(const std::string& url);
  // The value of a JavaScript expression (a promise is awaited), as JSON.
  Result<nlohmann::json> Evaluate(const std::string& expression);
  // Polls `expression` until it is true; false when `limit` passes first.
  Result<bool> WaitFor(const std::string& expression, std::chrono::milliseconds limit);
  // A PNG of the whole page (its full height) written to `path`.
  Status Screenshot(const std::string& path);
  // Every console error, uncaught exception and failed load the pages reported so far.
  const std::vector<std::string>& ConsoleErrors() const { return console_errors_; }

  pid_t pid() const { return pid_; }

 private:
  class Connection;
  HeadlessChromium() = default;
  void Note(const nlohmann::json& event);
  void End();

  pid_t pid_ = -1;
  std::string profile_dir_;
  std::unique_ptr<Connection> connection_;
  int next_id_ = 1;
  std::vector<std::string> console_errors_;
};

}  // namespace telemetry::browser

#endif  // TOOLS_BROWSER_HEADLESS_CHROMIUM_H_
