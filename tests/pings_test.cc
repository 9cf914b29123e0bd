// Pings end to end on the client side: a Telemetry with a data directory, the ping service, a
// real HTTP server on 127.0.0.1. Time is a ManualClock: weeks pass in milliseconds.
#include <gtest/gtest.h>

#include <set>

#include "http_test_server.h"
#include "pings/ping_service.h"
#include "recorder_support.h"
#include "telemetry/wire/ping_codec.h"
#include "test_support.h"

namespace telemetry {
namespace {

using pings::kDayMillis;
namespace kinds = test_probes::test_kinds;
namespace policy = test_probes::test_policy;
using Seen = policy::SeenEvent;
constexpr int64_t kHour = 60 * 60 * 1000;

// The test probes' stores: "main" and "second-store". Two pings over them.
pings::PingType DailyMain() { return pings::MainPing(); }
pings::PingType SecondPing() {
  return {"second", "second-store", kDayMillis, false, false, false, {"daily"}, 2};
}

class PingsTest : public ::testing::Test {
 protected:
  void SetUp() override { OpenAll(); }
  void TearDown() override { CloseAll(); }

  void OpenAll() {
    TelemetryConfig config = testing::TestConfig(clock_);
    config.data_dir = dir_.path();
    config.checkpoint_interval_ms = 0;
    telemetry_ = testing::OpenOrDie(config);
    ASSERT_TRUE(telemetry_);
    pings::PingServiceConfig ping_config = config_;
    ping_config.server_url = server_.url();
    Result<std::unique_ptr<pings::PingService>> started =
        pings::PingService::Start(*telemetry_, ping_config);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    service_ = std::move(started).value();
  }
  void CloseAll() {
    service_.reset();
    telemetry_.reset();
  }
  void Restart() {
    CloseAll();
    OpenAll();
  }
  void RecordSome() {
    telemetry_->Add(kinds::kAUint, 3);
    telemetry_->Record(policy::kSeenEvent, Seen::Object::kThing, "v", {{Seen::Extra::kFirst, "1"}});
  }
  // Decodes an accepted request's body.
  static ping::Ping Decode(const testing::HttpTestServer::Request& request) {
    Result<ping::Ping> decoded = wire::DecodePing(request.body, 8 << 20);
    EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
    return decoded.ok() ? *decoded : ping::Ping();
  }
  std::vector<ping::Ping> Delivered() {
    std::vector<ping::Ping> out;
    for (const auto& request : server_.accepted()) out.push_back(Decode(request));
    return out;
  }

