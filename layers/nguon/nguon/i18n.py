"""Messages people read, in Vietnamese first and English on request.

Every domain error code has an entry here; ``tests/unit/test_i18n.py`` checks that both
languages exist for each and take the same parameters.
"""

from string import Formatter

from nguon.config import Language

MESSAGES: dict[str, dict[Language, str]] = {
    "error": {"vi": "Đã xảy ra lỗi.", "en": "An error occurred."},
    "bad_request": {
        "vi": "Yêu cầu không đọc được: {reason}",
        "en": "The request could not be read: {reason}",
    },
    "unsupported_media_type": {
        "vi": "Không nhận nội dung kiểu {content_type}; hãy gửi application/json.",
        "en": "Content of type {content_type} is not accepted; send application/json.",
    },
    "invalid_input": {"vi": "Dữ liệu không hợp lệ.", "en": "The input is not valid."},
    "validation_error": {
        "vi": "Dữ liệu không hợp lệ ở {count} trường.",
        "en": "The input is not valid in {count} field(s).",
    },
    "unauthorized": {
        "vi": "Chưa đăng nhập hoặc phiên đăng nhập đã hết hạn.",
        "en": "Not signed in, or the session has expired.",
    },
    "forbidden": {
        "vi": "Bạn không có quyền thực hiện thao tác này.",
        "en": "You are not allowed to do this.",
    },
    "role_missing": {
        "vi": "Vai trò của bạn không được phép: cần quyền {permission}.",
        "en": "Your role does not allow this: it needs {permission}.",
    },
    "out_of_scope": {
        "vi": "Đơn vị {unit} nằm ngoài phạm vi quản lý của bạn ({home_unit}).",
        "en": "Unit {unit} is outside your area ({home_unit}).",
    },
    "no_home_unit": {
        "vi": "Tài khoản chưa được gán đơn vị hành chính.",
        "en": "The account has no home administrative unit.",
    },
    "not_found": {"vi": "Không tìm thấy.", "en": "Not found."},
    "route_not_found": {
        "vi": "Không có đường dẫn {method} {path}.",
        "en": "There is no route {method} {path}.",
    },
    "unit_not_found": {
        "vi": "Không có đơn vị hành chính mã {unit}.",
        "en": "There is no administrative unit with code {unit}.",
    },
    "user_not_found": {
        "vi": "Không có tài khoản {username}.",
        "en": "There is no account {username}.",
    },
    "conflict": {
        "vi": "Dữ liệu đã bị thay đổi bởi người khác; hãy tải lại.",
        "en": "Someone else changed this; reload it.",
    },
    "unavailable": {
        "vi": "Dịch vụ tạm thời không phản hồi; vui lòng thử lại sau.",
        "en": "A service did not answer; try again later.",
    },
    "cap_malformed": {
        "vi": "Bản tin CAP không hợp lệ: {reason}",
        "en": "The CAP message is not valid: {reason}",
    },
    "cap_too_large": {
        "vi": "Bản tin CAP quá lớn: tối đa {limit} byte.",
        "en": "The CAP message is too large: at most {limit} bytes.",
    },
    "cap_no_known_area": {
        "vi": "Bản tin CAP không có khu vực nào thuộc các đơn vị hành chính đã biết.",
        "en": "The CAP message names no area within the known administrative units.",
    },
    "not_an_emergency": {
        "vi": "Bản tin {bulletin} không phải bản tin khẩn cấp nên không xuất được CAP.",
        "en": "Bulletin {bulletin} is not an emergency, so it has no CAP form.",
    },
    # Bulletins and their workflow.
    "bulletin_not_found": {
        "vi": "Không có bản tin mã {bulletin}.",
        "en": "There is no bulletin {bulletin}.",
    },
    "unknown_targets": {
        "vi": "Không có đơn vị hành chính mã: {units}.",
        "en": "No administrative unit has the code(s): {units}.",
    },
    "invalid_catalogue": {
        "vi": "Danh mục đơn vị hành chính không hợp lệ: {reason}",
        "en": "The administrative unit catalogue is not valid: {reason}",
    },
    "unknown_issuer": {
        "vi": "Không có đơn vị phát hành mã {unit}.",
        "en": "There is no issuing unit {unit}.",
    },
    "target_outside_issuer": {
        "vi": "Đơn vị {unit} không thuộc đơn vị phát hành {issuer}.",
        "en": "Unit {unit} is not under the issuing unit {issuer}.",
    },
    "not_editable": {
        "vi": (
            "Bản tin đang ở trạng thái {status} nên không sửa "
            "được; hãy thu hồi hoặc tạo phiên bản mới."
        ),
        "en": "The bulletin is {status} and cannot be edited; withdraw it or make a new version.",
    },
    "wrong_status": {
        "vi": "Không thể {action} bản tin đang ở trạng thái {status}.",
        "en": "Cannot {action} a bulletin that is {status}.",
    },
    "stale_version": {
        "vi": (
            "Bạn đang sửa phiên bản {version}, nhưng bản tin đã ở phiên bản {current}; hãy tải lại."
        ),
        "en": "You edited version {version}, but the bulletin is at version {current}; reload it.",
    },
    "supersede_out_of_scope": {
        "vi": (
            "Bản tin {bulletin} do đơn vị {unit} ban hành: chỉ người có quyền duyệt và thu hồi "
            "bản tin đó mới được thay thế nó."
        ),
        "en": (
            "Bulletin {bulletin} is issued by unit {unit}: only someone who may approve and "
            "withdraw it may replace it."
        ),
    },
    "lexicon_not_yours": {
        "vi": (
            "Từ điển phát âm {name} thuộc đơn vị {unit}: chỉ người quản lý địa bàn đó mới được "
            "sửa hoặc xoá."
        ),
        "en": (
            "Lexicon {name} belongs to unit {unit}: only staff whose area holds it may change "
            "or delete it."
        ),
    },
    "lexicons_per_unit": {
        "vi": "Mỗi đơn vị có tối đa {limit} từ điển phát âm.",
        "en": "A unit may have at most {limit} lexicons.",
    },
    "speech_task_quota": {
        "vi": (
            "Bạn đã có {limit} tác vụ đọc đang chờ hoặc đang chạy; hãy đợi chúng xong rồi gửi tiếp."
        ),
        "en": (
            "You have {limit} speech tasks waiting or running; wait for them to finish before "
            "starting another."
        ),
    },
    "speech_breaks_too_long": {
        "vi": (
            "Các khoảng lặng (<break>) cộng lại {seconds} giây; tối đa {limit} giây cho một "
            "yêu cầu."
        ),
        "en": "The breaks add up to {seconds} s; one request may hold at most {limit} s.",
    },
    "speech_output_too_long": {
        "vi": "Bản đọc sẽ dài khoảng {minutes} phút; tối đa {limit} phút cho một yêu cầu.",
        "en": "The reading would last about {minutes} min; one request may last {limit} min.",
    },
    "self_approval": {
        "vi": "Không được tự duyệt bản tin của chính mình.",
        "en": "Nobody may approve their own bulletin.",
    },
    "already_revised": {
        "vi": "Bản tin đã có phiên bản thay thế {bulletin}.",
        "en": "The bulletin already has a replacement, {bulletin}.",
    },
    "range_ends_before_start": {
        "vi": "Khoảng thời gian kết thúc ({end}) trước khi bắt đầu ({start}).",
        "en": "The range ends ({end}) before it starts ({start}).",
    },
    "bad_cursor": {
        "vi": "Tham số trang (next) không hợp lệ.",
        "en": "The page cursor (next) is not valid.",
    },
    "cap_already_imported": {
        "vi": "Cảnh báo CAP này đã được nhập: {bulletin}.",
        "en": "This CAP alert was already imported: {bulletin}.",
    },
    "cap_not_actual": {
        "vi": "Chỉ nhập cảnh báo CAP thật (status Actual), không nhập {status}.",
        "en": "Only real CAP alerts (status Actual) are imported, not {status}.",
    },
    "cap_reference_unknown": {
        "vi": "Không tìm thấy cảnh báo gốc mà bản tin CAP {identifier} tham chiếu.",
        "en": "The alert that CAP message {identifier} references is not known here.",
    },
    # Generated speech (the bulletin's voice).
    "voice_not_found": {
        "vi": "Bản tin {bulletin} chưa có giọng đọc.",
        "en": "Bulletin {bulletin} has no generated speech.",
    },
    "voice_not_applicable": {
        "vi": (
            "Bản tin {bulletin} không có giọng đọc: chỉ bản tin đã duyệt và phát qua loa mới có."
        ),
        "en": "Bulletin {bulletin} takes no speech: only approved bulletins for speakers do.",
    },
    "voice_in_progress": {
        "vi": "Giọng đọc của bản tin {bulletin} đang được tạo; vui lòng chờ.",
        "en": "The speech for bulletin {bulletin} is being made; wait for it.",
    },
    "voice_state_changed": {
        "vi": "Giọng đọc của bản tin {bulletin} vừa được cập nhật ở nơi khác; hãy tải lại.",
        "en": "The speech for bulletin {bulletin} just changed elsewhere; reload it.",
    },
    # The programme.
    "not_in_programme": {
        "vi": "Bản tin {bulletin} không phát tại đơn vị này ngày {date}.",
        "en": "Bulletin {bulletin} does not play here on {date}.",
    },
    "fixed_time_item": {
        "vi": (
            "Bản tin {bulletin} là tin ưu tiên hoặc khẩn cấp, phát theo "
            "giờ của nơi phát hành; chỉ xếp được thứ tự, không đặt giờ."
        ),
        "en": (
            "Bulletin {bulletin} is priority or emergency and plays "
            "at its issuer's time; order it, do not place it."
        ),
    },
    "no_room_in_windows": {
        "vi": "Không còn chỗ trong các khung giờ phát của đơn vị.",
        "en": "No room left in the unit's broadcast windows.",
    },
    "no_time_left_in_day": {
        "vi": "Không còn thời gian trong ngày sau các bản tin phát trước.",
        "en": "No time left in the day after the items before it.",
    },
    "outside_validity": {
        "vi": "Ngoài thời gian hiệu lực của bản tin.",
        "en": "Outside the bulletin's validity.",
    },
    # Validation problems, by pydantic type (shown per field in details).
    "string_too_long": {
        "vi": "Quá dài: tối đa {max_length} ký tự.",
        "en": "Too long: at most {max_length} characters.",
    },
    "too_long": {
        "vi": "Quá nhiều: tối đa {max_length} mục.",
        "en": "Too many: at most {max_length} items.",
    },
    "schedule_ends_before_start": {
        "vi": "Lịch phát kết thúc ({until}) trước khi bắt đầu ({start}).",
        "en": "The schedule ends ({until}) before it starts ({start}).",
    },
    "date_out_of_range": {
        "vi": "Ngày {value} nằm ngoài khoảng {earliest} … {latest}.",
        "en": "The day {value} is outside {earliest} … {latest}.",
    },
    "content_too_large": {
        "vi": "Nội dung bản tin (kể cả các bản ngôn ngữ khác) dài {size} byte; tối đa {limit}.",
        "en": "The bulletin's text (with its other languages) is {size} bytes; at most {limit}.",
    },
    "schedule_too_long": {
        "vi": "Lịch phát dài tối đa {limit} ngày.",
        "en": "A schedule covers at most {limit} days.",
    },
    "body_too_long_for_board": {
        "vi": "Bản tin cho bảng điện tử tối đa {limit} ký tự; bản tin này có {length}.",
        "en": "A bulletin for boards has at most {limit} characters; this one has {length}.",
    },
    "cap_only_for_emergency": {
        "vi": "Chỉ bản tin khẩn cấp mới có thông tin CAP.",
        "en": "Only an emergency bulletin carries CAP fields.",
    },
    "repeat_not_for_normal": {
        "vi": "Bản tin thường do xã xếp lịch, không đặt số lần lặp.",
        "en": "A normal bulletin is placed by the commune; it takes no repeat.",
    },
    "validity_ends_before_start": {
        "vi": "Thời gian hiệu lực kết thúc ({until}) trước khi bắt đầu ({start}).",
        "en": "The validity ends ({until}) before it starts ({start}).",
    },
    "window_ends_before_start": {
        "vi": "Khung giờ kết thúc ({end}) trước khi bắt đầu ({start}).",
        "en": "The window ends ({end}) before it starts ({start}).",
    },
    "windows_overlap": {
        "vi": "Các khung giờ {first} và {second} chồng nhau.",
        "en": "Windows {first} and {second} overlap.",
    },
    "internal_error": {
        "vi": "Lỗi hệ thống. Vui lòng thử lại sau; mã yêu cầu: {request_id}.",
        "en": "System error. Please try again later; request id: {request_id}.",
    },
    # Devices and their monitoring.
    "device_not_found": {
        "vi": "Không có thiết bị mã {thing}.",
        "en": "There is no device {thing}.",
    },
    "command_not_found": {
        "vi": "Thiết bị {thing} không có lệnh mã {command_id}.",
        "en": "Device {thing} has no command {command_id}.",
    },
    "device_exists": {
        "vi": "Thiết bị mã {thing} đã có.",
        "en": "Device {thing} already exists.",
    },
    "device_unit_not_commune": {
        "vi": "Thiết bị phải thuộc một xã, phường, thị trấn; {unit} không phải cấp xã.",
        "en": "A device belongs to a commune; {unit} is not one.",
    },
    "device_decommissioned": {
        "vi": "Thiết bị {thing} đã ngừng sử dụng.",
        "en": "Device {thing} has been decommissioned.",
    },
    "command_not_delivered": {
        "vi": "Không gửi được lệnh tới thiết bị {thing}; vui lòng thử lại sau.",
        "en": "The command could not be sent to device {thing}; try again later.",
    },
    "range_too_long": {
        "vi": "Khoảng thời gian dài tối đa {limit} ngày.",
        "en": "A range covers at most {limit} days.",
    },
    "location_outside_vietnam": {
        "vi": "Vị trí ({lat}, {lon}) không nằm trong lãnh thổ Việt Nam.",
        "en": "The location ({lat}, {lon}) is not in Vietnam.",
    },
    "command_value": {
        "vi": "Lệnh {command} cần giá trị (value): {expected}.",
        "en": "The {command} command needs a value: {expected}.",
    },
    "command_takes_no_value": {
        "vi": "Lệnh {command} không nhận giá trị (value).",
        "en": "The {command} command takes no value.",
    },
    "command_takes_no_args": {
        "vi": "Lệnh {command} không nhận tham số (args).",
        "en": "The {command} command takes no args.",
    },
    "play_now_needs_content": {
        "vi": "Lệnh phát ngay cần mã bản tin đã duyệt (args.bulletin_id).",
        "en": "play_now needs an approved bulletin (args.bulletin_id).",
    },
    "play_now_text_refused": {
        "vi": (
            "Lệnh phát ngay chỉ phát bản tin đã được duyệt, không đọc văn bản tự do (args.text): "
            "hãy soạn bản tin và trình duyệt."
        ),
        "en": (
            "play_now plays approved bulletins only, not free text (args.text): compose a "
            "bulletin and have it approved."
        ),
    },
    "play_now_not_on_air": {
        "vi": "Bản tin {bulletin} không đang trong thời gian phát đã duyệt (trạng thái {status}).",
        "en": "Bulletin {bulletin} is not approved and valid now (it is {status}).",
    },
    "play_now_not_for_this_device": {
        "vi": "Bản tin {bulletin} không dành cho địa bàn của thiết bị ({unit}).",
        "en": "Bulletin {bulletin} is not aimed at the device's area ({unit}).",
    },
    "invalid_telemetry": {
        "vi": "Dữ liệu thiết bị ({stream}) không hợp lệ ở {count} trường.",
        "en": "The device data ({stream}) is not valid in {count} field(s).",
    },
    "unknown_stream": {
        "vi": "Không biết luồng dữ liệu thiết bị {stream}.",
        "en": "Unknown device data stream {stream}.",
    },
    # Media: uploads and their ingest (reasons are shown on the media item).
    "media_not_found": {
        "vi": "Không có tệp phương tiện mã {media}.",
        "en": "There is no media item {media}.",
    },
    "media_not_ready": {
        "vi": "Tệp phương tiện {media} chưa sẵn sàng (trạng thái {status}).",
        "en": "Media item {media} is not ready (it is {status}).",
    },
    "content_type_not_allowed": {
        "vi": (
            "Loại tệp {content_type} không được nhận cho mục đích {purpose}; chỉ nhận: {allowed}."
        ),
        "en": "{content_type} is not accepted for {purpose}; accepted: {allowed}.",
    },
    "upload_too_large": {
        "vi": "Tệp cho mục đích {purpose} tối đa {limit_mb} MB.",
        "en": "A {purpose} upload has at most {limit_mb} MB.",
    },
    "media_too_large": {
        "vi": "Tệp tải lên ({size}) lớn hơn mức cho phép ({limit}).",
        "en": "The uploaded file ({size}) is larger than allowed ({limit}).",
    },
    "media_type_unknown": {
        "vi": "Không nhận ra định dạng của tệp (khai báo là {declared}); tệp có thể bị hỏng.",
        "en": "The file's format is not one we know (declared {declared}); it may be damaged.",
    },
    "media_type_mismatch": {
        "vi": (
            "Nội dung tệp là {detected}, không phải loại dùng cho {purpose} (khai báo {declared})."
        ),
        "en": "The file holds {detected}, which is not for {purpose} (declared {declared}).",
    },
    "media_undecodable": {
        "vi": "Không giải mã được tệp: tệp bị hỏng hoặc không đầy đủ.",
        "en": "The file cannot be decoded: it is damaged or incomplete.",
    },
    "media_no_audio": {
        "vi": "Tệp không có âm thanh.",
        "en": "The file has no sound.",
    },
    "media_no_video": {
        "vi": "Tệp không có hình ảnh video.",
        "en": "The file has no video picture.",
    },
    "media_silent": {
        "vi": "Âm thanh trong tệp hoàn toàn im lặng.",
        "en": "The file's sound is silent.",
    },
    "media_too_long": {
        "vi": "Tệp dài {duration_min} phút; tối đa {limit_min} phút.",
        "en": "The file lasts {duration_min} minutes; at most {limit_min} are accepted.",
    },
    "media_too_short": {
        "vi": "Tệp chỉ dài {duration_s} giây; tối thiểu {limit_s} giây.",
        "en": "The file lasts only {duration_s} s; at least {limit_s} s are needed.",
    },
    "media_too_many_pixels": {
        "vi": "Ảnh {width}×{height} quá lớn: tối đa {limit_mp} triệu điểm ảnh.",
        "en": "The {width}×{height} picture is too large: at most {limit_mp} megapixels.",
    },
    "uploads_not_configured": {
        "vi": "Chức năng tải tệp lên chưa được cấu hình trên hệ thống này.",
        "en": "Uploads are not configured on this system.",
    },
    "media_processing_failed": {
        "vi": "Hệ thống chưa xử lý được tệp sau {attempts} lần thử; bộ phận kỹ thuật đã được báo.",
        "en": "The system could not process the file after {attempts} attempts; support is told.",
    },
    # Operator tools (infra/tools): one line each, printed Vietnamese / English.
    "tool_cloud_not_running": {
        "vi": "Đám mây cục bộ chưa chạy (không có {path}); hãy khởi động bằng `{start}`.",
        "en": "The local cloud is not running (no {path}); start it with `{start}`.",
    },
    "tool_cannot_connect": {
        "vi": (
            "Không kết nối được tới {url}: đám mây cục bộ chưa chạy? Hãy khởi động bằng `{start}`."
        ),
        "en": "Cannot connect to {url}: is the local cloud running? Start it with `{start}`.",
    },
    "tool_endpoints_unreadable": {
        "vi": "Không đọc được {path} ({reason}); hãy khởi động lại đám mây cục bộ.",
        "en": "Cannot read {path} ({reason}); restart the local cloud.",
    },
    "tool_no_aws_settings": {
        "vi": (
            "Chưa cấu hình AWS (thông tin đăng nhập, vùng); với đám mây cục bộ, "
            "dùng --endpoints sau khi chạy `{start}`."
        ),
        "en": (
            "AWS is not configured (credentials, region); for the local cloud, "
            "pass --endpoints after `{start}`."
        ),
    },
    "tool_aws_refused": {
        "vi": "AWS từ chối yêu cầu ({aws_code}): {reason}",
        "en": "AWS refused the request ({aws_code}): {reason}",
    },
    "tool_sign_in_refused": {
        "vi": "Sai tên đăng nhập hoặc mật khẩu.",
        "en": "Wrong username or password.",
    },
    "tool_unknown_user": {
        "vi": "Không có tài khoản mẫu {username}; các tài khoản: {users}.",
        "en": "There is no demo account {username}; the accounts: {users}.",
    },
    "tool_api_refused": {
        "vi": "API trả lời {status}",
        "en": "The API answered {status}",
    },
    "tool_file_missing": {
        "vi": "Không có tệp hoặc thư mục {path}.",
        "en": "There is no file or folder {path}.",
    },
    "tool_file_exists": {
        "vi": "{path} đã có; công cụ không ghi đè.",
        "en": "{path} already exists; the tool does not overwrite it.",
    },
    "kpi_not_found": {
        "vi": "Không có chỉ tiêu {indicator}.",
        "en": "There is no indicator {indicator}.",
    },
    "kpi_year_and_range": {
        "vi": "Chọn năm (year) hoặc khoảng ngày (from/to), không chọn cả hai.",
        "en": "Give a year or a range (from/to), not both.",
    },
    "central_item_not_found": {
        "vi": "Không có mục gửi Trung ương {item}.",
        "en": "There is no central system outbox item {item}.",
    },
    "central_item_not_dead": {
        "vi": "Chỉ gửi lại được mục đã dừng gửi; mục {item} đang ở trạng thái {status}.",
        "en": "Only a dead item can be sent again; {item} is {status}.",
    },
    # training (issue 15)
    "course_not_found": {
        "vi": "Không có khóa học {course}.",
        "en": "There is no course {course}.",
    },
    "lesson_not_found": {
        "vi": "Khóa học {course} không có bài {lesson}.",
        "en": "Course {course} has no lesson {lesson}.",
    },
    "course_has_no_quiz": {
        "vi": "Khóa học {course} không có bài kiểm tra.",
        "en": "Course {course} has no quiz.",
    },
    "course_completed": {
        "vi": "Bạn đã hoàn thành khóa học {course}; không cần làm bài kiểm tra nữa.",
        "en": "You have completed course {course}; no more quiz attempts are needed.",
    },
    "attempts_exhausted": {
        "vi": "Bạn đã dùng hết {limit} lượt làm bài kiểm tra của khóa học {course}.",
        "en": "You have used all {limit} quiz attempts of course {course}.",
    },
    "attempt_not_found": {
        "vi": "Không có lượt làm bài {attempt} của bạn trong khóa học {course}.",
        "en": "You have no attempt {attempt} in course {course}.",
    },
    "attempt_submitted": {
        "vi": "Lượt làm bài {attempt} đã nộp; hãy bắt đầu lượt mới.",
        "en": "Attempt {attempt} was already submitted; start a new one.",
    },
    "quiz_unknown_question": {
        "vi": "Bài làm trả lời câu hỏi {question} không có trong lượt này.",
        "en": "The answers name question {question}, which is not in this attempt.",
    },
    "quiz_unknown_option": {
        "vi": "Câu {question}: lựa chọn không có trong câu hỏi.",
        "en": "Question {question}: an option that the question does not have.",
    },
    "course_not_for_unit": {
        "vi": "Khóa học {course} không dành cho đơn vị {unit} của {username}.",
        "en": "Course {course} is not for unit {unit} of {username}.",
    },
    "training_changed": {
        "vi": "Việc học đã thay đổi ở nơi khác (một thẻ khác?); hãy tải lại.",
        "en": "Your progress changed elsewhere (another tab?); reload.",
    },
    "record_exists": {
        "vi": "Hồ sơ đào tạo này đã có ({record}).",
        "en": "This training record already exists ({record}).",
    },
    "staff_unit_mismatch": {
        "vi": "Tài khoản {username} không thuộc đơn vị {unit}.",
        "en": "Account {username} does not belong to unit {unit}.",
    },
    "staff_not_found": {
        "vi": "Không có cán bộ tên {name} ở đơn vị {unit}.",
        "en": "No staff member named {name} in unit {unit}.",
    },
    "staff_ambiguous": {
        "vi": "Đơn vị {unit} có nhiều cán bộ tên {name}; hãy ghi tên đăng nhập (username).",
        "en": "Unit {unit} has several staff named {name}; give the username.",
    },
    "csv_missing_columns": {
        "vi": "Tệp CSV thiếu cột: {columns}.",
        "en": "The CSV file lacks the columns: {columns}.",
    },
    "csv_too_many_rows": {
        "vi": "Tệp CSV quá {limit} dòng; hãy chia nhỏ.",
        "en": "The CSV file has more than {limit} rows; split it.",
    },
    "csv_value_missing": {
        "vi": "Thiếu giá trị ở cột {column}.",
        "en": "Column {column} is empty.",
    },
    "csv_bad_hours": {
        "vi": 'Số giờ "{value}" không hợp lệ (số lớn hơn 0, tối đa 1000).',
        "en": 'Hours "{value}" is not valid (a number above 0, at most 1000).',
    },
    "csv_bad_date": {
        "vi": 'Ngày "{value}" không hợp lệ (dd/mm/yyyy hoặc yyyy-mm-dd).',
        "en": 'Date "{value}" is not valid (dd/mm/yyyy or yyyy-mm-dd).',
    },
    "csv_future_date": {
        "vi": "Ngày hoàn thành {value} ở tương lai.",
        "en": "Completion date {value} is in the future.",
    },
    "csv_bad_online": {
        "vi": 'Cột online "{value}" phải là có/không.',
        "en": 'Column online "{value}" must be yes/no (có/không).',
    },
    "csv_bad_value": {
        "vi": "Giá trị ở cột {column} không hợp lệ.",
        "en": "The value in column {column} is not valid.",
    },
    "post_not_found": {
        "vi": "Không có bài viết {post} trong diễn đàn khóa học.",
        "en": "There is no post {post} on the course's board.",
    },
    "report_not_found": {
        "vi": "Không có báo cáo {report}.",
        "en": "There is no report {report}.",
    },
    "report_exists": {
        "vi": "Đơn vị {unit} đã có báo cáo kỳ {period}: {report}.",
        "en": "Unit {unit} already has a report for {period}: {report}.",
    },
    "report_wrong_status": {
        "vi": "Không thể {action} báo cáo đang ở trạng thái {status}.",
        "en": "Cannot {action} a report that is {status}.",
    },
    "report_stale_version": {
        "vi": (
            "Bạn đang sửa phiên bản {version}, nhưng báo cáo đã ở phiên bản {current}; hãy tải lại."
        ),
        "en": "You edited version {version}, but the report is at version {current}; reload it.",
    },
    "report_own_unit": {
        "vi": "Báo cáo của đơn vị {unit} do cấp trên duyệt hoặc yêu cầu, không phải chính đơn vị.",
        "en": "Unit {unit}'s reports are reviewed and requested by the unit above, not by itself.",
    },
    "report_period_fields": {
        "vi": "Báo cáo kỳ {period} cần trường {wanted} và chỉ trường đó.",
        "en": "A {period} report needs the field {wanted}, and only that one.",
    },
    "report_adhoc_fields": {
        "vi": "Báo cáo đột xuất cần from, to và hạn nộp (due).",
        "en": "An ad-hoc report needs from, to and a due date.",
    },
    "report_due_adhoc_only": {
        "vi": "Chỉ báo cáo đột xuất mới đặt hạn nộp; báo cáo định kỳ có hạn theo quy định.",
        "en": "Only ad-hoc reports take a due date; regular ones have their own.",
    },
    "directive_not_found": {
        "vi": "Không có chỉ đạo {directive}.",
        "en": "There is no directive {directive}.",
    },
    "directive_target_not_below": {
        "vi": "Đơn vị {unit} không trực thuộc đơn vị ban hành {issuer}: chỉ đạo gửi cho cấp dưới.",
        "en": "Unit {unit} is not below the issuing unit {issuer}: directives go to units below.",
    },
    "directive_due_past": {
        "vi": "Hạn tiếp nhận {due} đã qua.",
        "en": "The acknowledgement due date {due} has passed.",
    },
    "directive_until_past": {
        "vi": "Ngày kết thúc phát bản tin {bulletin} ({until}) đã qua.",
        "en": "The last day to broadcast bulletin {bulletin} ({until}) has passed.",
    },
    "directive_not_target": {
        "vi": "Chỉ đạo {directive} không gửi cho đơn vị {unit}.",
        "en": "Directive {directive} is not addressed to unit {unit}.",
    },
    "directive_acknowledge_from_issuer": {
        "vi": "Đơn vị {unit} (hoặc cấp trên trực tiếp, dưới đơn vị ban hành) mới xác nhận tiếp "
        "nhận, không phải đơn vị ban hành.",
        "en": "Unit {unit} (or a unit above it, below the issuer) acknowledges, not the issuer.",
    },
    "directive_closed": {
        "vi": "Chỉ đạo {directive} đã kết thúc.",
        "en": "Directive {directive} is closed.",
    },
    "export_format": {
        "vi": "Không xuất được định dạng {format}; chọn một trong: {formats}.",
        "en": "Cannot export as {format}; choose one of: {formats}.",
    },
    "tool_file_problem": {
        "vi": "Lỗi tệp {path}: {reason}",
        "en": "File {path}: {reason}",
    },
    "tool_console_not_built": {
        "vi": "Chưa dựng bảng điều khiển web (không có {path}); hãy chạy `make console`.",
        "en": "The web console is not built (no {path}); run `make console`.",
    },
    "tool_stack_output_missing": {
        "vi": "Stack {stack} thiếu đầu ra {outputs}; hãy triển khai template.yaml mới nhất.",
        "en": "Stack {stack} lacks the outputs {outputs}; deploy the latest template.yaml.",
    },
    # citizens' feedback
    "too_many_requests": {
        "vi": "Quá nhiều yêu cầu; hãy thử lại sau {retry_after} giây.",
        "en": "Too many requests; try again in {retry_after} seconds.",
    },
    "feedback_rate_limited": {
        "vi": "Đã nhận quá nhiều phản ánh từ nơi gửi này; hãy thử lại sau {retry_after} giây.",
        "en": "Too many reports from this sender; try again in {retry_after} seconds.",
    },
    "feedback_consent_missing": {
        "vi": "Hãy đồng ý để cơ quan nhà nước tiếp nhận và xử lý phản ánh.",
        "en": "Please agree that the authorities receive and handle the report.",
    },
    "feedback_wrong_channel": {
        "vi": "Cán bộ chỉ nhập phản ánh qua điện thoại hoặc tiếp dân, không qua {channel}.",
        "en": "Staff enter reports from a phone call or a meeting only, not {channel}.",
    },
    "feedback_unknown_unit": {
        "vi": "Không có đơn vị {unit}.",
        "en": "There is no unit {unit}.",
    },
    "feedback_location_missing": {
        "vi": "Hãy chọn xã, phường hoặc vị trí trên bản đồ.",
        "en": "Choose a commune or a point on the map.",
    },
    "feedback_location_mismatch": {
        "vi": "Đơn vị {unit} không thuộc huyện {district} nơi có vị trí đã chọn.",
        "en": "Unit {unit} is not in district {district}, where the chosen point lies.",
    },
    "feedback_location_outside": {
        "vi": "Vị trí đã chọn nằm ngoài địa bàn tỉnh.",
        "en": "The chosen point is outside the province.",
    },
    "feedback_unknown_category": {
        "vi": "Không có lĩnh vực {category}.",
        "en": "There is no category {category}.",
    },
    "feedback_not_found": {
        "vi": "Không tìm thấy phản ánh {tracking_code}.",
        "en": "There is no report {tracking_code}.",
    },
    "feedback_wrong_key": {
        "vi": "Mã mở lại không đúng.",
        "en": "The reopening key is wrong.",
    },
    "feedback_reopen_closed": {
        "vi": "Chỉ mở lại được trong {days} ngày sau khi có trả lời hoặc kết thúc xử lý.",
        "en": "A report can be reopened only within {days} days of its answer or resolution.",
    },
    "feedback_publish_refused": {
        "vi": "Chỉ công khai được câu hỏi có câu trả lời công khai.",
        "en": "Only a question with a public answer can be published.",
    },
    "feedback_wrong_status": {
        "vi": "Phản ánh đang ở trạng thái {status}, không làm được việc này.",
        "en": "The report is {status}: this step does not apply.",
    },
    "feedback_bad_period": {
        "vi": "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.",
        "en": "The start must be on or before the end.",
    },
    "feedback_spam": {
        "vi": "Không nhận biểu mẫu này (trường ẩn đã được điền).",
        "en": "This form was not accepted (the hidden field was filled in).",
    },
    "feedback_too_large": {
        "vi": "Nội dung gửi quá lớn (tối đa {limit} byte).",
        "en": "The request is too large (at most {limit} bytes).",
    },
    "feedback_invalid": {
        "vi": "Phản ánh chưa hợp lệ: {fields}.",
        "en": "The report is not valid: {fields}.",
    },
    # Alert subscriptions (the portal's subscribe, confirm and unsubscribe pages).
    "subscribe_rate_limited": {
        "vi": "Quá nhiều yêu cầu đăng ký. Vui lòng thử lại sau {retry_after} giây.",
        "en": "Too many subscription requests. Try again in {retry_after} seconds.",
    },
    "subscription_not_found": {
        "vi": "Không tìm thấy đăng ký này; có thể nó đã bị hủy. Hãy đăng ký lại.",
        "en": "This subscription was not found; it may have been cancelled. Subscribe again.",
    },
    "code_expired": {
        "vi": "Mã xác nhận đã hết hạn (hiệu lực {minutes} phút). Hãy đăng ký lại để nhận mã mới.",
        "en": (
            "The confirmation code has expired (valid {minutes} minutes). "
            "Subscribe again for a new one."
        ),
    },
    "code_attempts_exceeded": {
        "vi": "Đã nhập sai mã quá nhiều lần. Hãy đăng ký lại để nhận mã mới.",
        "en": "Too many wrong codes. Subscribe again for a new code.",
    },
    "code_wrong": {
        "vi": "Mã xác nhận không đúng.",
        "en": "The confirmation code is not correct.",
    },
    "unsubscribe_token_invalid": {
        "vi": "Liên kết hủy đăng ký không hợp lệ.",
        "en": "This unsubscribe link is not valid.",
    },
    "email_invalid": {
        "vi": "Địa chỉ thư điện tử không hợp lệ.",
        "en": "This is not an e-mail address.",
    },
    "phone_invalid": {
        "vi": "Số điện thoại di động Việt Nam không hợp lệ.",
        "en": "This is not a Vietnamese mobile number.",
    },
    "subscription_code_sent": {
        "vi": (
            "Mã xác nhận đã được gửi. Nhập mã để bắt đầu nhận tin; mã có hiệu lực {minutes} phút."
        ),
        "en": (
            "A confirmation code is on its way. Enter it to start receiving alerts; "
            "it is valid {minutes} minutes."
        ),
    },
    "subscription_confirmed": {
        "vi": "Đăng ký nhận tin của {unit} đã được xác nhận.",
        "en": "Your subscription to {unit}'s alerts is confirmed.",
    },
    "unsubscribed": {
        "vi": "Bạn đã hủy đăng ký nhận tin. Thông tin liên hệ của bạn đã được xóa.",
        "en": "You are unsubscribed. Your contact details have been deleted.",
    },
    "subscribe_heading": {"vi": "Đăng ký nhận tin cảnh báo", "en": "Subscribe to alerts"},
    "confirm_heading": {"vi": "Xác nhận đăng ký", "en": "Confirm your subscription"},
    "unsubscribe_heading": {"vi": "Hủy đăng ký nhận tin", "en": "Unsubscribe"},
    "code_label": {"vi": "Mã xác nhận (6 chữ số)", "en": "Confirmation code (6 digits)"},
    "confirm_button": {"vi": "Xác nhận", "en": "Confirm"},
    "subscribe_intro": {
        "vi": (
            "Nhận tin cảnh báo khẩn cấp và thông báo của {unit} qua thư điện tử hoặc tin nhắn. "
            "Tin khẩn cấp luôn được gửi; các tin khác theo lĩnh vực bạn chọn (không chọn: tất cả)."
        ),
        "en": (
            "Get {unit}'s emergency alerts and notices by e-mail or text message. Emergencies "
            "always come; other notices by the topics you choose (none chosen: all)."
        ),
    },
    "channel_email": {"vi": "Thư điện tử", "en": "E-mail"},
    "channel_sms": {"vi": "Tin nhắn SMS", "en": "Text message (SMS)"},
    "address_label": {
        "vi": "Địa chỉ thư hoặc số điện thoại di động",
        "en": "E-mail address or mobile number",
    },
    "categories_label": {"vi": "Lĩnh vực", "en": "Topics"},
    "subscribe_button": {"vi": "Đăng ký", "en": "Subscribe"},
    "category_policy": {"vi": "Chính sách, pháp luật", "en": "Policy and law"},
    "category_disaster": {"vi": "Thiên tai, thời tiết", "en": "Disasters and weather"},
    "category_health": {"vi": "Y tế, dịch bệnh", "en": "Health"},
    "category_security": {"vi": "An ninh, trật tự", "en": "Security and order"},
    "category_agriculture": {"vi": "Nông nghiệp", "en": "Agriculture"},
    "category_culture": {"vi": "Văn hóa, xã hội", "en": "Culture and society"},
    "category_other": {"vi": "Khác", "en": "Other"},
}

SUPPORTED: tuple[Language, ...] = ("vi", "en")


def negotiate(accept_language: str | None, default: Language = "vi") -> Language:
    """Pick the first supported language of an Accept-Language header, by quality."""
    if not accept_language:
        return default
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower()))
    for negative_quality, _, tag in sorted(ranked):
        primary = tag.split("-")[0]
        if negative_quality < 0 and primary in SUPPORTED:
            return primary
    return default


def translate(code: str, language: Language, **params: object) -> str:
    """The message for ``code`` in ``language``; unknown codes fall back to the generic one."""
    templates = MESSAGES.get(code, MESSAGES["error"])
    template = templates[language]
    wanted = {name for _, name, _, _ in Formatter().parse(template) if name}
    return template.format(**{name: params.get(name, "?") for name in wanted})
