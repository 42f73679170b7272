package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/polls"
	"github.com/civichub/civichub/qa"
	"github.com/civichub/civichub/visitors"
)

// adminCommand is one `civichub admin` subcommand. It runs against the
// configured store, so it works while servers run: they read users, roles and
// staff from the store on every request.
type adminCommand struct {
	help  string
	flags func(fs *flag.FlagSet) func(ctx context.Context, a *app, out io.Writer) error
}

var adminCommands = map[string]adminCommand{
	"create-user": {"create a user: --email E --password P --name N [--role resident|moderator|admin]", func(fs *flag.FlagSet) func(context.Context, *app, io.Writer) error {
		email := fs.String("email", "", "email address")
		password := fs.String("password", "", "password (8 to 128 characters)")
		name := fs.String("name", "", "display name")
		role := fs.String("role", "resident", "resident, moderator or admin")
		return func(ctx context.Context, a *app, out io.Writer) error {
			u, err := a.accounts.CreateUser(ctx, accounts.System, accounts.NewUser{Email: *email, Password: *password, Name: *name, Role: accounts.Role(*role)})
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "created user %s <%s> role %s\n", u.ID, u.Email, u.Role)
			return nil
		}
	}},
	"set-role": {"set a user's role: --email E --role resident|moderator|admin", func(fs *flag.FlagSet) func(context.Context, *app, io.Writer) error {
		email := fs.String("email", "", "the user's email (or --user ID)")
		user := fs.String("user", "", "the user's ID")
		role := fs.String("role", "", "resident, moderator or admin")
		return func(ctx context.Context, a *app, out io.Writer) error {
			u, err := findUser(ctx, a, *email, *user)
			if err != nil {
				return err
			}
			if u, err = a.accounts.SetRole(ctx, accounts.System, u.ID, accounts.Role(*role)); err != nil {
				return err
			}
			fmt.Fprintf(out, "user %s <%s> is now %s\n", u.ID, u.Email, u.Role)
			return nil
		}
	}},
	"create-agency": {"create an agency: --slug S --name-vi V [--name-en E]", func(fs *flag.FlagSet) func(context.Context, *app, io.Writer) error {
		slug := fs.String("slug", "", "URL name, such as so-xay-dung")
		vi := fs.String("name-vi", "", "Vietnamese name, such as Sở Xây dựng")
		en := fs.String("name-en", "", "English name (optional)")
		return func(ctx context.Context, a *app, out io.Writer) error {
			ag, err := a.accounts.CreateAgency(ctx, accounts.System, accounts.NewAgency{Slug: *slug, Name: i18n.Text{VI: *vi, EN: *en}})
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "created agency %s (%s) %s\n", ag.ID, ag.Slug, ag.Name.VI)
			return nil
		}
	}},
	"add-staff": {"add a user to an agency's staff: --agency SLUG|ID --email E --title T", func(fs *flag.FlagSet) func(context.Context, *app, io.Writer) error {
		agency := fs.String("agency", "", "agency slug or ID")
		email := fs.String("email", "", "the user's email (or --user ID)")
		user := fs.String("user", "", "the user's ID")
		title := fs.String("title", "", "job title, such as Chuyên viên Phòng Quản lý xây dựng")
		return func(ctx context.Context, a *app, out io.Writer) error {
			ag, u, err := findStaff(ctx, a, *agency, *email, *user)
			if err != nil {
				return err
			}
			if _, err := a.accounts.AddStaff(ctx, accounts.System, ag.ID, u.ID, *title); err != nil {
				return err
			}
			fmt.Fprintf(out, "%s <%s> is staff of %s: %s\n", u.Name, u.Email, ag.Slug, strings.TrimSpace(*title))
			return nil
		}
	}},
	"remove-staff": {"remove a user from an agency's staff: --agency SLUG|ID --email E", func(fs *flag.FlagSet) func(context.Context, *app, io.Writer) error {
		agency := fs.String("agency", "", "agency slug or ID")
		email := fs.String("email", "", "the user's email (or --user ID)")
		user := fs.String("user", "", "the user's ID")
		return func(ctx context.Context, a *app, out io.Writer) error {
			ag, u, err := findStaff(ctx, a, *agency, *email, *user)
			if err != nil {
				return err
			}
			if err := a.accounts.RemoveStaff(ctx, accounts.System, ag.ID, u.ID); err != nil {
				return err
			}
			fmt.Fprintf(out, "%s <%s> is no longer staff of %s\n", u.Name, u.Email, ag.Slug)
			return nil
		}
	}},
	"set-answer-days": {"set the working days an agency has to answer a question: --agency SLUG|ID --days N", func(fs *flag.FlagSet) func(context.Context, *app, io.Writer) error {
		agency := fs.String("agency", "", "agency slug or ID")
		days := fs.Int("days", 0, "working days, from 1 to 60")
		return func(ctx context.Context, a *app, out io.Writer) error {
			ag, err := findAgency(ctx, a, *agency)
			if err != nil {
				return err
			}
			if *days < 1 || *days > qa.MaxAnswerDay {
				return fmt.Errorf("--days: want a whole number from 1 to %d", qa.MaxAnswerDay)
			}
			// Deadlines already running keep theirs; the next acceptance
			// or forward uses the new number.
			if err := a.store.qa.SetAnswerDays(ctx, ag.ID, *days); err != nil {
				return err
			}
			fmt.Fprintf(out, "%s answers within %d working days\n", ag.Slug, *days)
			return nil
		}
	}},
	"set-visits": {"seed the total visit counter from a legacy counter: set-visits N", func(fs *flag.FlagSet) func(context.Context, *app, io.Writer) error {
		return func(ctx context.Context, a *app, out io.Writer) error {
			if fs.NArg() != 1 {
				return errors.New("usage: civichub admin set-visits N")
			}
			n, err := strconv.ParseInt(fs.Arg(0), 10, 64)
			if err != nil || n < 0 {
				return fmt.Errorf("set-visits: %q is not a whole number of visits", fs.Arg(0))
			}
			var live visitors.Counter
			if a.redis != nil {
				live = a.visits // running nodes share it and see the new total at once
			}
			if err := visitors.SetVisitsTotal(ctx, a.store.visitors, live, n); err != nil {
				return err
			}
			fmt.Fprintf(out, "visits_total set to %d\n", n)
			return nil
		}
	}},
	"rebuild-tallies": {"recount every poll's tallies from its stored ballots (also done at every start)", func(fs *flag.FlagSet) func(context.Context, *app, io.Writer) error {
		return func(ctx context.Context, a *app, out io.Writer) error {
			if fs.NArg() != 0 {
				return errors.New("usage: civichub admin rebuild-tallies")
			}
			n, err := polls.RebuildAll(ctx, a.store.polls)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "tallies of %d polls rebuilt from their ballots\n", n)
			return nil
		}
	}},
}

