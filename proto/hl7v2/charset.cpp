#include "proto/hl7v2/charset.hpp"

#include <iconv.h>

#include <cerrno>

namespace hareyaka::hl7v2 {
namespace {

// One iconv descriptor per thread and direction: iconv_open is costly, and a descriptor
// carries shift state, so it may not be shared between threads.
class Converter {
 public:
  Converter(const char* to, const char* from) : cd_(iconv_open(to, from)) {}
  ~Converter() {
    if (cd_ != reinterpret_cast<iconv_t>(-1))
      iconv_close(cd_);
  }
  Converter(const Converter&) = delete;
  Converter& operator=(const Converter&) = delete;

  std::optional<std::string> convert(std::string_view in, CharsetError* error) {
    if (cd_ == reinterpret_cast<iconv_t>(-1)) {
      if (error)
        *error = {0, "character set converter unavailable"};
      return std::nullopt;
    }
    iconv(cd_, nullptr, nullptr, nullptr, nullptr);  // reset shift state
    std::string out;
    out.resize(in.size() * 3 / 2 + 16);
    char* src = const_cast<char*>(in.data());
    std::size_t src_left = in.size();
    std::size_t written = 0;
    for (;;) {
      char* dst = out.data() + written;
      std::size_t dst_left = out.size() - written;
      std::size_t rc = iconv(cd_, src_left ? &src : nullptr, &src_left, &dst, &dst_left);
      written = out.size() - dst_left;
      if (rc != static_cast<std::size_t>(-1)) {
        if (src_left == 0)
          break;
        continue;
      }
      if (errno == E2BIG) {
        out.resize(out.size() * 2);
        continue;
      }
      if (error) {
        error->offset = in.size() - src_left;
        error->message = errno == EILSEQ ? "invalid or unconvertible character sequence"
                                         : "incomplete character sequence at end of input";
      }
      return std::nullopt;
    }
    // Flush the shift state (returns to ASCII at the end of an ISO-2022-JP output).
    for (;;) {
      char* dst = out.data() + written;
      std::size_t dst_left = out.size() - written;
      std::size_t rc = iconv(cd_, nullptr, nullptr, &dst, &dst_left);
      written = out.size() - dst_left;
      if (rc != static_cast<std::size_t>(-1))
        break;
      if (errno != E2BIG)
        break;
      out.resize(out.size() * 2);
    }
    out.resize(written);
    return out;
  }

 private:
  iconv_t cd_;
};

bool is_ascii(std::string_view in) {
  for (unsigned char c : in) {
    if (c >= 0x80 || c == 0x1b)
      return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> iso2022jp_to_utf8(std::string_view in, CharsetError* error) {
  if (is_ascii(in))
    return std::string(in);
  thread_local Converter converter("UTF-8", "ISO-2022-JP");
  return converter.convert(in, error);
}

std::optional<std::string> utf8_to_iso2022jp(std::string_view in, CharsetError* error) {
  if (is_ascii(in))
    return std::string(in);
  thread_local Converter converter("ISO-2022-JP", "UTF-8");
  return converter.convert(in, error);
}

bool is_valid_utf8(std::string_view in) {
  std::size_t i = 0;
  const std::size_t n = in.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int len = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n)
      return false;
    for (int k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(in[i + k]);
      if ((cc & 0xC0) != 0x80)
        return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

}  // namespace hareyaka::hl7v2
