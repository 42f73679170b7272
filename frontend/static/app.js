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
// question in the page's language). Delegated, so that forms added live
// (the moderation queue's) ask too.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

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

  // subscribe calls onSubscribed(frame) each time the server confirms the
  // subscription (after every reconnect too), onSnapshot(data) for each
  // newer snapshot of a latest-state topic, onEvent(frame) for each event of
  // an event topic, onReload() when missed events cannot be replayed, and
  // onError(frame) when the server refuses or ends the subscription (it is
  // then not active).
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
        state.onSubscribed?.(frame);
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

// Times of live posts, formatted as the server formats them (15:04
// 02/01/2006 in Vietnamese, 2 Jan 2006, 15:04 in English) in the site's
// time zone.
const monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
function formatTime(iso, zone) {
  let format;
  try {
    format = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    });
  } catch {
    return "";
  }
  const p = Object.fromEntries(format.formatToParts(new Date(iso)).map((part) => [part.type, part.value]));
  if (lang === "en") {
    return `${Number(p.day)} ${monthNames[Number(p.month) - 1]} ${p.year}, ${p.hour}:${p.minute}`;
  }
  return `${p.hour}:${p.minute} ${p.day}/${p.month}/${p.year}`;
}

// announce tells screen reader users, through a status region, what changed.
function announce(region, message) {
  if (region && message) {
    region.textContent = "";
    window.setTimeout(() => { region.textContent = message; }, 50);
  }
}

// A thread page (data-thread): the server rendered one page of posts. Over
// thread:{id}, new posts appear at the end of the last page, and edits,
// hides, restores and deletions change posts in place; lock, pin and
// deletion of the thread show at once. Posts come from the event's data:
// a post's body_html (sanitized by the server) is the only text put into the
// page as HTML; names, titles and reasons are set as text. After the first
// subscription, and whenever events were missed, the page asks the API for
// its posts again, so that nothing posted meanwhile is missing.
class ThreadPage {
  constructor(list) {
    this.list = list;
    this.id = list.dataset.thread;
    this.page = Number(list.dataset.page);
    this.pages = Number(list.dataset.pages);
    this.size = Number(list.dataset.pageSize);
    this.me = list.dataset.user ?? "";
    this.mod = list.hasAttribute("data-moderator");
    this.zone = list.dataset.timezone || "UTC";
    this.skeleton = document.getElementById("post-template")?.content.firstElementChild;
    this.texts = document.getElementById("forum-texts")?.content;
    this.status = document.querySelector("[data-live-status]");
    this.synced = false;
    liveClient().subscribe(`thread:${this.id}`, {
      onSubscribed: () => {
        if (!this.synced) {
          this.synced = true;
          this.refresh();
        }
      },
      onEvent: (frame) => this.apply(frame.type, frame.data ?? {}),
      onReload: () => this.refresh(),
      onError: (frame) => {
        if (frame.code === "not_found" || frame.code === "forbidden") {
          this.gone();
        }
      },
    });
  }

  text(key) {
    return this.texts?.querySelector(`[data-text="${key}"]`)?.textContent ?? "";
  }

  reason(code) {
    return this.texts?.querySelector(`[data-reason="${CSS.escape(code)}"]`)?.textContent ?? code;
  }

  apply(type, data) {
    switch (type) {
      case "post.created":
        if (data.post && this.upsert(data.post) === "added") {
          announce(this.status, this.text("new-post"));
        }
        break;
      case "post.edited":
      case "post.restored":
        if (data.post) {
          this.upsert(data.post);
        }
        break;
      case "post.hidden":
        this.hide(data.post_id, data.reason);
        break;
      case "post.deleted":
        this.deleted(data.post_id);
        break;
      case "thread.updated":
        this.setState(data);
        break;
    }
  }

