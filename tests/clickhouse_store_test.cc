// The ClickHouse store (collector/clickhouse/, storage/spool, forwarder, clickhouse_storage)
// against real clickhouse-server processes (tests/clickhouse_servers.h) and the real
// telemetry-collector binary: store URLs and TabSeparated bytes; the same stats as the SQLite
// store for the same input; a 2-shard cluster fed by two collectors at once; kill -9 between
// spool and forward; ClickHouse stopped or killed under load; a database of another schema.
//
// Every wait polls with a deadline; a sleep only paces a loop or picks a moment for a kill.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "clickhouse_servers.h"
#include "collector/clickhouse/client.h"
#include "collector/clickhouse/cluster.h"
#include "collector/clickhouse/store_url.h"
#include "collector/clickhouse/tsv.h"
#include "collector_test_support.h"

namespace telemetry::collector {
namespace {

using clickhouse::ParseTsv;
using clickhouse::SqlQuote;
using clickhouse::TsvRow;
using clickhouse::TsvWriter;
using ::telemetry::testing::ClickHouseServers;
using testing::CollectorProcess;
using testing::MakePing;
using testing::NewUuid;
using testing::PostPing;
using testing::ReadFile;
using testing::SharedDir;
using testing::TempDir;
using testing::WriteFile;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

int ExitCode(int wait_status) { return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1; }

// telemetry-collector ARGS (bounded by timeout(1)); its exit code, its output in *out.
int Collector(const std::string& args, std::string* out) {
  return testing::RunCommandForTest("timeout 120 " + std::string(TELEMETRY_COLLECTOR) + " " + args,
                                    out);
}

// The result of `sql` on server i, or a failure naming the query and ClickHouse's answer.
std::string Must(const ClickHouseServers& servers, int i, const std::string& sql) {
  std::string out;
  EXPECT_TRUE(servers.Query(i, sql, &out)) << "server " << i << ": " << sql << "\n" << out;
  return out;
}

// The rows of `sql` on server i (TabSeparated, parsed).
std::vector<TsvRow> Rows(const ClickHouseServers& servers, int i, const std::string& sql) {
  Result<std::vector<TsvRow>> rows = ParseTsv(Must(servers, i, sql));
  EXPECT_TRUE(rows.ok()) << rows.status().message();
  return rows.ok() ? *rows : std::vector<TsvRow>{};
}

// A one-number query summed over every server (the shards).
int64_t SumOverShards(const ClickHouseServers& servers, const std::string& sql) {
  int64_t sum = 0;
  for (int i = 0; i < servers.size(); ++i) {
    const std::string out = Must(servers, i, sql);
    sum += out.empty() ? 0 : std::stoll(out);
  }
  return sum;
}

// Every document id of `db`'s pings as FINAL reads them, shard after shard (a repeat: a ping
// stored twice).
std::vector<std::string> StoredIds(const ClickHouseServers& servers, const std::string& db) {
  std::vector<std::string> ids;
  for (int i = 0; i < servers.size(); ++i) {
    for (const TsvRow& row :
         Rows(servers, i, "SELECT document_id FROM " + db + ".pings_local FINAL"))
      ids.push_back(row.at(0).value_or("NULL"));
  }
  return ids;
}

// Every id of `acknowledged` is stored, and no stored id is there twice.
void ExpectExactlyOnce(const ClickHouseServers& servers, const std::string& db,
                       const std::vector<std::string>& acknowledged) {
  const std::vector<std::string> stored = StoredIds(servers, db);
  std::map<std::string, int> times;
  for (const std::string& id : stored) ++times[id];
  size_t repeated = 0, missing = 0;
  for (const auto& [id, n] : times) repeated += n > 1 ? 1 : 0;
  for (const std::string& id : acknowledged) missing += times.count(id) == 0 ? 1 : 0;
  EXPECT_EQ(repeated, 0u) << "of " << times.size() << " stored pings";
  EXPECT_EQ(missing, 0u) << "of " << acknowledged.size() << " acknowledged pings (" << stored.size()
                         << " stored)";
  EXPECT_GE(stored.size(), std::set<std::string>(acknowledged.begin(), acknowledged.end()).size());
}

struct Health {
  int status = -1;  // -1: no answer
  std::string body;
  bool retry_after = false;
};

Health GetHealth(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  client.set_read_timeout(5);
  Health health;
  if (auto res = client.Get("/health")) {
    health.status = res->status;
    health.body = res->body;
    health.retry_after = res->has_header("Retry-After");
  }
  return health;
}

// Polls /health until its body contains `needle` (and, unless -1, its status is `status`).
bool WaitForHealth(int port, const std::string& needle, Health* last, int status = -1,
                   seconds patience = seconds(60), milliseconds pace = milliseconds(50)) {
  const auto deadline = Clock::now() + patience;
  while (true) {
    *last = GetHealth(port);
    if (last->body.find(needle) != std::string::npos && (status == -1 || last->status == status))
      return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(pace);  // Polling.
  }
}

// The records /health says wait in the spool (-1: it does not say).
int64_t Pending(const std::string& body) {
  const size_t at = body.find("\nspool: ");
  return at == std::string::npos ? -1 : std::atoll(body.c_str() + at + 8);
}

// Everything acknowledged is forwarded: /health says the spool is empty.
::testing::AssertionResult Drained(int port, seconds patience = seconds(60)) {
  Health health;
  if (WaitForHealth(port, "\nspool: 0 of", &health, 200, patience))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "the spool did not drain in time; /health said " << health.status << ":\n"
         << health.body;
}

// SIGTERM, then (bounded) the wait; exit code 0 expected.
void StopCleanly(CollectorProcess& collector) {
  collector.Signal(SIGTERM);
  const std::optional<int> status = collector.WaitAtMost(seconds(60));
  ASSERT_TRUE(status.has_value()) << "no exit within 60 s of SIGTERM\n" << collector.Output();
  EXPECT_EQ(ExitCode(*status), 0) << collector.Output();
}

void KillDashNine(CollectorProcess& collector) {
  collector.Signal(SIGKILL);
  collector.Wait();
}

// The arguments of `serve` on a ClickHouse store.
std::vector<std::string> ServeArgs(const std::string& store, const std::string& spool,
                                   std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"--store", store, "--spool", spool};
  args.insert(args.end(), more.begin(), more.end());
  if (std::find(args.begin(), args.end(), "--hmac-key-file") == args.end())
    args.push_back("--insecure-dev-key");
  return args;
}

// Posts protobuf pings (fresh ids, accounts acct-0..acct-<accounts-1>) from `threads` clients
// until stopped; keeps every acknowledged id and counts the answers that were not 200.
class Poster {
 public:
  Poster(int port, int threads, int accounts = 50) {
    for (int t = 0; t < threads; ++t) {
      threads_.emplace_back([this, port, t, accounts] {
        httplib::Client client("127.0.0.1", port);
        client.set_connection_timeout(2);
        client.set_read_timeout(20);
        for (int i = 0; !stop_; ++i) {
          const std::string id = NewUuid();
          const std::string uid = "acct-" + std::to_string((i * 7 + t) % accounts);
          auto res = client.Post(testing::SubmitPath(id), {{"Content-Encoding", "zstd"}},
                                 testing::Zstd(MakePing(id, uid, "dev-" + uid).SerializeAsString()),
                                 "application/x-protobuf");
          if (res && res->status == 200) {
            std::lock_guard lock(mutex_);
            acknowledged_.push_back(id);
            continue;
          }
          if (res && res->status == 503) {
            (res->has_header("Retry-After") ? unavailable_ : unavailable_bare_)++;
          } else if (res) {
            other_statuses_++;
          }
          std::this_thread::sleep_for(milliseconds(5));  // Paces retries against a refusal.
        }
      });
    }
  }
  ~Poster() { Stop(); }
  void Stop() {
    stop_ = true;
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  size_t acknowledged() {
    std::lock_guard lock(mutex_);
    return acknowledged_.size();
  }
  std::vector<std::string> ids() {
    std::lock_guard lock(mutex_);
    return acknowledged_;
  }
  // Polls until more than `n` pings were acknowledged.
  bool WaitPast(size_t n, seconds patience = seconds(60)) {
    const auto deadline = Clock::now() + patience;
    while (acknowledged() <= n) {
      if (Clock::now() >= deadline) return false;
      std::this_thread::sleep_for(milliseconds(10));  // Polling.
    }
    return true;
  }
  int unavailable() const { return unavailable_; }            // 503 with Retry-After
  int unavailable_bare() const { return unavailable_bare_; }  // 503 without it
  int other_statuses() const { return other_statuses_; }      // neither 200 nor 503

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> unavailable_{0}, unavailable_bare_{0}, other_statuses_{0};
  std::mutex mutex_;
  std::vector<std::string> acknowledged_;
  std::vector<std::thread> threads_;
};

// ---------------------------------------------------------------------------------------------
// 1. Store URLs and TabSeparated.

// The message of a refused URL (empty when it was accepted).
std::string Refusal(const std::string& text) {
  Result<StoreUrl> url = ParseStoreUrl(text);
  if (url.ok()) return "";
  EXPECT_EQ(url.status().code(), Status::Code::kInvalidArgument) << text;
  return url.status().message();
}

TEST(StoreUrlTest, GoodUrls) {
  Result<StoreUrl> url =
      ParseStoreUrl("clickhouse://10.0.0.1:8123,ch-2.example:9000/telemetry?cluster=tele_1");
  ASSERT_TRUE(url.ok()) << url.status().message();
  EXPECT_TRUE(url->clickhouse());
  ASSERT_EQ(url->hosts.size(), 2u);
  EXPECT_EQ(url->hosts[0].host, "10.0.0.1");
  EXPECT_EQ(url->hosts[0].port, 8123);
  EXPECT_EQ(url->hosts[1].host, "ch-2.example");
  EXPECT_EQ(url->hosts[1].port, 9000);
  EXPECT_EQ(url->database, "telemetry");
  EXPECT_EQ(url->cluster, "tele_1");
  EXPECT_EQ(url->ToString(),
            "clickhouse://10.0.0.1:8123,ch-2.example:9000/telemetry?cluster=tele_1");

  url = ParseStoreUrl("clickhouse://localhost/db_1");  // The port left out: 8123.
  ASSERT_TRUE(url.ok()) << url.status().message();
  ASSERT_EQ(url->hosts.size(), 1u);
  EXPECT_EQ(url->hosts[0].port, 8123);
  EXPECT_TRUE(url->cluster.empty());
  EXPECT_EQ(url->ToString(), "clickhouse://localhost:8123/db_1");

  url = ParseStoreUrl("clickhouse://127.0.0.1:8123/db?cluster=c");  // One host, a cluster.
  ASSERT_TRUE(url.ok()) << url.status().message();
  EXPECT_EQ(url->cluster, "c");

  url = ParseStoreUrl("sqlite:/var/lib/telemetry/collector.db");
  ASSERT_TRUE(url.ok()) << url.status().message();
  EXPECT_FALSE(url->clickhouse());
  EXPECT_EQ(url->sqlite_path, "/var/lib/telemetry/collector.db");
  EXPECT_EQ(url->ToString(), "sqlite:/var/lib/telemetry/collector.db");

  // --db is the short form of --store sqlite:.
  url = StoreUrlOf("", "x.db");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->sqlite_path, "x.db");
  url = StoreUrlOf("clickhouse://h:1/d", "");
  ASSERT_TRUE(url.ok());
  EXPECT_TRUE(url->clickhouse());
}

TEST(StoreUrlTest, BadUrlsSayWhatIsWrong) {
  struct Case {
    std::string url, says;
  };
  for (const Case& c : std::vector<Case>{
           {"clickhouse://127.0.0.1:8123", "names no database"},
           {"clickhouse://127.0.0.1:8123/", "is not a database name"},
           {"clickhouse://127.0.0.1:8123/tele-metry", "'tele-metry' is not a database name"},
           {"clickhouse://127.0.0.1:99999/db", "port 99999 is out of range"},
           {"clickhouse://127.0.0.1:0/db", "port 0 is out of range"},
           {"clickhouse://127.0.0.1:80a/db", "'80a' is not a port"},
           {"clickhouse://127.0.0.1:/db", "'' is not a port"},
           {"clickhouse://127.0.0.1:-1/db", "'-1' is not a port"},
           {"clickhouse://:8123/db", "is not HOST:PORT"},
           {"clickhouse://a:1,b:2/db", "name it with ?cluster=NAME"},
           {"clickhouse://a:1,a:1/db?cluster=c", "a:1 is named twice"},
           {"clickhouse://a:1,b:2,a:1/db?cluster=c", "a:1 is named twice"},
           {"clickhouse://a:1/db?shards=2", "unknown parameter 'shards=2'"},
           {"clickhouse://a:1/db?cluster=", "is not a cluster name"},
           {"sqlite:", "sqlite: names no file"},
           {"postgres://a:1/db", "is not a store URL"},
           {"", "is not a store URL"},
       }) {
    const std::string message = Refusal(c.url);
    EXPECT_NE(message.find(c.says), std::string::npos) << c.url << ": " << message;
    // Every refusal shows what a good URL looks like.
    EXPECT_NE(message.find("clickhouse://HOST:PORT"), std::string::npos)
        << c.url << ": " << message;
  }
  EXPECT_NE(StoreUrlOf("clickhouse://a:1/d", "x.db").status().message().find("not both"),
            std::string::npos);
  EXPECT_NE(StoreUrlOf("", "").status().message().find("--store URL or --db PATH"),
            std::string::npos);
}

// Values that TabSeparated must escape, and every byte value.
std::vector<std::optional<std::string>> AwkwardValues() {
  std::string every_byte;
  for (int b = 0; b < 256; ++b) every_byte.push_back(static_cast<char>(b));
  std::string reversed(every_byte.rbegin(), every_byte.rend());
  return {every_byte,
          reversed,
          std::string(),
          std::nullopt,
          "\t",
          "\n",
          "\\",
          "\\N",  // A backslash and an N: text, not NULL.
          "N",
          "\\\\N\\",
          std::string("a\tb\nc\\d\re\0f", 11),
          std::string("\0", 1),
          "tab at the end\t",
          "'single' \"double\" `back`",
          "\xff\xfe not UTF-8 \xc3",
          "ünïcödé ✓",
          std::string(70000, '\\')};
}

TEST(TsvTest, EveryByteRoundTrips) {
  const std::vector<std::optional<std::string>> values = AwkwardValues();
  TsvWriter rows;
  for (size_t i = 0; i < values.size(); ++i) {
    rows.Int(static_cast<int64_t>(i)).Text(values[i]).Text(values[values.size() - 1 - i]).EndRow();
  }
  EXPECT_EQ(rows.rows(), values.size());
  // Escaped: a row is one line of three fields.
  EXPECT_EQ(static_cast<size_t>(std::count(rows.data().begin(), rows.data().end(), '\n')),
            values.size());
  Result<std::vector<TsvRow>> parsed = ParseTsv(rows.data());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_EQ(parsed->size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const TsvRow& row = (*parsed)[i];
    ASSERT_EQ(row.size(), 3u) << i;
    EXPECT_EQ(row[0], std::to_string(i));
    EXPECT_EQ(row[1], values[i]) << "value " << i;
    EXPECT_EQ(row[2], values[values.size() - 1 - i]) << "value " << values.size() - 1 - i;
  }
  // Broken input is Corruption, not a guess.
  EXPECT_FALSE(ParseTsv("abc\\").ok());
  EXPECT_FALSE(ParseTsv("abc\tdef").ok());  // No end of line.
  EXPECT_TRUE(ParseTsv("").ok());
  EXPECT_EQ(ParseTsv("")->size(), 0u);
}

TEST(TsvTest, EveryByteRoundTripsThroughClickHouse) {
  ClickHouseServers servers(1);
  ASSERT_TRUE(servers.ok()) << servers.error();
  clickhouse::ClickHouseClient client({"127.0.0.1", servers.http_port(0)}, "tsv");
  ASSERT_TRUE(client.QueryWithoutDatabase("CREATE DATABASE tsv").ok());
  Result<std::string> created = client.Query(
      "CREATE TABLE bytes (i Int64, s Nullable(String), t String) ENGINE = MergeTree ORDER BY i");
  ASSERT_TRUE(created.ok()) << created.status().message();
  const std::vector<std::optional<std::string>> values = AwkwardValues();
  TsvWriter rows;
  for (size_t i = 0; i < values.size(); ++i)
    rows.Int(static_cast<int64_t>(i)).Text(values[i]).Text(values[i].value_or("")).EndRow();
  Status inserted = client.Insert("bytes", "i, s, t", rows.data());
  ASSERT_TRUE(inserted.ok()) << inserted.message();

  Result<std::string> out = client.Query(
      "SELECT i, s, t, length(t) FROM bytes ORDER BY i "
      "FORMAT TabSeparated");
  ASSERT_TRUE(out.ok()) << out.status().message();
  Result<std::vector<TsvRow>> parsed = ParseTsv(*out);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_EQ(parsed->size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const TsvRow& row = (*parsed)[i];
    ASSERT_EQ(row.size(), 4u) << i;
    EXPECT_EQ(row[1], values[i]) << "value " << i;
    EXPECT_EQ(row[2], values[i].value_or("")) << "value " << i;
    // The server holds the bytes themselves, not an escaped form.
    EXPECT_EQ(row[3], std::to_string(values[i].value_or("").size())) << "value " << i;
  }
  // What ClickHouse computes from the bytes agrees too: the hex digits of the 256-byte value.
  std::string hex;
  for (int b = 0; b < 256; ++b) {
    hex.push_back("0123456789ABCDEF"[b >> 4]);
    hex.push_back("0123456789ABCDEF"[b & 15]);
  }
  EXPECT_EQ(Must(servers, 0, "SELECT hex(t) FROM tsv.bytes WHERE i = 0"), hex + "\n");
  // SqlQuote: any bytes as a literal of a query.
  for (const std::optional<std::string>& value : values) {
    if (!value || value->size() > 1000) continue;
    Result<std::string> echoed =
        client.Query("SELECT " + SqlQuote(*value) + " FORMAT TabSeparated");
    ASSERT_TRUE(echoed.ok()) << echoed.status().message();
    Result<std::vector<TsvRow>> back = ParseTsv(*echoed);
    ASSERT_TRUE(back.ok() && back->size() == 1 && back->front().size() == 1) << *echoed;
    EXPECT_EQ(back->front()[0], *value);
  }
}

// ---------------------------------------------------------------------------------------------
// 2. One server: the same input gives the same stats as the SQLite store.

struct Sent {
  std::vector<std::string> problems;  // Answers that were not as expected.
};

std::string FirefoxPath(const nlohmann::json& ping) {
  return "/submit/telemetry/" + ping["id"].get<std::string>() + "/" +
         ping["type"].get<std::string>() + "/Firefox/45.0/beta/20151103030248";
}

// The three ping forms and two refused requests.
void SendMix(int port, const std::string& glean_id, const std::string& proto_id, Sent* sent) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(30);
  auto expect = [&](const char* what, const httplib::Result& res, int status) {
    if (!res) {
      sent->problems.push_back(std::string(what) + ": no answer");
    } else if (res->status != status) {
      sent->problems.push_back(std::string(what) + ": " + std::to_string(res->status) + " " +
                               res->body);
    }
  };
  const std::string firefox =
      ReadFile(SharedDir() + "/fixtures/firefox/pings/main.4.sample.pass.json");
  expect("firefox",
         client.Post(FirefoxPath(nlohmann::json::parse(firefox)), {{"Content-Encoding", "gzip"}},
                     testing::Gzip(firefox), "application/json; charset=UTF-8"),
         200);
  const std::string event =
      ReadFile(SharedDir() + "/fixtures/firefox/pings/event.4.sample.pass.json");
  expect("firefox event",
         client.Post(FirefoxPath(nlohmann::json::parse(event)), event, "application/json"), 200);
  expect(
      "glean",
      client.Post("/submit/org-mozilla-fenix/baseline/1/" + glean_id,
                  ReadFile(SharedDir() + "/fixtures/glean/validation/glean.1.baseline.pass.json"),
                  "application/json"),
      200);
  expect("protobuf",
         client.Post(testing::SubmitPath(proto_id), {{"Content-Encoding", "zstd"}},
                     testing::Zstd(MakePing(proto_id, "acct-a", "dev-a", 2).SerializeAsString()),
                     "application/x-protobuf"),
         200);
  expect("bad id", client.Post("/submit/x/y/1/not-a-uuid", "{}", "application/json"), 400);
  expect("junk",
         client.Post(testing::SubmitPath(NewUuid()), {{"Content-Encoding", "zstd"}}, "junk",
                     "application/x-protobuf"),
         400);
}

