// What this network discloses to a peer community over IHE XCA, and how it names it: the
// (facility, category) pairs a patient's consents and the agreement allow, the On-Demand
// DocumentEntry of each, and its uniqueId (which encodes the person, the category and the
// facility, so a retrieve is decided from the id alone). Used by portal/xca_responder.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hpd/facility.hpp"
#include "portal/config.hpp"
#include "portal/locators/locator_store.hpp"
#include "portal/xca_responder.hpp"
#include "proto/xds/ebrs.hpp"

namespace hareyaka::portal::xca {

// One disclosable (facility, category) of a person, as decided for one peer.
struct Disclosable {
  std::string authority, local_id, facility_oid;
  std::string category;
};

// <home>.3.<person>.<category number>.<facility arcs below the network root>
struct DocumentKey {
  std::int64_t person = 0;
  std::string category;
  std::string facility_oid;
};

std::string strip_oid_urn(std::string_view v);
std::string unique_id(const std::string& home, const std::string& root, const DocumentKey& k);
std::optional<DocumentKey> parse_unique_id(const std::string& home, const std::string& root,
                                           std::string_view uid);
// A stable entryUUID for a uniqueId (name-based, SHA-256 truncated, version 5 layout).
std::string entry_uuid(const std::string& uid);

// What the peer may see of a person: for each identity whose consent names the community, the
// categories in both that consent's scope and the agreement (one database read).
std::vector<Disclosable> decide(XcaServices& sv, const PeerCommunity& peer, std::int64_t person);

xds::DocumentEntry make_entry(XcaServices& sv, std::int64_t person, const Disclosable& d,
                              const hpd::Facility& facility, const Locator* locator);

// Whether the locator index says the facility holds anything in the category (no entry at all:
// unknown, so listed; allergies are also read from the demographics message).
bool holds_something(const Locator* locator, const std::string& category);

}  // namespace hareyaka::portal::xca
