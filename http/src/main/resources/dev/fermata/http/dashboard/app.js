// Fermata's dashboard: one page over the host's management API. Every value read from the API is
// shown as text (textContent), never parsed as markup.
"use strict";

const API = "/runtime/webhooks/durabletask";
const STATUSES = ["Pending", "Running", "Suspended", "Completed", "Failed", "Terminated", "ContinuedAsNew"];
const UNFINISHED = new Set(["Pending", "Running", "Suspended"]);
const PAGE_SIZE = 50;
const REFRESH_MS = 2000;

let refreshTimer = null;
// Each drawing of a view takes the next number; one that finds a later number when its answers
// arrive was overtaken (a page change, a click, a refresh) and draws nothing.
let drawing = 0;
let keyWaiters = [];

// ---- small helpers ----

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "text") node.textContent = value;
    else if (name === "style") Object.assign(node.style, value); // the page's CSP allows no style attributes
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function time(text) {
  if (!text) return "";
  const d = new Date(text);
  return isNaN(d) ? text : d.toLocaleString();
}

function duration(ms) {
  if (ms < 1000) return Math.round(ms) + " ms";
  if (ms < 60000) return (ms / 1000).toFixed(1) + " s";
  if (ms < 3600000) return (ms / 60000).toFixed(1) + " min";
  if (ms < 86400000) return (ms / 3600000).toFixed(1) + " h";
  return (ms / 86400000).toFixed(1) + " d";
}

function json(value) {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

function badge(status) {
  return el("span", { class: "badge status-" + status, text: status });
}

// Replaces the view's content. The periodic refresh redraws the whole view, so the inputs of the
// last drawing (same id) are moved into the new one: what the user typed or ticked, and where the
// cursor was, survive it.
function render(view, ...nodes) {
  const previous = new Map([...view.querySelectorAll("input[id]")].map((i) => [i.id, i]));
  const focused = document.activeElement;
  const fresh = document.createDocumentFragment();
  fresh.append(...nodes.flat().filter((n) => n !== null && n !== undefined));
  for (const input of fresh.querySelectorAll("input[id]")) {
    const kept = previous.get(input.id);
    if (kept && kept.type === input.type) input.replaceWith(kept);
  }
  view.replaceChildren(fresh);
  if (focused && view.contains(focused) && document.activeElement !== focused) focused.focus();
}

// The current value of the view's input with this id (the input may have been carried over).
function valueOf(id) {
  const input = document.getElementById(id);
  return input ? input.value : "";
}

function showError(message) {
  const box = document.getElementById("error");
  box.textContent = message || "";
  box.hidden = !message;
}

// ---- the API, with the management key when the host wants one ----

function askForKey() {
  const form = document.getElementById("key-form");
  form.hidden = false;
  document.getElementById("key-input").focus();
  return new Promise((resolve) => keyWaiters.push(resolve));
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem("fermata-key", document.getElementById("key-input").value);
    document.getElementById("key-form").hidden = true;
    const waiters = keyWaiters;
    keyWaiters = [];
    waiters.forEach((resolve) => resolve());
  });
  const fromUrl = new URLSearchParams(location.search).get("code");
  if (fromUrl) sessionStorage.setItem("fermata-key", fromUrl);
  window.addEventListener("hashchange", route);
  route();
});

async function api(path, options = {}) {
  for (;;) {
    const headers = Object.assign({}, options.headers || {});
    const key = sessionStorage.getItem("fermata-key");
    if (key) headers["x-functions-key"] = key;
    const response = await fetch(path, Object.assign({}, options, { headers }));
    if (response.status === 401) {
      await askForKey();
      continue;
    }
    const text = await response.text();
    const body = text && (response.headers.get("Content-Type") || "").includes("json") ? JSON.parse(text) : text;
    if (!response.ok) {
      const message = body && body.message ? body.message : response.status + " " + response.statusText;
      throw new Error(message);
    }
    return { body, headers: response.headers };
  }
}

// ---- routing ----

