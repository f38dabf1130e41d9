// Fuzz target for the front of the HTTP server: Beast's request parser with the server's
// header and body limits, the origin-form target and its query (Boost.URL), and the
// router's match over patterns shaped like the daemons' (literals, parameters, the same
// depth with a parameter where another has a literal). Any bytes must give a request, a
// parse error or a limit error, never a crash or a hang; a matched route's parameters are
// whole, non-empty path segments.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/url/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "common/router.hpp"

namespace {

using namespace hareyaka;
namespace bhttp = boost::beast::http;

const http::Router& router() {
  static const http::Router r = [] {
    http::Router r;
    const http::BlockingHandler h = [](http::Request&) { return http::Response{}; };
    for (const char* p :
         {"/healthz", "/readyz", "/api/v1/session", "/api/v1/persons", "/api/v1/persons/search",
          "/api/v1/persons/{person}", "/api/v1/persons/{person}/{category}",
          "/api/v1/persons/{person}/documents/{facility}/{document}",
          "/api/v1/persons/{person}/imaging/{facility}/wado", "/api/v1/admin/facilities/{oid}",
          "/api/gw/v1/locators/{patient}", "/gw/v1/patients/{patient}/{category}", "/pix/v3",
          "/pdq/v3", "/hpd"})
      r.add_blocking("GET", p, h);
    r.add_blocking("POST", "/api/v1/persons/{person}/consents", h);
    return r;
  }();
  return r;
}

void route(std::string_view method, std::string_view target) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed)
    return;
  std::multimap<std::string, std::string> query;
  for (auto p : parsed->params())
    query.emplace(p.key, p.has_value ? p.value : "");
  const std::string path = parsed->path();
  std::map<std::string, std::string> params;
  const auto m = router().match(method, path, params);
  if (!m.route)
    return;
  for (const auto& [name, value] : params)
    if (name.empty() || value.empty() || value.find('/') != std::string::npos)
      std::abort();  // a parameter is one whole segment
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(64 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  std::size_t used = 0;
  while (used < bytes.size() && !parser.is_done()) {
    const auto n = parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec || n == 0)
      break;
    used += n;
  }
  if (parser.is_header_done()) {
    const auto& h = parser.get();
    route(h.method_string(), h.target());
  }
  // The target alone, as a client could send it.
  route("GET", bytes.substr(0, std::min<std::size_t>(bytes.size(), 8192)));
  return 0;
}
