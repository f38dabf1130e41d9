// The gateway's DICOM routes for the portal (mutual TLS): a patient's study list, QIDO-RS
// and WADO-RS under /gw/v1/dicomweb and WADO-URI at /gw/v1/wado. Every route needs an access
// assertion for category "imaging"; the assertion names the patient, and a study is served
// only when its Patient ID is that patient's id at this gateway (QIDO at study level is
// restricted to that patient). Studies held by the PACS instead are fetched on demand after
// a C-FIND for the asserted patient. File and rendering work runs on the worker pool, and
// files are streamed, never loaded whole.
#pragma once

#include "common/router.hpp"
#include "gateway/access.hpp"

namespace hareyaka::gateway {

namespace dicom {
class DicomStore;
class PacsClient;
}  // namespace dicom

inline constexpr const char* kImagingCategory = "imaging";

struct DicomApiParts {
  dicom::DicomStore& store;
  dicom::PacsClient* pacs = nullptr;  // null: only what the store holds
  AccessChecker access;
};

void add_dicom_routes(http::Router& router, DicomApiParts parts);

}  // namespace hareyaka::gateway
