// A class at a glance: one tile per student's bonded link, pushed over the WebSocket
// (socket.js, watch/web.ts, watch/class.ts), drawn with d3. A tile opens that link's full view.
/* global d3 */
const { token } = window.bondlab;

const pingText = (p) =>
    p.state === "no reply" ? `no reply for ${(p.silentMs / 1000).toFixed(1)} s` : p.state;

/** Healthy: verified, watched, and both pings answering. */
const healthy = (t) => t.status.state === "verified" && !t.error && t.pings.length > 0 && t.pings.every((p) => p.state === "answering");

function draw(s) {
    document.getElementById("title").textContent = `bondlab watch · class ${s.class}`;
    const ok = s.tiles.filter(healthy).length;
    document.getElementById("summary").textContent = `${ok} of ${s.tiles.length} labs verified and answering`;
    const tiles = d3
        .select("#tiles")
        .selectAll("a.tile")
        .data(s.tiles, (t) => t.path)
        .join((enter) => {
            const a = enter.append("a").attr("class", "tile");
            a.append("h2");
            a.append("p").attr("class", "status");
            a.append("ul").attr("class", "routers");
            a.append("ul").attr("class", "pings");
            a.append("p").attr("class", "why");
            a.append("p").attr("class", "last-row");
            return a;
        })
        .attr("href", (t) => `lab/${t.path}/?token=${encodeURIComponent(token)}`)
        .attr("data-testid", (t) => `tile-${t.path}`)
        .attr("data-health", (t) => (healthy(t) ? "ok" : "bad"));
    tiles.select("h2").text((t) => `${t.student} · ${t.variant}`);
    tiles
        .select(".status")
        .attr("data-state", (t) => t.status.state)
        .text((t) => `${t.status.state}${t.error ? `: not watched: ${t.error}` : ""} · stack ${t.stack} on ${t.host}`);
    tiles
        .select(".routers")
        .selectAll("li")
        .data((t) => t.routers)
        .join("li")
        .text((r) => `${r.name}: ${r.active ? `active ${r.active}` : r.aggregator ? `aggregator ${r.aggregator}` : "no active slave"}`);
    tiles
        .select(".pings")
        .selectAll("li")
        .data((t) => t.pings)
        .join("li")
        .attr("class", (p) => (p.state === "no reply" ? "bad" : ""))
        .text((p) => `ping ${p.from}→${p.to}: ${pingText(p)}`);
    tiles.select(".why").text((t) => (t.why ? `why: ${t.why}` : ""));
    tiles.select(".last-row").text((t) => t.lastRow ?? "");
}

window.bondlab.connect(draw);