// The duplicates of SendMix's Firefox and protobuf pings.
void SendDuplicates(int port, const std::string& proto_id, Sent* sent) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(30);
  const std::string firefox =
      ReadFile(SharedDir() + "/fixtures/firefox/pings/main.4.sample.pass.json");
  auto res = client.Post(FirefoxPath(nlohmann::json::parse(firefox)), firefox, "application/json");
  if (!res || res->status != 200) sent->problems.push_back("firefox duplicate");
  if (PostPing(client, MakePing(proto_id, "acct-a", "dev-a", 2)) != 200)
    sent->problems.push_back("protobuf duplicate");
}

TEST(ClickHouseStoreTest, OneServerGivesTheSameStatsAsSqlite) {
  ClickHouseServers servers(1);
  ASSERT_TRUE(servers.ok()) << servers.error();
  TempDir dir;
  const std::string store = servers.StoreUrl("single", false);
  const std::string sqlite = dir.Path("collector.db");
  const std::string glean_id = NewUuid(), proto_id = NewUuid();
  WriteFile(dir.Path("events.csv"),
            "timestamp,type,uid,deviceId,service\n"
            "1456387200000,account.login,imported-1,dev-1,sync\n"
            "1456444800000,device.connected,imported-1,dev-1,sync\n"
            "1456444800001,device.connected,imported-2,dev-2,\n"
            "not-a-time,device.connected,imported-3,dev-3,\n");
  {
    CollectorProcess clickhouse(
        ServeArgs(store, dir.Path("spool.db"), {"--forward-interval-ms", "50"}),
        dir.Path("ch.out"));
    ASSERT_GT(clickhouse.port(), 0) << clickhouse.Output();
    Sent sent;
    SendMix(clickhouse.port(), glean_id, proto_id, &sent);
    EXPECT_TRUE(sent.problems.empty()) << ::testing::PrintToString(sent.problems);
    ASSERT_TRUE(Drained(clickhouse.port()));
    // Sent again once the first copies are in ClickHouse: spooled and forwarded again, and
    // kept once there.
    SendDuplicates(clickhouse.port(), proto_id, &sent);
    EXPECT_TRUE(sent.problems.empty()) << ::testing::PrintToString(sent.problems);
    ASSERT_TRUE(Drained(clickhouse.port()));
    Health health = GetHealth(clickhouse.port());
    EXPECT_EQ(health.body.rfind("ok\nclickhouse: up\nspool: 0 of 1000000 records waiting\n", 0), 0u)
        << health.body;
    StopCleanly(clickhouse);
  }
  {
    CollectorProcess sqlite_server({"--db", sqlite, "--insecure-dev-key"}, dir.Path("sqlite.out"));
    ASSERT_GT(sqlite_server.port(), 0) << sqlite_server.Output();
    Sent sent;
    SendMix(sqlite_server.port(), glean_id, proto_id, &sent);
    SendDuplicates(sqlite_server.port(), proto_id, &sent);
    EXPECT_TRUE(sent.problems.empty()) << ::testing::PrintToString(sent.problems);
    StopCleanly(sqlite_server);
  }
  // The same file imported twice into each.
  for (int round = 0; round < 2; ++round) {
    for (const std::string& target : {"--store " + store, "--db " + sqlite}) {
      std::string out;
      EXPECT_EQ(Collector("import " + target + " --format fxa-csv --insecure-dev-key " +
                              dir.Path("events.csv"),
                          &out),
                3)
          << target << "\n"
          << out;
      EXPECT_NE(out.find("rows read 4, imported "), std::string::npos) << out;
      EXPECT_NE(out.find("events.csv:5: timestamp is not an integer"), std::string::npos) << out;
    }
  }
  std::string clickhouse_text, sqlite_text, clickhouse_json, sqlite_json;
  EXPECT_EQ(Collector("stats --store " + store, &clickhouse_text), 0) << clickhouse_text;
  EXPECT_EQ(Collector("stats --db " + sqlite, &sqlite_text), 0) << sqlite_text;
  EXPECT_EQ(Collector("stats --json --store " + store, &clickhouse_json), 0) << clickhouse_json;
  EXPECT_EQ(Collector("stats --json --db " + sqlite, &sqlite_json), 0) << sqlite_json;
  EXPECT_EQ(clickhouse_text, sqlite_text);
  EXPECT_EQ(clickhouse_json, sqlite_json);
  // And they say what was sent (equal empty outputs would prove nothing).
  for (const char* expected :
       {"telemetry", "main", "event", "org-mozilla-fenix", "baseline", "firefox-desktop",
        "account-ecosystem", "account.login", "device.connected", "2016-02-26",
        "invalid_document_id", "corrupt_body"}) {
    EXPECT_NE(clickhouse_text.find(expected), std::string::npos) << expected << "\n"
                                                                 << clickhouse_text;
  }
  const nlohmann::json stats = nlohmann::json::parse(clickhouse_json, nullptr, false);
  ASSERT_FALSE(stats.is_discarded()) << clickhouse_json;
  int64_t pings = 0, rejections = 0, device_connected = 0;
  for (const auto& p : stats["pings"]) pings += p["count"].get<int64_t>();
  for (const auto& r : stats["rejections"]) rejections += r["count"].get<int64_t>();
  for (const auto& e : stats["activity_events"]) {
    if (e["type"] == "device.connected") device_connected += e["count"].get<int64_t>();
  }
  EXPECT_EQ(pings, 4);  // Two Firefox pings, a Glean ping, a protobuf ping; duplicates once.
  EXPECT_EQ(rejections, 2);
  EXPECT_EQ(device_connected, 2);  // Imported twice, kept once.
  // Underneath: FINAL sees every document once.
  EXPECT_EQ(
      Must(servers, 0, "SELECT count(), uniqExact(document_id) FROM single.pings_local FINAL"),
      "4\t4\n");
}