  testing::ScopedTempDir dir_;
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(testing::kStartMillis);
  testing::HttpTestServer server_;
  pings::PingServiceConfig config_ = [] {
    pings::PingServiceConfig config;
    config.pings = {DailyMain(), SecondPing()};
    config.environment = {"Linux", "6.1", "x86_64", "en-US"};
    config.background_thread = false;
    config.request_timeout_ms = 2000;
    config.connect_timeout_ms = 2000;
    return config;
  }();
  std::unique_ptr<Telemetry> telemetry_;
  std::unique_ptr<pings::PingService> service_;
};

TEST_F(PingsTest, ScheduledPingsArriveAndDecodeFieldByField) {
  EXPECT_EQ(service_->Tick(), 0);  // The timers start.
  RecordSome();
  clock_->Advance(kDayMillis);
  EXPECT_EQ(service_->Tick(), 2);
  EXPECT_EQ(service_->UploadDue(), 2);
  std::vector<testing::HttpTestServer::Request> requests = server_.accepted();
  ASSERT_EQ(requests.size(), 2u);
  std::set<std::string> types;
  for (const auto& request : requests) {
    ping::Ping p = Decode(request);
    types.insert(p.document_type());
    EXPECT_EQ(request.path, "/submit/test-app/" + p.document_type() + "/" +
                                std::to_string(p.document_version()) + "/" + p.document_id());
    EXPECT_EQ(request.headers.at("Content-Type"), "application/x-protobuf");
    EXPECT_EQ(request.headers.at("Content-Encoding"), "zstd");
    EXPECT_EQ(request.headers.at("Date"), "Fri, 26 Feb 2016 00:00:00 GMT");
    EXPECT_NE(request.headers.at("User-Agent").find("test-app/3.0"), std::string::npos);
    EXPECT_EQ(p.document_id().size(), 36u);
    EXPECT_EQ(p.app().name(), "test-app");
    EXPECT_EQ(p.app().version(), "3.0");
    EXPECT_EQ(p.app().channel(), "nightly");
    EXPECT_EQ(p.sequence(), 0u);
    EXPECT_EQ(p.start_time_ms(), testing::kStartMillis);
    EXPECT_EQ(p.end_time_ms(), testing::kStartMillis + kDayMillis);
    EXPECT_EQ(p.creation_time_ms(), testing::kStartMillis + kDayMillis);
    EXPECT_EQ(p.reason(), "daily");
    bool found_uint = false;
    for (const auto& scalar : p.payload().scalars()) {
      if (scalar.name() == "test.kinds.a_uint") {
        found_uint = true;
        EXPECT_EQ(scalar.value().uint_value(), 3u);
      }
    }
    EXPECT_TRUE(found_uint);
    ASSERT_EQ(p.payload().events_size(), 1);
    EXPECT_EQ(p.payload().events(0).category(), "test.policy");
    EXPECT_EQ(p.payload().events(0).value(), "v");
    EXPECT_EQ(p.payload().events(0).extras().at("first"), "1");
    if (p.document_type() == "main") {
      EXPECT_EQ(p.client_id(), telemetry_->client_id());
      EXPECT_EQ(p.environment().os(), "Linux");
      EXPECT_EQ(p.environment().locale(), "en-US");
      EXPECT_EQ(p.store(), "main");
    } else {
      EXPECT_FALSE(p.has_client_id());    // The second ping leaves it out...
      EXPECT_FALSE(p.has_environment());  // ...and the environment.
      EXPECT_EQ(p.document_version(), 2u);
    }
  }
  EXPECT_EQ(types, (std::set<std::string>{"main", "second"}));
  // Sent pings are archived, not pending.
  EXPECT_TRUE(telemetry_->ping_storage()->PendingPings()->empty());
}

TEST_F(PingsTest, TheAccountBlockRidesAlongWhileSignedIn) {
  service_->Tick();
  RecordSome();
  service_->SetAccount(pings::AccountInfo{"uid-1", "device-1"});
  ASSERT_TRUE(service_->Submit("main", "shutdown").ok());
  service_->UploadDue();
  ASSERT_EQ(Delivered().size(), 1u);
  EXPECT_EQ(Delivered()[0].account().uid(), "uid-1");
  EXPECT_EQ(Delivered()[0].account().device_id(), "device-1");
  EXPECT_EQ(Delivered()[0].reason(), "shutdown");
  EXPECT_EQ(service_->Submit("main", "nonsense").code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(service_->Submit("nope", "daily").code(), Status::Code::kNotFound);
}

TEST_F(PingsTest, TimersSurviveRestartsAndOverduePingsFireAtStart) {
  // The "second" ping has no shutdown reason: restarts queue nothing for it.
  auto seconds = [this] {
    std::vector<ping::Ping> out;
    for (const ping::Ping& p : Delivered()) {
      if (p.document_type() == "second") out.push_back(p);
    }
    return out;
  };
  service_->Tick();
  RecordSome();
  clock_->Advance(23 * kHour);
  Restart();
  EXPECT_EQ(service_->Tick(), 0);  // Not reset by the restart: 23 h of 24.
  clock_->Advance(2 * kHour);
  EXPECT_GE(service_->Tick(), 1);
  service_->UploadDue();
  ASSERT_EQ(seconds().size(), 1u);
  EXPECT_EQ(seconds()[0].reason(), "daily");
  EXPECT_EQ(seconds()[0].start_time_ms(), testing::kStartMillis);

  RecordSome();
  clock_->Advance(50 * kHour);  // Down for two days.
  Restart();
  EXPECT_GE(service_->Tick(), 1);
  service_->UploadDue();
  ASSERT_EQ(seconds().size(), 2u);
  EXPECT_EQ(seconds()[1].reason(), "overdue");
  EXPECT_EQ(seconds()[1].sequence(), 1u);  // Sequence numbers survive too.
  EXPECT_EQ(seconds()[1].start_time_ms(), seconds()[0].end_time_ms());
}

TEST_F(PingsTest, AShutdownPingDoesNotResetTheDailyTimer) {
  service_->Tick();
  RecordSome();
  clock_->Advance(12 * kHour);
  ASSERT_TRUE(service_->Submit("main", "shutdown").ok());
  RecordSome();
  clock_->Advance(12 * kHour);
  EXPECT_EQ(service_->Tick(), 2);  // main is due 24 h after its last scheduled firing.
  service_->UploadDue();
  std::vector<ping::Ping> mains;
  for (const ping::Ping& p : Delivered()) {
    if (p.document_type() == "main") mains.push_back(p);
  }
  ASSERT_EQ(mains.size(), 2u);
  EXPECT_EQ(mains[1].reason(), "daily");
  EXPECT_EQ(mains[1].start_time_ms(), mains[0].end_time_ms());  // Intervals tile.
}

TEST_F(PingsTest, ClockJumpsMakeNoStorm) {
  service_->Tick();
  RecordSome();
  clock_->Advance(-5 * kDayMillis);  // Backwards: the timer restarts, nothing fires.
  EXPECT_EQ(service_->Tick(), 0);
  clock_->Advance(23 * kHour);
  EXPECT_EQ(service_->Tick(), 0);
  clock_->Advance(365 * kDayMillis);  // Far forwards: one ping each, not 365.
  EXPECT_EQ(service_->Tick(), 2);
  RecordSome();
  EXPECT_EQ(service_->Tick(), 0);
}

TEST_F(PingsTest, SixWeeksOfSimulatedTimeGiveOneDailyPingADay) {
  service_->Tick();
  for (int hour = 1; hour <= 42 * 24; ++hour) {
    clock_->Advance(kHour);
    telemetry_->Add(kinds::kAUint, 1);
    service_->Tick();
    service_->UploadDue();
  }
  int main_pings = 0;
  uint64_t total = 0;
  for (const ping::Ping& p : Delivered()) {
    if (p.document_type() != "main") continue;
    EXPECT_EQ(p.sequence(), static_cast<uint64_t>(main_pings));
    ++main_pings;
    for (const auto& scalar : p.payload().scalars()) {
      if (scalar.name() == "test.kinds.a_uint") total += scalar.value().uint_value();
    }
  }
  EXPECT_EQ(main_pings, 42);
  EXPECT_EQ(total, 42u * 24u);  // Every Add, in exactly one ping.
}

TEST_F(PingsTest, ServerErrorsAreRetriedWithBackoffAndDeliveredOnce) {
  server_.Script({{500}, {503}, {429, "120"}, {200}});
  service_->Tick();
  RecordSome();
  ASSERT_TRUE(service_->Submit("main", "shutdown").ok());
  EXPECT_EQ(service_->UploadDue(), 0);  // 500
  EXPECT_EQ(service_->UploadDue(), 0);  // Not due yet: backing off.
  clock_->Advance(60 * 60 * 1000);
  EXPECT_EQ(service_->UploadDue(), 0);  // 503
  clock_->Advance(60 * 60 * 1000);
  EXPECT_EQ(service_->UploadDue(), 0);  // 429, Retry-After: 120 s
  clock_->Advance(119 * 1000);
  EXPECT_EQ(service_->UploadDue(), 0);  // Honoured: not before 120 s.
  clock_->Advance(1000);
  EXPECT_EQ(service_->UploadDue(), 1);
  EXPECT_EQ(server_.refused().size(), 3u);
  ASSERT_EQ(server_.accepted().size(), 1u);
  EXPECT_TRUE(telemetry_->ping_storage()->PendingPings()->empty());
}

TEST_F(PingsTest, AClientErrorDiscardsThePingAndCountsIt) {
  server_.Script({{400}});
  service_->Tick();
  RecordSome();
  ASSERT_TRUE(service_->Submit("main", "shutdown").ok());
  EXPECT_EQ(service_->UploadDue(), 0);
  EXPECT_TRUE(telemetry_->ping_storage()->PendingPings()->empty());
  EXPECT_EQ(testing::Health(*telemetry_, "discarded_pings", "second-store"), 1u);
}

TEST_F(PingsTest, AServerDownForDaysGetsEveryPingOnceWhenItReturns) {
  server_.Stop();
  service_->Tick();
  for (int day = 0; day < 5; ++day) {
    RecordSome();
    clock_->Advance(kDayMillis);
    service_->Tick();
    for (int hour = 0; hour < 24; ++hour) {
      clock_->Advance(kHour);
      service_->UploadDue();  // Connection refused: retried later.
    }
  }
  EXPECT_EQ(telemetry_->ping_storage()->PendingPings()->size(), 10u);
  server_.Restart();
  clock_->Advance(2 * kHour);  // Past the longest backoff.
  while (service_->UploadDue() > 0) clock_->Advance(60 * 1000);
  std::set<std::string> ids;
  for (const auto& request : server_.accepted()) ids.insert(Decode(request).document_id());
  EXPECT_EQ(server_.accepted().size(), 10u);
  EXPECT_EQ(ids.size(), 10u);  // Each once.
  EXPECT_TRUE(telemetry_->ping_storage()->PendingPings()->empty());
}

TEST_F(PingsTest, ASlowServerTimesOutAndIsRetried) {
  config_.request_timeout_ms = 200;
  Restart();
  server_.Script({{200, "", 1500}});  // Answers after the client gave up.
  service_->Tick();
  RecordSome();
  ASSERT_TRUE(service_->Submit("main", "shutdown").ok());
  EXPECT_EQ(service_->UploadDue(), 0);
  clock_->Advance(2 * kHour);
  EXPECT_EQ(service_->UploadDue(), 1);
  // The server saw two copies (the slow one completed on its side): the collector's
  // deduplication by document id makes that harmless; both carry the same id.
  std::set<std::string> ids;
  for (const auto& request : server_.accepted()) ids.insert(Decode(request).document_id());
  EXPECT_EQ(ids.size(), 1u);
}

TEST_F(PingsTest, TheRateLimitSpreadsUploads) {
  service_->Tick();
  for (int i = 0; i < 20; ++i) {
    RecordSome();
    ASSERT_TRUE(service_->Submit("main", "shutdown").ok());
  }
  EXPECT_EQ(service_->UploadDue(), 15);
  EXPECT_EQ(service_->UploadDue(), 0);
  clock_->Advance(20 * 1000);  // 15 a minute: 5 more after 20 s.
  EXPECT_EQ(service_->UploadDue(), 5);
}

TEST_F(PingsTest, TheQueueQuotaEvictsTheOldestAndCounts) {
  config_.max_pending_count = 3;
  Restart();
  service_->Tick();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    RecordSome();
    clock_->Advance(1000);
    ASSERT_TRUE(service_->Submit("main", "shutdown").ok());
  }
  Result<std::vector<PendingPing>> pending = telemetry_->ping_storage()->PendingPings();
  ASSERT_EQ(pending->size(), 3u);
  EXPECT_EQ(testing::Health(*telemetry_, "discarded_pings", "second-store"), 2u);
  // The newest three remain.
  EXPECT_EQ((*pending)[0].created_ms, testing::kStartMillis + 3000);
}

TEST_F(PingsTest, APingTooLargeIsDiscardedAndCounted) {
  config_.max_ping_bytes = 64;
  Restart();
  service_->Tick();
  for (int i = 0; i < 50; ++i) {
    telemetry_->Record(policy::kSeenEvent, Seen::Object::kThing, std::to_string(i * 7919));
  }
  EXPECT_FALSE(service_->Submit("main", "shutdown").ok());
  EXPECT_TRUE(telemetry_->ping_storage()->PendingPings()->empty());
  EXPECT_GE(testing::Health(*telemetry_, "discarded_pings", "second-store"), 1u);
}

TEST_F(PingsTest, WithdrawingConsentClearsAndSendsADeletionRequestThatSurvivesRestarts) {
  service_->Tick();
  RecordSome();
  const std::string old_id = telemetry_->client_id();
  ASSERT_TRUE(service_->Submit("main", "shutdown").ok());
  server_.Stop();
  service_->SetUploadEnabled(false);
  EXPECT_FALSE(service_->upload_enabled());
  // Stores and queue cleared, but for the deletion request.
  EXPECT_TRUE(testing::SnapshotOrDie(*telemetry_, "second-store", false).empty());
  Result<std::vector<PendingPing>> pending = telemetry_->ping_storage()->PendingPings();
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].ping_type, "deletion-request");
  // Nothing is recorded or scheduled meanwhile.
  telemetry_->Add(kinds::kAUint, 1);
  EXPECT_TRUE(testing::SnapshotOrDie(*telemetry_, "main", false).empty());
  clock_->Advance(2 * kDayMillis);
  EXPECT_EQ(service_->Tick(), 0);

