// Baseline JPEG encoding of 8-bit pixels with libjpeg-turbo (SIMD), used for rendered
// images instead of DCMTK's DiJPEGPlugin: the plugin drives DCMTK's bundled IJG 6b, which
// has no SIMD and always computes optimal Huffman tables (a second pass), and was the larger
// part of a render's time.
#pragma once

#include <cstdint>
#include <string>

namespace hareyaka::gateway::dicom {

// pixels: width×height×components bytes, interleaved; components 1 (grey) or 3 (RGB).
// Throws Error(kInternal) if libjpeg reports an error.
std::string encode_jpeg(const std::uint8_t* pixels, unsigned width, unsigned height, int components,
                        int quality);

}  // namespace hareyaka::gateway::dicom
