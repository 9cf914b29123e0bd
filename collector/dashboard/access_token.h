// The dashboard's access token: read from a file, looked for in a request, compared in constant
// time; and whether a listening address is loopback (where the dashboard may go without one).
//
//   Result<std::string> token = ReadAccessToken("/etc/telemetry/dashboard.token");
//   if (!token.ok()) { std::cerr << token.status().message() << "\n"; return 2; }
//   bool allowed = RequestCarriesToken(request, *token);
//
// A request carries the token as "Authorization: Bearer TOKEN", as the cookie dashboard_token
// (which a page sets after one visit with ?token=TOKEN), or as ?token=TOKEN. Pure functions:
// thread-safe.
#ifndef COLLECTOR_DASHBOARD_ACCESS_TOKEN_H_
#define COLLECTOR_DASHBOARD_ACCESS_TOKEN_H_

#include <string>
#include <string_view>

#include "collector/http/http_message.h"
#include "telemetry/base/status.h"

namespace telemetry::collector::dashboard {

// Tokens shorter than this are refused: a token is a secret, not a password to remember.
inline constexpr size_t kMinTokenLength = 16;
inline constexpr char kTokenCookie[] = "dashboard_token";

// The file's first line, without surrounding whitespace. InvalidArgument for a missing or
// unreadable file, or a token shorter than kMinTokenLength (the message names the file).
Result<std::string> ReadAccessToken(const std::string& path);

// True when `request` carries `token` in one of the three places; compared in constant time.
bool RequestCarriesToken(const HttpRequest& request, std::string_view token);

// 127.0.0.0/8, ::1 and "localhost": the addresses only this machine reaches.
bool IsLoopbackHost(std::string_view host);

}  // namespace telemetry::collector::dashboard

#endif  // COLLECTOR_DASHBOARD_ACCESS_TOKEN_H_
