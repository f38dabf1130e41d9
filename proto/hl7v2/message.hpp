// A parsed HL7 v2 message: segments split into fields, kept as raw (still escaped) UTF-8
// text and split further only when a value is read. Field numbers follow HL7: MSH-1 is the
// field separator itself, MSH-2 the encoding characters, PID-3 the third field after "PID".
// Repetitions are 0-based, components and subcomponents 1-based, as in HL7 documents.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "proto/hl7v2/escape.hpp"

namespace hareyaka::hl7v2 {

class Segment {
 public:
  Segment(std::string_view name, std::vector<std::string_view> fields, const Separators* seps)
      : name_(name), fields_(std::move(fields)), seps_(seps) {}

  std::string_view name() const { return name_; }
  // Highest field number present (0 for a bare segment name).
  int field_count() const { return static_cast<int>(fields_.size()); }
  // The raw text of field n (all repetitions), empty when absent.
  std::string_view raw(int field) const;
  // Number of repetitions of field n (0 when empty).
  int repetitions(int field) const;
  // Raw text of one repetition / component / subcomponent.
  std::string_view raw_at(int field, int repetition = 0, int component = 1,
                          int subcomponent = 0) const;
  // Unescaped value. subcomponent 0 means the whole component (including '&' parts).
  std::string get(int field, int component = 1, int subcomponent = 0, int repetition = 0) const;
  // Unescaped value of a whole repetition's component `component`, for each repetition.
  std::vector<std::string> get_all(int field, int component = 1) const;
  const Separators& separators() const { return *seps_; }

 private:
  std::string_view name_;
  std::vector<std::string_view> fields_;  // fields_[0] is field 1
  const Separators* seps_;
};

class Message {
 public:
  Message();
  Message(Message&&) noexcept;
  Message& operator=(Message&&) noexcept;
  ~Message();

  const std::vector<Segment>& segments() const;
  const Separators& separators() const;
  // The first segment named `name`, or nullptr.
  const Segment* find(std::string_view name) const;
  // MSH-9.1 and MSH-9.2, e.g. "RDE" and "O11".
  std::string message_type() const;
  std::string trigger_event() const;

 private:
  friend class Parser;
  struct Data;
  std::unique_ptr<Data> data_;
};

// Splits a raw component or field at `sep`, returning the i-th (0-based) part.
std::string_view nth_part(std::string_view text, char sep, int index);

}  // namespace hareyaka::hl7v2
