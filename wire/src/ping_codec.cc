#include "telemetry/wire/ping_codec.h"

#include <google/protobuf/util/json_util.h>

#include "telemetry/base/zstd.h"

namespace telemetry::wire {

ping::Ping MakePing(const Envelope& e) {
  ping::Ping ping;
  ping.set_document_id(e.document_id);
  ping.set_document_type(e.document_type);
  ping.set_document_version(e.document_version);
  ping::App* app = ping.mutable_app();
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
  ping.mutable_payload();
  return ping;
}

Result<std::string> EncodePing(const ping::Ping& ping, size_t max_bytes) {
  std::string serialized;
  if (!ping.SerializeToString(&serialized)) {
    return Status::Internal("the ping could not be serialised");
  }
  Result<std::string> body = ZstdCompress(serialized);
  if (!body.ok()) return body.status();
  if (body->size() > max_bytes) {
    return Status::InvalidArgument("the compressed ping is " + std::to_string(body->size()) +
                                   " bytes, over " + std::to_string(max_bytes));
  }
  return body;
}

Result<ping::Ping> DecodePing(std::string_view body, size_t max_decoded) {
  Result<std::string> bytes = ZstdDecompress(body, max_decoded);
  if (!bytes.ok()) return bytes.status();
  ping::Ping ping;
  if (!ping.ParseFromString(*bytes)) {
    return Status::InvalidArgument("the body is not a protobuf Ping");
  }
  return ping;
}

std::string ToJson(const ping::Ping& ping) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(ping, &json, options);
  return json;
}

}  // namespace telemetry::wire
