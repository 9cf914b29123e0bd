// telemetry-inspect's data verbs on a data directory written by the library itself, as a user
// runs them: each verb as a table and as JSON, and the bad cases.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "http_test_server.h"
#include "pings/ping_service.h"
#include "recorder_support.h"
#include "test_support.h"

namespace telemetry {
namespace {

namespace kinds = test_probes::test_kinds;
namespace policy = test_probes::test_policy;
using Seen = policy::SeenEvent;

struct Outcome {
  int status = -1;
  std::string output;
};

class InspectDataTest : public ::testing::Test {
 protected:
  // A data directory with held values, one archived ping and one pending ping.
  static void SetUpTestSuite() {
    dir_ = new testing::ScopedTempDir;
    testing::HttpTestServer server;
    TelemetryConfig config = testing::TestConfig();
    config.data_dir = dir_->path();
    std::unique_ptr<Telemetry> t = testing::OpenOrDie(config);
    pings::PingServiceConfig ping_config;
    ping_config.server_url = server.url();
    ping_config.background_thread = false;
    ping_config.pings = {pings::MainPing()};
    auto service = pings::PingService::Start(*t, ping_config).value();
    t->Add(kinds::kAUint, 7);
    ASSERT_TRUE(service->Submit("main", "shutdown").ok());
    ASSERT_EQ(service->UploadDue(), 1);  // Archived.
    server.Stop();
    t->Add(kinds::kAUint, 2);
    ASSERT_TRUE(service->Submit("main", "environment-change").ok());
    EXPECT_EQ(service->UploadDue(), 0);  // Pending: the server is gone.
    t->Add(kinds::kAUint, 5);
    t->Add(policy::kSources, "urlbar", 3);
    t->Record(policy::kSeenEvent, Seen::Object::kThing, "v", {{Seen::Extra::kFirst, "1"}});
    ASSERT_TRUE(t->Checkpoint().ok());
    client_id_ = new std::string(t->client_id());
    // The application keeps running while we inspect: `t` stays open until the end.
    telemetry_ = t.release();
    service_ = service.release();
  }
  static void TearDownTestSuite() {
    delete service_;
    delete telemetry_;
    delete dir_;
    delete client_id_;
  }

  static Outcome Inspect(const std::string& arguments) {
    Outcome run;
    run.status = testing::RunCommand(
        std::string(TELEMETRY_INSPECT) + " --data-dir " + dir_->path() + " " + arguments,
        &run.output);
    return run;
  }
  static nlohmann::json Json(const std::string& arguments) {
    Outcome run = Inspect(arguments + " --json");
    EXPECT_EQ(run.status, 0) << run.output;
    return nlohmann::json::parse(run.output, nullptr, false);
  }

  static testing::ScopedTempDir* dir_;
  static std::string* client_id_;
  static Telemetry* telemetry_;
  static pings::PingService* service_;
};

testing::ScopedTempDir* InspectDataTest::dir_ = nullptr;
std::string* InspectDataTest::client_id_ = nullptr;
Telemetry* InspectDataTest::telemetry_ = nullptr;
pings::PingService* InspectDataTest::service_ = nullptr;

TEST_F(InspectDataTest, Client) {
  nlohmann::json client = Json("client");
  EXPECT_EQ(client["client_id"], *client_id_);
  EXPECT_EQ(client["upload_enabled"], true);
  EXPECT_EQ(client["schema_version"], 2);
  EXPECT_GT(client["database_bytes"].get<int64_t>(), 0);
  Outcome table = Inspect("client");
  EXPECT_EQ(table.status, 0);
  EXPECT_NE(table.output.find(*client_id_), std::string::npos) << table.output;
}

TEST_F(InspectDataTest, Stores) {
  nlohmann::json stores = Json("stores");
  bool found = false;
  for (const auto& store : stores) {
    if (store["store"] == "main") {
      found = true;
      EXPECT_GE(store["scalars"].get<int>(), 1);
      EXPECT_EQ(store["keyed_scalars"], 1);
      EXPECT_EQ(store["events"], 1);
    }
  }
  EXPECT_TRUE(found) << stores.dump();
  EXPECT_NE(Inspect("stores").output.find("second-store"), std::string::npos);
}

TEST_F(InspectDataTest, ScalarsWithStoreAndFilter) {
  nlohmann::json scalars = Json("scalars --store main --filter 'test.*'");
  ASSERT_EQ(scalars.size(), 2u) << scalars.dump();
  EXPECT_EQ(scalars[0]["name"], "test.kinds.a_uint");
  EXPECT_EQ(scalars[0]["value"], 5);
  EXPECT_EQ(scalars[1]["values"]["urlbar"], 3);
  Outcome table = Inspect("scalars --filter test.policy.sources");
  EXPECT_NE(table.output.find("urlbar"), std::string::npos) << table.output;
  EXPECT_EQ(table.output.find("a_uint"), std::string::npos) << table.output;
}

TEST_F(InspectDataTest, Events) {
  nlohmann::json events = Json("events --store main --category test.policy --limit 5");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["method"], "seen");
  EXPECT_EQ(events[0]["value"], "v");
  EXPECT_EQ(events[0]["extras"]["first"], "1");
  EXPECT_TRUE(Json("events --category nothing").empty());
  EXPECT_NE(Inspect("events").output.find("first=1"), std::string::npos);
}

TEST_F(InspectDataTest, PendingAndArchivedPings) {
  nlohmann::json pending = Json("pings pending");
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0]["type"], "main");
  EXPECT_EQ(pending[0]["attempts"], 1);
  nlohmann::json archived = Json("pings archived --type main");
  ASSERT_EQ(archived.size(), 1u);
  EXPECT_TRUE(Json("pings archived --type nothing").empty());
  Outcome table = Inspect("pings pending");
  EXPECT_NE(table.output.find("NEXT RETRY"), std::string::npos);
  EXPECT_EQ(Inspect("pings sideways").status, 2);  // Not a choice.
}

