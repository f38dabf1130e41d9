#include "common/content_store.hpp"

#include <filesystem>
#include <system_error>

#include "common/digest.hpp"
#include "common/durable_file.hpp"
#include "common/error.hpp"

namespace hareyaka {

namespace fs = std::filesystem;

bool is_sha256_name(std::string_view s) {
  if (s.size() != 64)
    return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  }
  return true;
}

std::string ContentStore::path_of(std::string_view sha256) const {
  if (!is_sha256_name(sha256))
    throw Error(ErrorCode::kBadRequest, "object name is not a SHA-256 digest");
  return root_ + "/" + std::string(sha256.substr(0, 2)) + "/" + std::string(sha256);
}

ContentStore::Put ContentStore::put(std::string_view bytes) const {
  Put p{.sha256 = sha256_hex(bytes)};
  p.written = write_file_once(path_of(p.sha256), bytes, 0400);
  return p;
}

bool ContentStore::put_named(std::string_view sha256, std::string_view bytes) const {
  const std::string path = path_of(sha256);
  if (sha256_hex(bytes) != sha256)
    throw Error(ErrorCode::kBadRequest, "object digest does not match its content");
  return write_file_once(path, bytes, 0400);
}

std::optional<std::string> ContentStore::get(std::string_view sha256) const {
  return read_whole_file(path_of(sha256));
}

bool ContentStore::has(std::string_view sha256) const {
  std::error_code ec;
  return fs::exists(path_of(sha256), ec);
}

bool ContentStore::remove(std::string_view sha256) const {
  std::error_code ec;
  return fs::remove(path_of(sha256), ec);
}

}  // namespace hareyaka
