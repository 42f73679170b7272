package i18n

import "fmt"

// T returns the message for key in lang, formatted with args. An unknown key
// returns the key itself, so a missing translation is visible but harmless.
func T(lang Lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	s := m[0]
	if lang == EN {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Has reports whether the catalog has key.
func Has(key string) bool { _, ok := messages[key]; return ok }

// messages maps a key to its Vietnamese and English text.
var messages = map[string][2]string{
	// Generic errors, one per apperr code.
	"internal":           {"Đã có lỗi xảy ra. Vui lòng thử lại sau.", "Something went wrong. Please try again later."},
	"invalid_input":      {"Dữ liệu gửi lên không hợp lệ.", "The submitted data is not valid."},
	"invalid_json":       {"Nội dung gửi lên không phải JSON hợp lệ.", "The request body is not valid JSON."},
	"unknown_field":      {"Trường này không được hỗ trợ.", "This field is not supported."},
	"wrong_type":         {"Giá trị có kiểu không đúng.", "This value has the wrong type."},
	"required":           {"Trường này là bắt buộc.", "This field is required."},
	"too_long":           {"Giá trị quá dài.", "This value is too long."},
	"body_too_large":     {"Nội dung gửi lên quá lớn.", "The request body is too large."},
	"unsupported_media":  {"Nội dung phải là JSON (Content-Type: application/json).", "The request body must be JSON (Content-Type: application/json)."},
	"route_not_found":    {"Không tìm thấy trang hoặc địa chỉ API này.", "No page or API endpoint at this address."},
	"method_not_allowed": {"Phương thức này không được hỗ trợ tại địa chỉ này.", "This method is not allowed at this address."},
	"cross_origin":       {"Yêu cầu từ trang web khác bị từ chối.", "Cross-site requests are refused."},
	"rate_limited":       {"Bạn thao tác quá nhanh. Vui lòng thử lại sau ít phút.", "Too many requests. Please try again in a few minutes."},
	"unavailable":        {"Dịch vụ tạm thời không sẵn sàng.", "The service is temporarily unavailable."},
	"invalid_cursor":     {"Con trỏ phân trang không hợp lệ.", "The pagination cursor is not valid."},
	"invalid_limit":      {"Giới hạn phải là số từ 1 đến 100.", "The limit must be a number from 1 to 100."},

	// Real-time hub.
	"topic_not_found":        {"Không có kênh cập nhật này.", "There is no such live topic."},
	"topic_invalid":          {"Tên kênh cập nhật không hợp lệ.", "The live topic name is not valid."},
	"op_unknown":             {"Thao tác không được hỗ trợ.", "This operation is not supported."},
	"text_only":              {"Chỉ chấp nhận khung văn bản JSON.", "Only JSON text frames are accepted."},
	"too_many_subscriptions": {"Quá nhiều kênh cập nhật trên một kết nối.", "Too many live topics on one connection."},
	"already_subscribed":     {"Đã theo dõi kênh này.", "Already subscribed to this topic."},

	// Accounts.
	"unauthorized":           {"Bạn cần đăng nhập để thực hiện thao tác này.", "You need to log in to do this."},
	"forbidden":              {"Bạn không có quyền thực hiện thao tác này.", "You are not allowed to do this."},
	"bad_credentials":        {"Email hoặc mật khẩu không đúng.", "Wrong email or password."},
	"email_invalid":          {"Địa chỉ email không hợp lệ.", "This is not a valid email address."},
	"email_taken":            {"Email này đã được đăng ký.", "This email is already registered."},
	"password_too_short":     {"Mật khẩu phải có ít nhất 8 ký tự.", "The password must have at least 8 characters."},
	"password_too_long":      {"Mật khẩu không được dài quá 128 ký tự.", "The password must have at most 128 characters."},
	"name_invalid":           {"Tên phải có từ 1 đến 100 ký tự.", "The name must have 1 to 100 characters."},
	"role_invalid":           {"Vai trò phải là resident, moderator hoặc admin.", "The role must be resident, moderator or admin."},
	"user_not_found":         {"Không tìm thấy người dùng.", "User not found."},
	"agency_not_found":       {"Không tìm thấy cơ quan.", "Agency not found."},
	"slug_invalid":           {"Đường dẫn chỉ gồm chữ thường không dấu, số và dấu gạch ngang (2–64 ký tự).", "The slug may only contain lowercase letters, digits and hyphens (2–64 characters)."},
	"slug_taken":             {"Đường dẫn này đã được dùng cho cơ quan khác.", "This slug is already used by another agency."},
	"agency_name_invalid":    {"Tên cơ quan bằng tiếng Việt là bắt buộc (tối đa 200 ký tự).", "The agency's Vietnamese name is required (at most 200 characters)."},
	"agency_name_en_invalid": {"Tên cơ quan bằng tiếng Anh có tối đa 200 ký tự, không chứa ký tự điều khiển.", "The agency's English name may have at most 200 characters and no control characters."},
	"title_invalid":          {"Chức danh phải có từ 1 đến 200 ký tự.", "The job title must have 1 to 200 characters."},
	"staff_not_found":        {"Người dùng này không thuộc cán bộ của cơ quan.", "This user is not on the agency's staff."},
	"session_expired":        {"Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.", "Your session has expired. Please log in again."},
	"last_admin":             {"Không thể bỏ quyền quản trị của quản trị viên cuối cùng.", "The last admin cannot lose the admin role."},

	// Polls.
	"poll_not_found":          {"Không tìm thấy cuộc thăm dò ý kiến.", "Poll not found."},
	"already_voted":           {"Bạn đã bình chọn trong cuộc thăm dò này.", "You have already voted in this poll."},
	"poll_changed":            {"Cuộc thăm dò vừa được người khác thay đổi. Vui lòng tải lại và thử lại.", "The poll was just changed by someone else. Please reload and try again."},
	"poll_not_open":           {"Cuộc thăm dò chưa mở.", "This poll is not open yet."},
	"poll_closed":             {"Cuộc thăm dò đã kết thúc.", "This poll has closed."},
	"poll_members_only":       {"Chỉ thành viên đã đăng nhập mới được bình chọn trong cuộc thăm dò này.", "Only logged-in members may vote in this poll."},
	"visitor_cookie_required": {"Không nhận ra trình duyệt của bạn. Hãy bật cookie, tải lại trang rồi bình chọn.", "Your browser could not be recognised. Enable cookies, reload the page and vote again."},
	"poll_transition":         {"Không thể chuyển cuộc thăm dò sang trạng thái này.", "The poll cannot move to this status."},
	"poll_has_votes":          {"Câu hỏi, phương án và đối tượng chỉ sửa được khi cuộc thăm dò còn là bản nháp.", "Question, options and audience can only change while the poll is a draft."},
	"results_hidden":          {"Kết quả của cuộc thăm dò này chưa được công bố cho bạn.", "The results of this poll are not shown to you."},
	"too_few_options":         {"Cần ít nhất 2 phương án.", "At least 2 options are needed."},
	"too_many_options":        {"Tối đa 20 phương án.", "At most 20 options."},
	"invalid_text":            {"Nội dung có ký tự không hợp lệ.", "The text contains characters that are not allowed."},
	"duplicate_label":         {"Hai phương án trùng nhau.", "Two options are the same."},
	"baseline_length":         {"Số liệu nhập phải có một số cho mỗi phương án.", "The imported counts need one number per option."},
	"baseline_range":          {"Số liệu nhập phải là số không âm.", "Imported counts must be zero or more."},
	"max_choices_single":      {"Thăm dò một lựa chọn chỉ cho phép chọn 1.", "A single-choice poll allows exactly 1 choice."},
	"max_choices_range":       {"Số lựa chọn tối đa phải từ 1 đến số phương án.", "The maximum number of choices must be between 1 and the number of options."},
	"baseline_ballots_single": {"Với thăm dò một lựa chọn, tổng phiếu nhập bằng tổng các số liệu nhập.", "For a single-choice poll the imported ballots equal the sum of the imported counts."},
	"baseline_ballots_range":  {"Tổng phiếu nhập không hợp lý so với số liệu từng phương án.", "The imported ballots do not fit the imported counts."},
	"invalid_choice":          {"Giá trị này không nằm trong các lựa chọn cho phép.", "This value is not one of the allowed choices."},
	"closes_before_opens":     {"Thời điểm kết thúc phải sau thời điểm bắt đầu.", "The closing time must be after the opening time."},
	"closes_in_past":          {"Thời điểm kết thúc đã qua.", "The closing time has already passed."},
	"choose_option":           {"Hãy chọn ít nhất một phương án.", "Choose at least one option."},
	"too_many_choices":        {"Bạn đã chọn nhiều hơn số phương án cho phép.", "You chose more options than allowed."},
	"unknown_option":          {"Phương án không thuộc cuộc thăm dò này.", "This option is not part of the poll."},
	"duplicate_option":        {"Một phương án được chọn hai lần.", "An option was chosen twice."},
	"account_suspended":       {"Tài khoản của bạn đang bị tạm khóa.", "Your account is suspended."},
	"until_in_past":           {"Thời điểm kết thúc phải ở tương lai.", "The end must be in the future."},

	// Forum.
	"category_not_found":  {"Không tìm thấy chuyên mục.", "Category not found."},
	"thread_not_found":    {"Không tìm thấy chủ đề.", "Thread not found."},
	"post_not_found":      {"Không tìm thấy bài viết.", "Post not found."},
	"already_flagged":     {"Bạn đã báo cáo bài viết này.", "You have already reported this post."},
	"post_changed":        {"Bài viết vừa được thay đổi. Vui lòng tải lại và thử lại.", "The post was just changed. Please reload and try again."},
	"thread_locked":       {"Chủ đề đã bị khóa, không thể gửi thêm bài.", "This thread is locked; no more posts can be added."},
	"post_number_taken":   {"Bài viết chưa lưu được. Vui lòng thử lại.", "The post could not be saved. Please try again."},
	"word_not_found":      {"Không tìm thấy từ khóa theo dõi.", "Watched word not found."},
	"title_too_short":     {"Tiêu đề phải có ít nhất 3 ký tự.", "The title needs at least 3 characters."},
	"blocked_word":        {"Nội dung có từ ngữ không được phép đăng.", "The text contains a word that may not be posted."},
	"too_deep":            {"Nội dung lồng nhau quá sâu hoặc quá phức tạp.", "The text is nested too deeply or is too complex."},
	"flag_own_post":       {"Bạn không thể báo cáo bài viết của chính mình.", "You cannot report your own post."},
	"query_empty":         {"Hãy nhập từ khóa tìm kiếm.", "Enter something to search for."},
	"query_too_long":      {"Từ khóa tìm kiếm quá dài (tối đa 200 ký tự, 10 từ).", "The search is too long (at most 200 characters, 10 words)."},
	"category_slug_taken": {"Địa chỉ (slug) này đã được chuyên mục khác dùng.", "This slug is already used by another category."},

	// Q&A.
	"question_not_found":       {"Không tìm thấy câu hỏi.", "Question not found."},
	"answer_not_found":         {"Không tìm thấy câu trả lời.", "Answer not found."},
	"comment_not_found":        {"Không tìm thấy ý kiến.", "Comment not found."},
	"already_answered":         {"Câu hỏi này đã có câu trả lời chính thức.", "This question already has its official answer."},
	"question_changed":         {"Câu hỏi vừa được thay đổi. Vui lòng tải lại và thử lại.", "The question was just changed. Please reload and try again."},
	"invalid_transition":       {"Không thể chuyển câu hỏi sang trạng thái này từ trạng thái hiện tại.", "The question cannot move to this status from its current one."},
	"question_closed":          {"Câu hỏi đã đóng.", "This question is closed."},
	"same_agency":              {"Câu hỏi đang ở cơ quan này; hãy chọn cơ quan khác để chuyển.", "The question is already with this agency; choose another one to forward it to."},
	"not_agency_staff":         {"Chỉ cán bộ của cơ quan được hỏi mới làm được việc này.", "Only staff of the agency the question is addressed to can do this."},
	"own_question":             {"Bạn không thể bình chọn câu hỏi của chính mình.", "You cannot upvote your own question."},
	"unknown_agency":           {"Không có cơ quan này.", "There is no such agency."},
	"invalid_status":           {"Trạng thái không hợp lệ.", "This is not a valid status."},
	"invalid_sort":             {"Cách sắp xếp không hợp lệ.", "This is not a valid sort order."},
	"invalid_email":            {"Địa chỉ thư điện tử không hợp lệ.", "This email address is not valid."},
	"invalid_phone":            {"Số điện thoại không hợp lệ.", "This phone number is not valid."},
	"invalid_id":               {"Mã không hợp lệ.", "This ID is not valid."},
	"too_short":                {"Giá trị quá ngắn.", "This value is too short."},
	"question_title_too_short": {"Tiêu đề câu hỏi phải có ít nhất 10 ký tự.", "The question's title needs at least 10 characters."},
	"reason_too_short":         {"Lý do phải có ít nhất 5 ký tự.", "The reason needs at least 5 characters."},
	"unchanged":                {"Nội dung không thay đổi so với bản hiện tại.", "The text is the same as the current one."},
	"out_of_range":             {"Giá trị nằm ngoài khoảng cho phép.", "This value is out of the allowed range."},
}