func findUser(ctx context.Context, a *app, email, userID string) (*accounts.User, error) {
	if userID != "" {
		return a.accounts.User(ctx, accounts.System, userID)
	}
	if email == "" {
		return nil, errors.New("--email or --user is required")
	}
	return a.accounts.UserByEmail(ctx, accounts.System, email)
}

// findStaff finds the agency and the user a staff command names.
func findStaff(ctx context.Context, a *app, agency, email, userID string) (*accounts.Agency, *accounts.User, error) {
	ag, err := findAgency(ctx, a, agency)
	if err != nil {
		return nil, nil, err
	}
	u, err := findUser(ctx, a, email, userID)
	if err != nil {
		return nil, nil, err
	}
	return ag, u, nil
}

func findAgency(ctx context.Context, a *app, ref string) (*accounts.Agency, error) {
	if ref == "" {
		return nil, errors.New("--agency is required")
	}
	if id.Valid(ref) {
		return a.accounts.Agency(ctx, ref)
	}
	return a.accounts.Store().AgencyBySlug(ctx, ref)
}

func adminUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: civichub admin <command> [flags]\n\nCommands:")
	names := make([]string, 0, len(adminCommands))
	for n := range adminCommands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-14s %s\n", n, adminCommands[n].help)
	}
	fmt.Fprintln(w, "\nThe store is chosen as for serve (CIVICHUB_DATA_DIR, CIVICHUB_MONGO_URI, or their flags).")
}

func admin(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		adminUsage(stdout)
		return nil
	}
	cmd, ok := adminCommands[args[0]]
	if !ok {
		adminUsage(stderr)
		return fmt.Errorf("unknown admin command %q", args[0])
	}
	fs := flag.NewFlagSet("civichub admin "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	do := cmd.flags(fs)
	cfg, err := loadConfig(fs, args[1:], getenv)
	if err != nil {
		return err
	}
	a, err := newApp(ctx, cfg, newLogger(cfg, io.Discard))
	if err != nil {
		return err
	}
	defer a.close()
	if err := do(ctx, a, stdout); err != nil {
		return describe(err)
	}
	return nil
}

// describe turns a coded error into the English message an operator reads.
func describe(err error) error {
	e := apperr.As(err)
	if e.Code == apperr.Internal {
		return err
	}
	msg := i18n.T(i18n.EN, e.Key)
	for f, k := range e.Fields {
		msg += fmt.Sprintf(" --%s: %s", f, i18n.T(i18n.EN, k))
	}
	return errors.New(msg)
}
