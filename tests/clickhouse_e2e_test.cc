// The "done when", end to end: a 2-shard ClickHouse cluster (real clickhouse-server
// processes) ingests pings through two collector instances, some of them sent to both, plus an
// import; a SQLite collector ingests the same pings once. `aggregate` on both stores, then
// `kpis` (the table and a segment) prints the same bytes for both.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "clickhouse_servers.h"
#include "collector_child.h"
#include "collector_test_support.h"
#include "telemetry/base/utc_date.h"
#include "telemetry/wire/ping.pb.h"

namespace telemetry::collector {
namespace {

using telemetry::testing::ClickHouseServers;
using telemetry::testing::CollectorChild;
using testing::PostPing;
using testing::RunCommandForTest;
using testing::TempDir;
using testing::WriteFile;

const int64_t kFirstDay = *ParseUtcDate("2016-02-01");
constexpr int kDays = 36;
constexpr int kUsers = 30;

struct Activity {
  const char* type;
  bool connect;  // device.connected with a seq_time
};

// A ping of one user's device on one day, with a few events of seed 001's flows.
telemetry::ping::Ping PingOf(std::mt19937& random, int user, int device, int64_t day) {
  telemetry::ping::Ping ping;
  ping.set_document_id(NewUuid());
  ping.set_document_type("account-ecosystem");
  ping.set_document_version(1);
  ping.mutable_app()->set_name("Firefox");
  ping.mutable_app()->set_version("120.0");
  const int64_t start = day * kDayMillis + static_cast<int64_t>(random() % 80000000);
  ping.set_end_time_ms(start + 60000);
  ping.mutable_environment()->set_os(device % 2 == 0 ? "Linux" : "Windows 10");
  ping.mutable_account()->set_uid("user-" + std::to_string(user));
  ping.mutable_account()->set_device_id("device-" + std::to_string(user) + "-" +
                                        std::to_string(device));
  static const Activity kActivities[] = {{"account.login", false},
                                         {"sequence.begin", false},
                                         {"device.connected", true},
                                         {"account.verified", false}};
  const int events = 1 + static_cast<int>(random() % 3);
  for (int i = 0; i < events; ++i) {
    const Activity& a = kActivities[random() % 4];
    auto* event = ping.mutable_payload()->add_events();
    event->set_timestamp_ms(start + i * 1000);
    const std::string type = a.type;
    event->set_category(type.substr(0, type.find('.')));
    event->set_method(type.substr(type.find('.') + 1));
    (*event->mutable_extras())["service"] = random() % 4 == 0 ? "amo" : "sync";
    (*event->mutable_extras())["new_user"] = random() % 2 == 0 ? "1" : "0";
    if (a.connect) {
      (*event->mutable_extras())["seq_time"] = std::to_string(1000 + random() % 90000);
    }
  }
  return ping;
}

std::vector<telemetry::ping::Ping> MakeFleet() {
  std::mt19937 random(2016);
  std::vector<telemetry::ping::Ping> pings;
  for (int64_t day = kFirstDay; day < kFirstDay + kDays; ++day) {
    for (int user = 0; user < kUsers; ++user) {
      const int devices = 1 + user % 3;
      for (int device = 0; device < devices; ++device) {
        if (random() % 3 == 0) pings.push_back(PingOf(random, user, device, day));
      }
    }
  }
  return pings;
}

void PostAll(int port, const std::vector<const telemetry::ping::Ping*>& pings) {
  httplib::Client client("127.0.0.1", port);
  for (const telemetry::ping::Ping* ping : pings) {
    ASSERT_EQ(PostPing(client, *ping), 200) << ping->document_id();
  }
}

// Waits (bounded) until the collector's spool is empty.
bool Drained(int port) {
  httplib::Client client("127.0.0.1", port);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto res = client.Get("/health");
    if (res && res->body.find("\nspool: 0 of") != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // Polling, not asserting.
  }
  return false;
}

std::string Collector(const std::string& args) {
  std::string out;
  const int status = RunCommandForTest(std::string(TELEMETRY_COLLECTOR) + " " + args, &out);
  EXPECT_TRUE(status == 0 || status == 3) << args << " exited " << status << ":\n" << out;
  return out;
}

TEST(ClickHouseEndToEnd, PingsThroughTwoCollectorsOnTwoShardsGiveSqlitesKpis) {
  ClickHouseServers servers(2);
  ASSERT_TRUE(servers.ok()) << servers.error();
  TempDir dir;
  const std::string store = servers.StoreUrl("e2e");
  const std::string sqlite = dir.Path("c.db");
  const std::vector<telemetry::ping::Ping> fleet = MakeFleet();

  {
    CollectorChild reference(TELEMETRY_COLLECTOR, {"serve", "--db", sqlite, "--insecure-dev-key"},
                             dir.Path("sqlite.log"));
    ASSERT_NE(reference.port(), 0) << reference.Log();
    CollectorChild a(TELEMETRY_COLLECTOR,
                     {"serve", "--store", store, "--spool", dir.Path("a.spool"),
                      "--forward-interval-ms", "100", "--insecure-dev-key"},
                     dir.Path("a.log"));
    CollectorChild b(TELEMETRY_COLLECTOR,
                     {"serve", "--store", store, "--spool", dir.Path("b.spool"),
                      "--forward-interval-ms", "100", "--insecure-dev-key"},
                     dir.Path("b.log"));
    ASSERT_NE(a.port(), 0) << a.Log();
    ASSERT_NE(b.port(), 0) << b.Log();
    // Every ping once to SQLite; to ClickHouse half through each instance, and every fifth
    // through both (a client that retried through the load balancer).
    std::vector<const telemetry::ping::Ping*> all, to_a, to_b;
    for (size_t i = 0; i < fleet.size(); ++i) {
      all.push_back(&fleet[i]);
      (i % 2 == 0 ? to_a : to_b).push_back(&fleet[i]);
      if (i % 5 == 0) (i % 2 == 0 ? to_b : to_a).push_back(&fleet[i]);
    }
    std::thread through_a([&] { PostAll(a.port(), to_a); });
    std::thread through_b([&] { PostAll(b.port(), to_b); });
    PostAll(reference.port(), all);
    through_a.join();
    through_b.join();
    ASSERT_TRUE(Drained(a.port())) << a.Log();
    ASSERT_TRUE(Drained(b.port())) << b.Log();
  }
  // Imported rows beside the pings, into both stores (twice into ClickHouse: kept once).
  const std::string csv = dir.Path("rows.csv");
  WriteFile(csv,
            "timestamp,type,uid,deviceId,service,seqTime,newUser\n"
            "1454371200000,sequence.begin,imported-1,imported-d1,sync,,1\n"
            "1454371260000,device.connected,imported-1,imported-d1,sync,35000,1\n"
            "1454457600000,account.login,imported-2,imported-d2,,,0\n");
  Collector("import --db " + sqlite + " --format fxa-csv --insecure-dev-key " + csv);
  Collector("import --store '" + store + "' --format fxa-csv --insecure-dev-key " + csv);
  Collector("import --store '" + store + "' --format fxa-csv --insecure-dev-key " + csv);

  const std::string through = "--through " + UtcDateOfDay(kFirstDay + kDays - 1);
  Collector("aggregate --db " + sqlite + " " + through);
  Collector("aggregate --store '" + store + "' " + through);
  const std::string range =
      " --from " + UtcDateOfDay(kFirstDay) + " --to " + UtcDateOfDay(kFirstDay + kDays - 1);
  const std::string ours = Collector("kpis --db " + sqlite + range);
  const std::string theirs = Collector("kpis --store '" + store + "'" + range);
  EXPECT_EQ(ours, theirs);
  // Not an empty agreement: the table has every day, with users, multi-device users and
  // connections in it.
  EXPECT_EQ(std::count(ours.begin(), ours.end(), '\n'), kDays + 1) << ours;
  int64_t most_mau = 0, md_days = 0, connect_days = 0;
  std::istringstream lines(ours);
  std::string line;
  std::getline(lines, line);  // The header.
  while (std::getline(lines, line)) {
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string field; std::getline(fields, field, ',');) f.push_back(field);
    ASSERT_GE(f.size(), 10u) << line;
    most_mau = std::max<int64_t>(most_mau, std::stoll(f[3]));
    md_days += std::stoll(f[5]) > 0 ? 1 : 0;
    connect_days += std::stoll(f[8]) > 0 ? 1 : 0;
  }
  EXPECT_GE(most_mau, kUsers) << ours;
  EXPECT_GT(md_days, kDays / 2) << ours;
  EXPECT_GT(connect_days, kDays / 2) << ours;
  const std::string segment = " --segment userAgentOS";
  EXPECT_EQ(Collector("kpis --db " + sqlite + range + segment),
            Collector("kpis --store '" + store + "'" + range + segment));
  // Every ping counted once in ClickHouse, wherever it went.
  int64_t pings = 0;
  for (int i = 0; i < servers.size(); ++i) {
    std::string out;
    ASSERT_TRUE(servers.Query(i, "SELECT count() FROM e2e.pings_local FINAL", &out)) << out;
    pings += std::stoll(out);
  }
  EXPECT_EQ(pings, static_cast<int64_t>(fleet.size()));
}

}  // namespace
}  // namespace telemetry::collector
