#include "tests/pix/schema_support.hpp"

#include <map>
#include <mutex>
#include <regex>
#include <stdexcept>

#include "proto/hl7v3/soap.hpp"
#include "proto/xml/schema.hpp"
#include "tests/support/data.hpp"

namespace hareyaka::testing {

std::string ihe_dir() {
  return test_data_dir() + "/ihe";
}

std::vector<std::string> validate_hl7(xml::Node root) {
  static std::mutex mu;
  static std::map<std::string, xml::Schema> schemas;
  const std::string name(root.local_name());
  std::lock_guard lock(mu);
  auto it = schemas.find(name);
  if (it == schemas.end()) {
    it = schemas
             .emplace(name,
                      xml::Schema::load(ihe_dir() + "/schemas/HL7V3/NE2008/multicacheschemas/" +
                                        name + ".xsd"))
             .first;
  }
  std::vector<std::string> out;
  for (const auto& e : it->second.validate(xml::Document::copy_of(root))) {
    out.push_back(std::to_string(e.line) + ": " + e.message);
  }
  return out;
}

std::vector<std::string> validate_hl7_text(const std::string& text) {
  xml::Document doc = xml::parse(text);
  xml::Node root = doc.root();
  if (root.is(hl7v3::kSoap12Ns, "Envelope")) {
    root = root.child(hl7v3::kSoap12Ns, "Body").elements().at(0);
  }
  return validate_hl7(root);
}

std::vector<std::string> validate_xds_text(const std::string& text) {
  static const std::regex kInclude("<xop:Include[^>]*/>");
  xml::Document doc = xml::parse(std::regex_replace(text, kInclude, "AA=="));
  xml::Node root = doc.root();
  if (root.is(hl7v3::kSoap12Ns, "Envelope"))
    root = root.child(hl7v3::kSoap12Ns, "Body").elements().at(0);
  static std::mutex mu;
  static std::map<std::string, xml::Schema> schemas;
  const std::string file =
      root.ns() == "urn:ihe:iti:xds-b:2007" ? "IHE/hareyaka-xdsb.xsd" : "ebRS30/query.xsd";
  std::lock_guard lock(mu);
  auto it = schemas.find(file);
  if (it == schemas.end())
    it = schemas.emplace(file, xml::Schema::load(ihe_dir() + "/schemas/XDS/" + file)).first;
  std::vector<std::string> out;
  for (const auto& e : it->second.validate(xml::Document::copy_of(root)))
    out.push_back(std::to_string(e.line) + ": " + e.message);
  return out;
}

}  // namespace hareyaka::testing
