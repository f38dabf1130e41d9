// Validation of written HL7 V3 messages against the NE2008 multicache schemas, one compiled
// schema per interaction, cached for the test binary.
#pragma once

#include <string>
#include <vector>

#include "proto/xml/document.hpp"
#include "tests/support/process.hpp"  // read_file

namespace hareyaka::testing {

std::string ihe_dir();  // tests/data/ihe

// Validates the HL7 message `root` (its element name selects the schema); returns the
// errors as "line: message" strings (empty when valid).
std::vector<std::string> validate_hl7(xml::Node root);
// Finds the payload inside a SOAP envelope (or takes the root) and validates it.
std::vector<std::string> validate_hl7_text(const std::string& xml);
// Validates an XDS.b / XCA message (ebRS 3.0 query and rs namespaces, or urn:ihe:iti:xds-b:2007)
// against the vendored ebRS 3.0 and IHEXDSB schemas, after taking the payload out of a SOAP
// envelope. An MTOM document reference (xop:Include) stands for its base64 content, as the XOP
// infoset says, so it is validated as such.
std::vector<std::string> validate_xds_text(const std::string& xml);

}  // namespace hareyaka::testing
