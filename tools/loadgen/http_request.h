// The bytes of the requests the load generator writes, built whole before a phase starts so
// that sending one is a single write.
//
//   std::string noop = PostRequest("127.0.0.1:8080", "/noop", body);
//   std::string health = GetRequest("127.0.0.1:8080", "/health");
//
// Every request is HTTP/1.1 and keeps its connection open. Bodies are our pings
// (application/x-protobuf, Content-Encoding: zstd). Pure functions.
#ifndef TELEMETRY_TOOLS_LOADGEN_HTTP_REQUEST_H_
#define TELEMETRY_TOOLS_LOADGEN_HTTP_REQUEST_H_

#include <string>
#include <string_view>

namespace telemetry::loadgen {

std::string PostRequest(std::string_view host, std::string_view path, std::string_view body);
std::string GetRequest(std::string_view host, std::string_view path);

}  // namespace telemetry::loadgen

#endif  // TELEMETRY_TOOLS_LOADGEN_HTTP_REQUEST_H_
