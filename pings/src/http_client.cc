#include "http_client.h"

#include <curl/curl.h>

#include <cctype>
#include <mutex>

#include "telemetry/base/utc_date.h"

namespace pings::internal {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct HeaderState {
  std::optional<std::string> retry_after;
};

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  std::string line(data, size * count);
  const std::string name = "retry-after:";
  if (line.size() > name.size()) {
    std::string start = line.substr(0, name.size());
    for (char& c : start) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (start == name) {
      std::string value = line.substr(name.size());
      while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) {
        value.erase(value.begin());
      }
      while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) {
        value.pop_back();
      }
      static_cast<HeaderState*>(user)->retry_after = value;
    }
  }
  return size * count;
}

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* abort = static_cast<const std::atomic<bool>*>(user);
  return abort != nullptr && abort->load() ? 1 : 0;
}

// Retry-After is delta-seconds or an HTTP date.
std::optional<int64_t> ParseRetryAfter(const std::string& value, int64_t now_ms) {
  if (!value.empty() && std::isdigit(static_cast<unsigned char>(value[0]))) {
    try {
      return std::stoll(value) * 1000;
    } catch (...) {
      return std::nullopt;
    }
  }
  const std::optional<int64_t> when = telemetry::ParseHttpDate(value);
  if (!when) return std::nullopt;
  return *when > now_ms ? *when - now_ms : 0;
}

}  // namespace

HttpClient::HttpClient(int64_t connect_timeout_ms, int64_t total_timeout_ms,
                       const std::atomic<bool>* abort)
    : connect_timeout_ms_(connect_timeout_ms), total_timeout_ms_(total_timeout_ms), abort_(abort) {
  GlobalInit();
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

telemetry::Result<HttpResponse> HttpClient::Post(const std::string& url,
                                                 const std::vector<std::string>& headers,
                                                 const std::string& body, int64_t now_ms) {
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return telemetry::Status::Internal("libcurl did not initialise");
  curl_slist* list = nullptr;
  for (const std::string& header : headers) list = curl_slist_append(list, header.c_str());
  list = curl_slist_append(list, "Expect:");  // No 100-continue round trip.
  HeaderState state;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &state);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout_ms_));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(total_timeout_ms_));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, OnProgress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, abort_);
  CURLcode code = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(list);
  if (code != CURLE_OK) {
    return telemetry::Status::Unavailable(std::string("upload failed: ") +
                                          curl_easy_strerror(code));
  }
  HttpResponse response;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  if (state.retry_after) response.retry_after_ms = ParseRetryAfter(*state.retry_after, now_ms);
  return response;
}

}  // namespace pings::internal
