#include "gateway/tools/generator_pdf.hpp"

#include <cstdio>
#include <vector>

namespace hareyaka::gateway::tools::gen {

std::string discharge_summary_pdf(const std::string& pid, std::uint32_t date) {
  const std::string text =
      "BT /F1 16 Tf 56 780 Td (Discharge summary) Tj /F1 11 Tf 0 -28 Td "
      "(Patient " +
      pid + ", discharged " + std::to_string(date) +
      ") Tj 0 -18 Td (Course: stable; follow-up at the referring clinic.) Tj ET";
  std::vector<std::string> objects = {
      "<</Type/Catalog/Pages 2 0 R>>",
      "<</Type/Pages/Count 1/Kids[3 0 R]>>",
      "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 5 0 R>>>>"
      "/Contents 4 0 R>>",
      "<</Length " + std::to_string(text.size()) + ">>stream\n" + text + "\nendstream",
      "<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
  };
  std::string pdf = "%PDF-1.4\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj" + objects[i] + "endobj\n";
  }
  const std::size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (auto off : offsets) {
    char line[24];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    pdf += line;
  }
  pdf += "trailer<</Size " + std::to_string(objects.size() + 1) + "/Root 1 0 R>>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

}  // namespace hareyaka::gateway::tools::gen
