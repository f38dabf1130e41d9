// DSMLv2 batchRequest and batchResponse parsing.
#include <charconv>

#include "hpd/dsml/dn.hpp"
#include "hpd/dsml/dsml_internal.hpp"
#include "proto/encoding/base64.hpp"

namespace hareyaka::hpd::dsml {
namespace {

constexpr std::string_view kXsiNs = "http://www.w3.org/2001/XMLSchema-instance";
constexpr std::size_t kMaxRequests = 10000;

std::string trim_copy(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && space(s.back()))
    s.remove_suffix(1);
  return std::string(s);
}

std::string required_dn(xml::Node e, const char* attr = "dn") {
  auto dn = e.attr(attr);
  if (!dn)
    throw DsmlError("<" + std::string(e.local_name()) + "> has no " + attr + " attribute");
  std::string error;
  if (!parse_dn(*dn, &error))
    throw DnError(error);
  return trim_copy(*dn);
}

std::vector<std::string> values_of(xml::Node e) {
  std::vector<std::string> out;
  for (auto child : e.elements()) {
    if (!child.is(kDsmlNs, "value"))
      throw DsmlError("unexpected <" + std::string(child.local_name()) + "> in <" +
                      std::string(e.local_name()) + ">");
    out.push_back(value_of(child));
  }
  return out;
}

std::string attribute_name(xml::Node e) {
  auto name = e.attr("name");
  if (!name || !is_attribute_description(*name))
    throw AttributeNameError("invalid attribute description \"" + name.value_or("") + "\"");
  return *name;
}

std::uint32_t max_int(xml::Node e, const char* attr) {
  auto v = e.attr(attr);
  if (!v)
    return 0;
  std::uint32_t n = 0;
  const auto t = trim_copy(*v);
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
  if (ec != std::errc() || p != t.data() + t.size() || n > 2147483647u)
    throw DsmlError(std::string(attr) + " must be an integer 0..2147483647, got \"" + *v + "\"");
  return n;
}

bool boolean(xml::Node e, const char* attr, bool dflt) {
  auto v = e.attr(attr);
  if (!v)
    return dflt;
  if (*v == "true" || *v == "1")
    return true;
  if (*v == "false" || *v == "0")
    return false;
  throw DsmlError(std::string(attr) + " must be true or false, got \"" + *v + "\"");
}

// [0-2].digits(.digits)*: DSMLv2's NumericOID.
bool is_numeric_oid(std::string_view s) {
  if (s.size() < 3 || s[0] < '0' || s[0] > '2' || s[1] != '.')
    return false;
  bool digit = false;
  for (const char c : s.substr(2)) {
    if (c == '.') {
      if (!digit)
        return false;
      digit = false;
    } else if (c >= '0' && c <= '9') {
      digit = true;
    } else {
      return false;
    }
  }
  return digit;
}

// An LDAP OCTET STRING in an xsd:anyType element (requestValue, response): decoded when typed
// xsd:base64Binary (throws on bad base64), the text for another xsi:type, otherwise the
// base64 decoding of the text; std::nullopt when untyped text is not base64.
std::optional<std::string> octets_of(xml::Node e) {
  if (e.attr_ns(kXsiNs, "type"))
    return value_of(e);
  return base64_decode(e.text(), Base64Alphabet::kStandard, /*skip_xml_space=*/true);
}

SearchRequest parse_search(xml::Node e) {
  SearchRequest r;
  r.dn = required_dn(e);
  const auto scope = e.attr("scope").value_or("");
  if (scope == "baseObject")
    r.scope = Scope::kBaseObject;
  else if (scope == "singleLevel")
    r.scope = Scope::kSingleLevel;
  else if (scope == "wholeSubtree")
    r.scope = Scope::kWholeSubtree;
  else
    throw DsmlError("scope must be baseObject, singleLevel or wholeSubtree, got \"" + scope + "\"");
  const auto deref = e.attr("derefAliases").value_or("");
  if (deref == "neverDerefAliases")
    r.deref = DerefAliases::kNever;
  else if (deref == "derefInSearching")
    r.deref = DerefAliases::kInSearching;
  else if (deref == "derefFindingBaseObj")
    r.deref = DerefAliases::kFindingBaseObj;
  else if (deref == "derefAlways")
    r.deref = DerefAliases::kAlways;
  else
    throw DsmlError("derefAliases must be one of the DSMLv2 values, got \"" + deref + "\"");
  r.size_limit = max_int(e, "sizeLimit");
  r.time_limit = max_int(e, "timeLimit");
  r.types_only = boolean(e, "typesOnly", false);
  auto filter = e.child(kDsmlNs, "filter");
  if (!filter)
    throw DsmlError("searchRequest has no <filter>");
  try {
    r.filter = parse_filter(filter);
  } catch (const DsmlError& err) {
    throw DsmlError(std::string("malformed filter: ") + err.what());
  }
  if (auto attrs = e.child(kDsmlNs, "attributes")) {
    for (auto a : attrs.elements()) {
      if (!a.is(kDsmlNs, "attribute"))
        throw DsmlError("unexpected <" + std::string(a.local_name()) + "> in <attributes>");
      auto name = a.attr("name").value_or("");
      // "*" and "1.1" are LDAP's "all user attributes" and "no attributes".
      if (name != "*" && name != "1.1" && !is_attribute_description(name))
        throw DsmlError("invalid attribute description \"" + name + "\" in <attributes>");
      r.attributes.push_back(std::move(name));
    }
  }
  return r;
}

AddRequest parse_add(xml::Node e) {
  AddRequest r;
  r.entry.dn = required_dn(e);
  for (auto a : e.elements()) {
    if (a.is(kDsmlNs, "control"))
      continue;
    if (!a.is(kDsmlNs, "attr"))
      throw DsmlError("unexpected <" + std::string(a.local_name()) + "> in <addRequest>");
    r.entry.add(attribute_name(a), values_of(a));
  }
  return r;
}

ModifyRequest parse_modify(xml::Node e) {
  ModifyRequest r;
  r.dn = required_dn(e);
  for (auto m : e.elements()) {
    if (m.is(kDsmlNs, "control"))
      continue;
    if (!m.is(kDsmlNs, "modification"))
      throw DsmlError("unexpected <" + std::string(m.local_name()) + "> in <modifyRequest>");
    Modification mod;
    mod.name = attribute_name(m);
    const auto op = m.attr("operation").value_or("");
    if (op == "add")
      mod.op = ModOp::kAdd;
    else if (op == "delete")
      mod.op = ModOp::kDelete;
    else if (op == "replace")
      mod.op = ModOp::kReplace;
    else
      throw DsmlError("modification operation must be add, delete or replace, got \"" + op + "\"");
    mod.values = values_of(m);
    if (mod.op == ModOp::kAdd && mod.values.empty())
      throw DsmlError("an add modification of " + mod.name + " needs at least one value");
    r.modifications.push_back(std::move(mod));
  }
  return r;
}

ModDnRequest parse_moddn(xml::Node e) {
  ModDnRequest r;
  r.dn = required_dn(e);
  const auto rdn = e.attr("newrdn");
  std::string error;
  if (!rdn)
    throw DsmlError("<modDNRequest> has no newrdn attribute");
  if (!parse_rdn(*rdn, &error))
    throw DnError("invalid newrdn \"" + *rdn + "\": " + error);
  r.new_rdn = trim_copy(*rdn);
  r.delete_old_rdn = boolean(e, "deleteoldrdn", true);
  if (e.attr("newSuperior"))
    r.new_superior = required_dn(e, "newSuperior");
  return r;
}

CompareRequest parse_compare(xml::Node e) {
  CompareRequest r;
  r.dn = required_dn(e);
  const auto assertions = e.children(kDsmlNs, "assertion");
  if (assertions.size() != 1)
    throw DsmlError("<compareRequest> needs exactly one <assertion>, found " +
                    std::to_string(assertions.size()));
  const auto a = assertions.front();
  r.attribute = attribute_name(a);
  const auto values = a.children(kDsmlNs, "value");
  if (values.size() != 1 || a.elements().size() != 1)
    throw DsmlError("<assertion> needs exactly one <value>");
  r.value = value_of(values.front());
  return r;
}

AbandonRequest parse_abandon(xml::Node e) {
  AbandonRequest r;
  auto id = e.attr("abandonID");
  if (!id)
    throw DsmlError("<abandonRequest> has no abandonID attribute");
  r.abandon_id = trim_copy(*id);
  if (r.abandon_id.empty())
    throw DsmlError("<abandonRequest> has an empty abandonID");
  return r;
}

ExtendedRequest parse_extended(xml::Node e) {
  ExtendedRequest r;
  const auto names = e.children(kDsmlNs, "requestName");
  if (names.size() != 1)
    throw DsmlError("<extendedRequest> needs exactly one <requestName>");
  r.name = trim_copy(names.front().text());
  if (!is_numeric_oid(r.name))
    throw DsmlError("requestName must be a numeric OID, got \"" + r.name + "\"");
  const auto values = e.children(kDsmlNs, "requestValue");
  if (values.size() > 1)
    throw DsmlError("<extendedRequest> has more than one <requestValue>");
  if (!values.empty()) {
    r.value = octets_of(values.front());
    if (!r.value)
      throw DsmlError("requestValue is not base64");
  }
  return r;
}

Request parse_request(xml::Node e) {
  const auto name = e.local_name();
  Operation op = Operation::kOther;
  if (name == "searchRequest")
    op = Operation::kSearch;
  else if (name == "addRequest")
    op = Operation::kAdd;
  else if (name == "modifyRequest")
    op = Operation::kModify;
  else if (name == "delRequest")
    op = Operation::kDel;
  else if (name == "modDNRequest")
    op = Operation::kModDn;
  else if (name == "compareRequest")
    op = Operation::kCompare;
  else if (name == "abandonRequest")
    op = Operation::kAbandon;
  else if (name == "extendedRequest")
    op = Operation::kExtended;
  const std::string request_id = e.attr("requestID").value_or("");
  if (e.ns() != kDsmlNs || op == Operation::kOther) {
    return InvalidRequest{Operation::kOther, request_id, ResultCode::kUnwillingToPerform,
                          "<" + std::string(name) + "> is not supported by this HPD directory"};
  }
  try {
    switch (op) {
      case Operation::kSearch: {
        auto r = parse_search(e);
        r.request_id = request_id;
        return r;
      }
      case Operation::kAdd: {
        auto r = parse_add(e);
        r.request_id = request_id;
        return r;
      }
      case Operation::kModify: {
        auto r = parse_modify(e);
        r.request_id = request_id;
        return r;
      }
      case Operation::kDel:
        return DelRequest{request_id, required_dn(e)};
      case Operation::kModDn: {
        auto r = parse_moddn(e);
        r.request_id = request_id;
        return r;
      }
      case Operation::kCompare: {
        auto r = parse_compare(e);
        r.request_id = request_id;
        return r;
      }
      case Operation::kAbandon: {
        auto r = parse_abandon(e);
        r.request_id = request_id;
        return r;
      }
      case Operation::kExtended: {
        auto r = parse_extended(e);
        r.request_id = request_id;
        return r;
      }
      case Operation::kOther:
        break;
    }
  } catch (const DnError& err) {
    return InvalidRequest{op, request_id, ResultCode::kInvalidDnSyntax, err.what()};
  } catch (const AttributeNameError& err) {
    return InvalidRequest{op, request_id, ResultCode::kUndefinedAttributeType, err.what()};
  } catch (const DsmlError& err) {
    return InvalidRequest{op, request_id, ResultCode::kProtocolError, err.what()};
  }
  return InvalidRequest{op, request_id, ResultCode::kProtocolError, "unsupported request"};
}

LdapResult parse_result(xml::Node e) {
  LdapResult r;
  r.request_id = e.attr("requestID").value_or("");
  r.matched_dn = e.attr("matchedDN").value_or("");
  auto code = e.child(kDsmlNs, "resultCode");
  if (!code)
    throw DsmlError("<" + std::string(e.local_name()) + "> has no <resultCode>");
  const auto text = trim_copy(code.attr("code").value_or(""));
  int n = -1;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p != text.data() + text.size())
    throw DsmlError("resultCode code is not an integer: \"" + text + "\"");
  auto known = result_from_int(n);
  r.code = known.value_or(ResultCode::kOther);
  if (auto msg = e.child(kDsmlNs, "errorMessage"))
    r.error_message = msg.text();
  return r;
}

