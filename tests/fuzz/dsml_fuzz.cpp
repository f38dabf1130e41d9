// Fuzz target for the DSMLv2 parser and writer, DNs and filter evaluation: any bytes must
// give a batch, a per-request error or an exception of the documented types, never a crash
// or a hang; whatever parses must write back to DSML that parses again with as many requests.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "hpd/dsml/dn.hpp"
#include "hpd/dsml/dsml.hpp"
#include "hpd/hpd_filter.hpp"
#include "proto/xml/error_capture.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hareyaka;
  namespace dsml = hpd::dsml;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string why;
  if (auto dn = dsml::parse_dn(bytes, &why)) {
    auto again = dsml::parse_dn(dn->to_string());
    if (!again || again->normalized() != dn->normalized())
      std::abort();  // a DN must survive its own string form
  }
  dsml::Entry entry;
  entry.dn = "uid=x,ou=HCProfessional,c=JP";
  entry.add("objectClass", {"HCProfessional", "top"});
  entry.add("cn", {"Michael Smith", "佐藤 花子"});
  entry.add("uid", {"x"});
  try {
    const auto batch = dsml::parse_batch_request(bytes);
    for (const auto& r : batch.requests) {
      if (const auto* s = std::get_if<dsml::SearchRequest>(&r)) {
        volatile auto t = hpd::evaluate(s->filter, entry);
        (void)t;
        (void)hpd::select_attributes(entry, s->attributes, s->types_only);
      }
    }
    const auto written = dsml::write_batch_request(batch);
    const auto back = dsml::parse_batch_request(written);
    std::size_t valid = 0;
    for (const auto& r : batch.requests)
      valid += std::holds_alternative<dsml::InvalidRequest>(r) ? 0 : 1;
    if (back.requests.size() != valid)
      std::abort();  // every request we understood must survive a round trip
  } catch (const xml::XmlException&) {
  } catch (const dsml::DsmlError&) {
  }
  try {
    (void)dsml::write_batch_response(dsml::parse_batch_response(bytes));
  } catch (const xml::XmlException&) {
  } catch (const dsml::DsmlError&) {
  }
  return 0;
}