// ---------------------------------------------------------------------------------------------
// 3. Two shards, two collector instances.

TEST(ClickHouseStoreTest, TwoCollectorsOnTwoShardsCountEveryPingOnce) {
  ClickHouseServers servers(2);
  ASSERT_TRUE(servers.ok()) << servers.error();
  TempDir dir;
  const std::string store = servers.StoreUrl("sharded");
  WriteFile(dir.Path("key"), "the-shared-collector-key-0123456789\n");
  WriteFile(dir.Path("other-key"), "another-collector-key-9876543210\n");
  const std::vector<std::string> shared_key = {
      "--hmac-key-file", dir.Path("key"), "--forward-interval-ms", "50", "--forward-batch", "64"};
  // Both start at once on a database that does not exist yet.
  std::unique_ptr<CollectorProcess> a, b;
  {
    std::thread start_b([&] {
      b = std::make_unique<CollectorProcess>(ServeArgs(store, dir.Path("b.spool"), shared_key),
                                             dir.Path("b.out"));
    });
    a = std::make_unique<CollectorProcess>(ServeArgs(store, dir.Path("a.spool"), shared_key),
                                           dir.Path("a.out"));
    start_b.join();
  }
  ASSERT_GT(a->port(), 0) << a->Output();
  ASSERT_GT(b->port(), 0) << b->Output();

  constexpr int kPings = 300, kAccounts = 60, kEvents = 2;
  std::vector<std::string> ids, bodies;
  for (int i = 0; i < kPings; ++i) {
    ids.push_back(NewUuid());
    const std::string uid = "account-" + std::to_string(i % kAccounts);
    bodies.push_back(
        testing::Zstd(MakePing(ids.back(), uid, "device-" + uid, kEvents).SerializeAsString()));
  }
  std::atomic<int> refused{0};
  auto post_all = [&](int port, bool backwards) {
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(30);
    for (int k = 0; k < kPings; ++k) {
      const int i = backwards ? kPings - 1 - k : k;
      auto res = client.Post(testing::SubmitPath(ids[i]), {{"Content-Encoding", "zstd"}}, bodies[i],
                             "application/x-protobuf");
      if (!res || res->status != 200) ++refused;
    }
  };
  std::thread to_b(post_all, b->port(), true);
  post_all(a->port(), false);
  to_b.join();
  EXPECT_EQ(refused, 0);
  ASSERT_TRUE(Drained(a->port()));
  ASSERT_TRUE(Drained(b->port()));

  // Every ping once, every event once, over both shards.
  EXPECT_EQ(SumOverShards(servers, "SELECT count() FROM sharded.pings_local FINAL"), kPings);
  std::map<std::pair<std::string, std::string>, int> events;
  std::vector<std::set<std::string>> uids(2), documents(2), documents_of_events(2);
  for (int shard = 0; shard < 2; ++shard) {
    for (const TsvRow& row : Rows(servers, shard,
                                  "SELECT uid, event_key, document_id FROM "
                                  "sharded.activity_events_local FINAL")) {
      ++events[{*row.at(0), *row.at(1)}];
      uids[shard].insert(*row.at(0));
      documents_of_events[shard].insert(row.at(2).value_or("NULL"));
    }
    for (const TsvRow& row :
         Rows(servers, shard, "SELECT document_id FROM sharded.pings_local FINAL")) {
      documents[shard].insert(*row.at(0));
    }
  }
  // kEvents account.login rows and the ping's own row per ping.
  EXPECT_EQ(SumOverShards(servers, "SELECT count() FROM sharded.activity_events_local FINAL"),
            kPings * (kEvents + 1));
  EXPECT_EQ(events.size(), static_cast<size_t>(kPings * (kEvents + 1)));
  for (const auto& [key, n] : events) EXPECT_EQ(n, 1) << key.first << " " << key.second;
  // Every account on exactly one shard, the one ShardOf names, with its documents.
  EXPECT_FALSE(uids[0].empty());
  EXPECT_FALSE(uids[1].empty());
  EXPECT_EQ(uids[0].size() + uids[1].size(), static_cast<size_t>(kAccounts));
  for (int shard = 0; shard < 2; ++shard) {
    for (const std::string& uid : uids[shard]) {
      EXPECT_EQ(uids[1 - shard].count(uid), 0u) << uid;
      EXPECT_EQ(clickhouse::Cluster::ShardOf(uid, 2), shard) << uid;
    }
    EXPECT_EQ(documents[shard], documents_of_events[shard]) << "shard " << shard;
  }
  EXPECT_EQ(documents[0].size() + documents[1].size(), static_cast<size_t>(kPings));
  // The raw uids are nowhere: HMACs of 64 hex digits.
  for (const std::string& uid : uids[0]) EXPECT_EQ(uid.size(), 64u) << uid;
  // Imported rows go to their account's shard too, and twice is once.
  std::string csv = "timestamp,type,uid,deviceId\n";
  for (int i = 0; i < 40; ++i) {
    csv += std::to_string(1456444800000 + i) + ",device.connected,imported-" +
           std::to_string(i % 20) + ",d\n";
  }
  WriteFile(dir.Path("rows.csv"), csv);
  for (int round = 0; round < 2; ++round) {
    std::string out;
    EXPECT_EQ(Collector("import --store " + store + " --format fxa-csv --hmac-key-file " +
                            dir.Path("key") + " " + dir.Path("rows.csv"),
                        &out),
              0)
        << out;
  }
  std::set<std::string> imported_uids;
  for (int shard = 0; shard < 2; ++shard) {
    for (const TsvRow& row : Rows(servers, shard,
                                  "SELECT DISTINCT uid FROM sharded.activity_events_local FINAL "
                                  "WHERE type = 'device.connected'")) {
      EXPECT_EQ(clickhouse::Cluster::ShardOf(*row.at(0), 2), shard) << *row.at(0);
      EXPECT_TRUE(imported_uids.insert(*row.at(0)).second) << *row.at(0) << " on both shards";
    }
  }
  EXPECT_EQ(imported_uids.size(), 20u);
  EXPECT_EQ(SumOverShards(servers,
                          "SELECT count() FROM sharded.activity_events_local FINAL "
                          "WHERE type = 'device.connected'"),
            40);
  // stats through the Distributed tables.
  std::string json;
  EXPECT_EQ(Collector("stats --json --store " + store, &json), 0) << json;
  const nlohmann::json stats = nlohmann::json::parse(json, nullptr, false);
  ASSERT_FALSE(stats.is_discarded()) << json;
  ASSERT_EQ(stats["pings"].size(), 1u) << json;
  EXPECT_EQ(stats["pings"][0]["count"], kPings);
  int64_t connected = 0;
  for (const auto& e : stats["activity_events"]) {
    if (e["type"] == "device.connected") connected += e["count"].get<int64_t>();
  }
  EXPECT_EQ(connected, 40);

  // A collector with another key is refused at its start, saying so.
  CollectorProcess other(
      ServeArgs(store, dir.Path("other.spool"), {"--hmac-key-file", dir.Path("other-key")}),
      dir.Path("other.out"));
  const std::optional<int> status = other.WaitAtMost(seconds(60));
  ASSERT_TRUE(status.has_value()) << "a collector with another key is running\n" << other.Output();
  EXPECT_NE(ExitCode(*status), 0) << other.Output();
  EXPECT_NE(ExitCode(*status), -1) << other.Output();  // Exited, not a crash.
  EXPECT_EQ(other.port(), 0);
  EXPECT_NE(other.Output().find("another HMAC key"), std::string::npos) << other.Output();
  EXPECT_NE(other.Output().find("--hmac-key-file"), std::string::npos) << other.Output();
  EXPECT_EQ(other.Output().find("listening"), std::string::npos) << other.Output();
  // The refused one stored nothing; the others still serve.
  EXPECT_EQ(SumOverShards(servers, "SELECT count() FROM sharded.pings_local FINAL"), kPings);
  EXPECT_EQ(GetHealth(a->port()).status, 200);
  StopCleanly(*a);
  StopCleanly(*b);
}

