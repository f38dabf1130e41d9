#include "proto/ssmix2/mapping_orders.hpp"

#include "proto/ssmix2/mapping_fields.hpp"

namespace hareyaka::ssmix2::orders {

using clinical::Code;
using hl7v2::Segment;
namespace f = fields;

namespace {

// The ORC fields every order entity repeats.
struct OrderContext {
  std::string control, order_no, group, date, parent;
  Code department;
  clinical::Person orderer;
  std::string patient_class;
};

OrderContext order_context(const Segment& orc) {
  OrderContext c;
  c.control = orc.get(1);
  c.order_no = orc.get(2);
  c.group = orc.get(4);
  c.parent = orc.get(8);
  c.date = f::time(orc, 9);
  c.orderer = f::person(orc, 12);
  c.department = f::code(orc, 17);
  c.patient_class = orc.get(29);
  return c;
}

}  // namespace

void map_prescriptions(const hl7v2::Message& m, const clinical::Source& src, Content& out) {
  OrderContext ctx;
  clinical::MedicationOrder* cur = nullptr;
  for (const Segment& s : m.segments()) {
    std::string_view n = s.name();
    if (n == "ORC") {
      ctx = order_context(s);
      cur = nullptr;
    } else if (n == "RXE") {
      clinical::MedicationOrder o;
      o.order_no = ctx.order_no.empty() ? src.order_no : ctx.order_no;
      o.rp = ctx.group;
      o.date = ctx.date;
      o.drug = f::code(s, 2);
      o.dose.value = s.get(3);
      o.dose.unit = f::code(s, 5);
      o.dosage_form = f::code(s, 6);
      o.instructions = s.get(7, 2).empty() ? s.get(7, 1) : s.get(7, 2);
      o.dispense.value = s.get(10);
      o.dispense.unit = f::code(s, 11);
      o.daily_dose = f::cq(s, 19);
      for (int r = 0; r < s.repetitions(21); ++r)
        o.prescription_types.push_back(f::code(s, 21, r));
      o.patient_class = ctx.patient_class;
      o.department = ctx.department;
      o.orderer = ctx.orderer;
      o.source = src;
      out.prescriptions.push_back(std::move(o));
      cur = &out.prescriptions.back();
    } else if (n == "TQ1" && cur) {
      cur->usage = f::sub_code(s, 3, 1);
      cur->days =
          s.get(6, 2) == "d" || s.get(6, 2).empty() ? s.get(6, 1) : s.get(6, 1) + s.get(6, 2);
      cur->start = f::time(s, 7);
      cur->end = f::time(s, 8);
    } else if (n == "RXR" && cur) {
      cur->route = f::code(s, 1);
    }
  }
}

void map_injections(const hl7v2::Message& m, const clinical::Source& src, Content& out) {
  OrderContext ctx;
  clinical::Injection* cur = nullptr;
  for (const Segment& s : m.segments()) {
    std::string_view n = s.name();
    if (n == "ORC") {
      ctx = order_context(s);
      cur = nullptr;
    } else if (n == "RXE") {
      clinical::Injection o;
      o.order_no = ctx.order_no.empty() ? src.order_no : ctx.order_no;
      o.group = ctx.group;
      o.start = ctx.date;
      o.kind = f::code(s, 2);
      o.amount.value = s.get(3);
      o.amount.unit = f::code(s, 5);
      o.instructions = s.get(7, 2).empty() ? s.get(7, 1) : s.get(7, 2);
      o.rate.value = s.get(23);
      o.rate.unit = f::code(s, 24);
      o.department = ctx.department;
      o.orderer = ctx.orderer;
      o.source = src;
      out.injections.push_back(std::move(o));
      cur = &out.injections.back();
    } else if (n == "TQ1" && cur) {
      if (!s.get(7).empty())
        cur->start = f::time(s, 7);
      cur->end = f::time(s, 8);
    } else if (n == "RXR" && cur) {
      cur->route = f::code(s, 1);
      cur->device = f::code(s, 3);
    } else if (n == "RXC" && cur) {
      clinical::InjectionComponent c;
      c.role = s.get(1);
      c.drug = f::code(s, 2);
      c.amount.value = s.get(3);
      c.amount.unit = f::code(s, 4);
      cur->components.push_back(std::move(c));
    }
  }
}

void map_administrations(const hl7v2::Message& m, const clinical::Source& src,
                         std::string_view kind, Content& out) {
  OrderContext ctx;
  std::size_t first_of_group = out.administrations.size();
  for (const Segment& s : m.segments()) {
    std::string_view n = s.name();
    if (n == "ORC") {
      ctx = order_context(s);
      first_of_group = out.administrations.size();
    } else if (n == "RXA") {
      clinical::Administration a;
      a.kind = std::string(kind);
      a.order_no = ctx.order_no.empty() ? src.order_no : ctx.order_no;
      a.group = ctx.group;
      a.start = f::time(s, 3);
      a.end = f::time(s, 4);
      a.drug = f::code(s, 5);
      a.amount.value = s.get(6);
      a.amount.unit = f::code(s, 7);
      a.note = s.get(9, 2).empty() ? s.get(9, 1) : s.get(9, 2);
      a.administered_by = f::person(s, 10);
      a.rate = s.get(12);
      a.status = s.get(20);
      a.source = src;
      out.administrations.push_back(std::move(a));
    } else if (n == "RXR") {
      // RXR follows the RXAs it applies to (RAS_O17 order group).
      for (std::size_t i = first_of_group; i < out.administrations.size(); ++i) {
        if (out.administrations[i].route.empty())
          out.administrations[i].route = f::code(s, 1);
      }
    }
  }
}

void map_lab_orders(const hl7v2::Message& m, const clinical::Source& src, Content& out) {
  // OML^O33: SPM { ORC OBR OBX* }*. One LabOrder per order number, one panel per OBR.
  Code specimen;
  clinical::LabOrder* cur = nullptr;
  for (const Segment& s : m.segments()) {
    std::string_view n = s.name();
    if (n == "SPM") {
      specimen = f::code(s, 4);
    } else if (n == "ORC") {
      OrderContext ctx = order_context(s);
      std::string no = ctx.order_no.empty() ? src.order_no : ctx.order_no;
      cur = nullptr;
      for (auto& o : out.lab_orders) {
        if (o.order_no == no && o.specimen.code == specimen.code)
          cur = &o;
      }
      if (!cur) {
        clinical::LabOrder o;
        o.order_no = no;
        o.date = ctx.date;
        o.specimen = specimen;
        o.department = ctx.department;
        o.orderer = ctx.orderer;
        o.source = src;
        out.lab_orders.push_back(std::move(o));
        cur = &out.lab_orders.back();
      }
    } else if (n == "OBR" && cur) {
      cur->panels.push_back({f::code(s, 4), {}});
    } else if (n == "OBX" && cur && !cur->panels.empty()) {
      cur->panels.back().items.push_back(f::code(s, 3));
    }
  }
}

void map_lab_results(const hl7v2::Message& m, const clinical::Source& src, Content& out) {
  // OUL^R22: SPM { OBR ORC? OBX* }*. One LabResult per OBR.
  Code specimen;
  std::string collected;
  clinical::LabResult* cur = nullptr;
  for (const Segment& s : m.segments()) {
    std::string_view n = s.name();
    if (n == "SPM") {
      specimen = f::code(s, 4);
      collected = f::time(s, 17);
    } else if (n == "OBR") {
      clinical::LabResult r;
      r.order_no = s.get(2).empty() ? src.order_no : s.get(2);
      r.filler_no = s.get(3);
      r.panel = f::code(s, 4);
      r.specimen = specimen;
      r.collected_at = collected.empty() ? f::time(s, 7) : collected;
      r.reported_at = f::time(s, 22);
      r.source = src;
      out.lab_results.push_back(std::move(r));
      cur = &out.lab_results.back();
    } else if (n == "OBX" && cur) {
      cur->items.push_back(f::observation(s));
    }
  }
}

void map_studies(const hl7v2::Message& m, const clinical::Source& src, std::string_view category,
                 std::string_view kind, Content& out) {
  // OMG^O19 / OMI^Z23 / ORU^R01: one Study per file; each ORC/OBR pair is a procedure (the
  // parent order "PA"/"NW" and its children "CH"), ZE1 lists what was performed, IPC carries
  // the DICOM study instance UID, OBX the order details or the findings.
  clinical::Study st;
  st.category = std::string(category);
  st.kind = std::string(kind);
  st.order_no = src.order_no;
  st.source = src;
  OrderContext ctx;
  bool have_orc = false;
  auto add_unique = [](std::vector<std::string>& v, std::string x) {
    if (x.empty())
      return;
    for (const auto& e : v) {
      if (e == x)
        return;
    }
    v.push_back(std::move(x));
  };
  for (const Segment& s : m.segments()) {
    std::string_view n = s.name();
    if (n == "ORC") {
      ctx = order_context(s);
      have_orc = true;
      if (st.date.empty())
        st.date = ctx.date;
      if (st.department.empty())
        st.department = ctx.department;
      if (st.orderer.id.empty())
        st.orderer = ctx.orderer;
    } else if (n == "OBR") {
      clinical::Procedure p;
      p.control = have_orc ? ctx.control : "";
      p.order_no = have_orc && !ctx.order_no.empty() ? ctx.order_no : s.get(2);
      p.parent = have_orc ? ctx.parent : s.get(29);
      if (p.parent.empty())
        p.parent = s.get(29);
      p.code = f::code(s, 4);
      if (!s.get(7).empty() && (st.date.empty() || !have_orc))
        st.date = f::time(s, 7);
      if (!s.get(22).empty())
        st.reported_at = f::time(s, 22);
      if (!s.get(25).empty())
        st.result_status = s.get(25);
      if (st.orderer.id.empty())
        st.orderer = f::person(s, 16);
      st.procedures.push_back(std::move(p));
    } else if (n == "ZE1") {
      if (!st.procedures.empty())
        st.procedures.back().performed.push_back(f::code(s, 3));
    } else if (n == "OBX") {
      st.observations.push_back(f::observation(s));
    } else if (n == "IPC") {
      add_unique(st.accession_numbers, s.get(1));
      add_unique(st.study_uids, s.get(3));
      if (st.modality.empty())
        st.modality = f::code(s, 5);
    }
  }
  if (st.order_no.empty() && !st.procedures.empty())
    st.order_no = st.procedures.front().order_no;
  out.studies.push_back(std::move(st));
}

void map_meals(const hl7v2::Message& m, const clinical::Source& src, Content& out) {
  clinical::MealOrder* cur = nullptr;
  for (const Segment& s : m.segments()) {
    std::string_view n = s.name();
    if (n == "ORC") {
      OrderContext ctx = order_context(s);
      clinical::MealOrder o;
      o.order_no = ctx.order_no.empty() ? src.order_no : ctx.order_no;
      o.start = ctx.date;
      o.department = ctx.department;
      o.source = src;
      out.meals.push_back(std::move(o));
      cur = &out.meals.back();
    } else if (n == "TQ1" && cur) {
      cur->timing = f::sub_code(s, 3, 1);
      if (!s.get(7).empty())
        cur->start = f::time(s, 7);
    } else if (n == "ODS" && cur) {
      for (int r = 0; r < std::max(1, s.repetitions(3)); ++r) {
        clinical::Diet d;
        d.type = s.get(1);
        d.code = f::code(s, 3, r);
        d.text = s.get(4);
        cur->diets.push_back(std::move(d));
      }
    }
  }
}

}  // namespace hareyaka::ssmix2::orders
