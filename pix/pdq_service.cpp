// ITI-47 (PDQ V3) with continuation, and the ITI-46 update notification builder.
#include <algorithm>

#include "common/error.hpp"
#include "common/log.hpp"
#include "pix/hl7_mapping.hpp"
#include "pix/pdq_degree.hpp"
#include "pix/service.hpp"
#include "proto/hl7v3/soap.hpp"

namespace hareyaka::pix {
namespace {

constexpr std::string_view kActionPrefix = "urn:hl7-org:v3:";
constexpr int kMaxMembers = 200;  // identities listed per person in a response

SearchCriteria criteria_from(const hl7v3::PdqQuery& q) {
  SearchCriteria c;
  for (const hl7v3::PersonName& n : q.names) {
    std::string family = n.family, given = n.given;
    if (family.empty() && given.empty())
      family = n.text;
    if (c.family.empty())
      c.family = family;
    if (c.given.empty())
      c.given = given;
  }
  c.birth_date = q.birth_date;
  if (q.sex) {
    c.sex = *q.sex == hl7v3::Sex::kMale ? 'M' : *q.sex == hl7v3::Sex::kFemale ? 'F' : 'U';
  }
  for (const hl7v3::Ii& id : q.ids) {
    if (!id.extension.empty())
      c.ids.push_back({id.root, id.extension});
  }
  if (!q.telecoms.empty()) {
    const std::string& t = q.telecoms.front();
    c.phone = t.rfind("tel:", 0) == 0 ? t.substr(4) : t;
  }
  return c;
}

// A query that would read a large part of the register is refused (national scale).
bool selective(const SearchCriteria& c) {
  std::string family = c.family;
  while (!family.empty() && family.back() == '*')
    family.pop_back();
  return !c.ids.empty() || !family.empty() || c.birth_date.size() == 8 || c.phone.size() >= 6;
}

std::string sender_of(const hl7v3::MessageHeader& h) {
  return h.sender.device_id + "|" + h.sender.organization_id;
}

}  // namespace

std::vector<std::vector<IdentityRecord>> Service::visible_members(
    const std::vector<std::int64_t>& persons, const IdentityFilter& scope) {
  std::vector<std::vector<IdentityRecord>> out(persons.size());
  if (!scope)
    return out;  // default deny
  std::vector<PersonIdentities> keys(persons.size());
  for (std::size_t i = 0; i < persons.size(); ++i) {
    out[i] = store_.members(persons[i], kMaxMembers);
    for (const IdentityRecord& m : out[i])
      keys[i].push_back(m.key);
  }
  // One scope question for the whole batch (the portal answers it in one statement).
  const auto shown = persons.empty() ? std::vector<std::vector<bool>>() : scope(keys);
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::vector<IdentityRecord> kept;
    for (std::size_t j = 0; j < out[i].size(); ++j) {
      if (i < shown.size() && j < shown[i].size() && shown[i][j])
        kept.push_back(std::move(out[i][j]));
    }
    out[i] = std::move(kept);
  }
  return out;
}

hl7v3::PdqResponse Service::page(const std::vector<std::int64_t>& persons, std::size_t from,
                                 std::size_t count, const std::vector<std::string>& scoping,
                                 const SearchCriteria& criteria, const IdentityFilter& scope) {
  hl7v3::PdqResponse r;
  r.custodian = settings_.device.organization_id.empty() ? settings_.device.device_id
                                                         : settings_.device.organization_id;
  const std::size_t end = std::min(persons.size(), from + count);
  const std::vector<std::int64_t> shown(persons.begin() + std::min(from, end),
                                        persons.begin() + end);
  const auto visible = visible_members(shown, scope);
  for (std::size_t i = 0; i < shown.size(); ++i) {
    const auto& members = visible[i];
    if (members.empty())
      continue;  // moved away or out of the caller's scope since the query ran
    std::vector<IdentityKey> ids;
    for (const IdentityRecord& m : members) {
      if (scoping.empty() ||
          std::find(scoping.begin(), scoping.end(), m.key.authority) != scoping.end()) {
        ids.push_back(m.key);
      }
    }
    if (ids.empty())
      continue;
    // Demographics: the member with the most complete name data.
    const IdentityRecord* best = &members.front();
    for (const IdentityRecord& m : members) {
      auto filled = [](const Demographics& d) {
        return !d.family_kanji.empty() + !d.family_kana.empty() + !d.birth_date.empty();
      };
      if (filled(m.demographics) > filled(best->demographics))
        best = &m;
    }
    r.matches.push_back({patient_from(best->demographics, ids), match_degree(criteria, members)});
  }
  r.total = static_cast<int>(persons.size());
  r.remaining = static_cast<int>(persons.size() - end);
  return r;
}

