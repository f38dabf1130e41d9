#include "tests/gateway/hosted/zip_writer.hpp"

#include <zip.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace hareyaka::testing {

std::string make_zip(const ZipEntries& entries) {
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &ze);
  if (!buffer)
    throw std::runtime_error("zip_source_buffer_create failed");
  zip_source_keep(buffer);  // read back after zip_close
  zip_t* za = zip_open_from_source(buffer, ZIP_TRUNCATE, &ze);
  if (!za)
    throw std::runtime_error(std::string("zip_open_from_source: ") + zip_error_strerror(&ze));
  for (const auto& [name, bytes] : entries) {
    // libzip copies the data at zip_close; keep a copy alive until then through freep=0 on
    // a buffer owned by `entries`.
    zip_source_t* s = zip_source_buffer(za, bytes.data(), bytes.size(), 0);
    if (!s || zip_file_add(za, name.c_str(), s, ZIP_FL_ENC_UTF_8) < 0)
      throw std::runtime_error("zip_file_add " + name + ": " + zip_strerror(za));
  }
  if (zip_close(za) != 0)
    throw std::runtime_error("zip_close failed");
  std::string out;
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_source_stat(buffer, &st) != 0 || zip_source_open(buffer) != 0)
    throw std::runtime_error("zip buffer unreadable");
  out.resize(st.size);
  const zip_int64_t got = zip_source_read(buffer, out.data(), st.size);
  zip_source_close(buffer);
  zip_source_free(buffer);
  if (got != static_cast<zip_int64_t>(st.size))
    throw std::runtime_error("zip buffer short read");
  return out;
}

ZipEntries entries_of_tree(const std::string& root, const std::string& prefix) {
  namespace fs = std::filesystem;
  ZipEntries out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file())
      continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    out.emplace_back(prefix + fs::relative(e.path(), root).string(), ss.str());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace hareyaka::testing