// ---------------------------------------------------------------------------------------------
// 4. kill -9 between spool and forward.

TEST(ClickHouseStoreTest, KillDashNineBetweenSpoolAndForwardLosesAndRepeatsNothing) {
  ClickHouseServers servers(1);
  ASSERT_TRUE(servers.ok()) << servers.error();
  TempDir dir;
  const std::string store = servers.StoreUrl("crash", false);
  const std::string spool = dir.Path("spool.db");
  constexpr int kPings = 100;
  std::vector<std::string> posted;
  {
    // An hour between rounds: after the start round, pings wait in the spool.
    CollectorProcess collector(ServeArgs(store, spool, {"--forward-interval-ms", "3600000"}),
                               dir.Path("out1"));
    ASSERT_GT(collector.port(), 0) << collector.Output();
    httplib::Client client("127.0.0.1", collector.port());
    client.set_read_timeout(30);
    for (int i = 0; i < kPings; ++i) {
      posted.push_back(NewUuid());
      const std::string uid = "acct-" + std::to_string(i % 10);
      ASSERT_EQ(PostPing(client, MakePing(posted.back(), uid, "dev", 1)), 200) << i;
    }
    Health health = GetHealth(collector.port());
    EXPECT_NE(health.body.find("\nspool: 100 of"), std::string::npos) << health.body;
    EXPECT_NE(health.body.find("forwarded: 0 records"), std::string::npos) << health.body;
    EXPECT_EQ(Must(servers, 0, "SELECT count() FROM crash.pings_local"), "0\n");
    KillDashNine(collector);
  }
  EXPECT_EQ(Must(servers, 0, "SELECT count() FROM crash.pings_local"), "0\n");
  EXPECT_EQ(Must(servers, 0, "SELECT count() FROM crash.activity_events_local"), "0\n");
  {
    CollectorProcess collector(ServeArgs(store, spool, {"--forward-interval-ms", "50"}),
                               dir.Path("out2"));
    ASSERT_GT(collector.port(), 0) << collector.Output();
    ASSERT_TRUE(Drained(collector.port()));
    Health health = GetHealth(collector.port());
    EXPECT_NE(health.body.find("forwarded: 100 records"), std::string::npos) << health.body;
    StopCleanly(collector);
  }
  // Exactly the posted pings; and sent once (also without FINAL: nothing went twice).
  EXPECT_EQ(Must(servers, 0, "SELECT count() FROM crash.pings_local FINAL"), "100\n");
  EXPECT_EQ(Must(servers, 0, "SELECT count() FROM crash.pings_local"), "100\n");
  EXPECT_EQ(Must(servers, 0, "SELECT count() FROM crash.activity_events_local FINAL"), "200\n");
  std::vector<std::string> stored = StoredIds(servers, "crash");
  std::sort(stored.begin(), stored.end());
  std::sort(posted.begin(), posted.end());
  EXPECT_EQ(stored, posted);

  // Now kill -9 at random moments under load, forwarding every 20 ms in batches of 50.
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 random(seed);
  std::vector<std::string> acknowledged = posted;
  for (int round = 0; round < 6; ++round) {
    CollectorProcess collector(
        ServeArgs(store, spool, {"--forward-interval-ms", "20", "--forward-batch", "50"}),
        dir.Path("kill" + std::to_string(round)));
    ASSERT_GT(collector.port(), 0) << collector.Output();
    Poster load(collector.port(), 4, 30);
    ASSERT_TRUE(load.WaitPast(20)) << collector.Output();
    // The moment of the kill.
    std::this_thread::sleep_for(milliseconds(std::uniform_int_distribution<int>(0, 700)(random)));
    KillDashNine(collector);
    load.Stop();
    const std::vector<std::string> ids = load.ids();
    acknowledged.insert(acknowledged.end(), ids.begin(), ids.end());
    EXPECT_EQ(load.other_statuses(), 0);
  }
  {
    CollectorProcess collector(ServeArgs(store, spool, {"--forward-interval-ms", "50"}),
                               dir.Path("final"));
    ASSERT_GT(collector.port(), 0) << collector.Output();
    ASSERT_TRUE(Drained(collector.port()));
    StopCleanly(collector);
  }
  std::printf("%zu pings acknowledged over 6 kills\n", acknowledged.size());
  ExpectExactlyOnce(servers, "crash", acknowledged);
}

