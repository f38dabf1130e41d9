// The messages the generator writes for one patient: the ADT events (registration, visits,
// admissions), the problem list, and the orders with their results (OMP/RDE prescriptions,
// OML/OUL lab, OMG radiology). Each appends its files through the context's writer and leaves
// a failure in the context's error.
#pragma once

#include <cstdint>

#include "gateway/tools/generator_hl7.hpp"

namespace hareyaka::gateway::tools::gen {

// generator_patient.cpp: demographics and ADT events.
void demographics(Context& c);
void allergies(Context& c);
void diagnoses(Context& c, std::uint32_t first_visit);
void visit(Context& c, std::uint32_t date);
void admission(Context& c, std::uint32_t date);

// generator_orders.cpp: orders and results.
void prescription(Context& c, std::uint32_t date);
void lab(Context& c, std::uint32_t date);
void radiology(Context& c, std::uint32_t date);

}  // namespace hareyaka::gateway::tools::gen
