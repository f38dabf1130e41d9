// IHE XDS.b metadata in ebXML Registry 3.0 as IHE XCA carries it: the stored queries of ITI-38
// Cross Gateway Query (AdhocQueryRequest -> AdhocQueryResponse) and the document set of ITI-39
// Cross Gateway Retrieve (RetrieveDocumentSetRequest -> RetrieveDocumentSetResponse). Parsing
// reads what a responding gateway needs and refuses the rest with a RegistryError naming its
// location; writing produces messages valid against the ebRS 3.0 and IHEXDSB schemas.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "proto/xml/document.hpp"
#include "proto/xml/writer.hpp"

namespace hareyaka::xds {

inline constexpr std::string_view kQueryNs = "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0";
inline constexpr std::string_view kRimNs = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0";
inline constexpr std::string_view kRsNs = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0";
inline constexpr std::string_view kXdsbNs = "urn:ihe:iti:xds-b:2007";
inline constexpr std::string_view kXopNs = "http://www.w3.org/2004/08/xop/include";

// Stored query ids (ITI TF-2a 3.18.4.1.2.3.7).
inline constexpr std::string_view kFindDocuments = "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d";
inline constexpr std::string_view kGetDocuments = "urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4";
inline constexpr std::string_view kGetAssociations =
    "urn:uuid:a7ae438b-4bc2-4642-93e9-be891f7bb155";

inline constexpr std::string_view kStableEntry = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1";
inline constexpr std::string_view kOnDemandEntry = "urn:uuid:34268e47-fdf5-41a6-ba33-82133c465248";
inline constexpr std::string_view kApproved = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved";

inline constexpr std::string_view kSuccess =
    "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success";
inline constexpr std::string_view kPartialSuccess =
    "urn:ihe:iti:2007:ResponseStatusType:PartialSuccess";
inline constexpr std::string_view kFailure =
    "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure";

struct RegistryError {
  std::string code;      // XDSRegistryError, XDSUnknownCommunity, XDSMissingHomeCommunityId, ...
  std::string context;   // what went wrong, for a person
  std::string location;  // where: the homeCommunityId, the slot, the document
  bool warning = false;
};

// A request that cannot be answered at all: answered with Failure and this error.
class RequestError : public std::runtime_error {
 public:
  explicit RequestError(RegistryError e) : std::runtime_error(e.context), error_(std::move(e)) {}
  const RegistryError& error() const { return error_; }

 private:
  RegistryError error_;
};

struct StoredQuery {
  std::string id;                 // the AdhocQuery id (a stored query uuid)
  std::string home_community_id;  // its home attribute, "urn:oid:..." as sent; empty if none
  bool leaf_class = true;         // ResponseOption returnType LeafClass (else ObjectRef)
  // Slot name -> the values of its ValueList, each unquoted and with "(...)" lists split:
  // "('a','b')" gives "a", "b".
  std::map<std::string, std::vector<std::string>> slots;
  const std::vector<std::string>* slot(std::string_view name) const;
};

// Reads an AdhocQueryRequest. Throws RequestError (XDSRegistryError) for another element, a
// missing AdhocQuery or id, or a slot value that is not a quoted string, a number or a
// parenthesised list of them.
StoredQuery parse_adhoc_query(xml::Node root);

// A patient id in HL7 CX form as XDS uses it: "<id>^^^&<root OID>&ISO".
struct PatientId {
  std::string id;
  std::string root;
};
std::optional<PatientId> parse_patient_id(std::string_view cx);
std::string format_patient_id(const PatientId& p);

struct DocumentRequest {
  std::string home_community_id;
  std::string repository_unique_id;
  std::string document_unique_id;
};
// Reads a RetrieveDocumentSetRequest: at least one DocumentRequest, each with a
// RepositoryUniqueId and a DocumentUniqueId (HomeCommunityId may be absent: the responder
// answers XDSMissingHomeCommunityId for that one). Throws RequestError otherwise.
std::vector<DocumentRequest> parse_retrieve_request(xml::Node root);

struct Code {
  std::string code;
  std::string scheme;  // codingScheme
  std::string display;
};

// A DocumentEntry as a responding gateway lists it.
struct DocumentEntry {
  std::string entry_uuid;  // urn:uuid:...
  std::string unique_id;
  std::string home_community_id;  // urn:oid:...
  std::string repository_unique_id;
  std::string object_type = std::string(kOnDemandEntry);
  std::string mime_type = "application/json";
  std::string title;
  std::string language = "ja-JP";
  PatientId patient_id;                     // the community's patient id
  PatientId source_patient_id;              // the patient's id at the source facility
  std::string service_start, service_stop;  // YYYYMMDD[HHMMSS], empty when unknown
  std::string creation_time;                // Stable entries only
  std::string author_institution;           // XON: "<name>^^^^^^^^^<OID>"
  Code class_code, type_code, format_code, confidentiality_code, facility_type_code,
      practice_setting_code;
};

// <query:AdhocQueryResponse> with the entries (as ExtrinsicObjects, or ObjectRefs when
// !leaf_class) and the errors; the status is Success without errors, PartialSuccess with
// errors and entries, Failure with errors only.
void write_query_response(xml::Writer& w, const std::vector<DocumentEntry>& entries,
                          const std::vector<RegistryError>& errors, bool leaf_class = true);

struct RetrievedDocument {
  DocumentRequest request;
  std::string new_document_unique_id;  // On-Demand: the id of the snapshot returned
  std::string new_repository_unique_id;
  std::string mime_type;
  std::string content_id;  // the MIME part it travels in (xop:Include href="cid:...")
};
// <xdsb:RetrieveDocumentSetResponse>: each document as an xop:Include of its part.
void write_retrieve_response(xml::Writer& w, const std::vector<RetrievedDocument>& documents,
                             const std::vector<RegistryError>& errors);

// What an initiating gateway reads back.
struct QueryResponse {
  std::string status;
  std::vector<DocumentEntry> entries;
  std::vector<RegistryError> errors;
};
QueryResponse parse_query_response(xml::Node root);

struct RetrieveResponse {
  std::string status;
  std::vector<RetrievedDocument> documents;  // content_id from the xop:Include (without cid:)
  std::vector<RegistryError> errors;
};
RetrieveResponse parse_retrieve_response(xml::Node root);

}  // namespace hareyaka::xds