function route() {
  clearTimeout(refreshTimer);
  showError("");
  const hash = location.hash || "#/";
  const view = document.getElementById("view");
  view.replaceChildren(); // a new view starts blank: nothing typed in the last one carries over
  if (hash.startsWith("#/instance/")) {
    showInstance(view, decodeURIComponent(hash.slice("#/instance/".length)));
  } else if (hash.startsWith("#/workers")) {
    showWorkers(view);
  } else if (hash.startsWith("#/entities")) {
    showEntities(view, []);
  } else {
    showInstances(view, filtersFromHash(hash), []);
  }
}

function scheduleRefresh(again) {
  clearTimeout(refreshTimer);
  document.getElementById("refresh-state").textContent = again ? "refreshing every " + REFRESH_MS / 1000 + " s" : "";
  if (again) refreshTimer = setTimeout(again, REFRESH_MS);
}

// ---- the instance list ----

function filtersFromHash(hash) {
  const query = new URLSearchParams(hash.includes("?") ? hash.slice(hash.indexOf("?") + 1) : "");
  return {
    statuses: (query.get("status") || "").split(",").filter(Boolean),
    name: query.get("name") || "",
    prefix: query.get("prefix") || "",
    from: query.get("from") || "",
    to: query.get("to") || "",
  };
}

function filtersToHash(f) {
  const query = new URLSearchParams();
  if (f.statuses.length) query.set("status", f.statuses.join(","));
  for (const k of ["name", "prefix", "from", "to"]) if (f[k]) query.set(k, f[k]);
  const text = query.toString();
  return "#/" + (text ? "?" + text : "");
}

function filterQuery(f) {
  const query = new URLSearchParams();
  if (f.statuses.length) query.set("runtimeStatus", f.statuses.join(","));
  if (f.name) query.set("name", f.name);
  if (f.prefix) query.set("instanceIdPrefix", f.prefix);
  if (f.from) query.set("createdTimeFrom", new Date(f.from).toISOString());
  if (f.to) query.set("createdTimeTo", new Date(f.to).toISOString());
  return query;
}

