// Japanese first, English switchable. Every string the UI shows comes from here. The choice
// of language is the only thing kept in localStorage (never patient data).

const STORAGE_KEY = 'hareyaka.lang';

const ja = {
  'app.title': 'はれやかネット 地域医療連携',
  'app.skip': '本文へ移動',
  'lang.toggle': 'English',
  'nav.patients': '患者一覧',
  'nav.admin': '管理',
  'nav.logout': 'ログアウト',
  'nav.menu': 'メニュー',
  'common.loading': '読み込み中…',
  'common.more': 'さらに表示',
  'common.none': 'データはありません',
  'common.save': '保存',
  'common.cancel': 'キャンセル',
  'common.search': '検索',
  'common.clear': 'クリア',
  'common.close': '閉じる',
  'common.add': '追加',
  'common.edit': '編集',
  'common.back': '戻る',
  'common.print': '印刷',
  'common.saved': '保存しました',
  'common.done': '完了しました',
  'common.all': 'すべて',
  'common.yes': 'はい',
  'common.no': 'いいえ',
  'common.facility': '施設',
  'common.date': '日付',
  'common.request_id': '問い合わせ番号: {id}',
  'error.network': 'サーバーに接続できません。ネットワークを確認してください。',
  'error.http': 'サーバーがエラーを返しました（{status}）。',
  'error.forbidden': 'この情報を表示する権限がありません。',
  'error.not_found': '見つかりません。',
  'error.unauthorized': 'ログインが必要です。',
  'error.session_expired': 'セッションの有効期限が切れました。もう一度ログインしてください。',
  'login.title': 'ログイン',
  'login.lead': '地域医療連携ネットワークの閲覧システムです。',
  'login.id': 'ログインID',
  'login.password': 'パスワード',
  'login.totp': 'ワンタイムコード（6桁）',
  'login.submit': 'ログイン',
  'login.hpki': 'HPKIカードでログイン',
  'login.or': 'または',
  'login.failed': 'ログインID、パスワードまたはワンタイムコードが正しくありません。',
  'login.locked': 'アカウントはロックされています。{until} 以降に再度お試しいただくか、事務局へご連絡ください。',
  'login.locked_no_time': 'アカウントはロックされています。事務局へご連絡ください。',
  'login.hpki_failed': 'HPKIカードで認証できませんでした: {reason}',
  'login.totp_required': 'ワンタイムコード（6桁）を入力してください。',
  'login.disabled': 'このアカウントは利用できません（利用終了または施設の参加停止）。事務局へご連絡ください。',
  'login.required': 'ログインID、パスワード、ワンタイムコードを入力してください。',
  'login.expired': 'セッションの有効期限が切れました。もう一度ログインしてください。',
  'login.logged_out': 'ログアウトしました。',
  'enrol.title': 'ワンタイムコードの初期設定',
  'enrol.lead': '初回ログインです。認証アプリ（Google Authenticator など）に次の設定を登録し、表示された6桁のコードを入力してください。',
  'enrol.uri': '登録用URI',
  'enrol.qr': '認証アプリで読み取るQRコード',
  'enrol.secret': 'シークレットキー（手入力用）',
  'enrol.code': '認証アプリに表示されたコード',
  'enrol.submit': '登録してログイン',
  'patients.title': '患者一覧',
  'patients.lead': '当施設で閲覧が同意されている患者のみ表示されます（最終受診日の新しい順）。',
  'patients.q': '氏名（漢字・カナ）',
  'patients.birth_date': '生年月日',
  'patients.sex': '性別',
  'patients.local_id': '患者ID',
  'patients.name': '氏名',
  'patients.last_activity': '最終受診',
  'patients.ids': '施設の患者ID',
  'patients.empty': '該当する患者はいません。',
  'sex.M': '男',
  'sex.F': '女',
  'sex.O': 'その他',
  'sex.U': '不明',
  'sex.any': '指定なし',
  'patient.age': '{age}歳',
  'patient.allergies': 'アレルギー',
  'patient.no_allergies': 'アレルギー登録なし',
  'patient.allergies_incomplete': '応答のない施設の情報は確認できていません',
  'patient.ids': '施設別ID',
  'patient.visits': '受診歴',
  'patient.visit_range': '{facility} {first}〜{last}（{count}件）',
  'patient.back': '患者一覧へ',
  'patient.sections': '診療情報',
  'missing.banner': '一部の施設から応答がありません: {list}',
  'missing.partial': 'この画面の情報は一部です。',
  'missing.timeout': 'タイムアウト',
  'missing.refused': '接続拒否',
  'missing.down': '停止中',
  'tab.encounters': '受診歴',
  'tab.diagnoses': '病名',
  'tab.prescriptions': '処方',
  'tab.injections': '注射',
  'tab.allergies': 'アレルギー',
  'tab.lab_results': '検査結果',
  'tab.imaging': '画像',
  'tab.reports': 'レポート',
  'tab.documents': '文書',
  'tab.none': 'この患者について閲覧できる情報はありません。',
  'tab.forbidden': 'この情報の閲覧は許可されていません。',
  'enc.outpatient': '外来',
  'enc.inpatient': '入院',
  'enc.emergency': '救急',
  'enc.cancelled': '取消',
  'enc.outpatient_visit': '外来受診',
  'enc.admission': '入院',
  'enc.admission_planned': '入院予定',
  'enc.discharge': '退院',
  'enc.discharge_planned': '退院予定',
  'enc.transfer': '転棟',
  'enc.transfer_planned': '転棟予定',
  'enc.leave_of_absence': '外泊・外出',
  'enc.return_from_leave': '帰院',
  'enc.attending_doctor_change': '担当医変更',
  'enc.other': 'その他',
  'enc.department': '診療科',
  'enc.doctor': '医師',
  'enc.ward': '病棟',
  'enc.period': '期間',
  'enc.kind': '区分',
  'dx.name': '病名',
  'dx.icd10': 'ICD-10',
  'dx.main': '主病名',
  'dx.suspected': '疑い',
  'dx.start': '開始日',
  'dx.end': '終了日',
  'dx.outcome': '転帰',
  'rx.ordered_at': '処方日',
  'rx.administered_at': '実施日',
  'rx.drug': '薬剤',
  'rx.dose': '用量',
  'rx.usage': '用法',
  'rx.days': '日数',
  'rx.days_value': '{days}日分',
  'rx.total': '総量',
  'rx.route': '経路',
  'al.kind': '種類',
  'al.allergen': 'アレルゲン',
  'al.severity': '重症度',
  'al.reaction': '症状',
  'lab.item': '検査項目',
  'lab.unit': '単位',
  'lab.range': '基準値',
  'lab.specimen': '検体',
  'lab.trend': '推移',
  'lab.trend_of': '{item} の推移',
  'lab.trend_hint': '項目名を選ぶと推移グラフを表示します。',
  'lab.no_numeric': '数値の結果がないためグラフを表示できません。',
  'lab.high': '高値',
  'lab.low': '低値',
  'img.performed_at': '検査日',
  'img.modality': 'モダリティ',
  'img.description': '内容',
  'img.series': 'シリーズ',
  'img.instances': '{n}枚',
  'img.open': '表示',
  'img.viewer': '画像ビューア',
  'img.hint': 'ドラッグ: ウィンドウ幅/レベル　ホイール・スワイプ: 画像送り',
  'img.wl': 'WL {c} / WW {w}',
  'img.frame': '{i} / {n}',
  'img.reset': 'リセット',
  'img.mode_wl': '濃度調整',
  'img.mode_scroll': '画像送り',
  'img.prev': '前',
  'img.next': '次',
  'img.no_series': 'シリーズ情報を取得できませんでした。',
  'rep.kind': '種別',
  'rep.radiology': '放射線',
  'rep.endoscopy': '内視鏡',
  'rep.physiology': '生理検査',
  'rep.text': '所見',
  'doc.title': '表題',
  'doc.kind': '種類',
  'doc.created_at': '作成日',
  'doc.size': 'サイズ',
  'doc.open': '開く',
  'doc.unsupported': 'この形式（{type}）は画面に表示できません。',
  'doc.cda_invalid': '文書を読み取れませんでした（XMLの形式が正しくありません）。',
  'doc.cda_author': '作成者',
  'doc.cda_date': '作成日時',
  'doc.cda_patient': '患者',
  'admin.title': '事務局管理',
  'admin.facilities': '施設',
  'admin.users': '利用者',
  'admin.consents': '同意',
  'admin.policy': '閲覧ポリシー',
  'admin.identity': '名寄せ確認',
  'admin.audit': '監査ログ',
  'admin.report': '閲覧履歴報告',
  'admin.forbidden': '管理機能は事務局の管理者のみ利用できます。',
  'fac.oid': 'OID',
  'fac.prefecture': '都道府県コード',
  'fac.code': '医療機関コード',
  'fac.name': '施設名',
  'fac.name_kana': '施設名（カナ）',
  'fac.kind': '施設種別',
  'fac.municipality': '市区町村コード',
  'fac.municipality_hint': '全国地方公共団体コード（JIS X 0402、5桁または6桁）例: 33101',
  'fac.name_en': '施設名（英語）',
  'fac.discloses': '情報開示',
  'fac.views': '情報閲覧',
  'fac.gateway_url': 'ゲートウェイURL',
  'fac.gateway_cert_sha256': 'ゲートウェイ証明書 SHA-256 フィンガープリント',
  'fac.status': '状態',
  'fac.add': '施設を登録',
  'fac.edit': '施設を編集',
  'fac.oid_hint': '空欄の場合は都道府県コードと医療機関コードから採番します。',
  'kind.hospital': '病院',
  'kind.clinic': '診療所',
  'kind.dental_clinic': '歯科診療所',
  'kind.pharmacy': '薬局',
  'kind.home_nursing': '訪問看護ステーション',
  'kind.home_visit_nursing': '訪問看護ステーション',
  'kind.care_facility': '介護施設',
  'prof.doctor': '医師',
  'prof.dentist': '歯科医師',
  'prof.pharmacist': '薬剤師',
  'prof.nurse': '看護師',
  'prof.public_health_nurse': '保健師',
  'prof.midwife': '助産師',
  'prof.therapist': '療法士',
  'prof.care_manager': 'ケアマネジャー',
  'prof.clerk': '事務',
  'prof.secretariat_admin': '事務局管理者',
  'user.login_id': 'ログインID',
  'user.display_name': '氏名',
  'user.facility_oid': '所属施設OID',
  'user.profession': '職種',
  'user.password': '初期パスワード',
  'user.status': '状態',
  'user.add': '利用者を登録',
  'user.reset': 'パスワード再発行',
  'user.reset_done': '新しいパスワード: {password}（次回ログイン時にワンタイムコードを再登録します）',
  'user.hpki': 'HPKI証明書',
  'user.hpki_issuer': '発行者',
  'user.hpki_serial': 'シリアル番号',
  'user.hpki_subject': 'サブジェクト（発行者・シリアルの代わり）',
  'user.bind': '紐付け',
  'user.lock': 'ロック',
  'user.unlock': 'ロック解除',
  'user.retire': '利用終了',
  'user.retire_confirm': '{id} の利用を終了します。よろしいですか？',
  'status.active': '有効',
  'status.locked': 'ロック中',
  'status.retired': '利用終了',
  'status.suspended': '停止中',
  'consent.authority': '患者IDの発行施設OID',
  'consent.local_id': '患者ID',
  'consent.person_id': '統合患者ID',
  'consent.viewer': '閲覧施設OID（空欄ですべての施設）',
  'consent.categories': '対象の情報（未選択ですべて）',
  'consent.start': '開始日',
  'consent.expiry': '有効期限',
  'consent.document_ref': '同意書の保管番号',
  'consent.register': '同意を登録',
  'consent.withdraw': '撤回',
  'consent.withdraw_reason': '撤回の理由',
  'consent.history': '履歴',
  'consent.find': '同意を検索',
  'policy.lead': '職種 × 施設種別 × 情報区分ごとに閲覧の可否を設定します。変更はすぐに反映されます。',
  'policy.changed': '{n}件の変更',
  'cat.encounters': '受診歴',
  'cat.diagnoses': '病名',
  'cat.prescriptions': '処方',
  'cat.injections': '注射',
  'cat.allergies': 'アレルギー',
  'cat.lab_results': '検査結果',
  'cat.imaging': '画像',
  'cat.reports': 'レポート',
  'cat.documents': '文書',
  'cat.demographics': '基本情報',
  'idr.score': '一致度',
  'idr.a': '候補A',
  'idr.b': '候補B',
  'idr.link': '同一人物として統合',
  'idr.keep_apart': '別人として保持',
  'idr.reason': '理由',
  'idr.unlink': '統合を解除',
  'idr.empty': '確認待ちの候補はありません。',
  'audit.from': '開始日',
  'audit.to': '終了日',
  'audit.user': '利用者',
  'audit.person_id': '統合患者ID',
  'audit.facility_oid': '施設OID',
  'audit.event': 'イベント',
  'audit.verify': 'チェーンを検証',
  'audit.verify_ok': '監査ログのハッシュチェーンは正常です。',
  'audit.verify_broken': '監査ログの改ざんまたは欠落を検出しました（連番 {seq}）: {detail}',
  'report.person_id': '統合患者ID',
  'report.show': '報告書を表示',
  'report.heading': '診療情報閲覧履歴のご報告',
  'report.generated': '作成日: {date}',
  'field.at': '日時',
  'field.seq': '連番',
  'field.id': 'ID',
  'field.status': '状態',
  'field.name': '氏名',
  'field.name_kanji': '氏名',
  'field.name_kana': 'カナ',
  'field.birth_date': '生年月日',
  'field.sex': '性別',
  'field.authority': '発行施設',
  'field.local_id': '患者ID',
  'field.user': '利用者',
  'field.facility': '施設',
  'field.facility_oid': '施設OID',
  'field.facility_name': '施設名',
  'field.category': '情報区分',
  'field.event': 'イベント',
  'field.outcome': '結果',
  'field.reason': '理由',
  'field.viewer_facility_oid': '閲覧施設',
  'field.categories': '情報区分',
  'field.start': '開始日',
  'field.expiry': '有効期限',
  'field.withdrawn_at': '撤回日時',
  'field.document_ref': '同意書番号',
  'field.profession': '職種',
  'field.person_id': '統合患者ID',
  'field.action': '操作',
  'field.actor': '操作者',
  'field.detail': '詳細',
  'field.consent_id': '同意ID',
  'field.registered_by': '登録者',
  'field.created_at': '登録日時',
  'field.source_facility_oid': '開示施設',
  'field.source_facility_name': '開示施設名',
  'field.request_id': '問い合わせ番号',
  'user.hpki_bound': 'HPKI紐付け済',
  'user.locked_until': '{until} までロック',
  'date.era_first': '元',
};

