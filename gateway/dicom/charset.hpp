// Text of DICOM datasets to UTF-8. Debian's DCMTK converts through glibc iconv, which covers
// the single-byte sets, GB18030/GBK and UTF-8 but refuses ISO 2022 code extensions ("'ISO 2022
// IR 87' is not supported by the utilized character set conversion library"), i.e. exactly
// the Japanese sets. So values under an "ISO 2022 ..." Specific Character Set are decoded
// here (PS3.5 6.1.2.5 and Annex H/I/J): the escape sequences select JIS X 0201 romaji and
// katakana, JIS X 0208 (IR 87), JIS X 0212 (IR 159), KS X 1001 (IR 149), GB 2312 (IR 58) and
// the ISO 8859 parts, and each run of multi-byte text goes through glibc iconv (EUC-JP,
// EUC-KR, GB2312). Everything else uses DCMTK's converter.
#pragma once

#include <memory>
#include <string>
#include <string_view>

class DcmItem;

namespace hareyaka::gateway::dicom {

class TextDecoder {
 public:
  // specific_character_set: the raw (0008,0005) value, multi-valued with '\\'.
  explicit TextDecoder(std::string_view specific_character_set);
  ~TextDecoder();
  TextDecoder(const TextDecoder&) = delete;
  TextDecoder& operator=(const TextDecoder&) = delete;

  // pn: a person name ('^' and '=' restore the initial character set, as do '\\' and CR/LF
  // for every VR). Undecodable bytes become U+FFFD; the result is always valid UTF-8.
  std::string to_utf8(std::string_view raw, bool pn) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Converts every text value of the dataset (recursively, honouring a sequence item's own
// Specific Character Set) to UTF-8 and sets (0008,0005) to ISO_IR 192.
void dataset_to_utf8(DcmItem& dataset);

}  // namespace hareyaka::gateway::dicom
