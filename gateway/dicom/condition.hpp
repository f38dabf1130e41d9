// The one adapter from DCMTK's OFCondition to our error type: no other file inspects an
// OFCondition beyond good()/bad(). DCMTK condition texts carry no patient data (they name
// modules, codes and states), so the text goes to the internal message.
#pragma once

#include <string_view>

#include "common/error.hpp"

class OFCondition;

namespace hareyaka::gateway::dicom {

// Builds an Error saying what we were doing (`what`, e.g. "reading DICOM file") and what
// DCMTK said. `code` classifies it for the HTTP boundary.
Error condition_error(const OFCondition& cond, std::string_view what,
                      ErrorCode code = ErrorCode::kInternal);

// Throws condition_error(...) when cond is bad.
void check(const OFCondition& cond, std::string_view what, ErrorCode code = ErrorCode::kInternal);

// The human text of a condition ("module/code: text"), for reasons sent back to peers
// (C-STORE error comments) and for import reports.
std::string condition_text(const OFCondition& cond);

}  // namespace hareyaka::gateway::dicom
