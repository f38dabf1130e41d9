// ITI-47 Patient Demographics Query: PRPA_IN201305UV02 → PRPA_IN201306UV02, and the
// continuation protocol QUQI_IN000003UV01 (continue with a quantity, or cancel).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "proto/hl7v3/ack.hpp"
#include "proto/hl7v3/pix_query.hpp"

namespace hareyaka::hl7v3 {

struct PdqQuery {
  MessageHeader header;
  Ii query_id;
  int initial_quantity = 0;  // 0: not given
  std::vector<PersonName> names;
  std::optional<Sex> sex;
  std::string birth_date;  // YYYYMMDD (or a prefix: YYYY, YYYYMM)
  std::vector<Ii> ids;     // livingSubjectId
  std::vector<std::string> id_locations;
  std::vector<std::string> scoping_organizations;  // otherIDsScopingOrganization roots
  std::vector<std::string> scoping_organization_locations;
  std::vector<Address> addresses;
  std::vector<std::string> telecoms;
  std::optional<int> minimum_degree_match;
  // queryByParameter as a self-contained XML fragment, echoed in every response.
  std::string query_by_parameter_xml;
};

PdqQuery parse_pdq_query(xml::Node root);
// A PRPA_IN201305UV02 as an IHE XCPD Initiating Gateway sends it (ITI-55, immediate mode):
// header.sender.organization_id is the asking homeCommunityId; `author_authority` (the
// authorOrPerformer device id) the asking community's patient id domain. One value per
// parameter, as XCPD allows: the first name, the sex, the birth date, the ids, the first
// telecom.
void write_xcpd_query(xml::Writer& w, const PdqQuery& q, std::string_view author_authority);
// The queryByParameter element alone (no header): a stored query's criteria.
PdqQuery parse_query_by_parameter(xml::Node qbp);

struct PdqContinuation {
  MessageHeader header;
  Ii query_id;
  int quantity = 0;
  bool cancel = false;  // statusCode "aborted"
};

PdqContinuation parse_pdq_continuation(xml::Node root);                 // QUQI_IN000003UV01
void write_pdq_continuation(xml::Writer& w, const PdqContinuation& c);  // for consumers

struct PdqMatch {
  Patient patient;
  int degree_of_match = 100;
};

struct PdqResponse {
  MessageHeader header;  // interaction PRPA_IN201306UV02
  Acknowledgement ack;
  QueryResponse response = QueryResponse::kOk;
  Ii query_id;
  std::vector<PdqMatch> matches;
  int total = 0;      // resultTotalQuantity
  int remaining = 0;  // resultRemainingQuantity
  std::string custodian;
  // IHE XCPD (ITI-55) only. The custodian's Health Data Locator capability
  // (1.3.6.1.4.1.19376.1.2.27.2: "SupportsHealthDataLocator" or "NotHealthDataLocator"),
  // written when set; and the attributes the responder asks for when the query matches
  // more than one patient (1.3.6.1.4.1.19376.1.2.27.1, e.g.
  // "LivingSubjectAdministrativeGenderRequested"), each a DetectedIssueEvent in reasonOf.
  std::string health_data_locator;
  std::vector<std::string> requested_attributes;
};

// The code system of the XCPD "more attributes requested" codes.
inline constexpr std::string_view kXcpdRequestedAttributeSystem = "1.3.6.1.4.1.19376.1.2.27.1";

void write_pdq_response(xml::Writer& w, const PdqResponse& r,
                        std::string_view query_by_parameter_xml);

struct ParsedPdqResponse {
  MessageHeader header;
  Acknowledgement ack;
  std::string query_response_code;
  std::vector<Patient> patients;
  std::vector<int> degrees;             // queryMatchObservation per patient (-1 when absent)
  std::vector<std::string> custodians;  // per patient: custodian id root
  std::vector<std::string> requested_attributes;  // XCPD DetectedIssueEvent codes
  int total = -1, current = -1, remaining = -1;
};
// For PDQ consumers and tests; also checks the echoed query (xsi:type of minimumDegreeMatch).
ParsedPdqResponse parse_pdq_response(xml::Node root);

}  // namespace hareyaka::hl7v3
