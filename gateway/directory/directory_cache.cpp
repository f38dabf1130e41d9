#include "gateway/directory/directory_cache.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "common/log.hpp"

namespace hareyaka::gateway {

using nlohmann::json;

std::optional<UnknownUserPolicy> parse_unknown_user_policy(const std::string& s) {
  if (s == "after_first_pull")
    return UnknownUserPolicy::kAfterFirstPull;
  if (s == "always")
    return UnknownUserPolicy::kAlways;
  if (s == "never")
    return UnknownUserPolicy::kNever;
  return std::nullopt;
}

DirectoryCache::DirectoryCache(std::string file) : file_(std::move(file)) {
  std::ifstream in(file_);
  if (!in)
    return;
  try {
    std::stringstream ss;
    ss << in.rdbuf();
    const json j = json::parse(ss.str());
    version_ = j.at("version").get<std::int64_t>();
    for (const auto& [k, v] : j.at("facilities").items())
      facilities_[k] = v;
    for (const auto& [k, v] : j.at("users").items())
      users_[k] = v;
    pulled_ = true;
  } catch (const std::exception&) {
    facilities_.clear();
    users_.clear();
    version_ = 0;
    log::warn("directory cache unreadable; pulling it again",
              {.component = "directory", .file = file_});
  }
}

bool DirectoryCache::pulled() const {
  std::lock_guard lock(mutex_);
  return pulled_;
}

std::int64_t DirectoryCache::version() const {
  std::lock_guard lock(mutex_);
  return version_;
}

std::size_t DirectoryCache::users() const {
  std::lock_guard lock(mutex_);
  return users_.size();
}

DirectoryVerdict DirectoryCache::check(const std::string& login_id, const std::string& facility_oid,
                                       UnknownUserPolicy policy) const {
  std::lock_guard lock(mutex_);
  DirectoryVerdict v;
  auto it = users_.find(login_id);
  if (it == users_.end()) {
    if (policy == UnknownUserPolicy::kAlways && !pulled_) {
      v.refusal = "the network directory has not been pulled from the portal yet";
    } else if (policy == UnknownUserPolicy::kAlways ||
               (policy == UnknownUserPolicy::kAfterFirstPull && pulled_)) {
      v.refusal = "the user is not in the network directory";
    }
    return v;
  }
  ViewerInfo info;
  info.display_name = it->second.value("display_name", "");
  info.profession = it->second.value("profession", "");
  info.facility_oid = it->second.value("facility_oid", "");
  info.status = it->second.value("status", "");
  if (auto f = facilities_.find(info.facility_oid); f != facilities_.end())
    info.facility_name = f->second.value("name", "");
  if (info.status != "active") {
    v.refusal = "the user is " + info.status + " in the network directory";
  } else if (info.facility_oid != facility_oid) {
    v.refusal = "the access assertion names another facility than the directory's";
  } else if (auto f = facilities_.find(info.facility_oid);
             f != facilities_.end() && f->second.value("status", "") != "active") {
    v.refusal =
        "the user's facility is " + f->second.value("status", "") + " in the network directory";
  }
  v.viewer = std::move(info);
  return v;
}

void DirectoryCache::apply(const std::vector<json>& pages) {
  std::lock_guard lock(mutex_);
  const std::int64_t before = version_;
  for (const auto& page : pages) {
    if (page.value("reset", false)) {
      facilities_.clear();
      users_.clear();
    }
    for (const auto& f : page.at("facilities")) {
      json e = f;
      e.erase("oid");
      facilities_[f.at("oid").get<std::string>()] = std::move(e);
    }
    for (const auto& u : page.at("users")) {
      json e = u;
      e.erase("login_id");
      users_[u.at("login_id").get<std::string>()] = std::move(e);
    }
    for (const auto& d : page.at("deleted")) {
      const auto key = d.at("key").get<std::string>();
      if (d.at("entity") == "user")
        users_.erase(key);
      else
        facilities_.erase(key);
    }
    version_ = page.at("version").get<std::int64_t>();
  }
  const bool first = !pulled_;
  pulled_ = true;
  if (first || version_ != before)
    save_locked();
}

void DirectoryCache::save_locked() const {
  json j{{"version", version_}, {"facilities", json::object()}, {"users", json::object()}};
  for (const auto& [k, v] : facilities_)
    j["facilities"][k] = v;
  for (const auto& [k, v] : users_)
    j["users"][k] = v;
  const std::string text = j.dump();
  const std::string tmp = file_ + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0;
  if (ok) {
    std::size_t off = 0;
    while (ok && off < text.size()) {
      const auto n = ::write(fd, text.data() + off, text.size() - off);
      ok = n > 0;
      off += ok ? static_cast<std::size_t>(n) : 0;
    }
    ok = ok && ::fsync(fd) == 0;
    ok = (::close(fd) == 0) && ok;
  }
  if (!ok || std::rename(tmp.c_str(), file_.c_str()) != 0) {
    throw Error(ErrorCode::kUnavailable, "directory cache not saved",
                "cannot write directory cache " + file_);
  }
}

}  // namespace hareyaka::gateway
