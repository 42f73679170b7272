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
var texts = joinTexts(pageTexts, forumTexts, qaTexts)

// joinTexts merges catalogs, whose keys must not overlap (a test checks).
func joinTexts(parts ...map[string][2]string) map[string][2]string {
	out := map[string][2]string{}
	for _, p := range parts {
		for k, v := range p {
			out[k] = v
		}
	}
	return out
}

// pageTexts are the texts of the account, admin and poll pages.
var pageTexts = map[string][2]string{
	"site.name":    {"Cổng tham gia ý kiến", "Citizen engagement hub"},
	"site.tagline": {"Kênh trao đổi giữa người dân, doanh nghiệp và cơ quan nhà nước", "Where residents, businesses and state agencies talk"},
	"lang.name":    {"Tiếng Việt", "English"},
	"lang.label":   {"Ngôn ngữ", "Language"},
	"lang.current": {"(đang dùng)", "(current)"},

	"layout.skip":    {"Chuyển đến nội dung chính", "Skip to main content"},
	"layout.nav":     {"Điều hướng chính", "Main navigation"},
	"layout.account": {"Tài khoản", "Account"},
	"layout.footer":  {"Cổng tham gia ý kiến tiếp nhận ý kiến, câu hỏi và góp ý của người dân, doanh nghiệp gửi đến các cơ quan nhà nước.", "The citizen engagement hub takes the feedback, questions and comments of residents and businesses to state agencies."},

	"nav.home":        {"Trang chủ", "Home"},
	"nav.me":          {"Tài khoản của tôi", "My account"},
	"nav.users":       {"Người dùng", "Users"},
	"nav.agencies":    {"Cơ quan", "Agencies"},
	"nav.polls":       {"Thăm dò ý kiến", "Polls"},
	"nav.admin_polls": {"Quản lý thăm dò", "Manage polls"},

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
	"home.poll_all":    {"Xem tất cả cuộc thăm dò", "See all polls"},

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
	"me.polls":    {"Quản lý thăm dò ý kiến của cơ quan", "Manage your agency's polls"},

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

	"polls.title":     {"Thăm dò ý kiến", "Polls"},
	"polls.intro":     {"Cho biết ý kiến của bạn về các vấn đề của tỉnh. Kết quả được cập nhật trực tiếp.", "Give your view on the province's questions. Results update live."},
	"polls.manage":    {"Quản lý thăm dò", "Manage polls"},
	"polls.none":      {"Hiện chưa có cuộc thăm dò ý kiến nào.", "There are no polls yet."},
	"polls.you_voted": {"Bạn đã bình chọn", "You have voted"},

	"poll.heading":            {"Bình chọn và kết quả", "Vote and results"},
	"poll.back":               {"Tất cả cuộc thăm dò", "All polls"},
	"poll.manage":             {"Quản lý cuộc thăm dò này", "Manage this poll"},
	"poll.draft_note":         {"Đây là bản nháp: chỉ người quản lý nhìn thấy và chưa ai bình chọn được.", "This is a draft: only its managers see it and nobody can vote yet."},
	"poll.status.draft":       {"Bản nháp", "Draft"},
	"poll.status.scheduled":   {"Sắp diễn ra", "Scheduled"},
	"poll.status.open":        {"Đang diễn ra", "Open"},
	"poll.status.closed":      {"Đã kết thúc", "Closed"},
	"poll.status.archived":    {"Đã lưu trữ", "Archived"},
	"poll.opens_at":           {"Mở lúc", "Opens"},
	"poll.closes_at":          {"Kết thúc lúc", "Closes"},
	"poll.closed_at":          {"Đã kết thúc lúc", "Closed"},
	"poll.choose_one":         {"Chọn một phương án", "Choose one option"},
	"poll.choose_many":        {"Chọn tối đa %d phương án", "Choose up to %d options"},
	"poll.vote":               {"Bình chọn", "Vote"},
	"poll.voted":              {"Bạn đã bình chọn. Cảm ơn bạn đã cho ý kiến!", "You have voted. Thank you for your view!"},
	"poll.vote_failed":        {"Chưa gửi được phiếu bình chọn. Vui lòng thử lại.", "Your vote could not be sent. Please try again."},
	"poll.members_only":       {"Cuộc thăm dò này chỉ dành cho thành viên.", "This poll is for members only."},
	"poll.login_to_vote":      {"Đăng nhập để bình chọn", "Log in to vote"},
	"poll.hidden.always":      {"Kết quả được công bố cho mọi người.", "The results are shown to everyone."},
	"poll.hidden.after_vote":  {"Kết quả được hiển thị sau khi bạn bình chọn.", "The results are shown once you have voted."},
	"poll.hidden.after_close": {"Kết quả được công bố khi cuộc thăm dò kết thúc.", "The results are published when the poll closes."},
	"poll.hidden.staff":       {"Kết quả chỉ dành cho cơ quan tổ chức thăm dò.", "The results are for the agency running the poll only."},
	"poll.total":              {"Tổng số phiếu:", "Total votes:"},
	"poll.vote_one":           {"phiếu", "vote"},
	"poll.vote_other":         {"phiếu", "votes"},
	"poll.percent_sign":       {" %", "%"},

	"embed.open":       {"Xem trên Cổng tham gia ý kiến", "Open on the citizen engagement hub"},
	"embed.new_window": {"(mở cửa sổ mới)", "(opens in a new window)"},

	"adminpolls.title":        {"Quản lý thăm dò ý kiến", "Manage polls"},
	"adminpolls.back":         {"Tất cả cuộc thăm dò đang quản lý", "All polls you manage"},
	"adminpolls.new":          {"Tạo cuộc thăm dò", "Create a poll"},
	"adminpolls.tabs":         {"Lọc theo trạng thái", "Filter by status"},
	"adminpolls.tab_":         {"Đang diễn ra và đã kết thúc", "Open and closed"},
	"adminpolls.tab_draft":    {"Bản nháp", "Drafts"},
	"adminpolls.tab_archived": {"Đã lưu trữ", "Archived"},
	"adminpolls.question":     {"Câu hỏi", "Question"},
	"adminpolls.status":       {"Trạng thái", "Status"},
	"adminpolls.schedule":     {"Thời gian", "Schedule"},
	"adminpolls.total":        {"Số phiếu", "Votes"},
	"adminpolls.none":         {"Không có cuộc thăm dò nào ở mục này.", "There are no polls here."},

	"adminpoll.actions":          {"Thao tác", "Actions"},
	"adminpoll.edit":             {"Sửa", "Edit"},
	"adminpoll.open":             {"Mở bình chọn", "Open for voting"},
	"adminpoll.close":            {"Kết thúc ngay", "Close now"},
	"adminpoll.close_confirm":    {"Kết thúc cuộc thăm dò ngay bây giờ? Sau đó không ai bình chọn được nữa.", "Close the poll now? Nobody will be able to vote after that."},
	"adminpoll.archive":          {"Lưu trữ", "Archive"},
	"adminpoll.archive_confirm":  {"Lưu trữ cuộc thăm dò? Cuộc thăm dò sẽ không còn hiện trong danh sách công khai.", "Archive the poll? It will no longer be listed publicly."},
	"adminpoll.public":           {"Xem trang công khai", "View the public page"},
	"adminpoll.details":          {"Thông tin", "Details"},
	"adminpoll.choices":          {"Cách chọn", "Choices"},
	"adminpoll.results":          {"Kết quả", "Results"},
	"adminpoll.option":           {"Phương án", "Option"},
	"adminpoll.votes":            {"Số phiếu", "Votes"},
	"adminpoll.imported":         {"Trong đó nhập từ trước", "Of which imported"},
	"adminpoll.percent":          {"Tỷ lệ", "Share"},
	"adminpoll.imported_ballots": {"trong đó %s phiếu nhập từ cuộc thăm dò cũ", "of which %s imported from the earlier poll"},
	"adminpoll.export_csv":       {"Tải kết quả (CSV)", "Download results (CSV)"},
	"adminpoll.export_json":      {"Tải kết quả (JSON)", "Download results (JSON)"},
	"adminpoll.embed":            {"Nhúng vào trang khác", "Embed in another site"},
	"adminpoll.embed_intro":      {"Dán đoạn mã sau vào trang của cổng thông tin để hiện cuộc thăm dò và nhận phiếu ngay trên trang đó:", "Paste this code into a page of the portal to show the poll there and take votes on that page:"},
	"adminpoll.embed_origins":    {"Chỉ các trang thuộc những địa chỉ sau được phép nhúng:", "Only pages of these origins may embed it:"},
	"adminpoll.embed_no_origins": {"Chưa cấu hình địa chỉ nào được phép nhúng (CIVICHUB_ALLOWED_ORIGINS), nên chỉ trang của chính cổng này nhúng được.", "No origin may embed it yet (CIVICHUB_ALLOWED_ORIGINS is empty), so only this site's own pages can."},

	"pollform.new_title":  {"Tạo cuộc thăm dò ý kiến", "Create a poll"},
	"pollform.edit_title": {"Sửa cuộc thăm dò ý kiến", "Edit the poll"},
	"pollform.back_poll":  {"Quay lại cuộc thăm dò", "Back to the poll"},
	"pollform.open_note":  {"Cuộc thăm dò đã mở: câu hỏi, phương án và đối tượng không thể sửa nữa; vẫn có thể đổi thời gian và quyền xem kết quả.", "The poll is open: its question, options and audience can no longer change; its schedule and who sees the results still can."},
	"pollform.schedule":   {"Thời gian", "Schedule"},
	"pollform.no_agency":  {"Không thuộc cơ quan nào", "No agency"},
	"pollform.save":       {"Lưu thay đổi", "Save changes"},
	"pollform.create":     {"Tạo cuộc thăm dò", "Create poll"},

	"field.question_vi": {"Câu hỏi (tiếng Việt)", "Question in Vietnamese"},
	"field.question_en": {"Câu hỏi (tiếng Anh)", "Question in English"},
	"field.options_vi":  {"Các phương án (tiếng Việt)", "Options in Vietnamese"},
	"field.options_en":  {"Các phương án (tiếng Anh)", "Options in English"},
	"field.baseline":    {"Số phiếu nhập từ cuộc thăm dò cũ", "Counts imported from an earlier poll"},
	"field.multiple":    {"Cho phép chọn nhiều phương án", "Allow several choices"},
	"field.max_choices": {"Số phương án được chọn tối đa", "Most options a voter may choose"},
	"field.audience":    {"Ai được bình chọn", "Who may vote"},
	"field.results":     {"Ai được xem kết quả", "Who sees the results"},
	"field.status":      {"Khi lưu", "On saving"},
	"field.opens_at":    {"Thời điểm mở", "Opens at"},
	"field.closes_at":   {"Thời điểm kết thúc", "Closes at"},
	"field.agency_id":   {"Cơ quan tổ chức", "Agency running the poll"},
	"hint.optional":     {"Không bắt buộc.", "Optional."},
	"hint.options_vi":   {"Mỗi dòng một phương án, từ 2 đến 20 phương án.", "One option per line, from 2 to 20 options."},
	"hint.options_en":   {"Không bắt buộc. Mỗi dòng một phương án, cùng thứ tự với tiếng Việt.", "Optional. One option per line, in the same order as the Vietnamese."},
	"hint.multiple":     {"Nếu không chọn, mỗi người chỉ chọn một phương án.", "If unticked, each voter chooses one option."},
	"hint.max_choices":  {"Chỉ dùng khi cho phép chọn nhiều. Để trống: được chọn tất cả.", "Only for several choices. Empty: any number."},
	"hint.status":       {"Bản nháp chỉ người quản lý nhìn thấy; có thể mở sau.", "A draft is seen by its managers only; you can open it later."},
	"hint.schedule":     {"Không bắt buộc. Giờ theo múi giờ %s. Để trống thời điểm mở: mở ngay khi bật; để trống thời điểm kết thúc: mở đến khi kết thúc bằng tay.", "Optional. Times are in the %s time zone. No opening time: it opens as soon as it is opened; no closing time: it stays open until closed by hand."},
	"hint.baseline":     {"Không bắt buộc. Số phiếu mỗi phương án đã có từ cuộc thăm dò cũ, theo đúng thứ tự, ví dụ 1180, 107, 57.", "Optional. Each option's count from an earlier poll, in order, for example 1180, 107, 57."},
	"hint.agency_id":    {"Cơ quan chịu trách nhiệm; cán bộ của cơ quan được quản lý cuộc thăm dò.", "The agency responsible; its staff may manage the poll."},

	"choice.audience.everyone":   {"Mọi người, kể cả khách (mỗi trình duyệt một lần)", "Everyone, guests included (once per browser)"},
	"choice.audience.members":    {"Chỉ thành viên đã đăng nhập", "Logged-in members only"},
	"choice.results.always":      {"Mọi người, ngay từ đầu", "Everyone, from the start"},
	"choice.results.after_vote":  {"Người đã bình chọn", "Those who have voted"},
	"choice.results.after_close": {"Mọi người, sau khi kết thúc", "Everyone, once it closes"},
	"choice.results.staff":       {"Chỉ cơ quan tổ chức", "The agency only"},
	"choice.status.draft":        {"Lưu bản nháp", "Save as a draft"},
	"choice.status.open":         {"Mở bình chọn (hoặc hẹn giờ mở)", "Open for voting (or at the opening time)"},

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
	"notice.voted":          {"Cảm ơn bạn đã bình chọn!", "Thank you for voting!"},
	"notice.poll_created":   {"Đã tạo cuộc thăm dò.", "The poll has been created."},
	"notice.poll_saved":     {"Đã lưu cuộc thăm dò.", "The poll has been saved."},
	"notice.poll_opened":    {"Đã mở cuộc thăm dò.", "The poll is open."},
	"notice.poll_closed":    {"Đã kết thúc cuộc thăm dò.", "The poll is closed."},
	"notice.poll_archived":  {"Đã lưu trữ cuộc thăm dò.", "The poll has been archived."},

	"error.poll_time":        {"Nhập ngày giờ đầy đủ, ví dụ 30/06/2025 17:00.", "Enter a full date and time, for example 30/06/2025 17:00."},
	"error.poll_options_en":  {"Số phương án tiếng Anh phải bằng số phương án tiếng Việt (hoặc để trống).", "Give as many English options as Vietnamese ones (or none)."},
	"error.poll_baseline":    {"Số phiếu nhập phải là các số nguyên không âm.", "Imported counts must be whole numbers, zero or more."},
	"error.poll_max_choices": {"Nhập một số nguyên từ 1 trở lên.", "Enter a whole number, 1 or more."},
}
