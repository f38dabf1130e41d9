// multipart/related framing (RFC 2387) for WADO-RS responses: the HTTP layer writes
// part_header(), then the part's bytes (a file streamed from disk, or frame bytes), for each
// part, then closing(). The boundary is random, so it cannot occur in DICOM content by
// accident with any practical probability.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hareyaka::gateway::dicom {

class MultipartRelated {
 public:
  // type: the parts' media type ("application/dicom", "application/octet-stream",
  // "application/dicom+json").
  explicit MultipartRelated(std::string type);

  // The response's Content-Type: multipart/related; type="..."; boundary=...
  std::string content_type() const;
  const std::string& boundary() const { return boundary_; }

  // What precedes each part's bytes (the first part's header has no leading CRLF).
  std::string part_header(std::string_view content_location = {});
  // What follows the last part.
  std::string closing() const;

  // Convenience for small in-memory parts (frames): the whole body.
  std::string build(const std::vector<std::string>& parts);

 private:
  std::string type_;
  std::string boundary_;
  bool first_ = true;
};

}  // namespace hareyaka::gateway::dicom
