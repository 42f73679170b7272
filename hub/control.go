package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// controlTopic carries instructions between the hubs of a cluster. Its name
// is outside the topic grammar, so no client can subscribe to it.
const controlTopic = "$hub:control"

// CloseSessionRevoked is the close code of a socket whose session was
// revoked (logout, suspension, role change). The client reconnects; the new
// socket is authorized with whatever session the browser now has.
const CloseSessionRevoked = 4001

// control is one instruction on the control topic.
type control struct {
	Op     string   `json:"op"` // revalidate, revalidate_user, close_user
	Topics []string `json:"topics,omitempty"`
	User   string   `json:"user,omitempty"`
}

func (h *Hub) sendControl(ctx context.Context, c control) error {
	frame, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if err := h.broker.Publish(ctx, Message{Topic: controlTopic, Kind: KindControl, Frame: frame, Published: time.Now()}); err != nil {
		return fmt.Errorf("hub: %s: broker: %w", c.Op, err)
	}
	h.metrics.published.WithLabelValues("control").Inc()
	return nil
}

// Revalidate asks every node to check each subscription to topics with its
// authorizer again, for a domain whose visibility rules changed (a question
// made private). A subscription now refused ends with an error frame
// carrying the authorizer's code; the socket stays open. It returns once the
// instruction is published; the checks run in the background on each node.
// It fails for a malformed topic or when the broker does.
func (h *Hub) Revalidate(ctx context.Context, topics ...string) error {
	for _, t := range topics {
		if _, err := parseTopic(t); err != nil {
			return fmt.Errorf("hub: revalidate %q: %w", t, err)
		}
	}
	return h.sendControl(ctx, control{Op: "revalidate", Topics: topics})
}

// RevalidateUser asks every node to check each subscription of userID's
// sockets again, for a change the authorizers see in the store (a staff
// member removed from an agency) while the user's role is unchanged.
// Otherwise as Revalidate.
func (h *Hub) RevalidateUser(ctx context.Context, userID string) error {
	return h.sendControl(ctx, control{Op: "revalidate_user", User: userID})
}

// CloseUserSessions asks every node to close userID's sockets with close
// code CloseSessionRevoked, for a revoked session or changed rights (logout,
// suspension, role change): the principal of a socket is fixed when it
// opens, so it must reconnect. It returns once the instruction is
// published; each node closes the sockets at once.
func (h *Hub) CloseUserSessions(ctx context.Context, userID string) error {
	return h.sendControl(ctx, control{Op: "close_user", User: userID})
}

// handleControl runs an instruction from any node, this one included.
func (h *Hub) handleControl(m Message) {
	var c control
	if err := json.Unmarshal(m.Frame, &c); err != nil {
		h.logger.Error("hub: bad control message", "err", err)
		return
	}
	switch c.Op {
	case "close_user":
		for _, cn := range h.revokeUser(c.User) {
			cn.closeWith(CloseSessionRevoked, "session_revoked")
		}
	case "revalidate":
		h.goTask(func(ctx context.Context) {
			for _, t := range c.Topics {
				for cn := range h.subscribers(t) {
					cn.recheck(ctx, t)
				}
			}
		})
	case "revalidate_user":
		h.goTask(func(ctx context.Context) {
			for _, cn := range h.userConns(c.User) {
				cn.mu.Lock()
				topics := make([]string, 0, len(cn.subs))
				for _, s := range cn.subs {
					if s.joined {
						topics = append(topics, s.topic)
					}
				}
				cn.mu.Unlock()
				for _, t := range topics {
					cn.recheck(ctx, t)
				}
			}
		})
	default:
		h.logger.Warn("hub: unknown control op", "op", c.Op)
	}
}

// recheck authorizes c's subscription to topic again and ends it if refused.
func (c *conn) recheck(ctx context.Context, topic string) {
	if err := c.hub.authorize(ctx, c.principal, topic); err != nil {
		if ctx.Err() != nil {
			return
		}
		c.endSub(topic, err)
	}
}
