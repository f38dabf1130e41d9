// W3C XML Schema validation (libxml2's xmlschemas), for tests and conformance tools: every
// HL7 V3 message we write must validate against the HL7 NE2008 multicache schemas.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "proto/xml/document.hpp"

struct _xmlSchema;

namespace hareyaka::xml {

class Schema {
 public:
  // Loads and compiles an .xsd file (its includes are read from local files only). Throws
  // XmlException when the schema cannot be compiled.
  static Schema load(const std::string& path);
  // Every validity error (line, message); empty when the document is valid.
  std::vector<XmlError> validate(const Document& doc) const;

 private:
  std::shared_ptr<_xmlSchema> schema_;
};

}  // namespace hareyaka::xml
