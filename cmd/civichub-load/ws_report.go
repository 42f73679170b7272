package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

const kib = 1024.0

// rssPerConn is the server's RSS growth per held connection, in KiB.
func (r *wsRun) rssPerConn() float64 {
	if r.Held == 0 || r.RSSHeld == 0 {
		return 0
	}
	return float64(r.RSSHeld-r.RSSBefore) / float64(r.Held) / kib
}

// metricPerConn is the growth of a /metrics gauge per held connection.
func (r *wsRun) metricPerConn(name string) (float64, bool) {
	a, okA := r.MetricsBefore[name]
	b, okB := r.Metrics[name]
	if !okA || !okB || r.Held == 0 {
		return 0, false
	}
	return (b - a) / float64(r.Held), true
}

// deliveriesPerCPU is deliveries per second of server CPU over the whole
// broadcast window (pings, GC and idle time included).
func (r *wsRun) deliveriesPerCPU() float64 {
	if r.ServerCPU <= 0 {
		return 0
	}
	return float64(r.Delivered) / r.ServerCPU
}

// msgPerCPU is the median over messages of deliveries per server
// CPU-second between one publish and the next.
func (r *wsRun) msgPerCPU() float64 {
	var xs []float64
	for k, c := range r.MsgCPU {
		if c > 0 && k < len(r.Got) {
			xs = append(xs, float64(r.Got[k])/c)
		}
	}
	return median(xs)
}

// rate is the median over messages of deliveries per second from the
// publish to the message's last delivery.
func (r *wsRun) rate() float64 {
	var xs []float64
	i := 0
	for k := range r.Got {
		if r.Got[k] == 0 {
			continue
		}
		if d := r.Last[i].Seconds(); d > 0 {
			xs = append(xs, float64(r.Got[k])/d)
		}
		i++
	}
	return median(xs)
}

// fullyDelivered counts messages that reached every held client.
func (r *wsRun) fullyDelivered() int {
	n := 0
	for _, g := range r.Got {
		if g >= int64(r.Held) {
			n++
		}
	}
	return n
}

// histPercentile is the p-th percentile of the per-delivery latencies.
func histPercentile(h map[int]int64, p float64) time.Duration {
	var total int64
	keys := make([]int, 0, len(h))
	for ms, c := range h {
		keys = append(keys, ms)
		total += c
	}
	slices.Sort(keys)
	want := int64(p/100*float64(total) + 0.5)
	var seen int64
	for _, ms := range keys {
		if seen += h[ms]; seen >= max(want, 1) {
			return time.Duration(ms) * time.Millisecond
		}
	}
	return 0
}

func ms(d time.Duration) string { return fmt.Sprintf("%d ms", d.Milliseconds()) }

