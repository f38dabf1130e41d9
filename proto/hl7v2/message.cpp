#include "proto/hl7v2/message.hpp"

#include "proto/hl7v2/message_data.hpp"

namespace hareyaka::hl7v2 {

std::string_view nth_part(std::string_view text, char sep, int index) {
  if (index < 0)
    return {};
  std::size_t start = 0;
  for (int i = 0; i < index; ++i) {
    std::size_t pos = text.find(sep, start);
    if (pos == std::string_view::npos)
      return {};
    start = pos + 1;
  }
  std::size_t end = text.find(sep, start);
  return text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

std::string_view Segment::raw(int field) const {
  if (field < 1 || field > static_cast<int>(fields_.size()))
    return {};
  return fields_[field - 1];
}

int Segment::repetitions(int field) const {
  std::string_view f = raw(field);
  if (f.empty())
    return 0;
  // MSH-2 holds the repetition character itself: it is one value, never split.
  if (name_ == "MSH" && field <= 2)
    return 1;
  int n = 1;
  for (char c : f) {
    if (c == seps_->repetition)
      ++n;
  }
  return n;
}

std::string_view Segment::raw_at(int field, int repetition, int component, int subcomponent) const {
  std::string_view f = raw(field);
  if (f.empty())
    return {};
  if (name_ == "MSH" && field <= 2) {
    return repetition == 0 && component <= 1 && subcomponent <= 1 ? f : std::string_view{};
  }
  std::string_view rep = nth_part(f, seps_->repetition, repetition);
  std::string_view comp = nth_part(rep, seps_->component, component - 1);
  if (subcomponent <= 0)
    return comp;
  return nth_part(comp, seps_->subcomponent, subcomponent - 1);
}

std::string Segment::get(int field, int component, int subcomponent, int repetition) const {
  std::string_view r = raw_at(field, repetition, component, subcomponent);
  if (name_ == "MSH" && field <= 2)
    return std::string(r);
  return unescape(r, *seps_);
}

std::vector<std::string> Segment::get_all(int field, int component) const {
  std::vector<std::string> out;
  int n = repetitions(field);
  for (int r = 0; r < n; ++r)
    out.push_back(get(field, component, 0, r));
  return out;
}

Message::Message() : data_(std::make_unique<Data>()) {}
Message::Message(Message&&) noexcept = default;
Message& Message::operator=(Message&&) noexcept = default;
Message::~Message() = default;

const std::vector<Segment>& Message::segments() const {
  return data_->segments;
}
const Separators& Message::separators() const {
  return data_->separators;
}

const Segment* Message::find(std::string_view name) const {
  for (const auto& s : data_->segments) {
    if (s.name() == name)
      return &s;
  }
  return nullptr;
}

std::string Message::message_type() const {
  const Segment* msh = find("MSH");
  return msh ? msh->get(9, 1) : std::string();
}

std::string Message::trigger_event() const {
  const Segment* msh = find("MSH");
  return msh ? msh->get(9, 2) : std::string();
}

}  // namespace hareyaka::hl7v2
