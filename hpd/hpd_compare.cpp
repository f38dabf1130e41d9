// HpdService::compare and HpdService::extended: the reads besides search. A compare finds its
// entry as a base-object search does (find_base_entry) and matches as a search filter does
// (an equality assertion evaluated by hpd_filter).
#include "common/error.hpp"
#include "common/log.hpp"
#include "hpd/hpd_base_entry.hpp"
#include "hpd/hpd_filter.hpp"
#include "hpd/hpd_service.hpp"

namespace hareyaka::hpd {
namespace {

dsml::LdapResult answer(const std::string& request_id, dsml::ResultCode code,
                        std::string message = {}) {
  dsml::LdapResult r;
  r.request_id = request_id;
  r.code = code;
  r.error_message = std::move(message);
  return r;
}

dsml::Filter assertion(dsml::Filter::Kind kind, const std::string& attribute,
                       const std::string& value = {}) {
  dsml::Filter f;
  f.kind = kind;
  f.attribute = attribute;
  f.value = value;
  return f;
}

}  // namespace

std::string authz_id(const HpdCaller& caller) {
  if (caller.kind == HpdCallerKind::kUser)
    return "u:" + caller.name;
  if (caller.name.empty())
    return {};
  return "dn:" + caller.name;
}

dsml::LdapResult HpdService::compare(const dsml::CompareRequest& r) {
  using dsml::ResultCode;
  std::string why;
  const auto dn = dsml::parse_dn(r.dn, &why);
  if (!dn)
    return answer(r.request_id, ResultCode::kInvalidDnSyntax, why);
  if (!is_known_attribute(r.attribute))
    return answer(r.request_id, ResultCode::kUndefinedAttributeType,
                  "undefined attribute type " + r.attribute);
  std::optional<dsml::Entry> entry;
  try {
    entry = pg::transact(
        pool_, [&](pg::Tx& tx) { return find_base_entry(tx, settings_.dit, suffixes_, *dn); });
  } catch (const Error& e) {
    log::warn("HPD compare failed", {.component = "hpd"});
    return answer(
        r.request_id,
        e.code() == ErrorCode::kUnavailable ? ResultCode::kUnavailable : ResultCode::kOther,
        "the directory could not be read");
  }
  if (!entry)
    return answer(r.request_id, ResultCode::kNoSuchObject, "no entry " + r.dn);
  // As OpenLDAP does: an attribute the entry lacks is noSuchAttribute, not compareFalse.
  if (evaluate(assertion(dsml::Filter::Kind::kPresent, r.attribute), *entry) != Truth::kTrue)
    return answer(r.request_id, ResultCode::kNoSuchAttribute,
                  "the entry has no attribute " + r.attribute);
  const auto truth =
      evaluate(assertion(dsml::Filter::Kind::kEqualityMatch, r.attribute, r.value), *entry);
  return answer(r.request_id,
                truth == Truth::kTrue ? ResultCode::kCompareTrue : ResultCode::kCompareFalse);
}

dsml::ExtendedResponse HpdService::extended(const dsml::ExtendedRequest& r,
                                            const HpdCaller& caller) {
  dsml::ExtendedResponse x;
  x.result.request_id = r.request_id;
  if (r.name != dsml::kWhoAmIOid) {
    // RFC 4511 4.12: an unrecognized requestName is a protocolError, without responseName.
    x.result.code = dsml::ResultCode::kProtocolError;
    x.result.error_message = "the extended operation " + r.name +
                             " is not supported (this directory supports Who am I?, " +
                             std::string(dsml::kWhoAmIOid) + ")";
    return x;
  }
  if (r.value) {
    x.result.code = dsml::ResultCode::kProtocolError;
    x.result.error_message = "a Who am I? request carries no requestValue (RFC 4532)";
    return x;
  }
  // RFC 4532 2.2: the responseName is absent, the response is the authzId.
  x.result.code = dsml::ResultCode::kSuccess;
  x.value = authz_id(caller);
  return x;
}

}  // namespace hareyaka::hpd
