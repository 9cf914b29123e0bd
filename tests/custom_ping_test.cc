// Seed 003's custom ping in the tree, through the real uploader and a real HTTP server: the
// pre-assembly hook records into the ping it precedes, application fields travel in the
// payload, and clearing custom-store leaves main's copy of a shared probe whole.
#include <gtest/gtest.h>

#include "http_test_server.h"
#include "pings/ping_service.h"
#include "telemetry/project_probes.h"
#include "telemetry/telemetry.h"
#include "telemetry/wire/ping_codec.h"
#include "test_support.h"

namespace telemetry {
namespace {

namespace engagement = probes::browser_engagement;

class CustomPingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TelemetryConfig config;
    config.app_name = "custom-ping-test";
    config.registry = probes::CompiledRegistry();
    config.data_dir = dir_.path();
    config.checkpoint_interval_ms = 0;
    config.clock = clock_;
    Result<std::unique_ptr<Telemetry>> opened = Telemetry::Open(config);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    telemetry_ = std::move(opened).value();
  }

  void StartPings(pings::PingType custom) {
    pings::PingServiceConfig config;
    config.server_url = server_.url();
    config.pings = {std::move(custom)};
    config.background_thread = false;
    Result<std::unique_ptr<pings::PingService>> started =
        pings::PingService::Start(*telemetry_, config);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    service_ = std::move(started).value();
  }

  std::vector<ping::Ping> Delivered() {
    std::vector<ping::Ping> out;
    for (const auto& request : server_.accepted()) {
      Result<ping::Ping> decoded = wire::DecodePing(request.body, 8 << 20);
      EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
      if (decoded.ok()) out.push_back(*decoded);
    }
    return out;
  }

  static std::optional<uint32_t> UintOf(const ping::Ping& ping, const std::string& name) {
    for (const ping::Scalar& s : ping.payload().scalars()) {
      if (s.name() == name) return s.value().uint_value();
    }
    return std::nullopt;
  }

  testing::ScopedTempDir dir_;
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(1700000000000);
  testing::HttpTestServer server_;
  std::unique_ptr<Telemetry> telemetry_;
  std::unique_ptr<pings::PingService> service_;
};

TEST_F(CustomPingTest, TheHookRecordsIntoItsOwnPingAndAddsTheApplicationFields) {
  std::vector<std::string> reasons;
  uint32_t tick = 40;
  pings::PingType custom = pings::CustomPing();
  custom.reasons = {"daily", "start"};
  custom.before_assembly = [&](std::string_view reason) {
    reasons.emplace_back(reason);
    telemetry_->Set(engagement::kTickTimesRand, ++tick);
    return pings::PingFields{{"custom", "This is custom data"}};
  };
  StartPings(custom);
  service_->Tick();  // The persistent timer starts.
  telemetry_->Add(engagement::kTabOpenEventCount, 2);

  ASSERT_TRUE(service_->Submit("custom", "start").ok());
  clock_->Advance(pings::kDayMillis + 1);
  service_->Tick();  // The 24-hour timer fires once.
  while (service_->UploadDue() > 0) {
  }

  const std::vector<ping::Ping> delivered = Delivered();
  ASSERT_EQ(delivered.size(), 2u);
  EXPECT_EQ(reasons, (std::vector<std::string>{"start", "daily"}));
  EXPECT_EQ(delivered[0].reason(), "start");
  EXPECT_EQ(delivered[0].payload().fields().at("custom"), "This is custom data");
  EXPECT_EQ(UintOf(delivered[0], "browser.engagement.tick_times_rand"), 41u);
  EXPECT_EQ(UintOf(delivered[0], "browser.engagement.tab_open_event_count"), 2u);
  EXPECT_FALSE(delivered[0].has_client_id());   // The seed's addClientId: false.
  EXPECT_TRUE(delivered[0].has_environment());  // ...and addEnvironment: true.
  // The second ping holds only what came after the first cleared custom-store.
  EXPECT_EQ(delivered[1].reason(), "daily");
  EXPECT_EQ(UintOf(delivered[1], "browser.engagement.tick_times_rand"), 42u);
  EXPECT_EQ(UintOf(delivered[1], "browser.engagement.tab_open_event_count"), std::nullopt);
  EXPECT_NE(wire::ToJson(delivered[1]).find("\"custom\": \"This is custom data\""),
            std::string::npos);

  // Clearing custom-store twice did not touch main's own copy.
  Result<StoreSnapshot> main = telemetry_->Snapshot("main", /*clear=*/false);
  ASSERT_TRUE(main.ok());
  bool found = false;
  for (const ScalarEntry& s : main->scalars) {
    if (s.name == "browser.engagement.tab_open_event_count") {
      found = true;
      EXPECT_EQ(std::get<uint32_t>(s.value), 2u);
    }
    EXPECT_NE(s.name, "browser.engagement.tick_times_rand");
  }
  EXPECT_TRUE(found);
}

TEST_F(CustomPingTest, WhatTheHookRecordsMakesAnEmptyStoreWorthSending) {
  pings::PingType custom = pings::CustomPing();
  custom.before_assembly = [&](std::string_view) {
    telemetry_->Set(engagement::kTickTimesRand, 7);
    return pings::PingFields{};
  };
  StartPings(custom);
  ASSERT_TRUE(service_->Submit("custom", "daily").ok());
  while (service_->UploadDue() > 0) {
  }
  const std::vector<ping::Ping> delivered = Delivered();
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(UintOf(delivered[0], "browser.engagement.tick_times_rand"), 7u);
  EXPECT_TRUE(delivered[0].payload().fields().empty());
}

}  // namespace
}  // namespace telemetry
