#include "fleet_simulator.h"

#include <filesystem>
#include <memory>
#include <random>

#include "pings/ping_service.h"
#include "telemetry/base/utc_date.h"
#include "telemetry/project_probes.h"
#include "telemetry/telemetry.h"

namespace telemetry::simulate {
namespace {

namespace probes = telemetry::probes;

struct DeviceKind {
  const char* name;
  const char* os;
  const char* os_version;
  const char* browser;
};
constexpr DeviceKind kKinds[] = {{"desktop", "Windows 10", "10.0", "Firefox"},
                                 {"android", "Android", "14", "Firefox Mobile"},
                                 {"ios", "iOS", "17.4", "Firefox iOS"},
                                 {"desktop", "Mac OS X", "14.4", "Firefox"}};
const char* const kVersions[] = {"128.0", "129.0", "130.0", "131.0"};
const char* const kServices[] = {"sync", "sync", "sync", "amo", "monitor"};

struct Node {
  std::unique_ptr<Telemetry> telemetry;
  std::unique_ptr<pings::PingService> pings;
};

struct Device {
  std::string id;
  const DeviceKind* kind;
  std::string version;
  bool connected = false;
  Node node;
};

struct Account {
  std::string uid;
  int signup_day;
  std::vector<Device> devices;
};

Result<Node> OpenNode(const std::string& dir, std::shared_ptr<ManualClock> clock,
                      const SimulationConfig& config, const std::vector<pings::PingType>& types,
                      const DeviceKind& kind, const std::string& version) {
  TelemetryConfig t;
  t.app_name = "firefox";
  t.app_version = version;
  t.channel = "release";
  t.registry = probes::CompiledRegistry();
  t.data_dir = dir;
  t.checkpoint_interval_ms = 0;
  t.clock = clock;
  Result<std::unique_ptr<Telemetry>> telemetry = Telemetry::Open(t);
  if (!telemetry.ok()) return telemetry.status();
  pings::PingServiceConfig p;
  p.server_url = config.collector_url;
  p.pings = types;
  p.environment = {kind.os, kind.os_version, "x86_64", "en-US"};
  p.background_thread = false;
  p.rate_limit_per_minute = 100000;
  p.backoff_base_ms = 60 * 1000;
  p.backoff_max_ms = 10 * 60 * 1000;
  Result<std::unique_ptr<pings::PingService>> service = pings::PingService::Start(**telemetry, p);
  if (!service.ok()) return service.status();
  return Node{std::move(telemetry).value(), std::move(service).value()};
}

std::string Hex(std::mt19937& random, int digits) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < digits; ++i) out += kHex[random() % 16];
  return out;
}

// The account server: records events and keeps the simulator's own record of them.
class AccountServer {
 public:
  AccountServer(Node node, std::shared_ptr<ManualClock> clock, std::vector<ActivityEvent>* record)
      : node_(std::move(node)), clock_(std::move(clock)), record_(record) {}

  Node& node() { return node_; }

  // One event of `handle` at `at`, for account `uid` (empty: none) on `device` (null: none),
  // recorded through the library and kept in the simulator's own record.
  template <typename Def>
  void Emit(EventHandle<Def> handle, const char* type, int64_t at, const std::string& uid,
            const Device* device, const std::string& seq_id, int64_t seq_time, bool new_user,
            const std::string& service) {
    clock_->Set(at);
    using Extra = typename Def::Extra;
    const std::string seq_time_text = std::to_string(seq_time);
    std::vector<std::pair<Extra, std::string_view>> extras = {
        {Extra::kSeqId, seq_id},
        {Extra::kSeqTime, seq_time_text},
        {Extra::kNewUser, new_user ? "1" : "0"},
        {Extra::kService, service}};
    if (!uid.empty()) extras.push_back({Extra::kUid, uid});
    if (device != nullptr) {
      extras.push_back({Extra::kDeviceId, device->id});
      extras.push_back({Extra::kUaBrowser, device->kind->browser});
      extras.push_back({Extra::kUaVersion, device->version});
      extras.push_back({Extra::kUaOs, device->kind->os});
    }
    std::pair<uint32_t, std::string_view> ids[kMaxEventExtras];
    size_t n = 0;
    for (const auto& [key, value] : extras) ids[n++] = {EventHandle<Def>::Index(key), value};
    RecordById(handle, std::span(ids, n));
    ActivityEvent event;
    event.timestamp_ms = at;
    event.type = type;
    if (!uid.empty()) event.uid = uid;
    if (device != nullptr) event.device_id = device->id;
    event.new_user = new_user;
    event.seq_time_ms = seq_time;
    event.service = service;
    record_->push_back(event);
  }

 private:
  template <typename Def>
  void RecordById(EventHandle<Def>, std::span<const std::pair<uint32_t, std::string_view>> ids);

  Node node_;
  std::shared_ptr<ManualClock> clock_;
  std::vector<ActivityEvent>* record_;
};

template <typename Def>
void AccountServer::RecordById(EventHandle<Def> handle,
                               std::span<const std::pair<uint32_t, std::string_view>> ids) {
  std::vector<EventExtra> named;
  const EventInfo& info = node_.telemetry->registry()->events()[handle.id()];
  for (const auto& [key, value] : ids) named.push_back({info.extra_keys[key].name, value});
  (void)node_.telemetry->RecordEvent(info.category, info.methods[0], info.objects[0], std::nullopt,
                                     named);
}

}  // namespace

