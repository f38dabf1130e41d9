// The discharge summary the generator puts in the extended storage, as a minimal PDF.
#pragma once

#include <cstdint>
#include <string>

namespace hareyaka::gateway::tools::gen {

// A one-page PDF (A4, Helvetica) with a valid cross-reference table, so that viewers open
// it: the discharge summary of the extended storage. ASCII only: the standard 14 fonts
// carry no Japanese glyphs, and embedding a font would bloat every generated file.
std::string discharge_summary_pdf(const std::string& pid, std::uint32_t date);

}  // namespace hareyaka::gateway::tools::gen