  Restart();  // Still off after a restart, the request still queued.
  EXPECT_FALSE(service_->upload_enabled());
  server_.Restart();
  clock_->Advance(2 * kHour);
  EXPECT_EQ(service_->UploadDue(), 1);
  ASSERT_EQ(Delivered().size(), 1u);
  EXPECT_EQ(Delivered()[0].document_type(), "deletion-request");
  EXPECT_EQ(Delivered()[0].client_id(), old_id);

  service_->SetUploadEnabled(true);
  EXPECT_NE(telemetry_->client_id(), old_id);  // A new identity.
  telemetry_->Add(kinds::kAUint, 1);
  EXPECT_FALSE(testing::SnapshotOrDie(*telemetry_, "main", false).empty());
}

TEST_F(PingsTest, EveryClientIdsDeletionRequestIsDeliveredOnceThroughRestartsAndQuotas) {
  config_.max_pending_count = 2;
  Restart();
  server_.Stop();  // Offline throughout: nothing can be delivered until the end.
  service_->Tick();
  RecordSome();
  ASSERT_TRUE(service_->Submit("main", "shutdown").ok());
  const std::string first_id = telemetry_->client_id();
  service_->SetUploadEnabled(false);  // Deletion request for the first id, undelivered.
  Restart();

  service_->SetUploadEnabled(true);  // A new id...
  const std::string second_id = telemetry_->client_id();
  ASSERT_NE(second_id, first_id);
  for (int i = 0; i < 4; ++i) {  // ...whose pings fill the queue past its quota of 2:
    clock_->Advance(1000);       // the older deletion request is not evicted.
    RecordSome();
    ASSERT_TRUE(service_->Submit("main", "shutdown").ok());
  }
  auto deletion_requests = [this] {
    int n = 0;
    Result<std::vector<PendingPing>> pending = telemetry_->ping_storage()->PendingPings();
    EXPECT_TRUE(pending.ok());
    for (const PendingPing& p : pending.value()) {
      n += p.ping_type == "deletion-request";
    }
    return n;
  };
  EXPECT_EQ(deletion_requests(), 1);
  clock_->Advance(30 * kDayMillis);  // Past the queue's maximum age, too.
  RecordSome();
  ASSERT_TRUE(service_->Submit("main", "shutdown").ok());
  EXPECT_EQ(deletion_requests(), 1);

  service_->SetUploadEnabled(false);  // Withdrawn again: the first request is kept.
  EXPECT_EQ(deletion_requests(), 2);
  EXPECT_EQ(telemetry_->ping_storage()->PendingPings()->size(), 2u);  // Nothing else.
  Restart();

  server_.Restart();
  clock_->Advance(2 * kHour);
  while (service_->UploadDue() > 0) clock_->Advance(60 * 1000);
  clock_->Advance(kDayMillis);
  EXPECT_EQ(service_->UploadDue(), 0);
  std::multiset<std::string> ids;
  for (const ping::Ping& p : Delivered()) {
    EXPECT_EQ(p.document_type(), "deletion-request");
    ids.insert(p.client_id());
  }
  EXPECT_EQ(ids, (std::multiset<std::string>{first_id, second_id}));  // Each once.
  EXPECT_TRUE(telemetry_->ping_storage()->PendingPings()->empty());
}

