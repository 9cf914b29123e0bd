#include "collector/clickhouse/client.h"

#include <curl/curl.h>

#include <mutex>

namespace telemetry::collector::clickhouse {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t Append(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::string UrlEncode(CURL* curl, const std::string& text) {
  char* encoded = curl_easy_escape(curl, text.data(), static_cast<int>(text.size()));
  std::string out = encoded != nullptr ? encoded : "";
  curl_free(encoded);
  return out;
}

// ClickHouse's message ("Code: 60, e.displayText() = DB::Exception: ..."), its first line only:
// later lines are a stack trace.
std::string FirstLine(const std::string& body) {
  std::string line = body.substr(0, body.find('\n'));
  if (line.size() > 500) line = line.substr(0, 500) + "...";
  return line;
}

}  // namespace

ClickHouseClient::ClickHouseClient(Endpoint endpoint, std::string database,
                                   std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), database_(std::move(database)), timeout_(timeout) {
  GlobalInit();
  curl_ = curl_easy_init();
}

ClickHouseClient::~ClickHouseClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

Result<std::string> ClickHouseClient::Query(const std::string& sql) {
  return Post("database=" + UrlEncode(static_cast<CURL*>(curl_), database_), sql);
}

Result<std::string> ClickHouseClient::QueryWithoutDatabase(const std::string& sql) {
  return Post("", sql);
}

Status ClickHouseClient::Insert(const std::string& table, const std::string& columns,
                                const std::string& tsv) {
  CURL* curl = static_cast<CURL*>(curl_);
  const std::string insert = "INSERT INTO " + table + " (" + columns + ") FORMAT TabSeparated";
  Result<std::string> done =
      Post("database=" + UrlEncode(curl, database_) + "&query=" + UrlEncode(curl, insert), tsv);
  return done.ok() ? Status::Ok() : done.status();
}

Result<std::string> ClickHouseClient::Post(const std::string& url_query, const std::string& body) {
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return Status::Internal("libcurl did not initialise");
  const std::string url =
      "http://" + endpoint_.ToString() + "/" + (url_query.empty() ? "" : "?" + url_query);
  std::string response;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  // No "Expect: 100-continue" round trip before large inserts.
  curl_slist* headers = curl_slist_append(nullptr, "Expect:");
  headers = curl_slist_append(headers, "Content-Type: text/plain; charset=utf-8");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  const CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (code != CURLE_OK) {
    return Status::Unavailable("ClickHouse at " + endpoint_.ToString() +
                               " cannot be reached: " + curl_easy_strerror(code));
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    return Status::FailedPrecondition("ClickHouse at " + endpoint_.ToString() + " answered " +
                                      std::to_string(status) + ": " + FirstLine(response));
  }
  return response;
}

}  // namespace telemetry::collector::clickhouse