TEST_F(InspectDataTest, PingShowDecodesAndRawWritesTheBytes) {
  const std::string id = Json("pings archived")[0]["document_id"];
  Outcome shown = Inspect("ping show " + id);
  ASSERT_EQ(shown.status, 0) << shown.output;
  nlohmann::json ping = nlohmann::json::parse(shown.output, nullptr, false);
  EXPECT_EQ(ping["document_id"], id);
  EXPECT_EQ(ping["reason"], "shutdown");
  EXPECT_EQ(ping["client_id"], *client_id_);
  Outcome raw = Inspect("ping show " + id + " --raw");
  EXPECT_EQ(raw.status, 0);
  EXPECT_EQ(raw.output.substr(0, 4), std::string("\x28\xb5\x2f\xfd", 4));  // zstd magic.
}

TEST_F(InspectDataTest, BadCasesSayWhatIsWrongAndExitNonZero) {
  Outcome unknown = Inspect("ping show 00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(unknown.status, 1);
  EXPECT_NE(unknown.output.find("no pending or archived ping"), std::string::npos);

  std::string missing;
  EXPECT_EQ(testing::RunCommand(std::string(TELEMETRY_INSPECT) + " --data-dir /no/such/dir stores",
                                &missing),
            1);
  EXPECT_NE(missing.find("/no/such/dir is not a directory"), std::string::npos) << missing;

  testing::ScopedTempDir corrupt;
  std::ofstream(corrupt.Sub("telemetry.db")) << std::string(4096, 'z');
  std::string output;
  EXPECT_EQ(
      testing::RunCommand(
          std::string(TELEMETRY_INSPECT) + " --data-dir " + corrupt.path() + " client", &output),
      1);
  EXPECT_NE(output.find("cannot read the telemetry database"), std::string::npos) << output;
  // The corrupt file is left as it was: inspection never repairs.
  EXPECT_EQ(std::filesystem::file_size(corrupt.Sub("telemetry.db")), 4096u);

  testing::ScopedTempDir empty;
  EXPECT_EQ(
      testing::RunCommand(
          std::string(TELEMETRY_INSPECT) + " --data-dir " + empty.path() + " client", &output),
      1);
  EXPECT_NE(output.find("no telemetry database"), std::string::npos) << output;
}

// Issue 13, item 7: a data directory, or a database in it, that cannot even be looked at was an
// uncaught std::filesystem::filesystem_error (an abort). Symlink loops make stat() fail for
// root as well as for anyone, where permission bits would not stop root.
TEST(InspectUnreadable, PathsThatCannotBeLookedAtAreOneClearLine) {
  testing::ScopedTempDir dir;
  std::filesystem::create_directory_symlink(dir.Sub("loop"), dir.Sub("loop"));
  std::string output;
  EXPECT_EQ(
      testing::RunCommand(
          std::string(TELEMETRY_INSPECT) + " --data-dir " + dir.Sub("loop") + " stores", &output),
      1);
  EXPECT_EQ(output, "telemetry-inspect: " + dir.Sub("loop") +
                        " cannot be read: Too many levels of symbolic links\n");
  std::filesystem::create_directory(dir.Sub("data"));
  std::filesystem::create_symlink(dir.Sub("data/telemetry.db"), dir.Sub("data/telemetry.db"));
  EXPECT_EQ(
      testing::RunCommand(
          std::string(TELEMETRY_INSPECT) + " --data-dir " + dir.Sub("data") + " client", &output),
      1);
  EXPECT_NE(output.find("cannot read the telemetry database"), std::string::npos) << output;
  EXPECT_NE(output.find("Too many levels of symbolic links"), std::string::npos) << output;
  EXPECT_EQ(output.find("terminate"), std::string::npos) << output;
}

}  // namespace
}  // namespace telemetry
