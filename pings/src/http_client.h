// One libcurl easy handle, reused for every request so connections are kept alive.
// Not thread-safe: the uploader thread owns it.
#ifndef PINGS_SRC_HTTP_CLIENT_H_
#define PINGS_SRC_HTTP_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "telemetry/base/status.h"

namespace pings::internal {

struct HttpResponse {
  long status = 0;
  std::optional<int64_t> retry_after_ms;  // From a Retry-After header, in seconds or a date.
};

class HttpClient {
 public:
  // `abort` (may be null) cancels a request in flight when it becomes true.
  HttpClient(int64_t connect_timeout_ms, int64_t total_timeout_ms, const std::atomic<bool>* abort);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // POSTs `body`. Unavailable for network failures (no connection, timeout, aborted).
  telemetry::Result<HttpResponse> Post(const std::string& url,
                                       const std::vector<std::string>& headers,
                                       const std::string& body, int64_t now_ms);

 private:
  void* curl_;
  int64_t connect_timeout_ms_;
  int64_t total_timeout_ms_;
  const std::atomic<bool>* abort_;
};

}  // namespace pings::internal

#endif  // PINGS_SRC_HTTP_CLIENT_H_
