// XPath 1.0 over a Document with registered namespace prefixes, so that expressions are
// namespace-correct whatever prefixes the sender chose: register "hl7" once and
// "//hl7:patientIdentifier/hl7:value" matches <value>, <ns1:value> or <urn:value> alike.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/xml/document.hpp"

struct _xmlXPathContext;

namespace hareyaka::xml {

using Prefixes = std::vector<std::pair<std::string, std::string>>;  // {prefix, namespace URI}

class XPath {
 public:
  XPath(const Document& doc, const Prefixes& prefixes);
  ~XPath();
  XPath(const XPath&) = delete;
  XPath& operator=(const XPath&) = delete;

  // Element nodes selected by `expr`, evaluated at `context` (the root when empty). A bad
  // expression throws XmlException.
  std::vector<Node> nodes(std::string_view expr, Node context = {}) const;
  // The XPath string() of the expression's result; empty optional when it selects nothing.
  std::optional<std::string> string(std::string_view expr, Node context = {}) const;
  std::size_t count(std::string_view expr, Node context = {}) const;

 private:
  const Document& doc_;
  _xmlXPathContext* ctx_;
};

}  // namespace hareyaka::xml
