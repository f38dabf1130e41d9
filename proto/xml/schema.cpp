#include "proto/xml/schema.hpp"

#include <libxml/xmlschemas.h>

namespace hareyaka::xml {

Schema Schema::load(const std::string& path) {
  ErrorCapture capture;
  std::unique_ptr<xmlSchemaParserCtxt, void (*)(xmlSchemaParserCtxtPtr)> ctxt(
      xmlSchemaNewParserCtxt(path.c_str()), xmlSchemaFreeParserCtxt);
  if (!ctxt)
    throw XmlException({0, "cannot open schema " + path});
  xmlSchemaPtr schema = xmlSchemaParse(ctxt.get());
  if (!schema)
    throw XmlException(capture.first_or("cannot compile schema " + path));
  Schema out;
  out.schema_ = std::shared_ptr<_xmlSchema>(schema, xmlSchemaFree);
  return out;
}

std::vector<XmlError> Schema::validate(const Document& doc) const {
  ErrorCapture capture;
  std::unique_ptr<xmlSchemaValidCtxt, void (*)(xmlSchemaValidCtxtPtr)> ctxt(
      xmlSchemaNewValidCtxt(schema_.get()), xmlSchemaFreeValidCtxt);
  const int rc = xmlSchemaValidateDoc(ctxt.get(), doc.raw());
  std::vector<XmlError> out = capture.errors();
  if (rc != 0 && out.empty())
    out.push_back({0, "document is not valid (code " + std::to_string(rc) + ")"});
  return out;
}

}  // namespace hareyaka::xml
