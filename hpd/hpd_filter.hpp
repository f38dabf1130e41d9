// Evaluates DSMLv2 search filters on directory entries, with LDAP's three-valued logic (an
// attribute type the directory does not know makes an assertion Undefined; NOT Undefined is
// Undefined; an entry is returned only when the filter is True). Every HPD attribute matches
// with caseIgnoreMatch (white space trimmed and collapsed, ASCII case ignored);
// greaterOrEqual/lessOrEqual order the normalized values as strings; approxMatch also ignores
// all white space. objectClass values compare by their canonical class (aliases included).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hpd/dsml/dsml.hpp"

namespace hareyaka::hpd {

enum class Truth { kFalse, kTrue, kUndefined };

Truth evaluate(const dsml::Filter& filter, const dsml::Entry& entry);

// A value in the form equality compares (canonical class for objectClass, else
// caseIgnoreMatch normalization).
std::string match_value(std::string_view attribute, std::string_view value);

// An equality assertion every matching entry must satisfy (from the filter or a top-level
// AND; objectClass skipped), as {lower-case attribute type, normalized value}, to narrow
// candidates by index.
std::optional<std::pair<std::string, std::string>> required_equality(const dsml::Filter& filter);

// Substring indexing (hpd_entries.substr, a pg_trgm index): the text an entry is indexed by,
// and the regular expression (PostgreSQL ARE) that every entry a filter can match satisfies,
// from a substrings assertion on an indexed attribute that the whole filter requires (itself
// or a child of a top-level AND). Values are normalized as the filter compares them, and the
// non-ASCII characters are spelled as four base-36 digits each (their code point), so
// trigrams exist for Japanese text whatever the database's LC_CTYPE and a trigram within one
// character names that character. The attribute type of each value is spelled in
// punctuation, from which pg_trgm takes no trigrams: the index narrows by the value alone
// (as a word, a type every entry has would put its trigrams in every row), and the regular
// expression still requires the type. The index only narrows: candidates are
// evaluated with evaluate(). Certificates and objectClass are not indexed.
std::string substring_index_text(const dsml::Entry& entry);
std::optional<std::string> required_substring_pattern(const dsml::Filter& filter);

// The entry as the search asked for it: all user attributes for an empty list or "*", none for
// "1.1", otherwise the named ones (case-insensitive, options ignored); values dropped when
// types_only.
dsml::Entry select_attributes(const dsml::Entry& entry, const std::vector<std::string>& attributes,
                              bool types_only);

}  // namespace hareyaka::hpd
