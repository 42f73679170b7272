package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/fold"
	"github.com/civichub/civichub/forum"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/markup"
	"github.com/civichub/civichub/polls"
	"github.com/civichub/civichub/qa"
)

// demoAgencies and demoUsers are the demo content, in Vietnamese and English.
var demoAgencies = []accounts.NewAgency{
	{Slug: "so-thong-tin-va-truyen-thong", Name: i18n.Text{VI: "Sở Thông tin và Truyền thông", EN: "Department of Information and Communications"}},
	{Slug: "so-xay-dung", Name: i18n.Text{VI: "Sở Xây dựng", EN: "Department of Construction"}},
	{Slug: "so-tai-nguyen-va-moi-truong", Name: i18n.Text{VI: "Sở Tài nguyên và Môi trường", EN: "Department of Natural Resources and Environment"}},
	{Slug: "ubnd-thanh-pho", Name: i18n.Text{VI: "Ủy ban nhân dân thành phố", EN: "City People's Committee"}},
}

type demoUser struct {
	email, name string
	role        accounts.Role
	agency      string // slug of the agency the user is staff of
	title       string
}

var demoUsers = []demoUser{
	{email: "admin@demo.civichub.vn", name: "Quản trị viên", role: accounts.Admin},
	{email: "moderator@demo.civichub.vn", name: "Trần Thị Kiểm Duyệt", role: accounts.Moderator},
	{email: "staff@demo.civichub.vn", name: "Lê Văn Cán Bộ", role: accounts.Resident, agency: "so-xay-dung", title: "Chuyên viên Phòng Quản lý xây dựng"},
	{email: "resident@demo.civichub.vn", name: "Nguyễn Văn Dân", role: accounts.Resident},
}

// demoCredentialsFile keeps the generated demo passwords in the data folder,
// readable by the operator only, so later starts can show them again.
const demoCredentialsFile = "demo-credentials.txt"

// loadDemo creates the demo agencies and users unless they exist, and prints
// the demo accounts' credentials to out. Passwords are random per
// installation, never fixed strings that could open a real site.
func loadDemo(ctx context.Context, a *app, out io.Writer) error {
	path := filepath.Join(a.cfg.DataDir, demoCredentialsFile)
	if _, err := a.accounts.Store().UserByEmail(ctx, demoUsers[0].email); err == nil {
		creds, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(out, "Demo content is already loaded; its credentials file %s cannot be read.\n", path)
			return nil
		}
		fmt.Fprintf(out, "Demo content is already loaded. Demo accounts (from %s):\n%s", path, creds)
		return loadDemoForum(ctx, a)
	} else if !errors.Is(err, accounts.ErrUserNotFound) {
		return err
	}
	for _, in := range demoAgencies {
		if _, err := a.accounts.CreateAgency(ctx, accounts.System, in); err != nil && !errors.Is(err, accounts.ErrSlugTaken) {
			return err
		}
	}
	if err := loadDemoPoll(ctx, a); err != nil {
		return err
	}
	var creds strings.Builder
	// The first user (the admin) is created last: its presence marks the
	// demo content as complete.
	for i := len(demoUsers) - 1; i >= 0; i-- {
		du := demoUsers[i]
		password := rand.Text()[:16]
		u, err := a.accounts.CreateUser(ctx, accounts.System, accounts.NewUser{Email: du.email, Password: password, Name: du.name, Role: du.role})
		if errors.Is(err, accounts.ErrEmailTaken) {
			continue // left from an interrupted load; its password is unknown
		} else if err != nil {
			return err
		}
		if du.agency != "" {
			ag, err := a.accounts.Store().AgencyBySlug(ctx, du.agency)
			if err != nil {
				return err
			}
			if _, err := a.accounts.AddStaff(ctx, accounts.System, ag.ID, u.ID, du.title); err != nil {
				return err
			}
		}
		role := string(du.role)
		if du.agency != "" {
			role += ", staff of " + du.agency
		}
		fmt.Fprintf(&creds, "  %-28s %-18s %s\n", du.email, password, role)
	}
	if err := loadDemoForum(ctx, a); err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(creds.String()), 0o600); err != nil {
		a.logger.Warn("cannot save demo credentials", "path", path, "err", err)
	}
	fmt.Fprintf(out, "Demo content loaded. Log in at %s/login with one of these demo accounts:\n%s", a.cfg.Origin(), creds.String())
	return nil
}

