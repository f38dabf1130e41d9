#include "proto/xml/xpath.hpp"

#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <memory>

namespace hareyaka::xml {
namespace {

const xmlChar* x(const std::string& s) {
  return reinterpret_cast<const xmlChar*>(s.c_str());
}

using ObjectPtr = std::unique_ptr<xmlXPathObject, void (*)(xmlXPathObjectPtr)>;

ObjectPtr evaluate(xmlXPathContextPtr ctx, const Document& doc, std::string_view expr,
                   Node context) {
  ErrorCapture capture;
  ctx->node = context ? context.raw() : reinterpret_cast<xmlNodePtr>(doc.raw());
  const std::string e(expr);
  ObjectPtr obj(xmlXPathEvalExpression(x(e), ctx), xmlXPathFreeObject);
  if (!obj)
    throw XmlException(capture.first_or("invalid XPath expression: " + e));
  return obj;
}

}  // namespace

XPath::XPath(const Document& doc, const Prefixes& prefixes)
    : doc_(doc), ctx_(xmlXPathNewContext(doc.raw())) {
  if (!ctx_)
    throw XmlException({0, "cannot create XPath context"});
  for (const auto& [prefix, uri] : prefixes)
    xmlXPathRegisterNs(ctx_, x(prefix), x(uri));
}

XPath::~XPath() {
  xmlXPathFreeContext(ctx_);
}

std::vector<Node> XPath::nodes(std::string_view expr, Node context) const {
  auto obj = evaluate(ctx_, doc_, expr, context);
  std::vector<Node> out;
  if (obj->type != XPATH_NODESET || !obj->nodesetval)
    return out;
  for (int i = 0; i < obj->nodesetval->nodeNr; ++i) {
    xmlNodePtr n = obj->nodesetval->nodeTab[i];
    if (n->type == XML_ELEMENT_NODE)
      out.emplace_back(n);
  }
  return out;
}

std::optional<std::string> XPath::string(std::string_view expr, Node context) const {
  auto obj = evaluate(ctx_, doc_, expr, context);
  if (obj->type == XPATH_NODESET && (!obj->nodesetval || obj->nodesetval->nodeNr == 0)) {
    return std::nullopt;
  }
  xmlChar* s = xmlXPathCastToString(obj.get());
  std::string out(s ? reinterpret_cast<const char*>(s) : "");
  xmlFree(s);
  return out;
}

std::size_t XPath::count(std::string_view expr, Node context) const {
  auto obj = evaluate(ctx_, doc_, expr, context);
  if (obj->type == XPATH_NODESET)
    return obj->nodesetval ? obj->nodesetval->nodeNr : 0;
  return 0;
}

}  // namespace hareyaka::xml
