// JAHIS 電子版お薬手帳データフォーマット (issue #17): what a pharmacy discloses of its
// dispensing, as the QR code on the お薬説明書 or an お薬手帳 app's export carries it.
//
// The format: a CSV text, one record a line. The first line is the version record
// "JAHISTCnn,<出力区分>"; every other line starts with its record number. A 調剤等年月日
// record (5) opens one dispensing (調剤情報, one visit); the records after it up to the
// next 5 belong to it. Records read (field positions after the record number, 1-based):
//   1   患者情報       氏名, 性別 (1 男 2 女), 生年月日, 郵便番号, 住所, 電話番号, 緊急連絡先,
//                      血液型, 体重, 氏名カナ
//   2   患者特記       種別 (1 アレルギー歴 2 副作用歴 3 既往歴 9 その他), 内容, 作成者
//   3   一般用医薬品   薬品名称, 服用開始年月日, 服用終了年月日, 作成者[, 通番, JANコード]
//   4   手帳メモ       内容, 入力年月日, 作成者
//   5   調剤等年月日   年月日, 作成者 (入力者区分: 1 医療関係者 2 患者等 8 その他 9 不明)
//   11  調剤-医療機関等 名称, 都道府県, 点数表 (1 医科 3 歯科 4 調剤), コード, 郵便番号,
//                      住所, 電話番号, 作成者
//   15  調剤-医師・薬剤師 氏名, 連絡先, 作成者
//   51  処方-医療機関   名称, 都道府県, 点数表, コード, 作成者
//   55  処方-医師       氏名, 診療科名, 作成者 (in force for the RPs after it)
//   201 薬品           RP番号, 薬品名称, 用量, 単位名, 薬品コード種別, 薬品コード, 作成者
//                      [, 一般名, 一般名コード種別, 一般名コード]
//   281 薬品補足, 291 薬品服用注意   RP番号, 内容, 作成者 (of the RP's last 201)
//   301 用法           RP番号, 用法名称, 調剤数量, 調剤単位, 剤形コード, 用法コード種別,
//                      用法コード, 作成者
//   311 用法補足, 391 処方服用注意   RP番号, 内容, 作成者
//   401 服用注意, 421 残薬確認, 501 備考   内容, 作成者
//   411 医療機関等提供情報  内容, 提供情報種別, 作成者
//   601 患者等記入     内容, 入力年月日
//   31 (一般用医薬品成分), 701 (かかりつけ薬剤師), 911 (分割制御) are known and skipped.
// Codes: 薬品コード種別 1 コードなし, 2 レセプト電算処理システム用コード, 3 厚生労働省コード
// (薬価基準収載医薬品コード), 4 YJコード, 6 HOTコード; 用法コード種別 1 コードなし, 2 JAMI
// 標準用法コード; 剤形コード 1 内服 2 内滴 3 屯服 4 注射 5 外用 6 浸煎 7 湯 9 材料 10 その他.
// Dates are YYYYMMDD or, in the era form, GYYMMDD (the specification's own sample writes
// 調剤等年月日 as R020410). Versions JAHISTC01 (Ver.1.0) to JAHISTC08 (Ver.2.5/2.6) are known.
//
// Where this was confirmed (no copy of the specification itself was at hand; public
// material found through the code and page search, December 2026):
//  - the record numbers, every layout above, the code tables and the date forms: an
//    open-source record table of Ver.2.6 that cites its tables (表3-9 to 表3-32) and a code
//    table module of its 別表1 to 別表4 (TypeScript and Python; their repositories were not
//    named by the search), agreeing with the field positions that
//    github.com/YasushiMatsumoto/jahis-rx-parser (src/jahis-tc) reads for 1, 5, 11, 15, 51,
//    55, 201, 281, 291, 301, 311, 391, 401, 411, 421, 501 and 601, and with the field titles
//    of Ver.2.3 in a public gist (hhyyg, records 1, 3, 5, 51);
//  - the version line "JAHISTC08,1", the order of the records and the era date in record 5
//    (R020410): the specification's sample quoted in a public gist on お薬手帳 QR codes
//    (buzztaiki); era birth dates (S330303) and JAHISTC07 files of that shape in the sample
//    data of github.com/tsuchi84/jahis_parser (one with a code written " 612310013": code
//    fields are trimmed); its 22 files (Shift_JIS and UTF-8, every record kind but 31 and
//    911, era dates in 3, 4 and 601) read here without an error or a warning (checked by
//    hand; not copied: the repository states no licence);
//  - the version numbers JAHISTC01 to 08 against specification versions: the same Ver.2.6
//    reading; Shift_JIS and CRLF on the QR code, a comma in text written full-width: the
//    gist and a public article on reading app backups (Qiita).
// Quoted fields ("" for a quote) are accepted although the specification writes none.
//
// Reading is strict where a wrong reading would mislead (a record out of its dispensing, an
// RP that nothing declares, a date that is not one, a record too short) and lenient where
// a newer version could differ (an unknown record number, extra fields, a higher version
// number): those are warnings with their line. Everything here is text in, values out.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "proto/clinical/model.hpp"