xml::Node require_batch(xml::Node batch, std::string_view name) {
  if (!batch || !batch.is(kDsmlNs, name)) {
    throw DsmlError("expected a DSMLv2 " + std::string(name) + " (" + std::string(kDsmlNs) +
                    "), got <" + std::string(batch ? batch.local_name() : "") + ">");
  }
  return batch;
}

}  // namespace

std::string value_of(xml::Node value) {
  const auto type = value.attr_ns(kXsiNs, "type");
  if (type) {
    const auto colon = type->find(':');
    const std::string local = colon == std::string::npos ? *type : type->substr(colon + 1);
    if (local == "base64Binary") {
      auto bytes = base64_decode(value.text(), Base64Alphabet::kStandard, /*skip_xml_space=*/true);
      if (!bytes)
        throw DsmlError("invalid base64 value");
      return std::move(*bytes);
    }
  }
  return trim_copy(value.text());
}

BatchRequest parse_batch_request(xml::Node batch) {
  require_batch(batch, "batchRequest");
  BatchRequest b;
  b.request_id = batch.attr("requestID").value_or("");
  const auto processing = batch.attr("processing").value_or("sequential");
  if (processing != "sequential" && processing != "parallel")
    throw DsmlError("processing must be sequential or parallel, got \"" + processing + "\"");
  b.parallel = processing == "parallel";
  const auto order = batch.attr("responseOrder").value_or("sequential");
  if (order != "sequential" && order != "unordered")
    throw DsmlError("responseOrder must be sequential or unordered, got \"" + order + "\"");
  b.unordered = order == "unordered";
  const auto on_error = batch.attr("onError").value_or("exit");
  if (on_error != "exit" && on_error != "resume")
    throw DsmlError("onError must be exit or resume, got \"" + on_error + "\"");
  b.on_error = on_error == "resume" ? OnError::kResume : OnError::kExit;
  for (auto e : batch.elements()) {
    if (b.requests.size() >= kMaxRequests)
      throw DsmlError("a batch holds at most " + std::to_string(kMaxRequests) + " requests");
    if (e.is(kDsmlNs, "authRequest"))
      continue;  // the caller is authenticated by mutual TLS
    b.requests.push_back(parse_request(e));
  }
  return b;
}

