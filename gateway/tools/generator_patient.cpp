#include <cstdio>
#include <string>
#include <vector>

#include "gateway/tools/generator_data.hpp"
#include "gateway/tools/generator_pdf.hpp"
#include "gateway/tools/generator_records.hpp"
#include "proto/ssmix2/file_name.hpp"

namespace hareyaka::gateway::tools::gen {

void demographics(Context& c) {
  const Person& p = c.person;
  std::uint64_t ts = stamp(20240401, c);
  std::vector<std::string> segs{msh(c, ts, "ADT^A08^ADT_A01"), Seg("EVN").set(2, ts14(ts)).str(),
                                pid_segment(c, true), Seg("PV1").set(1, "0001").set(2, "O").str()};
  int height = p.sex == 'M' ? uniform(c.rng, 158, 182) : uniform(c.rng, 146, 168);
  char h[16], wt[16];
  std::snprintf(h, sizeof h, "%d.%d", height, uniform(c.rng, 0, 9));
  std::snprintf(wt, sizeof wt, "%d.%d", height - 105 + uniform(c.rng, -12, 15),
                uniform(c.rng, 0, 9));
  segs.push_back(Seg("OBX")
                     .set(1, "1")
                     .set(2, "NM")
                     .set(3, "9N001000000000001^身長^JC10")
                     .set(5, h)
                     .set(6, "cm^cm^ISO+")
                     .set(11, "F")
                     .str());
  segs.push_back(Seg("OBX")
                     .set(1, "2")
                     .set(2, "NM")
                     .set(3, "9N006000000000001^体重^JC10")
                     .set(5, wt)
                     .set(6, "kg^kg^ISO+")
                     .set(11, "F")
                     .str());
  if (chance(c.rng, 0.2)) {
    segs.push_back(Seg("AL1")
                       .set(1, "1")
                       .set(2, "DA^薬剤アレルギー^HL70127")
                       .set(3, "1^ペニシリン^99XYZ")
                       .str());
  }
  if (!c.w.write(c.pid, 0, "ADT-00", "999999999999999", ts, "-", 1, segs, c.error))
    return;
}

void allergies(Context& c) {
  std::uint64_t ts = stamp(20240401, c);
  std::vector<std::string> segs{msh(c, ts, "ADT^A60^ADT_A60"), Seg("EVN").set(2, ts14(ts)).str(),
                                pid_segment(c, false)};
  segs.push_back(Seg("IAM")
                     .set(1, "1")
                     .set(2, "FA^食物アレルギー^HL70127")
                     .set(3, "5A1002411023006^ソバ^JC10")
                     .set(4, "MO^中等度^HL70128")
                     .set(5, "湿疹")
                     .set(6, "A^追加^HL70323")
                     .set(11, "199601")
                     .str());
  c.w.write(c.pid, 0, "ADT-61", "999999999999999", ts, "-", 1, segs, c.error);
}

void diagnoses(Context& c, std::uint32_t first_visit) {
  std::uint64_t ts = stamp(20240401, c);
  std::vector<std::string> segs{msh(c, ts, "PPR^ZD1^PPR_ZD1"), pid_segment(c, false)};
  int n = uniform(c.rng, 1, 3);
  for (int i = 0; i < n; ++i) {
    const auto& d = pick(c.rng, data::kDiseases);
    std::uint32_t start = add_days(first_visit, uniform(c.rng, 0, 200));
    segs.push_back(Seg("PRB")
                       .set(1, "AD")
                       .set(2, date_text(start))
                       .set(3, std::string(d.medis) + "^" + d.name + "^MDCDX2")
                       .set(4, order_no(c))
                       .set(7, date_text(start))
                       .set(10, std::string(d.icd10) + "^^I10^O^外来時^JHSD0004")
                       .set(14, "C^継続^HL70241")
                       .set(16, date_text(start))
                       .set(18, i == 0 ? "1^主診断^JHSD0007" : "2^副診断^JHSD0007")
                       .str());
  }
  segs.push_back(Seg("ORC")
                     .set(1, "NW")
                     .set(2, order_no(c))
                     .set(12, doctor(c))
                     .set(17, "01^内科^99XY1")
                     .str());
  c.w.write(c.pid, 0, "PPR-01", "999999999999999", ts, "01", 1, segs, c.error);
}

void visit(Context& c, std::uint32_t date) {
  std::uint64_t ts = stamp(date, c);
  std::string doc = doctor(c);
  // Now and then a registration is cancelled (A11): the cancellation is a file of its own.
  if (chance(c.rng, 0.02)) {
    std::uint64_t cts = stamp(date, c);
    c.w.write(
        c.pid, date, "ADT-12", "999999999999999", cts, "01", 1,
        {msh(c, cts, "ADT^A11^ADT_A09"), Seg("EVN").set(2, ts14(cts)).set(6, ts14(ts)).str(),
         pid_segment(c, false),
         Seg("PV1").set(1, "0001").set(2, "O").set(3, "01^^^^^C").set(7, doc).set(10, "01").str()},
        c.error);
  }
  c.w.write(
      c.pid, date, "ADT-12", "999999999999999", ts, "01", 1,
      {msh(c, ts, "ADT^A04^ADT_A01"), Seg("EVN").set(2, ts14(ts)).set(6, ts14(ts)).str(),
       pid_segment(c, false),
       Seg("PV1").set(1, "0001").set(2, "O").set(3, "01^^^^^C").set(7, doc).set(10, "01").str()},
      c.error);
}

namespace {

// The admission (ADT-22, A01) and the planned admission before it (ADT-21, A14) carry the same
// inpatient PV1 and differ only in the event, its message type and when it was issued.
void write_inpatient(Context& c, std::uint32_t date, const char* type, std::uint64_t sent,
                     const char* message_type, const std::string& ward, const std::string& doc,
                     std::uint64_t admitted) {
  c.w.write(c.pid, date, type, "999999999999999", sent, "01", 1,
            {msh(c, sent, message_type), Seg("EVN").set(2, ts14(sent)).str(), pid_segment(c, false),
             Seg("PV1")
                 .set(1, "0001")
                 .set(2, "I")
                 .set(3, ward + "^^^N")
                 .set(7, doc)
                 .set(10, "01")
                 .set(44, ts14(admitted))
                 .str()},
            c.error);
}

}  // namespace

void admission(Context& c, std::uint32_t date) {
  std::uint64_t ts = stamp(date, c);
  std::string doc = doctor(c);
  std::string ward = std::to_string(uniform(c.rng, 3, 8)) + "W^" +
                     std::to_string(uniform(c.rng, 301, 820)) + "^" +
                     std::to_string(uniform(c.rng, 1, 4));
  write_inpatient(c, date, "ADT-22", ts, "ADT^A01^ADT_A01", ward, doc, ts);
  // The admission was planned a few days before (ADT-21, A14), and some patients move ward
  // during the stay (ADT-42, A02).
  std::uint32_t planned_on = add_days(date, -uniform(c.rng, 1, 7));
  std::uint64_t pts = stamp(planned_on, c);
  // Stored under the planned admission date (PV1-44); issued days before.
  write_inpatient(c, date, "ADT-21", pts, "ADT^A14^ADT_A05", ward, doc, ts);
  if (chance(c.rng, 0.3)) {
    std::uint32_t moved = add_days(date, 1);
    std::uint64_t mts = stamp(moved, c);
    std::string to = std::to_string(uniform(c.rng, 3, 8)) + "W^" +
                     std::to_string(uniform(c.rng, 301, 820)) + "^1";
    c.w.write(c.pid, moved, "ADT-42", "999999999999999", mts, "01", 1,
              {msh(c, mts, "ADT^A02^ADT_A02"), Seg("EVN").set(2, ts14(mts)).set(6, ts14(mts)).str(),
               pid_segment(c, false),
               Seg("PV1")
                   .set(1, "0001")
                   .set(2, "I")
                   .set(3, to + "^^^N")
                   .set(6, ward + "^^^N")
                   .set(7, doc)
                   .set(10, "01")
                   .str()},
              c.error);
  }
  // An injection order during the stay.
  std::uint64_t its = stamp(date, c);
  std::string no = order_no(c);
  c.w.write(c.pid, date, "OMP-02", no, its, "01", 1,
            {msh(c, its, "RDE^O11^RDE_O11"), pid_segment(c, false),
             Seg("PV1").set(1, "0001").set(2, "I").str(),
             Seg("ORC")
                 .set(1, "NW")
                 .set(2, no)
                 .set(4, no + "_01_001")
                 .set(9, ts14(its))
                 .set(12, doc)
                 .set(17, "01^内科^99XY1")
                 .str(),
             Seg("RXE")
                 .set(2, "00^一般^99I02")
                 .set(3, "500")
                 .set(5, "ML^ミリリットル^MR9P")
                 .set(6, "INJ^注射剤^MR9P")
                 .set(23, "100")
                 .set(24, "ml/hr^ミリリットル／時間^ISO+")
                 .str(),
             Seg("TQ1").set(1, "1").set(7, ts14(its).substr(0, 12)).str(),
             Seg("RXR").set(1, "IV^静脈内^HL70162").set(3, "IVP^点滴ポンプ^HL70164").str(),
             Seg("RXC")
                 .set(1, "B")
                 .set(2, "620007329^生理食塩液５００ｍＬ^HOT9")
                 .set(3, "1")
                 .set(4, "HON^本^MR9P")
                 .str()},
            c.error);
  std::uint32_t out = add_days(date, uniform(c.rng, 3, 14));
  std::uint64_t ots = stamp(out, c);
  c.w.write(c.pid, out, "ADT-52", "999999999999999", ots, "01", 1,
            {msh(c, ots, "ADT^A03^ADT_A03"), Seg("EVN").set(2, ts14(ots)).set(6, ts14(ots)).str(),
             pid_segment(c, false),
             Seg("PV1")
                 .set(1, "0001")
                 .set(2, "I")
                 .set(3, ward + "^^^N")
                 .set(7, doc)
                 .set(10, "01")
                 .set(44, ts14(ts))
                 .set(45, ts14(ots))
                 .str()},
            c.error);
  // A discharge summary in the extended storage.
  std::uint64_t dts = stamp(out, c);
  ssmix2::FileName content;
  content.patient_id = c.pid;
  content.date = out;
  content.data_type_code = "DSUM";
  content.order_no = order_no(c);
  content.timestamp = dts;
  content.department = "01";
  std::string pdf = discharge_summary_pdf(c.pid, out);
  c.w.write_document(c.pid, out, "DSUM^DischargeSummary^99HYK^18842-5^Discharge summary^LN",
                     content.to_string(), "summary.pdf", pdf, c.error);
}

}  // namespace hareyaka::gateway::tools::gen
