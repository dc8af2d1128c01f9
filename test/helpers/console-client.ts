// Talks to the console's API as its own page does: with the token the page was served with, JSON bodies, and
// events read from the live stream.
export interface ConsoleClient {
  token: string;
  get(path: string): Promise<Response>;
  post(path: string, body: unknown): Promise<Response>;
  /** The person's live stream; what arrives is appended to the returned array until `signal` aborts. */
  stream(person: string, signal: AbortSignal): Promise<{ res: Response; events: string[] }>;
}

/** Loads the page at `base`/console and takes its token. */
export async function consoleClient(base: string, headers: Record<string, string> = {}): Promise<ConsoleClient> {
  const page = await fetch(`${base}/console`, { headers });
  const token = /<meta name="console-token" content="([^"]+)">/.exec(await page.text())?.[1];
  if (!token) throw new Error(`the console page carries no token (status ${page.status})`);
  const withToken = { ...headers, 'x-console-token': token };
  return {
    token,
    get: (path) => fetch(`${base}/console/api/${path}`, { headers: withToken }),
    post: (path, body) =>
      fetch(`${base}/console/api/${path}`, { method: 'POST', headers: { ...withToken, 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    async stream(person, signal) {
      const res = await fetch(`${base}/console/api/stream?person=${encodeURIComponent(person)}&token=${encodeURIComponent(token)}`, { headers, signal });
      const events: string[] = [];
      void (async () => {
        const decoder = new TextDecoder();
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) events.push(decoder.decode(chunk));
      })().catch(() => undefined);
      return { res, events };
    },
  };
}
