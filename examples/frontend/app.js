// A partnership lead's year: the reviews on a calendar, live as they change.
// No build step, no library: fetch, EventSource and the DOM. The token stays in memory only.
//
// The API in use: GET /v1/webhooks/event-types (the event catalogue), GET /v1/events (the
// paged feed: the backlog), POST /v1/events/stream-tickets (EventSource cannot send a bearer
// token) and GET /v1/events/stream?ticket= (Server-Sent Events), all on the reviews service.

const MAX_BACKLOG_PAGES = 50;
const MONTHS = ["Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug"];

const state = { base: "", token: "", cursor: null, lastEventId: null, source: null, seen: new Set() };

const $ = (id) => document.getElementById(id);

function status(text) {
  $("status").textContent = text;
}

function currentAcademicYear(today = new Date()) {
  const start = today.getMonth() >= 8 ? today.getFullYear() : today.getFullYear() - 1;
  return `${start}-${String((start + 1) % 100).padStart(2, "0")}`;
}

function claimsOf(token) {
  // For display only: the services verify the token, the page never trusts it.
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), "=")));
  } catch {
    return {};
  }
}

async function api(path, options = {}) {
  const response = await fetch(state.base + path, {
    ...options,
    headers: { Authorization: `Bearer ${state.token}`, Accept: "application/json", ...options.headers },
  });
  if (!response.ok) {
    let detail = response.statusText;
    try {
      detail = (await response.json()).detail || detail; // an RFC 9457 problem
    } catch {}
    throw new Error(`${response.status}: ${detail}`);
  }
  return response.json();
}

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

function renderYear(year) {
  const start = Number(year.slice(0, 4));
  const calendar = $("calendar");
  calendar.replaceChildren();
  MONTHS.forEach((name, i) => {
    const month = (8 + i) % 12;
    const fullYear = month >= 8 ? start : start + 1;
    const section = document.createElement("section");
    section.className = "month";
    section.dataset.month = `${fullYear}-${String(month + 1).padStart(2, "0")}`;
    const title = document.createElement("h3");
    title.textContent = `${name} ${fullYear}`;
    const days = document.createElement("div");
    days.className = "days";
    const first = new Date(Date.UTC(fullYear, month, 1));
    for (let blank = (first.getUTCDay() + 6) % 7; blank > 0; blank--) {
      days.append(document.createElement("span"));
    }
    for (let d = new Date(first); d.getUTCMonth() === month; d.setUTCDate(d.getUTCDate() + 1)) {
      const cell = document.createElement("div");
      cell.className = "day" + (d.getUTCDay() % 6 === 0 ? " weekend" : "");
      cell.dataset.date = isoDay(d);
      cell.textContent = String(d.getUTCDate());
      days.append(cell);
    }
    section.append(title, days);
    calendar.append(section);
  });
}

function shortType(type) {
  // org.criticalfriend.scheduling.review.planned.v1 -> review planned
  const parts = type.split(".");
  return parts.slice(-3, -1).join(" ");
}

function show(event, id) {
  if (state.seen.has(event.id)) return;
  state.seen.add(event.id);
  const data = event.data || {};
  const item = document.createElement("li");
  item.dataset.eventId = event.id;
  item.dataset.type = event.type;
  const type = document.createElement("span");
  type.className = "type";
  type.textContent = shortType(event.type);
  const what = data.urn ? ` - school ${data.urn}` : "";
  item.append(type, document.createTextNode(`${what} (${event.time || ""})`));
  $("events").prepend(item);
  for (const day of data.days || []) {
    const cell = document.querySelector(`.day[data-date="${day}"]`);
    if (!cell) continue; // another year
    cell.classList.add("review");
    const mark = document.createElement("span");
    mark.className = "mark";
    mark.dataset.reviewId = data.review_id || "";
    mark.textContent = data.urn ? `Review ${data.urn}` : "Review";
    cell.append(mark);
  }
  if (id !== undefined) state.lastEventId = id;
}

async function loadBacklog() {
  let after = null;
  for (let page = 0; page < MAX_BACKLOG_PAGES; page++) {
    const query = new URLSearchParams({ limit: "100" });
    if (after) query.set("after", after);
    const body = await api(`/v1/events?${query}`);
    body.data.forEach((entry) => show(entry.event));
    if (body.next_cursor === after) break;
    after = body.next_cursor;
  }
  state.cursor = after;
}

async function openStream(types) {
  const { ticket } = await api("/v1/events/stream-tickets", { method: "POST" });
  const query = new URLSearchParams({ ticket });
  if (state.lastEventId) query.set("last_event_id", state.lastEventId);
  else if (state.cursor) query.set("after", state.cursor);
  const source = new EventSource(`${state.base}/v1/events/stream?${query}`);
  state.source = source;
  const onEvent = (message) => show(JSON.parse(message.data), message.lastEventId);
  types.forEach((type) => source.addEventListener(type, onEvent));
  source.addEventListener("open", () => status("Live: new review events appear as they happen."));
  source.addEventListener("error", () => {
    // EventSource retries by itself while the ticket is valid; once it gives up (the ticket
    // expired, or the service refused), fetch a new ticket and resume after the last event.
    if (source.readyState === EventSource.CLOSED && state.source === source) {
      status("Reconnecting...");
      setTimeout(() => openStream(types).catch((e) => status(`Stream failed: ${e.message}`)), 2000);
    }
  });
}

async function signIn(event) {
  event.preventDefault();
  state.base = $("reviews-url").value.replace(/\/$/, "");
  state.token = $("token").value.trim();
  const year = $("year").value;
  status("Signing in...");
  try {
    const types = (await api("/v1/webhooks/event-types")).map((t) => t.type);
    renderYear(year);
    $("year-view").hidden = false;
    await loadBacklog();
    const claims = claimsOf(state.token);
    $("who").textContent = `Signed in as ${claims.sub || "?"} - ${year}`;
    await openStream(types);
  } catch (error) {
    status(`Could not sign in: ${error.message}`);
  }
}

const params = new URLSearchParams(location.search);
$("reviews-url").value = params.get("reviews") || "http://127.0.0.1:8002";
$("year").value = params.get("year") || currentAcademicYear();
$("sign-in").addEventListener("submit", signIn);
