#include "common/attachment.hpp"

#include <gtest/gtest.h>

namespace hareyaka::http {
namespace {

TEST(Attachment, SetsTheThreeHeadersWithAPlainFileName) {
  Response r;
  serve_as_attachment(r, "summary.pdf");
  EXPECT_EQ(r.headers["Content-Disposition"], "attachment; filename=\"summary.pdf\"");
  EXPECT_EQ(r.headers["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(r.headers["Content-Security-Policy"], "sandbox; default-src 'none'");
}

TEST(Attachment, AStoredNameThatIsNotPlainNeverReachesTheHeader) {
  for (const char* bad : {"a\"; filename=evil.html", "..", ".hidden", "../../etc/passwd",
                          "紹介状.xml", "a b.pdf", "x\r\nSet-Cookie: y", ""}) {
    Response r;
    serve_as_attachment(r, bad);
    EXPECT_EQ(r.headers["Content-Disposition"], "attachment; filename=\"document\"") << bad;
  }
  Response r;
  serve_as_attachment(r, std::string(129, 'a'));
  EXPECT_EQ(r.headers["Content-Disposition"], "attachment; filename=\"document\"");
}

TEST(Attachment, FileNameOfAGatewaysDisposition) {
  EXPECT_EQ(disposition_file_name("attachment; filename=\"summary.pdf\""), "summary.pdf");
  EXPECT_EQ(disposition_file_name("attachment; filename=a.xml; size=3"), "a.xml");
  EXPECT_EQ(disposition_file_name("inline"), "");
  EXPECT_EQ(disposition_file_name(""), "");
}

}  // namespace
}  // namespace hareyaka::http
