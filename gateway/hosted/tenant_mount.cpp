#include "gateway/hosted/tenant_mount.hpp"

#include "common/error.hpp"

namespace hareyaka::gateway::hosted {
namespace {

// The tenant's own route for this request; strips /t/<id> from the path and target.
const http::Route& resolve(const TenantRouters& find, http::Request& req,
                           const std::string& pattern) {
  const std::string tenant = req.param("tenant");
  const http::Router* router = find(tenant);
  if (!router)
    throw Error(ErrorCode::kNotFound, "no such facility here");
  const std::string prefix = "/t/" + tenant;
  if (req.path.rfind(prefix, 0) == 0)
    req.path.erase(0, prefix.size());
  if (req.target.rfind(prefix, 0) == 0)
    req.target.erase(0, prefix.size());
  req.params.clear();
  const auto m = router->match(req.method, req.path, req.params);
  if (!m.route || m.route->pattern != pattern)
    throw Error(ErrorCode::kNotFound, "no such route");
  return *m.route;
}

}  // namespace

void mount_tenants(http::Router& outer, const http::Router& shape, TenantRouters find) {
  for (const auto& r : shape.routes()) {
    const std::string pattern = "/t/{tenant}" + r.pattern;
    if (r.async_handler) {
      outer.add(
          r.method, pattern,
          [find, inner = r.pattern](http::Request& req) -> boost::asio::awaitable<http::Response> {
            const http::Route& route = resolve(find, req, inner);
            co_return co_await route.async_handler(req);
          },
          r.options);
    } else {
      outer.add_blocking(
          r.method, pattern,
          [find, inner = r.pattern](http::Request& req) {
            return resolve(find, req, inner).blocking_handler(req);
          },
          r.options);
    }
  }
}

}  // namespace hareyaka::gateway::hosted
