// HL7 V3 data types used by PIX V3 and PDQ V3 (II, PN, AD, TEL, TS, CE as plain structs),
// their parsing from any-prefix XML and their writing, and the error a message parser
// throws when a required part is missing, with the XPath location IHE asks for.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "proto/xml/document.hpp"
#include "proto/xml/writer.hpp"

namespace hareyaka::hl7v3 {

inline constexpr std::string_view kHl7Ns = "urn:hl7-org:v3";
inline constexpr std::string_view kXsiNs = "http://www.w3.org/2001/XMLSchema-instance";
inline constexpr std::string_view kInteractionRoot = "2.16.840.1.113883.1.6";

// A message whose XML is well-formed but whose HL7 content is not usable. `location` is the
// XPath of the offending element; `code` an HL7 AcknowledgementDetailCode (SYN1xx).
class MessageError : public std::runtime_error {
 public:
  MessageError(std::string code, std::string text, std::string location)
      : std::runtime_error(text), code_(std::move(code)), location_(std::move(location)) {}
  const std::string& code() const { return code_; }
  const std::string& location() const { return location_; }

 private:
  std::string code_;
  std::string location_;
};

inline constexpr std::string_view kRequiredMissing = "SYN105";  // required element missing
inline constexpr std::string_view kDataTypeError = "SYN102";

// II: an instance identifier. For a patient id, root is the assigning authority OID and
// extension the local id.
struct Ii {
  std::string root;
  std::string extension;
  std::string assigning_authority_name;
  bool operator==(const Ii& o) const { return root == o.root && extension == o.extension; }
};

// Name use as in HL7 EntityNameUse; Japanese messages carry the kanji form as IDE
// (ideographic) and the kana form as SYL (syllabic).
enum class NameUse { kUnspecified, kIdeographic, kSyllabic, kAlphabetic, kLegal, kOther };

struct PersonName {
  NameUse use = NameUse::kUnspecified;
  std::string family;
  std::string given;  // several <given> parts joined with one space
  std::string text;   // the name as free text when it had no parts
};

struct Address {
  std::string street;  // streetAddressLine parts joined with a space
  std::string city;
  std::string state;
  std::string postal_code;
  std::string country;
};

enum class Sex { kUnknown, kMale, kFemale, kOther };
std::string_view to_code(Sex s);  // "M", "F", "UN", "O"
Sex sex_from_code(std::string_view code);

// The patient as it appears in a feed or a query response.
struct Patient {
  std::vector<Ii> ids;  // patient.id (one per domain)
  std::string status = "active";
  std::vector<PersonName> names;
  Sex sex = Sex::kUnknown;
  std::string birth_date;  // YYYYMMDD (or a shorter HL7 TS prefix)
  std::vector<Address> addresses;
  std::vector<std::string> telecoms;  // "tel:...", "mailto:..."
  std::vector<Ii> other_ids;          // asOtherIDs
  std::string provider_organization;  // providerOrganization id root
};

// The XPath of `n` from its HL7 message root (/PRPA_IN201309UV02/...), whatever envelope
// the message travels in: the form IHE expects in acknowledgementDetail/location.
std::string location(xml::Node n);

// -- parsing helpers (elements in the HL7 namespace, any prefix) --
Ii parse_ii(xml::Node n);
PersonName parse_name(xml::Node n);
Address parse_address(xml::Node n);
Patient parse_patient(xml::Node patient);  // <patient> (patient.id + patientPerson)
xml::Node child(xml::Node n, std::string_view local);
std::vector<xml::Node> children(xml::Node n, std::string_view local);
// The child or a MessageError naming where it is missing.
xml::Node require(xml::Node n, std::string_view local);
std::optional<std::string> attr_of(xml::Node n, std::string_view child_local,
                                   std::string_view attr);

// -- writing helpers (HL7 namespace is the default namespace of the written message) --
void write_ii(xml::Writer& w, std::string_view element, const Ii& id);
void write_name(xml::Writer& w, std::string_view element, const PersonName& name);
void write_address(xml::Writer& w, const Address& a);
void write_code(xml::Writer& w, std::string_view element, std::string_view code,
                std::string_view code_system = {});
void write_value(xml::Writer& w, std::string_view element, std::string_view value);

}  // namespace hareyaka::hl7v3