Result<SimulationResult> Simulate(const SimulationConfig& config) {
  std::mt19937 random(config.seed);
  auto clock = std::make_shared<ManualClock>(config.first_day * kDayMillis);
  SimulationResult result;
  std::error_code ignored;
  std::filesystem::create_directories(config.data_dir, ignored);

  // The account server sends its store once a day; it keeps no client id.
  pings::PingType ecosystem{
      "account-ecosystem", "account-ecosystem", kDayMillis, false, false, false, {"daily"}, 1};
  Result<Node> server_node =
      OpenNode(config.data_dir + "/account-server", clock, config, {ecosystem}, kKinds[0], "1.0");
  if (!server_node.ok()) return server_node.status();
  AccountServer server(std::move(server_node).value(), clock, &result.activity);

  std::vector<Account> accounts(config.users);
  for (int u = 0; u < config.users; ++u) {
    Account& account = accounts[u];
    account.uid = Hex(random, 32);
    account.signup_day = static_cast<int>(random() % std::max(1, config.days / 2));
    const int devices = 1 + static_cast<int>(random() % 4);
    for (int d = 0; d < devices; ++d) {
      Device device;
      device.id = Hex(random, 32);
      device.kind = &kKinds[(u + d) % 4];
      device.version = kVersions[random() % 4];
      Result<Node> node =
          OpenNode(config.data_dir + "/device-" + std::to_string(u) + "-" + std::to_string(d),
                   clock, config, {pings::MainPing()}, *device.kind, device.version);
      if (!node.ok()) return node.status();
      device.node = std::move(node).value();
      account.devices.push_back(std::move(device));
      ++result.devices;
    }
  }

  auto all_services = [&](auto fn) {
    fn(server.node());
    for (Account& account : accounts) {
      for (Device& device : account.devices) fn(device.node);
    }
  };
  all_services([](Node& node) { node.pings->Tick(); });  // The timers start.

  for (int day = 0; day < config.days; ++day) {
    if (config.progress) config.progress(day, config.days);
    const int64_t start = (config.first_day + day) * kDayMillis;
    auto at = [&] {
      return start + 60000 + static_cast<int64_t>(random() % (kDayMillis - 120000));
    };
    for (Account& account : accounts) {
      if (day < account.signup_day) continue;
      if (day == account.signup_day) {
        // Sign-up on the first device: a sequence from begin to connected.
        Device& first = account.devices[0];
        const std::string seq = Hex(random, 32);
        const int64_t t = at();
        const int64_t ttc = 10000 + static_cast<int64_t>(random() % 50000);
        server.Emit(probes::sequence::kBeginEvent, "sequence.begin", t, "", nullptr, seq, 0, true,
                    "sync");
        server.Emit(probes::account::kCreatedEvent, "account.created", t + ttc / 3, account.uid,
                    nullptr, seq, ttc / 3, true, "sync");
        server.Emit(probes::device::kCreatedEvent, "device.created", t + ttc / 2, account.uid,
                    &first, seq, ttc / 2, true, "sync");
        server.Emit(probes::account::kVerifiedEvent, "account.verified", t + ttc * 3 / 4,
                    account.uid, &first, seq, ttc * 3 / 4, true, "sync");
        server.Emit(probes::device::kConnectedEvent, "device.connected", t + ttc, account.uid,
                    &first, seq, ttc, true, "sync");
        first.connected = true;
        continue;
      }
      if (random() % 100 < 45) continue;  // Not active today.
      for (Device& device : account.devices) {
        if (!device.connected) {
          if (random() % 100 < 25) {
            // A second device signs in; some flows are abandoned.
            const std::string seq = Hex(random, 32);
            const int64_t t = at();
            server.Emit(probes::sequence::kBeginEvent, "sequence.begin", t, "", nullptr, seq, 0,
                        false, "sync");
            if (random() % 100 < 20) continue;  // Aborted.
            const int64_t ttc = 5000 + static_cast<int64_t>(random() % 40000);
            server.Emit(probes::account::kLoginEvent, "account.login", t + ttc / 2, account.uid,
                        &device, seq, ttc / 2, false, "sync");
            server.Emit(probes::device::kConnectedEvent, "device.connected", t + ttc, account.uid,
                        &device, seq, ttc, false, "sync");
            device.connected = true;
          }
          continue;
        }
        if (random() % 100 < 40) continue;
        // Sync (or another service) activity, and the device's own engagement.
        server.Emit(probes::account::kSignedEvent, "account.signed", at(), account.uid, &device, "",
                    0, false, kServices[random() % 5]);
        clock->Set(at());
        Telemetry& t = *device.node.telemetry;
        t.Add(probes::browser_engagement::kTabOpenEventCount,
              1 + static_cast<uint32_t>(random() % 20));
        t.Add(probes::browser_engagement::kActiveTicks, static_cast<uint32_t>(random() % 500));
        t.SetMaximum(probes::browser_engagement::kMaxConcurrentTabCount,
                     1 + static_cast<uint32_t>(random() % 30));
        t.Set(probes::browser_engagement::kSyncSignedIn, true);
      }
    }
    // Just after midnight the daily pings fire and go out.
    clock->Set(start + kDayMillis + 60000);
    all_services([](Node& node) { node.pings->Tick(); });
    all_services([&](Node& node) {
      while (true) {
        int delivered = node.pings->UploadDue();
        result.pings_delivered += delivered;
        if (delivered == 0) break;
      }
    });
  }
  all_services([&](Node& node) {
    Result<std::vector<PendingPing>> pending = node.telemetry->ping_storage()->PendingPings();
    if (pending.ok()) result.pings_pending += static_cast<int64_t>(pending->size());
    node.pings->Shutdown();
  });

  // The KPIs of what was generated, computed directly and independently of the collector.
  result.expected =
      ReferenceKpis(result.activity, config.first_day, config.first_day + config.days - 1);
  return result;
}

}  // namespace telemetry::simulate
