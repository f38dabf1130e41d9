#include "tests/support/daemon.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace hareyaka::testing {

std::string binary_path(const std::string& relative) {
  return std::string(HAREYAKA_BINARY_DIR) + "/" + relative;
}

Daemon::Daemon(const std::string& binary, const nlohmann::json& config, const std::string& name,
               const std::map<std::string, std::string>& env)
    : binary_(binary_path(binary)), env_(env) {
  config_path_ = dir_.path() + "/" + name + ".json";
  ports_path_ = dir_.path() + "/" + name + ".ports";
  log_path_ = dir_.path() + "/" + name + ".log";
  std::ofstream(config_path_) << config.dump(2);
  start();
}

Daemon::~Daemon() = default;

void Daemon::start() {
  std::filesystem::remove(ports_path_);
  child_ = std::make_unique<Child>(
      std::vector<std::string>{binary_, "--config", config_path_, "--ports-file", ports_path_},
      log_path_, env_);
  const bool up =
      poll_until([&] { return std::filesystem::exists(ports_path_) || !child_->running(); },
                 std::chrono::seconds(60));
  if (!up || !child_->running()) {
    throw std::runtime_error("daemon " + binary_ + " did not start:\n" + log());
  }
  auto j = nlohmann::json::parse(read_file(ports_path_));
  ports_ = j["listeners"].get<std::map<std::string, int>>();
  routes_ = j.value("routes", nlohmann::json::object());
}

void Daemon::restart() {
  if (child_->running())
    child_->stop();
  start();
}

void Daemon::stop() {
  if (child_->running())
    child_->stop();
}

void Daemon::rewrite(const nlohmann::json& config) {
  std::ofstream(config_path_, std::ios::trunc) << config.dump(2);
}

int Daemon::port(const std::string& listener) const {
  auto it = ports_.find(listener);
  if (it == ports_.end())
    throw std::runtime_error("no listener " + listener);
  return it->second;
}

std::string Daemon::url(const std::string& listener, const std::string& path) const {
  return "https://127.0.0.1:" + std::to_string(port(listener)) + path;
}

}  // namespace hareyaka::testing
