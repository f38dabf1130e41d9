// DCMTK's pixel-data codecs, registered once per process, and the question "can this
// transfer syntax be decoded here". Debian's DCMTK 3.6.7 decodes JPEG (baseline, extended,
// lossless; via IJG 8/12/16-bit), JPEG-LS (CharLS) and RLE. JPEG 2000 is NOT part of DCMTK
// (OFFIS sells it separately), so JPEG 2000 instances are stored and served raw but never
// rendered; the same holds for MPEG/HEVC video and deflated-in-pixel formats.
#pragma once

#include <string>
#include <string_view>

namespace hareyaka::gateway::dicom {

// Registers the JPEG, JPEG-LS and RLE decoders. Safe to call many times and from many
// threads; only the first call does the work. Call it at daemon start. It also sets DCMTK's
// own logger to errors only (its info/debug output can contain patient data) and turns
// Nagle's algorithm off for DCMTK sockets (TCP_NODELAY=1 unless the environment says).
void register_codecs();

// True when pixel data in this transfer syntax can be decoded to native pixels.
bool can_decode(std::string_view transfer_syntax_uid);

// "JPEG 2000 Image Compression (Lossless Only)" for its UID; the UID itself when unknown.
std::string transfer_syntax_name(std::string_view transfer_syntax_uid);

}  // namespace hareyaka::gateway::dicom
