#include "gateway/publish/publisher.hpp"

#include "common/digest.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/uuid.hpp"
#include "gateway/record/record_query.hpp"
#include "proto/hl7v3/ack.hpp"
#include "proto/hl7v3/feed.hpp"
#include "proto/hl7v3/soap.hpp"
#include "proto/xml/document.hpp"
#include "proto/xml/writer.hpp"

namespace hareyaka::gateway::publish {
namespace {

using nlohmann::json;

std::string hl7_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
  return buf;
}

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// The ITI-44 subject from the SS-MIX2 demographics (ADT-00) as the data API shows them.
hl7v3::Patient to_v3(const json& p, const std::string& authority, const std::string& id) {
  hl7v3::Patient out;
  out.ids = {{authority, id, ""}};
  if (p.contains("name_kanji")) {
    out.names.push_back({hl7v3::NameUse::kIdeographic, str(p["name_kanji"], "family"),
                         str(p["name_kanji"], "given"), ""});
  }
  if (p.contains("name_kana")) {
    out.names.push_back({hl7v3::NameUse::kSyllabic, str(p["name_kana"], "family"),
                         str(p["name_kana"], "given"), ""});
  }
  const std::string sex = str(p, "sex");
  out.sex = sex == "M"   ? hl7v3::Sex::kMale
            : sex == "F" ? hl7v3::Sex::kFemale
                         : hl7v3::Sex::kUnknown;
  std::string birth = str(p, "birth_date");
  std::erase(birth, '-');
  out.birth_date = birth;
  for (const auto& a : p.value("addresses", json::array())) {
    out.addresses.push_back({str(a, "text"), "", "", str(a, "postal_code"), "JP"});
  }
  for (const auto& ph : p.value("phones", json::array())) {
    if (!str(ph, "number").empty())
      out.telecoms.push_back("tel:" + str(ph, "number"));
  }
  return out;
}

}  // namespace

Publisher::Publisher(const storage::StorageIndex& index, Outbox& outbox, PublisherSettings settings)
    : index_(index),
      outbox_(outbox),
      settings_(std::move(settings)),
      client_(settings_.client_thread
                  ? http::BlockingHttpClient(http::ClientSettings{.tls = settings_.tls},
                                             *settings_.client_thread)
                  : http::BlockingHttpClient(http::ClientSettings{.tls = settings_.tls})),
      locators_(index_, outbox_, client_, settings_.portal_url, settings_.studies,
                settings_.extra) {}

Publisher::~Publisher() {
  stop();
}

void Publisher::patient_changed(const std::string& patient_id) {
  outbox_.add(patient_id);
  std::lock_guard lock(mutex_);
  poke_ = true;
  wake_.notify_all();
}

std::size_t Publisher::resync() {
  std::size_t queued = 0;
  index_.for_each_patient([&](const std::string& id) {
    auto demo = record::demographics(index_, id);
    if (!demo)
      return;
    const std::string digest = sha256_hex((*demo)["patient"].dump());
    if (outbox_.acknowledged_digest(id) != digest) {
      outbox_.add(id);
      ++queued;
    }
  });
  queued += locators_.resync_local();
  log::info("publisher resynchronised",
            {.component = "publisher", .count = static_cast<std::int64_t>(queued)});
  try {
    queued += locators_.resync_remote();
    remote_resync_due_ = false;
    ++locator_resyncs_;
  } catch (const Error& e) {
    remote_resync_due_ = true;  // the sender thread retries with backoff
    log::warn("locator resynchronisation postponed: portal unreachable",
              {.component = "publisher", .detail = e.internal()});
  }
  {
    std::lock_guard lock(mutex_);
    poke_ = true;
    wake_.notify_all();
  }
  return queued;
}

std::optional<std::string> Publisher::feed_for(const std::string& id, std::string& digest,
                                               bool revise) {
  auto demo = record::demographics(index_, id);
  if (!demo)
    return std::nullopt;
  const json& p = (*demo)["patient"];
  digest = sha256_hex(p.dump());
  hl7v3::PatientFeed f;
  f.kind = revise ? hl7v3::FeedKind::kRevise : hl7v3::FeedKind::kAdd;
  f.header.id = {random_uuid(), "", ""};
  f.header.creation_time = hl7_now();
  f.header.sender = {settings_.facility_oid + ".0", settings_.facility_oid};
  f.header.receiver = {"", ""};
  f.patient = to_v3(p, settings_.patient_authority, id);
  f.patient.provider_organization = settings_.facility_oid;
  f.custodian = settings_.facility_oid;
  xml::Writer w;
  hl7v3::write_feed(w, f);
  std::string payload = w.finish();
  if (payload.rfind("<?xml", 0) == 0)
    payload.erase(0, payload.find("?>") + 2);
  hl7v3::Addressing a{.action = "urn:hl7-org:v3:" + std::string(hl7v3::interaction_of(f.kind)),
                      .message_id = "urn:uuid:" + random_uuid(),
                      .to = settings_.portal_url + "/pix/v3",
                      .reply_to = std::string(hl7v3::kWsaAnonymous)};
  return hl7v3::write_envelope(a, [&](xml::Writer& body) { body.raw(payload); });
}