const en = {
  'app.title': 'Hareyaka regional health network',
  'app.skip': 'Skip to content',
  'lang.toggle': '日本語',
  'nav.patients': 'Patients',
  'nav.admin': 'Admin',
  'nav.logout': 'Log out',
  'nav.menu': 'Menu',
  'common.loading': 'Loading…',
  'common.more': 'Show more',
  'common.none': 'No data',
  'common.save': 'Save',
  'common.cancel': 'Cancel',
  'common.search': 'Search',
  'common.clear': 'Clear',
  'common.close': 'Close',
  'common.add': 'Add',
  'common.edit': 'Edit',
  'common.back': 'Back',
  'common.print': 'Print',
  'common.saved': 'Saved',
  'common.done': 'Done',
  'common.all': 'All',
  'common.yes': 'Yes',
  'common.no': 'No',
  'common.facility': 'Facility',
  'common.date': 'Date',
  'common.request_id': 'Request id: {id}',
  'error.network': 'Cannot reach the server. Please check the network.',
  'error.http': 'The server returned an error ({status}).',
  'error.forbidden': 'You are not allowed to see this.',
  'error.not_found': 'Not found.',
  'error.unauthorized': 'Please log in.',
  'error.session_expired': 'Your session has expired. Please log in again.',
  'login.title': 'Log in',
  'login.lead': 'Regional health information exchange viewer.',
  'login.id': 'Login ID',
  'login.password': 'Password',
  'login.totp': 'One-time code (6 digits)',
  'login.submit': 'Log in',
  'login.hpki': 'Log in with HPKI card',
  'login.or': 'or',
  'login.failed': 'Wrong login ID, password or one-time code.',
  'login.locked': 'This account is locked. Try again after {until} or contact the secretariat.',
  'login.locked_no_time': 'This account is locked. Please contact the secretariat.',
  'login.hpki_failed': 'HPKI card login failed: {reason}',
  'login.totp_required': 'Enter the 6-digit one-time code.',
  'login.disabled': 'This account cannot be used (retired, or the facility does not take part). Please contact the secretariat.',
  'login.required': 'Enter the login ID, password and one-time code.',
  'login.expired': 'Your session has expired. Please log in again.',
  'login.logged_out': 'You have logged out.',
  'enrol.title': 'Set up one-time codes',
  'enrol.lead': 'First login: add this account to an authenticator app, then enter the 6-digit code it shows.',
  'enrol.uri': 'Enrolment URI',
  'enrol.qr': 'QR code for the authenticator app',
  'enrol.secret': 'Secret key (for manual entry)',
  'enrol.code': 'Code from the authenticator app',
  'enrol.submit': 'Enrol and log in',
  'patients.title': 'Patients',
  'patients.lead': 'Only patients who consented to your facility are listed, most recent activity first.',
  'patients.q': 'Name (kanji or kana)',
  'patients.birth_date': 'Birth date',
  'patients.sex': 'Sex',
  'patients.local_id': 'Patient ID',
  'patients.name': 'Name',
  'patients.last_activity': 'Last activity',
  'patients.ids': 'Facility patient IDs',
  'patients.empty': 'No matching patients.',
  'sex.M': 'Male',
  'sex.F': 'Female',
  'sex.O': 'Other',
  'sex.U': 'Unknown',
  'sex.any': 'Any',
  'patient.age': '{age} y',
  'patient.allergies': 'Allergies',
  'patient.no_allergies': 'No allergies recorded',
  'patient.allergies_incomplete': 'Facilities that did not answer are not included',
  'patient.ids': 'IDs by facility',
  'patient.visits': 'Visits',
  'patient.visit_range': '{facility} {first} to {last} ({count})',
  'patient.back': 'Back to patients',
  'patient.sections': 'Records',
  'missing.banner': 'Some facilities did not answer: {list}',
  'missing.partial': 'This page is partial.',
  'missing.timeout': 'timeout',
  'missing.refused': 'refused',
  'missing.down': 'down',
  'tab.encounters': 'Visits',
  'tab.diagnoses': 'Diagnoses',
  'tab.prescriptions': 'Prescriptions',
  'tab.injections': 'Injections',
  'tab.allergies': 'Allergies',
  'tab.lab_results': 'Lab results',
  'tab.imaging': 'Images',
  'tab.reports': 'Reports',
  'tab.documents': 'Documents',
  'tab.none': 'There is nothing you may view for this patient.',
  'tab.forbidden': 'You are not allowed to view this.',
  'enc.outpatient': 'Outpatient',
  'enc.inpatient': 'Inpatient',
  'enc.emergency': 'Emergency',
  'enc.cancelled': 'Cancelled',
  'enc.outpatient_visit': 'Outpatient visit',
  'enc.admission': 'Admission',
  'enc.admission_planned': 'Planned admission',
  'enc.discharge': 'Discharge',
  'enc.discharge_planned': 'Planned discharge',
  'enc.transfer': 'Transfer',
  'enc.transfer_planned': 'Planned transfer',
  'enc.leave_of_absence': 'Leave of absence',
  'enc.return_from_leave': 'Return from leave',
  'enc.attending_doctor_change': 'Attending doctor change',
  'enc.other': 'Other',
  'enc.department': 'Department',
  'enc.doctor': 'Doctor',
  'enc.ward': 'Ward',
  'enc.period': 'Period',
  'enc.kind': 'Kind',
  'dx.name': 'Diagnosis',
  'dx.icd10': 'ICD-10',
  'dx.main': 'Main',
  'dx.suspected': 'Suspected',
  'dx.start': 'Start',
  'dx.end': 'End',
  'dx.outcome': 'Outcome',
  'rx.ordered_at': 'Ordered',
  'rx.administered_at': 'Administered',
  'rx.drug': 'Drug',
  'rx.dose': 'Dose',
  'rx.usage': 'Usage',
  'rx.days': 'Days',
  'rx.days_value': '{days} days',
  'rx.total': 'Total',
  'rx.route': 'Route',
  'al.kind': 'Kind',
  'al.allergen': 'Allergen',
  'al.severity': 'Severity',
  'al.reaction': 'Reaction',
  'lab.item': 'Item',
  'lab.unit': 'Unit',
  'lab.range': 'Reference range',
  'lab.specimen': 'Specimen',
  'lab.trend': 'Trend',
  'lab.trend_of': 'Trend of {item}',
  'lab.trend_hint': 'Choose an item to see its trend chart.',
  'lab.no_numeric': 'No numeric results to chart.',
  'lab.high': 'High',
  'lab.low': 'Low',
  'img.performed_at': 'Date',
  'img.modality': 'Modality',
  'img.description': 'Description',
  'img.series': 'Series',
  'img.instances': '{n} images',
  'img.open': 'View',
  'img.viewer': 'Image viewer',
  'img.hint': 'Drag: window width/level · Wheel or swipe: scroll images',
  'img.wl': 'WL {c} / WW {w}',
  'img.frame': '{i} / {n}',
  'img.reset': 'Reset',
  'img.mode_wl': 'Window',
  'img.mode_scroll': 'Scroll',
  'img.prev': 'Prev',
  'img.next': 'Next',
  'img.no_series': 'Could not load the series.',
  'rep.kind': 'Kind',
  'rep.radiology': 'Radiology',
  'rep.endoscopy': 'Endoscopy',
  'rep.physiology': 'Physiology',
  'rep.text': 'Findings',
  'doc.title': 'Title',
  'doc.kind': 'Kind',
  'doc.created_at': 'Created',
  'doc.size': 'Size',
  'doc.open': 'Open',
  'doc.unsupported': 'This format ({type}) cannot be shown here.',
  'doc.cda_invalid': 'The document could not be read (malformed XML).',
  'doc.cda_author': 'Author',
  'doc.cda_date': 'Date',
  'doc.cda_patient': 'Patient',
  'admin.title': 'Secretariat',
  'admin.facilities': 'Facilities',
  'admin.users': 'Users',
  'admin.consents': 'Consents',
  'admin.policy': 'Policy',
  'admin.identity': 'Identity review',
  'admin.audit': 'Audit',
  'admin.report': 'Access report',
  'admin.forbidden': 'Only secretariat administrators may use the admin console.',
  'fac.oid': 'OID',
  'fac.prefecture': 'Prefecture code',
  'fac.code': 'Facility code',
  'fac.name': 'Name',
  'fac.name_kana': 'Name (kana)',
  'fac.kind': 'Kind',
  'fac.municipality': 'Municipality code',
  'fac.municipality_hint': 'JIS X 0402 local government code, 5 or 6 digits, e.g. 33101',
  'fac.name_en': 'Name (English)',
  'fac.discloses': 'Discloses',
  'fac.views': 'Views',
  'fac.gateway_url': 'Gateway URL',
  'fac.gateway_cert_sha256': 'Gateway certificate SHA-256 fingerprint',
  'fac.status': 'Status',
  'fac.add': 'Register facility',
  'fac.edit': 'Edit facility',
  'fac.oid_hint': 'Leave empty to derive it from the prefecture and facility codes.',
  'kind.hospital': 'Hospital',
  'kind.clinic': 'Clinic',
  'kind.dental_clinic': 'Dental clinic',
  'kind.pharmacy': 'Pharmacy',
  'kind.home_nursing': 'Home-visit nursing',
  'kind.home_visit_nursing': 'Home-visit nursing',
  'kind.care_facility': 'Care facility',
  'prof.doctor': 'Doctor',
  'prof.dentist': 'Dentist',
  'prof.pharmacist': 'Pharmacist',
  'prof.nurse': 'Nurse',
  'prof.public_health_nurse': 'Public health nurse',
  'prof.midwife': 'Midwife',
  'prof.therapist': 'Therapist',
  'prof.care_manager': 'Care manager',
  'prof.clerk': 'Clerk',
  'prof.secretariat_admin': 'Secretariat admin',
  'user.login_id': 'Login ID',
  'user.display_name': 'Name',
  'user.facility_oid': 'Facility OID',
  'user.profession': 'Profession',
  'user.password': 'Initial password',
  'user.status': 'Status',
  'user.add': 'Register user',
  'user.reset': 'Reset password',
  'user.reset_done': 'New password: {password} (the one-time code is enrolled again at next login)',
  'user.hpki': 'HPKI certificate',
  'user.hpki_issuer': 'Issuer',
  'user.hpki_serial': 'Serial',
  'user.hpki_subject': 'Subject (instead of issuer and serial)',
  'user.bind': 'Bind',
  'user.lock': 'Lock',
  'user.unlock': 'Unlock',
  'user.retire': 'Retire',
  'user.retire_confirm': 'Retire {id}?',
  'status.active': 'Active',
  'status.locked': 'Locked',
  'status.retired': 'Retired',
  'status.suspended': 'Suspended',
  'consent.authority': 'Patient ID authority OID',
  'consent.local_id': 'Patient ID',
  'consent.person_id': 'Person ID',
  'consent.viewer': 'Viewing facility OID (empty: all)',
  'consent.categories': 'Categories (none selected: all)',
  'consent.start': 'Start',
  'consent.expiry': 'Expiry',
  'consent.document_ref': 'Consent form reference',
  'consent.register': 'Register consent',
  'consent.withdraw': 'Withdraw',
  'consent.withdraw_reason': 'Reason for withdrawal',
  'consent.history': 'History',
  'consent.find': 'Find consents',
  'policy.lead': 'Which profession at which kind of facility may see which category. Changes apply at once.',
  'policy.changed': '{n} changes',
  'cat.encounters': 'Visits',
  'cat.diagnoses': 'Diagnoses',
  'cat.prescriptions': 'Prescriptions',
  'cat.injections': 'Injections',
  'cat.allergies': 'Allergies',
  'cat.lab_results': 'Lab results',
  'cat.imaging': 'Images',
  'cat.reports': 'Reports',
  'cat.documents': 'Documents',
  'cat.demographics': 'Demographics',
  'idr.score': 'Score',
  'idr.a': 'Candidate A',
  'idr.b': 'Candidate B',
  'idr.link': 'Link (same person)',
  'idr.keep_apart': 'Keep apart',
  'idr.reason': 'Reason',
  'idr.unlink': 'Unlink',
  'idr.empty': 'No possible matches to review.',
  'audit.from': 'From',
  'audit.to': 'To',
  'audit.user': 'User',
  'audit.person_id': 'Person ID',
  'audit.facility_oid': 'Facility OID',
  'audit.event': 'Event',
  'audit.verify': 'Verify chain',
  'audit.verify_ok': 'The audit hash chain is intact.',
  'audit.verify_broken': 'The audit chain is broken at sequence {seq}: {detail}',
  'report.person_id': 'Person ID',
  'report.show': 'Show report',
  'report.heading': 'Record access report',
  'report.generated': 'Generated: {date}',
  'field.at': 'Time',
  'field.seq': 'Seq',
  'field.id': 'ID',
  'field.status': 'Status',
  'field.name': 'Name',
  'field.name_kanji': 'Name',
  'field.name_kana': 'Kana',
  'field.birth_date': 'Birth date',
  'field.sex': 'Sex',
  'field.authority': 'Authority',
  'field.local_id': 'Patient ID',
  'field.user': 'User',
  'field.facility': 'Facility',
  'field.facility_oid': 'Facility OID',
  'field.facility_name': 'Facility',
  'field.category': 'Category',
  'field.event': 'Event',
  'field.outcome': 'Outcome',
  'field.reason': 'Reason',
  'field.viewer_facility_oid': 'Viewing facility',
  'field.categories': 'Categories',
  'field.start': 'Start',
  'field.expiry': 'Expiry',
  'field.withdrawn_at': 'Withdrawn',
  'field.document_ref': 'Form ref',
  'field.profession': 'Profession',
  'field.person_id': 'Person ID',
  'field.action': 'Action',
  'field.actor': 'By',
  'field.detail': 'Detail',
  'field.consent_id': 'Consent',
  'field.registered_by': 'Registered by',
  'field.created_at': 'Registered',
  'field.source_facility_oid': 'Disclosing facility',
  'field.source_facility_name': 'Disclosing facility',
  'field.request_id': 'Request id',
  'user.hpki_bound': 'HPKI bound',
  'user.locked_until': 'locked until {until}',
  'date.era_first': '1',
};

