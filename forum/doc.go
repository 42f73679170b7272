// Package forum will own categories, threads and posts between agencies and
// residents: Markdown sanitized on write, search that ignores Vietnamese
// diacritics, live threads and moderation. It is built under the forum issue;
// until then it holds no code and nothing imports it.
package forum
