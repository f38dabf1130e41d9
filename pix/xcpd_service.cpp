// ITI-55 Cross Gateway Patient Discovery (IHE XCPD), responding gateway: PDQ V3's message
// pair with the cross-community rules. One patient or none is answered, under a community
// patient id (the PIX person) with this community as custodian; only what the peer
// community's consents let it see takes part in the match.
#include <algorithm>
#include <charconv>

#include "common/error.hpp"
#include "common/log.hpp"
#include "pix/hl7_mapping.hpp"
#include "pix/pdq_degree.hpp"
#include "pix/service.hpp"
#include "proto/hl7v3/soap.hpp"

namespace hareyaka::pix {
namespace {

constexpr std::string_view kRequestAction =
    "urn:hl7-org:v3:PRPA_IN201305UV02:CrossGatewayPatientDiscovery";
constexpr std::string_view kResponseAction =
    "urn:hl7-org:v3:PRPA_IN201306UV02:CrossGatewayPatientDiscovery";
constexpr std::string_view kParameterList =
    "/PRPA_IN201305UV02/controlActProcess/queryByParameter/parameterList";
constexpr int kMaxCandidates = 50;

std::optional<std::int64_t> person_id_of(std::string_view extension) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(extension.data(), extension.data() + extension.size(), v);
  if (ec != std::errc() || p != extension.data() + extension.size() || v <= 0)
    return std::nullopt;
  return v;
}

// The attributes that would tell several candidates apart, in the order XCPD lists them,
// leaving out what the query already gave.
std::vector<std::string> attributes_to_ask(const hl7v3::PdqQuery& q) {
  std::vector<std::string> out;
  if (!q.sex)
    out.emplace_back("LivingSubjectAdministrativeGenderRequested");
  if (q.telecoms.empty())
    out.emplace_back("PatientTelecomRequested");
  if (out.empty())
    out.emplace_back("LivingSubjectBirthPlaceNameRequested");
  return out;
}

}  // namespace

PdqAnswer Service::handle_iti55(const hl7v3::PdqQuery& q, const IdentityFilter& scope,
                                const XcpdSettings& xcpd, std::string_view caller_community) {
  PdqAnswer a;
  a.query_by_parameter = q.query_by_parameter_xml;
  hl7v3::PdqResponse resp;
  resp.custodian = xcpd.home_community_id;
  resp.health_data_locator = "NotHealthDataLocator";
  auto finish = [&]() {
    resp.header = reply_to(q.header, "PRPA_IN201306UV02");
    resp.header.sender.organization_id = xcpd.home_community_id;
    resp.ack.target_message = q.header.id;
    resp.query_id = q.query_id;
    a.response = std::move(resp);
    return a;
  };
  auto refuse = [&](hl7v3::QueryResponse code, std::string text, std::string location) {
    resp.ack.code = hl7v3::AckCode::kAE;
    resp.response = code;
    resp.ack.details.push_back({"E", code == hl7v3::QueryResponse::kQueryError ? "QE" : "AE", "",
                                std::move(text), std::move(location)});
    return finish();
  };
  if (q.header.sender.organization_id != caller_community) {
    return refuse(hl7v3::QueryResponse::kApplicationError,
                  "the sender's homeCommunityId is not the community of the certificate",
                  "/PRPA_IN201305UV02/sender/device/asAgent/representedOrganization/id");
  }
  SearchCriteria c;
  for (const hl7v3::PersonName& n : q.names) {
    if (c.family.empty())
      c.family = n.family.empty() && n.given.empty() ? n.text : n.family;
    if (c.given.empty())
      c.given = n.given;
  }
  c.birth_date = q.birth_date;
  if (q.sex)
    c.sex = *q.sex == hl7v3::Sex::kMale ? 'M' : *q.sex == hl7v3::Sex::kFemale ? 'F' : 'U';
  if (!q.telecoms.empty()) {
    const std::string& t = q.telecoms.front();
    c.phone = t.rfind("tel:", 0) == 0 ? t.substr(4) : t;
  }
  // A community patient id names one person; a facility's id is looked up as PIX does; the
  // peer's own ids (domains unknown here) are not ours to match on.
  std::optional<std::int64_t> named_person;
  for (const hl7v3::Ii& id : q.ids) {
    if (id.root == xcpd.patient_id_authority) {
      named_person = person_id_of(id.extension);
      if (!named_person) {  // not an id this community ever issued
        resp.ack.code = hl7v3::AckCode::kAA;
        resp.response = hl7v3::QueryResponse::kNotFound;
        return finish();
      }
    } else if (!id.extension.empty() && store_.domain_known(id.root)) {
      c.ids.push_back({id.root, id.extension});
    }
  }
  const bool wildcard =
      c.family.find('*') != std::string::npos || c.given.find('*') != std::string::npos;
  if (!named_person && (c.family.empty() || c.birth_date.size() != 8 || wildcard)) {
    return refuse(hl7v3::QueryResponse::kQueryError,
                  "a cross-community query needs a full name (no wildcard) and a full birth date",
                  std::string(kParameterList));
  }
  std::vector<std::int64_t> persons;
  if (named_person) {
    persons.push_back(*named_person);
  } else {
    persons = store_.search(c, kMaxCandidates);
  }
  const auto visible = visible_members(persons, scope);
  std::vector<std::pair<int, std::size_t>> ranked;  // degree, index into persons
  const int minimum = std::max(xcpd.minimum_degree, q.minimum_degree_match.value_or(0));
  for (std::size_t i = 0; i < persons.size(); ++i) {
    if (visible[i].empty())
      continue;
    const int degree = named_person && q.names.empty() ? 100 : match_degree(c, visible[i]);
    if (degree >= minimum)
      ranked.emplace_back(degree, i);
  }
  resp.ack.code = hl7v3::AckCode::kAA;
  if (ranked.size() > 1) {
    // Never guess across the border: ask for what would tell the candidates apart.
    resp.response = hl7v3::QueryResponse::kNotFound;
    resp.requested_attributes = attributes_to_ask(q);
    return finish();
  }
  if (ranked.empty()) {
    resp.response = hl7v3::QueryResponse::kNotFound;
    return finish();
  }
  const auto& [degree, index] = ranked.front();
  const auto& members = visible[index];
  const IdentityRecord* best = &members.front();
  for (const IdentityRecord& m : members) {
    auto filled = [](const Demographics& d) {
      return !d.family_kanji.empty() + !d.family_kana.empty() + !d.birth_date.empty();
    };
    if (filled(m.demographics) > filled(best->demographics))
      best = &m;
  }
  const IdentityKey community_id{xcpd.patient_id_authority, std::to_string(persons[index])};
  resp.matches.push_back({patient_from(best->demographics, {community_id}), degree});
  resp.response = hl7v3::QueryResponse::kOk;
  resp.total = 1;
  return finish();
}