// SIGTERM forwards what waits before the exit; with ClickHouse down it exits anyway, promptly,
// and what waits goes at the next start.
TEST(ClickHouseStoreTest, SigtermForwardsWhatWaitsAndLeavesTheRestForTheNextStart) {
  ClickHouseServers servers(1);
  ASSERT_TRUE(servers.ok()) << servers.error();
  TempDir dir;
  const std::string store = servers.StoreUrl("term", false);
  const std::string spool = dir.Path("spool.db");
  const std::vector<std::string> slow = {"--forward-interval-ms", "3600000"};
  auto post = [](int port, int n, std::vector<std::string>* ids) {
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(30);
    for (int i = 0; i < n; ++i) {
      ids->push_back(NewUuid());
      EXPECT_EQ(PostPing(client, MakePing(ids->back(), "acct-" + std::to_string(i % 5))), 200);
    }
  };
  std::vector<std::string> first, second;
  {
    CollectorProcess collector(ServeArgs(store, spool, slow), dir.Path("out1"));
    ASSERT_GT(collector.port(), 0) << collector.Output();
    post(collector.port(), 40, &first);
    EXPECT_EQ(Must(servers, 0, "SELECT count() FROM term.pings_local"), "0\n");
    StopCleanly(collector);
  }
  EXPECT_EQ(Must(servers, 0, "SELECT count() FROM term.pings_local FINAL"), "40\n");
  {
    CollectorProcess collector(ServeArgs(store, spool, slow), dir.Path("out2"));
    ASSERT_GT(collector.port(), 0) << collector.Output();
    Health health = GetHealth(collector.port());
    EXPECT_NE(health.body.find("\nspool: 0 of"), std::string::npos) << health.body;
    post(collector.port(), 30, &second);
    servers.Stop(0);
    const auto started = Clock::now();
    StopCleanly(collector);
    EXPECT_LT(Clock::now() - started, seconds(20)) << collector.Output();
  }
  ASSERT_TRUE(servers.Restart(0)) << servers.Log(0);
  EXPECT_EQ(Must(servers, 0, "SELECT count() FROM term.pings_local FINAL"), "40\n");
  {
    CollectorProcess collector(ServeArgs(store, spool, slow), dir.Path("out3"));
    ASSERT_GT(collector.port(), 0) << collector.Output();
    // The start round takes what the last run left.
    ASSERT_TRUE(Drained(collector.port()));
    StopCleanly(collector);
  }
  std::vector<std::string> all = first;
  all.insert(all.end(), second.begin(), second.end());
  std::sort(all.begin(), all.end());
  std::vector<std::string> stored = StoredIds(servers, "term");
  std::sort(stored.begin(), stored.end());
  EXPECT_EQ(stored, all);
}

