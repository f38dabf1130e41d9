#include "proto/hl7v3/soap.hpp"

#include <cctype>

namespace hareyaka::hl7v3 {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return std::string(s);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string content_type_action(std::string_view content_type) {
  std::size_t pos = 0;
  while (pos < content_type.size()) {
    auto semi = content_type.find(';', pos);
    std::string_view param = content_type.substr(
        pos, semi == std::string_view::npos ? std::string_view::npos : semi - pos);
    pos = semi == std::string_view::npos ? content_type.size() : semi + 1;
    auto eq = param.find('=');
    if (eq == std::string_view::npos)
      continue;
    if (!iequals(trim(param.substr(0, eq)), "action"))
      continue;
    std::string value = trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return value;
  }
  return {};
}

Envelope parse_envelope(std::string_view body, std::string_view content_type,
                        const xml::ParseLimits& limits) {
  Envelope env;
  try {
    env.doc = xml::parse(body, limits);
  } catch (const xml::XmlException& e) {
    throw SoapFault(FaultCode::kSender, std::string("malformed XML: ") + e.what());
  }
  xml::Node root = env.doc.root();
  if (root.is(kSoap11Ns, "Envelope")) {
    throw SoapFault(FaultCode::kVersionMismatch, "SOAP 1.1 is not supported; use SOAP 1.2");
  }
  if (!root.is(kSoap12Ns, "Envelope")) {
    throw SoapFault(FaultCode::kVersionMismatch, "root element is not a SOAP 1.2 Envelope");
  }
  if (xml::Node header = root.child(kSoap12Ns, "Header")) {
    for (xml::Node h : header.elements()) {
      if (h.ns() == kWsaNs) {
        const auto name = h.local_name();
        if (name == "Action")
          env.addressing.action = trim(h.text());
        else if (name == "MessageID")
          env.addressing.message_id = trim(h.text());
        else if (name == "RelatesTo")
          env.addressing.relates_to = trim(h.text());
        else if (name == "To")
          env.addressing.to = trim(h.text());
        else if (name == "ReplyTo")
          env.addressing.reply_to = trim(h.child(kWsaNs, "Address").text());
        continue;
      }
      auto mu = h.attr_ns(kSoap12Ns, "mustUnderstand");
      if (mu && (trim(*mu) == "true" || trim(*mu) == "1")) {
        throw SoapFault(FaultCode::kMustUnderstand,
                        "header " + std::string(h.local_name()) + " is not understood");
      }
    }
  }
  const std::string ct_action = content_type_action(content_type);
  if (env.addressing.action.empty()) {
    env.addressing.action = ct_action;
  } else if (!ct_action.empty() && ct_action != env.addressing.action) {
    throw SoapFault(FaultCode::kSender, "wsa:Action and the Content-Type action parameter disagree",
                    "wsa:InvalidAddressingHeader");
  }
  xml::Node soap_body = root.child(kSoap12Ns, "Body");
  if (!soap_body)
    throw SoapFault(FaultCode::kSender, "SOAP Body is missing");
  auto elements = soap_body.elements();
  if (elements.empty())
    throw SoapFault(FaultCode::kSender, "SOAP Body is empty");
  env.payload = elements.front();
  return env;
}

std::string soap_content_type(std::string_view action) {
  return "application/soap+xml; charset=UTF-8; action=\"" + std::string(action) + "\"";
}

std::string write_envelope(const Addressing& a, const std::function<void(xml::Writer&)>& payload) {
  xml::Writer w;
  w.start_ns("env", "Envelope", kSoap12Ns);
  w.declare("wsa", kWsaNs);
  w.start("Header", "env");
  if (!a.action.empty()) {
    w.start("Action", "wsa").attr_ns("env", "mustUnderstand", "true").text(a.action).end();
  }
  if (!a.message_id.empty())
    w.element("MessageID", a.message_id, "wsa");
  if (!a.relates_to.empty())
    w.element("RelatesTo", a.relates_to, "wsa");
  if (!a.to.empty())
    w.element("To", a.to, "wsa");
  if (!a.reply_to.empty()) {
    w.start("ReplyTo", "wsa").element("Address", a.reply_to, "wsa").end();
  }
  w.end();
  w.start("Body", "env");
  payload(w);
  w.end();
  w.end();
  return w.finish();
}

Addressing reply_addressing(const Addressing& request, std::string_view action,
                            std::string_view message_id) {
  Addressing a;
  a.action = std::string(action);
  a.message_id = std::string(message_id);
  a.relates_to = request.message_id;
  a.to = request.reply_to.empty() ? std::string(kWsaAnonymous) : request.reply_to;
  return a;
}

std::string write_fault(const SoapFault& fault, const Addressing& request,
                        std::string_view message_id) {
  const Addressing a =
      reply_addressing(request, "http://www.w3.org/2005/08/addressing/soap/fault", message_id);
  return write_envelope(a, [&](xml::Writer& w) {
    const char* code = "env:Receiver";
    switch (fault.code()) {
      case FaultCode::kVersionMismatch:
        code = "env:VersionMismatch";
        break;
      case FaultCode::kMustUnderstand:
        code = "env:MustUnderstand";
        break;
      case FaultCode::kSender:
        code = "env:Sender";
        break;
      case FaultCode::kReceiver:
        code = "env:Receiver";
        break;
    }
    w.start("Fault", "env");
    w.start("Code", "env").element("Value", code, "env");
    if (!fault.subcode().empty()) {
      w.start("Subcode", "env").element("Value", fault.subcode(), "env").end();
    }
    w.end();
    w.start("Reason", "env")
        .start("Text", "env")
        .attr("xml:lang", "en")
        .text(fault.what())
        .end()
        .end();
    w.end();
  });
}

int fault_http_status(const SoapFault& fault) {
  return fault.code() == FaultCode::kSender ? 400 : 500;
}

}  // namespace hareyaka::hl7v3
