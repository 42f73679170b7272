package forum

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/fold"
	"github.com/civichub/civichub/id"
)

// RecordAudit appends an entry for another domain's moderation (the
// Q&A's) to the forum's audit log, the one moderators read.
func (s *Service) RecordAudit(ctx context.Context, actor *accounts.User, action, targetType, targetID, reason, details string) {
	s.audit(ctx, actor, action, targetType, targetID, reason, details)
}

// audit appends an entry to the audit log. A failure is logged loudly: the
// action itself is done.
func (s *Service) audit(ctx context.Context, actor *accounts.User, action, targetType, targetID, reason, details string) {
	e := &AuditEntry{ID: id.New(), ActorID: actor.ID, Action: action, TargetType: targetType, TargetID: targetID,
		Reason: reason, Details: details, At: s.now()}
	if err := s.store.AddAudit(ctx, e); err != nil {
		s.logger.Error("forum: audit log write failed", "action", action, "target", targetID, "by", actor.ID, "err", err)
	}
}

func checkNote(note string) (string, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 500 || !utf8.ValidString(note) {
		return "", apperr.Field("note", "too_long")
	}
	return note, nil
}

// modifyPost applies change to a post with compare-and-set, retrying when
// the post changed meanwhile.
func (s *Service) modifyPost(ctx context.Context, p *Post, change func(*Post)) error {
	for range 5 {
		change(p)
		err := s.store.UpdatePost(ctx, p, nil)
		if !errors.Is(err, ErrStale) {
			return err
		}
		fresh, err := s.store.Post(ctx, p.ID)
		if err != nil {
			return err
		}
		*p = *fresh
	}
	return ErrStale
}

// Hide hides a post with a public reason. Readers see the reason in its
// place; the live event carries only the post id and the reason.
func (s *Service) Hide(ctx context.Context, actor *accounts.User, postID string, reason ReasonCode, note string) (*PostView, error) {
	if err := requireModerator(actor); err != nil {
		return nil, err
	}
	if !slices.Contains(Reasons, reason) {
		return nil, apperr.Field("reason", "invalid_choice")
	}
	note, err := checkNote(note)
	if err != nil {
		return nil, err
	}
	p, t, err := s.post(ctx, actor, postID)
	if err != nil {
		return nil, err
	}
	wasQueued := p.Review == ReviewPending
	if err := s.modifyPost(ctx, p, func(p *Post) { p.Hidden, p.HiddenReason, p.Review = true, reason, NoReview }); err != nil {
		return nil, err
	}
	s.audit(ctx, actor, "post.hide", "post", p.ID, string(reason), note)
	s.publish(ctx, ThreadTopic(t.ID), "post.hidden", hiddenEvent(p))
	if wasQueued {
		s.publish(ctx, QueueTopic, "queue.resolved", map[string]any{"post_id": p.ID, "outcome": "hidden"})
	}
	return s.authors(ctx).view(ctx, p, actor), nil
}

// Restore shows a hidden post again (approving it when it waited for
// review).
func (s *Service) Restore(ctx context.Context, actor *accounts.User, postID, note string) (*PostView, error) {
	if err := requireModerator(actor); err != nil {
		return nil, err
	}
	note, err := checkNote(note)
	if err != nil {
		return nil, err
	}
	p, t, err := s.post(ctx, actor, postID)
	if err != nil {
		return nil, err
	}
	wasQueued := p.Review == ReviewPending
	if err := s.modifyPost(ctx, p, func(p *Post) { p.Hidden, p.HiddenReason, p.Review = false, "", NoReview }); err != nil {
		return nil, err
	}
	s.audit(ctx, actor, "post.restore", "post", p.ID, "", note)
	authors := s.authors(ctx)
	s.publish(ctx, ThreadTopic(t.ID), "post.restored", map[string]any{"post": authors.view(ctx, p, nil)})
	if wasQueued {
		s.publish(ctx, QueueTopic, "queue.resolved", map[string]any{"post_id": p.ID, "outcome": "restored"})
		if p.Number > 1 {
			s.notifyFollowers(ctx, t, p)
		}
	}
	return authors.view(ctx, p, actor), nil
}