TEST_F(PingsTest, WithdrawingConsentDeletesTheArchiveOfSentPings) {
  service_->Tick();
  RecordSome();
  ASSERT_TRUE(service_->Submit("main", "shutdown").ok());
  ASSERT_EQ(service_->UploadDue(), 1);
  ASSERT_EQ(telemetry_->ping_storage()->ArchivedPings()->size(), 1u);
  server_.Stop();
  service_->SetUploadEnabled(false);
  EXPECT_TRUE(telemetry_->ping_storage()->ArchivedPings()->empty());
  Restart();
  EXPECT_TRUE(telemetry_->ping_storage()->ArchivedPings()->empty());
  server_.Restart();
  clock_->Advance(2 * kHour);
  EXPECT_EQ(service_->UploadDue(), 1);  // The deletion request, archived once sent.
  Result<std::vector<ArchivedPing>> archived = telemetry_->ping_storage()->ArchivedPings();
  ASSERT_EQ(archived->size(), 1u);
  EXPECT_EQ((*archived)[0].ping_type, "deletion-request");
}

TEST_F(PingsTest, APingWithoutAStoreThatCannotBeEncodedIsCountedAndNotQueued) {
  config_.max_ping_bytes = 8;  // Nothing encodes this small.
  Restart();
  const uint32_t before = testing::Health(*telemetry_, "discarded_pings", "second-store");
  EXPECT_FALSE(service_->Submit("deletion-request", "set_upload_enabled").ok());
  EXPECT_TRUE(telemetry_->ping_storage()->PendingPings()->empty());
  EXPECT_EQ(testing::Health(*telemetry_, "discarded_pings", "second-store"), before + 1);
}

