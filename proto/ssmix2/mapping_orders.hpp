// Mappings of the order and result data types (OMP, OML, OMG, OMD). Internal to proto/ssmix2.
#pragma once

#include "proto/ssmix2/mapping.hpp"

namespace hareyaka::ssmix2::orders {

void map_prescriptions(const hl7v2::Message& m, const clinical::Source& src, Content& out);
void map_injections(const hl7v2::Message& m, const clinical::Source& src, Content& out);
void map_administrations(const hl7v2::Message& m, const clinical::Source& src,
                         std::string_view kind, Content& out);
void map_lab_orders(const hl7v2::Message& m, const clinical::Source& src, Content& out);
void map_lab_results(const hl7v2::Message& m, const clinical::Source& src, Content& out);
void map_studies(const hl7v2::Message& m, const clinical::Source& src, std::string_view category,
                 std::string_view kind, Content& out);
void map_meals(const hl7v2::Message& m, const clinical::Source& src, Content& out);

}  // namespace hareyaka::ssmix2::orders
