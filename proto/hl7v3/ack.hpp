// MCCI_IN000002UV01, the application acknowledgement answering a PIX feed (ITI-44), a PDQ
// cancel and, from consumers, an update notification (ITI-46). Peers answer with either
// the application (AA/AE/AR) or the commit (CA/CE/CR) family; both are accepted.
#pragma once

#include <string>
#include <vector>

#include "proto/hl7v3/header.hpp"

namespace hareyaka::hl7v3 {

enum class AckCode { kAA, kAE, kAR, kCA, kCE, kCR };
std::string_view to_string(AckCode c);
std::optional<AckCode> ack_code_from(std::string_view s);
// AA or CA: the peer accepted the message.
inline bool is_accept(AckCode c) {
  return c == AckCode::kAA || c == AckCode::kCA;
}

// HL7 table 0357 (message error condition codes), the code system IHE uses for 204.
inline constexpr std::string_view kErrorConditionCodes = "2.16.840.1.113883.12.357";
inline constexpr std::string_view kUnknownKeyIdentifier = "204";

struct AckDetail {
  std::string type_code = "E";  // E error, W warning, I information
  std::string code;
  std::string code_system;
  std::string text;
  std::string location;  // XPath of the element at fault in the request
};

struct Acknowledgement {
  AckCode code = AckCode::kAA;
  Ii target_message;  // id of the message acknowledged
  std::vector<AckDetail> details;
};

struct AckMessage {
  MessageHeader header;
  Acknowledgement ack;
};

// Parses the acknowledgement element of any message root (MCCI_IN000002UV01, PRPA_IN201310UV02...).
Acknowledgement parse_acknowledgement(xml::Node root);
AckMessage parse_ack_message(xml::Node root);

void write_acknowledgement(xml::Writer& w, const Acknowledgement& ack);
// A whole MCCI_IN000002UV01 (header.interaction_id is forced to MCCI_IN000002UV01).
void write_ack_message(xml::Writer& w, const AckMessage& m);

// An error detail for 204 Unknown Key Identifier at `location`.
AckDetail unknown_key(std::string text, std::string location);

}  // namespace hareyaka::hl7v3