const dictionaries = { ja, en };
let current = readStoredLang();

function readStoredLang() {
  try {
    const v = globalThis.localStorage?.getItem(STORAGE_KEY);
    return v === 'en' ? 'en' : 'ja';
  } catch {
    return 'ja';
  }
}

export function lang() {
  return current;
}

export function setLang(l) {
  current = l === 'en' ? 'en' : 'ja';
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, current);
  } catch {
    // storage may be disabled; the toggle then lasts for this page only
  }
  if (globalThis.document) document.documentElement.lang = current;
}

// t('login.locked', {until: '...'}). A missing key shows the key itself so it is noticed.
export function t(key, params) {
  const s = dictionaries[current][key] ?? dictionaries.ja[key] ?? key;
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

// Label for an enumerated value: tv('kind', 'clinic') → 診療所; unknown values pass through.
export function tv(prefix, value) {
  if (value === null || value === undefined || value === '') return '';
  const key = `${prefix}.${value}`;
  const s = dictionaries[current][key] ?? dictionaries.ja[key];
  return s ?? String(value);
}

export function hasKey(key) {
  return key in dictionaries.ja;
}

// ---- dates ---------------------------------------------------------------------------

// Japanese eras (start dates, Gregorian). Dates before Meiji 6 (the Gregorian calendar's
// adoption) are not converted.
const ERAS = [
  { name: '令和', en: 'Reiwa', start: [2019, 5, 1] },
  { name: '平成', en: 'Heisei', start: [1989, 1, 8] },
  { name: '昭和', en: 'Showa', start: [1926, 12, 25] },
  { name: '大正', en: 'Taisho', start: [1912, 7, 30] },
  { name: '明治', en: 'Meiji', start: [1873, 1, 1] },
];

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})/;

