// What both pages share: the run's token (from the URL npm run watch printed), and the
// WebSocket beside the page (a lab of a class has its page under /lab/<stack>/) that pushes
// each new state to `draw`, reconnecting when it drops. A classic script: the pages' modules
// find it on window.
window.bondlab = {
    token: new URLSearchParams(location.search).get("token") ?? "",
    connect(draw) {
        const link = document.getElementById("link");
        const url = new URL(`ws?token=${encodeURIComponent(window.bondlab.token)}`, location.href);
        url.protocol = "ws:";
        const ws = new WebSocket(url);
        ws.onopen = () => (link.textContent = "live");
        ws.onmessage = (m) => draw(JSON.parse(m.data));
        ws.onclose = () => {
            link.textContent = "disconnected: retrying";
            setTimeout(() => window.bondlab.connect(draw), 1000);
        };
    },
};
