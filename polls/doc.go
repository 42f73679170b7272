// Package polls will own polls: questions and options in Vietnamese and
// English, one vote per person enforced by the store, live coalesced results,
// and exports. It is built under the polls issue; until then it holds no code
// and nothing imports it.
package polls
