// MTOM/XOP packaging of SOAP 1.2 messages (multipart/related; type="application/xop+xml"), as
// IHE ITI-39 and ITI-43 require for documents: the envelope in the root part, each document
// in its own part, referenced from the envelope by xop:Include href="cid:<Content-ID>".
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hareyaka::xds {

struct MimePart {
  std::string content_id;  // without the angle brackets
  std::string content_type;
  std::string body;
};

struct MtomMessage {
  std::string soap_content_type;  // the root part as parse_envelope() expects it
  std::string envelope;           // the root part's body
  std::vector<MimePart> attachments;
  const MimePart* find(std::string_view content_id) const;  // "cid:" and %-escapes allowed
};

class MtomError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// nullopt when `content_type` is not multipart/related (a plain SOAP request); throws
// MtomError for a multipart body without its boundary, root part or closing delimiter.
std::optional<MtomMessage> parse_mtom(std::string_view body, std::string_view content_type);

struct MtomOut {
  std::string content_type;  // multipart/related; ... start-info="application/soap+xml"
  std::string body;
};
// The envelope (SOAP 1.2, `action`) and its attachments; the boundary is derived from
// `boundary_seed` (a fresh uuid) and checked against the contents.
MtomOut write_mtom(std::string_view envelope, std::string_view action,
                   const std::vector<MimePart>& attachments, std::string_view boundary_seed);

}  // namespace hareyaka::xds
