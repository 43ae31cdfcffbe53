// The live view's page: the state pushed over the WebSocket (watch/web.ts), drawn with d3.
// Every request carries the token of the URL npm run watch printed (socket.js).
/* global d3 */
const { token } = window.bondlab;
const LACP_LETTERS = { 0: "A", 1: "T", 2: "G", 3: "S", 4: "C", 5: "D", 6: "F", 7: "E" };
const bits = (state) =>
    state === null ? "" : Object.entries(LACP_LETTERS).filter(([i]) => (state >> Number(i)) & 1).map(([, l]) => l).join("");
const clock = (ms) => (ms > 0 ? new Date(ms).toISOString().slice(11, 23) : "--:--:--.---");
let actionsDrawn = false;

// A lab of a class (/lab/<stack>/...): a way back to the class's tiles.
if (location.pathname.includes("/lab/")) {
    const back = document.createElement("a");
    back.href = `${location.pathname.split("/lab/")[0]}/?token=${encodeURIComponent(token)}`;
    back.textContent = "← the class";
    document.querySelector("header").prepend(back);
}


/** Each fault made from the view, measured as the drill measures a row: verdict, outage, bound and why. */
function drawRows(rows) {
    const section = document.getElementById("rows");
    section.hidden = rows.length === 0;
    const item = d3
        .select(section)
        .select("ol")
        .selectAll("li")
        .data(rows)
        .join((enter) => {
            const li = enter.append("li");
            li.append("p").attr("class", "row-head");
            li.append("p").attr("class", "row-why");
            return li;
        })
        .attr("class", (r) => `verdict-${r.verdict}`);
    item.select(".row-head").text(
        (r) =>
            `${r.mark} ${r.verdict}: ${r.title}: ${r.verdict === "measuring" ? "" : "outage "}${r.outage}` +
            (r.bound ? `, bound ${r.bound}` : "") +
            (r.reasons ? ` (${r.reasons})` : ""),
    );
    item.select(".row-why").text((r) => r.explanation ?? "");
}

/** One slave end's state, for its colour and its words. */
function endState(view, slave, mode) {
    if (!slave) return { state: "absent", colour: "#bbb" };
    if (slave.admin === "down") return { state: "admin down", colour: "#c62828", dash: "6 4" };
    if (slave.carrier === false) return { state: "no carrier", colour: "#c62828", dash: "2 4" };
    if (slave.mii !== "up") return { state: `MII ${slave.mii}`, colour: "#e65100" };
    if (mode === "802.3ad") {
        const distributing = ((slave.actor ?? 0) >> 5) & 1;
        return distributing
            ? { state: "distributing", colour: "#2e7d32", width: 6 }
            : { state: "not distributing", colour: "#f9a825" };
    }
    if (view.tick?.active) {
        return view.tick.active === slave.name
            ? { state: "active", colour: "#2e7d32", width: 6 }
            : { state: "backup", colour: "#9e9e9e" };
    }
    return { state: "up", colour: "#2e7d32", width: 4 };
}

function draw(s) {
    const { lab } = s;
    const [a, b] = lab.routers.map((r) => s.nodes[r.name]);
    document.getElementById("title").textContent = `bondlab watch · stack ${lab.stack} · ${lab.variant} · ${lab.mode}`;
    document.getElementById("clock").textContent = `${clock(s.now)} (the Docker host's clock)`;
    drawTopology(s, a, b);
    const why = document.getElementById("why");
    why.hidden = s.why.length === 0;
    d3.select(why).selectAll("p").data(s.why).join("p").text((w) => `why: ${w}`);
    drawNodes(s);
    drawPings(s);
    if (s.canAct && !actionsDrawn) drawActions(lab);
    drawRows(s.rows);
    d3.select("#events")
        .selectAll("li")
        .data(s.events)
        .join("li")
        .text((e) => `${clock(e.at)} ${e.node.padEnd(14)} ${e.text}`);
}

