// The tenants' routes on the hosted gateway's one listener: every route of a tenant's router
// (they all have the same shape) is served under /t/{tenant}/..., and a request is handed to
// that tenant's own route with the prefix taken off its path, so a tenant's handlers see
// what a hospital gateway's see and can reach nothing of another tenant's.
#pragma once

#include <functional>
#include <string>

#include "common/router.hpp"

namespace hareyaka::gateway::hosted {

using TenantRouters = std::function<const http::Router*(const std::string& tenant_id)>;

// `shape`: one tenant's router (its routes' methods, patterns and options). An unknown tenant
// is 404 "no such facility here".
void mount_tenants(http::Router& outer, const http::Router& shape, TenantRouters find);

}  // namespace hareyaka::gateway::hosted
