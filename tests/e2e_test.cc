// End to end: the fleet simulator's devices and account server, on the real library, send
// pings through the real uploader to a real collector process over HTTP; the daily job then
// computes KPIs that must equal the KPIs computed directly from the simulator's own record.
#include <gtest/gtest.h>

#include "collector_test_support.h"

namespace telemetry::collector::testing {
namespace {

TEST(EndToEnd, CollectorKpisEqualTheSimulatorsOwnRecord) {
  TempDir dir;
  WriteFile(dir.Path("hmac.key"), "an end-to-end test key, not a secret\n");
  CollectorProcess collector(
      {"--db", dir.Path("collector.db"), "--hmac-key-file", dir.Path("hmac.key")},
      dir.Path("serve.log"));
  ASSERT_GT(collector.port(), 0) << collector.Output();

  std::string output;
  const std::string expected = dir.Path("expected.csv");
  ASSERT_EQ(
      RunCommandForTest(std::string(TELEMETRY_SIMULATE) + " --users 25 --days 12 --seed 7" +
                            " --collector http://127.0.0.1:" + std::to_string(collector.port()) +
                            " --data-dir " + dir.Path("fleet") + " --expected-kpis " + expected,
                        &output),
      0)
      << output;
  EXPECT_NE(output.find(" 0 left pending"), std::string::npos) << output;

  const std::string db = " --db " + dir.Path("collector.db");
  ASSERT_EQ(RunCommandForTest(std::string(TELEMETRY_COLLECTOR) + " aggregate" + db, &output), 0)
      << output;
  const std::string want = ReadFile(expected);
  std::vector<std::string> lines;
  for (size_t at = 0; at < want.size();) {
    size_t end = want.find('\n', at);
    lines.push_back(want.substr(at, end - at));
    at = end + 1;
  }
  ASSERT_EQ(lines.size(), 13u);  // Header and 12 days.
  const std::string from = lines[1].substr(0, 10);
  const std::string to = lines.back().substr(0, 10);
  ASSERT_EQ(RunCommandForTest(std::string(TELEMETRY_COLLECTOR) + " kpis --from " + from + " --to " +
                                  to + db + " 2>/dev/null",
                              &output),
            0);
  EXPECT_EQ(output, want);
  // The activity was real: users, devices, flows.
  EXPECT_GT(Count(dir.Path("collector.db"), "SELECT count(*) FROM activity_events"), 50);
  EXPECT_GT(Count(dir.Path("collector.db"), "SELECT count(*) FROM pings WHERE doc_type = 'main'"),
            10);

  collector.Signal(SIGTERM);
  const int status = collector.Wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << collector.Output();
}

}  // namespace
}  // namespace telemetry::collector::testing
