// The one error type that crosses the HTTP/SOAP boundary. Each carries a code (mapped to an
// HTTP status in exactly one place, http_status()), an internal message for the log and an
// external message for the client. Neither may carry patient data unless the client is
// entitled to it; the internal message never reaches the client.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace hareyaka {

enum class ErrorCode {
  kBadRequest,        // malformed input
  kUnauthorized,      // no or bad credentials
  kForbidden,         // authenticated, but the decision says no
  kNotFound,          // unknown id or route
  kMethodNotAllowed,  // known route, wrong method
  kConflict,          // uniqueness or state conflict
  kPayloadTooLarge,   // body over the limit
  kUnsupportedMediaType,
  kUnprocessable,    // well-formed but semantically invalid
  kTooManyRequests,  // rate or lockout
  kUnavailable,      // a dependency is down (database, gateway)
  kTimeout,          // a deadline passed
  kInternal,         // a bug or an unexpected failure
};

std::string_view to_string(ErrorCode code);

// The single error-code → HTTP-status map.
int http_status(ErrorCode code);

class Error : public std::runtime_error {
 public:
  // external: what the client may read. internal: what the operator may read in the log.
  Error(ErrorCode code, std::string external, std::string internal = {});

  ErrorCode code() const { return code_; }
  const std::string& external() const { return external_; }
  const std::string& internal() const { return internal_; }

 private:
  ErrorCode code_;
  std::string external_;
  std::string internal_;
};

}  // namespace hareyaka