function drawTopology(s, a, b) {
    const { lab } = s;
    const width = 900;
    const height = 60 + 80 * lab.channels.length;
    const svg = d3.select("#topology").selectAll("svg").data([0]).join("svg").attr("viewBox", `0 0 ${width} ${height}`);
    const box = [
        { name: a.name, x: 20, view: a },
        { name: b.name, x: width - 180, view: b },
    ];
    svg.selectAll("g.router")
        .data(box)
        .join((enter) => {
            const g = enter.append("g").attr("class", "router");
            g.append("rect").attr("rx", 8).attr("fill", "#eef2f7").attr("stroke", "#556");
            g.append("text").attr("class", "name").attr("font-weight", 700);
            g.append("text").attr("class", "active");
            return g;
        })
        .each(function (d) {
            const g = d3.select(this);
            g.select("rect").attr("x", d.x).attr("y", 20).attr("width", 160).attr("height", height - 40);
            g.select("text.name").attr("x", d.x + 10).attr("y", 42).text(d.name);
            g.select("text.active")
                .attr("x", d.x + 10)
                .attr("y", 60)
                .text(d.view.tick?.active ? `active ${d.view.tick.active}` : (d.view.tick?.aggregator ? `aggregator ${d.view.tick.aggregator}` : ""));
        });
    const ends = lab.channels.flatMap((c, i) =>
        box.map((r, side) => {
            const slave = r.view.tick?.slaves.find((x) => x.name === c.interfaces[r.name]);
            const rate = r.view.rates[slave?.name];
            return {
                key: `${r.name}:${c.interfaces[r.name]}`,
                channel: c.name,
                slave: c.interfaces[r.name],
                side,
                y: 90 + 80 * i,
                rate,
                ...endState(r.view, slave, lab.mode),
                lacp: lab.mode === "802.3ad" && slave ? `actor ${bits(slave.actor)} partner ${bits(slave.partner)}` : "",
            };
        }),
    );
    const mid = width / 2;
    svg.selectAll("line.end")
        .data(ends, (d) => d.key)
        .join("line")
        .attr("class", "end")
        .attr("data-end", (d) => d.key)
        .attr("data-state", (d) => d.state)
        .attr("x1", (d) => (d.side === 0 ? 180 : mid))
        .attr("x2", (d) => (d.side === 0 ? mid : width - 180))
        .attr("y1", (d) => d.y)
        .attr("y2", (d) => d.y)
        .attr("stroke", (d) => d.colour)
        .attr("stroke-width", (d) => d.width ?? 3)
        .attr("stroke-dasharray", (d) => d.dash ?? null);
    svg.selectAll("text.end")
        .data(ends, (d) => d.key)
        .join("text")
        .attr("class", "end")
        .attr("font-size", 12)
        .attr("x", (d) => (d.side === 0 ? 188 : width - 188))
        .attr("y", (d) => d.y - 8)
        .attr("text-anchor", (d) => (d.side === 0 ? "start" : "end"))
        .text((d) => `${d.slave}: ${d.state}${d.rate ? ` · tx ${d.rate.tx.toFixed(1)}/s rx ${d.rate.rx.toFixed(1)}/s` : ""}${d.lacp ? ` · ${d.lacp}` : ""}`);
    svg.selectAll("text.channel")
        .data(lab.channels)
        .join("text")
        .attr("class", "channel")
        .attr("x", mid)
        .attr("y", (_, i) => 90 + 80 * i + 22)
        .attr("text-anchor", "middle")
        .attr("fill", "#555")
        .text((c) => c.name);
}

