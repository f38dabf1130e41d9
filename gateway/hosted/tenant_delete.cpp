#include "gateway/hosted/tenant_delete.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "common/durable_file.hpp"
#include "common/error.hpp"
#include "common/http_client.hpp"
#include "common/http_types.hpp"
#include "common/log.hpp"
#include "proto/encoding/dates.hpp"

namespace hareyaka::gateway::hosted {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kLocators = "/api/gw/v1/locators";

std::string tombstone_of(const HostedConfig& c, const std::string& id) {
  return c.tenants_dir + "/" + id + ".deleted";
}

const TenantSettings& find_tenant(const HostedConfig& c, const std::string& id) {
  for (const auto& t : c.tenants) {
    if (t.id == id)
      return t;
  }
  throw Error(ErrorCode::kNotFound, "no tenant '" + id + "' in the configuration");
}

json parse_answer(const http::ClientResponse& r, const char* what) {
  if (r.status != 200)
    throw Error(ErrorCode::kUnavailable, std::string("the portal refused ") + what + " (HTTP " +
                                             std::to_string(r.status) + "): " + r.body);
  try {
    return json::parse(r.body);
  } catch (const json::exception&) {
    throw Error(ErrorCode::kUnavailable,
                std::string("the portal's answer to ") + what + " is not JSON");
  }
}

// Deletes every locator entry the portal holds for the tenant; returns how many.
std::size_t deregister(const HostedConfig& c, const TenantSettings& t) {
  http::BlockingHttpClient client(http::ClientSettings{.tls = t.tls});
  std::size_t removed = 0;
  for (;;) {
    // Always the first page: what was deleted is no longer listed.
    const json page = parse_answer(
        client.request({.method = "GET", .url = c.portal_url + kLocators + "?limit=1000"}),
        "the list of locators");
    const json items = page.value("items", json::array());
    if (!items.is_array() || items.empty())
      return removed;
    for (const auto& item : items) {
      const std::string id = item.value("patient_id", "");
      parse_answer(
          client.request({.method = "DELETE",
                          .url = c.portal_url + kLocators + "/" + http::percent_encode(id)}),
          "a locator's deletion");
      ++removed;
    }
  }
}

}  // namespace

json delete_tenant(const HostedConfig& config, const std::string& tenant_id,
                   DeleteOptions options) {
  const TenantSettings& t = find_tenant(config, tenant_id);
  const std::string dir = config.tenants_dir + "/" + t.id;
  std::error_code ec;
  const bool has_data = fs::exists(dir, ec);
  const bool deleted_before = fs::exists(tombstone_of(config, t.id), ec);
  std::size_t removed = 0;
  if (!options.local_only && !config.portal_url.empty())
    removed = deregister(config, t);
  const json tomb{{"tenant", t.id},
                  {"facility_oid", t.facility_oid},
                  {"deleted_at", encoding::iso_utc(std::chrono::system_clock::now())},
                  {"locators_removed", removed}};
  if (has_data) {
    const std::string stamp =
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count());
    const std::string moved = config.tenants_dir + "/.deleted-" + t.id + "-" + stamp;
    fs::rename(dir, moved);
    sync_dir(config.tenants_dir);
    write_file_durably(tombstone_of(config, t.id), tomb.dump(2) + "\n");
    fs::remove_all(moved);
    sync_dir(config.tenants_dir);
  } else if (!deleted_before) {
    write_file_durably(tombstone_of(config, t.id), tomb.dump(2) + "\n");
  }
  return {{"tenant", t.id},
          {"facility_oid", t.facility_oid},
          {"locators_removed", removed},
          {"portal", options.local_only || config.portal_url.empty() ? "skipped" : "done"},
          {"data_removed", has_data},
          {"tombstone", tombstone_of(config, t.id)}};
}

void check_deleted_tenants(const HostedConfig& config) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(config.tenants_dir, ec)) {
    if (e.path().filename().string().starts_with(".deleted-"))
      fs::remove_all(e.path(), ec);  // an interrupted deletion, past its tombstone
  }
  for (const auto& t : config.tenants) {
    if (fs::exists(tombstone_of(config, t.id), ec)) {
      throw config::ConfigError(
          "tenant '" + t.id + "' was deleted (" + tombstone_of(config, t.id) +
          "): remove it from the configuration, or remove the tombstone file to serve it again "
          "from empty");
    }
  }
}

StateLock::StateLock(const std::string& state_dir) {
  fs::create_directories(state_dir);
  const std::string path = state_dir + "/hosted.lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0)
    throw Error(ErrorCode::kInternal, "cannot open the state lock",
                path + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw Error(ErrorCode::kConflict, "another hareyaka-hosted uses this configuration (" + path +
                                          " is locked): stop it first");
  }
}

StateLock::~StateLock() {
  if (fd_ >= 0)
    ::close(fd_);
}

int run_delete_tenant(int argc, char** argv) {
  std::string config_file, tenant;
  DeleteOptions options;
  std::string error;
  for (int i = 1; i < argc && error.empty(); ++i) {
    const std::string arg = argv[i];
    if ((arg == "--config" || arg == "--tenant") && i + 1 < argc)
      (arg == "--config" ? config_file : tenant) = argv[++i];
    else if (arg == "--local-only")
      options.local_only = true;
    else
      error = "unknown or incomplete argument " + arg;
  }
  if (error.empty() && (config_file.empty() || tenant.empty()))
    error = "--config FILE and --tenant ID are required";
  if (!error.empty()) {
    std::cerr << "delete-tenant: " << error
              << "\nusage: hareyaka-hosted delete-tenant --config FILE --tenant ID "
                 "[--local-only]\n";
    return 2;
  }
  try {
    const auto cfg = load_hosted_config(config_file);
    StateLock lock(cfg.state_dir);  // the daemon must not be serving the tenant meanwhile
    std::cout << delete_tenant(cfg, tenant, options).dump(2) << "\n";
    return 0;
  } catch (const config::ConfigError& e) {
    std::cerr << "delete-tenant: " << e.what() << "\n";
    return 2;
  } catch (const Error& e) {
    std::cerr << "delete-tenant: " << e.internal() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "delete-tenant: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace hareyaka::gateway::hosted