// DeletePost soft-deletes a post: it stays in the store (and the audit
// log says who deleted it) but nobody but moderators sees it.
func (s *Service) DeletePost(ctx context.Context, actor *accounts.User, postID, note string) error {
	if err := requireModerator(actor); err != nil {
		return err
	}
	note, err := checkNote(note)
	if err != nil {
		return err
	}
	p, t, err := s.post(ctx, actor, postID)
	if err != nil {
		return err
	}
	wasQueued := p.Review == ReviewPending
	if err := s.modifyPost(ctx, p, func(p *Post) { p.Deleted, p.Review = true, NoReview }); err != nil {
		return err
	}
	s.audit(ctx, actor, "post.delete", "post", p.ID, "", note)
	s.publish(ctx, ThreadTopic(t.ID), "post.deleted", map[string]any{"post_id": p.ID, "number": p.Number})
	if wasQueued {
		s.publish(ctx, QueueTopic, "queue.resolved", map[string]any{"post_id": p.ID, "outcome": "deleted"})
	}
	return nil
}

// ThreadChange is a moderator's change to a thread; nil fields stay.
type ThreadChange struct {
	Locked     *bool   `json:"locked"`
	Pinned     *bool   `json:"pinned"`
	Deleted    *bool   `json:"deleted"`
	CategoryID *string `json:"category_id"`
	Title      *string `json:"title"`
	Note       string  `json:"note"`
}

// ChangeThread locks, unlocks, pins, unpins, moves, renames or
// (soft-)deletes a thread, recording each change in the audit log.
func (s *Service) ChangeThread(ctx context.Context, actor *accounts.User, threadID string, ch ThreadChange) (*Thread, error) {
	if err := requireModerator(actor); err != nil {
		return nil, err
	}
	note, err := checkNote(ch.Note)
	if err != nil {
		return nil, err
	}
	t, err := s.thread(ctx, actor, threadID)
	if err != nil {
		return nil, err
	}
	var actions []string
	set := func(field *bool, v *bool, on, off string) {
		if v != nil && *v != *field {
			*field = *v
			actions = append(actions, map[bool]string{true: on, false: off}[*v])
		}
	}
	set(&t.Locked, ch.Locked, "thread.lock", "thread.unlock")
	set(&t.Pinned, ch.Pinned, "thread.pin", "thread.unpin")
	set(&t.Deleted, ch.Deleted, "thread.delete", "thread.undelete")
	if ch.CategoryID != nil && *ch.CategoryID != t.CategoryID {
		if !id.Valid(*ch.CategoryID) {
			return nil, apperr.Field("category_id", "category_not_found")
		}
		if _, err := s.store.Category(ctx, *ch.CategoryID); errors.Is(err, ErrCategoryNotFound) {
			return nil, apperr.Field("category_id", "category_not_found")
		} else if err != nil {
			return nil, err
		}
		t.CategoryID = *ch.CategoryID
		actions = append(actions, "thread.move")
	}
	if ch.Title != nil {
		title, key := cleanTitle(*ch.Title)
		if key != "" {
			return nil, apperr.Field("title", key)
		}
		if title != t.Title {
			t.Title, t.TitleTokens = title, fold.Tokens(title)
			actions = append(actions, "thread.rename")
		}
	}
	if len(actions) == 0 {
		return t, nil
	}
	if err := s.store.UpdateThread(ctx, t); err != nil {
		return nil, err
	}
	for _, a := range actions {
		s.audit(ctx, actor, a, "thread", t.ID, "", note)
	}
	s.publish(ctx, ThreadTopic(t.ID), "thread.updated", map[string]any{"thread_id": t.ID, "locked": t.Locked,
		"pinned": t.Pinned, "deleted": t.Deleted, "category_id": t.CategoryID, "title": t.Title})
	if t.Deleted {
		if err := s.pub.Revalidate(ctx, ThreadTopic(t.ID)); err != nil {
			s.logger.Warn("forum: revalidate deleted thread", "thread", t.ID, "err", err)
		}
	}
	return t, nil
}

// Suspension is a moderator's suspension of a user: until a time, or a
// ban; Lift ends one.
type Suspension struct {
	Until  *time.Time `json:"until"`
	Ban    bool       `json:"ban"`
	Lift   bool       `json:"lift"`
	Reason string     `json:"reason"`
}

