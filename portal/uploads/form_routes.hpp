// The web form of a facility without an EMR (a care facility, a visiting-nurse station; issue
// #17), for its data manager (施設データ管理者), beside the SS-MIX2 and お薬手帳 uploads:
//   POST /api/v1/uploads/patients   registers (or updates) a patient at the facility's hosted
//        gateway and records the patient's consent (同意) that the data manager obtained: from
//        this facility, for every participating facility, all categories, from the consent
//        form's date, with the form's reference. The consent and its audit record commit in
//        one transaction, after the gateway stored the registration.
//   POST /api/v1/uploads/documents  a PDF, JPEG or PNG for a registered patient, with its
//        title, category and date (query), forwarded to the gateway's extended storage.
// Both forward with an access assertion of category and purpose "upload" for the facility,
// and answer with the gateway's report; every attempt is on record (event "upload").
#pragma once

#include <string>

#include "common/pg.hpp"
#include "portal/uploads/upload_routes.hpp"

namespace hareyaka::portal {

struct FormServices {
  UploadServices& uploads;
  pg::Pool& pool;  // the consent store and its audit record
};

void add_form_routes(http::Router& web, FormServices& services);

}  // namespace hareyaka::portal