// Waits (real time, bounded) for what the service's thread is to do.
template <typename Predicate>
bool Eventually(Predicate done) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

TEST_F(PingsTest, TheBackgroundThreadFiresAScheduledPingWhenTheClockPassesItsInterval) {
  config_.background_thread = true;
  config_.poll_interval_ms = kHour;  // Never reached in real time here: only the clock moves.
  Restart();
  service_->Tick();  // The timers start now (the thread's first pass may come before or after).
  RecordSome();
  clock_->Advance(kDayMillis - 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(server_.accepted().empty());  // Not due yet.
  clock_->Advance(1);
  EXPECT_TRUE(Eventually([this] { return server_.accepted().size() == 2; }))
      << server_.accepted().size() << " pings delivered";
  std::set<std::string> types;
  for (const ping::Ping& p : Delivered()) {
    types.insert(p.document_type());
    EXPECT_EQ(p.reason(), "daily");
  }
  EXPECT_EQ(types, (std::set<std::string>{"main", "second"}));
  // A submitted ping wakes the uploader at once, with the clock standing still.
  RecordSome();
  ASSERT_TRUE(service_->Submit("main", "shutdown").ok());
  EXPECT_TRUE(Eventually([this] { return server_.accepted().size() == 3; }));
  service_->Shutdown();  // Wakes the thread's wait on a clock that no longer moves.
}

TEST_F(PingsTest, ShutdownDuringASlowUploadIsClean) {
  config_.background_thread = true;
  config_.poll_interval_ms = 10;
  config_.request_timeout_ms = 30000;
  config_.shutdown_deadline_ms = 100;
  Restart();
  server_.Script({{200, "", 3000}});
  RecordSome();
  ASSERT_TRUE(service_->Submit("main", "shutdown").ok());
  while (server_.started() == 0) std::this_thread::yield();  // The upload is in flight.
  service_->Shutdown();  // Returns: the upload in flight is aborted after the deadline.
  service_->Shutdown();
  // Not acknowledged, so still queued for the next run.
  EXPECT_EQ(telemetry_->ping_storage()->PendingPings()->size(), 1u);
}

TEST(PingNames, FollowTheRule) {
  EXPECT_TRUE(pings::ValidatePingName("main").ok());
  EXPECT_TRUE(pings::ValidatePingName("deletion-request").ok());
  EXPECT_FALSE(pings::ValidatePingName("Main").ok());
  EXPECT_FALSE(pings::ValidatePingName("-main").ok());
  EXPECT_FALSE(pings::ValidatePingName("ab").ok());
  EXPECT_FALSE(pings::ValidatePingName("main_ping").ok());
  pings::PingType bad = pings::CustomPing();
  bad.reasons.clear();
  EXPECT_FALSE(pings::ValidatePingType(bad).ok());
}

}  // namespace
}  // namespace telemetry
