// The ClickHouseServers fixture against Debian's clickhouse-server 18.16: one server answers, a
// two-shard cluster's Distributed table reaches both, a killed server is down and comes back on
// its ports with its data, the destructor leaves no server behind.
#include "clickhouse_servers.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

namespace telemetry::testing {
namespace {

// Whether something accepts connections on 127.0.0.1:port.
bool Listening(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool connected = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return connected;
}

// The query's result, or a failure naming the query and ClickHouse's answer.
std::string Must(const ClickHouseServers& servers, int i, const std::string& sql) {
  std::string out;
  EXPECT_TRUE(servers.Query(i, sql, &out)) << "server " << i << ": " << sql << "\n"
                                           << out << "\n"
                                           << servers.Log(i);
  return out;
}

TEST(ClickHouseServersTest, OneServerAnswersSelect1) {
  const auto started = std::chrono::steady_clock::now();
  ClickHouseServers servers(1);
  ASSERT_TRUE(servers.ok()) << servers.error();
  const auto took = std::chrono::steady_clock::now() - started;
  std::printf(
      "1 server ready in %lld ms\n",
      static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
  ASSERT_EQ(servers.size(), 1);
  EXPECT_TRUE(servers.running(0));
  EXPECT_GT(servers.http_port(0), 0);
  EXPECT_GT(servers.tcp_port(0), 0);
  EXPECT_NE(servers.http_port(0), servers.tcp_port(0));
  EXPECT_EQ(Must(servers, 0, "SELECT 1"), "1\n");
  EXPECT_EQ(Must(servers, 0, "SELECT version()").substr(0, 6), "18.16.");
  // The server's timezone is UTC (18.16 names it "Etc/UTC").
  EXPECT_EQ(Must(servers, 0, "SELECT toUnixTimestamp(toDateTime('2020-01-01 00:00:00'))"),
            "1577836800\n");
  // One server is still a cluster of one shard.
  EXPECT_EQ(Must(servers, 0, "SELECT count() FROM system.clusters WHERE cluster = 'telemetry'"),
            "1\n");
  EXPECT_EQ(servers.cluster(), "telemetry");
  EXPECT_EQ(
      servers.StoreUrl("db"),
      "clickhouse://127.0.0.1:" + std::to_string(servers.http_port(0)) + "/db?cluster=telemetry");
  EXPECT_EQ(servers.StoreUrl("db", false),
            "clickhouse://127.0.0.1:" + std::to_string(servers.http_port(0)) + "/db");
}

TEST(ClickHouseServersTest, AQueryClickHouseRefusesIsFalseWithItsMessage) {
  ClickHouseServers servers(1);
  ASSERT_TRUE(servers.ok()) << servers.error();
  std::string out;
  EXPECT_FALSE(servers.Query(0, "SELECT * FROM no_such_table", &out));
  EXPECT_NE(out.find("no_such_table"), std::string::npos) << out;
  EXPECT_FALSE(servers.Query(1, "SELECT 1", &out));  // No server 1.
  EXPECT_FALSE(servers.Restart(1));
}

TEST(ClickHouseServersTest, DistributedTableReachesEveryShardAndAKilledShardComesBack) {
  const auto started = std::chrono::steady_clock::now();
  ClickHouseServers servers(2, "two_shards");
  ASSERT_TRUE(servers.ok()) << servers.error();
  const auto took = std::chrono::steady_clock::now() - started;
  std::printf(
      "2 servers ready in %lld ms\n",
      static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
  ASSERT_EQ(servers.size(), 2);
  EXPECT_NE(servers.http_port(0), servers.http_port(1));
  EXPECT_NE(servers.tcp_port(0), servers.tcp_port(1));
  EXPECT_EQ(servers.StoreUrl("db"),
            "clickhouse://127.0.0.1:" + std::to_string(servers.http_port(0)) +
                ",127.0.0.1:" + std::to_string(servers.http_port(1)) + "/db?cluster=two_shards");
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(Must(servers, i,
                   "SELECT shard_num, port FROM system.clusters WHERE cluster = 'two_shards'"
                   " ORDER BY shard_num"),
              "1\t" + std::to_string(servers.tcp_port(0)) + "\n2\t" +
                  std::to_string(servers.tcp_port(1)) + "\n");
    Must(servers, i, "CREATE DATABASE db");
    Must(servers, i, "CREATE TABLE db.t_local (k UInt64, v String) ENGINE = MergeTree ORDER BY k");
  }
  Must(servers, 0, "CREATE TABLE db.t AS db.t_local ENGINE = Distributed(two_shards, db, t_local)");
  Must(servers, 0, "INSERT INTO db.t_local VALUES (1, 'a'), (2, 'b')");
  Must(servers, 1, "INSERT INTO db.t_local VALUES (3, 'c')");
  EXPECT_EQ(Must(servers, 0, "SELECT count() FROM db.t_local"), "2\n");
  EXPECT_EQ(Must(servers, 0, "SELECT count(), sum(k) FROM db.t"), "3\t6\n");
  EXPECT_EQ(Must(servers, 0, "SELECT k, v FROM db.t ORDER BY k"), "1\ta\n2\tb\n3\tc\n");

  // A crash: server 1 is down, a query of it fails, and so does the Distributed table unless it
  // is told to skip the shard.
  servers.Kill(1);
  EXPECT_FALSE(servers.running(1));
  EXPECT_TRUE(servers.running(0));
  std::string out;
  EXPECT_FALSE(servers.Query(1, "SELECT 1", &out));
  EXPECT_FALSE(servers.Query(0, "SELECT count() FROM db.t", &out));
  EXPECT_EQ(Must(servers, 0, "SELECT count() FROM db.t SETTINGS skip_unavailable_shards = 1"),
            "2\n");

  // Back on the same ports, with the rows inserted before the crash.
  const int http = servers.http_port(1);
  const int tcp = servers.tcp_port(1);
  ASSERT_TRUE(servers.Restart(1)) << servers.Log(1);
  EXPECT_TRUE(servers.running(1));
  EXPECT_EQ(servers.http_port(1), http);
  EXPECT_EQ(servers.tcp_port(1), tcp);
  EXPECT_EQ(Must(servers, 1, "SELECT k, v FROM db.t_local"), "3\tc\n");
  EXPECT_EQ(Must(servers, 0, "SELECT count(), sum(k) FROM db.t"), "3\t6\n");
}

TEST(ClickHouseServersTest, StopThenRestartKeepsDataAndTheDestructorCopesWithStoppedServers) {
  ClickHouseServers servers(2);
  ASSERT_TRUE(servers.ok()) << servers.error();
  Must(servers, 0, "CREATE TABLE t (k UInt64) ENGINE = MergeTree ORDER BY k");
  Must(servers, 0, "INSERT INTO t SELECT number FROM system.numbers LIMIT 1000");
  servers.Stop(0);
  EXPECT_FALSE(servers.running(0));
  std::string out;
  EXPECT_FALSE(servers.Query(0, "SELECT 1", &out));
  servers.Stop(0);  // Again: nothing to stop.
  servers.Kill(0);
  ASSERT_TRUE(servers.Restart(0)) << servers.Log(0);
  EXPECT_EQ(Must(servers, 0, "SELECT count(), sum(k) FROM t"), "1000\t499500\n");
  ASSERT_TRUE(servers.Restart(0)) << servers.Log(0);  // A running server: stopped, started.
  EXPECT_EQ(Must(servers, 0, "SELECT count() FROM t"), "1000\n");
  servers.Kill(1);  // The destructor: one running, one killed.
}

TEST(ClickHouseServersTest, RestartWaitsForItsPortToComeFree) {
  ClickHouseServers servers(1);
  ASSERT_TRUE(servers.ok()) << servers.error();
  servers.Kill(0);
  // Someone else holds the HTTP port for a moment: the server's bind fails, Restart tries again.
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(servers.http_port(0)));
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  std::thread release([fd] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // Longer than one start.
    close(fd);
  });
  const bool restarted = servers.Restart(0);
  release.join();
  ASSERT_TRUE(restarted) << servers.Log(0);
  EXPECT_NE(servers.Log(0).find("Address already in use"), std::string::npos) << servers.Log(0);
  EXPECT_EQ(Must(servers, 0, "SELECT 1"), "1\n");
}

TEST(ClickHouseServersTest, AServerThatCannotStartIsAnErrorWithItsOutput) {
  const auto started = std::chrono::steady_clock::now();
  ClickHouseServers servers(1, "not an <xml> name");  // The config does not parse.
  EXPECT_FALSE(servers.ok());
  EXPECT_NE(servers.error().find("exited during start-up"), std::string::npos) << servers.error();
  EXPECT_NE(servers.error().find("config.xml"), std::string::npos) << servers.error();
  EXPECT_FALSE(servers.running(0));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
}

TEST(ClickHouseServersTest, TwoFixturesAtOnceShareNothingAndLeaveNothingBehind) {
  std::string dir_a, dir_b;
  int port_a = 0, port_b = 0;
  {
    ClickHouseServers a(1);
    ClickHouseServers b(1);
    ASSERT_TRUE(a.ok()) << a.error();
    ASSERT_TRUE(b.ok()) << b.error();
    dir_a = a.directory();
    dir_b = b.directory();
    port_a = a.tcp_port(0);
    port_b = b.tcp_port(0);
    EXPECT_TRUE(Listening(port_a));
    EXPECT_NE(dir_a, dir_b);
    EXPECT_NE(a.http_port(0), b.http_port(0));
    EXPECT_NE(a.tcp_port(0), b.tcp_port(0));
    Must(a, 0, "CREATE TABLE only_in_a (k UInt8) ENGINE = Memory");
    std::string out;
    EXPECT_FALSE(b.Query(0, "SELECT * FROM only_in_a", &out));
    EXPECT_TRUE(std::filesystem::exists(dir_a + "/s0/data/status"));
  }
  EXPECT_FALSE(std::filesystem::exists(dir_a));
  EXPECT_FALSE(std::filesystem::exists(dir_b));
  EXPECT_FALSE(Listening(port_a));  // The destructor waited for the servers' exit.
  EXPECT_FALSE(Listening(port_b));
}

}  // namespace
}  // namespace telemetry::testing
