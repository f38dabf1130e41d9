// Japanese name normalisation for matching and search. Facilities write the same name in
// many ways: full- or half-width kana (ﾔﾏﾀﾞ / ヤマダ), hiragana or katakana, with or
// without a space between family and given names, small kana written large (キョウ /
// キヨウ), long vowels spelt ー, ウ or not at all (ヨーコ / ヨウコ), and old or variant kanji
// (髙橋 / 高橋, 渡邊 / 渡辺, 齋藤 / 斉藤). Two levels:
//   normalize_kana: a canonical spelling (full-width katakana, no spaces, voiced marks
//     composed); two spellings of the same kana give the same string.
//   kana_key: a deliberately lossy key (small kana enlarged, voiced marks and long vowels
//     folded) under which plausible variants of one name collide; used for blocking and
//     a "near" match, never alone for a link.
//   normalize_kanji: width folding, space removal, upper-case Latin, variant kanji folded
//     to one form.
#pragma once

#include <string>
#include <string_view>

namespace hareyaka::pix {

std::string normalize_kana(std::string_view s);
std::string kana_key(std::string_view s);
std::string normalize_kanji(std::string_view s);
// True when every letter of s is kana (hiragana, katakana, half-width katakana), ignoring
// spaces and marks: decides whether an unlabelled name is the kana or the kanji form.
bool is_kana_text(std::string_view s);
// Digits only (full-width digits folded), for phone numbers and postal codes.
std::string digits_only(std::string_view s);

}  // namespace hareyaka::pix
