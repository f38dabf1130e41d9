#include <array>
#include <utility>

#include "hpd/dsml/dsml.hpp"

namespace hareyaka::hpd::dsml {
namespace {

using R = ResultCode;
constexpr std::array<std::pair<ResultCode, std::string_view>, 39> kResultNames = {{
    {R::kSuccess, "success"},
    {R::kOperationsError, "operationsError"},
    {R::kProtocolError, "protocolError"},
    {R::kTimeLimitExceeded, "timeLimitExceeded"},
    {R::kSizeLimitExceeded, "sizeLimitExceeded"},
    {R::kCompareFalse, "compareFalse"},
    {R::kCompareTrue, "compareTrue"},
    {R::kAuthMethodNotSupported, "authMethodNotSupported"},
    {R::kStrongAuthRequired, "strongAuthRequired"},
    {R::kReferral, "referral"},
    {R::kAdminLimitExceeded, "adminLimitExceeded"},
    {R::kUnavailableCriticalExtension, "unavailableCriticalExtension"},
    {R::kConfidentialityRequired, "confidentialityRequired"},
    {R::kSaslBindInProgress, "saslBindInProgress"},
    {R::kNoSuchAttribute, "noSuchAttribute"},
    {R::kUndefinedAttributeType, "undefinedAttributeType"},
    {R::kInappropriateMatching, "inappropriateMatching"},
    {R::kConstraintViolation, "constraintViolation"},
    {R::kAttributeOrValueExists, "attributeOrValueExists"},
    {R::kInvalidAttributeSyntax, "invalidAttributeSyntax"},
    {R::kNoSuchObject, "noSuchObject"},
    {R::kAliasProblem, "aliasProblem"},
    {R::kInvalidDnSyntax, "invalidDNSyntax"},
    // The DSMLv2 schema's own spelling.
    {R::kAliasDereferencingProblem, "aliasDerefencingProblem"},
    {R::kInappropriateAuthentication, "inappropriateAuthentication"},
    {R::kInvalidCredentials, "invalidCredentials"},
    {R::kInsufficientAccessRights, "insufficientAccessRights"},
    {R::kBusy, "busy"},
    {R::kUnavailable, "unavailable"},
    {R::kUnwillingToPerform, "unwillingToPerform"},
    {R::kLoopDetect, "loopDetect"},
    {R::kNamingViolation, "namingViolation"},
    {R::kObjectClassViolation, "objectClassViolation"},
    {R::kNotAllowedOnNonLeaf, "notAllowedOnNonLeaf"},
    {R::kNotAllowedOnRdn, "notAllowedOnRDN"},
    {R::kEntryAlreadyExists, "entryAlreadyExists"},
    {R::kObjectClassModsProhibited, "objectClassModsProhibited"},
    {R::kAffectsMultipleDsas, "affectMultipleDSAs"},
    {R::kOther, "other"},
}};

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

const std::string kEmpty;

}  // namespace

std::string_view result_name(ResultCode code) {
  for (const auto& [c, name] : kResultNames) {
    if (c == code)
      return name;
  }
  return {};
}

std::optional<ResultCode> parse_result_name(std::string_view name) {
  for (const auto& [c, n] : kResultNames) {
    if (n == name)
      return c;
  }
  return std::nullopt;
}

std::optional<ResultCode> result_from_int(int code) {
  for (const auto& [c, n] : kResultNames) {
    if (static_cast<int>(c) == code)
      return c;
  }
  return std::nullopt;
}

bool iequals_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i]))
      return false;
  }
  return true;
}

const Attribute* Entry::find(std::string_view name) const {
  for (const auto& a : attrs) {
    if (iequals_name(a.name, name))
      return &a;
  }
  return nullptr;
}

Attribute* Entry::find(std::string_view name) {
  for (auto& a : attrs) {
    if (iequals_name(a.name, name))
      return &a;
  }
  return nullptr;
}

std::string Entry::first(std::string_view name) const {
  const auto* a = find(name);
  return a && !a->values.empty() ? a->values.front() : std::string();
}

void Entry::add(std::string_view name, std::vector<std::string> values) {
  if (auto* a = find(name)) {
    for (auto& v : values)
      a->values.push_back(std::move(v));
    return;
  }
  attrs.push_back({std::string(name), std::move(values)});
}

std::string_view to_string(Scope s) {
  switch (s) {
    case Scope::kBaseObject:
      return "baseObject";
    case Scope::kSingleLevel:
      return "singleLevel";
    case Scope::kWholeSubtree:
      return "wholeSubtree";
  }
  return "wholeSubtree";
}

std::string_view to_string(DerefAliases d) {
  switch (d) {
    case DerefAliases::kNever:
      return "neverDerefAliases";
    case DerefAliases::kInSearching:
      return "derefInSearching";
    case DerefAliases::kFindingBaseObj:
      return "derefFindingBaseObj";
    case DerefAliases::kAlways:
      return "derefAlways";
  }
  return "neverDerefAliases";
}

std::string_view to_string(ModOp op) {
  switch (op) {
    case ModOp::kAdd:
      return "add";
    case ModOp::kDelete:
      return "delete";
    case ModOp::kReplace:
      return "replace";
  }
  return "replace";
}

std::string_view to_string(ErrorType t) {
  switch (t) {
    case ErrorType::kNotAttempted:
      return "notAttempted";
    case ErrorType::kCouldNotConnect:
      return "couldNotConnect";
    case ErrorType::kConnectionClosed:
      return "connectionClosed";
    case ErrorType::kMalformedRequest:
      return "malformedRequest";
    case ErrorType::kGatewayInternalError:
      return "gatewayInternalError";
    case ErrorType::kAuthenticationFailed:
      return "authenticationFailed";
    case ErrorType::kUnresolvableUri:
      return "unresolvableURI";
    case ErrorType::kOther:
      return "other";
  }
  return "other";
}

std::string_view response_element(Operation op) {
  switch (op) {
    case Operation::kSearch:
      return "searchResponse";
    case Operation::kAdd:
      return "addResponse";
    case Operation::kModify:
      return "modifyResponse";
    case Operation::kDel:
      return "delResponse";
    case Operation::kModDn:
      return "modDNResponse";
    case Operation::kCompare:
      return "compareResponse";
    case Operation::kExtended:
      return "extendedResponse";
    case Operation::kAbandon:
    case Operation::kOther:
      return "errorResponse";
  }
  return "errorResponse";
}

Operation operation_of(const Request& r) {
  struct V {
    Operation operator()(const SearchRequest&) const { return Operation::kSearch; }
    Operation operator()(const AddRequest&) const { return Operation::kAdd; }
    Operation operator()(const ModifyRequest&) const { return Operation::kModify; }
    Operation operator()(const DelRequest&) const { return Operation::kDel; }
    Operation operator()(const ModDnRequest&) const { return Operation::kModDn; }
    Operation operator()(const CompareRequest&) const { return Operation::kCompare; }
    Operation operator()(const AbandonRequest&) const { return Operation::kAbandon; }
    Operation operator()(const ExtendedRequest&) const { return Operation::kExtended; }
    Operation operator()(const InvalidRequest& i) const { return i.operation; }
  };
  return std::visit(V{}, r);
}

const std::string& request_id_of(const Request& r) {
  return std::visit([](const auto& x) -> const std::string& { return x.request_id; }, r);
}

}  // namespace hareyaka::hpd::dsml
