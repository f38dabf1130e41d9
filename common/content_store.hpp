// A content-addressed store on disk: each blob is a read-only file named by the SHA-256 of its
// bytes,
//   <root>/<first 2 hex>/<64 hex>
// written once under a temporary name, fsynced and linked into place (common/durable_file), so
// a reader sees a whole blob or none, and equal content is stored once. The care team's
// attachments (portal/care/care_attachments) and the preservation node's objects
// (preserve/store) keep their bytes in one. Errors throw Error(kUnavailable) naming the path
// (internal detail only); a name that is not a SHA-256 digest is kBadRequest.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hareyaka {

class ContentStore {
 public:
  explicit ContentStore(std::string root) : root_(std::move(root)) {}

  const std::string& root() const { return root_; }

  struct Put {
    std::string sha256;
    bool written = false;  // false: the store held this content already
  };
  // Stores the bytes under their digest.
  Put put(std::string_view bytes) const;
  // Stores the bytes under `sha256`, which must be their digest (kBadRequest otherwise); true
  // when written, false when held already.
  bool put_named(std::string_view sha256, std::string_view bytes) const;
  // The blob's bytes; nullopt when it is not held.
  std::optional<std::string> get(std::string_view sha256) const;
  bool has(std::string_view sha256) const;
  // Removes the blob; false when it was not held.
  bool remove(std::string_view sha256) const;
  // The blob's file (whether held or not).
  std::string path_of(std::string_view sha256) const;

 private:
  std::string root_;
};

// 64 lower-case hex digits.
bool is_sha256_name(std::string_view s);

}  // namespace hareyaka
