// Which identifiers of an ITI-44 feed a calling node may assert. A facility's gateway feeds
// its own patient id domain; beside its own id it may name a national or network-wide id
// (a second patient/id or an asOtherIDs), which is kept as another identity of the same
// patient when that domain is registered here and otherwise ignored with a warning. An id of
// another facility's domain, or a merge of one, is refused: it would let one facility attach
// itself to another's patient (and so to its records). See docs/conformance-pix.md.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/hl7v3/ack.hpp"
#include "proto/hl7v3/feed.hpp"

namespace hareyaka::pix {

// The code system of the policy codes below (Hareyaka's own acknowledgement detail codes;
// HL7 table 0357 and AcknowledgementDetailCode have nothing for "not allowed to send").
inline constexpr std::string_view kFeedPolicyCodes = "1.2.392.200284.0.100";
inline constexpr std::string_view kSourceNotRegistered = "SOURCE_NOT_REGISTERED";
inline constexpr std::string_view kForeignFacilityDomain = "FOREIGN_FACILITY_DOMAIN";
inline constexpr std::string_view kOwnIdMissing = "OWN_ID_MISSING";
inline constexpr std::string_view kUnregisteredDomainIgnored = "UNREGISTERED_DOMAIN_IGNORED";

// The calling node as the transport authenticated it.
struct FeedSender {
  // The patient id domain of the facility whose gateway certificate the node presented;
  // empty when the certificate belongs to no facility.
  std::string own_domain;
  // True for the patient id domain of any facility of the network (own or another).
  std::function<bool(std::string_view authority)> is_facility_domain;
};

struct ScreenedFeed {
  std::optional<hl7v3::AckDetail> refusal;  // set: answer AR with it, store nothing
  std::vector<hl7v3::Ii> ids;               // own ids first, then kept extra ids
  std::vector<hl7v3::AckDetail> warnings;   // typeCode W, for the AA
};

// `domain_registered` says whether a non-facility domain is registered with the manager.
ScreenedFeed screen_feed(const hl7v3::PatientFeed& feed, const FeedSender& sender,
                         const std::function<bool(const std::string&)>& domain_registered);

}  // namespace hareyaka::pix
