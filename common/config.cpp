#include "common/config.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace hareyaka::config {

nlohmann::json load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw ConfigError("cannot open configuration file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return nlohmann::json::parse(ss.str(), nullptr, true, /*ignore_comments=*/true);
  } catch (const nlohmann::json::parse_error& e) {
    throw ConfigError("configuration file '" + path + "' is not valid JSON: " + e.what());
  }
}

ConfigNode::ConfigNode(const nlohmann::json& j, std::string path) : j_(&j), path_(std::move(path)) {
  if (!j.is_object()) {
    throw ConfigError("'" + (path_.empty() ? std::string("(root)") : path_) +
                      "' must be an object");
  }
}

ConfigNode::~ConfigNode() = default;
ConfigNode::ConfigNode(ConfigNode&&) noexcept = default;

std::string ConfigNode::name(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void ConfigNode::bad(const std::string& key, const std::string& what) const {
  throw ConfigError("configuration key '" + name(key) + "' " + what);
}

bool ConfigNode::has(const std::string& key) const {
  return j_->contains(key);
}

const nlohmann::json& ConfigNode::at(const std::string& key) const {
  used_.insert(key);
  auto it = j_->find(key);
  if (it == j_->end())
    bad(key, "is missing");
  return *it;
}

std::string ConfigNode::string(const std::string& key) const {
  const auto& v = at(key);
  if (!v.is_string())
    bad(key, "must be a string");
  return v.get<std::string>();
}

std::string ConfigNode::string_or(const std::string& key, std::string fallback) const {
  return has(key) ? string(key) : (used_.insert(key), std::move(fallback));
}

std::int64_t ConfigNode::integer(const std::string& key, std::int64_t min, std::int64_t max) const {
  const auto& v = at(key);
  if (!v.is_number_integer())
    bad(key, "must be an integer");
  auto n = v.get<std::int64_t>();
  if (n < min || n > max) {
    bad(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + " (got " +
                 std::to_string(n) + ")");
  }
  return n;
}

std::int64_t ConfigNode::integer_or(const std::string& key, std::int64_t fallback, std::int64_t min,
                                    std::int64_t max) const {
  used_.insert(key);
  return has(key) ? integer(key, min, max) : fallback;
}

bool ConfigNode::boolean_or(const std::string& key, bool fallback) const {
  used_.insert(key);
  if (!has(key))
    return fallback;
  const auto& v = at(key);
  if (!v.is_boolean())
    bad(key, "must be true or false");
  return v.get<bool>();
}

std::chrono::milliseconds ConfigNode::millis_or(const std::string& key,
                                                std::chrono::milliseconds fallback) const {
  return std::chrono::milliseconds(integer_or(key, fallback.count(), 1, 24LL * 3600 * 1000));
}

std::string ConfigNode::choice_or(const std::string& key, std::string fallback,
                                  const std::vector<std::string>& allowed) const {
  std::string v = string_or(key, std::move(fallback));
  for (const auto& a : allowed) {
    if (a == v)
      return v;
  }
  std::string list;
  for (const auto& a : allowed)
    list += (list.empty() ? "" : ", ") + a;
  bad(key, "must be one of " + list + " (got '" + v + "')");
}

namespace {
bool is_fingerprint(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}
}  // namespace

std::string ConfigNode::fingerprint(const std::string& key) const {
  std::string v = string(key);
  if (!is_fingerprint(v))
    bad(key, "must be a lower-case hex SHA-256 certificate fingerprint (64 digits)");
  return v;
}

std::vector<std::string> ConfigNode::fingerprints_or(const std::string& key,
                                                     std::vector<std::string> fallback) const {
  auto list = strings_or(key, std::move(fallback));
  for (const auto& fp : list) {
    if (!is_fingerprint(fp))
      bad(key, "must list lower-case hex SHA-256 certificate fingerprints (64 digits)");
  }
  return list;
}

std::vector<std::string> ConfigNode::strings_or(const std::string& key,
                                                std::vector<std::string> fallback) const {
  used_.insert(key);
  if (!has(key))
    return fallback;
  const auto& v = at(key);
  if (!v.is_array())
    bad(key, "must be an array of strings");
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string())
      bad(key, "must be an array of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::string ConfigNode::secret(const std::string& key) const {
  const auto& v = at(key);
  if (v.is_string())
    return v.get<std::string>();
  if (v.is_object() && v.size() == 1 && v.contains("env") && v["env"].is_string()) {
    const std::string var = v["env"].get<std::string>();
    const char* value = std::getenv(var.c_str());
    if (!value)
      bad(key, "names environment variable '" + var + "', which is not set");
    return value;
  }
  if (v.is_object() && v.size() == 1 && v.contains("file") && v["file"].is_string()) {
    const std::string file = v["file"].get<std::string>();
    std::ifstream in(file, std::ios::binary);
    if (!in)
      bad(key, "names file '" + file + "', which cannot be read");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
      s.pop_back();
    return s;
  }
  bad(key, "must be a string, {\"env\": NAME} or {\"file\": PATH}");
}

std::string ConfigNode::secret_or(const std::string& key, std::string fallback) const {
  used_.insert(key);
  return has(key) ? secret(key) : std::move(fallback);
}

ConfigNode ConfigNode::child(const std::string& key) const {
  const auto& v = at(key);
  if (!v.is_object())
    bad(key, "must be an object");
  return ConfigNode(v, name(key));
}

std::optional<ConfigNode> ConfigNode::optional_child(const std::string& key) const {
  used_.insert(key);
  if (!has(key))
    return std::nullopt;
  return child(key);
}

std::vector<ConfigNode> ConfigNode::array(const std::string& key) const {
  const auto& v = at(key);
  if (!v.is_array())
    bad(key, "must be an array");
  std::vector<ConfigNode> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_object())
      bad(key + "[" + std::to_string(i) + "]", "must be an object");
    out.emplace_back(v[i], name(key) + "[" + std::to_string(i) + "]");
  }
  return out;
}

