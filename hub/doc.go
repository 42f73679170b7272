// Package hub owns civichub's WebSocket connections, topics, subscriptions
// and fan-out, and the bus between nodes. It knows nothing about polls or
// posts: it moves versioned payloads that domains hand it. The wire protocol
// (Protocol v1) is documented in docs/protocol.md.
//
// # Data flow
//
//	domain service ──Publish(ctx, topic, type, data)──▶ History.Append (epoch, seq)
//	               ──Changed(topic)──▶ coalescer ──SnapshotFunc──▶ VersionSource.Next
//	                                        │
//	                          one encoded frame per message
//	                                        ▼
//	                       Broker.Publish ──▶ every node subscribed to the topic
//	                                        ▼
//	        Hub.handleMessage: one websocket.PreparedMessage per node, queued on
//	        each local subscriber's bounded send queue (never blocking)
//	                                        ▼
//	        shared writer goroutines drain the queues to the sockets
//
// A node holds one broker subscription per topic however many of its sockets
// subscribe (the broker reference-counts it). A socket whose send queue is
// full is a slow client: it is cut at once and delays no one.
//
// # Publishing contract for domains
//
// Domains never import this package's internals. Each declares the small
// interface it needs, and main passes the *Hub:
//
//	type Publisher interface { // forum, Q&A, moderation
//		Publish(ctx context.Context, topic, eventType string, data any) error
//	}
//	type Notifier interface { // polls, visitors
//		Changed(topic string)
//	}
//
// Event topics (thread:{id}, question:{id}, agency:{id}, mod:queue,
// feed:answers, user:{id}) carry events. Call Publish after the durable store
// has the change; the hub assigns the topic's epoch and next sequence
// number, keeps the event in a bounded history so a reconnecting client can
// be given what it missed (or told to reload), and fans it out on every node.
// data is encoded once with encoding/json and must be the same for every
// subscriber: ids and numbers, or both languages, never one reader's view.
// Where audiences must see different things, publish to different topics.
//
// Latest-state topics (site:online, poll:{id}, poll:{id}:count) carry full
// snapshots. Call Changed(topic) after every change; it returns at once. The
// coalescer calls the SnapshotFunc registered for the topic's prefix
// (Hub.Snapshot) and publishes at most one snapshot per interval per topic,
// the first change after a quiet interval at once. Versions come from a
// VersionSource and rise across the cluster, so a client keeps the newest.
// A new subscriber gets the current snapshot immediately.
//
// Every topic a client may read needs an Authorizer registered for its
// prefix (Hub.Authorize); a topic with none does not exist for clients.
// When visibility or rights change, call Revalidate (a topic's rules
// changed), RevalidateUser (a user's memberships changed) or
// CloseUserSessions (a session was revoked or a role changed): they reach
// every node through the broker.
//
// # Memory per connection
//
// A socket costs one goroutine, its reader, started after the upgrade so
// the HTTP server's goroutine returns; it only blocks in a Peek on the
// socket's 288-byte read buffer and hands what arrives to a short-lived
// goroutine, so its stack stays at the 2 KiB minimum. There is no writer
// goroutine per socket: a fixed pool of writers drains the send queues, and
// write buffers come from a shared pool only while a frame is written. Pings
// go out to one slice of the sockets at a time, spread over the interval,
// and ride on a broadcast frame when one comes soon enough (ping.go). The metrics
// civichub_hub_goroutines_per_connection and
// civichub_hub_stack_bytes_per_connection keep this visible.
//
// # Cluster
//
// One node needs nothing else: MemoryBroker, MemoryHistory, MemoryVersions
// and MemoryPresence are the defaults. Several nodes share one Redis:
// RedisBroker (pub/sub, one subscription per topic per node), RedisHistory
// (which also appends and publishes each event in one atomic step, keeping a
// topic's events in order across nodes), RedisVersions and RedisPresence
// (each node sends its visitor changes and heartbeat once a second). After a
// Redis outage the broker resubscribes and the hub brings every subscriber
// up to date: replay, reload or a fresh snapshot.
//
// # Lifecycle
//
// New starts the writers, the pinger and the broker; Shutdown stops
// accepting, sends close 1001 to every socket, waits for them to drain, and
// stops every goroutine the hub started.
package hub
