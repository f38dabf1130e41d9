#include "common/attachment.hpp"

namespace hareyaka::http {
bool plain_file_name(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.front() == '.')
    return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_';
    if (!ok)
      return false;
  }
  return true;
}

void serve_as_attachment(Response& res, std::string_view file_name) {
  // Only plain names: a quote, a semicolon or a path in a stored file name must not reach
  // the header (and the browser's download folder).
  const std::string name = plain_file_name(file_name) ? std::string(file_name) : "document";
  res.headers["Content-Disposition"] = "attachment; filename=\"" + name + "\"";
  res.headers["X-Content-Type-Options"] = "nosniff";
  res.headers["Content-Security-Policy"] = kDocumentPolicy;
}

std::string disposition_file_name(std::string_view value) {
  constexpr std::string_view key = "filename=";
  const auto at = value.find(key);
  if (at == std::string_view::npos)
    return {};
  std::string_view rest = value.substr(at + key.size());
  if (!rest.empty() && rest.front() == '"') {
    rest.remove_prefix(1);
    return std::string(rest.substr(0, rest.find('"')));
  }
  return std::string(rest.substr(0, rest.find(';')));
}

}  // namespace hareyaka::http
