#include <gtest/gtest.h>

#include "proto/xml/document.hpp"
#include "proto/xml/schema.hpp"
#include "proto/xml/writer.hpp"
#include "proto/xml/xpath.hpp"
#include "tests/pix/schema_support.hpp"

namespace hareyaka::xml {
namespace {

constexpr std::string_view kNs = "urn:hl7-org:v3";

TEST(XmlParse, NavigatesByNamespaceWhateverThePrefix) {
  for (const char* text : {
           "<a xmlns='urn:hl7-org:v3'><b x='1'>t</b></a>",
           "<p:a xmlns:p='urn:hl7-org:v3'><p:b x='1'>t</p:b></p:a>",
           "<p:a xmlns:p='urn:hl7-org:v3' xmlns='http://unused'><p:b x='1'>t</p:b></p:a>",
       }) {
    Document doc = parse(text);
    Node b = doc.root().child(kNs, "b");
    ASSERT_TRUE(b) << text;
    EXPECT_EQ(b.attr("x").value_or(""), "1");
    EXPECT_EQ(b.text(), "t");
    EXPECT_EQ(b.path(), "/a/b");
  }
  // Same local name, other namespace: not a match.
  Document other = parse("<a xmlns='urn:other'><b/></a>");
  EXPECT_FALSE(other.root().child(kNs, "b"));
}

TEST(XmlParse, RefusesDoctypeSoNoEntityCanBeExpandedOrFetched) {
  const char* xxe =
      "<?xml version='1.0'?><!DOCTYPE a [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><a>&x;</a>";
  const char* laughs =
      "<!DOCTYPE a [<!ENTITY l0 'ha'><!ENTITY l1 '&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;'>"
      "<!ENTITY l2 '&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;'>]><a>&l2;</a>";
  for (const char* text : {xxe, laughs, "<!DOCTYPE a SYSTEM 'http://example.com/a.dtd'><a/>"}) {
    ::testing::internal::CaptureStderr();
    try {
      parse(text);
      ADD_FAILURE() << "accepted: " << text;
    } catch (const XmlException& e) {
      EXPECT_EQ(e.error().message, "DOCTYPE is not allowed");
    }
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  }
}

TEST(XmlParse, ReportsLineAndMessageWithoutPrintingToStderr) {
  ::testing::internal::CaptureStderr();
  try {
    parse("<a>\n<b>\n</a>");
    FAIL() << "malformed XML accepted";
  } catch (const XmlException& e) {
    EXPECT_EQ(e.error().line, 3);
    EXPECT_NE(e.error().message.find("mismatch"), std::string::npos) << e.error().message;
  }
  EXPECT_THROW(parse("<a>&undefined;</a>"), XmlException);
  EXPECT_THROW(parse(""), XmlException);
  EXPECT_THROW(parse("not xml"), XmlException);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST(XmlParse, EnforcesTheSizeLimit) {
  std::string big = "<a>" + std::string(2000, 'x') + "</a>";
  EXPECT_THROW(parse(big, {.max_bytes = 1000}), XmlException);
  EXPECT_NO_THROW(parse(big, {.max_bytes = 4000}));
}

TEST(XmlParse, PathsNumberRepeatedSiblingsAndQNamesResolve) {
  Document doc = parse(
      "<a xmlns='urn:hl7-org:v3' xmlns:x='http://www.w3.org/2001/XMLSchema-instance'>"
      "<d/><d><v x:type='INT'/></d></a>");
  Node v = doc.root().children(kNs, "d")[1].child(kNs, "v");
  EXPECT_EQ(v.path(), "/a/d[2]/v");
  auto q = v.resolve_qname(v.attr_ns("http://www.w3.org/2001/XMLSchema-instance", "type").value());
  ASSERT_TRUE(q);
  EXPECT_EQ(q->first, kNs);
  EXPECT_EQ(q->second, "INT");
  EXPECT_FALSE(v.resolve_qname("nope:INT"));
}

TEST(XPathQuery, RegisteredPrefixesMatchAnyDocumentPrefix) {
  Document doc =
      parse("<ns1:r xmlns:ns1='urn:hl7-org:v3'><ns1:id root='1.2'/><ns1:id root='3.4'/></ns1:r>");
  XPath xp(doc, {{"hl7", "urn:hl7-org:v3"}});
  EXPECT_EQ(xp.count("/hl7:r/hl7:id"), 2u);
  EXPECT_EQ(xp.string("/hl7:r/hl7:id[2]/@root").value_or(""), "3.4");
  EXPECT_FALSE(xp.string("/hl7:r/hl7:missing"));
  EXPECT_EQ(xp.nodes("//hl7:id").size(), 2u);
  ::testing::internal::CaptureStderr();
  EXPECT_THROW(xp.nodes("///bad["), XmlException);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST(XmlWriter, EscapesTextAndDropsControlCharacters) {
  Writer w;
  w.start_ns("", "r", kNs).attr("a", "x\"<&>").element("t", std::string("1 < 2 & \x01ok")).end();
  const std::string out = w.finish();
  Document doc = parse(out);
  EXPECT_EQ(doc.root().attr("a").value_or(""), "x\"<&>");
  EXPECT_EQ(doc.root().child(kNs, "t").text(), "1 < 2 & ok");
}

TEST(XmlSchema, ValidatesAndReportsErrorsAsValues) {
  const std::string xsd =
      testing::ihe_dir() + "/schemas/HL7V3/NE2008/multicacheschemas/PRPA_IN201301UV02.xsd";
  Schema schema = Schema::load(xsd);
  ::testing::internal::CaptureStderr();
  Document valid =
      parse(testing::read_file(testing::ihe_dir() + "/samples/validation/prpa-valid.xml"));
  EXPECT_TRUE(schema.validate(valid).empty());
  Document invalid =
      parse(testing::read_file(testing::ihe_dir() + "/samples/validation/prpa-invalid.xml"));
  auto errors = schema.validate(invalid);
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors.front().line, 2);
  EXPECT_NE(errors.front().message.find("idA"), std::string::npos);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_THROW(Schema::load("/nonexistent.xsd"), XmlException);
}

}  // namespace
}  // namespace hareyaka::xml