SoapResult Service::handle_xcpd_soap(std::string_view body, std::string_view content_type,
                                     const IdentityFilter& scope, const XcpdSettings& xcpd,
                                     std::string_view caller_community) {
  hl7v3::Addressing request;
  auto fault = [&](const hl7v3::SoapFault& f, int status) {
    return SoapResult{status ? status : hl7v3::fault_http_status(f),
                      hl7v3::soap_content_type("http://www.w3.org/2005/08/addressing/soap/fault"),
                      hl7v3::write_fault(f, request, new_uuid())};
  };
  try {
    hl7v3::Envelope env = hl7v3::parse_envelope(body, content_type, settings_.limits);
    request = env.addressing;
    if (env.addressing.action.empty()) {
      throw hl7v3::SoapFault(hl7v3::FaultCode::kSender, "wsa:Action is required",
                             "wsa:MessageAddressingHeaderRequired");
    }
    if (env.addressing.action != kRequestAction) {
      throw hl7v3::SoapFault(hl7v3::FaultCode::kSender, "action not supported on this endpoint",
                             "wsa:ActionNotSupported");
    }
    if (!env.payload.is(hl7v3::kHl7Ns, "PRPA_IN201305UV02")) {
      throw hl7v3::SoapFault(hl7v3::FaultCode::kSender,
                             "the SOAP Body does not hold a PRPA_IN201305UV02 message");
    }
    PdqAnswer answer;
    try {
      answer = handle_iti55(hl7v3::parse_pdq_query(env.payload), scope, xcpd, caller_community);
    } catch (const hl7v3::MessageError& e) {
      const hl7v3::MessageHeader h = hl7v3::parse_header(env.payload);
      answer.response.header = reply_to(h, "PRPA_IN201306UV02");
      answer.response.header.sender.organization_id = xcpd.home_community_id;
      answer.response.ack.code = hl7v3::AckCode::kAE;
      answer.response.ack.target_message = h.id;
      answer.response.ack.details.push_back(
          {"E", e.code(), "2.16.840.1.113883.5.1100", e.what(), e.location()});
      answer.response.response = hl7v3::QueryResponse::kQueryError;
      answer.response.custodian = xcpd.home_community_id;
    }
    const hl7v3::Addressing reply = hl7v3::reply_addressing(
        env.addressing, std::string(kResponseAction), "urn:uuid:" + new_uuid());
    SoapResult out{200, hl7v3::soap_content_type(kResponseAction),
                   hl7v3::write_envelope(reply, [&answer](xml::Writer& w) {
                     hl7v3::write_pdq_response(w, answer.response, answer.query_by_parameter);
                   })};
    out.transaction = "ITI-55";
    out.disclosed = static_cast<int>(answer.response.matches.size());
    if (!answer.response.matches.empty() && !answer.response.matches.front().patient.ids.empty())
      out.queried = IdentityKey{answer.response.matches.front().patient.ids.front().root,
                                answer.response.matches.front().patient.ids.front().extension};
    return out;
  } catch (const hl7v3::SoapFault& f) {
    return fault(f, 0);
  } catch (const Error& e) {
    log::error("xcpd request failed",
               {.component = "pix", .error = to_string(e.code()), .detail = e.internal()});
    return fault(
        hl7v3::SoapFault(hl7v3::FaultCode::kReceiver,
                         "the responding gateway could not process the query; retry later"),
        e.code() == ErrorCode::kUnavailable ? 503 : 500);
  } catch (const std::exception&) {
    log::error("xcpd request failed", {.component = "pix", .error = "internal"});
    return fault(hl7v3::SoapFault(hl7v3::FaultCode::kReceiver, "internal error"), 500);
  }
}

}  // namespace hareyaka::pix
