// Fuzz target for the HL7 V3 side of PIX V3 / PDQ V3: SOAP 1.2 envelopes (WS-Addressing,
// Content-Type action), ITI-44 feeds, ITI-45 PIX queries, ITI-47 PDQ queries and
// continuations, acknowledgements. Any bytes must give a message or one of the documented
// exceptions (SoapFault, MessageError, XmlException), never a crash or a hang; a feed or a
// query that parses must write back to XML that parses again to the same identifiers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "proto/hl7v3/ack.hpp"
#include "proto/hl7v3/datatypes.hpp"
#include "proto/hl7v3/feed.hpp"
#include "proto/hl7v3/pdq_query.hpp"
#include "proto/hl7v3/pix_query.hpp"
#include "proto/hl7v3/soap.hpp"
#include "proto/xml/writer.hpp"

namespace {

using namespace hareyaka;

constexpr std::string_view kV3 = "urn:hl7-org:v3";

template <class Write>
std::string written(Write&& write) {
  xml::Writer w;
  write(w);
  return w.finish();
}

void payload(xml::Node root) {
  const auto name = root.local_name();
  if (name == "PRPA_IN201301UV02" || name == "PRPA_IN201302UV02" || name == "PRPA_IN201304UV02") {
    const auto feed = hl7v3::parse_feed(root);
    const auto text = written([&](xml::Writer& w) { hl7v3::write_feed(w, feed); });
    const auto again = hl7v3::parse_feed(xml::parse(text).root());
    if (again.patient.ids.size() != feed.patient.ids.size() ||
        again.prior_ids.size() != feed.prior_ids.size())
      std::abort();  // a feed we accepted must survive its own written form
  } else if (name == "PRPA_IN201309UV02") {
    const auto q = hl7v3::parse_pix_query(root);
    const auto text = written([&](xml::Writer& w) { hl7v3::write_pix_query(w, q); });
    const auto again = hl7v3::parse_pix_query(xml::parse(text).root());
    if (again.patient_id.root != q.patient_id.root ||
        again.patient_id.extension != q.patient_id.extension ||
        again.data_sources != q.data_sources)
      std::abort();
  } else if (name == "PRPA_IN201305UV02") {
    (void)hl7v3::parse_pdq_query(root);
  } else if (name == "QUQI_IN000003UV01") {
    const auto c = hl7v3::parse_pdq_continuation(root);
    (void)written([&](xml::Writer& w) { hl7v3::write_pdq_continuation(w, c); });
  } else if (name == "MCCI_IN000002UV01") {
    const auto m = hl7v3::parse_ack_message(root);
    (void)written([&](xml::Writer& w) { hl7v3::write_ack_message(w, m); });
  } else if (name == "PRPA_IN201310UV02") {
    (void)hl7v3::parse_pix_response(root);
  } else if (name == "PRPA_IN201306UV02") {
    (void)hl7v3::parse_pdq_response(root);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // As a SOAP request (the endpoint's path), with and without a Content-Type action.
  for (const std::string_view ct :
       {std::string_view("application/soap+xml; charset=UTF-8"),
        std::string_view("application/soap+xml; action=\"urn:hl7-org:v3:PRPA_IN201309UV02\"")}) {
    try {
      auto env = hl7v3::parse_envelope(bytes, ct);
      if (env.payload && env.payload.ns() == kV3)
        payload(env.payload);
      const auto reply = hl7v3::reply_addressing(env.addressing, "urn:x", "urn:uuid:1");
      (void)hl7v3::write_envelope(reply, [](xml::Writer&) {});
    } catch (const hl7v3::SoapFault& f) {
      (void)hl7v3::write_fault(f, {}, "urn:uuid:2");
      (void)hl7v3::fault_http_status(f);
    } catch (const hl7v3::MessageError&) {
    } catch (const xml::XmlException&) {
    }
  }
  // As a bare HL7 V3 payload (the published samples come without an envelope).
  try {
    const auto doc = xml::parse(bytes);
    payload(doc.root());
  } catch (const hl7v3::MessageError&) {
  } catch (const xml::XmlException&) {
  }
  (void)hl7v3::content_type_action(bytes);
  return 0;
}
