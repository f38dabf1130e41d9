#include "proto/xml/writer.hpp"

#include <libxml/xmlwriter.h>

#include <stdexcept>

namespace hareyaka::xml {
namespace {

const xmlChar* x(const std::string& s) {
  return reinterpret_cast<const xmlChar*>(s.c_str());
}

// Drops C0 controls other than tab, LF and CR, which XML 1.0 cannot represent.
std::string clean(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && u != '\t' && u != '\n' && u != '\r')
      continue;
    out.push_back(c);
  }
  return out;
}

}  // namespace

Writer::Writer() : Writer(false) {}

Writer::Writer(bool fragment) : buffer_(xmlBufferCreate()), fragment_(fragment) {
  writer_ = xmlNewTextWriterMemory(buffer_, 0);
  if (!writer_)
    throw std::runtime_error("xml writer: cannot allocate");
  if (!fragment_)
    check(xmlTextWriterStartDocument(writer_, "1.0", "UTF-8", nullptr), "start");
}

Writer::~Writer() {
  if (writer_)
    xmlFreeTextWriter(writer_);
  xmlBufferFree(buffer_);
}

void Writer::check(int rc, const char* what) {
  if (rc < 0)
    throw std::runtime_error(std::string("xml writer failed: ") + what);
}

Writer& Writer::start_ns(std::string_view prefix, std::string_view name, std::string_view uri) {
  const std::string p(prefix), n(name), u(uri);
  check(xmlTextWriterStartElementNS(writer_, p.empty() ? nullptr : x(p), x(n), x(u)), "element");
  return *this;
}

Writer& Writer::start(std::string_view name, std::string_view prefix) {
  const std::string p(prefix), n(name);
  check(xmlTextWriterStartElementNS(writer_, p.empty() ? nullptr : x(p), x(n), nullptr), "element");
  return *this;
}

Writer& Writer::attr(std::string_view name, std::string_view value) {
  const std::string n(name), v = clean(value);
  check(xmlTextWriterWriteAttribute(writer_, x(n), x(v)), "attribute");
  return *this;
}

Writer& Writer::attr_ns(std::string_view prefix, std::string_view name, std::string_view value) {
  const std::string p(prefix), n(name), v = clean(value);
  check(xmlTextWriterWriteAttributeNS(writer_, x(p), x(n), nullptr, x(v)), "attribute");
  return *this;
}

Writer& Writer::declare(std::string_view prefix, std::string_view uri) {
  return attr("xmlns:" + std::string(prefix), uri);
}

Writer& Writer::text(std::string_view value) {
  const std::string v = clean(value);
  check(xmlTextWriterWriteString(writer_, x(v)), "text");
  return *this;
}

Writer& Writer::end() {
  check(xmlTextWriterEndElement(writer_), "end element");
  return *this;
}

Writer& Writer::raw(std::string_view xml) {
  const std::string v(xml);
  check(xmlTextWriterWriteRaw(writer_, x(v)), "raw");
  return *this;
}

Writer& Writer::element(std::string_view name, std::string_view value, std::string_view prefix) {
  start(name, prefix);
  text(value);
  return end();
}

std::string Writer::finish() {
  check(xmlTextWriterEndDocument(writer_), "end document");
  xmlFreeTextWriter(writer_);  // flushes into buffer_
  writer_ = nullptr;
  return std::string(reinterpret_cast<const char*>(xmlBufferContent(buffer_)),
                     static_cast<std::size_t>(xmlBufferLength(buffer_)));
}

}  // namespace hareyaka::xml
