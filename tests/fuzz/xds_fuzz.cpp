// Fuzz target for the IHE XCA messages (proto/xds): any bytes as an MTOM package, as a SOAP
// envelope and as a bare AdhocQueryRequest, RetrieveDocumentSetRequest or either response must
// give a message or one of the documented exceptions (MtomError, SoapFault, RequestError,
// XmlException), never a crash or a hang. A query response we write from what a parsed
// response held must parse again with as many entries.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "proto/hl7v3/soap.hpp"
#include "proto/xds/ebrs.hpp"
#include "proto/xds/mtom.hpp"
#include "proto/xml/writer.hpp"

namespace {

using namespace hareyaka;

void payload(xml::Node root) {
  const auto name = root.local_name();
  try {
    if (name == "AdhocQueryRequest") {
      const auto q = xds::parse_adhoc_query(root);
      if (const auto* ids = q.slot("$XDSDocumentEntryPatientId")) {
        for (const auto& id : *ids) {
          if (auto p = xds::parse_patient_id(id)) {
            if (xds::parse_patient_id(xds::format_patient_id(*p))->id != p->id)
              std::abort();  // a patient id we read must survive its written form
          }
        }
      }
    } else if (name == "RetrieveDocumentSetRequest") {
      (void)xds::parse_retrieve_request(root);
    } else if (name == "AdhocQueryResponse") {
      const auto r = xds::parse_query_response(root);
      xml::Writer w;
      xds::write_query_response(w, r.entries, r.errors);
      if (xds::parse_query_response(xml::parse(w.finish()).root()).entries.size() !=
          r.entries.size())
        std::abort();
    } else if (name == "RetrieveDocumentSetResponse") {
      (void)xds::parse_retrieve_response(root);
    }
  } catch (const xds::RequestError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string soap(bytes);
  std::string content_type = "application/soap+xml; charset=UTF-8";
  try {
    if (auto m = xds::parse_mtom(
            bytes,
            "multipart/related; type=\"application/xop+xml\"; boundary=\"MIMEBoundary_x\"; "
            "start-info=\"application/soap+xml\"")) {
      soap = m->envelope;
      content_type = m->soap_content_type;
      for (const auto& p : m->attachments)
        (void)m->find("cid:" + p.content_id);
    }
  } catch (const xds::MtomError&) {
  }
  try {
    auto env = hl7v3::parse_envelope(soap, content_type);
    if (env.payload)
      payload(env.payload);
  } catch (const hl7v3::SoapFault&) {
  } catch (const xml::XmlException&) {
  }
  try {
    const auto doc = xml::parse(bytes);
    payload(doc.root());
  } catch (const xml::XmlException&) {
  }
  return 0;
}
