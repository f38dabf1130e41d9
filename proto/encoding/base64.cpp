#include "proto/encoding/base64.hpp"

#include <array>

namespace hareyaka {
namespace {

constexpr std::string_view kStandard =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<signed char, 256> reverse(std::string_view alphabet) {
  std::array<signed char, 256> r{};
  for (auto& v : r)
    v = -1;
  for (std::size_t i = 0; i < alphabet.size(); ++i)
    r[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
  return r;
}

constexpr auto kStandardReverse = reverse(kStandard);
constexpr auto kUrlReverse = reverse(kUrl);

bool xml_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

}  // namespace

std::string base64_encode(std::string_view in, Base64Alphabet alphabet) {
  const std::string_view a = alphabet == Base64Alphabet::kStandard ? kStandard : kUrl;
  const bool pad = alphabet == Base64Alphabet::kStandard;
  std::string out;
  out.reserve(4 * ((in.size() + 2) / 3));
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    for (int s : {18, 12, 6, 0})
      out.push_back(a[(v >> s) & 63]);
  }
  if (i < in.size()) {
    const bool two = i + 1 < in.size();
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (two)
      v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out.push_back(a[(v >> 18) & 63]);
    out.push_back(a[(v >> 12) & 63]);
    if (two)
      out.push_back(a[(v >> 6) & 63]);
    else if (pad)
      out.push_back('=');
    if (pad)
      out.push_back('=');
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view in, Base64Alphabet alphabet,
                                         bool skip_xml_space) {
  const auto& r = alphabet == Base64Alphabet::kStandard ? kStandardReverse : kUrlReverse;
  const bool padded = alphabet == Base64Alphabet::kStandard;
  std::string out;
  out.reserve(in.size() * 3 / 4);
  unsigned buf = 0;
  int bits = 0;
  std::size_t symbols = 0;  // data and padding characters, white space excluded
  std::size_t pad = 0;
  for (char c : in) {
    if (skip_xml_space && xml_space(c))
      continue;
    ++symbols;
    if (c == '=') {
      if (!padded)
        return std::nullopt;
      ++pad;
      continue;
    }
    const int v = r[static_cast<unsigned char>(c)];
    if (v < 0 || pad > 0)
      return std::nullopt;
    buf = ((buf << 6) | static_cast<unsigned>(v)) & 0xffffu;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buf >> bits) & 0xff));
    }
  }
  if (padded && (symbols % 4 != 0 || pad > 2))
    return std::nullopt;
  if (!padded && symbols % 4 == 1)
    return std::nullopt;
  // The bits left over after the last whole byte must be zero (RFC 4648 section 3.5).
  if ((buf & ((1u << bits) - 1)) != 0)
    return std::nullopt;
  return out;
}

}  // namespace hareyaka
