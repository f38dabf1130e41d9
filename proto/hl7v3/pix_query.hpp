// ITI-45 PIX Query: PRPA_IN201309UV02 (query by one patient identifier, optionally limited to
// some domains with dataSource) and its answer PRPA_IN201310UV02.
#pragma once

#include <string>
#include <vector>

#include "proto/hl7v3/ack.hpp"

namespace hareyaka::hl7v3 {

struct PixQuery {
  MessageHeader header;
  Ii query_id;
  Ii patient_id;
  std::string patient_id_location;                 // XPath of patientIdentifier/value
  std::vector<std::string> data_sources;           // domain OIDs asked for (empty: all)
  std::vector<std::string> data_source_locations;  // XPath of each dataSource/value
};

PixQuery parse_pix_query(xml::Node root);
void write_pix_query(xml::Writer& w, const PixQuery& q);  // for PIX consumers

// queryResponseCode: OK (ids found), NF (known, nothing in the asked domains), AE (error).
enum class QueryResponse { kOk, kNotFound, kApplicationError, kQueryError };
std::string_view to_string(QueryResponse r);

struct PixQueryResponse {
  MessageHeader header;  // interaction PRPA_IN201310UV02
  Acknowledgement ack;
  QueryResponse response = QueryResponse::kOk;
  std::vector<Ii> ids;    // the person's identifiers in the asked domains
  std::string custodian;  // our device/organisation OID
};

// Writes the response, echoing the query's queryByParameter.
void write_pix_response(xml::Writer& w, const PixQueryResponse& r, const PixQuery& q);

struct ParsedPixResponse {
  MessageHeader header;
  Acknowledgement ack;
  std::string query_response_code;
  std::vector<Ii> ids;
};
ParsedPixResponse parse_pix_response(xml::Node root);  // for PIX consumers and tests

}  // namespace hareyaka::hl7v3
