// ITI-44 Patient Identity Feed HL7 V3: PRPA_IN201301UV02 (add), PRPA_IN201302UV02 (revise;
// also the ITI-46 update notification) and PRPA_IN201304UV02 (merge). Parsing for the
// manager, writing for sources (the gateway) and for the ITI-46 notifier.
#pragma once

#include <string>
#include <vector>

#include "proto/hl7v3/header.hpp"

namespace hareyaka::hl7v3 {

enum class FeedKind { kAdd, kRevise, kMerge };
std::string_view interaction_of(FeedKind k);  // PRPA_IN201301UV02 ...

struct PatientFeed {
  FeedKind kind = FeedKind::kAdd;
  MessageHeader header;
  Patient patient;
  std::string patient_location;  // XPath of <patient>, for error details
  std::vector<Ii> prior_ids;     // merge: the subsumed (obsolete) identifiers
  std::string custodian;         // custodian assignedEntity id root
};

// Parses a feed whose root is one of the three interactions. Throws MessageError for a
// message IHE does not allow (no or several subjects, no patient id, merge without prior).
PatientFeed parse_feed(xml::Node root);

// Writes a whole feed message (header.interaction_id is set from kind).
void write_feed(xml::Writer& w, const PatientFeed& feed);

// Writes patientPerson content shared by feeds and query responses: name+, telecom*,
// administrativeGenderCode, birthTime, addr*, asOtherIDs*.
void write_person_body(xml::Writer& w, const Patient& p);

}  // namespace hareyaka::hl7v3