function filterForm(f) {
  const boxes = STATUSES.map((s) =>
    el("label", { class: "check" }, el("input", { type: "checkbox", id: "status-" + s, name: "status", value: s, checked: f.statuses.includes(s) }), s));
  const form = el("form", { id: "filters", class: "filters" },
    el("fieldset", {}, el("legend", { text: "Status" }), boxes),
    el("label", {}, "Name ", el("input", { id: "filter-name", value: f.name, placeholder: "orchestrator" })),
    el("label", {}, "Id starts with ", el("input", { id: "filter-prefix", value: f.prefix })),
    el("label", {}, "Created from ", el("input", { id: "filter-from", type: "datetime-local", step: "1", value: f.from })),
    el("label", {}, "to ", el("input", { id: "filter-to", type: "datetime-local", step: "1", value: f.to })),
    el("button", { id: "apply-filters", type: "submit", text: "Apply" }),
    el("a", { href: "#/", class: "button", text: "Clear" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = filtersToHash({
      statuses: [...form.querySelectorAll("input[name=status]:checked")].map((i) => i.value),
      name: form.querySelector("#filter-name").value.trim(),
      prefix: form.querySelector("#filter-prefix").value.trim(),
      from: form.querySelector("#filter-from").value,
      to: form.querySelector("#filter-to").value,
    });
  });
  return form;
}

// pages: the continuation tokens of the pages before this one ("" for the first)
async function showInstances(view, f, pages) {
  const mine = ++drawing;
  const query = filterQuery(f);
  query.set("top", PAGE_SIZE);
  query.set("newestFirst", "true");
  query.set("showInput", "false");
  const token = pages.length ? pages[pages.length - 1] : "";
  let list, counts;
  try {
    [list, counts] = await Promise.all([
      api(API + "/instances?" + query, { headers: token ? { "x-ms-continuation-token": token } : {} }),
      api("/dashboard/api/counts?" + filterQuery(f)),
    ]);
  } catch (e) {
    if (mine !== drawing) return;
    showError("Could not list instances: " + e.message);
    scheduleRefresh(() => showInstances(view, f, pages));
    return;
  }
  if (mine !== drawing) return;
  const instances = list.body;
  const next = list.headers.get("x-ms-continuation-token");
  const rows = instances.map((i) =>
    el("tr", { "data-instance-id": i.instanceId },
      el("td", {}, el("a", { href: "#/instance/" + encodeURIComponent(i.instanceId), class: "instance-link", text: i.instanceId })),
      el("td", { text: i.name }),
      el("td", {}, badge(i.runtimeStatus)),
      el("td", { text: time(i.createdTime) }),
      el("td", { text: time(i.lastUpdatedTime) })));
  const byStatus = counts.body.byStatus || {};
  const summary = el("p", { id: "counts", class: "counts" },
    el("span", { id: "count-total", text: counts.body.total + " instances" }),
    STATUSES.filter((s) => byStatus[s]).map((s) =>
      el("span", { class: "count", id: "count-" + s }, badge(s), " " + byStatus[s])));
  const pager = el("p", { class: "pager" },
    el("button", { id: "first-page", disabled: !pages.length, onclick: () => showInstances(view, f, []), text: "First page" }),
    el("button", { id: "previous-page", disabled: !pages.length, onclick: () => showInstances(view, f, pages.slice(0, -1)), text: "Previous" }),
    el("span", { class: "muted", text: "page " + (pages.length + 1) }),
    el("button", { id: "next-page", disabled: !next, onclick: () => showInstances(view, f, pages.concat([next])), text: "Next" }));
  render(view,
    el("h1", { text: "Instances" }),
    filterForm(f),
    summary,
    el("table", { id: "instances" },
      el("thead", {}, el("tr", {}, ["Instance", "Name", "Status", "Created", "Last updated"].map((h) => el("th", { text: h })))),
      el("tbody", {}, rows.length ? rows : el("tr", {}, el("td", { colspan: 5, class: "muted", text: "No instance matches." })))),
    pager);
  const running = STATUSES.some((s) => UNFINISHED.has(s) && byStatus[s]);
  scheduleRefresh(running ? () => showInstances(view, f, pages) : null);
}

// ---- one instance ----

async function showInstance(view, id) {
  const mine = ++drawing;
  let status;
  try {
    status = (await api(API + "/instances/" + encodeURIComponent(id) +
      "?showInput=true&showHistory=true&showHistoryOutput=true")).body;
  } catch (e) {
    if (mine !== drawing) return;
    view.replaceChildren(el("h1", { text: id }), el("p", { class: "muted", text: e.message }), el("a", { href: "#/", text: "Back to the list" }));
    return;
  }
  if (mine !== drawing) return;
  const history = status.historyEvents || [];
  const finished = !UNFINISHED.has(status.runtimeStatus);
  const failed = status.runtimeStatus === "Failed";
  render(view,
    el("p", {}, el("a", { href: "#/", text: "\u2190 Instances" })),
    el("h1", { id: "instance-id", text: status.instanceId }),
    el("dl", { class: "facts" },
      el("dt", { text: "Name" }), el("dd", { id: "instance-name", text: status.name }),
      el("dt", { text: "Status" }), el("dd", { id: "instance-status" }, badge(status.runtimeStatus)),
      status.version ? [el("dt", { text: "Version" }), el("dd", { text: status.version })] : null,
      el("dt", { text: "Created" }), el("dd", { text: time(status.createdTime) }),
      el("dt", { text: "Last updated" }), el("dd", { text: time(status.lastUpdatedTime) })),
    actions(status),
    section("Input", el("pre", { id: "instance-input", text: json(status.input) || "(none)" })),
    status.customStatus !== null ? section("Custom status", el("pre", { id: "instance-custom-status", text: json(status.customStatus) })) : null,
    finished ? section(failed ? "Failure" : "Output", el("pre", { id: "instance-output", class: failed ? "failure" : "", text: json(status.output) })) : null,
    children(history),
    waitingOn(status, history),
    section("Timeline", timeline(status, history)),
    section("History", historyTable(history)));
  scheduleRefresh(finished ? null : () => showInstance(view, id));
}

function section(title, ...content) {
  return el("section", {}, el("h2", { text: title }), content);
}

function children(history) {
  const ids = new Map();
  for (const e of history) {
    if (e.EventType.startsWith("SubOrchestrationInstance") && e.InstanceId) ids.set(e.InstanceId, e);
  }
  if (!ids.size) return null;
  return section("Sub-orchestrations", el("ul", { id: "children" },
    [...ids].map(([childId, e]) =>
      el("li", {}, el("a", { href: "#/instance/" + encodeURIComponent(childId), text: childId }), " " + (e.FunctionName || e.Name || "") + " ",
        el("span", { class: "muted", text: e.EventType.replace("SubOrchestrationInstance", "") })))));
}

// Bars over time, as Durable Functions Monitor draws them: each activity, sub-orchestration and
// timer from when it was scheduled until it was answered (still open: until now).
function timelineItems(status, history) {
  const items = [];
  const openTimers = new Map();
  for (const e of history) {
    const at = Date.parse(e.Timestamp);
    switch (e.EventType) {
      case "TaskScheduled":
        items.push({ kind: "activity", name: e.Name, start: at, end: null, outcome: "open" });
        break;
      case "TaskCompleted":
      case "TaskFailed":
        items.push({ kind: "activity", name: e.FunctionName, start: Date.parse(e.ScheduledTime), end: at, outcome: e.EventType === "TaskFailed" ? "failed" : "done" });
        break;
      case "SubOrchestrationInstanceCreated":
        items.push({ kind: "sub-orchestration", name: e.Name, child: e.InstanceId, start: at, end: null, outcome: "open" });
        break;
      case "SubOrchestrationInstanceCompleted":
      case "SubOrchestrationInstanceFailed":
        items.push({ kind: "sub-orchestration", name: e.FunctionName, start: Date.parse(e.ScheduledTime), end: at, outcome: e.EventType.endsWith("Failed") ? "failed" : "done" });
        break;
      case "TimerCreated": {
        const item = { kind: "timer", name: "timer to " + new Date(e.FireAt).toLocaleTimeString(), fireAt: e.FireAt, start: at, end: null, outcome: "open" };
        openTimers.set(e.FireAt, item);
        items.push(item);
        break;
      }
      case "TimerFired": {
        const item = openTimers.get(e.FireAt);
        if (item) { item.end = at; item.outcome = "done"; openTimers.delete(e.FireAt); }
        break;
      }
      case "EventRaised":
        items.push({ kind: "event", name: "event " + e.Name, start: at, end: at, outcome: "done" });
        break;
    }
  }
  return items.filter((i) => !isNaN(i.start));
}

// What an unfinished instance waits for, from its history: the activities, timers and
// sub-orchestrations still open; with none open, a running instance waits for an event.
function waitingOn(status, history) {
  const s = status.runtimeStatus;
  if (!UNFINISHED.has(s)) return null;
  const open = timelineItems(status, history).filter((i) => i.end === null);
  const lines = open.map((i) => {
    const since = duration(Date.now() - i.start);
    switch (i.kind) {
      case "activity":
        return el("li", { "data-kind": "activity" }, "Activity " + i.name + ", scheduled " + since + " ago");
      case "timer":
        return el("li", { "data-kind": "timer" }, "Durable timer, due " + time(i.fireAt));
      default:
        return el("li", { "data-kind": "sub-orchestration" }, "Sub-orchestration " + i.name + " ",
          i.child ? el("a", { href: "#/instance/" + encodeURIComponent(i.child), text: i.child }) : null);
    }
  });
  if (s === "Pending") {
    const started = history.find((e) => e.EventType === "ExecutionStarted");
    lines.unshift(el("li", { "data-kind": "start" }, started && started.ScheduledStartTime
      ? "Not started: scheduled to start " + time(started.ScheduledStartTime)
      : "Not started yet: waiting for a worker to take it"));
  } else if (s === "Suspended") {
    lines.unshift(el("li", { "data-kind": "suspended" }, "Suspended: what arrives is kept until it is resumed"));
  } else if (!open.length) {
    lines.push(el("li", { "data-kind": "event" },
      "No activity, timer or sub-orchestration is open: it waits for an external event (or an entity's answer)"));
  } else {
    // A wait for an event leaves no trace in the history until the event arrives.
    lines.push(el("li", { "data-kind": "maybe-event", class: "muted" }, "and any external event it waits for alongside"));
  }
  return section("Waiting on", el("ul", { id: "waiting-on" }, lines));
}

function timeline(status, history) {
  const items = timelineItems(status, history);
  // The status's times are in whole seconds; ExecutionStarted's has the milliseconds.
  const startEvent = history.find((e) => e.EventType === "ExecutionStarted");
  const started = Date.parse(startEvent ? startEvent.Timestamp : status.createdTime);
  const finished = !UNFINISHED.has(status.runtimeStatus);
  const last = history.length ? Date.parse(history[history.length - 1].Timestamp) : started;
  const end = Math.max(finished ? last : Date.now(), ...items.map((i) => i.end || 0), started + 1);
  const begin = Math.min(started, ...items.map((i) => i.start));
  const span = Math.max(end - begin, 1);
  if (!items.length) return el("p", { id: "timeline", class: "muted", text: "Nothing scheduled yet." });
  return el("div", { id: "timeline" },
    el("div", { class: "axis" }, el("span", { text: time(new Date(begin).toISOString()) }), el("span", { text: "total " + duration(span) })),
    items.map((i) => {
      const stop = i.end === null ? end : i.end;
      const left = ((i.start - begin) / span) * 100;
      const width = Math.max(((stop - i.start) / span) * 100, 0.5);
      return el("div", { class: "lane" },
        el("span", { class: "lane-name", text: i.name }),
        el("span", { class: "lane-track" },
          el("span", {
            class: "bar " + i.kind + " " + i.outcome,
            "data-kind": i.kind,
            "data-name": i.name,
            style: { left: left.toFixed(2) + "%", width: Math.min(width, 100 - left).toFixed(2) + "%" },
            title: i.name + ": " + (i.end === null ? "running for " : "") + duration(stop - i.start),
          })),
        el("span", { class: "lane-time muted", text: i.end === null ? "open" : duration(stop - i.start) }));
    }));
}

function historyTable(history) {
  const detail = (e) => e.Name || e.FunctionName || e.Reason || e.OrchestrationStatus || e.FireAt || e.PatchId || "";
  return el("table", { id: "history" },
    el("thead", {}, el("tr", {}, ["Time", "Event", "Name", "Result / input"].map((h) => el("th", { text: h })))),
    el("tbody", {}, history.map((e) =>
      el("tr", {},
        el("td", { text: time(e.Timestamp) }),
        el("td", { text: e.EventType }),
        el("td", { text: detail(e) }),
        el("td", {}, el("code", { text: json(e.Result !== undefined ? e.Result : e.FailureDetails || e.Input) }))))));
}

// ---- actions ----

function actions(status) {
  const base = API + "/instances/" + encodeURIComponent(status.instanceId);
  const s = status.runtimeStatus;
  const unfinished = UNFINISHED.has(s);
  const withReason = (path) => path + (valueOf("action-reason") ? "?reason=" + encodeURIComponent(valueOf("action-reason")) : "");
  // Posts to the API, then shows the instance (or what `then` says) as it is now.
  const act = (what, path, options, then) => async () => {
    try {
      const answer = await api(path(), Object.assign({ method: "POST" }, options ? options() : {}));
      showError("");
      if (then) then(answer); else route();
    } catch (e) {
      showError(what + " failed: " + e.message);
    }
  };
  const button = (id, label, enabled, onclick) => el("button", { id: id, disabled: !enabled, onclick: onclick, text: label });
  const raise = act("Raising the event",
    () => base + "/raiseEvent/" + encodeURIComponent(valueOf("event-name")),
    () => ({ headers: { "Content-Type": "application/json" }, body: valueOf("event-data") || "null" }));
  const purge = act("Purging", () => base, () => ({ method: "DELETE" }), () => { location.hash = "#/"; });
  const restart = act("Restarting", () => base + "/restart", null, (answer) => {
    location.hash = "#/instance/" + encodeURIComponent(answer.body && answer.body.id ? answer.body.id : status.instanceId);
  });
  return el("div", { id: "actions", class: "actions" },
    el("div", {},
      el("input", { id: "action-reason", placeholder: "reason (optional)" }),
      button("action-terminate", "Terminate", unfinished, act("Terminating", () => withReason(base + "/terminate"))),
      button("action-suspend", "Suspend", s === "Running" || s === "Pending", act("Suspending", () => withReason(base + "/suspend"))),
      button("action-resume", "Resume", s === "Suspended", act("Resuming", () => withReason(base + "/resume"))),
      button("action-rewind", "Rewind", s === "Failed", act("Rewinding", () => withReason(base + "/rewind"))),
      button("action-restart", "Restart", !unfinished, restart),
      button("action-purge", "Purge", !unfinished, () => { if (confirm("Purge " + status.instanceId + " and its history?")) purge(); })),
    el("div", {},
      el("input", { id: "event-name", placeholder: "event name" }),
      el("input", { id: "event-data", placeholder: "JSON data (optional)" }),
      button("action-raise", "Raise event", unfinished, () => { if (valueOf("event-name")) raise(); else showError("Name the event to raise."); })));
}

// ---- entities ----

async function showEntities(view, pages) {
  const mine = ++drawing;
  const token = pages.length ? pages[pages.length - 1] : "";
  let list;
  try {
    list = await api(API + "/entities?fetchState=true&top=" + PAGE_SIZE, { headers: token ? { "x-ms-continuation-token": token } : {} });
  } catch (e) {
    if (mine !== drawing) return;
    showError("Could not list entities: " + e.message);
    return;
  }
  if (mine !== drawing) return;
  const next = list.headers.get("x-ms-continuation-token");
  render(view,
    el("h1", { text: "Entities" }),
    el("table", { id: "entities" },
      el("thead", {}, el("tr", {}, ["Name", "Key", "Last operation", "State"].map((h) => el("th", { text: h })))),
      el("tbody", {}, list.body.length
        ? list.body.map((e) => el("tr", { "data-entity": "@" + e.entityId.name + "@" + e.entityId.key },
            el("td", { text: e.entityId.name }),
            el("td", { text: e.entityId.key }),
            el("td", { text: time(e.lastOperationTime) }),
            el("td", {}, el("code", { text: json(e.state) }))))
        : el("tr", {}, el("td", { colspan: 4, class: "muted", text: "No entity has state." })))),
    el("p", { class: "pager" },
      el("button", { disabled: !pages.length, onclick: () => showEntities(view, []), text: "First page" }),
      el("button", { disabled: !next, onclick: () => showEntities(view, pages.concat([next])), text: "Next" })));
}

// ---- workers and backlog ----

async function showWorkers(view) {
  const mine = ++drawing;
  let answer;
  try {
    answer = (await api("/dashboard/api/workers")).body;
  } catch (e) {
    if (mine !== drawing) return;
    showError("Could not read the workers: " + e.message);
    scheduleRefresh(() => showWorkers(view));
    return;
  }
  if (mine !== drawing) return;
  const b = answer.backlog;
  const backlog = b
    ? el("dl", { id: "backlog", class: "facts" },
        el("dt", { text: "Messages waiting" }), el("dd", { id: "backlog-messages", text: b.visibleMessages }),
        el("dt", { text: "Activity tasks" }), el("dd", { id: "backlog-tasks", text: b.activityTasks }),
        el("dt", { text: "Oldest waiting" }),
        el("dd", { id: "backlog-oldest", text: b.oldestVisibleAt ? duration(b.oldestWaitSeconds * 1000) + " (since " + time(b.oldestVisibleAt) + ")" : "none" }))
    : el("p", { class: "muted", text: "This store does not report its backlog." });
  const workers = answer.shared
    ? el("table", { id: "workers" },
        el("thead", {}, el("tr", {}, ["Worker", "Alive until", "Instances held", "Tasks held"].map((h) => el("th", { text: h })))),
        el("tbody", {}, answer.workers.map((w) =>
          el("tr", { "data-worker-id": w.workerId },
            el("td", {}, w.workerId, w.self ? el("span", { class: "muted", text: " (this host)" }) : null),
            el("td", { text: time(w.aliveUntil) }),
            el("td", { text: w.instancesHeld }),
            el("td", { text: w.tasksHeld })))))
    : el("p", { id: "workers", class: "muted", text: "This host runs alone on its store: no other workers share it." });
  render(view,
    el("h1", { text: "Workers" }),
    section("Backlog", backlog),
    section("Workers", workers));
  scheduleRefresh(() => showWorkers(view));
}