// ---------------------------------------------------------------------------------------------
// 5. ClickHouse stopped or killed under load.

enum class Outage { kStop, kKill };

// `shards` servers; `down` of them (the last ones) stopped or killed under load, then started
// again.
void ClickHouseGoesAwayUnderLoad(int shards, int down, Outage outage) {
  ClickHouseServers servers(shards);
  ASSERT_TRUE(servers.ok()) << servers.error();
  TempDir dir;
  const std::string store = servers.StoreUrl("outage");
  constexpr int kMaxRecords = 2000;
  CollectorProcess collector(ServeArgs(store, dir.Path("spool.db"),
                                       {"--spool-max-records", std::to_string(kMaxRecords),
                                        "--forward-interval-ms", "20", "--forward-batch", "100"}),
                             dir.Path("out"));
  ASSERT_GT(collector.port(), 0) << collector.Output();
  Poster load(collector.port(), 3, 40);
  ASSERT_TRUE(load.WaitPast(50)) << collector.Output();
  Health health = GetHealth(collector.port());
  EXPECT_NE(health.body.find("clickhouse: up"), std::string::npos) << health.body;

  // The outage, on a thread of its own: a stopping server may take seconds to exit, and the
  // collector is watched meanwhile.
  std::thread outage_thread([&servers, shards, down, outage] {
    for (int i = shards - down; i < shards; ++i) {
      if (outage == Outage::kStop) {
        servers.Stop(i);
      } else {
        servers.Kill(i);
      }
    }
  });
  const bool noticed = WaitForHealth(collector.port(), "clickhouse: down since ", &health, -1,
                                     seconds(60), milliseconds(5));
  const size_t at_down = load.acknowledged();
  const int64_t pending_at_down = Pending(health.body);
  outage_thread.join();
  for (int i = shards - down; i < shards; ++i) ASSERT_FALSE(servers.running(i));
  ASSERT_TRUE(noticed) << health.status << "\n" << health.body;
  EXPECT_TRUE((health.status == 200 && health.body.rfind("degraded\n", 0) == 0) ||
              (health.status == 503 && health.body.rfind("spool full\n", 0) == 0))
      << health.status << "\n"
      << health.body;
  // Still acknowledged, into the spool (unless it was full already when first seen down).
  if (pending_at_down < kMaxRecords) {
    EXPECT_TRUE(load.WaitPast(at_down)) << "no ping acknowledged while ClickHouse is down";
  }
  // Full: submissions and /health answer 503 with Retry-After.
  ASSERT_TRUE(WaitForHealth(collector.port(), "spool full\n", &health, 503))
      << health.status << "\n"
      << health.body;
  EXPECT_TRUE(health.retry_after);
  EXPECT_NE(health.body.find("clickhouse: down since "), std::string::npos) << health.body;
  // The bound is checked before each group commit: one commit's records may pass it.
  EXPECT_GE(Pending(health.body), kMaxRecords) << health.body;
  EXPECT_LE(Pending(health.body), kMaxRecords + 20000) << health.body;
  EXPECT_NE(health.body.find(" of " + std::to_string(kMaxRecords) + " records waiting"),
            std::string::npos)
      << health.body;
  std::printf("seen down with %lld records in the spool, %zu acknowledged since; full at %lld\n",
              static_cast<long long>(pending_at_down), load.acknowledged() - at_down,
              static_cast<long long>(Pending(health.body)));
  const auto deadline = Clock::now() + seconds(30);
  while (load.unavailable() == 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));  // Polling.
  }
  EXPECT_GT(load.unavailable(), 0);
  EXPECT_EQ(load.unavailable_bare(), 0);
  const size_t when_full = load.acknowledged();

  for (int i = shards - down; i < shards; ++i) ASSERT_TRUE(servers.Restart(i)) << servers.Log(i);
  ASSERT_TRUE(WaitForHealth(collector.port(), "clickhouse: up", &health, 200, seconds(90)))
      << health.status << "\n"
      << health.body;
  ASSERT_TRUE(load.WaitPast(when_full + 50)) << "no ping acknowledged after ClickHouse returned";
  load.Stop();
  ASSERT_TRUE(Drained(collector.port()));
  health = GetHealth(collector.port());
  EXPECT_EQ(health.body.rfind("ok\nclickhouse: up\n", 0), 0u) << health.body;
  EXPECT_FALSE(health.retry_after);
  StopCleanly(collector);
  EXPECT_EQ(load.other_statuses(), 0);
  std::printf("%zu pings acknowledged, %d answered 503 with Retry-After\n", load.acknowledged(),
              load.unavailable());
  ExpectExactlyOnce(servers, "outage", load.ids());
  // The log said when forwarding stopped and started again.
  EXPECT_NE(collector.Output().find("forward: cannot forward"), std::string::npos);
  EXPECT_NE(collector.Output().find("forward: forwarding again"), std::string::npos);
}

