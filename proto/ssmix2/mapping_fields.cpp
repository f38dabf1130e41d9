#include "proto/ssmix2/mapping_fields.hpp"

namespace hareyaka::ssmix2::fields {

clinical::Code code(const hl7v2::Segment& s, int field, int repetition) {
  clinical::Code c;
  c.code = s.get(field, 1, 0, repetition);
  c.display = s.get(field, 2, 0, repetition);
  c.system = s.get(field, 3, 0, repetition);
  c.alt_code = s.get(field, 4, 0, repetition);
  c.alt_display = s.get(field, 5, 0, repetition);
  c.alt_system = s.get(field, 6, 0, repetition);
  return c;
}

clinical::Code sub_code(const hl7v2::Segment& s, int field, int component, int repetition) {
  clinical::Code c;
  c.code = s.get(field, component, 1, repetition);
  c.display = s.get(field, component, 2, repetition);
  c.system = s.get(field, component, 3, repetition);
  return c;
}

clinical::Person person(const hl7v2::Segment& s, int field, int repetition) {
  return {s.get(field, 1, 0, repetition), s.get(field, 2, 0, repetition),
          s.get(field, 3, 0, repetition)};
}

clinical::Quantity cq(const hl7v2::Segment& s, int field) {
  clinical::Quantity q;
  q.value = s.get(field, 1);
  q.unit = sub_code(s, field, 2);
  return q;
}

std::string iso_time(std::string_view t) {
  std::size_t digits = 0;
  while (digits < t.size() && t[digits] >= '0' && t[digits] <= '9')
    ++digits;
  if (digits < 4 || digits % 2 == 1 || digits > 14)
    return std::string(t);
  std::string out(t.substr(0, 4));
  if (digits >= 6)
    out += "-" + std::string(t.substr(4, 2));
  if (digits >= 8)
    out += "-" + std::string(t.substr(6, 2));
  if (digits >= 10)
    out += "T" + std::string(t.substr(8, 2));
  if (digits >= 12)
    out += ":" + std::string(t.substr(10, 2));
  if (digits == 10)
    out += ":00";
  if (digits >= 14)
    out += ":" + std::string(t.substr(12, 2));
  std::string_view rest = t.substr(digits);
  if (!rest.empty() && rest[0] == '.' && digits == 14) {
    std::size_t k = 1;
    while (k < rest.size() && rest[k] >= '0' && rest[k] <= '9')
      ++k;
    out += rest.substr(0, k);
    rest.remove_prefix(k);
  }
  if (rest.size() == 5 && (rest[0] == '+' || rest[0] == '-')) {
    out += std::string(rest.substr(0, 3)) + ":" + std::string(rest.substr(3, 2));
  } else if (!rest.empty()) {
    return std::string(t);
  }
  return out;
}

std::string time(const hl7v2::Segment& s, int field, int component) {
  return iso_time(s.get(field, component));
}

clinical::Observation observation(const hl7v2::Segment& obx) {
  clinical::Observation o;
  o.set_id = obx.get(1);
  o.value_type = obx.get(2);
  o.code = code(obx, 3);
  o.sub_id = obx.get(4);
  if (o.value_type == "CWE" || o.value_type == "CE" || o.value_type == "CNE") {
    o.value_code = code(obx, 5);
    o.value = o.value_code.display.empty() ? o.value_code.code : o.value_code.display;
  } else if (o.value_type == "XCN") {
    clinical::Person p = person(obx, 5);
    o.value_code.code = p.id;
    o.value = p.given.empty() ? p.family : p.family + " " + p.given;
  } else if (o.value_type == "ZRD") {
    // SS-MIX2 drug-in-report: code^name^system^amount^unit(&text&system)
    o.value_code.code = obx.get(5, 1);
    o.value_code.display = obx.get(5, 2);
    o.value_code.system = obx.get(5, 3);
    o.value = obx.get(5, 4);
    o.unit = sub_code(obx, 5, 5);
  } else if (o.value_type == "TS" || o.value_type == "DT" || o.value_type == "DTM") {
    o.value = iso_time(obx.get(5));
  } else {
    // Repetitions of a text value are lines of one text.
    auto parts = obx.get_all(5);
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (i)
        o.value += "\n";
      o.value += parts[i];
    }
    if (o.value_type != "TX" && o.value_type != "FT" && o.value_type != "ST") {
      o.value = obx.get(5);
    }
  }
  if (o.unit.empty())
    o.unit = code(obx, 6);
  o.range = obx.get(7);
  o.flags = obx.get_all(8);
  o.status = obx.get(11);
  o.observed_at = time(obx, 14);
  return o;
}

}  // namespace hareyaka::ssmix2::fields
