#include "pings/ping_service.h"

#include <algorithm>
#include <random>

#include "http_client.h"
#include "snapshot_payload.h"
#include "telemetry/base/utc_date.h"
#include "telemetry/base/uuid.h"
#include "telemetry/wire/ping_codec.h"

namespace pings {

using telemetry::PendingPing;
using telemetry::PingState;
using telemetry::Result;
using telemetry::Status;

namespace {

constexpr char kUploadEnabledKey[] = "upload_enabled";

bool Permanent(long status) {
  return status >= 400 && status < 500 && status != 408 && status != 429;
}

}  // namespace

PingService::PingService(telemetry::Telemetry& telemetry, PingServiceConfig config)
    : telemetry_(telemetry), config_(std::move(config)) {}

Result<std::unique_ptr<PingService>> PingService::Start(telemetry::Telemetry& telemetry,
                                                        PingServiceConfig config) {
  if (telemetry.ping_storage() == nullptr) {
    return Status::FailedPrecondition("pings need a Telemetry with a data directory");
  }
  std::map<std::string, bool> names;
  for (const PingType& type : config.pings) {
    if (Status s = ValidatePingType(type); !s.ok()) return s;
    if (!names.emplace(type.name, true).second) {
      return Status::InvalidArgument("ping '" + type.name + "' is defined twice");
    }
  }
  if (names.count("deletion-request") == 0) config.pings.push_back(DeletionRequestPing());
  std::unique_ptr<PingService> service(new PingService(telemetry, std::move(config)));
  service->http_ = std::make_unique<internal::HttpClient>(service->config_.connect_timeout_ms,
                                                          service->config_.request_timeout_ms,
                                                          &service->abort_uploads_);

  telemetry::PingStorage& storage = *telemetry.ping_storage();
  Result<std::vector<PingState>> states = storage.PingStates();
  if (states.ok()) {
    for (const PingState& state : *states) {
      service->states_[state.ping] = {state.next_sequence, state.last_fire_ms, state.last_ping_ms,
                                      false};
    }
  }
  Result<std::optional<std::string>> upload = storage.ClientValue(kUploadEnabledKey);
  if (upload.ok() && upload->has_value() && **upload == "0") {
    service->upload_enabled_ = false;
    telemetry.SetRecordingEnabled(false);
  }
  service->tokens_ = service->config_.rate_limit_per_minute;
  service->tokens_at_ms_ = telemetry.clock().NowMillis();
  if (service->config_.background_thread) {
    service->thread_ = std::thread([s = service.get()] { s->Run(); });
  }
  return service;
}

PingService::~PingService() { Shutdown(); }

Status PingService::SaveState(const std::string& ping) {
  const State& state = states_[ping];
  PingState saved{ping, state.next_sequence, state.last_fire_ms, state.last_ping_ms};
  return storage().SavePingState(saved);
}

Status PingService::Fire(const PingType& type, std::string_view reason, bool scheduled, int64_t now,
                         bool* sent) {
  *sent = false;
  State& state = states_[type.name];
  // The hook runs first: what it records belongs in this ping.
  const PingFields fields = type.before_assembly ? type.before_assembly(reason) : PingFields{};
  if (!type.store.empty() && !type.send_if_empty) {
    Result<telemetry::StoreSnapshot> peek = telemetry_.Snapshot(type.store, /*clear=*/false);
    if (peek.ok() && peek->empty()) {  // Nothing to send: restart the timer only.
      if (scheduled) state.last_fire_ms = now;
      return SaveState(type.name);
    }
  }
  telemetry::wire::Envelope envelope;
  envelope.document_id = telemetry::NewUuid();
  envelope.document_type = type.name;
  envelope.document_version = type.version;
  const telemetry::TelemetryConfig& app = telemetry_.config();
  envelope.app_name = app.app_name;
  envelope.app_version = app.app_version;
  envelope.channel = app.channel;
  envelope.build_id = app.build_id;
  envelope.creation_time_ms = now;
  envelope.sequence = static_cast<uint64_t>(state.next_sequence);
  envelope.start_time_ms = state.last_ping_ms.value_or(state.last_fire_ms.value_or(now));
  envelope.end_time_ms = now;
  envelope.reason = std::string(reason);
  if (type.include_client_id) envelope.client_id = telemetry_.client_id();
  if (type.include_environment) {
    telemetry::ping::Environment environment;
    environment.set_os(config_.environment.os);
    environment.set_os_version(config_.environment.os_version);
    environment.set_architecture(config_.environment.architecture);
    environment.set_locale(config_.environment.locale);
    envelope.environment = environment;
  }
  if (account_) {
    telemetry::ping::Account account;
    account.set_uid(account_->uid);
    account.set_device_id(account_->device_id);
    envelope.account = account;
  }
  envelope.store = type.store;
  auto build = [&](const telemetry::StoreSnapshot& snapshot) -> Result<std::string> {
    telemetry::ping::Ping ping = telemetry::wire::MakePing(envelope);
    internal::FillPayload(snapshot, fields, ping.mutable_payload());
    return telemetry::wire::EncodePing(ping, config_.max_ping_bytes);
  };
  PendingPing pending;
  pending.document_id = envelope.document_id;
  pending.ping_type = type.name;
  pending.created_ms = now;
  // A deletion request is never deleted nor evicted before it is delivered: each client id's
  // request goes out once, however often consent is withdrawn and given back meanwhile.
  pending.keep_until_sent = type.name == "deletion-request";
  PingState next{type.name, state.next_sequence + 1,
                 scheduled ? std::optional<int64_t>(now) : state.last_fire_ms, now};

  Status status;
  if (type.store.empty()) {
    Result<std::string> body = build(telemetry::StoreSnapshot{});
    if (!body.ok()) {
      (void)storage().Enqueue(pending, &next);  // The empty body: refused and counted.
      return body.status();
    }
    pending.body = std::move(body).value();
    status = storage().Enqueue(pending, &next);
  } else {
    status = storage().SubmitStore(type.store, pending, build, &next);
  }
  if (!status.ok()) return status;
  state.next_sequence = next.next_sequence;
  state.last_fire_ms = next.last_fire_ms;
  state.last_ping_ms = now;
  *sent = true;

  (void)storage().EnforceQuota({.max_count = config_.max_pending_count,
                                .max_bytes = config_.max_pending_bytes,
                                .max_age_ms = config_.max_pending_age_ms},
                               now);
  return Status::Ok();
}

Status PingService::Submit(std::string_view ping, std::string_view reason) {
  if (stopping_.load()) return Status::FailedPrecondition("pings are shut down");
  for (const PingType& type : config_.pings) {
    if (type.name != ping) continue;
    bool known = reason == "overdue";
    for (const std::string& r : type.reasons) known = known || r == reason;
    if (!known) {
      return Status::InvalidArgument("'" + std::string(reason) + "' is not a reason of ping " +
                                     type.name);
    }
    if (!upload_enabled_.load() && type.name != "deletion-request") {
      return Status::FailedPrecondition("upload is disabled");
    }
    Status status;
    {
      std::lock_guard lock(mu_);
      bool sent = false;
      status = Fire(type, reason, /*scheduled=*/false, telemetry_.clock().NowMillis(), &sent);
    }
    WakeThread();  // Upload it now rather than at the next poll.
    return status;
  }
  return Status::NotFound("no ping named '" + std::string(ping) + "'");
}

void PingService::SetAccount(std::optional<AccountInfo> account) {
  std::lock_guard lock(mu_);
  account_ = std::move(account);
}

int PingService::Tick() {
  if (stopping_.load() || !upload_enabled_.load()) return 0;
  const int64_t now = telemetry_.clock().NowMillis();
  std::lock_guard lock(mu_);
  int fired = 0;
  for (const PingType& type : config_.pings) {
    if (type.interval_ms <= 0) continue;
    State& state = states_[type.name];
    const bool first_look = !state.ticked;
    state.ticked = true;
    if (!state.last_fire_ms || now < *state.last_fire_ms) {
      // First run, or the clock went backwards: the timer starts now.
      state.last_fire_ms = now;
      (void)SaveState(type.name);
      continue;
    }
    if (now - *state.last_fire_ms < type.interval_ms) continue;
    // Due once, however far the clock jumped: it fires once and the timer restarts now.
    bool sent = false;
    if (Fire(type, first_look ? "overdue" : type.reasons[0], /*scheduled=*/true, now, &sent).ok() &&
        sent) {
      ++fired;
    }
  }
  return fired;
}

bool PingService::TakeToken(int64_t now) {
  const double rate = config_.rate_limit_per_minute / 60000.0;  // Tokens per millisecond.
  if (now > tokens_at_ms_) {
    tokens_ = std::min<double>(config_.rate_limit_per_minute,
                               tokens_ + static_cast<double>(now - tokens_at_ms_) * rate);
  }
  tokens_at_ms_ = now;
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

int PingService::UploadDue() {
  std::lock_guard lock(upload_mu_);
  const int64_t now = telemetry_.clock().NowMillis();
  Result<std::vector<PendingPing>> due = storage().DuePings(now, 100);
  if (!due.ok()) return 0;
  const telemetry::TelemetryConfig& app = telemetry_.config();
  static thread_local std::mt19937 random(std::random_device{}());
  int delivered = 0;
  for (const PendingPing& ping : *due) {
    if (stopping_.load() && abort_uploads_.load()) break;
    if (!upload_enabled_.load() && ping.ping_type != "deletion-request") continue;
    if (!TakeToken(now)) break;
    uint32_t version = 1;
    for (const PingType& type : config_.pings) {
      if (type.name == ping.ping_type) version = type.version;
    }
    const std::string url = config_.server_url + "/submit/" + app.app_name + "/" + ping.ping_type +
                            "/" + std::to_string(version) + "/" + ping.document_id;
    const std::vector<std::string> headers = {
        std::string("Content-Type: ") + telemetry::wire::kContentType,
        std::string("Content-Encoding: ") + telemetry::wire::kContentEncoding,
        "Date: " + telemetry::HttpDate(now),
        "User-Agent: telemetry/0.1 " + app.app_name + "/" + app.app_version};
    Result<internal::HttpResponse> response = http_->Post(url, headers, ping.body, now);
    if (response.ok() && response->status >= 200 && response->status < 300) {
      (void)storage().ArchivePing(ping.document_id, now);
      ++delivered;
    } else if (response.ok() && Permanent(response->status)) {
      (void)storage().DiscardPending(ping.document_id);
    } else {
      const int64_t attempts = ping.attempts + 1;
      int64_t delay = 0;
      if (response.ok() && response->retry_after_ms) {
        delay = std::min(*response->retry_after_ms, config_.backoff_max_ms);
      } else {
        const int64_t exponential = config_.backoff_base_ms << std::min<int64_t>(attempts - 1, 20);
        const int64_t capped = std::min(exponential, config_.backoff_max_ms);
        delay = std::uniform_int_distribution<int64_t>(capped / 2, capped)(random);
      }
      (void)storage().RescheduleAttempt(ping.document_id, attempts, now + delay);
    }
  }
  (void)storage().PurgeArchive(now - config_.archive_retention_ms);
  return delivered;
}

void PingService::SetUploadEnabled(bool enabled) {
  {
    std::lock_guard lock(mu_);
    if (enabled == upload_enabled_.load()) return;
    if (!enabled) {
      upload_enabled_ = false;
      telemetry_.SetRecordingEnabled(false);
      for (const std::string& store : telemetry_.Stores()) (void)telemetry_.Snapshot(store, true);
      // Every ping of this client id goes, but earlier deletion requests not yet delivered
      // (kept until sent); the archive of sent pings goes too.
      (void)storage().DeleteAllPending();
      (void)storage().DeleteArchive();
      (void)storage().SetClientValue(kUploadEnabledKey, "0");
      for (const PingType& type : config_.pings) {
        if (type.name == "deletion-request") {
          bool sent = false;
          (void)Fire(type, type.reasons[0], false, telemetry_.clock().NowMillis(), &sent);
        }
      }
    } else {
      telemetry_.ResetClientId();
      (void)storage().SetClientValue(kUploadEnabledKey, "1");
      telemetry_.SetRecordingEnabled(true);
      upload_enabled_ = true;
    }
  }
  WakeThread();
}

void PingService::WakeThread() {
  wake_requested_ = true;
  telemetry_.clock().Wake();
}

int64_t PingService::NextWakeMs(int64_t pass_ms) {
  std::lock_guard lock(mu_);
  int64_t next = pass_ms + std::max<int64_t>(config_.poll_interval_ms, 1);
  for (const PingType& type : config_.pings) {
    if (type.interval_ms <= 0) continue;
    auto state = states_.find(type.name);
    if (state == states_.end() || !state->second.last_fire_ms) continue;
    const int64_t due = *state->second.last_fire_ms + type.interval_ms;
    // Due by the pass's time, the pass saw it: it fired (and its timer moved on) or it failed
    // and is tried again at the next poll, not in a busy loop.
    if (due > pass_ms) next = std::min(next, due);
  }
  return next;
}

void PingService::Run() {
  // Waits on the Telemetry's clock: under a ManualClock a ping fires when the clock passes
  // its interval, and nothing happens while it stands still (but for Submit and consent
  // changes, which wake the thread).
  const telemetry::Clock& clock = telemetry_.clock();
  const auto woken = [this] { return stopping_.load() || wake_requested_.load(); };
  while (!stopping_.load()) {
    wake_requested_ = false;  // Before the pass: a request made during it is seen after.
    const int64_t pass_ms = clock.NowMillis();  // Tick looks at this time or later.
    Tick();
    UploadDue();
    (void)clock.WaitUntil(NextWakeMs(pass_ms), woken);
  }
  {
    std::lock_guard lock(thread_mu_);
    thread_done_ = true;
  }
  wake_.notify_all();
}

void PingService::Shutdown() {
  if (stopping_.exchange(true)) return;
  telemetry_.clock().Wake();  // Ends the thread's wait on the clock.
  {
    // Pings with a "shutdown" reason are queued for the next run.
    std::lock_guard lock(mu_);
    if (upload_enabled_.load()) {
      for (const PingType& type : config_.pings) {
        for (const std::string& reason : type.reasons) {
          if (reason == "shutdown") {
            bool sent = false;
            (void)Fire(type, reason, false, telemetry_.clock().NowMillis(), &sent);
          }
        }
      }
    }
  }
  if (thread_.joinable()) {
    std::unique_lock lock(thread_mu_);
    wake_.notify_all();
    if (!wake_.wait_for(lock, std::chrono::milliseconds(config_.shutdown_deadline_ms),
                        [this] { return thread_done_; })) {
      abort_uploads_ = true;  // The upload in flight gives up now.
    }
    lock.unlock();
    thread_.join();
  }
}

}  // namespace pings
