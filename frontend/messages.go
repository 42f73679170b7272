package frontend

import (
	"fmt"

	"github.com/civichub/civichub/i18n"
)

// text returns the page text for key in lang, formatted with args. Keys that
// are not page texts (error keys of services) come from the i18n catalog.
func text(lang i18n.Lang, key string, args ...any) string {
	m, ok := texts[key]
	if !ok {
		return i18n.T(lang, key, args...)
	}
	s := m[0]
	if lang == i18n.EN {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// hasText reports whether key is a page text.
func hasText(key string) bool { _, ok := texts[key]; return ok }

// texts are the pages' own words, in Vietnamese and English. Messages that
// the services' errors name live in the i18n package.
var texts = map[string][2]string{
	"site.name":    {"Cổng tham gia ý kiến", "Citizen engagement hub"},
	"site.tagline": {"Kênh trao đổi giữa người dân, doanh nghiệp và cơ quan nhà nước", "Where residents, businesses and state agencies talk"},
	"lang.name":    {"Tiếng Việt", "English"},
	"lang.label":   {"Ngôn ngữ", "Language"},
	"lang.current": {"(đang dùng)", "(current)"},

	"layout.skip":    {"Chuyển đến nội dung chính", "Skip to main content"},
	"layout.nav":     {"Điều hướng chính", "Main navigation"},
	"layout.account": {"Tài khoản", "Account"},
	"layout.footer":  {"Cổng tham gia ý kiến tiếp nhận ý kiến, câu hỏi và góp ý của người dân, doanh nghiệp gửi đến các cơ quan nhà nước.", "The citizen engagement hub takes the feedback, questions and comments of residents and businesses to state agencies."},

	"nav.home":     {"Trang chủ", "Home"},
	"nav.me":       {"Tài khoản của tôi", "My account"},
	"nav.users":    {"Người dùng", "Users"},
	"nav.agencies": {"Cơ quan", "Agencies"},

	"account.login":    {"Đăng nhập", "Log in"},
	"account.register": {"Đăng ký", "Register"},
	"account.logout":   {"Đăng xuất", "Log out"},

	"form.problem":   {"Có lỗi cần sửa", "There is a problem"},
	"form.error":     {"Lỗi:", "Error:"},
	"title.error":    {"Lỗi: ", "Error: "},
	"field.email":    {"Địa chỉ email", "Email address"},
	"field.name":     {"Họ và tên", "Full name"},
	"field.password": {"Mật khẩu", "Password"},
	"field.role":     {"Vai trò", "Role"},
	"field.name_vi":  {"Tên tiếng Việt", "Name in Vietnamese"},
	"field.name_en":  {"Tên tiếng Anh", "Name in English"},
	"field.slug":     {"Đường dẫn", "Slug"},
	"field.title":    {"Chức danh", "Job title"},
	"field.agency":   {"Cơ quan", "Agency"},
	"hint.password":  {"Ít nhất 8 ký tự.", "At least 8 characters."},
	"hint.name_en":   {"Không bắt buộc.", "Optional."},
	"hint.slug":      {"Dùng trong địa chỉ trang, ví dụ so-xay-dung: chữ thường không dấu, số và dấu gạch ngang.", "Used in page addresses, for example so-xay-dung: lowercase letters, digits and hyphens."},
	"hint.staff":     {"Người này phải đã có tài khoản trên cổng.", "The person must already have an account on the hub."},

	"role.resident":  {"Thành viên", "Resident"},
	"role.moderator": {"Điều hành viên", "Moderator"},
	"role.admin":     {"Quản trị viên", "Administrator"},

	"home.title":       {"Trang chủ", "Home"},
	"home.heading":     {"Chào mừng đến với Cổng tham gia ý kiến", "Welcome to the citizen engagement hub"},
	"home.intro":       {"Tại đây người dân và doanh nghiệp gửi ý kiến, đặt câu hỏi cho cơ quan nhà nước và theo dõi câu trả lời chính thức.", "Here residents and businesses give their views, ask state agencies questions and follow the official answers."},
	"home.join":        {"Tạo tài khoản để tham gia", "Create an account to take part"},
	"home.agencies":    {"Các cơ quan tham gia", "Participating agencies"},
	"home.no_agencies": {"Chưa có cơ quan nào tham gia.", "No agency has joined yet."},
	"online.heading":   {"Người trực tuyến", "Online now"},
	"online.guests":    {"Khách", "Guests"},
	"online.members":   {"Thành viên", "Members"},
	"online.total":     {"Tổng", "Total"},
	"online.today":     {"Khách hôm nay", "Visitors today"},
	"online.visits":    {"Tổng lượt truy cập", "Total visits"},
	"home.poll":        {"Thăm dò ý kiến", "Poll"},
	"home.poll_none":   {"Hiện chưa có cuộc thăm dò ý kiến nào.", "There is no poll at the moment."},

	"register.title":   {"Đăng ký tài khoản", "Create an account"},
	"register.intro":   {"Với tài khoản, bạn có thể đặt câu hỏi cho cơ quan nhà nước, tham gia diễn đàn và bình chọn.", "With an account you can ask state agencies questions, take part in the forum and vote."},
	"register.submit":  {"Đăng ký", "Create account"},
	"register.have":    {"Đã có tài khoản?", "Already have an account?"},
	"login.title":      {"Đăng nhập", "Log in"},
	"login.submit":     {"Đăng nhập", "Log in"},
	"login.no_account": {"Chưa có tài khoản?", "No account yet?"},

	"me.title":    {"Tài khoản của tôi", "My account"},
	"me.details":  {"Thông tin tài khoản", "Account details"},
	"me.staff":    {"Công tác tại cơ quan", "Agency staff memberships"},
	"me.no_staff": {"Bạn chưa là cán bộ của cơ quan nào.", "You are not on the staff of any agency."},

	"admin.label":       {"Quản trị", "Administration"},
	"pager.label":       {"Phân trang", "Pagination"},
	"pager.first":       {"Về trang đầu", "First page"},
	"pager.next":        {"Trang sau", "Next page"},
	"users.title":       {"Quản lý người dùng", "Users"},
	"users.none":        {"Chưa có người dùng nào.", "There are no users yet."},
	"users.role_of":     {"Vai trò của %s", "Role of %s"},
	"users.save":        {"Lưu", "Save"},
	"users.save_of":     {"vai trò của %s", "role of %s"},
	"agencies.title":    {"Quản lý cơ quan", "Agencies"},
	"agencies.none":     {"Chưa có cơ quan nào.", "There are no agencies yet."},
	"agencies.create":   {"Thêm cơ quan", "Add an agency"},
	"agencies.submit":   {"Thêm cơ quan", "Add agency"},
	"agency.back":       {"Tất cả cơ quan", "All agencies"},
	"agency.staff":      {"Cán bộ", "Staff"},
	"agency.no_staff":   {"Cơ quan chưa có cán bộ nào.", "The agency has no staff yet."},
	"table.actions":     {"Thao tác", "Actions"},
	"agency.remove":     {"Xoá", "Remove"},
	"agency.confirm":    {"Xoá người này khỏi danh sách cán bộ của cơ quan?", "Remove this person from the agency's staff?"},
	"agency.add":        {"Thêm cán bộ", "Add a staff member"},
	"agency.add_submit": {"Thêm cán bộ", "Add staff member"},

	"error.heading":        {"Không thể thực hiện yêu cầu", "The request could not be completed"},
	"error.not_found":      {"Không tìm thấy trang", "Page not found"},
	"error.not_found_text": {"Địa chỉ này không có trang nào. Có thể trang đã được chuyển đi hoặc địa chỉ bị gõ sai.", "There is no page at this address. It may have moved, or the address may be mistyped."},
	"error.forbidden":      {"Không có quyền truy cập", "Access denied"},
	"error.internal":       {"Đã có lỗi xảy ra", "Something went wrong"},
	"error.home":           {"Về trang chủ", "Go to the home page"},

	"notice.registered":     {"Đăng ký thành công. Chào mừng bạn!", "Your account has been created. Welcome!"},
	"notice.logged_in":      {"Bạn đã đăng nhập.", "You are logged in."},
	"notice.logged_out":     {"Bạn đã đăng xuất.", "You have logged out."},
	"notice.role_saved":     {"Đã lưu vai trò.", "The role has been saved."},
	"notice.agency_created": {"Đã thêm cơ quan.", "The agency has been added."},
	"notice.staff_added":    {"Đã thêm cán bộ.", "The staff member has been added."},
	"notice.staff_removed":  {"Đã xoá cán bộ khỏi cơ quan.", "The staff member has been removed."},
}