PdqAnswer Service::handle_iti47(const hl7v3::PdqQuery& q, const IdentityFilter& scope) {
  PdqAnswer a;
  a.query_by_parameter = q.query_by_parameter_xml;
  auto finish = [&](hl7v3::PdqResponse resp) {
    resp.header = reply_to(q.header, "PRPA_IN201306UV02");
    resp.ack.target_message = q.header.id;
    resp.query_id = q.query_id;
    if (resp.custodian.empty())
      resp.custodian = settings_.device.organization_id;
    a.response = std::move(resp);
    return a;
  };
  auto error = [&](hl7v3::QueryResponse code, hl7v3::AckDetail detail) {
    hl7v3::PdqResponse resp;
    resp.ack.code = hl7v3::AckCode::kAE;
    resp.response = code;
    resp.ack.details.push_back(std::move(detail));
    return finish(std::move(resp));
  };
  for (std::size_t i = 0; i < q.scoping_organizations.size(); ++i) {
    if (!store_.domain_known(q.scoping_organizations[i])) {
      return error(hl7v3::QueryResponse::kApplicationError,
                   hl7v3::unknown_key("unknown scoping organization (domain)",
                                      q.scoping_organization_locations[i]));
    }
  }
  for (std::size_t i = 0; i < q.ids.size(); ++i) {
    if (!store_.domain_known(q.ids[i].root)) {
      return error(hl7v3::QueryResponse::kApplicationError,
                   hl7v3::unknown_key("unknown assigning authority", q.id_locations[i]));
    }
  }
  const SearchCriteria c = criteria_from(q);
  if (!selective(c)) {
    return error(hl7v3::QueryResponse::kQueryError,
                 {"E", "QE", "",
                  "query needs a family name, a full birth date, an identifier or a phone number",
                  "/PRPA_IN201305UV02/controlActProcess/queryByParameter/parameterList"});
  }
  std::vector<std::int64_t> persons = store_.search(c, settings_.pdq_max_results);
  // Only what the caller may see counts: a person is a match on its visible identities'
  // demographics alone (a hidden identity neither finds nor ranks it). Only persons known in
  // at least one asked domain count, and only those at or above the asked minimum degree of
  // match; the best matches come first.
  const auto visible = visible_members(persons, scope);
  std::vector<std::pair<int, std::int64_t>> ranked;
  for (std::size_t i = 0; i < persons.size(); ++i) {
    const std::int64_t p = persons[i];
    const auto& members = visible[i];
    if (members.empty())
      continue;
    const bool in_scope =
        q.scoping_organizations.empty() ||
        std::any_of(members.begin(), members.end(), [&](const IdentityRecord& m) {
          return std::find(q.scoping_organizations.begin(), q.scoping_organizations.end(),
                           m.key.authority) != q.scoping_organizations.end();
        });
    const int degree = match_degree(c, members);
    if (in_scope && degree > 0 && degree >= q.minimum_degree_match.value_or(0))
      ranked.emplace_back(degree, p);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  persons.clear();
  for (const auto& [degree, p] : ranked)
    persons.push_back(p);
  const std::size_t page_size = q.initial_quantity > 0
                                    ? static_cast<std::size_t>(q.initial_quantity)
                                    : static_cast<std::size_t>(settings_.pdq_default_page);
  hl7v3::PdqResponse resp = page(persons, 0, page_size, q.scoping_organizations, c, scope);
  resp.ack.code = hl7v3::AckCode::kAA;
  resp.response = persons.empty() ? hl7v3::QueryResponse::kNotFound : hl7v3::QueryResponse::kOk;
  if (resp.remaining > 0) {
    PdqState s{sender_of(q.header),
               q.query_id.root,
               q.query_id.extension,
               persons,
               static_cast<int>(std::min(persons.size(), page_size)),
               q.query_by_parameter_xml,
               q.scoping_organizations};
    store_.save_query(s, settings_.pdq_state_ttl);
  }
  return finish(std::move(resp));
}

PdqAnswer Service::handle_pdq_continuation(const hl7v3::PdqContinuation& c,
                                           const IdentityFilter& scope) {
  PdqAnswer a;
  const std::string sender = sender_of(c.header);
  auto state = store_.load_query(sender, c.query_id.root, c.query_id.extension);
  const std::string location = "/QUQI_IN000003UV01/controlActProcess/queryContinuation/queryId";
  if (c.cancel) {
    hl7v3::AckMessage ack;
    ack.header = reply_to(c.header, "MCCI_IN000002UV01");
    ack.ack.target_message = c.header.id;
    if (state) {
      store_.delete_query(sender, c.query_id.root, c.query_id.extension);
      ack.ack.code = hl7v3::AckCode::kAA;
    } else {
      ack.ack.code = hl7v3::AckCode::kAE;
      ack.ack.details.push_back(hl7v3::unknown_key("unknown or expired query", location));
    }
    a.cancel_ack = std::move(ack);
    return a;
  }
  hl7v3::PdqResponse resp;
  if (!state) {
    resp.ack.code = hl7v3::AckCode::kAE;
    resp.response = hl7v3::QueryResponse::kApplicationError;
    resp.ack.details.push_back(hl7v3::unknown_key("unknown or expired query", location));
  } else {
    std::vector<std::int64_t> persons = state->person_ids;
    // The caller's scope is asked again in page(): it may have narrowed since the first page.
    std::vector<std::int64_t> remaining(
        persons.begin() + std::min<std::size_t>(state->position, persons.size()), persons.end());
    const xml::Document stored = xml::parse(state->query_by_parameter);
    const SearchCriteria criteria = criteria_from(hl7v3::parse_query_by_parameter(stored.root()));
    resp =
        page(remaining, 0, static_cast<std::size_t>(c.quantity), state->scoping, criteria, scope);
    resp.total = static_cast<int>(persons.size());
    resp.ack.code = hl7v3::AckCode::kAA;
    resp.response = hl7v3::QueryResponse::kOk;
    a.query_by_parameter = state->query_by_parameter;
    if (resp.remaining > 0) {
      state->person_ids = std::move(remaining);
      state->person_ids.insert(
          state->person_ids.begin(), persons.begin(),
          persons.begin() + std::min<std::size_t>(state->position, persons.size()));
      state->position += c.quantity;
      store_.save_query(*state, settings_.pdq_state_ttl);
    } else {
      store_.delete_query(sender, c.query_id.root, c.query_id.extension);
    }
  }
  resp.header = reply_to(c.header, "PRPA_IN201306UV02");
  resp.ack.target_message = c.header.id;
  resp.query_id = c.query_id;
  if (resp.custodian.empty())
    resp.custodian = settings_.device.organization_id;
  a.response = std::move(resp);
  return a;
}

SoapResult Service::handle_pdq_soap(std::string_view body, std::string_view content_type,
                                    const IdentityFilter& scope) {
  hl7v3::Addressing request;
  auto fault = [&](const hl7v3::SoapFault& f, int status) {
    return SoapResult{status ? status : hl7v3::fault_http_status(f),
                      hl7v3::soap_content_type("http://www.w3.org/2005/08/addressing/soap/fault"),
                      hl7v3::write_fault(f, request, new_uuid())};
  };
  try {
    hl7v3::Envelope env = hl7v3::parse_envelope(body, content_type, settings_.limits);
    request = env.addressing;
    const std::string& action = env.addressing.action;
    if (action.empty()) {
      throw hl7v3::SoapFault(hl7v3::FaultCode::kSender, "wsa:Action is required",
                             "wsa:MessageAddressingHeaderRequired");
    }
    const std::string interaction =
        action.rfind(kActionPrefix, 0) == 0 ? action.substr(kActionPrefix.size()) : "";
    const bool query = interaction == "PRPA_IN201305UV02";
    const bool cont =
        interaction == "QUQI_IN000003UV01_Continue" || interaction == "QUQI_IN000003UV01_Cancel";
    if (!query && !cont) {
      throw hl7v3::SoapFault(hl7v3::FaultCode::kSender, "action not supported on this endpoint",
                             "wsa:ActionNotSupported");
    }
    const std::string root_name = query ? "PRPA_IN201305UV02" : "QUQI_IN000003UV01";
    if (!env.payload.is(hl7v3::kHl7Ns, root_name)) {
      throw hl7v3::SoapFault(hl7v3::FaultCode::kSender,
                             "the SOAP Body does not hold a " + root_name + " message");
    }
    PdqAnswer answer;
    try {
      if (query) {
        answer = handle_iti47(hl7v3::parse_pdq_query(env.payload), scope);
      } else {
        hl7v3::PdqContinuation c = hl7v3::parse_pdq_continuation(env.payload);
        // The action says which; a cancel action with a continue body is still a cancel.
        c.cancel = c.cancel || interaction == "QUQI_IN000003UV01_Cancel";
        answer = handle_pdq_continuation(c, scope);
      }
    } catch (const hl7v3::MessageError& e) {
      const hl7v3::MessageHeader h = hl7v3::parse_header(env.payload);
      answer.response.header = reply_to(h, "PRPA_IN201306UV02");
      answer.response.ack.code = hl7v3::AckCode::kAE;
      answer.response.ack.target_message = h.id;
      answer.response.ack.details.push_back(
          {"E", e.code(), "2.16.840.1.113883.5.1100", e.what(), e.location()});
      answer.response.response = hl7v3::QueryResponse::kQueryError;
      answer.response.custodian = settings_.device.organization_id;
    }
    std::string response_action;
    std::function<void(xml::Writer&)> payload;
    if (answer.cancel_ack) {
      response_action = "urn:hl7-org:v3:MCCI_IN000002UV01";
      payload = [ack = *answer.cancel_ack](xml::Writer& w) { hl7v3::write_ack_message(w, ack); };
    } else {
      response_action = "urn:hl7-org:v3:PRPA_IN201306UV02";
      payload = [&answer](xml::Writer& w) {
        hl7v3::write_pdq_response(w, answer.response, answer.query_by_parameter);
      };
    }
    const hl7v3::Addressing reply =
        hl7v3::reply_addressing(env.addressing, response_action, "urn:uuid:" + new_uuid());
    SoapResult out{200, hl7v3::soap_content_type(response_action),
                   hl7v3::write_envelope(reply, payload)};
    out.transaction = "ITI-47";
    out.disclosed = answer.cancel_ack ? 0 : static_cast<int>(answer.response.matches.size());
    return out;
  } catch (const hl7v3::SoapFault& f) {
    return fault(f, 0);
  } catch (const Error& e) {
    log::error("pdq request failed",
               {.component = "pix", .error = to_string(e.code()), .detail = e.internal()});
    return fault(hl7v3::SoapFault(hl7v3::FaultCode::kReceiver,
                                  "the identity manager could not process the query; retry later"),
                 e.code() == ErrorCode::kUnavailable ? 503 : 500);
  } catch (const std::exception&) {
    log::error("pdq request failed", {.component = "pix", .error = "internal"});
    return fault(hl7v3::SoapFault(hl7v3::FaultCode::kReceiver, "internal error"), 500);
  }
}

std::vector<PersonMatch> Service::search_persons(const SearchCriteria& criteria,
                                                 const PersonFilter& allow, int limit) {
  std::vector<PersonMatch> out;
  if (!allow)
    return out;  // default deny
  limit = std::clamp(limit, 1, settings_.pdq_max_results);
  for (std::int64_t p : store_.search(criteria, settings_.pdq_max_results)) {
    if (static_cast<int>(out.size()) >= limit)
      break;
    if (!allow(p))
      continue;
    auto members = store_.members(p, kMaxMembers);
    if (!members.empty())
      out.push_back({p, std::move(members)});
  }
  return out;
}

std::optional<OutgoingMessage> Service::build_update_notification(
    const Notification& n, const std::vector<std::string>& domains, std::string_view to_url) {
  const auto members = store_.members(n.person_id, kMaxMembers);
  std::vector<IdentityKey> ids;
  for (const IdentityRecord& m : members) {
    if (domains.empty() ||
        std::find(domains.begin(), domains.end(), m.key.authority) != domains.end()) {
      ids.push_back(m.key);
    }
  }
  if (ids.empty())
    return std::nullopt;
  hl7v3::PatientFeed feed;
  feed.kind = hl7v3::FeedKind::kRevise;
  feed.header.id = {new_uuid(), "", ""};
  feed.header.creation_time = hl7_now();
  feed.header.sender = settings_.device;
  feed.header.receiver = {n.consumer, ""};
  feed.patient = patient_from(members.front().demographics, ids);
  feed.custodian = settings_.device.organization_id.empty() ? settings_.device.device_id
                                                            : settings_.device.organization_id;
  OutgoingMessage out;
  out.action = "urn:hl7-org:v3:PRPA_IN201302UV02";
  out.content_type = hl7v3::soap_content_type(out.action);
  hl7v3::Addressing a;
  a.action = out.action;
  a.message_id = "urn:uuid:" + new_uuid();
  a.to = std::string(to_url);
  a.reply_to = std::string(hl7v3::kWsaAnonymous);
  out.body = hl7v3::write_envelope(a, [&](xml::Writer& w) { hl7v3::write_feed(w, feed); });
  return out;
}

}  // namespace hareyaka::pix
