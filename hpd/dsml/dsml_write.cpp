// DSMLv2 batchRequest and batchResponse writing.
#include "hpd/dsml/dsml_internal.hpp"
#include "proto/encoding/base64.hpp"

namespace hareyaka::hpd::dsml {
namespace {

constexpr std::string_view kP = "dsml";

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size())
      return false;
    for (int k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2)
        return false;
    }
    if (len == 1 && c < 0x20 && c != '\t' && c != '\n' && c != '\r')
      return false;
    i += len;
  }
  return true;
}

void write_value(xml::Writer& w, std::string_view element, std::string_view v) {
  w.start(element, kP);
  if (needs_base64(v)) {
    w.attr_ns("xsi", "type", "xsd:base64Binary").text(base64_encode(v));
  } else {
    w.text(v);
  }
  w.end();
}

// An LDAP OCTET STRING in an xsd:anyType element (requestValue, response): always base64, so
// that any bytes travel and the reader need not guess.
void write_octets(xml::Writer& w, std::string_view element, std::string_view v) {
  w.start(element, kP).attr_ns("xsi", "type", "xsd:base64Binary").text(base64_encode(v)).end();
}

void write_attr(xml::Writer& w, std::string_view element, const Attribute& a) {
  w.start(element, kP).attr("name", a.name);
  for (const auto& v : a.values)
    write_value(w, "value", v);
  w.end();
}

void open_batch(xml::Writer& w, std::string_view name, const std::string& request_id) {
  w.start_ns(kP, name, kDsmlNs);
  w.declare("xsi", "http://www.w3.org/2001/XMLSchema-instance");
  w.declare("xsd", "http://www.w3.org/2001/XMLSchema");
  if (!request_id.empty())
    w.attr("requestID", request_id);
}

void write_filter(xml::Writer& w, const Filter& f) {
  switch (f.kind) {
    case Filter::Kind::kAnd:
    case Filter::Kind::kOr:
      w.start(f.kind == Filter::Kind::kAnd ? "and" : "or", kP);
      for (const auto& c : f.children)
        write_filter(w, c);
      w.end();
      return;
    case Filter::Kind::kNot:
      w.start("not", kP);
      if (!f.children.empty())
        write_filter(w, f.children.front());
      w.end();
      return;
    case Filter::Kind::kPresent:
      w.start("present", kP).attr("name", f.attribute).end();
      return;
    case Filter::Kind::kSubstrings:
      w.start("substrings", kP).attr("name", f.attribute);
      if (f.initial)
        write_value(w, "initial", *f.initial);
      for (const auto& a : f.any)
        write_value(w, "any", a);
      if (f.final_part)
        write_value(w, "final", *f.final_part);
      w.end();
      return;
    case Filter::Kind::kEqualityMatch:
    case Filter::Kind::kGreaterOrEqual:
    case Filter::Kind::kLessOrEqual:
    case Filter::Kind::kApproxMatch: {
      const char* name = f.kind == Filter::Kind::kEqualityMatch    ? "equalityMatch"
                         : f.kind == Filter::Kind::kGreaterOrEqual ? "greaterOrEqual"
                         : f.kind == Filter::Kind::kLessOrEqual    ? "lessOrEqual"
                                                                   : "approxMatch";
      w.start(name, kP).attr("name", f.attribute);
      write_value(w, "value", f.value);
      w.end();
      return;
    }
  }
}

