// A parsed XML document and namespace-aware navigation over its elements. parse() is the
// only way in: no network, no DTD (a DOCTYPE is refused outright, so neither external
// entities nor entity expansion bombs can reach the parser), a size limit, and libxml2's
// errors returned as an XmlException carrying the line and message.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/xml/error_capture.hpp"

struct _xmlNode;
struct _xmlDoc;

namespace hareyaka::xml {

struct ParseLimits {
  std::size_t max_bytes = 8 * 1024 * 1024;
};

// A non-owning handle on an element of a Document; empty (false) when not found.
class Node {
 public:
  Node() = default;
  explicit Node(_xmlNode* n) : node_(n) {}

  explicit operator bool() const { return node_ != nullptr; }
  std::string_view local_name() const;
  std::string_view ns() const;  // namespace URI, empty when none
  bool is(std::string_view ns, std::string_view local) const;

  // First element child with this namespace URI and local name (any prefix).
  Node child(std::string_view ns, std::string_view local) const;
  std::vector<Node> children(std::string_view ns, std::string_view local) const;
  std::vector<Node> elements() const;  // every element child
  Node parent() const;

  std::optional<std::string> attr(std::string_view name) const;  // unqualified attribute
  std::optional<std::string> attr_ns(std::string_view ns, std::string_view name) const;
  std::string text() const;  // concatenated text content of the subtree
  int line() const;

  // The element's location as an XPath of local names, with [n] where a name repeats among
  // siblings, e.g.
  // /PRPA_IN201309UV02/controlActProcess/queryByParameter/parameterList/dataSource[2]/value
  std::string path() const;
  // Resolves a QName attribute value ("ns1:INT", "INT") against the namespaces in scope:
  // returns {namespace URI, local name}; an unknown prefix gives an empty optional.
  std::optional<std::pair<std::string, std::string>> resolve_qname(std::string_view qname) const;
  // The subtree as an XML string (with the namespace declarations it needs).
  std::string serialize() const;

  _xmlNode* raw() const { return node_; }

 private:
  _xmlNode* node_ = nullptr;
};

class Document {
 public:
  Document() = default;
  explicit Document(_xmlDoc* doc);
  Node root() const;
  _xmlDoc* raw() const { return doc_.get(); }
  // A standalone document holding a deep copy of `node` (e.g. the payload of a SOAP Body,
  // to validate it against its schema).
  static Document copy_of(Node node);
  std::string serialize() const;

 private:
  struct Free {
    void operator()(_xmlDoc* d) const;
  };
  std::unique_ptr<_xmlDoc, Free> doc_;
};

// Parses `text`; throws XmlException (line, message) on any error, including a DOCTYPE.
Document parse(std::string_view text, const ParseLimits& limits = {});

}  // namespace hareyaka::xml
