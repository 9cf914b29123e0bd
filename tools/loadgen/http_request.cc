#include "tools/loadgen/http_request.h"

namespace telemetry::loadgen {

std::string PostRequest(std::string_view host, std::string_view path, std::string_view body) {
  std::string request;
  request.reserve(path.size() + body.size() + 160);
  request.append("POST ").append(path).append(" HTTP/1.1\r\nHost: ").append(host);
  request.append(
      "\r\nContent-Type: application/x-protobuf\r\nContent-Encoding: zstd\r\nContent-Length: ");
  request.append(std::to_string(body.size())).append("\r\n\r\n").append(body);
  return request;
}

std::string GetRequest(std::string_view host, std::string_view path) {
  std::string request;
  request.append("GET ").append(path).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n\r\n");
  return request;
}

}  // namespace telemetry::loadgen
