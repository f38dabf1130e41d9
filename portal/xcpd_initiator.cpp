#include "portal/xcpd_initiator.hpp"

#include <future>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/log.hpp"
#include "hpd/time.hpp"
#include "pix/japanese_name.hpp"
#include "portal/viewer/viewer_access.hpp"
#include "portal/web_session.hpp"
#include "proto/hl7v3/pdq_query.hpp"
#include "proto/hl7v3/soap.hpp"
#include "proto/xml/writer.hpp"

namespace hareyaka::portal {
namespace {

constexpr std::string_view kAction =
    "urn:hl7-org:v3:PRPA_IN201305UV02:CrossGatewayPatientDiscovery";

// The identity whose demographics describe the person best (kana name and birth date first).
const PersonIdentity& best_identity(const PersonView& p) {
  const PersonIdentity* best = &p.identities.front();
  auto filled = [](const PersonIdentity& i) {
    return 2 * !i.family_kana.empty() + !i.given_kana.empty() + 2 * !i.birth_date.empty() +
           !i.family_kanji.empty() + (i.sex == "M" || i.sex == "F");
  };
  for (const auto& i : p.identities) {
    if (filled(i) > filled(*best))
      best = &i;
  }
  return *best;
}

std::string demographics_key(const PersonIdentity& i) {
  return i.family_kana + "|" + i.given_kana + "|" + i.family_kanji + "|" + i.birth_date + "|" +
         i.sex;
}

// The peer's patient is ours only if it was born on the same day and one of its family names
// is ours (kana compared under the kana key, kanji normalised).
bool agrees(const hl7v3::Patient& theirs, const PersonIdentity& ours) {
  if (theirs.birth_date.substr(0, 8) != ours.birth_date)
    return false;
  for (const auto& n : theirs.names) {
    const std::string family = n.family.empty() ? n.text : n.family;
    if (family.empty())
      continue;
    if (!ours.family_kana.empty() && pix::is_kana_text(family) &&
        pix::kana_key(family) == pix::kana_key(ours.family_kana))
      return true;
    if (!ours.family_kanji.empty() &&
        pix::normalize_kanji(family) == pix::normalize_kanji(ours.family_kanji))
      return true;
  }
  return false;
}

}  // namespace

struct XcpdInitiator::Peer {
  PeerCommunity config;
  std::unique_ptr<http::BlockingHttpClient> client;
};

XcpdInitiator::XcpdInitiator(const XcpdConfig& config, const tls::ClientSettings& client_tls,
                             const NodeScope& scope, pix::Service& ids)
    : config_(config), scope_(scope), ids_(ids) {
  if (config.home_community_id.empty())
    return;
  for (const PeerCommunity& p : config.peers) {
    if (p.url.empty())
      continue;
    http::ClientSettings s{.tls = client_tls};
    if (!p.ca_file.empty())
      s.tls.ca_file = p.ca_file;
    s.body_limit = 4 * 1024 * 1024;
    peers_.push_back(
        std::make_unique<Peer>(Peer{p, std::make_unique<http::BlockingHttpClient>(s)}));
  }
}

XcpdInitiator::~XcpdInitiator() = default;

PeerDiscovery XcpdInitiator::ask(const Peer& peer, const PersonView& consented) {
  PeerDiscovery out{.name = peer.config.name,
                    .home_community_id = peer.config.home_community_id,
                    .status = "unavailable"};
  const PersonIdentity& me = best_identity(consented);
  hl7v3::PdqQuery q;
  q.header.id = {ids_.new_uuid(), "", ""};
  q.header.creation_time = ids_.hl7_now();
  q.header.processing_code = "P";
  q.header.sender = {config_.home_community_id + ".0.55", config_.home_community_id};
  q.header.receiver = {peer.config.home_community_id, ""};
  q.query_id = {config_.home_community_id + ".0.55.1", ids_.new_uuid(), ""};
  if (!me.family_kana.empty()) {
    q.names.push_back({hl7v3::NameUse::kSyllabic, me.family_kana, me.given_kana, ""});
  } else {
    q.names.push_back({hl7v3::NameUse::kIdeographic, me.family_kanji, me.given_kanji, ""});
  }
  if (me.sex == "M")
    q.sex = hl7v3::Sex::kMale;
  else if (me.sex == "F")
    q.sex = hl7v3::Sex::kFemale;
  q.birth_date = me.birth_date;
  q.ids.push_back({config_.patient_id_authority, std::to_string(consented.person_id), ""});
  hl7v3::Addressing a;
  a.action = std::string(kAction);
  a.message_id = "urn:uuid:" + ids_.new_uuid();
  a.to = peer.config.url;
  a.reply_to = std::string(hl7v3::kWsaAnonymous);
  const std::string body = hl7v3::write_envelope(
      a, [&](xml::Writer& w) { hl7v3::write_xcpd_query(w, q, config_.patient_id_authority); });
  try {
    http::ClientRequest req{
        .method = "POST", .url = peer.config.url, .body = body, .timeout = config_.deadline};
    req.headers["Content-Type"] = hl7v3::soap_content_type(kAction);
    const auto res = peer.client->request(std::move(req));
    if (res.status != 200) {
      log::warn("XCPD peer answered an error", {.component = "xcpd", .peer = peer.config.name});
      return out;
    }
    const auto content_type = res.headers.find("Content-Type");
    const auto env = hl7v3::parse_envelope(
        res.body, content_type == res.headers.end() ? "application/soap+xml" : content_type->second,
        {});
    const auto r = hl7v3::parse_pdq_response(env.payload);
    if (r.ack.code != hl7v3::AckCode::kAA) {
      log::warn("XCPD peer refused the query", {.component = "xcpd", .peer = peer.config.name});
      return out;
    }
    if (!r.requested_attributes.empty() || r.patients.size() > 1) {
      out.status = "ambiguous";
      out.requested_attributes = r.requested_attributes;
    } else if (r.patients.empty() || r.patients.front().ids.empty()) {
      out.status = "not_found";
    } else if (!agrees(r.patients.front(), me)) {
      out.status = "mismatch";
      log::warn("XCPD peer answered a patient whose demographics disagree",
                {.component = "xcpd", .peer = peer.config.name});
    } else {
      out.status = "found";
      out.patient_id =
          r.patients.front().ids.front().root + "^" + r.patients.front().ids.front().extension;
    }
  } catch (const std::exception&) {
    log::warn("XCPD peer unavailable", {.component = "xcpd", .peer = peer.config.name});
  }
  return out;
}

std::vector<PeerDiscovery> XcpdInitiator::discover(
    const PersonView& shown, const std::function<void(const PeerCommunity&)>& before_asking) {
  std::vector<PeerDiscovery> out(peers_.size());
  std::vector<std::future<PeerDiscovery>> pending(peers_.size());
  std::vector<std::string> keys(peers_.size());
  std::vector<PersonView> consented(peers_.size());
  const auto now = std::chrono::steady_clock::now();
  for (std::size_t n = 0; n < peers_.size(); ++n) {
    const Peer& peer = *peers_[n];
    out[n] = {.name = peer.config.name,
              .home_community_id = peer.config.home_community_id,
              .status = "not_consented"};
    // Only identities whose consent names this peer describe the person to it.
    pix::PersonIdentities keys_of_person;
    for (const auto& i : shown.identities)
      keys_of_person.push_back({i.authority, i.local_id});
    const auto allowed = scope_.community_filter(peer.config.home_community_id)({keys_of_person});
    consented[n].person_id = shown.person_id;
    for (std::size_t j = 0; j < shown.identities.size(); ++j) {
      if (!allowed.empty() && j < allowed[0].size() && allowed[0][j])
        consented[n].identities.push_back(shown.identities[j]);
    }
    if (consented[n].identities.empty())
      continue;
    keys[n] = demographics_key(best_identity(consented[n]));
    {
      std::lock_guard lock(mu_);
      auto it = cache_.find({shown.person_id, peer.config.home_community_id});
      if (it != cache_.end() && it->second.until > now && it->second.demographics_key == keys[n]) {
        out[n] = it->second.answer;
        out[n].cached = true;
        continue;
      }
    }
    before_asking(peer.config);  // the audit record; when it fails nothing is sent
    pending[n] = std::async(std::launch::async,
                            [this, &peer, view = consented[n]] { return ask(peer, view); });
  }
  for (std::size_t n = 0; n < peers_.size(); ++n) {
    if (!pending[n].valid())
      continue;
    out[n] = pending[n].get();
    // A correlation found is remembered; any other answer is asked again next time (the
    // patient may be registered or consent at the peer in the meantime).
    if (out[n].status == "found") {
      std::lock_guard lock(mu_);
      cache_[{shown.person_id, out[n].home_community_id}] = {keys[n], out[n],
                                                             now + config_.cache_ttl};
    }
  }
  return out;
}

void add_xcpd_discovery_route(http::Router& web, ViewerServices& sv, XcpdInitiator& initiator) {
  web.add_blocking("GET", "/api/v1/persons/{person_id}/communities",
                   [&sv, &initiator](http::Request& req) {
                     using nlohmann::json;
                     Caller c = require_caller(sv.web, req);
                     const auto now = hpd::Clock::now();
                     auto person =
                         sv.persons.visible_person(c.user.facility_oid, person_id_of(req), now);
                     if (!person)
                       throw Error(ErrorCode::kNotFound, "no such person at this facility");
                     const auto answers = sv.decider.decide_many(
                         user_context(c), demographics_queries(*person), now);
                     const PersonView shown = shown_part(*person, answers.data());
                     if (shown.identities.empty())
                       throw Error(ErrorCode::kNotFound, "no such person at this facility");
                     const auto results = initiator.discover(shown, [&](const PeerCommunity& peer) {
                       audit::AuditEvent e{
                           .type = audit::EventType::kSearch,
                           .actor_user = c.user.login_id,
                           .actor_profession = std::string(hpd::to_string(c.user.profession)),
                           .actor_facility = c.user.facility_oid,
                           .person_id = std::to_string(shown.person_id),
                           .category = "demographics",
                           .reason = "cross_community_discovery",
                           .detail = "ITI-55 to " + peer.name + " (" + peer.home_community_id + ")",
                           .request_id = req.request_id};
                       sv.web.audit.append(e, hpd::Clock::now());
                     });
                     json items = json::array();
                     for (const auto& r : results) {
                       json j{{"name", r.name},
                              {"home_community_id", r.home_community_id},
                              {"status", r.status},
                              {"cached", r.cached}};
                       if (!r.patient_id.empty())
                         j["patient_id"] = r.patient_id;
                       if (!r.requested_attributes.empty())
                         j["requested_attributes"] = r.requested_attributes;
                       items.push_back(std::move(j));
                     }
                     return http::Response::json(200, json{{"communities", items}}.dump());
                   },
                   {.body_limit = 0, .summary = "which peer networks know a person (IHE XCPD)"});
}

}  // namespace hareyaka::portal
