#include "collector/dashboard/access_token.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>

#include <fstream>

namespace telemetry::collector::dashboard {
namespace {

std::string_view Trim(std::string_view text) {
  const char* space = " \t\r\n";
  const size_t first = text.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(space) - first + 1);
}

// Equal length is checked first: the token's length is not the secret, its bytes are.
bool SameToken(std::string_view given, std::string_view token) {
  return given.size() == token.size() &&
         CRYPTO_memcmp(given.data(), token.data(), token.size()) == 0;
}

std::string_view BearerOf(std::string_view authorization) {
  constexpr std::string_view kScheme = "Bearer ";
  if (!EqualsIgnoringCase(authorization.substr(0, kScheme.size()), kScheme)) return {};
  return Trim(authorization.substr(kScheme.size()));
}

// The value of cookie `name` in a Cookie header ("a=1; dashboard_token=...").
std::string_view CookieOf(std::string_view cookies, std::string_view name) {
  while (!cookies.empty()) {
    const size_t end = cookies.find(';');
    std::string_view pair = Trim(cookies.substr(0, end));
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
    if (end == std::string_view::npos) break;
    cookies.remove_prefix(end + 1);
  }
  return {};
}

}  // namespace

Result<std::string> ReadAccessToken(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) {
    return Status::InvalidArgument("cannot read a dashboard token from " + path);
  }
  std::string token(Trim(line));
  if (token.size() < kMinTokenLength) {
    return Status::InvalidArgument("the dashboard token in " + path + " is shorter than " +
                                   std::to_string(kMinTokenLength) + " characters");
  }
  return token;
}

bool RequestCarriesToken(const HttpRequest& request, std::string_view token) {
  if (std::optional<std::string_view> authorization = request.Header("Authorization")) {
    if (SameToken(BearerOf(*authorization), token)) return true;
  }
  if (std::optional<std::string_view> cookies = request.Header("Cookie")) {
    if (SameToken(CookieOf(*cookies, kTokenCookie), token)) return true;
  }
  std::optional<std::string> query = request.QueryParameter("token");
  return query && SameToken(*query, token);
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  in_addr address{};
  const std::string text(host);
  if (inet_pton(AF_INET, text.c_str(), &address) != 1) return false;
  return (ntohl(address.s_addr) >> 24) == 127;
}

}  // namespace telemetry::collector::dashboard