int Publisher::run_once() {
  int done = 0;
  for (const auto& id : outbox_.pending(200)) {
    std::string digest;
    const auto acknowledged = outbox_.acknowledged_digest(id);
    auto envelope = feed_for(id, digest, acknowledged.has_value());
    if (!envelope) {  // no demographics (yet, or gone): nothing the portal can match on
      locators_.send(id, false);
      outbox_.acknowledge(id, "");
      continue;
    }
    if (acknowledged == digest) {  // already what the portal has
      locators_.send(id, true);
      outbox_.acknowledge(id, digest);
      continue;
    }
    const std::string action =
        std::string("urn:hl7-org:v3:") + (acknowledged ? "PRPA_IN201302UV02" : "PRPA_IN201301UV02");
    auto res = client_.request({.method = "POST",
                                .url = settings_.portal_url + "/pix/v3",
                                .headers = {{"Content-Type", hl7v3::soap_content_type(action)}},
                                .body = *envelope,
                                .timeout = std::chrono::seconds(15)});
    bool accepted = false;
    std::string why = "portal answered HTTP " + std::to_string(res.status);
    if (res.status == 200) {
      try {
        auto env = hl7v3::parse_envelope(res.body, res.headers["Content-Type"]);
        auto ack = hl7v3::parse_acknowledgement(env.payload);
        accepted = hl7v3::is_accept(ack.code);
        why = "portal answered " + std::string(hl7v3::to_string(ack.code));
      } catch (const std::exception&) {
        why = "portal answer unreadable";
      }
    }
    if (!accepted)
      throw Error(ErrorCode::kUnavailable, "feed refused", why);
    outbox_.record_feed(id, digest);
    locators_.send(id, true);  // after the feed: the portal knows the patient now
    outbox_.done(id);
    ++acknowledged_;
    ++done;
  }
  return done;
}

std::chrono::milliseconds Publisher::step() {
  std::chrono::milliseconds wait = std::chrono::milliseconds(500);
  try {
    if (std::chrono::steady_clock::now() >= next_resync_) {
      resync();
      next_resync_ = std::chrono::steady_clock::now() + settings_.resync_interval;
    }
    if (remote_resync_due_) {
      locators_.resync_remote();  // throws while the portal is down: backoff below
      remote_resync_due_ = false;
      ++locator_resyncs_;
    }
    run_once();
    backoff_ = settings_.retry_min;
    if (outbox_.pending_count() > 0)
      wait = std::chrono::milliseconds(0);
  } catch (const Error& e) {
    ++failures_;
    {
      std::lock_guard lock(mutex_);
      last_error_ = e.internal();
    }
    log::warn("publishing to the portal failed; will retry",
              {.component = "publisher", .detail = e.internal()});
    wait = backoff_;
    backoff_ = std::min(backoff_ * 2, settings_.retry_max);
  } catch (const std::exception&) {
    ++failures_;
    wait = backoff_;
    backoff_ = std::min(backoff_ * 2, settings_.retry_max);
  }
  return wait;
}

void Publisher::start() {
  thread_ = std::thread([this] {
    for (;;) {
      const auto wait = step();
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, wait, [this] { return stop_ || poke_; });
      poke_ = false;
      if (stop_)
        return;
    }
  });
}

void Publisher::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable())
    thread_.join();
}

json Publisher::status() const {
  std::lock_guard lock(const_cast<std::mutex&>(mutex_));
  return {{"pending", outbox_.pending_count()},
          {"acknowledged", acknowledged_.load()},
          {"failures", failures_.load()},
          {"locator_resync_due", remote_resync_due_.load()},
          {"locator_resyncs", locator_resyncs_.load()},
          {"last_error", last_error_}};
}

}  // namespace hareyaka::gateway::publish
