// SOAP dispatch, ITI-44 and ITI-45.
#include "pix/service.hpp"

#include <ctime>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/uuid.hpp"
#include "pix/hl7_mapping.hpp"
#include "proto/hl7v3/soap.hpp"
#include "proto/xml/writer.hpp"

namespace hareyaka::pix {
namespace {

constexpr std::string_view kActionPrefix = "urn:hl7-org:v3:";

std::string action_for(std::string_view interaction) {
  return std::string(kActionPrefix) + std::string(interaction);
}

SoapResult fault(const hl7v3::SoapFault& f, const hl7v3::Addressing& request, Service& s,
                 int status = 0) {
  return {status ? status : hl7v3::fault_http_status(f),
          hl7v3::soap_content_type("http://www.w3.org/2005/08/addressing/soap/fault"),
          hl7v3::write_fault(f, request, s.new_uuid())};
}

// A store failure (database down, a bug) is the receiver's fault; its internal message goes
// to the log, never to the peer.
SoapResult store_fault(const Error& e, const hl7v3::Addressing& request, Service& s) {
  log::error("pix request failed",
             {.component = "pix", .error = to_string(e.code()), .detail = e.internal()});
  const int status = e.code() == ErrorCode::kUnavailable ? 503 : 500;
  return fault(hl7v3::SoapFault(hl7v3::FaultCode::kReceiver,
                                "the identity manager could not "
                                "process the message; retry later"),
               request, s, status);
}

hl7v3::Acknowledgement error_ack(const hl7v3::Ii& target, const hl7v3::MessageError& e) {
  hl7v3::Acknowledgement ack;
  ack.code = hl7v3::AckCode::kAE;
  ack.target_message = target;
  ack.details.push_back({"E", e.code(), "2.16.840.1.113883.5.1100", e.what(), e.location()});
  return ack;
}

}  // namespace

Service::Service(IdentityStore& store, ServiceSettings settings)
    : store_(store), settings_(std::move(settings)) {}

std::string Service::new_uuid() {
  return random_uuid();
}

std::string Service::hl7_now() const {
  const std::time_t t = std::chrono::system_clock::to_time_t(settings_.clock());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S+0000", &tm);
  return buf;
}

hl7v3::MessageHeader Service::reply_to(const hl7v3::MessageHeader& request,
                                       std::string_view interaction) {
  return hl7v3::reply_header(request, interaction, {new_uuid(), "", ""}, hl7_now(),
                             settings_.device);
}

hl7v3::AckMessage Service::handle_iti44(const hl7v3::PatientFeed& feed, const FeedSender* sender) {
  hl7v3::AckMessage out;
  out.header = reply_to(feed.header, "MCCI_IN000002UV01");
  out.ack.target_message = feed.header.id;
  std::vector<IdentityKey> keys;
  if (sender) {
    ScreenedFeed screened = screen_feed(
        feed, *sender, [this](const std::string& domain) { return store_.domain_known(domain); });
    if (screened.refusal) {
      log::warn(
          "ITI-44 feed refused",
          {.component = "pix", .error = screened.refusal->code, .detail = screened.refusal->text});
      out.ack.code = hl7v3::AckCode::kAR;
      out.ack.details.push_back(std::move(*screened.refusal));
      return out;
    }
    keys = identity_keys(screened.ids);
    out.ack.details = std::move(screened.warnings);
  } else {
    keys = identity_keys(feed.patient.ids);
  }
  if (keys.empty()) {
    out.ack = error_ack(feed.header.id,
                        hl7v3::MessageError(std::string(hl7v3::kRequiredMissing),
                                            "patient has no identifier with root and extension",
                                            feed.patient_location + "/id"));
    return out;
  }
  const Demographics d = demographics_from(feed.patient);
  store_.register_identity(keys, d);
  if (feed.kind == hl7v3::FeedKind::kMerge) {
    const Actor actor{"ITI-44:" + feed.header.sender.device_id, "PRPA_IN201304UV02"};
    for (const IdentityKey& prior : identity_keys(feed.prior_ids)) {
      if (prior == keys.front())
        continue;
      store_.merge(keys.front(), prior, actor);
    }
  }
  out.ack.code = hl7v3::AckCode::kAA;
  return out;
}

hl7v3::PixQueryResponse Service::handle_iti45(const hl7v3::PixQuery& q,
                                              const IdentityFilter* scope) {
  hl7v3::PixQueryResponse r;
  r.header = reply_to(q.header, "PRPA_IN201310UV02");
  r.ack.target_message = q.header.id;
  r.custodian = settings_.device.organization_id.empty() ? settings_.device.device_id
                                                         : settings_.device.organization_id;
  auto error = [&](std::string text, std::string location) {
    r.ack.code = hl7v3::AckCode::kAE;
    r.response = hl7v3::QueryResponse::kApplicationError;
    r.ack.details.push_back(hl7v3::unknown_key(std::move(text), std::move(location)));
    return r;
  };
  // One round trip on the common path; the domain is looked at only to say which error.
  auto refs = store_.cross_references({q.patient_id.root, q.patient_id.extension}, 1000);
  if (refs && scope) {
    // Within the caller's scope: an identity it may not see is unknown to it (the same
    // answer as one that does not exist), and so are the cross-references it may not see.
    const auto answer = *scope ? (*scope)({*refs}) : std::vector<std::vector<bool>>();
    const std::vector<bool> shown = answer.empty() ? std::vector<bool>() : answer.front();
    std::vector<IdentityKey> kept;
    bool asked_visible = false;
    for (std::size_t i = 0; i < refs->size(); ++i) {
      if (i >= shown.size() || !shown[i])
        continue;
      const IdentityKey& k = (*refs)[i];
      if (k.authority == q.patient_id.root && k.local_id == q.patient_id.extension)
        asked_visible = true;
      kept.push_back(k);
    }
    if (asked_visible)
      *refs = std::move(kept);
    else
      refs.reset();
  }
  if (!refs) {
    // IHE ITI-45 case 4 (unknown domain) or case 3 (unknown id in a known domain).
    return error(store_.domain_known(q.patient_id.root) ? "unknown patient identifier"
                                                        : "unknown assigning authority",
                 q.patient_id_location);
  }
  // Case 5: a dataSource domain we do not know.
  for (std::size_t i = 0; i < q.data_sources.size(); ++i) {
    if (!store_.domain_known(q.data_sources[i])) {
      return error("unknown data source domain", q.data_source_locations[i]);
    }
  }
  r.ack.code = hl7v3::AckCode::kAA;
  for (const IdentityKey& k : *refs) {
    // ITI TF-2b 3.45.4.2.3: the queried-for identifier is never part of the answer; a
    // consumer would read it as a cross-reference that does not exist.
    if (k.authority == q.patient_id.root && k.local_id == q.patient_id.extension)
      continue;
    if (!q.data_sources.empty() && std::find(q.data_sources.begin(), q.data_sources.end(),
                                             k.authority) == q.data_sources.end()) {
      continue;
    }
    r.ids.push_back({k.authority, k.local_id, ""});
  }
  // Case 2: known, but nothing in the asked domains.
  r.response = r.ids.empty() ? hl7v3::QueryResponse::kNotFound : hl7v3::QueryResponse::kOk;
  return r;
}

SoapResult Service::handle_pix_soap(std::string_view body, std::string_view content_type,
                                    const FeedSender* sender, const IdentityFilter* scope) {
  hl7v3::Addressing request;
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
    const bool feed = interaction == "PRPA_IN201301UV02" || interaction == "PRPA_IN201302UV02" ||
                      interaction == "PRPA_IN201304UV02";
    if (!feed && interaction != "PRPA_IN201309UV02") {
      throw hl7v3::SoapFault(hl7v3::FaultCode::kSender, "action not supported on this endpoint",
                             "wsa:ActionNotSupported");
    }
    if (!env.payload.is(hl7v3::kHl7Ns, interaction)) {
      throw hl7v3::SoapFault(hl7v3::FaultCode::kSender,
                             "the SOAP Body does not hold a " + interaction + " message");
    }
    std::string response_action;
    std::function<void(xml::Writer&)> payload;
    std::string transaction;
    std::optional<IdentityKey> queried;
    int disclosed = 0;
    if (feed) {
      hl7v3::AckMessage ack;
      try {
        ack = handle_iti44(hl7v3::parse_feed(env.payload), sender);
      } catch (const hl7v3::MessageError& e) {
        const hl7v3::MessageHeader h = hl7v3::parse_header(env.payload);
        ack.header = reply_to(h, "MCCI_IN000002UV01");
        ack.ack = error_ack(h.id, e);
      }
      response_action = action_for("MCCI_IN000002UV01");
      payload = [ack](xml::Writer& w) { hl7v3::write_ack_message(w, ack); };
    } else {
      hl7v3::PixQuery q;
      hl7v3::PixQueryResponse r;
      try {
        q = hl7v3::parse_pix_query(env.payload);
        r = handle_iti45(q, scope);
      } catch (const hl7v3::MessageError& e) {
        q.header = hl7v3::parse_header(env.payload);
        r.header = reply_to(q.header, "PRPA_IN201310UV02");
        r.ack = error_ack(q.header.id, e);
        r.response = hl7v3::QueryResponse::kQueryError;
      }
      response_action = action_for("PRPA_IN201310UV02");
      payload = [q, r](xml::Writer& w) { hl7v3::write_pix_response(w, r, q); };
      transaction = "ITI-45";
      queried = IdentityKey{q.patient_id.root, q.patient_id.extension};
      disclosed = static_cast<int>(r.ids.size());
    }
    const hl7v3::Addressing reply =
        hl7v3::reply_addressing(env.addressing, response_action, "urn:uuid:" + new_uuid());
    SoapResult out{200, hl7v3::soap_content_type(response_action),
                   hl7v3::write_envelope(reply, payload)};
    out.transaction = std::move(transaction);
    out.queried = std::move(queried);
    out.disclosed = disclosed;
    return out;
  } catch (const hl7v3::SoapFault& f) {
    return fault(f, request, *this);
  } catch (const Error& e) {
    return store_fault(e, request, *this);
  } catch (const std::exception& e) {
    log::error("pix request failed", {.component = "pix", .error = "internal"});
    return fault(hl7v3::SoapFault(hl7v3::FaultCode::kReceiver, "internal error"), request, *this);
  }
}

}  // namespace hareyaka::pix
