// libxml2 reports errors through global (per-thread) callbacks that print to stderr by
// default. ErrorCapture redirects them, for its lifetime and on this thread only, into a
// list of XmlError values, so no libxml2 message ever reaches stderr or a log unfiltered.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace hareyaka::xml {

struct XmlError {
  int line = 0;  // 1-based line in the input; 0 when unknown
  std::string message;
};

// Thrown by parse() and Schema::load(); carries the first error (line and message).
class XmlException : public std::runtime_error {
 public:
  explicit XmlException(XmlError error);
  const XmlError& error() const { return error_; }

 private:
  XmlError error_;
};

class ErrorCapture {
 public:
  ErrorCapture();
  ~ErrorCapture();
  ErrorCapture(const ErrorCapture&) = delete;
  ErrorCapture& operator=(const ErrorCapture&) = delete;

  const std::vector<XmlError>& errors() const { return errors_; }
  void add(XmlError e);
  // The first error, or `fallback` when libxml2 said nothing.
  XmlError first_or(std::string fallback) const;

 private:
  static constexpr std::size_t kMaxErrors = 50;  // a hostile document must not grow this unbounded
  std::vector<XmlError> errors_;
  void* previous_structured_;
  void* previous_structured_context_;
  void* previous_generic_;
  void* previous_generic_context_;
};

}  // namespace hareyaka::xml