TEST(ClickHouseStoreTest, ClickHouseStoppedUnderLoadThenRestarted) {
  ClickHouseGoesAwayUnderLoad(1, 1, Outage::kStop);
}

// One shard of two killed: every batch's inserts into the live shard succeed and are repeated
// until the other comes back.
TEST(ClickHouseStoreTest, OneShardKilledUnderLoadThenRestarted) {
  ClickHouseGoesAwayUnderLoad(2, 1, Outage::kKill);
}

// ---------------------------------------------------------------------------------------------
// 6. A database of another schema version; a server that is not there.

TEST(ClickHouseStoreTest, AnotherSchemaVersionIsRefusedByServeImportAndStats) {
  ClickHouseServers servers(1);
  ASSERT_TRUE(servers.ok()) << servers.error();
  TempDir dir;
  const std::string store = servers.StoreUrl("foreign", false);
  std::string out;
  ASSERT_EQ(Collector("stats --store " + store, &out), 0) << out;  // Creates the schema.
  EXPECT_EQ(Must(servers, 0,
                 "SELECT value FROM foreign.telemetry_meta FINAL WHERE key = "
                 "'schema_version'"),
            "1\n");
  Must(servers, 0, "INSERT INTO foreign.telemetry_meta VALUES ('schema_version', '99')");
  WriteFile(dir.Path("events.csv"), "timestamp,type,uid\n1456387200000,account.login,u1\n");

  auto expect_refusal = [](const std::string& what, int code, const std::string& output) {
    EXPECT_NE(code, 0) << what << "\n" << output;
    EXPECT_NE(code, -1) << what << ": did not exit\n" << output;
    EXPECT_LT(code, 124) << what << ": timed out or crashed\n" << output;
    EXPECT_NE(output.find("another schema version (stored 99, this collector 1)"),
              std::string::npos)
        << what << "\n"
        << output;
    EXPECT_EQ(output.find("terminate"), std::string::npos) << what << "\n" << output;
    EXPECT_EQ(output.find("Sanitizer"), std::string::npos) << what << "\n" << output;
  };
  CollectorProcess serve(ServeArgs(store, dir.Path("spool.db")), dir.Path("serve.out"));
  const std::optional<int> status = serve.WaitAtMost(seconds(60));
  ASSERT_TRUE(status.has_value()) << serve.Output();
  EXPECT_EQ(serve.port(), 0);
  expect_refusal("serve", ExitCode(*status), serve.Output());
  int code = Collector(
      "import --store " + store + " --format fxa-csv --insecure-dev-key " + dir.Path("events.csv"),
      &out);
  expect_refusal("import", code, out);
  code = Collector("stats --store " + store, &out);
  expect_refusal("stats", code, out);
  code = Collector("stats --json --store " + store, &out);
  expect_refusal("stats --json", code, out);
  // Nothing was written past the refusal.
  EXPECT_EQ(Must(servers, 0, "SELECT count() FROM foreign.activity_events_local"), "0\n");
}

