#include "gateway/dicom/condition.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/ofstd/ofcond.h>

#include <string>

namespace hareyaka::gateway::dicom {

std::string condition_text(const OFCondition& cond) {
  std::string text = cond.text() ? cond.text() : "unknown DCMTK condition";
  return text + " (DCMTK " + std::to_string(cond.module()) + "/" + std::to_string(cond.code()) +
         ")";
}

Error condition_error(const OFCondition& cond, std::string_view what, ErrorCode code) {
  std::string message = std::string(what) + ": " + condition_text(cond);
  // The external message is the same: it says what failed and why, with no patient data.
  return Error(code, message, message);
}

void check(const OFCondition& cond, std::string_view what, ErrorCode code) {
  if (cond.bad())
    throw condition_error(cond, what, code);
}

}  // namespace hareyaka::gateway::dicom
