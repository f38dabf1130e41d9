#include "proto/hl7v3/ack.hpp"

namespace hareyaka::hl7v3 {

std::string_view to_string(AckCode c) {
  switch (c) {
    case AckCode::kAA:
      return "AA";
    case AckCode::kAE:
      return "AE";
    case AckCode::kAR:
      return "AR";
    case AckCode::kCA:
      return "CA";
    case AckCode::kCE:
      return "CE";
    case AckCode::kCR:
      return "CR";
  }
  return "AE";
}

std::optional<AckCode> ack_code_from(std::string_view s) {
  if (s == "AA")
    return AckCode::kAA;
  if (s == "AE")
    return AckCode::kAE;
  if (s == "AR")
    return AckCode::kAR;
  if (s == "CA")
    return AckCode::kCA;
  if (s == "CE")
    return AckCode::kCE;
  if (s == "CR")
    return AckCode::kCR;
  return std::nullopt;
}

Acknowledgement parse_acknowledgement(xml::Node root) {
  xml::Node ack = require(root, "acknowledgement");
  Acknowledgement out;
  xml::Node type = require(ack, "typeCode");
  auto code = ack_code_from(type.attr("code").value_or(""));
  if (!code) {
    throw MessageError(std::string(kDataTypeError), "unknown acknowledgement typeCode",
                       location(type));
  }
  out.code = *code;
  if (xml::Node id = child(child(ack, "targetMessage"), "id"))
    out.target_message = parse_ii(id);
  for (xml::Node d : children(ack, "acknowledgementDetail")) {
    AckDetail detail;
    detail.type_code = d.attr("typeCode").value_or("E");
    if (xml::Node c = child(d, "code")) {
      detail.code = c.attr("code").value_or("");
      detail.code_system = c.attr("codeSystem").value_or("");
    }
    if (xml::Node t = child(d, "text"))
      detail.text = t.text();
    if (xml::Node l = child(d, "location"))
      detail.location = l.text();
    out.details.push_back(std::move(detail));
  }
  return out;
}

AckMessage parse_ack_message(xml::Node root) {
  if (!root.is(kHl7Ns, "MCCI_IN000002UV01")) {
    throw MessageError(std::string(kDataTypeError), "not an MCCI_IN000002UV01 message",
                       location(root));
  }
  return {parse_header(root), parse_acknowledgement(root)};
}

void write_acknowledgement(xml::Writer& w, const Acknowledgement& ack) {
  w.start("acknowledgement");
  write_code(w, "typeCode", to_string(ack.code));
  w.start("targetMessage");
  write_ii(w, "id", ack.target_message);
  w.end();
  for (const AckDetail& d : ack.details) {
    w.start("acknowledgementDetail").attr("typeCode", d.type_code);
    if (!d.code.empty())
      write_code(w, "code", d.code, d.code_system);
    if (!d.text.empty())
      w.element("text", d.text);
    if (!d.location.empty())
      w.element("location", d.location);
    w.end();
  }
  w.end();
}

void write_ack_message(xml::Writer& w, const AckMessage& m) {
  MessageHeader h = m.header;
  h.interaction_id = "MCCI_IN000002UV01";
  start_message(w, h);
  write_acknowledgement(w, m.ack);
  w.end();
}

AckDetail unknown_key(std::string text, std::string location) {
  return {"E", std::string(kUnknownKeyIdentifier), std::string(kErrorConditionCodes),
          std::move(text), std::move(location)};
}

}  // namespace hareyaka::hl7v3
