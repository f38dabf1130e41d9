#include "gateway/preserve/preserver.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "common/digest.hpp"
#include "common/durable_file.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "proto/ssmix2/storage_path.hpp"

namespace hareyaka::gateway::preserve {
namespace {

using nlohmann::json;
using ssmix2::DataType;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::vector<DataType> minimum_data_set() {
  return {DataType::kAdt00, DataType::kAdt61, DataType::kPpr01, DataType::kOmp01,
          DataType::kOmp11, DataType::kOmp02, DataType::kOmp12, DataType::kOml11,
          DataType::kAdt12, DataType::kAdt22, DataType::kAdt52};
}

struct Preserver::Node {
  Node(const PreservationNode& n, const std::string& state_dir)
      : settings(n),
        queue(state_dir + "/preserve/" + n.name),
        client(http::ClientSettings{.tls = n.tls}) {}

  PreservationNode settings;
  publish::Outbox queue;
  http::BlockingHttpClient client;
  std::thread thread;
  mutable std::mutex mutex;
  std::condition_variable wake;
  bool stop = false;
  bool poke = false;
  std::atomic<std::int64_t> acknowledged{0};
  std::atomic<std::int64_t> failures{0};
  std::atomic<std::int64_t> objects_sent{0};
  std::atomic<std::int64_t> bytes_sent{0};
  std::atomic<std::int64_t> purged{0};
  std::atomic<std::int64_t> last_success_ms{0};
  std::string last_error;  // under mutex
};

Preserver::Preserver(const storage::StorageIndex& index, const PreserveCrypto& crypto,
                     const std::string& state_dir, PreserverSettings settings)
    : index_(index), crypto_(crypto), settings_(std::move(settings)) {
  for (const auto& n : settings_.nodes)
    nodes_.push_back(std::make_unique<Node>(n, state_dir));
}

Preserver::~Preserver() {
  stop();
}

void Preserver::patient_changed(const std::string& patient_id) {
  for (auto& n : nodes_) {
    n->queue.add(patient_id);
    std::lock_guard lock(n->mutex);
    n->poke = true;
    n->wake.notify_all();
  }
}

bool Preserver::preserves(const std::string& patient_id) const {
  if (!settings_.consented)
    return true;
  std::lock_guard lock(consent_mutex_);
  return consented_ && consented_->contains(patient_id);
}

bool Preserver::refresh_consents() {
  if (!settings_.consented)
    return true;
  std::set<std::string> now;
  try {
    for (auto& id : settings_.consented())
      now.insert(std::move(id));
  } catch (const std::exception& e) {
    const Error* err = dynamic_cast<const Error*>(&e);
    std::lock_guard lock(consent_mutex_);
    consent_error_ = err ? err->internal() : e.what();
    log::warn("consented patients unavailable; preserving the ones known",
              {.component = "preserver", .detail = consent_error_});
    return false;
  }
  std::vector<std::string> added, ended;
  {
    std::lock_guard lock(consent_mutex_);
    for (const auto& id : now) {
      if (!consented_ || !consented_->contains(id))
        added.push_back(id);
    }
    if (consented_) {
      for (const auto& id : *consented_) {
        if (!now.contains(id))
          ended.push_back(id);
      }
    }
    consented_ = std::move(now);
    consent_error_.clear();
  }
  ++consent_refreshes_;
  for (const auto& id : added) {
    if (index_.has_patient(id))
      patient_changed(id);
  }
  for (const auto& id : ended)
    patient_changed(id);  // its copy is purged at every node
  return true;
}

bool Preserver::withdrawn(const std::string& patient_id) const {
  if (!settings_.consented)
    return false;
  std::lock_guard lock(consent_mutex_);
  return consented_ && !consented_->contains(patient_id);  // unknown: not withdrawn
}

http::ClientResponse Preserver::call(Node& node, const std::string& method, const std::string& path,
                                     std::string body, const char* type) {
  const std::string url = node.settings.url + "/pv/v1/facilities/" + crypto_.facility() + path;
  auto res = node.client.request({.method = method,
                                  .url = url,
                                  .headers = {{"Content-Type", type}},
                                  .body = std::move(body),
                                  .timeout = std::chrono::seconds(60)});
  if (res.status < 200 || res.status > 299) {
    throw Error(ErrorCode::kUnavailable, "preservation node refused",
                method + " " + path + ": HTTP " + std::to_string(res.status) + " " +
                    res.body.substr(0, 200));
  }
  return res;
}

std::vector<storage::FileEntry> Preserver::selected(const std::string& patient_id,
                                                    std::string& digest) const {
  if (!preserves(patient_id)) {
    digest.clear();  // not consented (or not yet known): nothing to preserve
    return {};
  }
  std::vector<std::pair<std::string, storage::FileEntry>> files;
  for (const auto& e : index_.current_files(patient_id)) {
    if (std::find(settings_.data_types.begin(), settings_.data_types.end(), e.type()) !=
        settings_.data_types.end())
      files.emplace_back(ssmix2::standard_relative_path(e.file_name(patient_id)), e);
  }
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string list;
  std::vector<storage::FileEntry> out;
  for (const auto& [path, e] : files) {
    list += path + " " + std::to_string(e.size) + " " + std::to_string(e.mtime_ns) + "\n";
    out.push_back(e);
  }
  digest = sha256_hex(list);
  return out;
}

std::size_t Preserver::resync() {
  refresh_consents();
  std::size_t queued = 0;
  index_.for_each_patient([&](const std::string& id) {
    if (withdrawn(id)) {
      for (auto& n : nodes_) {
        const auto held = n->queue.acknowledged_digest(id);
        if (held && !held->empty()) {  // a copy the consent no longer allows: purged
          n->queue.add(id);
          ++queued;
        }
      }
      return;
    }
    std::string digest;
    if (selected(id, digest).empty())
      return;
    for (auto& n : nodes_) {
      if (n->queue.acknowledged_digest(id) != digest) {
        n->queue.add(id);
        ++queued;
      }
    }
  });
  for (auto& n : nodes_) {
    std::lock_guard lock(n->mutex);
    n->poke = true;
    n->wake.notify_all();
  }
  log::info("preservation resynchronised",
            {.component = "preserver", .count = static_cast<std::int64_t>(queued)});
  return queued;
}

void Preserver::preserve_patient(Node& node, const std::string& patient_id) {
  if (withdrawn(patient_id)) {
    // The consent that allowed the copy ended: the node removes the patient's generations.
    // Acknowledged as nothing held, so a consent given again preserves the patient anew.
    const auto held = node.queue.acknowledged_digest(patient_id);
    if (held && !held->empty()) {
      call(node, "DELETE", "/patients/" + crypto_.patient_ref(patient_id), "", "application/json");
      ++node.purged;
      log::info("preserved copy purged: consent withdrawn", {.component = "preserver"});
    }
    node.queue.acknowledge(patient_id, "");
    return;
  }
  std::string digest;
  const auto files = selected(patient_id, digest);
  if (files.empty() || node.queue.acknowledged_digest(patient_id) == digest) {
    // Nothing of the minimum set (or nothing new). A patient whose files all vanished keeps
    // the generations already preserved: a deletion never reaches the copy.
    node.queue.acknowledge(patient_id, digest);
    return;
  }
  PatientIndex index{.patient_id = patient_id, .files = {}};
  std::map<std::string, std::string> blobs;  // object -> blob
  for (const auto& e : files) {
    auto bytes = read_whole_file(index_.standard_path(patient_id, e));
    if (!bytes)
      continue;  // gone since the index saw it: the follower queues the patient again
    const std::string sha = sha256_hex(*bytes);
    auto sealed = crypto_.seal_file(*bytes, sha);
    index.files.push_back({ssmix2::standard_relative_path(e.file_name(patient_id)), sha,
                           sealed.object, bytes->size()});
    blobs.emplace(sealed.object, std::move(sealed.blob));
  }
  json ask{{"objects", json::array()}};
  for (const auto& [object, blob] : blobs)
    ask["objects"].push_back(object);
  auto missing = json::parse(
      call(node, "POST", "/objects/missing", ask.dump(), "application/json").body, nullptr, false);
  if (!missing.is_object() || !missing.contains("missing") || !missing["missing"].is_array())
    throw Error(ErrorCode::kUnavailable, "preservation node refused", "missing: unreadable answer");
  for (const auto& m : missing["missing"]) {
    auto it = m.is_string() ? blobs.find(m.get<std::string>()) : blobs.end();
    if (it == blobs.end())
      continue;
    call(node, "PUT", "/objects/" + it->first, it->second, "application/octet-stream");
    ++node.objects_sent;
    node.bytes_sent += static_cast<std::int64_t>(it->second.size());
  }
  const auto manifest = crypto_.make_manifest(index, now_ms());
  call(node, "PUT", "/patients/" + manifest.patient + "/generations/" + manifest.generation,
       hareyaka::preserve::to_json(manifest), "application/json");
  node.queue.acknowledge(patient_id, digest);
  ++node.acknowledged;
  node.last_success_ms = now_ms();
}

int Preserver::run_once(std::size_t n) {
  Node& node = *nodes_.at(n);
  int done = 0;
  for (const auto& id : node.queue.pending(100)) {
    preserve_patient(node, id);
    ++done;
  }
  return done;
}

void Preserver::run(Node& node) {
  const std::size_t n = static_cast<std::size_t>(
      std::find_if(nodes_.begin(), nodes_.end(), [&](const auto& p) { return p.get() == &node; }) -
      nodes_.begin());
  auto backoff = settings_.retry_min;
  auto next_resync = std::chrono::steady_clock::now() + settings_.resync_interval;
  auto next_consents = std::chrono::steady_clock::now() + settings_.consent_refresh;
  for (;;) {
    std::chrono::milliseconds wait(settings_.resync_interval);
    if (n == 0 && settings_.consented)
      wait = std::min(wait, settings_.consent_refresh);
    try {
      if (n == 0 && settings_.consented && std::chrono::steady_clock::now() >= next_consents) {
        refresh_consents();
        next_consents = std::chrono::steady_clock::now() + settings_.consent_refresh;
      }
      // One thread resynchronises every queue (the start-up pass is the daemon's).
      if (n == 0 && std::chrono::steady_clock::now() >= next_resync) {
        resync();
        next_resync = std::chrono::steady_clock::now() + settings_.resync_interval;
      }
      run_once(n);
      backoff = settings_.retry_min;
      if (node.queue.pending_count() > 0)
        wait = std::chrono::milliseconds(0);
    } catch (const std::exception& e) {
      ++node.failures;
      const Error* err = dynamic_cast<const Error*>(&e);
      {
        std::lock_guard lock(node.mutex);
        node.last_error = err ? err->internal() : e.what();
      }
      log::warn("preservation failed; will retry",
                {.component = "preserver", .detail = err ? err->internal() : e.what()});
      wait = backoff;
      backoff = std::min(backoff * 2, settings_.retry_max);
    }
    std::unique_lock lock(node.mutex);
    node.wake.wait_for(lock, wait, [&] { return node.stop || node.poke; });
    node.poke = false;
    if (node.stop)
      return;
  }
}

void Preserver::start() {
  for (auto& n : nodes_)
    n->thread = std::thread([this, node = n.get()] { run(*node); });
}

void Preserver::stop() {
  for (auto& n : nodes_) {
    {
      std::lock_guard lock(n->mutex);
      n->stop = true;
      n->wake.notify_all();
    }
    if (n->thread.joinable())
      n->thread.join();
  }
}

json Preserver::status() const {
  json nodes = json::array();
  for (const auto& n : nodes_) {
    std::lock_guard lock(n->mutex);
    nodes.push_back({{"name", n->settings.name},
                     {"pending", n->queue.pending_count()},
                     {"acknowledged", n->acknowledged.load()},
                     {"objects_sent", n->objects_sent.load()},
                     {"bytes_sent", n->bytes_sent.load()},
                     {"purged", n->purged.load()},
                     {"failures", n->failures.load()},
                     {"last_success_ms", n->last_success_ms.load()},
                     {"last_error", n->last_error}});
  }
  json out{{"nodes", nodes}};
  if (settings_.consented) {
    std::lock_guard lock(consent_mutex_);
    out["consented_patients"] = consented_ ? json(consented_->size()) : json();
    out["consent_refreshes"] = consent_refreshes_.load();
    out["consent_error"] = consent_error_;
  }
  return out;
}

}  // namespace hareyaka::gateway::preserve
