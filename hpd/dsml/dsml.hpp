// DSMLv2 (OASIS, urn:oasis:names:tc:DSML:2:0:core) as IHE HPD uses it: ITI-58 searchRequest
// and ITI-59 add/modify/del/modDN requests in a batchRequest (plus LDAP's compare, abandon and
// extended requests), and the batchResponse that answers them. Pure types, parsing and
// writing: no I/O, no directory.
//
// Parsing is lenient where implementations differ and strict where meaning is at stake:
// values are trimmed of leading and trailing white space (published HPD samples indent their
// values), attribute names keep their spelling (matching is case-insensitive, see
// iequals_name), and a request that cannot be understood does not fail the whole batch: it
// becomes an InvalidRequest that the processor answers with its own response element and
// resultCode (protocolError, invalidDNSyntax, ...). Only a document that is not a DSML
// batchRequest at all throws DsmlError.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "proto/xml/document.hpp"
#include "proto/xml/writer.hpp"

namespace hareyaka::hpd::dsml {

inline constexpr std::string_view kDsmlNs = "urn:oasis:names:tc:DSML:2:0:core";

// LDAP result codes (RFC 4511 section 4.1.9) with their DSMLv2 descr names.
enum class ResultCode : int {
  kSuccess = 0,
  kOperationsError = 1,
  kProtocolError = 2,
  kTimeLimitExceeded = 3,
  kSizeLimitExceeded = 4,
  kCompareFalse = 5,
  kCompareTrue = 6,
  kAuthMethodNotSupported = 7,
  kStrongAuthRequired = 8,
  kReferral = 10,
  kAdminLimitExceeded = 11,
  kUnavailableCriticalExtension = 12,
  kConfidentialityRequired = 13,
  kSaslBindInProgress = 14,
  kNoSuchAttribute = 16,
  kUndefinedAttributeType = 17,
  kInappropriateMatching = 18,
  kConstraintViolation = 19,
  kAttributeOrValueExists = 20,
  kInvalidAttributeSyntax = 21,
  kNoSuchObject = 32,
  kAliasProblem = 33,
  kInvalidDnSyntax = 34,
  kAliasDereferencingProblem = 36,
  kInappropriateAuthentication = 48,
  kInvalidCredentials = 49,
  kInsufficientAccessRights = 50,
  kBusy = 51,
  kUnavailable = 52,
  kUnwillingToPerform = 53,
  kLoopDetect = 54,
  kNamingViolation = 64,
  kObjectClassViolation = 65,
  kNotAllowedOnNonLeaf = 66,
  kNotAllowedOnRdn = 67,
  kEntryAlreadyExists = 68,
  kObjectClassModsProhibited = 69,
  kAffectsMultipleDsas = 71,
  kOther = 80,
};

// The DSMLv2 LDAPResultCode name ("success", "noSuchObject", ...; the schema's own spellings
// "aliasDerefencingProblem" and "affectMultipleDSAs" included); empty for an unknown code.
std::string_view result_name(ResultCode code);
std::optional<ResultCode> parse_result_name(std::string_view name);
std::optional<ResultCode> result_from_int(int code);

// Attribute names are case-insensitive (RFC 4512); options (";binary") are kept in the name.
bool iequals_name(std::string_view a, std::string_view b);

struct Attribute {
  std::string name;
  std::vector<std::string> values;
};

struct Entry {
  std::string dn;
  std::vector<Attribute> attrs;

