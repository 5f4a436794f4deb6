// SiteHub gateway pages: live updates over server-sent events. Every value goes into the page
// through textContent, never innerHTML, so nothing a device sends can become markup.
"use strict";

(function () {
  const page = document.body.dataset.page;
  if (!page || page === "login") {
    return;
  }

  const fmtTime = (iso) => {
    if (!iso) { return ""; }
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString(document.documentElement.lang, { hour12: false });
  };

  const setText = (el, value) => { el.textContent = value === null || value === undefined ? "" : String(value); };

  function fill(row, data, format) {
    row.querySelectorAll("[data-f]").forEach((el) => {
      const f = el.dataset.f;
      const v = format && format[f] ? format[f](data[f], data, el) : data[f];
      setText(el, v);
    });
  }

  function upsertRow(tbody, key, data, templateId, format, prepend) {
    let row = tbody.querySelector(`tr[data-key="${CSS.escape(String(key))}"]`);
    if (!row) {
      row = document.getElementById(templateId).content.firstElementChild.cloneNode(true);
      row.dataset.key = key;
      if (prepend) { tbody.prepend(row); } else { tbody.append(row); }
    }
    fill(row, data, format);
    return row;
  }

  // Devices
  const devices = document.getElementById("devices");
  function renderDevice(d) {
    const words = devices.dataset;
    // The initial load and the live events can cross: a device's row never goes back to an older
    // state (every change of a device moves its last-seen time forward).
    const seen = d.lastSeen ? Date.parse(d.lastSeen) : 0;
    const existing = devices.tBodies[0].querySelector(`tr[data-key="${CSS.escape(String(d.sn))}"]`);
    if (existing && Number(existing.dataset.seen || 0) > seen) { return; }
    const row = upsertRow(devices.tBodies[0], d.sn, d, "device-row", {
      state: (_, x, el) => { el.className = "state " + (x.online ? "ok" : "bad"); return x.online ? words.online : words.offline; },
      sn: (v, _, el) => { el.href = "/devices/" + encodeURIComponent(v); return v; },
      direction: (v) => words[v] || v,
      lastSeen: fmtTime,
      enrolled: (v, x) => `${v ?? "-"} / ${x.roster}`,
      cached: (v, x) => x.capacity ? `${v ?? "-"} / ${x.capacity}` : v,
    });
    row.classList.toggle("offline", !d.online);
    row.classList.toggle("online", d.online);
    row.dataset.seen = String(seen);
  }

  // Pending devices
  const pending = document.getElementById("pending");
  function renderPending(list) {
    const tbody = pending.tBodies[0];
    const keep = new Set(list.map((p) => p.sn));
    tbody.querySelectorAll("tr").forEach((tr) => { if (!keep.has(tr.dataset.key)) { tr.remove(); } });
    list.forEach((p) => {
      const row = upsertRow(tbody, p.sn, p, "pending-row", { firstSeen: fmtTime });
      row.querySelectorAll("input[name=sn]").forEach((i) => { i.value = p.sn; });
    });
  }

  // Recent punches
  const punches = document.getElementById("punches");
  function renderPunch(p, prepend) {
    upsertRow(punches.tBodies[0], p.eventId, p, "punch-row", { occurredAt: fmtTime, direction: (v) => devices.dataset[v] || v }, prepend);
    const rows = punches.tBodies[0].rows;
    while (rows.length > 50) { rows[rows.length - 1].remove(); }
  }

  // Commands of one device
  const commands = document.getElementById("commands");
  const rank = { queued: 0, sent: 1, done: 2, failed: 2 };
  function renderCommand(c) {
    if (c.sn !== commands.dataset.sn) { return; }
    const tbody = commands.tBodies[0];
    const existing = tbody.querySelector(`tr[data-key="${c.id}"]`);
    // The initial load and the live events can cross: a state never goes back.
    if (existing && rank[existing.dataset.state] > rank[c.state]) { return; }
    const row = upsertRow(tbody, c.id, c, "command-row", {
      state: (v, _, el) => { el.className = "cstate " + v; el.dataset.state = v; return commands.dataset[v] || v; },
      createdAt: fmtTime,
      completedAt: fmtTime,
    }, true);
    row.dataset.state = c.state;
  }

  // Uplink panel and badge
  function renderUplink(u) {
    const badge = document.getElementById("uplink-badge");
    if (badge) {
      badge.className = "badge " + (u.connected ? "ok" : "bad");
      badge.dataset.backlog = u.backlog;
    }
    const state = document.getElementById("uplink-state");
    if (!state) { return; }
    state.className = "state " + (u.connected ? "ok" : "bad");
    setText(state, u.connected ? state.dataset.on : state.dataset.off);
    setText(document.getElementById("uplink-backlog"), u.backlog);
    setText(document.getElementById("uplink-oldest"), u.oldestAgeSeconds ?? "-");
    setText(document.getElementById("uplink-lastack"), fmtTime(u.lastAckAt) || "-");
    setText(document.getElementById("uplink-rate"), u.perMinute);
    setText(document.getElementById("uplink-error"), u.connected ? "" : (u.lastError || ""));
  }

  const getJson = (url) => fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((r) => { if (r.status === 401) { location.href = "/login"; } return r.json(); });

  // The tables load once the live stream is open (the server has subscribed this page by then),
  // and again after every reconnect, so no change falls between the load and the stream.
  function loadAll() {
    if (devices) { getJson("/ui/api/devices").then((list) => list.forEach(renderDevice)); }
    if (pending) { getJson("/ui/api/pending").then(renderPending); }
    if (punches) { getJson("/ui/api/punches").then((list) => list.slice().reverse().forEach((p) => renderPunch(p, true))); }
    if (commands) {
      getJson("/ui/api/devices/" + encodeURIComponent(commands.dataset.sn) + "/commands")
        .then((list) => list.slice().reverse().forEach(renderCommand));
    }
    getJson("/ui/api/uplink").then(renderUplink);
  }

  const source = new EventSource("/ui/events");
  source.addEventListener("open", loadAll);
  source.addEventListener("uplink", (e) => renderUplink(JSON.parse(e.data)));
  if (devices) {
    source.addEventListener("device", (e) => renderDevice(JSON.parse(e.data)));
    source.addEventListener("device-removed", (e) => {
      const sn = JSON.parse(e.data);
      const tr = devices.tBodies[0].querySelector(`tr[data-key="${CSS.escape(sn)}"]`);
      if (tr) { tr.remove(); }
    });
  }
  if (pending) { source.addEventListener("pending", (e) => renderPending(JSON.parse(e.data))); }
  if (punches) { source.addEventListener("punch", (e) => renderPunch(JSON.parse(e.data), true)); }
  if (commands) { source.addEventListener("command", (e) => renderCommand(JSON.parse(e.data))); }

  document.querySelectorAll("time[data-time]").forEach((t) => setText(t, fmtTime(t.dataset.time)));
})();
