// Latin-script (romaji and foreign) names for matching. Romaji-only EMRs and foreign
// residents' records write one name in many ways: case (YAMADA / Yamada), diacritics and
// macrons (Tarō), spacing and hyphens, "family given" or "given family" order, and the
// romanisation system: Hepburn, kunrei/Nihon-shiki (Shi/Si, Tsu/Tu, Sha/Sya, Ji/Zi, Fu/Hu),
// long vowels spelt ō, ou, oo, oh or not at all, n or m before b/m/p (Homma / Honma).
//   normalize_latin: lower-case ASCII, diacritics stripped, spaces and punctuation dropped.
//   romaji_key: a deliberately lossy key under which the romanisation variants of one name
//     collide (kunrei and Hepburn folded to one form, long vowels folded).
//   kana_romaji: the Hepburn reading of a kana name, so that a romaji-only record can be
//     compared with one that has only the kana reading.
#pragma once

#include <string>
#include <string_view>

namespace hareyaka::pix {

// True when s has at least one letter and every letter is Latin (ASCII, Latin-1, Latin
// Extended-A, full-width Latin); spaces, hyphens, apostrophes and dots are allowed.
bool is_latin_text(std::string_view s);
std::string normalize_latin(std::string_view s);
// Takes normalize_latin's output (or any lower-case ASCII romaji).
std::string romaji_key(std::string_view normalized);
// Full-width katakana (normalize_kana's output) to Hepburn romaji, lower case; characters
// that are not kana are dropped.
std::string kana_romaji(std::string_view katakana);

}  // namespace hareyaka::pix
