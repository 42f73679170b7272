// Package hub will own civichub's WebSocket connections, topics,
// subscriptions, fan-out, presence and the cross-node bus (in-process, or Redis
// pub/sub). It knows nothing about polls or posts: domains publish versioned
// payloads through small interfaces they declare, and main wires the hub in.
//
// The package is being built under the real-time hub issue; until then it
// holds no code and nothing imports it.
package hub
