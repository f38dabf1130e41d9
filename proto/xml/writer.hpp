// Streaming XML writer (libxml2's xmlTextWriter into memory). Text and attribute values are
// escaped by libxml2; control characters that XML 1.0 cannot carry are dropped, so a stray
// byte in stored data can never produce a document the peer refuses to parse.
#pragma once

#include <string>
#include <string_view>

struct _xmlTextWriter;
struct _xmlBuffer;

namespace hareyaka::xml {

class Writer {
 public:
  Writer();
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // <prefix:name xmlns:prefix="uri"> (or a default namespace when prefix is empty).
  Writer& start_ns(std::string_view prefix, std::string_view name, std::string_view uri);
  // <name> or <prefix:name>, relying on declarations already in scope.
  Writer& start(std::string_view name, std::string_view prefix = {});
  Writer& attr(std::string_view name, std::string_view value);
  Writer& attr_ns(std::string_view prefix, std::string_view name, std::string_view value);
  Writer& declare(std::string_view prefix, std::string_view uri);  // xmlns:prefix="uri"
  Writer& text(std::string_view value);
  Writer& end();
  // Well-formed XML written verbatim (e.g. an echoed element from a request, serialized with
  // its own namespace declarations).
  Writer& raw(std::string_view xml);
  // <name>text</name>
  Writer& element(std::string_view name, std::string_view value, std::string_view prefix = {});

  // Closes every open element and returns the document (with an XML declaration unless
  // fragment is true).
  std::string finish();

  explicit Writer(bool fragment);

 private:
  void check(int rc, const char* what);
  _xmlBuffer* buffer_;
  _xmlTextWriter* writer_;
  bool fragment_ = false;
};

}  // namespace hareyaka::xml