function drawNodes(s) {
    const rows = s.lab.routers.map((r) => s.nodes[r.name]);
    const lacp = s.lab.mode === "802.3ad";
    const section = d3.select("#nodes").selectAll("div.node").data(rows, (v) => v.name).join((enter) => {
        const div = enter.append("div").attr("class", "node").attr("data-testid", (v) => `node-${v.name}`);
        div.append("h2");
        div.append("table");
        return div;
    });
    section.select("h2").text((v) => {
        const t = v.tick;
        const head = `${v.name} ${v.bond} ${v.options.mode ?? s.lab.mode}`;
        return `${head}${t?.active ? `  active ${t.active}` : ""}${t?.aggregator ? `  aggregator ${t.aggregator}` : ""}`;
    });
    section.select("table").each(function (v) {
        const header = ["slave", "channel", "admin", "carrier", "MII", "fails", "tx/s", "rx/s", ...(lacp ? ["agg", "actor", "partner"] : [])];
        const body = (v.tick?.slaves ?? []).map((x) => {
            const rate = v.rates[x.name];
            const channel = s.lab.channels.find((c) => c.interfaces[v.name] === x.name)?.name ?? "?";
            return [
                (x.name === v.tick.active ? "*" : "") + x.name,
                channel,
                x.admin === "up" ? "up" : "DOWN",
                x.carrier === null ? "-" : x.carrier ? "yes" : "no",
                x.mii,
                String(x.failures),
                rate ? rate.tx.toFixed(1) : "-",
                rate ? rate.rx.toFixed(1) : "-",
                ...(lacp ? [x.aggregator ?? "-", `${x.actor ?? "-"} ${bits(x.actor)}`, `${x.partner ?? "-"} ${bits(x.partner)}`] : []),
            ];
        });
        const t = d3.select(this);
        t.selectAll("tr").data([header, ...body]).join("tr").selectAll("td").data((r) => r).join("td")
            .text((c) => c)
            .attr("class", (c) => (c === "DOWN" || c === "no" || c === "down" ? "bad" : c.startsWith("*") ? "active" : null));
    });
}

function drawPings(s) {
    const pings = Object.entries(s.pings).map(([dir, p]) => ({ dir, ...p }));
    const div = d3.select("#pings").selectAll("div.ping").data(pings, (p) => p.dir).join((enter) => {
        const d = enter.append("div").attr("class", "ping").attr("data-testid", (p) => `ping-${p.dir}`);
        d.append("div").attr("class", "status");
        d.append("svg").attr("class", "timeline").attr("width", 750).attr("height", 14);
        return d;
    });
    div.select(".status").text((p) => {
        const now = p.lostSince !== null ? `no reply for ${((s.now - p.lostSince) / 1000).toFixed(1)} s` : p.sent > 0 ? "answering" : "waiting";
        return `ping ${p.from}→${p.to}: ${now} · ${p.answered}/${p.sent}`;
    });
    div.select("svg").selectAll("rect").data((p) => p.probes).join("rect")
        .attr("x", (_, i) => i * 5).attr("y", 0).attr("width", 4).attr("height", 14)
        .attr("class", (p) => (p.ok ? "ok" : "lost"));
}

function drawActions(lab) {
    actionsDrawn = true;
    const buttons = [];
    for (const c of lab.channels) {
        for (const r of lab.routers) {
            const slave = c.interfaces[r.name];
            buttons.push({ label: `admin-down ${slave} in ${r.name}`, action: { kind: "admin-down", channel: c.name, router: r.name } });
            buttons.push({ label: `admin-up ${slave} in ${r.name}`, action: { kind: "admin-up", channel: c.name, router: r.name } });
            buttons.push({ label: `one-way ${c.name} into ${r.name}`, action: { kind: "one-way", channel: c.name, router: r.name } });
        }
        for (const kind of ["cut", "silent", "degraded"])
            buttons.push({ label: `${kind} ${c.name}`, action: { kind, channel: c.name, router: lab.routers[0].name } });
    }
    buttons.push({ label: "restore", action: { kind: "restore", channel: lab.channels[0].name, router: lab.routers[0].name } });
    const section = d3.select("#actions");
    section.append("h2").text("faults (the drill's own)");
    section.selectAll("button").data(buttons).join("button").text((b) => b.label).on("click", async function (_, b) {
        this.disabled = true;
        try {
            const r = await fetch("action", {
                method: "POST",
                headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
                body: JSON.stringify(b.action),
            });
            if (!r.ok) document.getElementById("link").textContent = `${b.label}: ${(await r.json()).error ?? r.status}`;
        } finally {
            this.disabled = false;
        }
    });
}

window.bondlab.connect(draw);
