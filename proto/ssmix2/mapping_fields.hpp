// Field-level helpers shared by the data-type mappings: HL7 data types (CWE, XCN, XPN, XAD,
// XTN, CQ, TS) to model values. Internal to proto/ssmix2.
#pragma once

#include <string>
#include <string_view>

#include "proto/clinical/model.hpp"
#include "proto/hl7v2/message.hpp"

namespace hareyaka::ssmix2::fields {

// CWE/CE: components 1-3 and alternate 4-6 of one repetition.
clinical::Code code(const hl7v2::Segment& s, int field, int repetition = 0);
// A CWE carried in subcomponents of one component ("code&text&system"), as in TQ1-3 or CQ units.
clinical::Code sub_code(const hl7v2::Segment& s, int field, int component, int repetition = 0);
// XCN: id, family, given.
clinical::Person person(const hl7v2::Segment& s, int field, int repetition = 0);
// CQ: quantity^unit(&text&system).
clinical::Quantity cq(const hl7v2::Segment& s, int field);
// HL7 DTM/TS "20110701103045.123+0900" -> "2011-07-01T10:30:45.123+09:00"; partial dates
// stay partial ("199601" -> "1996-01"); text that is not a timestamp is returned unchanged.
std::string iso_time(std::string_view hl7);
std::string time(const hl7v2::Segment& s, int field, int component = 1);
// OBX segment to Observation.
clinical::Observation observation(const hl7v2::Segment& obx);

}  // namespace hareyaka::ssmix2::fields
