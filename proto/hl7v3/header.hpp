// The HL7 V3 transmission wrapper shared by every interaction: message id, creation time,
// interaction id, processing codes, sender and receiver devices (MCCI_MT000100UV01), and the
// writing of a message's root element with it.
#pragma once

#include <string>
#include <string_view>

#include "proto/hl7v3/datatypes.hpp"

namespace hareyaka::hl7v3 {

struct Device {
  std::string device_id;        // device id root (application OID)
  std::string organization_id;  // asAgent/representedOrganization id root (facility OID)
};

struct MessageHeader {
  Ii id;
  std::string creation_time;   // HL7 TS, e.g. 20261124015300
  std::string interaction_id;  // e.g. PRPA_IN201301UV02
  std::string processing_code = "P";
  std::string processing_mode_code = "T";
  std::string accept_ack_code = "AL";
  Device sender;
  Device receiver;
};

// Parses the wrapper of the message whose root element is `root`. The interaction id
// falls back to the root element's name when the element is missing.
MessageHeader parse_header(xml::Node root);

// Starts the root element <interaction ITSVersion="XML_1.0" xmlns="urn:hl7-org:v3"> and
// writes the wrapper up to and including <sender>; the caller writes the rest and end()s.
void start_message(xml::Writer& w, const MessageHeader& h);

// A header answering `request`: sender and receiver swapped, with our own id and time.
MessageHeader reply_header(const MessageHeader& request, std::string_view interaction_id,
                           const Ii& message_id, std::string_view creation_time, const Device& us);

}  // namespace hareyaka::hl7v3
