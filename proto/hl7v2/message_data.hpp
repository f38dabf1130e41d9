// Private storage of a Message: the decoded text that every Segment's views point into.
// Held behind a unique_ptr so moving a Message never moves the text (views stay valid).
#pragma once

#include <string>
#include <vector>

#include "proto/hl7v2/message.hpp"

namespace hareyaka::hl7v2 {

struct Message::Data {
  std::string text;
  Separators separators;
  std::vector<Segment> segments;
};

}  // namespace hareyaka::hl7v2
