#include "collector/dashboard/dashboard.h"

#include "collector/dashboard/access_token.h"
#include "collector/dashboard/kpi_api.h"
#include "collector/dashboard/static_assets.h"

namespace telemetry::collector::dashboard {
namespace {

constexpr std::string_view kAssetsPrefix = "/dashboard/assets/";

HttpResponse Text(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body) + "\n";
  return response;
}

// The pages load nothing from elsewhere: no CDN, no inline script.
void AddPageHeaders(HttpResponse& response) {
  response.headers.emplace_back("Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; object-src 'none'");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Cache-Control", "no-cache");
}

HttpResponse Asset(std::string_view name) {
  std::optional<StaticAsset> asset = FindStaticAsset(name);
  if (!asset) return Text(404, "not_found: no dashboard file '" + std::string(name) + "'");
  HttpResponse response;
  response.content_type = std::string(asset->content_type);
  response.body.assign(asset->bytes);
  AddPageHeaders(response);
  return response;
}

HttpResponse Route(const HttpRequest& request, const DashboardOptions& options) {
  const std::string& path = request.path;
  if (path == "/dashboard" || path == "/dashboard/") return Asset("overview.html");
  if (path == "/dashboard/detail") return Asset("detail.html");
  if (path.starts_with(kAssetsPrefix)) {
    std::string_view name = std::string_view(path).substr(kAssetsPrefix.size());
    if (name.ends_with(".html")) return Text(404, "not_found: pages are /dashboard/ and /detail");
    return Asset(name);
  }
  if (path == "/api/v1/kpis") return ServeKpis(request, options);
  if (path == "/api/v1/info") return ServeInfo(options);
  return Text(404, "not_found: " + path + " (the dashboard is at /dashboard/)");
}

HttpResponse Handle(const HttpRequest& request, const DashboardOptions& options) {
  if (request.method != "GET") {
    HttpResponse refusal = Text(405, "method_not_allowed: the dashboard only reads (GET)");
    refusal.headers.emplace_back("Allow", "GET");
    return refusal;
  }
  if (!options.token.empty() && !RequestCarriesToken(request, options.token)) {
    HttpResponse refusal = Text(
        401,
        "unauthorized: this dashboard wants its token (Authorization: Bearer TOKEN, or ?token=)");
    refusal.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"telemetry dashboard\"");
    return refusal;
  }
  HttpResponse response = Route(request, options);
  // A page opened once with ?token= keeps working (its API calls, a reload) through the cookie.
  if (!options.token.empty() && request.QueryParameter("token")) {
    response.headers.emplace_back("Set-Cookie", std::string(kTokenCookie) + "=" + options.token +
                                                    "; Path=/; HttpOnly; SameSite=Strict");
  }
  return response;
}

}  // namespace

RouteHandler DashboardHandler(DashboardOptions options) {
  return [options = std::move(options)](const HttpRequest& request) {
    return Handle(request, options);
  };
}

}  // namespace telemetry::collector::dashboard
