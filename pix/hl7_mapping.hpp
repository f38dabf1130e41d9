// Between HL7 V3 patients and the store's demographics: which name is the kanji form and
// which the kana form (use="IDE"/"SYL", or by script when unlabelled), the phone number and
// postal code used for matching.
#pragma once

#include <vector>

#include "pix/identity_store.hpp"
#include "proto/hl7v3/datatypes.hpp"

namespace hareyaka::pix {

Demographics demographics_from(const hl7v3::Patient& p);
// Patient identifiers usable as identities (root and extension present).
std::vector<IdentityKey> identity_keys(const std::vector<hl7v3::Ii>& ids);
// An HL7 patient with the given ids and a stored identity's demographics.
hl7v3::Patient patient_from(const Demographics& d, const std::vector<IdentityKey>& ids);

}  // namespace hareyaka::pix
