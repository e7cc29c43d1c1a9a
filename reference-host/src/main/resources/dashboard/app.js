// The Prognos dashboard: plain JavaScript over the REST API, polled every 2 s (the issue's bound).
"use strict";
(function () {
  const API = "/api/v1/lstm";
  const POLL_MS = 2000;
  const LEVELS = ["low", "medium", "high", "critical"];
  // Colours the browser test looks for on the canvas: keep them opaque and distinct.
  const COLOURS = { reading: "rgb(32, 48, 63)", forecast: "rgb(26, 115, 232)", band: "rgb(190, 216, 247)",
    limit: "rgb(200, 30, 30)", warning: "rgb(230, 140, 0)", alert: "rgb(253, 228, 228)", score: "rgb(123, 31, 162)" };
  const state = { token: sessionStorage.getItem("prognos-token"), sort: { key: "level", dir: -1 },
    fleet: null, timer: null, chart: null, scoreChart: null, shape: null };
  window.prognos = state; // for the browser test and for curious engineers in the console

  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const num = (v, d) => (v === null || v === undefined ? "–" : Number(v).toFixed(d));
  const time = (iso) => (iso ? iso.replace("T", " ").replace(/(\.\d+)?Z$/, " UTC") : "–");
  const age = (s) => (s === null || s === undefined ? "–" : s < 0 ? "ahead of the clock" : s < 120 ? Math.round(s) + " s" : s < 7200 ? Math.round(s / 60) + " min" : s < 172800 ? Math.round(s / 3600) + " h" : Math.round(s / 86400) + " d");
  const level = (l) => `<span class="level level-${esc(l || "unknown")}">${esc(l || "no forecast")}</span>`;

  class HttpError extends Error { constructor(status, body) { super(body && body.error ? body.error : "HTTP " + status); this.status = status; this.body = body; } }

  async function call(method, path, body) {
    const headers = { Accept: "application/json" };
    if (state.token) headers.Authorization = "Bearer " + state.token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    let json = null;
    try { json = await r.json(); } catch (e) { /* a proxy's HTML error page: the status says enough */ }
    if (r.status === 401) { askForToken(state.token ? "The token was refused (401): check prognos.api-token." : ""); throw new HttpError(401, json); }
    if (!r.ok) throw new HttpError(r.status, json);
    return json;
  }

  function askForToken(message) {
    stop();
    $("fleet").hidden = true; $("sensor").hidden = true; $("login").hidden = false;
    $("login-error").textContent = message;
    $("token").focus();
  }

  $("login").addEventListener("submit", (e) => {
    e.preventDefault();
    state.token = $("token").value;
    sessionStorage.setItem("prognos-token", state.token);
    $("login").hidden = true;
    route();
  });

  function banner(text) { $("banner").hidden = !text; $("banner").textContent = text || ""; }

  async function health() {
    try {
      const r = await fetch("/health");
      const h = await r.json();
      const down = Object.entries(h.components).filter(([, v]) => v === "DOWN").map(([k]) => k);
      banner(down.length ? "Unavailable: " + down.join(", ") + " — readings and results may be delayed." : "");
    } catch (e) { banner("The host does not answer: " + e.message); }
  }

  // ---------- fleet view ----------
  const sortValue = {
    sensor: (r) => r.device_id + "/" + r.sensor_key,
    level: (r) => (r.risk_level ? LEVELS.indexOf(r.risk_level) * 1000 + (r.risk_score || 0) : -1),
    score: (r) => r.risk_score ?? -1, anomaly: (r) => r.anomaly_score ?? -1,
    ttf: (r) => r.time_to_failure_hours ?? Infinity, last: (r) => r.last_value ?? -Infinity,
    age: (r) => r.last_reading_age_seconds ?? Infinity, method: (r) => r.method || "", relmae: (r) => r.val_relmae ?? Infinity,
  };

  function renderFleet(f) {
    state.fleet = f;
    const c = f.level_counts;
    $("counts").innerHTML = [...LEVELS, "unknown"].map((l) => `${level(l === "unknown" ? null : l)} ${c[l] || 0}`).join(" &nbsp; ");
    const { key, dir } = state.sort;
    const rows = [...f.sensors].sort((a, b) => { const x = sortValue[key](a), y = sortValue[key](b); return (x < y ? -1 : x > y ? 1 : 0) * dir; });
    $("fleet-table").querySelector("tbody").innerHTML = rows.map((r) => {
      const href = `#/sensor/${encodeURIComponent(r.device_id)}/${encodeURIComponent(r.sensor_key)}`;
      const ttf = r.time_to_failure_hours === null ? "–" : `${num(r.time_to_failure_hours, 1)} h <span class="range">${num(r.time_to_failure_low_hours, 1)}–${num(r.time_to_failure_high_hours, 1)}</span>`;
      return `<tr data-sensor="${esc(r.device_id + "/" + r.sensor_key)}"><td><a href="${href}">${esc(r.device_id)}/${esc(r.sensor_key)}</a></td>`
        + `<td>${level(r.risk_level)}</td><td>${r.risk_score ?? "–"}</td><td>${num(r.anomaly_score, 2)}</td><td>${ttf}</td>`
        + `<td>${num(r.last_value, 2)}</td><td>${age(r.last_reading_age_seconds)}</td><td>${esc(r.method || "no model")}</td><td>${num(r.val_relmae, 2)}</td></tr>`;
    }).join("");
    document.querySelectorAll("#fleet-table th").forEach((th) => {
      const b = th.querySelector("button");
      if (b.dataset.sort === key) th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending"); else th.removeAttribute("aria-sort");
    });
    const until = Date.now() + Number($("days").value) * 86400000;
    const due = f.schedule.schedule.filter((e) => !e.act_by || Date.parse(e.act_by) <= until);
    $("schedule").innerHTML = due.length ? due.map((e) => `<li>${level(e.risk_level)} <strong>${esc(e.device_id)}/${esc(e.sensor_key)}</strong>`
      + ` act by ${time(e.act_by)}<br>${esc(e.recommended_action || "")}</li>`).join("") : "<li>nothing due</li>";
    $("alerts").innerHTML = f.alerts.length ? f.alerts.slice(0, 10).map(alertItem).join("") : "<li>none since the host started</li>";
  }

  // What to do on a raise, and why on hovering it (the risk's reasons); a close's note after it.
  const alertItem = (a) => `<li class="alert-item" title="${esc(a.why || "")}">${time(a.at)} <strong>${esc(a.device_id)}/${esc(a.sensor_key)}</strong> ${esc(a.state)}: ${level(a.risk_level)}`
    + (a.previous_level ? ` (was ${esc(a.previous_level)})` : "")
    + (a.state === "raised" && a.recommended_action ? ` &ndash; ${esc(a.recommended_action)}` : "")
    + (a.state === "closed" && a.why ? ` &ndash; ${esc(a.why)}` : "") + "</li>";

  document.querySelectorAll("#fleet-table th button").forEach((b) => b.addEventListener("click", () => {
    const k = b.dataset.sort;
    state.sort = { key: k, dir: state.sort.key === k ? -state.sort.dir : (k === "sensor" || k === "ttf" || k === "age" ? 1 : -1) };
    if (state.fleet) renderFleet(state.fleet);
  }));
  $("days").addEventListener("change", () => state.fleet && renderFleet(state.fleet));

  // ---------- sensor view ----------
  function sensorPath(s) { return `${encodeURIComponent(s.device)}/${encodeURIComponent(s.key)}`; }

  function chartData(v) {
    const xs = new Set();
    v.readings.forEach((p) => xs.add(Date.parse(p.ts) / 1000));
    const fc = v.forecast ? v.forecast.forecasts : [];
    fc.forEach((p) => xs.add(Date.parse(p.timestamp) / 1000));
    const x = [...xs].sort((a, b) => a - b);
    const at = new Map(x.map((t, i) => [t, i]));
    const col = () => x.map(() => null);
    const reading = col(), forecast = col(), lower = col(), upper = col();
    v.readings.forEach((p) => { reading[at.get(Date.parse(p.ts) / 1000)] = p.value; });
    fc.forEach((p) => { const i = at.get(Date.parse(p.timestamp) / 1000); forecast[i] = p.predicted_value; lower[i] = p.confidence_lower; upper[i] = p.confidence_upper; });
    const series = [{ label: "time" }, { label: "reading", stroke: COLOURS.reading, width: 1.5 },
      { label: "forecast", stroke: COLOURS.forecast, width: 2 },
      { label: "lower", stroke: COLOURS.band, width: 1 }, { label: "upper", stroke: COLOURS.band, width: 1 }];
    const data = [x, reading, forecast, lower, upper];
    const limits = v.limits || {};
    for (const [name, colour] of [["high", COLOURS.limit], ["warning_high", COLOURS.warning], ["warning_low", COLOURS.warning], ["low", COLOURS.limit]]) {
      if (limits[name] !== null && limits[name] !== undefined) {
        series.push({ label: "limit " + name.replace("_", " "), stroke: colour, width: 2, dash: name.startsWith("warning") ? [6, 4] : undefined });
        data.push(x.map(() => limits[name]));
      }
    }
    return { series, data };
  }

  // Alert episodes from raise to clear or close (or to now), shaded under everything else.
  function episodes(v) {
    const out = []; let start = null;
    for (const a of v.alerts) {
      if (a.state === "raised" && start === null) start = Date.parse(a.at) / 1000;
      if ((a.state === "cleared" || a.state === "closed") && start !== null) { out.push([start, Date.parse(a.at) / 1000]); start = null; }
    }
    if (start !== null) out.push([start, Infinity]);
    return out;
  }

  function shade(u, spans) {
    const { ctx, bbox } = u;
    ctx.save(); ctx.fillStyle = COLOURS.alert;
    for (const [a, b] of spans) {
      const x0 = Math.max(bbox.left, u.valToPos(a, "x", true));
      const x1 = Math.min(bbox.left + bbox.width, b === Infinity ? bbox.left + bbox.width : u.valToPos(b, "x", true));
      if (x1 > x0) ctx.fillRect(x0, bbox.top, x1 - x0, bbox.height);
    }
    ctx.restore();
  }

  // The interval band: a polygon from the upper bounds forward and the lower bounds back.
  function band(u) {
    const [x, , , lower, upper] = u.data;
    const idx = x.map((_, i) => i).filter((i) => lower[i] !== null && upper[i] !== null);
    if (idx.length < 1) return;
    const { ctx } = u;
    ctx.save(); ctx.fillStyle = COLOURS.band; ctx.beginPath();
    idx.forEach((i, n) => { const px = u.valToPos(x[i], "x", true), py = u.valToPos(upper[i], "y", true); n ? ctx.lineTo(px, py) : ctx.moveTo(px, py); });
    [...idx].reverse().forEach((i) => ctx.lineTo(u.valToPos(x[i], "x", true), u.valToPos(lower[i], "y", true)));
    ctx.closePath(); ctx.fill(); ctx.restore();
  }

  function size() { return { width: Math.max(320, $("sensor").clientWidth - 34), height: 320 }; }

  function drawSensor(v) {
    $("sensor-title").textContent = `${v.device_id}/${v.sensor_key}`;
    const r = v.risk;
    $("sensor-risk").innerHTML = r ? `${level(r.risk_level)} score ${r.risk_score}, time to failure ${r.time_to_failure_hours === null ? "none within the horizon" : num(r.time_to_failure_hours, 1) + " h"}: ${esc(r.recommended_action)}` : level(null);
    const { series, data } = chartData(v);
    const spans = episodes(v);
    const shape = series.map((s) => s.label).join("|");
    if (!state.chart || state.shape !== shape) {
      if (state.chart) state.chart.destroy();
      if (state.scoreChart) state.scoreChart.destroy();
      const sync = uPlot.sync("prognos");
      const cursor = { sync: { key: sync.key } };
      state.chart = new uPlot({ ...size(), title: "Readings, forecast and its interval", series, cursor,
        hooks: { drawClear: [(u) => { shade(u, state.spans); band(u); }] } }, data, $("chart"));
      state.scoreChart = new uPlot({ ...size(), height: 160, title: "Anomaly score per interval", cursor,
        scales: { x: { time: true }, y: { range: [0, 1] } },
        series: [{ label: "time" }, { label: "anomaly score", stroke: COLOURS.score, width: 1.5, points: { show: true, size: 4 } },
          { label: "threshold", stroke: COLOURS.limit, width: 1, dash: [4, 4] }],
        hooks: { drawClear: [(u) => shade(u, state.spans)] } }, [[], [], []], $("score-chart"));
      state.shape = shape;
    }
    state.spans = spans;
    state.chart.setData(data);
    const sx = v.anomaly_scores.map((p) => Date.parse(p.ts) / 1000);
    state.scoreChart.setData([sx, v.anomaly_scores.map((p) => p.value), sx.map(() => v.anomaly_threshold)]);
    // Both charts on the chart's time axis, so a score sits under its reading.
    if (data[0].length) state.scoreChart.setScale("x", { min: data[0][0], max: data[0][data[0].length - 1] });

    const m = v.model, c = v.coverage;
    $("model-facts").innerHTML = m ? `<dt>trained at</dt><dd id="trained-at">${time(m.trained_at)}</dd><dt>method</dt><dd>${esc(m.served_method)}</dd>`
      + `<dt>windows</dt><dd>${m.sample_count}</dd><dt>validation relMAE</dt><dd>${num(m.val_relmae, 3)}</dd>`
      + `<dt title="Hyndman and Koehler's MASE on windows held out of training: below 1 beats the one-step naive forecast">MASE (held out)</dt><dd id="model-mase">${m.mase === undefined ? "not given (a model of an earlier release, or a history that never changed)" : num(m.mase, 3)}</dd>`
      + `<dt title="Retrain and the host's scheduled retrainings repeat them">training options</dt><dd id="train-options">${Object.keys(m.train_options ?? {}).length ? esc(Object.entries(m.train_options).map(([k, o]) => `${k}=${o}`).join(", ")) : "none (the plugin's settings)"}</dd>`
      + `<dt>coverage so far</dt><dd>${c.share === null ? "no interval completed yet" : `${num(100 * c.share, 0)} % of ${c.intervals} (nominal ${num(100 * c.nominal, 0)} %)`}</dd>`
      : `<dt>model</dt><dd id="trained-at">none yet</dd>`;
    if (v.training_problem) $("model-facts").innerHTML += `<dt>last training</dt><dd id="training-problem">${esc(v.training_problem)}</dd>`;
    if (v.forecast_problem) $("model-facts").innerHTML += `<dt>no forecast</dt><dd id="forecast-problem">${esc(v.forecast_problem)}</dd>`;
    $("sensor-alerts").innerHTML = v.alerts.length ? [...v.alerts].reverse().map(alertItem).join("") : "<li>none since the host started</li>";
    // Offered while the newest alert listed is a raise (the list is oldest first).
    const newest = v.alerts[v.alerts.length - 1];
    $("close-alert").hidden = !(newest && newest.state === "raised");
    $("close-alert-note").hidden = $("close-alert").hidden;
    const form = $("limits-form");
    // Never over an edit not yet submitted: a poll landing after the user clicked elsewhere would erase it.
    if (!state.limitsEdited && !form.contains(document.activeElement)) {
      for (const k of ["low", "warning_low", "warning_high", "high"]) form.elements[k].value = v.limits[k] ?? "";
    }
  }

  $("retrain").addEventListener("click", async () => {
    const s = state.sensor; const out = $("retrain-result");
    out.className = ""; out.textContent = "training …"; $("retrain").disabled = true;
    try {
      // With the options the model was trained with, as the host's scheduled retrainings: a model
      // trained over REST at an hourly interval is not replaced by one of the defaults. The host
      // picks them (those its plugin still takes), not the page from its listing.
      const t = await call("POST", API + "/train", { device_id: s.device, sensor_key: s.key, keep_options: true });
      out.textContent = `trained at ${time(t.model.trained_at)} in ${num(t.training_time_seconds, 1)} s, serving ${t.model.served_method}`;
      refresh();
    } catch (e) { out.className = "error"; out.textContent = "Retraining failed: " + e.message; }
    finally { $("retrain").disabled = false; }
  });

  $("close-alert").addEventListener("click", async () => {
    const s = state.sensor; const out = $("close-alert-result");
    $("close-alert").disabled = true;
    try {
      const note = $("close-alert-note").value.trim();
      const c = await call("DELETE", `${API}/alerts/${sensorPath(s)}` + (note ? "?note=" + encodeURIComponent(note) : ""));
      out.className = ""; out.textContent = `alert closed (${c.risk_level}, as of ${time(c.at)})`;
      $("close-alert-note").value = "";
      refresh();
    } catch (e) { out.className = "error"; out.textContent = "Not closed: " + e.message; }
    finally { $("close-alert").disabled = false; }
  });

  for (const ev of ["input", "change"]) $("limits-form").addEventListener(ev, () => { state.limitsEdited = true; });

  $("limits-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const s = state.sensor; const out = $("limits-result"); const body = {};
    for (const k of ["low", "warning_low", "warning_high", "high"]) { const v = e.target.elements[k].value; body[k] = v === "" ? null : Number(v); }
    try {
      await call("PUT", `${API}/limits/${sensorPath(s)}`, body);
      out.className = ""; out.textContent = "limits set until the host stops (prognos.limits keeps them)";
      state.limitsEdited = false;
      document.activeElement.blur(); refresh();
    } catch (err) { out.className = "error"; out.textContent = "Limits refused: " + err.message; }
  });

  // ---------- routing and polling ----------
  async function refresh() {
    health(); // on its own: a data call that waits for a stuck database must not hide the banner
    try {
      if (state.sensor) drawSensor(await call("GET", `${API}/sensors/${sensorPath(state.sensor)}`));
      else {
        const f = await call("GET", API + "/fleet");
        const t0 = performance.now();
        renderFleet(f);
        state.renderMs = performance.now() - t0; // read by the browser test's 1,000-sensor run
      }
      $("updated").textContent = "updated " + new Date().toISOString().slice(11, 19) + " UTC";
    } catch (e) {
      if (e.status === 401) return;
      banner(e.status ? `The host answered ${e.status}: ${e.message}` : "The host does not answer: " + e.message);
    }
  }

  function stop() { if (state.timer) clearInterval(state.timer); state.timer = null; }

  function route() {
    stop();
    const m = location.hash.match(/^#\/sensor\/([^/]+)\/([^/]+)$/);
    state.sensor = m ? { device: decodeURIComponent(m[1]), key: decodeURIComponent(m[2]) } : null;
    $("login").hidden = true;
    $("fleet").hidden = !!state.sensor; $("sensor").hidden = !state.sensor;
    if (!state.sensor && state.chart) { state.chart.destroy(); state.scoreChart.destroy(); state.chart = null; state.shape = null; }
    $("retrain-result").textContent = ""; $("limits-result").textContent = ""; $("close-alert-result").textContent = ""; $("close-alert-note").value = ""; state.limitsEdited = false;
    refresh();
    state.timer = setInterval(refresh, POLL_MS);
  }

  window.addEventListener("hashchange", route);
  window.addEventListener("resize", () => { if (state.chart) { state.chart.setSize(size()); state.scoreChart.setSize({ ...size(), height: 160 }); } });
  route();
})();
