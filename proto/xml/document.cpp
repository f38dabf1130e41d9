#include "proto/xml/document.hpp"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include <climits>

namespace hareyaka::xml {
namespace {

std::string_view sv(const xmlChar* s) {
  return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view();
}

// Set by the SAX hooks below while parse() runs on this thread.
thread_local bool tl_saw_doctype = false;

void refuse_subset(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  tl_saw_doctype = true;
  xmlStopParser(static_cast<xmlParserCtxtPtr>(ctx));
}

bool is_element(xmlNode* n) {
  return n && n->type == XML_ELEMENT_NODE;
}

}  // namespace

std::string_view Node::local_name() const {
  return node_ ? sv(node_->name) : std::string_view();
}

std::string_view Node::ns() const {
  return node_ && node_->ns ? sv(node_->ns->href) : std::string_view();
}

bool Node::is(std::string_view ns_uri, std::string_view local) const {
  return node_ && local_name() == local && ns() == ns_uri;
}

Node Node::child(std::string_view ns_uri, std::string_view local) const {
  if (!node_)
    return {};
  for (xmlNode* c = node_->children; c; c = c->next) {
    if (is_element(c) && Node(c).is(ns_uri, local))
      return Node(c);
  }
  return {};
}

std::vector<Node> Node::children(std::string_view ns_uri, std::string_view local) const {
  std::vector<Node> out;
  if (!node_)
    return out;
  for (xmlNode* c = node_->children; c; c = c->next) {
    if (is_element(c) && Node(c).is(ns_uri, local))
      out.emplace_back(c);
  }
  return out;
}

std::vector<Node> Node::elements() const {
  std::vector<Node> out;
  if (!node_)
    return out;
  for (xmlNode* c = node_->children; c; c = c->next) {
    if (is_element(c))
      out.emplace_back(c);
  }
  return out;
}

Node Node::parent() const {
  if (!node_ || !is_element(node_->parent))
    return {};
  return Node(node_->parent);
}

std::optional<std::string> Node::attr(std::string_view name) const {
  if (!node_)
    return std::nullopt;
  const std::string n(name);
  xmlChar* v = xmlGetNoNsProp(node_, reinterpret_cast<const xmlChar*>(n.c_str()));
  if (!v)
    return std::nullopt;
  std::string out(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return out;
}

std::optional<std::string> Node::attr_ns(std::string_view ns_uri, std::string_view name) const {
  if (!node_)
    return std::nullopt;
  const std::string n(name), u(ns_uri);
  xmlChar* v = xmlGetNsProp(node_, reinterpret_cast<const xmlChar*>(n.c_str()),
                            reinterpret_cast<const xmlChar*>(u.c_str()));
  if (!v)
    return std::nullopt;
  std::string out(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return out;
}

std::string Node::text() const {
  if (!node_)
    return {};
  xmlChar* v = xmlNodeGetContent(node_);
  if (!v)
    return {};
  std::string out(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return out;
}

int Node::line() const {
  return node_ ? static_cast<int>(xmlGetLineNo(node_)) : 0;
}

std::string Node::path() const {
  std::vector<std::string> steps;
  for (xmlNode* n = node_; is_element(n); n = n->parent) {
    int index = 0, same = 0;
    if (is_element(n->parent)) {
      for (xmlNode* s = n->parent->children; s; s = s->next) {
        if (!is_element(s) || !Node(s).is(Node(n).ns(), sv(n->name)))
          continue;
        ++same;
        if (s == n)
          index = same;
      }
    }
    std::string step(sv(n->name));
    if (same > 1)
      step += "[" + std::to_string(index) + "]";
    steps.push_back(std::move(step));
  }
  std::string out;
  for (auto it = steps.rbegin(); it != steps.rend(); ++it)
    out += "/" + *it;
  return out;
}

std::optional<std::pair<std::string, std::string>> Node::resolve_qname(
    std::string_view qname) const {
  if (!node_)
    return std::nullopt;
  std::string prefix, local(qname);
  if (auto colon = qname.find(':'); colon != std::string_view::npos) {
    prefix = std::string(qname.substr(0, colon));
    local = std::string(qname.substr(colon + 1));
  }
  xmlNs* ns =
      xmlSearchNs(node_->doc, node_,
                  prefix.empty() ? nullptr : reinterpret_cast<const xmlChar*>(prefix.c_str()));
  if (!ns) {
    if (!prefix.empty())
      return std::nullopt;
    return std::make_pair(std::string(), local);
  }
  return std::make_pair(std::string(sv(ns->href)), local);
}

std::string Node::serialize() const {
  if (!node_)
    return {};
  xmlBufferPtr buf = xmlBufferCreate();
  xmlNodeDump(buf, node_->doc, node_, 0, 0);
  std::string out(reinterpret_cast<const char*>(xmlBufferContent(buf)),
                  static_cast<std::size_t>(xmlBufferLength(buf)));
  xmlBufferFree(buf);
  return out;
}

void Document::Free::operator()(_xmlDoc* d) const {
  xmlFreeDoc(d);
}

Document::Document(_xmlDoc* doc) : doc_(doc) {}

Node Document::root() const {
  return doc_ ? Node(xmlDocGetRootElement(doc_.get())) : Node();
}

Document Document::copy_of(Node node) {
  xmlDocPtr doc = xmlNewDoc(reinterpret_cast<const xmlChar*>("1.0"));
  xmlNodePtr copy = xmlDocCopyNode(node.raw(), doc, 1);
  xmlDocSetRootElement(doc, copy);
  // Namespaces declared on ancestors of `node` were copied as needed by xmlDocCopyNode;
  // reconcile makes the copy self-contained.
  xmlReconciliateNs(doc, copy);
  return Document(doc);
}

std::string Document::serialize() const {
  if (!doc_)
    return {};
  xmlChar* mem = nullptr;
  int size = 0;
  xmlDocDumpMemoryEnc(doc_.get(), &mem, &size, "UTF-8");
  std::string out(reinterpret_cast<const char*>(mem), static_cast<std::size_t>(size));
  xmlFree(mem);
  return out;
}

Document parse(std::string_view text, const ParseLimits& limits) {
  if (text.size() > limits.max_bytes || text.size() > static_cast<std::size_t>(INT_MAX)) {
    throw XmlException({0, "document larger than " + std::to_string(limits.max_bytes) + " bytes"});
  }
  if (text.empty())
    throw XmlException({0, "empty document"});
  ErrorCapture capture;
  std::unique_ptr<xmlParserCtxt, void (*)(xmlParserCtxtPtr)> ctxt(xmlNewParserCtxt(),
                                                                  xmlFreeParserCtxt);
  if (!ctxt)
    throw XmlException({0, "out of memory"});
  // A DOCTYPE is where external entities and entity expansion live; HL7 V3, SOAP and DSML
  // never need one, so the parser stops at the first sight of it.
  ctxt->sax->internalSubset = refuse_subset;
  ctxt->sax->externalSubset = refuse_subset;
  tl_saw_doctype = false;
  // Not XML_PARSE_NOENT (no entity substitution), not DTDLOAD/DTDATTR/DTDVALID, not HUGE
  // (keeps libxml2's depth and text-size limits).
  const int options = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOWARNING;
  xmlDocPtr doc = xmlCtxtReadMemory(ctxt.get(), text.data(), static_cast<int>(text.size()), nullptr,
                                    nullptr, options);
  const bool saw_doctype = tl_saw_doctype;
  tl_saw_doctype = false;
  if (saw_doctype) {
    if (doc)
      xmlFreeDoc(doc);
    throw XmlException({ctxt->input ? ctxt->input->line : 0, "DOCTYPE is not allowed"});
  }
  if (!doc || !ctxt->wellFormed) {
    if (doc)
      xmlFreeDoc(doc);
    throw XmlException(capture.first_or("document is not well-formed XML"));
  }
  Document out(doc);
  if (!out.root())
    throw XmlException({0, "document has no root element"});
  return out;
}

}  // namespace hareyaka::xml
