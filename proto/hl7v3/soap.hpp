// SOAP 1.2 envelopes with WS-Addressing 1.0, as used by IHE ITI-44/45/46/47: parsing a
// request (action from the wsa:Action header or the Content-Type action= parameter), writing
// a response envelope around an HL7 V3 payload, and SOAP faults for what cannot be parsed.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "proto/xml/document.hpp"
#include "proto/xml/writer.hpp"

namespace hareyaka::hl7v3 {

inline constexpr std::string_view kSoap12Ns = "http://www.w3.org/2003/05/soap-envelope";
inline constexpr std::string_view kSoap11Ns = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view kWsaNs = "http://www.w3.org/2005/08/addressing";
inline constexpr std::string_view kWsaAnonymous = "http://www.w3.org/2005/08/addressing/anonymous";

struct Addressing {
  std::string action;
  std::string message_id;
  std::string relates_to;
  std::string to;
  std::string reply_to;  // ReplyTo/Address
};

enum class FaultCode { kVersionMismatch, kMustUnderstand, kSender, kReceiver };

// A request that cannot be answered with an HL7 message; answered with a SOAP fault.
class SoapFault : public std::runtime_error {
 public:
  SoapFault(FaultCode code, std::string reason, std::string subcode = {})
      : std::runtime_error(reason), code_(code), subcode_(std::move(subcode)) {}
  FaultCode code() const { return code_; }
  const std::string& subcode() const { return subcode_; }  // e.g. "wsa:ActionNotSupported"

 private:
  FaultCode code_;
  std::string subcode_;
};

struct Envelope {
  xml::Document doc;
  Addressing addressing;
  xml::Node payload;  // the first element inside soap:Body
};

// The action= parameter of an application/soap+xml Content-Type, unquoted; empty if none.
std::string content_type_action(std::string_view content_type);

// Parses a SOAP 1.2 request. Throws SoapFault: kVersionMismatch for SOAP 1.1 or another root,
// kSender for malformed XML, a missing Body or payload, a header action that contradicts the
// Content-Type; kMustUnderstand for a mustUnderstand header we do not process.
Envelope parse_envelope(std::string_view body, std::string_view content_type,
                        const xml::ParseLimits& limits = {});

// application/soap+xml; charset=UTF-8; action="..."
std::string soap_content_type(std::string_view action);

// Writes <env:Envelope> with WS-Addressing headers and lets `payload` write the Body content.
std::string write_envelope(const Addressing& a, const std::function<void(xml::Writer&)>& payload);

// A SOAP 1.2 fault answering a request with addressing `request` (may be empty).
std::string write_fault(const SoapFault& fault, const Addressing& request,
                        std::string_view message_id);
// HTTP status for a fault: 400 for sender faults, 500 otherwise (SOAP 1.2 HTTP binding).
int fault_http_status(const SoapFault& fault);

// The addressing of a response to `request`: RelatesTo its MessageID, To its ReplyTo.
Addressing reply_addressing(const Addressing& request, std::string_view action,
                            std::string_view message_id);

}  // namespace hareyaka::hl7v3
