#include "pix/feed_screen.hpp"

#include <algorithm>

namespace hareyaka::pix {
namespace {

hl7v3::AckDetail detail(std::string type, std::string_view code, std::string text,
                        std::string location) {
  return {std::move(type), std::string(code), std::string(kFeedPolicyCodes), std::move(text),
          std::move(location)};
}

}  // namespace

ScreenedFeed screen_feed(const hl7v3::PatientFeed& feed, const FeedSender& sender,
                         const std::function<bool(const std::string&)>& domain_registered) {
  ScreenedFeed out;
  const std::string patient = feed.patient_location;
  if (sender.own_domain.empty()) {
    out.refusal = detail("E", kSourceNotRegistered,
                         "this node's certificate is not registered as a facility's gateway",
                         patient + "/id");
    return out;
  }
  const auto foreign = [&](const hl7v3::Ii& id) {
    return id.root != sender.own_domain && sender.is_facility_domain &&
           sender.is_facility_domain(id.root);
  };
  // Positions as XPath, so the sender can find the id at fault in its message.
  struct Candidate {
    const hl7v3::Ii* id;
    std::string location;
  };
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < feed.patient.ids.size(); ++i) {
    candidates.push_back({&feed.patient.ids[i], patient + "/id[" + std::to_string(i + 1) + "]"});
  }
  for (std::size_t i = 0; i < feed.patient.other_ids.size(); ++i) {
    candidates.push_back({&feed.patient.other_ids[i],
                          patient + "/patientPerson/asOtherIDs[" + std::to_string(i + 1) + "]/id"});
  }
  std::vector<hl7v3::Ii> extra;
  for (const Candidate& c : candidates) {
    const hl7v3::Ii& id = *c.id;
    if (id.root.empty() || id.extension.empty())
      continue;  // not an identity (see identity_keys)
    if (id.root == sender.own_domain) {
      if (std::find(out.ids.begin(), out.ids.end(), id) == out.ids.end())
        out.ids.push_back(id);
    } else if (foreign(id)) {
      out.refusal = detail("E", kForeignFacilityDomain,
                           "a facility may only feed its own patient id domain (" +
                               sender.own_domain + "); " + id.root + " is another facility's",
                           c.location);
      return out;
    } else if (domain_registered(id.root)) {
      if (std::find(extra.begin(), extra.end(), id) == extra.end())
        extra.push_back(id);
    } else {
      out.warnings.push_back(
          detail("W", kUnregisteredDomainIgnored,
                 "identifier domain " + id.root + " is not registered with this manager; ignored",
                 c.location));
    }
  }
  for (std::size_t i = 0; i < feed.prior_ids.size(); ++i) {
    if (feed.prior_ids[i].root != sender.own_domain) {
      out.refusal = detail(
          "E", kForeignFacilityDomain,
          "a facility may only merge ids of its own patient id domain (" + sender.own_domain + ")",
          patient.substr(0, patient.rfind("/subject1/patient")) +
              "/replacementOf/priorRegistration/subject1/priorRegisteredRole/"
              "id[" +
              std::to_string(i + 1) + "]");
      return out;
    }
  }
  if (out.ids.empty()) {
    out.refusal = detail(
        "E", kOwnIdMissing,
        "the patient has no identifier in this facility's domain (" + sender.own_domain + ")",
        patient + "/id");
    return out;
  }
  out.ids.insert(out.ids.end(), extra.begin(), extra.end());
  return out;
}

}  // namespace hareyaka::pix
