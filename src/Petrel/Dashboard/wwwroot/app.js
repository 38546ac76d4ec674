// Petrel dashboard: renders /api/state, then follows /api/events (Server-Sent Events) without reloading.
"use strict";
(function () {
  let csrf = null, canAct = false;
  const history = new Map(); // CHILD_SA unique id -> [{t, bin, bout}] for the rate graph (last 60 samples)

  const $ = (sel) => document.querySelector(sel);
  const el = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else if (k.startsWith("data-")) e.setAttribute(k, v); else e[k] = v;
    }
    for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(k == null ? "" : String(k)));
    return e;
  };
  const seconds = (s) => {
    if (s === null || s === undefined) return "-";
    if (s < 0) s = 0;
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return (h ? h + "h " : "") + (h || m ? m + "m " : "") + r + "s";
  };
  const bytes = (n) => n < 1024 ? n + " B" : n < 1048576 ? (n / 1024).toFixed(1) + " KiB" : (n / 1048576).toFixed(1) + " MiB";

  function message(text, error) {
    const m = $("#message");
    m.textContent = text;
    m.className = error ? "error" : "";
  }

  async function act(action, connection, child) {
    message(action + " " + connection + (child ? " " + child : "") + " …");
    try {
      const r = await fetch("/api/" + action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf || "" },
        body: JSON.stringify({ connection: connection, child: child || null }),
      });
      const body = await r.json();
      message(body.ok ? body.message : body.error, !body.ok);
    } catch (e) {
      message(String(e), true);
    }
  }

  function buttons(connection, child) {
    const span = el("span", { class: "actions" });
    for (const action of ["up", "down", "rekey"]) {
      const b = el("button", { type: "button", class: "act-" + action, disabled: !canAct, title: canAct ? "" : "sign in with the dashboard token to act" }, action);
      b.setAttribute("data-connection", connection);
      if (child) b.setAttribute("data-child", child);
      b.addEventListener("click", () => act(action, connection, child));
      span.append(b, " ");
    }
    return span;
  }

  function drawRate(canvas, samples) {
    const ctx = canvas.getContext("2d");
    const w = canvas.width, h = canvas.height;
    ctx.clearRect(0, 0, w, h);
    const rates = [];
    for (let i = 1; i < samples.length; i++) {
      const dt = (samples[i].t - samples[i - 1].t) / 1000 || 1;
      rates.push({ i: Math.max(0, samples[i].bin - samples[i - 1].bin) / dt, o: Math.max(0, samples[i].bout - samples[i - 1].bout) / dt });
    }
    const max = Math.max(1, ...rates.map((r) => Math.max(r.i, r.o)));
    for (const [key, color] of [["i", "rgb(46, 125, 50)"], ["o", "rgb(21, 101, 192)"]]) {
      ctx.strokeStyle = color;
      ctx.beginPath();
      rates.forEach((r, k) => {
        const x = (k / 59) * w, y = h - (r[key] / max) * (h - 2) - 1;
        if (k === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      });
      ctx.stroke();
    }
    const last = rates[rates.length - 1];
    canvas.title = last ? "in " + bytes(Math.round(last.i)) + "/s, out " + bytes(Math.round(last.o)) + "/s" : "";
    canvas.setAttribute("data-rate-in", last ? Math.round(last.i) : 0);
    canvas.setAttribute("data-rate-out", last ? Math.round(last.o) : 0);
  }

  function render(state) {
    if (state.csrf !== undefined) csrf = state.csrf;
    if (state.can_act !== undefined) canAct = state.can_act;
    $("#version").textContent = "Petrel " + state.version;

    const conns = $("#connections tbody");
    conns.replaceChildren();
    for (const c of state.connections) {
      const mine = state.sas.filter((s) => s.name === c.name);
      const count = mine.length;
      const k = (state.counters || {})[c.name] || { messages_in: 0, messages_out: 0, retransmits: 0, ike_rekeys: 0, child_rekeys: 0 };
      let bin = 0, bout = 0;
      for (const sa of mine) for (const ch of sa.children || []) { bin += ch.bytes_in; bout += ch.bytes_out; }
      const msgs = el("td", { class: "ike-messages" }, k.messages_in + " / " + k.messages_out);
      msgs.setAttribute("data-in", k.messages_in);
      msgs.setAttribute("data-out", k.messages_out);
      const traffic = el("td", { class: "traffic" }, bytes(bin) + " / " + bytes(bout));
      traffic.setAttribute("data-bytes-in", bin);
      traffic.setAttribute("data-bytes-out", bout);
      const tr = el("tr", { class: "connection" }, el("td", {}, c.name), el("td", {}, (c.local_addrs || []).join(", ")),
        el("td", {}, (c.remote_addrs || []).join(", ")), el("td", {}, (c.children || []).map((x) => x.name).join(", ")),
        el("td", {}, count), msgs, el("td", {}, k.retransmits), el("td", {}, k.ike_rekeys + " / " + k.child_rekeys), traffic,
        el("td", {}, buttons(c.name, null)));
      tr.setAttribute("data-connection", c.name);
      conns.append(tr);
    }

    const sas = $("#sas");
    sas.replaceChildren();
    const now = Date.now();
    for (const sa of state.sas) {
      const box = el("div", { class: "ike" });
      box.setAttribute("data-ike-sa-id", sa.unique_id);
      box.setAttribute("data-connection", sa.name);
      const st = el("span", { class: "state state-" + sa.state }, sa.state);
      st.setAttribute("data-state", sa.state);
      box.append(el("h3", {}, sa.name + "[" + sa.unique_id + "]", st,
        el("span", {}, sa.local_host + " [" + sa.local_id + "] … " + sa.remote_host + " [" + sa.remote_id + "]"), buttons(sa.name, null)));
      box.append(el("div", {}, (sa.initiator ? "initiator" : "responder") + ", SPIs " + sa.initiator_spi + "_i " + sa.responder_spi + "_r, " +
        [sa.encr, sa.integ, sa.prf, sa.dh].filter((x) => x).join("/") + ", established " + seconds(sa.established_seconds) +
        ", rekey in " + seconds(sa.rekey_seconds) + ", reauth in " + seconds(sa.reauth_seconds) + ", expires in " + seconds(sa.expire_seconds)));
      const table = el("table", { class: "children" }, el("thead", {}, el("tr", {}, ...["CHILD_SA", "state", "SPIs in/out", "algorithms", "TS", "bytes in", "bytes out", "packets in/out", "rekey in", "expires in", "rate", ""].map((h) => el("th", {}, h)))));
      const body = el("tbody");
      for (const c of sa.children || []) {
        const key = c.unique_id;
        const samples = history.get(key) || [];
        samples.push({ t: now, bin: c.bytes_in, bout: c.bytes_out });
        while (samples.length > 60) samples.shift();
        history.set(key, samples);
        const canvas = el("canvas", { class: "rate", width: 240, height: 48 });
        const tr = el("tr", { class: "child" }, el("td", {}, c.name + "{" + c.unique_id + "}"), el("td", { class: "child-state" }, c.state),
          el("td", {}, c.spi_in + " / " + c.spi_out), el("td", {}, [c.protocol, c.mode, c.encr, c.integ, c.dh].filter((x) => x).join(" ")),
          el("td", {}, (c.local_ts || []).join(",") + " === " + (c.remote_ts || []).join(",")),
          el("td", { class: "bytes-in" }, c.bytes_in), el("td", { class: "bytes-out" }, c.bytes_out),
          el("td", {}, c.packets_in + " / " + c.packets_out), el("td", {}, seconds(c.rekey_seconds)), el("td", {}, seconds(c.expire_seconds)),
          el("td", {}, canvas), el("td", {}, buttons(sa.name, c.name)));
        tr.setAttribute("data-child-sa-id", c.unique_id);
        body.append(tr);
        drawRate(canvas, samples);
      }
      table.append(body);
      box.append(table);
      sas.append(box);
    }
    if (state.sas.length === 0) sas.append(el("p", {}, "no IKE SAs"));

    const events = $("#events tbody");
    events.replaceChildren();
    for (const e of (state.events || []).slice().reverse().slice(0, 50)) {
      const tr = el("tr", { class: e.event === "failure" ? "failure" : "" }, el("td", {}, e.time), el("td", {}, e.event + (e.up === true ? " up" : e.up === false ? " down" : "") + (e.failure ? " (" + e.failure + ")" : "")),
        el("td", {}, (e.connection || "-") + (e.ike_sa_id ? "[" + e.ike_sa_id + "]" : "") + (e.child ? " " + e.child + "{" + e.child_sa_id + "}" : "")),
        el("td", {}, e.child_state || e.state || ""), el("td", {}, e.reason || ""));
      events.append(tr);
    }
  }

  async function load() {
    const r = await fetch("/api/state", { credentials: "same-origin" });
    if (r.status === 401) { location.href = "/login"; return; }
    render(await r.json());
  }

  function follow() {
    const source = new EventSource("/api/events");
    source.addEventListener("open", () => { $("#live").textContent = "live"; $("#live").className = "live on"; });
    source.addEventListener("error", () => { $("#live").textContent = "offline"; $("#live").className = "live off"; });
    source.addEventListener("state", (m) => render(JSON.parse(m.data)));
  }

  load().then(follow);
})();
