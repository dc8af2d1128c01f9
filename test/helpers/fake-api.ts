// What the local fakes of the platforms' APIs (fake-feishu.ts, fake-wecom.ts) share: listening on a free port,
// reading a body, a seeded PRNG for reproducible failures, and the methods that work the same on both (injecting
// failures, waiting for what they record, answering late, closing).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { until } from './until.ts';

/** Starts an HTTP server on a free local port; a handler that throws answers 500 and is reported, named. */
export async function listenFake(
  name: string,
  handle: () => (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    handle()(req, res).catch((e: unknown) => {
      console.error(`${name}: internal error`, e);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`${name} internal error`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Deterministic PRNG (mulberry32): the same seed gives the same sequence of failures. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBytes(req)).toString('utf8');
}

export function readBytes(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** One part of a multipart/form-data body: a field's text, or a file with its name, type and bytes. */
export interface FormPart {
  name: string;
  value?: string;
  filename?: string;
  contentType?: string;
  bytes?: Buffer;
}

/**
 * The parts of a multipart/form-data body as a server reads them (the boundary from the Content-Type header); a body
 * that is not well-formed multipart gives undefined, as a platform would refuse it.
 */
export async function readForm(contentType: string | undefined, body: Buffer): Promise<FormPart[] | undefined> {
  if (!contentType?.toLowerCase().startsWith('multipart/form-data')) return undefined;
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  } catch {
    return undefined;
  }
  const parts: FormPart[] = [];
  for (const [name, v] of form) {
    if (typeof v === 'string') parts.push({ name, value: v });
    else parts.push({ name, filename: v.name, contentType: v.type, bytes: Buffer.from(await v.arrayBuffer()) });
  }
  return parts;
}

/** One injected failure: its kind, how many more requests it applies to, and its options. */
export interface Injected<K extends string, O> {
  kind: K;
  left: number;
  opts: O;
}

/**
 * The failures a fake is told to answer with: queued ones (failNext) first, else drawn at random (failRandomly)
 * from a seeded sequence; and the 5xx statuses it takes turns with.
 */
export class FailureInjector<K extends string, O> {
  private queue: Injected<K, O>[] = [];
  private random: { fraction: number; kinds: K[]; next: () => number; opts: O } | undefined;
  private fiveXX = 0;

  failNext(n: number, kind: K, opts: O): void {
    if (n > 0) this.queue.push({ kind, left: n, opts });
  }

  failRandomly(fraction: number, kinds: K[], seed: number, opts: O): void {
    this.random = fraction > 0 && kinds.length > 0 ? { fraction, kinds, next: prng(seed), opts } : undefined;
    this.fiveXX = 0;
  }

  clear(): void {
    this.queue = [];
    this.random = undefined;
    this.fiveXX = 0;
  }

  /** 500, 502 and 503 in turn. */
  nextStatus(): number {
    return [500, 502, 503][this.fiveXX++ % 3]!;
  }

  /**
   * The failure for this request, if any. `applies` says whether a failure of that kind and those options may hit
   * it; `anyQueued` looks past queued failures that do not apply (else only the first in line is considered);
   * `drawFor` says whether the random failures may be drawn for it at all (no draw, no step of the sequence).
   */
  draw(applies: (kind: K, opts: O) => boolean, anyQueued: boolean, drawFor: (opts: O) => boolean): Injected<K, O> | undefined {
    const i = anyQueued ? this.queue.findIndex((f) => applies(f.kind, f.opts)) : this.queue[0] && applies(this.queue[0].kind, this.queue[0].opts) ? 0 : -1;
    const queued = this.queue[i];
    if (queued) {
      queued.left -= 1;
      if (queued.left <= 0) this.queue.splice(i, 1);
      return queued;
    }
    const r = this.random;
    if (r && drawFor(r.opts) && r.next() < r.fraction) {
      const kind = r.kinds[Math.floor(r.next() * r.kinds.length)] ?? r.kinds[0]!;
      return applies(kind, r.opts) ? { kind, left: 0, opts: r.opts } : undefined;
    }
    return undefined;
  }
}

/** The part of a fake that does not depend on the platform; K and O are its failure kinds and their options. */
export abstract class FakeApi<K extends string, O extends object> {
  protected readonly failures = new FailureInjector<K, O>();
  /** Answers held back ('slow'), cleared on close so that nothing answers after it. */
  private readonly timers = new Set<NodeJS.Timeout>();

  protected constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** The next n API requests (those `opts` narrow it to, if any) fail this way, queued after any earlier failNext. */
  failNext(n: number, kind: K, opts = {} as O): void {
    this.failures.failNext(n, kind, opts);
  }

  /** From now on each API request fails with probability `fraction`, the kind drawn from `kinds`; deterministic per seed. */
  failRandomly(fraction: number, kinds: K[], seed = 1, opts = {} as O): void {
    this.failures.failRandomly(fraction, kinds, seed, opts);
  }

  clearFailures(): void {
    this.failures.clear();
  }

  /** Polls `predicate` every 10 ms until it returns something truthy (which is returned), or throws after timeoutMs. */
  waitFor<T>(predicate: () => T | Promise<T>, timeoutMs = 5000, what = 'condition'): Promise<NonNullable<T>> {
    return until(what, predicate, timeoutMs, 10);
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Sends the answer now, or after `delayMs` (unless the fake is closed first). */
  protected answerAfter(delayMs: number, send: () => void): void {
    if (delayMs <= 0) return send();
    const t = setTimeout(() => {
      this.timers.delete(t);
      send();
    }, delayMs);
    this.timers.add(t);
  }
}