// loadDemoPoll opens the portal's own poll, with the counts its legacy
// poll had, unless a poll exists.
func loadDemoPoll(ctx context.Context, a *app) error {
	existing, err := a.store.polls.PollsWithStatus(ctx, polls.Open, polls.Closed)
	if err != nil || len(existing) > 0 {
		return err
	}
	ag, err := a.accounts.Store().AgencyBySlug(ctx, demoAgencies[0].Slug)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	p := &polls.Poll{ID: id.New(), Question: i18n.Text{
		VI: "Ý kiến của bạn về Trang thông tin điện tử của tỉnh?",
		EN: "What do you think of the province's web portal?"},
		MaxChoices: 1, Audience: polls.Everyone, Results: polls.Always, Status: polls.Open,
		AgencyID: ag.ID, BaselineBallots: 1344, CreatedBy: "demo", CreatedAt: now, UpdatedAt: now}
	for i, o := range []i18n.Text{
		{VI: "Đạt yêu cầu", EN: "Satisfactory"},
		{VI: "Chưa đạt yêu cầu", EN: "Not satisfactory"},
		{VI: "Cần thêm chủ đề", EN: "Needs more topics"},
	} {
		p.Options = append(p.Options, polls.Option{ID: id.New(), Text: o, Baseline: []int64{1180, 107, 57}[i]})
	}
	return a.store.polls.CreatePoll(ctx, p)
}

// loadDemoForum adds two categories (one answered by Sở Xây dựng) and a
// thread in which a resident asks and the agency's staff member answers,
// unless the forum has categories.
func loadDemoForum(ctx context.Context, a *app) error {
	fs := a.store.forum
	if cs, err := fs.Categories(ctx); err != nil || len(cs) > 0 {
		return err
	}
	ag, err := a.accounts.Store().AgencyBySlug(ctx, "so-xay-dung")
	if err != nil {
		return err
	}
	resident, err := a.accounts.Store().UserByEmail(ctx, "resident@demo.civichub.vn")
	if err != nil {
		return err
	}
	staff, err := a.accounts.Store().UserByEmail(ctx, "staff@demo.civichub.vn")
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	general := &forum.Category{ID: id.New(), Slug: "gop-y-chung", Position: 1, CreatedAt: now,
		Name:        i18n.Text{VI: "Góp ý chung", EN: "General feedback"},
		Description: i18n.Text{VI: "Ý kiến của người dân về các vấn đề chung của tỉnh.", EN: "Residents' views on the province's affairs."}}
	building := &forum.Category{ID: id.New(), Slug: "hoi-dap-xay-dung", Position: 2, AgencyID: ag.ID, CreatedAt: now,
		Name:        i18n.Text{VI: "Hỏi đáp Sở Xây dựng", EN: "Ask the Department of Construction"},
		Description: i18n.Text{VI: "Cán bộ Sở Xây dựng trả lời về cấp phép, quy hoạch và nhà ở.", EN: "Staff answer on permits, planning and housing."}}
	for _, c := range []*forum.Category{general, building} {
		if err := fs.CreateCategory(ctx, c); err != nil {
			return err
		}
	}
	post := func(author *accounts.User, body string, at time.Time, agencyID, title string) (*forum.Post, error) {
		html, err := markup.Render(body)
		if err != nil {
			return nil, err
		}
		return &forum.Post{ID: id.New(), AuthorID: author.ID, Body: body, BodyHTML: html, Sanitizer: markup.Version,
			CreatedAt: at, Tokens: fold.Tokens(body), AgencyID: agencyID, StaffTitle: title}, nil
	}
	title := "Thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ"
	t := &forum.Thread{ID: id.New(), CategoryID: building.ID, Title: title, AuthorID: resident.ID,
		CreatedAt: now.Add(-time.Hour), TitleTokens: fold.Tokens(title)}
	q, err := post(resident, "Gia đình tôi muốn xây nhà 3 tầng trên đất ở tại phường Hải Châu. Xin hỏi cần chuẩn bị **những giấy tờ gì** và nộp ở đâu?", t.CreatedAt, "", "")
	if err != nil {
		return err
	}
	if err := fs.CreateThread(ctx, t, q); err != nil {
		return err
	}
	answer, err := post(staff, "Chào anh/chị,\n\nHồ sơ gồm:\n\n1. Đơn đề nghị cấp giấy phép xây dựng;\n2. Bản sao giấy chứng nhận quyền sử dụng đất;\n3. Hai bộ bản vẽ thiết kế.\n\nAnh/chị có thể nộp trực tuyến trên Cổng dịch vụ công của tỉnh.",
		now.Add(-30*time.Minute), ag.ID, "Chuyên viên Phòng Quản lý xây dựng")
	if err != nil {
		return err
	}
	answer.ThreadID = t.ID
	return fs.AddPost(ctx, answer)
}

