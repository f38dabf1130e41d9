#include "proto/xml/error_capture.hpp"

#include <libxml/globals.h>
#include <libxml/xmlerror.h>

#include <cstdarg>
#include <cstdio>

namespace hareyaka::xml {
namespace {

std::string trim_message(const char* m) {
  std::string s = m ? m : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
    s.pop_back();
  return s;
}

void on_structured(void* ctx, xmlErrorPtr err) {
  if (!ctx || !err)
    return;
  static_cast<ErrorCapture*>(ctx)->add({err->line, trim_message(err->message)});
}

void on_generic(void* ctx, const char* fmt, ...) {
  if (!ctx)
    return;
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  std::string s = trim_message(buf);
  if (!s.empty())
    static_cast<ErrorCapture*>(ctx)->add({0, std::move(s)});
}

}  // namespace

XmlException::XmlException(XmlError error)
    : std::runtime_error(error.line > 0
                             ? "line " + std::to_string(error.line) + ": " + error.message
                             : error.message),
      error_(std::move(error)) {}

ErrorCapture::ErrorCapture()
    : previous_structured_(reinterpret_cast<void*>(xmlStructuredError)),
      previous_structured_context_(xmlStructuredErrorContext),
      previous_generic_(reinterpret_cast<void*>(xmlGenericError)),
      previous_generic_context_(xmlGenericErrorContext) {
  xmlSetStructuredErrorFunc(this, on_structured);
  xmlSetGenericErrorFunc(this, on_generic);
}

ErrorCapture::~ErrorCapture() {
  xmlSetStructuredErrorFunc(previous_structured_context_,
                            reinterpret_cast<xmlStructuredErrorFunc>(previous_structured_));
  xmlSetGenericErrorFunc(previous_generic_context_,
                         reinterpret_cast<xmlGenericErrorFunc>(previous_generic_));
}

void ErrorCapture::add(XmlError e) {
  if (errors_.size() < kMaxErrors)
    errors_.push_back(std::move(e));
}

XmlError ErrorCapture::first_or(std::string fallback) const {
  if (!errors_.empty())
    return errors_.front();
  return {0, std::move(fallback)};
}

}  // namespace hareyaka::xml