namespace hareyaka::jahis {

inline constexpr std::size_t kMaxNotebookBytes = 8 * 1024 * 1024;
inline constexpr std::size_t kMaxNotebookLines = 200'000;

struct Warning {
  std::size_t line = 0;
  std::string message;
};

struct Patient {
  std::string name, kana;
  std::string sex;         // "M", "F", or the code as written when it is neither 1 nor 2
  std::string birth_date;  // ISO
  std::string postal_code, address, phone, emergency_contact, blood_type, weight;
};

struct PatientRemark {
  std::string kind;  // 患者特記種別
  std::string text;
};

struct OtcDrug {
  std::string name, start, end;  // dates ISO
};

struct Memo {
  std::string text, date;  // date ISO
};

struct Institution {
  std::string name, prefecture, score_table, code;
  std::string postal_code, address, phone;  // 11 only
};

struct Pharmacist {
  std::string name, contact;
};

struct Doctor {
  std::string name, department;
};

struct Drug {
  std::size_t line = 0;
  std::string name, dose, unit;
  std::string code_system;  // 薬品コード種別 as written ("2", "6" ...)
  std::string code;
  std::string general_name;  // 一般名 (fields 8 to 10 in Ver.2.6; older files lack them)
  std::vector<std::string> supplements;  // 281
  std::vector<std::string> cautions;     // 291
};

struct Usage {
  std::size_t line = 0;  // 0: the RP had no 301
  std::string name, quantity, unit, form_code;
  std::string code_system;  // 用法コード種別 as written
  std::string code;
};

struct Rp {
  int number = 0;
  std::vector<Drug> drugs;
  Usage usage;
  std::vector<std::string> usage_supplements;  // 311
  std::vector<std::string> cautions;           // 391 処方服用注意
  Institution prescriber;                      // the 51 and 55 in force for this RP
  Doctor doctor;
};

struct ProvidedInfo {
  std::string text, kind;  // 提供情報種別
};

struct PatientEntry {
  std::string text, date;
};

struct Dispensing {
  std::size_t line = 0;    // of its record 5
  std::string date;        // ISO "YYYY-MM-DD"
  std::string input_kind;  // レコード作成者 of record 5
  Institution pharmacy;    // 11
  Pharmacist pharmacist;   // 15
  Institution prescriber;  // 51 (the first)
  Doctor doctor;           // 55 (the first)
  std::vector<Rp> rps;
  std::vector<std::string> cautions;          // 401 服用注意
  std::vector<ProvidedInfo> provided;         // 411
  std::vector<std::string> remaining;         // 421 残薬確認
  std::vector<std::string> notes;             // 501 備考
  std::vector<PatientEntry> patient_entries;  // 601
};

struct Notebook {
  std::string version;      // "JAHISTC08"
  std::string output_kind;  // 出力区分: 1 to the patient, 2 from the patient
  std::string encoding;     // "UTF-8" or "CP932"
  Patient patient;
  std::vector<PatientRemark> patient_remarks;
  std::vector<OtcDrug> otc_drugs;
  std::vector<Memo> memos;
  std::vector<Dispensing> dispensings;
  std::vector<Warning> warnings;
};

// Reads a whole file (UTF-8 or Shift_JIS, CRLF or LF). Throws hareyaka::Error
// (kUnprocessable) whose external message is "line N: <reason>", naming no value of the file.
Notebook parse_notebook(std::string_view bytes);

nlohmann::json to_json(const Notebook& notebook);

// One MedicationOrder per drug (201) line, in file order: see notebook_json.cpp for the
// mapping. `file_name` becomes source.file.
std::vector<clinical::MedicationOrder> to_medication_orders(const Notebook& notebook,
                                                            const std::string& file_name);

// The clinical code system of a 薬品コード種別 ("4" -> "YJ", "6" -> "HOT9" for a nine-digit
// code ...), of a 用法コード種別, and the name of a 剤形コード (empty when unknown).
std::string drug_code_system(std::string_view kind, std::string_view code);
std::string usage_code_system(std::string_view kind);
std::string dosage_form_name(std::string_view form_code);

}  // namespace hareyaka::jahis
