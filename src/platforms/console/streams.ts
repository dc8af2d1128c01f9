// The live side of the console in a web process: one Redis subscription to the console channel, and the open
// pages (Server-Sent Events) it pushes each person's new and redrawn messages to. Closing ends every stream, so the
// web server can stop.
import type { Redis } from 'ioredis';
import type { Writable } from 'node:stream';
import type { Logger } from '../../infra/logger.ts';
import type { ConsoleEvent } from './history.ts';

/** A comment line now and then keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

export class ConsoleStreams {
  private readonly open = new Map<string, Set<Writable>>();
  private readonly sub: Redis;
  private readonly keepalive: NodeJS.Timeout;
  private ready: Promise<unknown>;

  constructor(redis: Redis, channel: string, log: Logger) {
    this.sub = redis.duplicate({ maxRetriesPerRequest: null, lazyConnect: false });
    this.sub.on('error', () => undefined);
    this.sub.on('message', (_channel: string, raw: string) => {
      let e: ConsoleEvent;
      try {
        e = JSON.parse(raw) as ConsoleEvent;
      } catch {
        return;
      }
      for (const out of this.open.get(e.person) ?? []) write(out, e.event, e.message);
    });
    this.ready = this.sub.subscribe(channel).catch((err: unknown) => log.warn({ err }, '本地控制台未能订阅消息通道'));
    this.keepalive = setInterval(() => {
      for (const set of this.open.values()) for (const out of set) out.write(': 保持连接\n\n');
    }, KEEPALIVE_MS);
    this.keepalive.unref();
  }

  /** Resolves once the subscription is in place: a page that then reads the history misses nothing. */
  whenReady(): Promise<unknown> {
    return this.ready;
  }

  /** Pushes a person's events to `out` until it closes. */
  attach(person: string, out: Writable): void {
    let set = this.open.get(person);
    if (!set) this.open.set(person, (set = new Set()));
    set.add(out);
    out.write('retry: 2000\n\n');
    out.on('close', () => {
      set.delete(out);
      if (set.size === 0 && this.open.get(person) === set) this.open.delete(person);
    });
  }

  /** Ends every open stream and the subscription. */
  close(): void {
    clearInterval(this.keepalive);
    for (const set of this.open.values()) for (const out of set) out.end();
    this.open.clear();
    this.sub.disconnect();
  }
}

function write(out: Writable, event: string, data: unknown): void {
  out.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