std::vector<ConfigNode> ConfigNode::array_or_empty(const std::string& key) const {
  used_.insert(key);
  if (!has(key))
    return {};
  return array(key);
}

void ConfigNode::finish() const {
  for (auto it = j_->begin(); it != j_->end(); ++it) {
    if (!used_.contains(it.key())) {
      throw ConfigError("unknown configuration key '" + name(it.key()) + "'");
    }
  }
}

log::Settings read_log(const ConfigNode& node) {
  log::Settings s;
  s.level = *log::parse_level(node.choice_or("level", "info", {"debug", "info", "warn", "error"}));
  s.format = node.choice_or("format", "text", {"text", "json"}) == "json" ? log::Format::kJson
                                                                          : log::Format::kText;
  s.file = node.string_or("file", "");
  node.finish();
  return s;
}

http::ListenerSettings read_listener(const ConfigNode& node, const std::string& name) {
  http::ListenerSettings s;
  s.name = name;
  s.address = node.string_or("address", "127.0.0.1");
  s.port = static_cast<std::uint16_t>(node.integer("port", 0, 65535));
  s.tls.cert_file = node.string("cert_file");
  s.tls.key_file = node.string("key_file");
  s.tls.ca_file = node.string_or("client_ca_file", "");
  const std::string auth = node.choice_or("client_auth", "none", {"none", "request", "require"});
  s.tls.client_auth = auth == "require"   ? tls::ClientAuth::kRequire
                      : auth == "request" ? tls::ClientAuth::kRequest
                                          : tls::ClientAuth::kNone;
  if (s.tls.client_auth != tls::ClientAuth::kNone && s.tls.ca_file.empty()) {
    throw ConfigError("configuration key '" + node.path() +
                      ".client_ca_file' is required when client_auth is '" + auth + "'");
  }
  s.tls.crl_file = node.string_or("client_crl_file", "");
  if (!s.tls.crl_file.empty() && s.tls.client_auth != tls::ClientAuth::kRequire) {
    throw ConfigError("configuration key '" + node.path() +
                      ".client_crl_file' needs client_auth 'require' (the handshake checks it)");
  }
  s.handshake_timeout = node.millis_or("handshake_timeout_ms", s.handshake_timeout);
  s.read_timeout = node.millis_or("read_timeout_ms", s.read_timeout);
  s.write_timeout = node.millis_or("write_timeout_ms", s.write_timeout);
  s.idle_timeout = node.millis_or("idle_timeout_ms", s.idle_timeout);
  s.header_limit =
      static_cast<std::size_t>(node.integer_or("header_limit", 16 * 1024, 1024, 1024 * 1024));
  s.max_connections =
      static_cast<std::size_t>(node.integer_or("max_connections", 10'000, 1, 1'000'000));
  node.finish();
  return s;
}

tls::ClientSettings read_tls_client(const ConfigNode& node) {
  tls::ClientSettings s;
  s.ca_file = node.string("ca_file");
  s.cert_file = node.string_or("cert_file", "");
  s.key_file = node.string_or("key_file", "");
  if (s.cert_file.empty() != s.key_file.empty()) {
    throw ConfigError("configuration keys '" + node.path() + ".cert_file' and '" + node.path() +
                      ".key_file' go together");
  }
  node.finish();
  return s;
}

}  // namespace hareyaka::config