BatchRequest parse_batch_request(std::string_view xml_text) {
  auto doc = xml::parse(xml_text);
  return parse_batch_request(doc.root());
}

BatchResponse parse_batch_response(xml::Node batch) {
  require_batch(batch, "batchResponse");
  BatchResponse b;
  b.request_id = batch.attr("requestID").value_or("");
  for (auto e : batch.elements()) {
    if (e.ns() != kDsmlNs)
      throw DsmlError("unexpected <" + std::string(e.local_name()) + "> in <batchResponse>");
    const auto name = e.local_name();
    if (name == "searchResponse") {
      SearchResponse s;
      s.request_id = e.attr("requestID").value_or("");
      bool done = false;
      for (auto c : e.elements()) {
        if (c.is(kDsmlNs, "searchResultEntry")) {
          Entry entry;
          entry.dn = c.attr("dn").value_or("");
          for (auto a : c.children(kDsmlNs, "attr"))
            entry.add(a.attr("name").value_or(""), values_of(a));
          s.entries.push_back(std::move(entry));
        } else if (c.is(kDsmlNs, "searchResultDone")) {
          s.done = parse_result(c);
          done = true;
        }
      }
      if (!done)
        throw DsmlError("<searchResponse> has no <searchResultDone>");
      b.responses.push_back(std::move(s));
    } else if (name == "extendedResponse") {
      ExtendedResponse x;
      x.result = parse_result(e);
      if (auto n = e.child(kDsmlNs, "responseName"))
        x.name = trim_copy(n.text());
      if (auto v = e.child(kDsmlNs, "response")) {
        x.value = octets_of(v);
        if (!x.value)
          x.value = trim_copy(v.text());  // lenient: a peer's plain text
      }
      b.responses.push_back(std::move(x));
    } else if (name == "errorResponse") {
      ErrorResponse r;
      r.request_id = e.attr("requestID").value_or("");
      const auto type = e.attr("type").value_or("other");
      for (auto t :
           {ErrorType::kNotAttempted, ErrorType::kCouldNotConnect, ErrorType::kConnectionClosed,
            ErrorType::kMalformedRequest, ErrorType::kGatewayInternalError,
            ErrorType::kAuthenticationFailed, ErrorType::kUnresolvableUri, ErrorType::kOther}) {
        if (to_string(t) == type)
          r.type = t;
      }
      if (auto m = e.child(kDsmlNs, "message"))
        r.message = m.text();
      b.responses.push_back(std::move(r));
    } else {
      OperationResponse r;
      if (name == "addResponse")
        r.operation = Operation::kAdd;
      else if (name == "modifyResponse")
        r.operation = Operation::kModify;
      else if (name == "delResponse")
        r.operation = Operation::kDel;
      else if (name == "modDNResponse")
        r.operation = Operation::kModDn;
      else if (name == "compareResponse")
        r.operation = Operation::kCompare;
      else
        throw DsmlError("unexpected <" + std::string(name) + "> in <batchResponse>");
      r.result = parse_result(e);
      b.responses.push_back(std::move(r));
    }
  }
  return b;
}

BatchResponse parse_batch_response(std::string_view xml_text) {
  auto doc = xml::parse(xml_text);
  return parse_batch_response(doc.root());
}

}  // namespace hareyaka::hpd::dsml