  const Attribute* find(std::string_view name) const;  // case-insensitive
  Attribute* find(std::string_view name);
  // The first value of an attribute, empty when absent.
  std::string first(std::string_view name) const;
  // Appends values to the attribute, creating it when absent.
  void add(std::string_view name, std::vector<std::string> values);
};

enum class Scope { kBaseObject, kSingleLevel, kWholeSubtree };
enum class DerefAliases { kNever, kInSearching, kFindingBaseObj, kAlways };
std::string_view to_string(Scope s);
std::string_view to_string(DerefAliases d);

struct Filter {
  enum class Kind {
    kAnd,
    kOr,
    kNot,
    kEqualityMatch,
    kSubstrings,
    kGreaterOrEqual,
    kLessOrEqual,
    kPresent,
    kApproxMatch,
  };
  Kind kind = Kind::kPresent;
  std::string attribute;                  // every kind but and/or/not
  std::string value;                      // equality, greaterOrEqual, lessOrEqual, approx
  std::optional<std::string> initial;     // substrings
  std::vector<std::string> any;           // substrings
  std::optional<std::string> final_part;  // substrings
  std::vector<Filter> children;           // and/or: any number; not: exactly one
};

struct SearchRequest {
  std::string request_id;
  std::string dn;
  Scope scope = Scope::kWholeSubtree;
  DerefAliases deref = DerefAliases::kNever;
  std::uint32_t size_limit = 0;  // 0: no client limit
  std::uint32_t time_limit = 0;
  bool types_only = false;
  Filter filter;
  std::vector<std::string> attributes;  // empty: all user attributes
};

struct AddRequest {
  std::string request_id;
  Entry entry;  // entry.dn is the new entry's DN
};

enum class ModOp { kAdd, kDelete, kReplace };
std::string_view to_string(ModOp op);

struct Modification {
  ModOp op = ModOp::kReplace;
  std::string name;
  std::vector<std::string> values;
};

struct ModifyRequest {
  std::string request_id;
  std::string dn;
  std::vector<Modification> modifications;
};

struct DelRequest {
  std::string request_id;
  std::string dn;
};

struct ModDnRequest {
  std::string request_id;
  std::string dn;
  std::string new_rdn;
  bool delete_old_rdn = true;
  std::optional<std::string> new_superior;
};

// <compareRequest dn=".."><assertion name="attr"><value>v</value></assertion>
struct CompareRequest {
  std::string request_id;
  std::string dn;
  std::string attribute;  // an attribute description (";options" kept)
  std::string value;
};

// <abandonRequest abandonID=".."/>: DSMLv2 has no response for it.
struct AbandonRequest {
  std::string request_id;
  std::string abandon_id;  // never empty once parsed
};

// <extendedRequest><requestName>OID</requestName><requestValue>..</requestValue>. The
// requestValue is the LDAP OCTET STRING: read as base64 (xsi:type="xsd:base64Binary" or
// untyped), written as base64 with xsi:type="xsd:base64Binary".
struct ExtendedRequest {
  std::string request_id;
  std::string name;  // numeric OID
  std::optional<std::string> value;
};

// RFC 4532 "Who am I?".
inline constexpr std::string_view kWhoAmIOid = "1.3.6.1.4.1.4203.1.11.3";

// Which operation a request or a response is.
enum class Operation {
  kSearch,
  kAdd,
  kModify,
  kDel,
  kModDn,
  kCompare,
  kAbandon,
  kExtended,
  kOther
};
// "searchResponse", "addResponse", ..., "compareResponse", "extendedResponse"; "errorResponse"
// for abandon (which has no response of its own) and kOther.
std::string_view response_element(Operation op);

// A request element that could not be understood (a malformed filter, a missing dn, an
// operation DSMLv2 does not have): answered with `code` and `message` in the response element
// of `operation` (an errorResponse for kAbandon and kOther).
struct InvalidRequest {
  Operation operation = Operation::kOther;
  std::string request_id;
  ResultCode code = ResultCode::kProtocolError;
  std::string message;
};

using Request = std::variant<SearchRequest, AddRequest, ModifyRequest, DelRequest, ModDnRequest,
                             CompareRequest, AbandonRequest, ExtendedRequest, InvalidRequest>;
Operation operation_of(const Request& r);
const std::string& request_id_of(const Request& r);

enum class OnError { kExit, kResume };

struct BatchRequest {
  std::string request_id;
  bool parallel = false;   // processing="parallel" (we still process in order)
  bool unordered = false;  // responseOrder="unordered" (we still answer in order)
  OnError on_error = OnError::kExit;
  std::vector<Request> requests;
};

struct LdapResult {
  std::string request_id;
  ResultCode code = ResultCode::kSuccess;
  std::string error_message;  // DSML errorMessage: the diagnostic message
  std::string matched_dn;
};

// addResponse, modifyResponse, delResponse, modDNResponse, compareResponse.
struct OperationResponse {
  Operation operation = Operation::kAdd;
  LdapResult result;
};

// extendedResponse: the result, then the optional responseName and response (the LDAP OCTET
// STRING, written as base64 with xsi:type="xsd:base64Binary"; read as base64 when typed so,
// else as base64 when it decodes, else as text).
struct ExtendedResponse {
  LdapResult result;
  std::optional<std::string> name;  // numeric OID
  std::optional<std::string> value;
};

struct SearchResponse {
  std::string request_id;
  std::vector<Entry> entries;
  LdapResult done;
};

enum class ErrorType {
  kNotAttempted,
  kCouldNotConnect,
  kConnectionClosed,
  kMalformedRequest,
  kGatewayInternalError,
  kAuthenticationFailed,
  kUnresolvableUri,
  kOther,
};
std::string_view to_string(ErrorType t);

struct ErrorResponse {
  std::string request_id;
  ErrorType type = ErrorType::kOther;
  std::string message;
};

using Response = std::variant<SearchResponse, OperationResponse, ExtendedResponse, ErrorResponse>;

struct BatchResponse {
  std::string request_id;
  std::vector<Response> responses;
};

// The document (or payload) is not a DSMLv2 batch at all; answered with an errorResponse of
// type malformedRequest (or a SOAP fault by the transport).
class DsmlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses a dsml:batchRequest element (e.g. the payload of a SOAP Body). Throws DsmlError when
// the element is not a batchRequest in the DSMLv2 namespace or carries bad batch attributes.
BatchRequest parse_batch_request(xml::Node batch);
// Parses a standalone document; malformed XML throws xml::XmlException.
BatchRequest parse_batch_request(std::string_view xml_text);

BatchResponse parse_batch_response(xml::Node batch);
BatchResponse parse_batch_response(std::string_view xml_text);

// Writers. The element forms write into an open writer (e.g. a SOAP Body) and declare the
// DSML namespace on the batch element with prefix "dsml"; the string forms return a
// standalone document.
void write_batch_request(xml::Writer& w, const BatchRequest& batch);
std::string write_batch_request(const BatchRequest& batch);
void write_batch_response(xml::Writer& w, const BatchResponse& batch);
std::string write_batch_response(const BatchResponse& batch);

// Parses a filter element's content (the element that holds one filter choice, e.g.
// <filter>); throws DsmlError naming what is wrong. Exposed for the fuzz target.
Filter parse_filter(xml::Node holder);

}  // namespace hareyaka::hpd::dsml
