#include "gateway/publish/outbox.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/durable_file.hpp"
#include "common/error.hpp"

namespace hareyaka::gateway::publish {
namespace {

namespace fs = std::filesystem;

// Patient ids become file names: hex keeps any id safe.
std::string to_name(const std::string& id) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : id) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string from_name(const std::string& name) {
  std::string out;
  for (std::size_t i = 0; i + 1 < name.size(); i += 2) {
    out += static_cast<char>(std::stoi(name.substr(i, 2), nullptr, 16));
  }
  return out;
}

// The entries are written through common/durable_file (a temporary, fsync, rename, the folder
// fsynced): two threads may write the same entry at once (the resync and a change noticed
// meanwhile), each with a temporary of its own.
void write_durably(const std::string& dir, const std::string& name, const std::string& content) {
  write_file_durably(dir + "/" + name, content, 0600);
}

// A temporary left by a crash (never renamed into place): removed at start. ".<name>.<n>.tmp"
// is what versions before 2026-12 wrote.
void sweep_temporaries(const std::string& dir) {
  std::error_code ec;
  std::vector<fs::path> left;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string n = e.path().filename().string();
    if (is_temporary_name(n) || (n.starts_with(".") && n.ends_with(".tmp")))
      left.push_back(e.path());
  }
  for (const auto& p : left)
    fs::remove(p, ec);
}

}  // namespace

Outbox::Outbox(const std::string& state_dir)
    : outbox_dir_(state_dir + "/outbox"),
      published_dir_(state_dir + "/published"),
      locators_dir_(state_dir + "/locators") {
  fs::create_directories(outbox_dir_);
  fs::create_directories(published_dir_);
  fs::create_directories(locators_dir_);
  for (const auto* dir : {&outbox_dir_, &published_dir_, &locators_dir_})
    sweep_temporaries(*dir);
}

void Outbox::add(const std::string& patient_id) {
  std::lock_guard lock(mu_);
  write_durably(outbox_dir_, to_name(patient_id), "");
  if (taken_.contains(patient_id))
    readded_.insert(patient_id);
}

std::vector<std::string> Outbox::pending(std::size_t limit) const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(outbox_dir_)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.')
      continue;
    out.push_back(from_name(name));
    taken_.insert(out.back());
    if (out.size() >= limit)
      break;
  }
  return out;
}

std::size_t Outbox::pending_count() const {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(outbox_dir_)) {
    if (e.path().filename().string()[0] != '.')
      ++n;
  }
  return n;
}

void Outbox::acknowledge(const std::string& patient_id, const std::string& digest) {
  record_feed(patient_id, digest);
  done(patient_id);
}

void Outbox::record_feed(const std::string& patient_id, const std::string& digest) {
  write_durably(published_dir_, to_name(patient_id), digest);
}

void Outbox::done(const std::string& patient_id) {
  std::lock_guard lock(mu_);
  taken_.erase(patient_id);
  if (readded_.erase(patient_id) > 0)
    return;  // changed again while it was sent: the next round sends that change
  std::error_code ec;
  fs::remove(outbox_dir_ + "/" + to_name(patient_id), ec);
  sync_dir(outbox_dir_);
}

void Outbox::record_locator(const std::string& patient_id, const LocatorState& state) {
  write_durably(locators_dir_, to_name(patient_id),
                state.digest + "\n" + std::to_string(state.last_change_ms));
}

std::optional<Outbox::LocatorState> Outbox::locator_state(const std::string& patient_id) const {
  std::ifstream in(locators_dir_ + "/" + to_name(patient_id));
  if (!in)
    return std::nullopt;
  LocatorState s;
  std::string ms;
  std::getline(in, s.digest);
  std::getline(in, ms);
  try {
    s.last_change_ms = std::stoll(ms);
  } catch (const std::exception&) {
    return std::nullopt;  // torn by hand: treat as never sent
  }
  return s;
}

void Outbox::forget_locator(const std::string& patient_id) {
  std::error_code ec;
  if (fs::remove(locators_dir_ + "/" + to_name(patient_id), ec))
    sync_dir(locators_dir_);
}

std::optional<std::string> Outbox::acknowledged_digest(const std::string& patient_id) const {
  std::ifstream in(published_dir_ + "/" + to_name(patient_id));
  if (!in)
    return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace hareyaka::gateway::publish