void write_request(xml::Writer& w, const Request& r) {
  auto id = [&w](const std::string& request_id) {
    if (!request_id.empty())
      w.attr("requestID", request_id);
  };
  if (auto* s = std::get_if<SearchRequest>(&r)) {
    w.start("searchRequest", kP);
    id(s->request_id);
    w.attr("dn", s->dn)
        .attr("scope", to_string(s->scope))
        .attr("derefAliases", to_string(s->deref));
    if (s->size_limit)
      w.attr("sizeLimit", std::to_string(s->size_limit));
    if (s->time_limit)
      w.attr("timeLimit", std::to_string(s->time_limit));
    if (s->types_only)
      w.attr("typesOnly", "true");
    w.start("filter", kP);
    write_filter(w, s->filter);
    w.end();
    if (!s->attributes.empty()) {
      w.start("attributes", kP);
      for (const auto& a : s->attributes)
        w.start("attribute", kP).attr("name", a).end();
      w.end();
    }
    w.end();
  } else if (auto* a = std::get_if<AddRequest>(&r)) {
    w.start("addRequest", kP);
    id(a->request_id);
    w.attr("dn", a->entry.dn);
    for (const auto& at : a->entry.attrs)
      write_attr(w, "attr", at);
    w.end();
  } else if (auto* m = std::get_if<ModifyRequest>(&r)) {
    w.start("modifyRequest", kP);
    id(m->request_id);
    w.attr("dn", m->dn);
    for (const auto& mod : m->modifications) {
      w.start("modification", kP).attr("name", mod.name).attr("operation", to_string(mod.op));
      for (const auto& v : mod.values)
        write_value(w, "value", v);
      w.end();
    }
    w.end();
  } else if (auto* d = std::get_if<DelRequest>(&r)) {
    w.start("delRequest", kP);
    id(d->request_id);
    w.attr("dn", d->dn).end();
  } else if (auto* md = std::get_if<ModDnRequest>(&r)) {
    w.start("modDNRequest", kP);
    id(md->request_id);
    w.attr("dn", md->dn).attr("newrdn", md->new_rdn);
    w.attr("deleteoldrdn", md->delete_old_rdn ? "true" : "false");
    if (md->new_superior)
      w.attr("newSuperior", *md->new_superior);
    w.end();
  } else if (auto* c = std::get_if<CompareRequest>(&r)) {
    w.start("compareRequest", kP);
    id(c->request_id);
    w.attr("dn", c->dn);
    w.start("assertion", kP).attr("name", c->attribute);
    write_value(w, "value", c->value);
    w.end();
    w.end();
  } else if (auto* ab = std::get_if<AbandonRequest>(&r)) {
    w.start("abandonRequest", kP);
    id(ab->request_id);
    w.attr("abandonID", ab->abandon_id).end();
  } else if (auto* x = std::get_if<ExtendedRequest>(&r)) {
    w.start("extendedRequest", kP);
    id(x->request_id);
    w.element("requestName", x->name, kP);
    if (x->value)
      write_octets(w, "requestValue", *x->value);
    w.end();
  }
  // An InvalidRequest has no wire form: it is what we could not read.
}

// Opens the element and writes the LDAPResult content; the caller ends the element.
void open_result(xml::Writer& w, std::string_view element, const LdapResult& r) {
  w.start(element, kP);
  if (!r.request_id.empty())
    w.attr("requestID", r.request_id);
  if (!r.matched_dn.empty())
    w.attr("matchedDN", r.matched_dn);
  w.start("resultCode", kP).attr("code", std::to_string(static_cast<int>(r.code)));
  if (auto name = result_name(r.code); !name.empty())
    w.attr("descr", name);
  w.end();
  if (!r.error_message.empty())
    w.element("errorMessage", r.error_message, kP);
}

void write_result(xml::Writer& w, std::string_view element, const LdapResult& r) {
  open_result(w, element, r);
  w.end();
}

void write_response(xml::Writer& w, const Response& r) {
  if (auto* s = std::get_if<SearchResponse>(&r)) {
    w.start("searchResponse", kP);
    if (!s->request_id.empty())
      w.attr("requestID", s->request_id);
    for (const auto& e : s->entries) {
      w.start("searchResultEntry", kP).attr("dn", e.dn);
      for (const auto& a : e.attrs)
        write_attr(w, "attr", a);
      w.end();
    }
    write_result(w, "searchResultDone", s->done);
    w.end();
  } else if (auto* o = std::get_if<OperationResponse>(&r)) {
    write_result(w, response_element(o->operation), o->result);
  } else if (auto* x = std::get_if<ExtendedResponse>(&r)) {
    open_result(w, "extendedResponse", x->result);
    if (x->name)
      w.element("responseName", *x->name, kP);
    if (x->value)
      write_octets(w, "response", *x->value);
    w.end();
  } else if (auto* e = std::get_if<ErrorResponse>(&r)) {
    w.start("errorResponse", kP);
    if (!e->request_id.empty())
      w.attr("requestID", e->request_id);
    w.attr("type", to_string(e->type));
    if (!e->message.empty())
      w.element("message", e->message, kP);
    w.end();
  }
}

}  // namespace

bool needs_base64(std::string_view v) {
  return !valid_utf8(v);
}

void write_batch_request(xml::Writer& w, const BatchRequest& batch) {
  open_batch(w, "batchRequest", batch.request_id);
  if (batch.parallel)
    w.attr("processing", "parallel");
  if (batch.unordered)
    w.attr("responseOrder", "unordered");
  w.attr("onError", batch.on_error == OnError::kResume ? "resume" : "exit");
  for (const auto& r : batch.requests)
    write_request(w, r);
  w.end();
}

std::string write_batch_request(const BatchRequest& batch) {
  xml::Writer w;
  write_batch_request(w, batch);
  return w.finish();
}

void write_batch_response(xml::Writer& w, const BatchResponse& batch) {
  open_batch(w, "batchResponse", batch.request_id);
  for (const auto& r : batch.responses)
    write_response(w, r);
  w.end();
}

std::string write_batch_response(const BatchResponse& batch) {
  xml::Writer w;
  write_batch_response(w, batch);
  return w.finish();
}

}  // namespace hareyaka::hpd::dsml