TEST(ClickHouseStoreTest, AServerThatIsNotThereIsSaidAtTheStart) {
  ClickHouseServers servers(1);
  ASSERT_TRUE(servers.ok()) << servers.error();
  const int port = servers.http_port(0);
  servers.Stop(0);
  TempDir dir;
  const std::string store = "clickhouse://127.0.0.1:" + std::to_string(port) + "/absent";
  CollectorProcess serve(ServeArgs(store, dir.Path("spool.db")), dir.Path("serve.out"));
  const std::optional<int> status = serve.WaitAtMost(seconds(60));
  ASSERT_TRUE(status.has_value()) << serve.Output();
  EXPECT_EQ(ExitCode(*status), 1) << serve.Output();
  EXPECT_NE(serve.Output().find("127.0.0.1:" + std::to_string(port) + " cannot be reached"),
            std::string::npos)
      << serve.Output();
  std::string out;
  EXPECT_EQ(Collector("stats --store " + store, &out), 1) << out;
  EXPECT_NE(out.find("cannot be reached"), std::string::npos) << out;
  // A cluster name the servers do not know.
  ASSERT_TRUE(servers.Restart(0)) << servers.Log(0);
  EXPECT_EQ(Collector("stats --store " + store + "?cluster=nowhere", &out), 1) << out;
  EXPECT_NE(out.find("no cluster 'nowhere'"), std::string::npos) << out;
}

}  // namespace
}  // namespace telemetry::collector
