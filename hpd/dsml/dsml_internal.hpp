// Helpers shared by the DSMLv2 parser and writer (not part of the public API).
#pragma once

#include <string>
#include <string_view>

#include "hpd/dsml/dsml.hpp"

namespace hareyaka::hpd::dsml {

// The AttributeDescriptionValue pattern of DSMLv2.xsd: a name or numeric OID plus ;options.
bool is_attribute_description(std::string_view s);
// The text of a <value> (or <initial>/<any>/<final>): base64-decoded when
// xsi:type="xsd:base64Binary", otherwise trimmed of leading and trailing white space.
// Throws DsmlError on bad base64.
std::string value_of(xml::Node value);
// True when a value must travel as base64 (not valid UTF-8 text for XML 1.0).
bool needs_base64(std::string_view v);

}  // namespace hareyaka::hpd::dsml

namespace hareyaka::hpd::dsml {

// Parser-internal refinements of DsmlError that pick the resultCode of an InvalidRequest.
class DnError : public DsmlError {
 public:
  using DsmlError::DsmlError;
};
class AttributeNameError : public DsmlError {
 public:
  using DsmlError::DsmlError;
};

}  // namespace hareyaka::hpd::dsml
