#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "gateway/tools/generator_data.hpp"
#include "gateway/tools/generator_records.hpp"

namespace hareyaka::gateway::tools::gen {

void prescription(Context& c, std::uint32_t date) {
  std::uint64_t ts = stamp(date, c);
  std::string no = order_no(c);
  std::string doc = doctor(c);
  std::vector<std::string> segs{msh(c, ts, "RDE^O11^RDE_O11"), pid_segment(c, false),
                                Seg("PV1").set(1, "0001").set(2, "O").set(3, "01^^^^^C").str()};
  int rps = uniform(c.rng, 1, 3);
  int days = uniform(c.rng, 1, 8) * 7;
  for (int rp = 1; rp <= rps; ++rp) {
    const auto& d = pick(c.rng, data::kDrugs);
    const auto& u = pick(c.rng, data::kUsages);
    int per_day = d.dose * (u.code[3] - '0');
    segs.push_back(Seg("ORC")
                       .set(1, "NW")
                       .set(2, no)
                       .set(4, std::to_string(rp))
                       .set(9, ts14(ts))
                       .set(12, doc)
                       .set(17, "01^内科^99XY1")
                       .set(29, "O^外来患者オーダ^HL70482")
                       .str());
    segs.push_back(
        Seg("RXE")
            .set(2, std::string(d.hot9) + "^" + d.name + "^HOT9")
            .set(3, std::to_string(d.dose))
            .set(5, std::string(d.unit) + "^" + d.unit_name + "^MR9P")
            .set(10, std::to_string(per_day * days))
            .set(11, std::string(d.unit) + "^" + d.unit_name + "^MR9P")
            .set(15, no.substr(5))
            .set(19, std::to_string(per_day) + "^" + d.unit + "&" + d.unit_name + "&MR9P")
            .set(21, "OHP^外来処方^MR9P~OHO^院外処方^MR9P")
            .str());
    segs.push_back(Seg("TQ1")
                       .set(1, "1")
                       .set(3, std::string(u.code) + "&" + u.text + "&JAMISDP01")
                       .set(6, std::to_string(days) + "^d")
                       .set(7, date_text(date))
                       .str());
    segs.push_back(Seg("RXR").set(1, "PO^口^HL70162").str());
  }
  // Now and then the order was revised: the first version stays as a superseded (_2) file.
  if (chance(c.rng, 0.05)) {
    c.w.write(c.pid, date, "OMP-01", no, ts - 1000, "01", 2, segs, c.error);
  }
  c.w.write(c.pid, date, "OMP-01", no, ts, "01", 1, segs, c.error);
}

void lab(Context& c, std::uint32_t date) {
  std::uint64_t ts = stamp(date, c);
  std::string no = order_no(c);
  std::vector<std::string> segs{msh(c, ts, "OUL^R22^OUL_R22"),
                                pid_segment(c, false),
                                Seg("PV1").set(1, "0001").set(2, "O").str(),
                                Seg("SPM")
                                    .set(1, "1")
                                    .set(2, no)
                                    .set(4, "023^血清^JC10")
                                    .set(17, date_text(date) + "0900")
                                    .str(),
                                Seg("OBR")
                                    .set(1, "1")
                                    .set(2, no)
                                    .set(3, no)
                                    .set(4, "E001^生化学的検査^99O03")
                                    .set(7, date_text(date))
                                    .set(22, ts14(ts))
                                    .str(),
                                Seg("ORC")
                                    .set(1, "SC")
                                    .set(2, no)
                                    .set(5, "CM")
                                    .set(9, ts14(ts))
                                    .set(17, "01^内科^99XY1")
                                    .str()};
  int n = uniform(c.rng, 3, 7);
  int first = uniform(c.rng, 0, static_cast<int>(std::size(data::kLabItems)) - 1);
  for (int i = 0; i < n; ++i) {
    const auto& item = data::kLabItems[(first + i) % std::size(data::kLabItems)];
    double v = std::max(0.01, std::normal_distribution<double>(item.mean, item.sd)(c.rng));
    char value[32], range[48];
    std::snprintf(value, sizeof value, "%.*f", item.decimals, v);
    std::snprintf(range, sizeof range, "%.*f-%.*f", item.decimals, item.low, item.decimals,
                  item.high);
    double shown = std::atof(value);
    std::string flag = shown > item.high ? "H" : (shown < item.low ? "L" : "N");
    segs.push_back(Seg("OBX")
                       .set(1, std::to_string(i + 1))
                       .set(2, "NM")
                       .set(3, std::string(item.jlac10) + "^" + item.name + "^JC10")
                       .set(5, value)
                       .set(6, std::string(esc(item.unit)) + "^" + esc(item.unit) + "^99XYZ")
                       .set(7, range)
                       .set(8, flag)
                       .set(11, "F")
                       .set(14, date_text(date) + "0900")
                       .str());
  }
  c.w.write(c.pid, date, "OML-11", no, ts, "01", 1, segs, c.error);
}

namespace {

std::string study_uid(Context& c) {
  // 2.25: a UID from a large random number, for data without a registered root.
  return "2.25." + std::to_string(c.rng() >> 1) + std::to_string(uniform(c.rng, 100000, 999999));
}

}  // namespace

void radiology(Context& c, std::uint32_t date) {
  std::uint64_t ts = stamp(date, c);
  std::string no = order_no(c);
  const auto& e = pick(c.rng, data::kRadiology);
  std::string doc = doctor(c);
  std::string uid = study_uid(c);
  std::string acc = "A" + no.substr(3);
  std::vector<std::string> segs{msh(c, ts, "OMI^Z23^OMI_Z23"),
                                pid_segment(c, false),
                                Seg("PV1").set(1, "0001").set(2, "O").str(),
                                Seg("ORC")
                                    .set(1, "NW")
                                    .set(2, no)
                                    .set(9, ts14(ts))
                                    .set(12, doc)
                                    .set(17, "01^内科^99XY1")
                                    .str(),
                                Seg("OBR")
                                    .set(2, no)
                                    .set(4, std::string(e.code) + "^" + e.name + "^JJ1017")
                                    .set(7, date_text(date))
                                    .set(16, doc)
                                    .set(22, ts14(ts))
                                    .set(25, "F")
                                    .str(),
                                Seg("OBX")
                                    .set(1, "1")
                                    .set(2, "TX")
                                    .set(3, "MS3-24^所見^JSHR")
                                    .set(5, esc(pick(c.rng, data::kFindings)))
                                    .set(11, "F")
                                    .str(),
                                Seg("IPC")
                                    .set(1, acc)
                                    .set(2, no.substr(8))
                                    .set(3, uid)
                                    .set(5, std::string(e.modality) + "^^DCM")
                                    .str()};
  c.w.write(c.pid, date, "OMG-11", no, ts, "01", 1, segs, c.error);
}

}  // namespace hareyaka::gateway::tools::gen
