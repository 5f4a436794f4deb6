// SiteHub hub pages: live updates over server-sent events and the headcount charts (inline SVG,
// drawn here: no chart library, no CDN). Every value goes into the page through textContent or
// SVG attributes, never innerHTML, so nothing a gateway or a CSV sends can become markup.
"use strict";

(function () {
  const page = document.body.dataset.page;
  document.querySelectorAll("time[data-time]").forEach((t) => { t.textContent = fmtTime(t.dataset.time); });
  if (page !== "overview" && page !== "alerts") {
    return;
  }

  function fmtTime(iso) {
    if (!iso) { return ""; }
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString(document.documentElement.lang, { hour12: false });
  }

  const setText = (el, value) => { el.textContent = value === null || value === undefined ? "" : String(value); };
  const SVG = "http://www.w3.org/2000/svg";

  function drawChart(svg, points, dayStart) {
    while (svg.firstChild) { svg.firstChild.remove(); }
    const w = 300, h = 80, pad = 4;
    const now = Date.now();
    const pts = (points || []).map((p) => ({ t: new Date(p.at).getTime(), v: p.onSite })).filter((p) => !isNaN(p.t));
    // The site's day from midnight (its own zone); without one, the last hour at least.
    const start = new Date(dayStart).getTime();
    const first = pts.length ? pts[0].t : now;
    const from = !isNaN(start) && start > 0 && start < now ? start : Math.max(now - 24 * 3600 * 1000, Math.min(first, now - 3600 * 1000));
    svg.dataset.points = String(pts.length);
    const max = Math.max(1, ...pts.map((p) => p.v));
    const x = (t) => pad + (Math.min(Math.max(t, from), now) - from) / (now - from) * (w - 2 * pad);
    const y = (v) => h - pad - v / max * (h - 2 * pad);
    const grid = document.createElementNS(SVG, "line");
    grid.setAttribute("x1", pad); grid.setAttribute("x2", w - pad); grid.setAttribute("y1", h - pad); grid.setAttribute("y2", h - pad);
    grid.setAttribute("class", "axis");
    svg.append(grid);
    if (pts.length === 0) { return; }
    // A step line: the headcount holds until the next change.
    let d = `M ${x(pts[0].t).toFixed(1)} ${y(pts[0].v).toFixed(1)}`;
    for (let i = 1; i < pts.length; i++) {
      d += ` H ${x(pts[i].t).toFixed(1)} V ${y(pts[i].v).toFixed(1)}`;
    }
    d += ` H ${x(now).toFixed(1)}`;
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", d);
    path.setAttribute("class", "line");
    svg.append(path);
    const label = document.createElementNS(SVG, "text");
    label.setAttribute("x", pad + 2); label.setAttribute("y", 12); label.setAttribute("class", "max");
    label.textContent = String(max);
    svg.append(label);
    svg.dataset.max = String(max);
  }

  // Overview
  const sites = document.getElementById("sites");
  function renderSite(s) {
    let card = sites.querySelector(`article[data-key="${CSS.escape(s.siteId)}"]`);
    if (!card) {
      card = document.getElementById("site-card").content.firstElementChild.cloneNode(true);
      card.dataset.key = s.siteId;
      sites.append(card);
      const none = document.getElementById("no-sites");
      if (none) { none.remove(); }
    }
    const words = sites.dataset;
    const values = {
      siteId: s.siteId,
      onSite: s.onSite,
      devices: `${s.devicesOnline ?? "-"} / ${s.devicesOffline ?? "-"}`,
      backlog: s.backlog ?? "-",
      lastContact: fmtTime(s.lastContact) || words.never,
      openHigh: s.openHigh, openMedium: s.openMedium, openLow: s.openLow,
      gateway: s.gatewayConnected ? words.online : words.offline,
    };
    card.querySelectorAll("[data-f]").forEach((el) => setText(el, values[el.dataset.f]));
    const state = card.querySelector("[data-f=gateway]");
    state.className = "state " + (s.gatewayConnected ? "ok" : "bad");
    card.dataset.onSite = s.onSite;
    card.querySelector("[data-f=siteId]").href = "/sites/" + encodeURIComponent(s.siteId);
    drawChart(card.querySelector("svg.chart"), s.today, s.dayStart);
  }

  // Alerts feed
  const alerts = document.getElementById("alerts");
  const words = (document.getElementById("words") || document.body).dataset;
  function matches(a) {
    const f = alerts.dataset;
    if (f.type && a.type !== f.type) { return false; }
    if (f.severity && a.severity !== f.severity) { return false; }
    if (f.project && a.projectId !== f.project) { return false; }
    if (f.contractor && !(a.contractors || []).includes(f.contractor)) { return false; }
    if (f.month && a.wageMonth !== f.month) { return false; }
    if (f.status === "active" && a.status === "resolved") { return false; }
    if (f.status && f.status !== "active" && a.status !== f.status) { return false; }
    return true;
  }
  function renderAlert(a) {
    const tbody = alerts.tBodies[0];
    let row = tbody.querySelector(`tr[data-key="${a.id}"]`);
    if (!matches(a)) { if (row) { row.remove(); } return; }
    const isNew = !row;
    if (isNew) {
      row = document.getElementById("alert-row").content.firstElementChild.cloneNode(true);
      row.dataset.key = a.id;
      tbody.prepend(row);
      row.classList.add("new");
    }
    row.className = "sev-" + a.severity + (isNew ? " new" : "");
    const money = (v) => (v === null || v === undefined ? "" : Number(v).toFixed(2));
    const values = {
      id: a.id, type: a.type, severity: words["sev_" + a.severity] || a.severity, projectId: a.projectId,
      contractors: (a.contractors || []).join(" / "), workerId: a.workerId || a.subject,
      wageMonth: a.wageMonth, days: a.days, expected: money(a.expected), paid: money(a.paid),
      status: words["status_" + a.status] || a.status, raisedAt: fmtTime(a.raisedAt),
    };
    row.querySelectorAll("[data-f]").forEach((el) => setText(el, values[el.dataset.f]));
    row.querySelector("a[data-f=id]").href = "/alerts/" + encodeURIComponent(a.id);
  }

  const getJson = (url) => fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((r) => { if (r.status === 401) { location.href = "/login"; } return r.json(); });

  function loadAll() {
    if (sites) { getJson("/ui/api/sites").then((list) => list.forEach(renderSite)); }
  }

  if (sites) {
    sites.querySelectorAll("article.site").forEach((card) => {
      card.querySelector("svg.chart").dataset.pending = "1";
    });
  }

  const source = new EventSource("/ui/events");
  // Marks the page live once the stream is open (what a test waits for before it changes anything).
  source.addEventListener("hello", () => { document.body.dataset.live = "connected"; loadAll(); });
  source.addEventListener("error", () => { delete document.body.dataset.live; });
  if (sites) { source.addEventListener("site", (e) => renderSite(JSON.parse(e.data))); }
  if (alerts) { source.addEventListener("alert", (e) => renderAlert(JSON.parse(e.data))); }
})();