  // refresh reads this page of the thread from the API and applies it.
  async refresh() {
    let body;
    try {
      const response = await fetch(`/api/v1/threads/${encodeURIComponent(this.id)}?page=${this.page}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.status === 404) {
        this.gone();
        return;
      }
      if (!response.ok) {
        return;
      }
      body = await response.json();
    } catch {
      return;
    }
    this.setState(body);
    if (body.page === this.page) {
      for (const post of body.posts ?? []) {
        this.upsert(post);
      }
    }
    if (body.pages > this.page && this.page === this.pages) {
      this.showMore();
    }
  }

  find(postID) {
    return this.list.querySelector(`li[data-post="${CSS.escape(String(postID))}"]`);
  }

  // upsert shows post: in place when the page has it, at its place when it
  // belongs on this page, or as a link to the next page. It returns "added"
  // when it added the post.
  upsert(post) {
    const item = this.find(post.id);
    if (item) {
      this.fill(item, post, false);
      return "updated";
    }
    const first = (this.page - 1) * this.size + 1;
    if (post.number < first || !this.skeleton) {
      return "";
    }
    if (post.number > this.page * this.size) {
      this.showMore();
      return "";
    }
    if (post.deleted && !this.mod) {
      return "";
    }
    const fresh = this.skeleton.cloneNode(true);
    this.fill(fresh, post, true);
    const next = [...this.list.children].find((li) => Number(li.dataset.number) > post.number);
    this.list.insertBefore(fresh, next ?? null);
    return "added";
  }

  showMore() {
    const more = document.querySelector("[data-more-posts]");
    if (more) {
      more.hidden = false;
    }
  }

  // fill writes post into item; fresh items (from the skeleton) get their
  // author, time and links too.
  fill(item, post, fresh) {
    const field = (name) => item.querySelector(`[data-field="${name}"]`);
    if (fresh) {
      const n = String(post.number);
      item.id = `post-${n}`;
      item.dataset.post = post.id;
      item.dataset.number = n;
      item.querySelector("article")?.setAttribute("aria-labelledby", `post-${n}-by`);
      item.querySelector(".post-author")?.setAttribute("id", `post-${n}-by`);
      for (const span of item.querySelectorAll('[data-field="number"]')) {
        span.textContent = n;
      }
      field("permalink")?.setAttribute("href", this.pageURL() + `#post-${n}`);
      const time = field("time");
      if (time) {
        time.dateTime = post.created_at;
        time.textContent = formatTime(post.created_at, this.zone);
      }
      this.fillAuthor(item, post.author ?? {});
      this.fillActions(item, post);
    }
    const edited = field("edited");
    if (edited) {
      edited.hidden = !post.edited;
    } else if (post.edited && this.skeleton) {
      const marker = this.skeleton.querySelector('[data-field="edited"]').cloneNode(true);
      marker.hidden = false;
      field("time")?.after(" ", marker);
    }
    this.setBody(item, post);
  }

  pageURL() {
    return this.page > 1 ? `/forum/t/${this.id}?page=${this.page}` : `/forum/t/${this.id}`;
  }

  fillAuthor(item, author) {
    item.querySelector('[data-field="name"]').textContent = author.name || this.text("unknown");
    const official = item.querySelector('[data-field="official"]');
    if (!author.agency_id) {
      official?.remove();
      item.classList.remove("post-official");
      return;
    }
    item.classList.add("post-official");
    const names = author.agency_name ?? {};
    item.querySelector('[data-field="agency"]').textContent = names[lang] || names.vi || "";
    if (author.title) {
      item.querySelector('[data-field="staff-title"]').textContent = author.title;
    } else {
      item.querySelector('[data-field="staff-title-wrap"]')?.remove();
    }
  }

  // fillActions keeps the links this reader may use: editing their own
  // post, reporting someone else's, moderating.
  fillActions(item, post) {
    const mine = this.me !== "" && post.author?.id === this.me;
    const keep = {
      edit: (mine || this.mod) && !post.deleted,
      flag: this.me !== "" && !mine && !post.hidden && !post.deleted,
      moderate: this.mod,
    };
    const paths = { edit: `/forum/p/${post.id}/edit`, flag: `/forum/p/${post.id}/flag`, moderate: `/mod/p/${post.id}` };
    for (const li of item.querySelectorAll("[data-action]")) {
      const action = li.dataset.action;
      if (keep[action]) {
        li.querySelector("a").href = paths[action];
      } else {
        li.remove();
      }
    }
  }

  removedNote(message) {
    const p = document.createElement("p");
    p.className = "post-removed";
    p.textContent = message;
    return p;
  }

  setBody(item, post) {
    const body = item.querySelector('[data-field="body"]');
    if (post.deleted) {
      body.replaceChildren(this.removedNote(this.text("deleted")));
      item.querySelector('[data-action="flag"]')?.remove();
      return;
    }
    if (post.hidden) {
      const note = this.removedNote(`${this.text("hidden")} ${this.reason(post.hidden_reason)}`);
      if (this.mod && post.body_html) {
        const content = document.createElement("div");
        content.className = "post-hidden-content";
        content.innerHTML = post.body_html; // sanitized by the server
        body.replaceChildren(note, content);
      } else {
        body.replaceChildren(note);
      }
      item.querySelector('[data-action="flag"]')?.remove();
      return;
    }
    body.innerHTML = post.body_html ?? ""; // sanitized by the server
  }

  // hide shows the public reason in place of a hidden post's text; the
  // event carries no text. Moderators keep seeing it under the reason.
  hide(postID, reason) {
    const item = this.find(postID);
    if (!item) {
      return;
    }
    const body = item.querySelector('[data-field="body"]');
    const note = this.removedNote(`${this.text("hidden")} ${this.reason(reason)}`);
    if (this.mod) {
      body.querySelector(":scope > .post-removed")?.remove();
      if (!body.querySelector(":scope > .post-hidden-content")) {
        const content = document.createElement("div");
        content.className = "post-hidden-content";
        content.append(...body.childNodes);
        body.append(content);
      }
      body.prepend(note);
    } else {
      body.replaceChildren(note);
    }
    item.querySelector('[data-action="flag"]')?.remove();
  }

  deleted(postID) {
    const item = this.find(postID);
    if (!item) {
      return;
    }
    item.querySelector('[data-field="body"]').replaceChildren(this.removedNote(this.text("deleted")));
    for (const action of item.querySelectorAll('[data-action="flag"], [data-action="edit"]')) {
      action.remove();
    }
  }

  // setState shows the thread's title and flags (a thread.updated event or
  // the API's thread).
  setState(t) {
    if (typeof t.title === "string" && t.title !== "") {
      const h1 = document.querySelector("[data-thread-title]");
      if (h1 && h1.textContent !== t.title) {
        h1.textContent = t.title;
      }
    }
    for (const flag of ["pinned", "locked", "deleted"]) {
      const badge = document.querySelector(`[data-badge="${flag}"]`);
      if (badge && typeof t[flag] === "boolean") {
        badge.hidden = !t[flag];
      }
    }
    if (typeof t.locked === "boolean") {
      const note = document.querySelector("[data-locked-note]");
      if (note) {
        note.hidden = !t.locked;
      }
      const reply = document.querySelector("[data-reply]");
      if (reply && !this.mod) {
        reply.hidden = t.locked;
      }
    }
    if (t.deleted === true && !this.mod) {
      this.gone();
    }
  }

  // gone tells the reader the thread was deleted.
  gone() {
    const note = document.querySelector("[data-thread-gone]");
    if (note) {
      note.hidden = false;
    }
    const reply = document.querySelector("[data-reply]");
    if (reply) {
      reply.hidden = true;
    }
  }
}

if ("WebSocket" in window && "fetch" in window) {
  const list = document.querySelector("ol[data-thread]");
  if (list) {
    new ThreadPage(list);
  }
}

// The header's unread notifications badge: the server rendered the count;
// user:{id} (readable by that user alone) keeps it current.
const unreadLink = document.querySelector("a[data-user-topic]");
if (unreadLink && "WebSocket" in window) {
  const badge = unreadLink.querySelector("[data-unread]");
  const count = unreadLink.querySelector("[data-unread-count]");
  const setUnread = (n) => {
    if (typeof n === "number" && badge && count) {
      count.textContent = numbers.format(n);
      badge.hidden = n <= 0;
    }
  };
  liveClient().subscribe(unreadLink.dataset.userTopic, {
    onEvent: (frame) => setUnread(frame.data?.unread),
    onReload: async () => {
      try {
        const response = await fetch("/api/v1/notifications?limit=1", { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (response.ok) {
          setUnread((await response.json()).unread);
        }
      } catch {
        // keep the count shown
      }
    },
  });
}

// The moderation queue (data-queue): items announced on mod:queue are
// fetched as HTML rendered by the server from the same template as the
// page's, and resolved ones leave. Only the last page of the queue takes
// new items (they are the newest).
const queue = document.querySelector("ol[data-queue]");
if (queue && "WebSocket" in window && "fetch" in window) {
  const empty = document.querySelector("[data-queue-empty]");
  const status = document.querySelector("[data-live-status]");
  const item = (postID) => queue.querySelector(`[data-queue-item="${CSS.escape(String(postID))}"]`);
  const update = () => {
    if (empty) {
      empty.hidden = queue.children.length > 0;
    }
  };
  const add = async (postID) => {
    if (queue.hasAttribute("data-more") || item(postID)) {
      return;
    }
    let html;
    try {
      const response = await fetch(`/mod/queue/items/${encodeURIComponent(postID)}`, { credentials: "same-origin" });
      if (!response.ok) {
        return;
      }
      html = await response.text();
    } catch {
      return;
    }
    const fresh = new DOMParser().parseFromString(html, "text/html").body.querySelector("[data-queue-item]");
    if (fresh && !item(postID)) {
      queue.append(document.adoptNode(fresh));
      update();
      announce(status, status?.dataset.added);
    }
  };
  liveClient().subscribe("mod:queue", {
    onEvent: (frame) => {
      const postID = frame.data?.post_id;
      if (!postID) {
        return;
      }
      if (frame.type === "queue.added") {
        add(postID);
      } else if (frame.type === "queue.resolved" && item(postID)) {
        item(postID).remove();
        update();
        announce(status, status?.dataset.resolved);
      }
    },
  });
}

// Live parts of a page (data-parts-url): the server renders the page's
// changing parts (data-part) again on request, from the same templates as
// the page, and the script puts each in place. A part the reader is
// working in (a field with focus, with what they typed, or with the errors
// of the form they sent) is left alone, so that nothing typed and no error
// is lost; it catches up on the next change.
function busy(part) {
  if (part.querySelector(".field-error")) {
    return true;
  }
  const active = document.activeElement;
  if (active && part.contains(active) && active.matches("input, textarea, select")) {
    return true;
  }
  for (const field of part.querySelectorAll("input, textarea, select")) {
    if (field.type === "hidden") {
      continue;
    }
    if (field instanceof HTMLSelectElement) {
      const initial = [...field.options].findIndex((o) => o.defaultSelected);
      if (field.selectedIndex !== Math.max(initial, 0)) {
        return true;
      }
    } else if (field.type === "checkbox" || field.type === "radio") {
      if (field.checked !== field.defaultChecked) {
        return true;
      }
    } else if (field.value !== field.defaultValue) {
      return true;
    }
  }
  return false;
}

class LiveParts {
  // root holds data-topic (the event topic), data-parts-url and the parts.
  // onEvent(type, data) decides what an event does; onGone() is called
  // when the reader may no longer read the page.
  constructor(root, { onEvent, onGone }) {
    this.root = root;
    this.url = root.dataset.partsUrl;
    this.onGone = onGone;
    this.running = null;
    this.again = false;
    let synced = false;
    liveClient().subscribe(root.dataset.topic, {
      // Changes made between the page's rendering and the subscription
      // came with no event: fetch the parts once.
      onSubscribed: () => {
        if (!synced) {
          synced = true;
          this.refresh();
        }
      },
      onEvent: (frame) => onEvent(frame.type, frame.data ?? {}),
      onReload: () => this.refresh(),
      onError: (frame) => {
        if (frame.code === "not_found" || frame.code === "forbidden" || frame.code === "unauthorized") {
          onGone();
        }
      },
    });
  }

  // refresh fetches the parts and puts them in place; calls made while one
  // runs make it run once more. It resolves to true when the parts were
  // put in place.
  refresh() {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let ok = false;
      do {
        this.again = false;
        ok = await this.load();
      } while (this.again);
      this.running = null;
      return ok;
    })();
    return this.running;
  }

  async load() {
    let html;
    try {
      const response = await fetch(this.url, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (response.status === 404 || response.status === 403) {
        this.onGone();
        return false;
      }
      if (!response.ok) {
        return false;
      }
      html = await response.text();
    } catch {
      return false;
    }
    const fresh = new DOMParser().parseFromString(html, "text/html");
    for (const part of fresh.querySelectorAll("[data-part]")) {
      const old = this.root.querySelector(`[data-part="${CSS.escape(part.dataset.part)}"]`);
      if (old && !busy(old)) {
        old.replaceWith(document.adoptNode(part));
      }
    }
    return true;
  }
}

// textOf returns the text for key in a <template> of texts.
function textOf(template, key) {
  return template?.content.querySelector(`[data-text="${CSS.escape(key)}"]`)?.textContent ?? "";
}

// A question page (data-question): over question:{id}, the official answer
// appears when it is published, and revisions, status changes, forwards
// and comments show without a reload; the parts come from the server,
// whose templates made the page. Upvotes carry their count.
const questionRoot = document.querySelector("[data-question][data-parts-url]");
if (questionRoot && "WebSocket" in window && "fetch" in window) {
  const status = questionRoot.querySelector("[data-live-status]");
  const texts = document.getElementById("qa-texts");
  const gone = () => {
    const note = questionRoot.querySelector("[data-question-gone]");
    if (note) {
      note.hidden = false;
    }
  };
  const parts = new LiveParts(questionRoot, {
    onGone: gone,
    onEvent: async (type, data) => {
      if (type === "question.upvoted") {
        const count = questionRoot.querySelector("[data-upvotes]");
        if (count && typeof data.upvotes === "number") {
          count.textContent = numbers.format(data.upvotes);
        }
        return;
      }
      if (await parts.refresh()) {
        announce(status, textOf(texts, type));
      }
    },
  });
}

// An agency's queue (data-agency-queue): over agency:{id}, the first page
// of the tab is fetched again when questions arrive, change or pass their
// deadline; later pages say that the list changed.
const queueRoot = document.querySelector("[data-agency-queue][data-parts-url]");
if (queueRoot && "WebSocket" in window && "fetch" in window) {
  const status = queueRoot.querySelector("[data-live-status]");
  const texts = document.getElementById("queue-texts");
  const changed = () => {
    const note = queueRoot.querySelector("[data-queue-changed]");
    if (note) {
      note.hidden = false;
    }
  };
  const parts = new LiveParts(queueRoot, {
    onGone: changed,
    onEvent: async (type) => {
      if (queueRoot.hasAttribute("data-later-page") || !(await parts.refresh())) {
        changed();
      }
      announce(status, textOf(texts, type));
    },
  });
}

// The box of the newest official answers (data-feed), on the home page and
// in the widget: over feed:answers, a newly answered public question comes
// first (the list is a polite live region: the new item is read out).
// Items are made from the box's <template>; every value of the event is set
// as text.
for (const feed of document.querySelectorAll("ol[data-feed]")) {
  if (!("WebSocket" in window)) {
    break;
  }
  const box = feed.parentElement;
  const skeleton = box.querySelector("template[data-feed-template]")?.content.firstElementChild;
  const empty = box.querySelector("[data-feed-empty]");
  const limit = Number(feed.dataset.limit) || 5;
  const zone = feed.dataset.timezone || "UTC";
  liveClient().subscribe(feed.dataset.feed, {
    onEvent: (frame) => {
      const item = frame.data ?? {};
      if (frame.type !== "answer.published" || !skeleton || typeof item.question_id !== "string") {
        return;
      }
      feed.querySelector(`li[data-question="${CSS.escape(item.question_id)}"]`)?.remove();
      const li = skeleton.cloneNode(true);
      li.dataset.question = item.question_id;
      const field = (name) => li.querySelector(`[data-field="${name}"]`);
      const link = field("link");
      link.href = `/questions/${encodeURIComponent(item.question_id)}`;
      link.textContent = item.title ?? "";
      const names = item.agency?.name ?? {};
      field("agency").textContent = names[lang] || names.vi || "";
      const time = field("time");
      time.dateTime = item.answered_at ?? "";
      time.textContent = item.answered_at ? formatTime(item.answered_at, zone) : "";
      field("excerpt").textContent = item.excerpt ?? "";
      feed.prepend(li);
      while (feed.children.length > limit) {
        feed.lastElementChild.remove();
      }
      if (empty) {
        empty.hidden = true;
      }
    },
  });
}
