#include "gateway/publish/locator_sync.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <map>
#include <set>

#include "common/error.hpp"
#include "common/log.hpp"
#include "gateway/record/record_query.hpp"

namespace hareyaka::gateway::publish {
namespace {

using nlohmann::json;

constexpr const char* kBase = "/api/gw/v1/locators";

std::string encode(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

[[noreturn]] void refused(const std::string& what, const http::ClientResponse& r) {
  throw Error(
      ErrorCode::kUnavailable, "locator refused",
      what + ": portal answered HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 300));
}

}  // namespace

http::ClientResponse LocatorSync::call(const std::string& method, const std::string& path,
                                       std::string body) {
  http::ClientRequest req{.method = method,
                          .url = portal_url_ + path,
                          .body = std::move(body),
                          .timeout = std::chrono::seconds(15)};
  if (!req.body.empty())
    req.headers["Content-Type"] = "application/json";
  return client_.request(std::move(req));
}

void LocatorSync::send(const std::string& id, bool has_demographics) {
  const auto entry = has_demographics ? locator_entry(index_, studies_, id, extra_) : std::nullopt;
  const auto state = outbox_.locator_state(id);
  if (!entry) {
    auto r = call("DELETE", std::string(kBase) + "/" + encode(id));
    if (r.status != 200)
      refused("locator delete", r);
    outbox_.forget_locator(id);
    return;
  }
  if (state && state->digest == entry->digest)
    return;  // the portal has it
  // The change time only moves forward: a content change whose files are older than what
  // was last sent (a file removed from the storage) is stamped just after it.
  std::int64_t last_change = entry->last_change_ms;
  if (state && last_change <= state->last_change_ms)
    last_change = state->last_change_ms + 1;
  json body = entry->content;
  body["digest"] = entry->digest;
  body["last_change"] = format_utc_ms(last_change);
  auto r = call("PUT", std::string(kBase) + "/" + encode(id), body.dump());
  if (r.status == 409) {
    // The portal holds a newer entry than this one (our state was lost): remember its time
    // so the next attempt is stamped after it, and retry.
    std::int64_t theirs = last_change;
    try {
      if (auto t = parse_utc_ms(json::parse(r.body).value("last_change", "")))
        theirs = *t;
    } catch (const json::exception&) {
    }
    outbox_.record_locator(id, {.digest = "", .last_change_ms = theirs});
    refused("locator older than the portal's", r);
  }
  if (r.status != 200)
    refused("locator", r);
  outbox_.record_locator(id, {.digest = entry->digest, .last_change_ms = last_change});
}

std::size_t LocatorSync::resync_local() {
  std::size_t queued = 0;
  index_.for_each_patient([&](const std::string& id) {
    auto e = locator_entry(index_, studies_, id, extra_);
    auto state = outbox_.locator_state(id);
    if (e && (!state || state->digest != e->digest) && record::demographics(index_, id)) {
      outbox_.add(id);
      ++queued;
    }
  });
  return queued;
}

std::size_t LocatorSync::resync_remote() {
  std::map<std::string, std::string> portal;  // patient id -> digest
  std::string after;
  for (;;) {
    auto r = call("GET", std::string(kBase) + "?limit=1000&after=" + encode(after));
    if (r.status != 200)
      refused("locator list", r);
    json page;
    try {
      page = json::parse(r.body);
    } catch (const json::exception&) {
      throw Error(ErrorCode::kUnavailable, "locator list unreadable");
    }
    for (const auto& item : page.value("items", json::array()))
      portal[item.value("patient_id", "")] = item.value("digest", "");
    if (!page.contains("next_after") || !page["next_after"].is_string())
      break;
    after = page["next_after"].get<std::string>();
  }
  std::size_t queued = 0;
  std::set<std::string> known;
  after.clear();
  for (;;) {
    auto ids = index_.patient_ids(after, 1000);
    if (ids.empty())
      break;
    for (const auto& id : ids) {
      // Fed without demographics last time: never published, so an entry on the portal is
      // stale (removed below). Reading the outbox's record keeps this pass off the files.
      if (auto fed = outbox_.acknowledged_digest(id); fed && fed->empty())
        continue;
      known.insert(id);
      auto e = locator_entry(index_, studies_, id, extra_);
      auto it = portal.find(id);
      if (e && (it == portal.end() || it->second != e->digest)) {
        auto state = outbox_.locator_state(id);
        if (!state)
          continue;  // never sent: resync_local(), which runs first, has queued it
        // Keep the change time (it only moves forward), drop the digest: send again.
        outbox_.record_locator(id, {.digest = "", .last_change_ms = state->last_change_ms});
        outbox_.add(id);
        ++queued;
      }
    }
    after = ids.back();
  }
  for (const auto& [id, digest] : portal) {
    if (!known.contains(id)) {  // stale on the portal: the outbox pass deletes it
      outbox_.add(id);
      ++queued;
    }
  }
  log::info("locators resynchronised with the portal",
            {.component = "publisher", .count = static_cast<std::int64_t>(queued)});
  return queued;
}

}  // namespace hareyaka::gateway::publish
