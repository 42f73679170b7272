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
  // latest-state topic, onEvent(frame) for each event of an event topic,
  // onReload() when missed events cannot be replayed, and onError(frame) when
  // the server refuses or ends the subscription (it is then not active).
  subscribe(topic, handlers) {
    this.topics.set(topic, { ...handlers, version: 0, since: null });
    if (this.ws?.readyState === WebSocket.OPEN) {
      this.send(topic);
    } else if (!this.ws) {
      this.connect();
    }
  }

  // unsubscribe stops following topic; its handlers are called no more.
  unsubscribe(topic) {
    if (this.topics.delete(topic) && this.ws?.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ op: "unsubscribe", topic }));
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
        state.onError?.(frame);
        break;
    }
  }
}

// One socket per page, opened when the first live box subscribes.
let live = null;
function liveClient() {
  if (!live) {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    live = new Live(`${scheme}//${window.location.host}/ws`);
  }
  return live;
}

const lang = document.documentElement.lang || "vi";
const numbers = new Intl.NumberFormat(lang);

// The "online now" box: the server rendered the figures when it made the
// page; keep them current.
const onlineBox = document.querySelector("[data-live='site:online']");
if (onlineBox && "WebSocket" in window) {
  liveClient().subscribe("site:online", {
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

// A poll box (data-poll): the server rendered its status, total and, when
// the viewer may see them, its results. Keep them live over poll:{id} (full
// results) or poll:{id}:count (status and total only), and move to the full
// topic when the viewer may see the results: after voting here, or when an
// after_close poll closes. The vote form is sent without leaving the page;
// without JavaScript it is an ordinary form post.
const plural = new Intl.PluralRules(lang);

class PollBox {
  constructor(box) {
    this.box = box;
    this.id = box.dataset.poll;
    this.status = box.dataset.status;
    this.visibility = box.dataset.visibility;
    this.version = Number(box.dataset.version || 0);
    this.topic = null;
    this.form = box.querySelector("form.poll-form");
    if (this.form && "fetch" in window) {
      this.form.addEventListener("submit", (event) => this.submit(event));
      this.limitChoices();
    }
    this.follow(box.dataset.topic);
  }

  get fullTopic() {
    return `poll:${this.id}`;
  }

  follow(topic) {
    if (this.topic === topic) {
      return;
    }
    if (this.topic) {
      liveClient().unsubscribe(this.topic);
    }
    this.topic = topic;
    liveClient().subscribe(topic, {
      onSnapshot: (data) => this.apply(data),
      onError: () => {
        // The results are no longer ours to see (or not yet): keep the
        // status and total live.
        if (topic === this.fullTopic && this.topic === topic) {
          this.topic = null;
          this.box.querySelector("[data-poll-bars]")?.remove();
          this.follow(`${this.fullTopic}:count`);
        }
      },
    });
  }

  // apply shows a snapshot (or a vote's results) unless it is older than
  // what the box shows.
  apply(data) {
    if (typeof data.version === "number") {
      if (data.version < this.version) {
        return;
      }
      this.version = data.version;
    }
    this.setStatus(data.status);
    const total = this.box.querySelector("[data-poll-total]");
    if (total && typeof data.total === "number") {
      total.textContent = numbers.format(data.total);
    }
    if (Array.isArray(data.options)) {
      this.showResults(data.options);
    } else if (this.visibility === "after_close" && (data.status === "closed" || data.status === "archived")) {
      this.follow(this.fullTopic);
    }
  }

  setStatus(status) {
    if (!status || status === this.status) {
      return;
    }
    this.status = status;
    this.box.dataset.status = status;
    const badge = this.box.querySelector("[data-poll-status]");
    if (badge) {
      badge.textContent = badge.dataset[status] ?? status;
      badge.className = `badge badge-${status}`;
    }
    // The opening or closing time shown beside it no longer applies.
    this.box.querySelector(".poll-state .poll-when")?.remove();
    const fieldset = this.form?.querySelector("fieldset");
    if (fieldset) {
      fieldset.disabled = status !== "open";
    }
  }

  showResults(options) {
    let list = this.box.querySelector("[data-poll-bars]");
    if (!list) {
      const template = this.box.querySelector("template[data-poll-template]");
      if (!template) {
        return;
      }
      template.replaceWith(template.content.cloneNode(true));
      this.box.querySelector("[data-poll-hidden]")?.remove();
      list = this.box.querySelector("[data-poll-bars]");
    }
    for (const option of options) {
      const item = list.querySelector(`li[data-option="${CSS.escape(option.id)}"]`);
      if (!item) {
        continue;
      }
      item.querySelector("[data-votes]").textContent = numbers.format(option.votes);
      const unit = item.querySelector("[data-unit]");
      unit.textContent = plural.select(option.votes) === "one" ? unit.dataset.one : unit.dataset.other;
      item.querySelector("[data-percent]").textContent = String(option.percent);
      item.querySelector("progress").value = option.percent;
    }
  }

  // limitChoices disables the other checkboxes once the most choices
  // allowed are ticked.
  limitChoices() {
    const fieldset = this.form.querySelector("fieldset[data-max]");
    if (!fieldset) {
      return;
    }
    const max = Number(fieldset.dataset.max);
    const boxes = [...fieldset.querySelectorAll("input[type='checkbox']")];
    const update = () => {
      const full = boxes.filter((b) => b.checked).length >= max;
      for (const b of boxes) {
        b.disabled = full && !b.checked;
      }
    };
    fieldset.addEventListener("change", update);
    update();
  }

  async submit(event) {
    event.preventDefault();
    const form = this.form;
    const button = form.querySelector("button[type='submit']");
    const options = [...form.querySelectorAll("input[name='option']:checked")].map((input) => input.value);
    button.disabled = true;
    let response;
    try {
      response = await fetch(form.dataset.api, {
        method: "POST",
        // Errors come back in the page's language (the widget's may differ
        // from the browser's).
        headers: { "Content-Type": "application/json", Accept: "application/json", "Accept-Language": lang },
        body: JSON.stringify({ options }),
        credentials: "same-origin",
      });
    } catch {
      // The network failed: send the form the ordinary way.
      form.submit();
      return;
    }
    button.disabled = false;
    let body = null;
    try {
      body = await response.json();
    } catch {
      // not JSON: handled below
    }
    if (response.status === 201 && body) {
      this.votedWith(body);
      return;
    }
    const error = body?.error;
    this.showError(error?.fields?.options ?? error?.message ?? form.dataset.failed);
  }

  votedWith(receipt) {
    const done = document.createElement("p");
    done.className = "poll-voted";
    done.setAttribute("role", "status");
    done.textContent = this.form.dataset.voted;
    this.form.replaceWith(done);
    this.form = null;
    if (receipt.results) {
      this.apply(receipt.results);
      this.follow(this.fullTopic);
    }
  }

  showError(message) {
    const slot = this.form.querySelector("[data-poll-error]");
    const fieldset = this.form.querySelector("fieldset");
    slot.textContent = message;
    slot.hidden = false;
    slot.setAttribute("role", "alert");
    fieldset.classList.add("field-invalid");
    fieldset.setAttribute("aria-describedby", slot.id);
  }
}

if ("WebSocket" in window) {
  for (const box of document.querySelectorAll("[data-poll]")) {
    new PollBox(box);
  }
}
