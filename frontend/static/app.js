// civichub page enhancements. Every page works without this module; it only
// adds niceties on top of the server-rendered HTML. The live boxes on the
// page (data-live) are kept current over WebSocket by the Live client below.

// After a refused form, move focus to the list of problems, so that screen
// reader and keyboard users start there.
const summary = document.querySelector(".error-summary");
if (summary) {
  summary.focus();
}

// A link in the list of problems focuses its input and shows its label,
// instead of only scrolling the input to the top edge.
for (const link of document.querySelectorAll(".error-summary a[href^='#']")) {
  link.addEventListener("click", (event) => {
    const input = document.getElementById(link.hash.slice(1));
    if (!input) {
      return;
    }
    event.preventDefault();
    const label = document.querySelector(`label[for="${CSS.escape(input.id)}"]`);
    (label ?? input).scrollIntoView();
    input.focus({ preventScroll: true });
  });
}

// Ask before sending a form that cannot be undone (data-confirm holds the
// question in the page's language).
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
}

// Live updates over the WebSocket protocol v1 (docs/protocol.md). One socket
// per page; it reconnects with jittered exponential backoff and resumes every
// subscription: latest-state topics get a fresh snapshot (older ones are
// dropped by version), event topics send the last position seen so missed
// events are replayed, or the page is told to reload.
class Live {
  constructor(url) {
    this.url = url;
    this.topics = new Map();
    this.attempt = 0;
    this.ws = null;
  }

  // subscribe calls onSnapshot(data) for each newer snapshot of a
  // latest-state topic, onEvent(frame) for each event of an event topic, and
  // onReload() when missed events cannot be replayed.
  subscribe(topic, handlers) {
    this.topics.set(topic, { ...handlers, version: 0, since: null });
    if (this.ws?.readyState === WebSocket.OPEN) {
      this.send(topic);
    } else if (!this.ws) {
      this.connect();
    }
  }

  send(topic) {
    const state = this.topics.get(topic);
    const frame = { op: "subscribe", topic };
    if (state.since) {
      frame.since = state.since;
    }
    this.ws.send(JSON.stringify(frame));
  }

  connect() {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.attempt = 0;
      for (const topic of this.topics.keys()) {
        this.send(topic);
      }
    });
    ws.addEventListener("message", (event) => this.receive(event.data));
    ws.addEventListener("close", () => {
      this.ws = null;
      // 1 s, 2 s, 4 s ... up to 30 s, each between half and all of it, so
      // that the clients of a node that went away do not return at once.
      const ceiling = Math.min(30_000, 1_000 * 2 ** this.attempt);
      this.attempt++;
      setTimeout(() => this.connect(), ceiling / 2 + Math.random() * (ceiling / 2));
    });
  }

  receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    const state = this.topics.get(frame.topic);
    if (!state) {
      return;
    }
    switch (frame.op) {
      case "snapshot":
        if (frame.version > state.version) {
          state.version = frame.version;
          state.onSnapshot?.(frame.data);
        }
        break;
      case "subscribed":
        if (frame.epoch && !state.since) {
          state.since = { epoch: frame.epoch, seq: frame.seq };
        }
        break;
      case "event":
        state.since = { epoch: frame.epoch, seq: frame.seq };
        state.onEvent?.(frame);
        break;
      case "reload":
        state.since = null;
        (state.onReload ?? (() => window.location.reload()))();
        break;
      case "error":
        console.warn("civichub live:", frame.topic, frame.code, frame.message);
        break;
    }
  }
}

// The "online now" box: the server rendered the figures when it made the
// page; keep them current.
const onlineBox = document.querySelector("[data-live='site:online']");
if (onlineBox && "WebSocket" in window) {
  const numbers = new Intl.NumberFormat(document.documentElement.lang || "vi");
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  const live = new Live(`${scheme}//${window.location.host}/ws`);
  live.subscribe("site:online", {
    onSnapshot(data) {
      for (const dd of onlineBox.querySelectorAll("dd[data-field]")) {
        const value = data[dd.dataset.field];
        if (typeof value === "number") {
          dd.textContent = numbers.format(value);
        }
      }
    },
  });
}