// Parses 'YYYY-MM-DD' (optionally followed by a time) into {y, m, d} without going through
// the local time zone, so a birth date never shifts by a day.
export function parseDate(s) {
  if (typeof s !== 'string') return null;
  const m = DATE_RE.exec(s);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  return { y, m: mo, d };
}

function cmp(a, b) {
  return a.y - b.y || a.m - b.m || a.d - b.d;
}

// {era: '令和', year: 8} for 2026-11-24; null before Meiji 6.
export function toWareki(s) {
  const p = typeof s === 'string' ? parseDate(s) : s;
  if (!p) return null;
  for (const e of ERAS) {
    const [y, m, d] = e.start;
    if (cmp(p, { y, m, d }) >= 0) {
      return { era: e.name, eraEn: e.en, year: p.y - y + (e.name === '明治' ? 6 : 1) };
    }
  }
  return null;
}

function pad(n) {
  return String(n).padStart(2, '0');
}

// The date part of an ISO string, for display: 2026年11月24日 (ja) or 2026-11-24 (en).
export function formatDate(s) {
  const p = parseDate(s);
  if (!p) return s ?? '';
  if (current === 'en') return `${p.y}-${pad(p.m)}-${pad(p.d)}`;
  return `${p.y}年${p.m}月${p.d}日`;
}

