// Requests and responses as handlers see them: plain values with no Beast types, so handler
// code (portal, gateway) compiles without the HTTP library and is testable without sockets.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hareyaka::http {

// Header names are compared case-insensitively.
struct CaseInsensitiveLess {
  bool operator()(std::string_view a, std::string_view b) const;
  using is_transparent = void;
};
using Headers = std::map<std::string, std::string, CaseInsensitiveLess>;

// What TLS told us about the client.
struct PeerCertificate {
  std::string subject;  // RFC 2253 form
  std::string issuer;
  std::string serial_hex;
  std::string sha256_fingerprint;  // lower-case hex of the DER
  std::string der;                 // for application-level verification (HPKI)
  bool verified_by_tls = false;    // true when the listener checked it against its CA
};

// RFC 3986 percent-encoding of a query value or path segment: everything but the unreserved
// characters (letters, digits, "-._~") as %XX.
std::string percent_encode(std::string_view text);

struct Request {
  std::string method;                             // "GET", "POST", ...
  std::string target;                             // raw request target, path + query
  std::string path;                               // decoded path
  std::multimap<std::string, std::string> query;  // decoded query parameters
  Headers headers;
  std::string body;
  std::map<std::string, std::string> params;  // route parameters ("{id}")
  std::string request_id;
  std::string remote_address;
  std::optional<PeerCertificate> peer;

  std::optional<std::string> header(std::string_view name) const;
  std::optional<std::string> query_param(std::string_view name) const;
  const std::string& param(std::string_view name) const;  // throws kInternal when absent
  // The Content-Type without its parameters, in lower case ("" when absent).
  std::string media_type() const;
};

// A body produced piece by piece: each call yields the next chunk, std::nullopt at the end.
// The server reads a few chunks ahead of what it has written (common/read_ahead.hpp) and no
// more, which overlaps the two sides and still gives end-to-end backpressure when the source
// reads from another connection.
using ChunkSource = std::function<boost::asio::awaitable<std::optional<std::string>>()>;

struct FileBody {
  std::filesystem::path path;
};

struct Response {
  int status = 200;
  Headers headers;
  std::variant<std::string, FileBody, ChunkSource> body;

  static Response json(int status, std::string body);
  static Response text(int status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8");
};

}  // namespace hareyaka::http
