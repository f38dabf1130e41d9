#include "gateway/dicom/multipart.hpp"

#include <random>

namespace hareyaka::gateway::dicom {

MultipartRelated::MultipartRelated(std::string type) : type_(std::move(type)) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device rd;
  boundary_ = "hareyaka-";
  for (int i = 0; i < 32; ++i)
    boundary_.push_back(kHex[rd() % 16]);
}

std::string MultipartRelated::content_type() const {
  return "multipart/related; type=\"" + type_ + "\"; boundary=" + boundary_;
}

std::string MultipartRelated::part_header(std::string_view content_location) {
  std::string h = first_ ? "" : "\r\n";
  first_ = false;
  h += "--" + boundary_ + "\r\nContent-Type: " + type_ + "\r\n";
  if (!content_location.empty())
    h += "Content-Location: " + std::string(content_location) + "\r\n";
  h += "\r\n";
  return h;
}

std::string MultipartRelated::closing() const {
  return "\r\n--" + boundary_ + "--\r\n";
}

std::string MultipartRelated::build(const std::vector<std::string>& parts) {
  std::string body;
  for (const auto& p : parts) {
    body += part_header();
    body += p;
  }
  body += closing();
  return body;
}

}  // namespace hareyaka::gateway::dicom
