// Request parameters as the HTTP layer hands them over: the decoded query string, in order,
// keys possibly repeated. Helpers read them with errors that name the parameter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hareyaka::gateway::dicom {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// The single value of key; Error(kBadRequest) when it is repeated. nullopt when absent.
std::optional<std::string> single(const QueryParams& params, std::string_view key);

// Parses a non-negative integer up to max; Error(kBadRequest) naming `key` otherwise.
std::uint32_t parse_uint(std::string_view key, std::string_view value, std::uint32_t max);

// Parses a decimal number; Error(kBadRequest) naming `key` otherwise.
double parse_number(std::string_view key, std::string_view value);

// Splits "a,b" / "a\b" lists (QIDO-RS allows both separators).
std::vector<std::string> split_list(std::string_view value);

}  // namespace hareyaka::gateway::dicom
