// What each person sees in the local console, kept in Redis under the prefix (so a reload shows it, and web and
// worker processes share it) and expiring: their messages in order, each card redrawn in place, and every new or
// redrawn message published on one channel for the web processes to push to open pages.
import type { Redis } from 'ioredis';
import type { Card, Message } from '../../chat/message.ts';
import type { FileRef } from '../../delivery/delivery.ts';

/** A file in a person's console: sent to them (an attachment asked for), or sent by them (one they attached). */
export type ConsoleFile = { kind: 'file'; file: FileRef };

/** How long a person's console history is kept after its last message. */
export const HISTORY_TTL_SECONDS = 3 * 24 * 3600;
/** The most messages kept per person (the oldest go first). */
export const HISTORY_MAX = 300;

export type ConsoleMessage = { id: string; seq: number; at: number; from: 'me' | 'bot'; urgent?: boolean } & (
  | { kind: 'text'; text: string }
  | { kind: 'card'; card: Card }
  | ConsoleFile
);

/** What is published on the channel: a message that is new, or one redrawn in place. */
export interface ConsoleEvent {
  person: string;
  event: 'message' | 'update';
  message: ConsoleMessage;
}

/**
 * append: adds a message unless one with the same dedup key was added (then that one's id): stores it, orders it,
 * trims the oldest, renews the expiry and publishes it, in one step.
 * KEYS: 1 dedup key, 2 messages (hash id → JSON), 3 order (zset seq → id), 4 channel
 * ARGV: 1 id, 2 seq, 3 message JSON, 4 event JSON, 5 ttl, 6 max
 */
const APPEND = `
local got = redis.call('GET', KEYS[1])
if got then return got end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
local over = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[6])
if over > 0 then
  local old = redis.call('ZRANGE', KEYS[3], 0, over - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, over - 1)
  redis.call('HDEL', KEYS[2], unpack(old))
end
redis.call('EXPIRE', KEYS[2], ARGV[5])
redis.call('EXPIRE', KEYS[3], ARGV[5])
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[5])
redis.call('PUBLISH', KEYS[4], ARGV[4])
return ARGV[1]
`;

type Script = (...args: (string | number)[]) => Promise<unknown>;

/**
 * The console's own keys (listed in src/store/keys.ts): the counter numbering messages, each person's messages and
 * their order, the marks of deliveries already shown, and the channel messages are published on.
 */
function consoleKeys(prefix: string) {
  return {
    seq: `${prefix}:console:seq`,
    messages: (person: string) => `${prefix}:console:msgs:${person}`,
    order: (person: string) => `${prefix}:console:order:${person}`,
    shown: (dedupKey: string) => `${prefix}:console:dedup:${dedupKey}`,
    /** New and redrawn messages, for the web processes' open pages. */
    channel: `${prefix}:console:events`,
  };
}

export class ConsoleHistory {
  private readonly append: Script;
  private readonly keys: ReturnType<typeof consoleKeys>;
  readonly channel: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = consoleKeys(prefix);
    this.channel = this.keys.channel;
    redis.defineCommand('duchaConsoleAppend', { lua: APPEND, numberOfKeys: 4 });
    this.append = (redis as unknown as Record<string, Script>).duchaConsoleAppend!.bind(redis);
  }

  /** Adds a message to a person's console, once per dedup key; returns its id. */
  async add(person: string, message: Message | ConsoleFile, opts: { from: 'me' | 'bot'; dedupKey: string; urgent?: boolean; at?: number }): Promise<string> {
    const seq = await this.redis.incr(this.keys.seq);
    const id = `m${seq}`;
    const m = { id, seq, at: opts.at ?? Date.now(), from: opts.from, ...(opts.urgent ? { urgent: true } : {}), ...message } as ConsoleMessage;
    const event: ConsoleEvent = { person, event: 'message', message: m };
    return String(
      await this.append(
        this.keys.shown(opts.dedupKey),
        this.keys.messages(person),
        this.keys.order(person),
        this.channel,
        id,
        seq,
        JSON.stringify(m),
        JSON.stringify(event),
        HISTORY_TTL_SECONDS,
        HISTORY_MAX,
      ),
    );
  }

  /** Redraws a card in a person's console; false when the message is gone (expired, or not theirs). */
  async redraw(person: string, id: string, card: Card): Promise<boolean> {
    const raw = await this.redis.hget(this.keys.messages(person), id);
    if (!raw) return false;
    const old = JSON.parse(raw) as ConsoleMessage;
    if (old.kind !== 'card') return false;
    const m: ConsoleMessage = { ...old, card };
    const event: ConsoleEvent = { person, event: 'update', message: m };
    await this.redis.multi().hset(this.keys.messages(person), id, JSON.stringify(m)).publish(this.channel, JSON.stringify(event)).exec();
    return true;
  }

  /** One of a person's messages, if it is still kept. */
  async get(person: string, id: string): Promise<ConsoleMessage | undefined> {
    const raw = await this.redis.hget(this.keys.messages(person), id);
    return raw ? (JSON.parse(raw) as ConsoleMessage) : undefined;
  }

  /** A person's messages, oldest first. */
  async list(person: string): Promise<ConsoleMessage[]> {
    const ids = await this.redis.zrange(this.keys.order(person), '0', '-1');
    if (ids.length === 0) return [];
    const raws = await this.redis.hmget(this.keys.messages(person), ...ids);
    return raws.flatMap((r) => (r ? [JSON.parse(r) as ConsoleMessage] : []));
  }
}
