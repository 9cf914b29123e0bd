#include "ping_codec.h"

#include <google/protobuf/util/json_util.h>
#include <zstd.h>

#include <memory>

namespace pings::internal {
namespace {

void SetValue(const telemetry::ScalarValue& value, telemetry::ping::ScalarValue* out) {
  if (const uint32_t* u = std::get_if<uint32_t>(&value)) {
    out->set_uint_value(*u);
  } else if (const bool* b = std::get_if<bool>(&value)) {
    out->set_bool_value(*b);
  } else {
    out->set_string_value(std::get<std::string>(value));
  }
}

}  // namespace

telemetry::ping::Ping BuildPing(const Envelope& e, const telemetry::StoreSnapshot& payload) {
  telemetry::ping::Ping ping;
  ping.set_document_id(e.document_id);
  ping.set_document_type(e.document_type);
  ping.set_document_version(e.document_version);
  telemetry::ping::App* app = ping.mutable_app();
  app->set_name(e.app_name);
  app->set_version(e.app_version);
  app->set_channel(e.channel);
  app->set_build_id(e.build_id);
  ping.set_creation_time_ms(e.creation_time_ms);
  ping.set_sequence(e.sequence);
  ping.set_start_time_ms(e.start_time_ms);
  ping.set_end_time_ms(e.end_time_ms);
  ping.set_reason(e.reason);
  if (e.client_id) ping.set_client_id(*e.client_id);
  if (e.environment) *ping.mutable_environment() = *e.environment;
  if (e.account) *ping.mutable_account() = *e.account;
  ping.set_store(e.store);
  telemetry::ping::Payload* out = ping.mutable_payload();
  for (const telemetry::ScalarEntry& scalar : payload.scalars) {
    telemetry::ping::Scalar* s = out->add_scalars();
    s->set_name(scalar.name);
    SetValue(scalar.value, s->mutable_value());
  }
  for (const telemetry::KeyedScalarEntry& keyed : payload.keyed_scalars) {
    telemetry::ping::KeyedScalar* k = out->add_keyed_scalars();
    k->set_name(keyed.name);
    for (const auto& [key, value] : keyed.values) SetValue(value, &(*k->mutable_values())[key]);
  }
  for (const telemetry::EventEntry& event : payload.events) {
    telemetry::ping::Event* ev = out->add_events();
    ev->set_timestamp_ms(event.timestamp_ms);
    ev->set_category(event.category);
    ev->set_method(event.method);
    ev->set_object(event.object);
    if (event.value) ev->set_value(*event.value);
    for (const auto& [key, value] : event.extras) (*ev->mutable_extras())[key] = value;
  }
  return ping;
}

std::string Compress(std::string_view bytes) {
  std::string out(ZSTD_compressBound(bytes.size()), '\0');
  size_t size = ZSTD_compress(out.data(), out.size(), bytes.data(), bytes.size(), 3);
  out.resize(ZSTD_isError(size) ? 0 : size);
  return out;
}

telemetry::Result<std::string> Decompress(std::string_view bytes, size_t max_bytes) {
  std::unique_ptr<ZSTD_DStream, size_t (*)(ZSTD_DStream*)> stream(ZSTD_createDStream(),
                                                                  ZSTD_freeDStream);
  ZSTD_initDStream(stream.get());
  std::string out;
  ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
  char chunk[64 * 1024];
  size_t last = 1;
  while (in.pos < in.size || last != 0) {
    ZSTD_outBuffer buffer{chunk, sizeof(chunk), 0};
    last = ZSTD_decompressStream(stream.get(), &buffer, &in);
    if (ZSTD_isError(last)) {
      return telemetry::Status::InvalidArgument(std::string("bad zstd data: ") +
                                                ZSTD_getErrorName(last));
    }
    if (out.size() + buffer.pos > max_bytes) {
      return telemetry::Status::InvalidArgument("decompresses past " + std::to_string(max_bytes) +
                                                " bytes");
    }
    out.append(chunk, buffer.pos);
    if (buffer.pos == 0 && in.pos == in.size) {
      if (last != 0) return telemetry::Status::InvalidArgument("truncated zstd frame");
      break;
    }
  }
  return out;
}

telemetry::Result<std::string> EncodePing(const telemetry::ping::Ping& ping, size_t max_bytes) {
  std::string body = Compress(ping.SerializeAsString());
  if (body.size() > max_bytes) {
    return telemetry::Status::InvalidArgument("the compressed ping is " +
                                              std::to_string(body.size()) + " bytes, over " +
                                              std::to_string(max_bytes));
  }
  return body;
}

std::string ToJson(const telemetry::ping::Ping& ping) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(ping, &json, options);
  return json;
}

}  // namespace pings::internal
