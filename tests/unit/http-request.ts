import * as http from "http";

/** A real request to the server, with the headers a browser or an attacker would send. */
export function request(
    port: number,
    method: string,
    url: string,
    headers: Record<string, string>,
    body?: unknown,
): Promise<{ statusCode: number; body: string }> {
    return new Promise((resolve, reject) => {
        const data = body === undefined ? undefined : JSON.stringify(body);
        const req = http.request(
            {
                host: "127.0.0.1",
                port,
                method,
                path: url,
                headers: { ...(data ? { "content-type": "application/json" } : {}), ...headers },
            },
            (res) => {
                let text = "";
                res.on("data", (d) => (text += d));
                res.on("end", () => resolve({ statusCode: res.statusCode ?? 0, body: text }));
            },
        );
        req.on("error", reject);
        req.end(data);
    });
}
