// WADO-RS frame retrieval: the native (uncompressed, little endian) bytes of chosen frames,
// decoded through the registered codecs when the instance is stored compressed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace hareyaka::gateway::dicom {

// Parses a WADO-RS frame list ("1", "1,3,5"): 1-based, at most kMaxFrameList numbers.
// Throws Error(kBadRequest) saying what is wrong.
std::vector<std::uint32_t> parse_frame_list(std::string_view list);
inline constexpr std::size_t kMaxFrameList = 1000;

// One string of pixel bytes per requested frame, in request order. Throws Error:
// kUnprocessable for no pixel data or an undecodable transfer syntax, kBadRequest for a
// frame past the end.
std::vector<std::string> read_frames(const std::filesystem::path& file,
                                     const std::vector<std::uint32_t>& frames);

}  // namespace hareyaka::gateway::dicom
