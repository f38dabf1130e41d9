#include "pix/pg_identity_sql.hpp"

namespace hareyaka::pix::sql {

std::string text_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i)
      out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\')
        out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::vector<std::int64_t> parse_bigint_array(const std::string& literal) {
  std::vector<std::int64_t> out;
  std::int64_t v = 0;
  bool in = false, neg = false;
  for (char c : literal) {
    if (c >= '0' && c <= '9') {
      v = v * 10 + (c - '0');
      in = true;
    } else if (c == '-') {
      neg = true;
    } else {
      if (in)
        out.push_back(neg ? -v : v);
      v = 0, in = false, neg = false;
    }
  }
  if (in)
    out.push_back(neg ? -v : v);
  return out;
}

std::vector<std::string> parse_text_array(const std::string& literal) {
  std::vector<std::string> out;
  pqxx::array_parser parser(literal.c_str());
  for (auto item = parser.get_next(); item.first != pqxx::array_parser::done;
       item = parser.get_next()) {
    if (item.first == pqxx::array_parser::string_value)
      out.push_back(item.second);
  }
  return out;
}

IdentityRecord to_record(const pqxx::row& r) {
  IdentityRecord rec;
  rec.key = {r[0].as<std::string>(), r[1].as<std::string>()};
  rec.person_id = r[2].as<std::int64_t>();
  rec.merged = r[3].as<std::string>() == "merged";
  if (!r[4].is_null())
    rec.merged_into = IdentityKey{r[4].as<std::string>(), r[5].as<std::string>()};
  Demographics& d = rec.demographics;
  d.family_kanji = r[6].as<std::string>();
  d.given_kanji = r[7].as<std::string>();
  d.family_kana = r[8].as<std::string>();
  d.given_kana = r[9].as<std::string>();
  d.birth_date = r[10].as<std::string>();
  const std::string sex = r[11].as<std::string>();
  d.sex = sex.empty() ? 'U' : sex[0];
  d.address = r[12].as<std::string>();
  d.postal_code = r[13].as<std::string>();
  d.phone = r[14].as<std::string>();
  rec.link_origin = r[15].as<std::string>();
  if (!r[16].is_null())
    rec.link_score = r[16].as<double>();
  return rec;
}

void record_change(pg::Tx& tx, const IdentityKey& k, const char* action,
                   std::optional<std::int64_t> from, std::int64_t to, std::optional<double> score,
                   const std::string& actor, const std::string& reason) {
  tx.exec(kHistory, k.authority, k.local_id, std::string(action), Nullable(from).get(), to,
          Nullable(score).get(), actor, reason);
}

void notify(pg::Tx& tx, const std::vector<std::string>& consumers, std::int64_t person_id) {
  if (consumers.empty())
    return;
  tx.exec(kEnqueue, text_array(consumers), person_id);
}

}  // namespace hareyaka::pix::sql