func (r *wsRun) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d/%d connections held (%d dial failures, %d subscribe errors), connected in %.1f s; ",
		r.Held, r.Conns, r.Failed, r.SubErrors, r.ConnectTime.Seconds())
	fmt.Fprintf(&b, "server RSS %.1f → %.1f MiB = %.2f KiB/conn (after broadcast %.1f MiB, peak %.1f MiB)",
		float64(r.RSSBefore)/(1<<20), float64(r.RSSHeld)/(1<<20), r.rssPerConn(),
		float64(r.RSSAfter)/(1<<20), float64(r.RSSPeak)/(1<<20))
	if g, ok := r.Metrics["civichub_hub_goroutines_per_connection"]; ok {
		fmt.Fprintf(&b, "; goroutines/conn %.2f, stack %.2f KiB/conn", g, r.Metrics["civichub_hub_stack_bytes_per_connection"]/kib)
	}
	if h, ok := r.metricPerConn("go_memstats_heap_inuse_bytes"); ok {
		fmt.Fprintf(&b, ", heap in use +%.2f KiB/conn", h/kib)
	}
	fmt.Fprintf(&b, "\n       %d messages, %d reached every client; publish to last delivery p50 %s p99 %s (first delivery p50 %s); per delivery p50 %s p99 %s",
		len(r.Published), r.fullyDelivered(), ms(percentile(r.Last, 50)), ms(percentile(r.Last, 99)),
		ms(percentile(r.First, 50)), ms(histPercentile(r.Hist, 50)), ms(histPercentile(r.Hist, 99)))
	fmt.Fprintf(&b, "\n       %d deliveries, %.0f/s while broadcasting; server CPU %.2f s → %.0f deliveries per CPU-s (per message median %.0f); load tool CPU %.2f s over %.1f s",
		r.Delivered, r.rate(), r.ServerCPU, r.deliveriesPerCPU(), r.msgPerCPU(), r.ToolCPU, r.Window.Seconds())
	fmt.Fprintf(&b, "\n       %d snapshots received, %d sockets lost, %d open at the end", r.Snapshots, r.Lost, r.Open)
	if r.CloseDrain >= 0 {
		fmt.Fprintf(&b, "; server at 0 connections %s after the close", ms(r.CloseDrain))
	} else if r.Metrics != nil {
		b.WriteString("; server NOT at 0 connections 15 s after the close")
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(&b, "\n       first errors: %s", strings.Join(first(r.Errors, 5), " | "))
	}
	return b.String()
}

// summarizeWS reports the medians over runs, and the latency percentiles
// over every message of every run.
func summarizeWS(o wsOptions, runs []*wsRun) string {
	col := func(f func(*wsRun) float64) float64 {
		xs := make([]float64, len(runs))
		for i, r := range runs {
			xs[i] = f(r)
		}
		return median(xs)
	}
	var last []time.Duration
	hist := map[int]int64{}
	for _, r := range runs {
		last = append(last, r.Last...)
		for k, v := range r.Hist {
			hist[k] += v
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "summary over %d runs (medians of the runs), %d clients over %d worker processes and %d source addresses, each subscribed to %s and %s:\n",
		len(runs), o.conns, (o.conns+o.perWorker-1)/o.perWorker, (o.conns+o.perIP-1)/o.perIP, strings.Join(o.topics, ", "), o.broadcast)
	fmt.Fprintf(&b, "  connections held %.0f; server RSS %.2f KiB/conn", col(func(r *wsRun) float64 { return float64(r.Held) }), col((*wsRun).rssPerConn))
	if _, ok := runs[0].Metrics["civichub_hub_goroutines_per_connection"]; ok {
		fmt.Fprintf(&b, "; goroutines/conn %.2f; stack %.2f KiB/conn",
			col(func(r *wsRun) float64 { return r.Metrics["civichub_hub_goroutines_per_connection"] }),
			col(func(r *wsRun) float64 { return r.Metrics["civichub_hub_stack_bytes_per_connection"] / kib }))
	}
	fmt.Fprintf(&b, "\n  publish to last delivery: run medians p50 %s p99 %s; over all %d messages p50 %s p99 %s; per delivery p50 %s p99 %s\n",
		ms(time.Duration(col(func(r *wsRun) float64 { return float64(percentile(r.Last, 50)) }))),
		ms(time.Duration(col(func(r *wsRun) float64 { return float64(percentile(r.Last, 99)) }))),
		len(last), ms(percentile(last, 50)), ms(percentile(last, 99)), ms(histPercentile(hist, 50)), ms(histPercentile(hist, 99)))
	fmt.Fprintf(&b, "  deliveries/s while broadcasting %.0f; deliveries per server CPU-second %.0f (per message median %.0f); server CPU %.2f s, load tool CPU %.2f s per run\n",
		col((*wsRun).rate), col((*wsRun).deliveriesPerCPU), col((*wsRun).msgPerCPU),
		col(func(r *wsRun) float64 { return r.ServerCPU }), col(func(r *wsRun) float64 { return r.ToolCPU }))
	return b.String()
}