// Suspend suspends, bans or reinstates a user. Their sessions end and their
// sockets close at once, on every node.
func (s *Service) Suspend(ctx context.Context, actor *accounts.User, userID string, in Suspension) (*accounts.User, error) {
	if err := requireModerator(actor); err != nil {
		return nil, err
	}
	reason, err := checkNote(in.Reason)
	if err != nil {
		return nil, apperr.Field("reason", "too_long")
	}
	if reason == "" && !in.Lift {
		return nil, apperr.Field("reason", "required")
	}
	if !id.Valid(userID) {
		return nil, accounts.ErrUserNotFound
	}
	var until *time.Time
	action := "user.suspend"
	switch {
	case in.Lift:
		action = "user.reinstate"
	case in.Ban:
		until, action = &accounts.BanEnd, "user.ban"
	case in.Until != nil:
		until = in.Until
	default:
		return nil, apperr.Field("until", "required")
	}
	u, err := s.suspend.Suspend(ctx, actor, userID, until)
	if err != nil {
		return nil, err
	}
	details := ""
	if until != nil {
		details = "until " + until.UTC().Format(time.RFC3339)
	}
	s.audit(ctx, actor, action, "user", userID, reason, details)
	return u, nil
}

// PutWord adds or changes a watched word.
func (s *Service) PutWord(ctx context.Context, actor *accounts.User, w WatchedWord) (*WatchedWord, error) {
	if err := requireModerator(actor); err != nil {
		return nil, err
	}
	w.Word = strings.TrimSpace(w.Word)
	w.Replacement = strings.TrimSpace(w.Replacement)
	switch {
	case len(fold.Tokens(w.Word)) == 0 || utf8.RuneCountInString(w.Word) > 100:
		return nil, apperr.Field("word", "invalid_input")
	case !slices.Contains([]WordAction{WordBlock, WordReview, WordReplace}, w.Action):
		return nil, apperr.Field("action", "invalid_choice")
	case w.Action == WordReplace && (w.Replacement == "" || utf8.RuneCountInString(w.Replacement) > 100):
		return nil, apperr.Field("replacement", "required")
	}
	if w.Action != WordReplace {
		w.Replacement = ""
	}
	w.ID, w.CreatedAt = id.New(), s.now()
	if err := s.store.PutWord(ctx, &w); err != nil {
		return nil, err
	}
	s.audit(ctx, actor, "word.put", "word", w.ID, "", fmt.Sprintf("%s: %s", w.Action, w.Word))
	return &w, nil
}

// DeleteWord removes a watched word.
func (s *Service) DeleteWord(ctx context.Context, actor *accounts.User, wordID string) error {
	if err := requireModerator(actor); err != nil {
		return err
	}
	if !id.Valid(wordID) {
		return ErrWordNotFound
	}
	if err := s.store.DeleteWord(ctx, wordID); err != nil {
		return err
	}
	s.audit(ctx, actor, "word.delete", "word", wordID, "", "")
	return nil
}

// Words lists the watched words, for moderators.
func (s *Service) Words(ctx context.Context, actor *accounts.User) ([]*WatchedWord, error) {
	if err := requireModerator(actor); err != nil {
		return nil, err
	}
	ws, err := s.store.Words(ctx)
	if ws == nil {
		ws = []*WatchedWord{}
	}
	return ws, err
}

// QueueItem is a post waiting for review, with its flags.
type QueueItem struct {
	Post  *PostView `json:"post"`
	Flags []*Flag   `json:"flags"`
}

// Queue returns the moderation queue, oldest first.
func (s *Service) Queue(ctx context.Context, actor *accounts.User, after string, limit int) ([]*QueueItem, error) {
	if err := requireModerator(actor); err != nil {
		return nil, err
	}
	ps, err := s.store.ReviewQueue(ctx, after, limit)
	if err != nil {
		return nil, err
	}
	authors := s.authors(ctx)
	out := make([]*QueueItem, 0, len(ps))
	for _, p := range ps {
		flags, err := s.store.Flags(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		if flags == nil {
			flags = []*Flag{}
		}
		out = append(out, &QueueItem{Post: authors.view(ctx, p, actor), Flags: flags})
	}
	return out, nil
}

// Audit returns the audit log, newest first, to moderators and admins.
func (s *Service) Audit(ctx context.Context, actor *accounts.User, before string, limit int) ([]*AuditEntry, error) {
	if err := requireModerator(actor); err != nil {
		return nil, err
	}
	es, err := s.store.Audit(ctx, before, limit)
	if es == nil {
		es = []*AuditEntry{}
	}
	return es, err
}