// loadDemoQA asks Sở Xây dựng three questions through the Q&A service,
// unless questions exist: one answered (public), one accepted and waiting
// for its answer (public), and one private question, only submitted.
func loadDemoQA(ctx context.Context, a *app) error {
	if qs, err := a.store.qa.Questions(ctx, qa.Query{Limit: 1}); err != nil || len(qs) > 0 {
		return err
	}
	st := a.accounts.Store()
	ag, err := st.AgencyBySlug(ctx, "so-xay-dung")
	if err != nil {
		return err
	}
	resident, err := st.UserByEmail(ctx, "resident@demo.civichub.vn")
	if err != nil {
		return err
	}
	staff, err := st.UserByEmail(ctx, "staff@demo.civichub.vn")
	if err != nil {
		return err
	}
	answered, err := a.qa.Ask(ctx, resident, qa.NewQuestion{AgencyID: ag.ID, Field: "Cấp phép xây dựng",
		Title: "Xây nhà ở riêng lẻ 3 tầng có cần giấy phép xây dựng không?",
		Body:  "Gia đình tôi có mảnh đất 80 m² tại phường Hải Châu, muốn xây nhà 3 tầng để ở. Xin hỏi có phải xin **giấy phép xây dựng** không, và thời gian giải quyết là bao lâu?"})
	if err != nil {
		return err
	}
	if _, err := a.qa.ChangeStatus(ctx, staff, answered.ID, qa.StatusChange{Status: qa.Accepted}); err != nil {
		return err
	}
	if _, _, err := a.qa.Answer(ctx, staff, answered.ID, "Chào anh/chị,\n\nNhà ở riêng lẻ tại đô thị phải có giấy phép xây dựng (trừ các trường hợp được miễn theo Luật Xây dựng). Hồ sơ gồm:\n\n1. Đơn đề nghị cấp giấy phép xây dựng;\n2. Bản sao giấy tờ chứng minh quyền sử dụng đất;\n3. Hai bộ bản vẽ thiết kế.\n\nThời hạn giải quyết là **15 ngày** kể từ khi nhận đủ hồ sơ hợp lệ. Anh/chị có thể nộp trực tuyến trên Cổng dịch vụ công của tỉnh."); err != nil {
		return err
	}
	waiting, err := a.qa.Ask(ctx, resident, qa.NewQuestion{AgencyID: ag.ID, Field: "Quy hoạch",
		Title: "Tra cứu thông tin quy hoạch của thửa đất ở đâu?",
		Body:  "Tôi muốn biết thửa đất số 125, tờ bản đồ số 12 ở phường Thạch Thang có nằm trong quy hoạch mở rộng đường không. Tôi có thể tra cứu ở đâu?"})
	if err != nil {
		return err
	}
	if _, err := a.qa.ChangeStatus(ctx, staff, waiting.ID, qa.StatusChange{Status: qa.Accepted}); err != nil {
		return err
	}
	_, err = a.qa.Ask(ctx, resident, qa.NewQuestion{AgencyID: ag.ID, Private: true, Field: "Trật tự xây dựng",
		Title:   "Công trình bên cạnh nhà tôi xây lấn ranh giới",
		Body:    "Công trình bên cạnh nhà tôi đang xây lấn sang phần đất của gia đình khoảng 20 cm. Tôi cần làm gì để được giải quyết?",
		Contact: &qa.Contact{Name: "Nguyễn Văn Dân", Phone: "0905 123 456"}})
	return err
}
