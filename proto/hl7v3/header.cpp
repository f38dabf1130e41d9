#include "proto/hl7v3/header.hpp"

namespace hareyaka::hl7v3 {
namespace {

Device parse_device(xml::Node wrapper) {
  Device d;
  xml::Node device = child(wrapper, "device");
  if (auto r = attr_of(device, "id", "root"))
    d.device_id = *r;
  xml::Node org = child(child(device, "asAgent"), "representedOrganization");
  if (auto r = attr_of(org, "id", "root"))
    d.organization_id = *r;
  return d;
}

void write_device(xml::Writer& w, std::string_view element, std::string_view type_code,
                  const Device& d) {
  w.start(element).attr("typeCode", type_code);
  w.start("device").attr("classCode", "DEV").attr("determinerCode", "INSTANCE");
  write_ii(w, "id", {d.device_id.empty() ? std::string("0") : d.device_id, "", ""});
  if (!d.organization_id.empty()) {
    w.start("asAgent").attr("classCode", "AGNT");
    w.start("representedOrganization").attr("classCode", "ORG").attr("determinerCode", "INSTANCE");
    write_ii(w, "id", {d.organization_id, "", ""});
    w.end().end();
  }
  w.end().end();
}

}  // namespace

MessageHeader parse_header(xml::Node root) {
  MessageHeader h;
  if (xml::Node id = child(root, "id"))
    h.id = parse_ii(id);
  h.creation_time = attr_of(root, "creationTime", "value").value_or("");
  h.interaction_id =
      attr_of(root, "interactionId", "extension").value_or(std::string(root.local_name()));
  h.processing_code = attr_of(root, "processingCode", "code").value_or("P");
  h.processing_mode_code = attr_of(root, "processingModeCode", "code").value_or("T");
  h.accept_ack_code = attr_of(root, "acceptAckCode", "code").value_or("AL");
  h.sender = parse_device(child(root, "sender"));
  h.receiver = parse_device(child(root, "receiver"));
  return h;
}

void start_message(xml::Writer& w, const MessageHeader& h) {
  w.start_ns("", h.interaction_id, kHl7Ns).attr("ITSVersion", "XML_1.0");
  w.declare("xsi", kXsiNs);
  write_ii(w, "id", h.id);
  write_value(w, "creationTime", h.creation_time);
  w.start("interactionId").attr("root", kInteractionRoot).attr("extension", h.interaction_id).end();
  write_code(w, "processingCode", h.processing_code);
  write_code(w, "processingModeCode", h.processing_mode_code);
  write_code(w, "acceptAckCode", h.accept_ack_code);
  write_device(w, "receiver", "RCV", h.receiver);
  write_device(w, "sender", "SND", h.sender);
}

MessageHeader reply_header(const MessageHeader& request, std::string_view interaction_id,
                           const Ii& message_id, std::string_view creation_time, const Device& us) {
  MessageHeader h;
  h.id = message_id;
  h.creation_time = std::string(creation_time);
  h.interaction_id = std::string(interaction_id);
  h.processing_code = request.processing_code.empty() ? "P" : request.processing_code;
  h.processing_mode_code = "T";
  h.accept_ack_code = "NE";
  h.sender = us;
  h.receiver = request.sender;
  return h;
}

}  // namespace hareyaka::hl7v3