// 令和8年11月24日 (元年 for the first year); English mode: ISO.
export function formatWareki(s) {
  const p = parseDate(s);
  if (!p) return s ?? '';
  if (current === 'en') return formatDate(s);
  const w = toWareki(p);
  if (!w) return formatDate(s);
  const year = w.year === 1 ? '元' : String(w.year);
  return `${w.era}${year}年${p.m}月${p.d}日`;
}

// Timestamps are shown in Japan time: the network is Japanese, whatever the device's zone.
export function formatDateTime(s) {
  if (typeof s !== 'string') return '';
  if (!/T\d{2}:\d{2}/.test(s)) return formatDate(s);
  // Without an offset (SS-MIX2 times are the hospital's local time) the clock time is shown
  // as written, never shifted through the device's time zone.
  const local = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::[\d.]+)?$/.exec(s);
  if (local) {
    const [, y, mo, d, hh, mm] = local;
    return current === 'en' ? `${y}-${mo}-${d} ${hh}:${mm}` : `${Number(y)}年${Number(mo)}月${Number(d)}日 ${hh}:${mm}`;
  }
  const date = new Date(s);
  if (Number.isNaN(date.getTime())) return s;
  const parts = {};
  for (const part of new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(date)) {
    parts[part.type] = part.value;
  }
  if (current === 'en') return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
  return `${Number(parts.year)}年${Number(parts.month)}月${Number(parts.day)}日 ${parts.hour}:${parts.minute}`;
}

// Today's date in Japan as 'YYYY-MM-DD'.
export function todayJapan(now = new Date()) {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' });
  return f.format(now);
}

// Completed years between birth and today (both 'YYYY-MM-DD').
export function ageOn(birth, today) {
  const b = parseDate(birth);
  const t0 = parseDate(today);
  if (!b || !t0) return null;
  let age = t0.y - b.y;
  if (t0.m < b.m || (t0.m === b.m && t0.d < b.d)) age -= 1;
  return age >= 0 ? age : null;
}

// Birth date as clinicians expect it: 昭和23年3月2日（1948年3月2日）78歳.
export function formatBirthDate(birth, today = todayJapan()) {
  const age = ageOn(birth, today);
  const ageText = age === null ? '' : t('patient.age', { age });
  if (current === 'en') return [formatDate(birth), ageText && `(${ageText})`].filter(Boolean).join(' ');
  const w = toWareki(birth);
  const main = w ? `${formatWareki(birth)}（${formatDate(birth)}）` : formatDate(birth);
  return [main, ageText].filter(Boolean).join(' ');
}

export function formatSize(bytes) {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes)) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
