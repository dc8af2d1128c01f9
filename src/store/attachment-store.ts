// The store's part for report attachments: the files a contact sent waiting for their next /报送, taken by it in one
// step and numbered across the item (附件N), and which report a message the bot sent is about (for a file sent in
// reply to it). The files themselves are on disk (src/files/file-store.ts); the reports that list them are records.
import type { Redis } from 'ioredis';
import type { Keys } from './keys.ts';
import { NEXT_SEQ, NUMBER_RELEASE, PENDING_ADD, PENDING_RETURN, PENDING_TAKE } from './scripts.ts';

/** A file waiting to be attached, as its contact sent it (time on the domain clock). */
export interface WaitingFile {
  sha256: string;
  name: string;
  size: number;
  mime: string;
  at: number;
  /** The order it came in among the person's waiting files. */
  seq?: number;
}

export type WaitingResult = { kind: 'added' | 'again' | 'bytes' | 'files'; files: number; bytes: number };

/** How long a taken list or number is remembered: as long as an operation's outcome (see OP_TTL_SECONDS). */
const TAKEN_TTL_SECONDS = 7 * 24 * 3600;
/** How long the report a message is about is remembered: as long as Feishu lets a card be updated. */
const ABOUT_TTL_SECONDS = 14 * 24 * 3600;

type Script = (...args: (string | number)[]) => Promise<unknown>;

export class AttachmentStore {
  private readonly add: Script;
  private readonly take: Script;
  private readonly giveBack: Script;
  private readonly nextNumber: Script;
  private readonly release: Script;

  constructor(
    private readonly redis: Redis,
    private readonly k: Keys,
  ) {
    redis.defineCommand('duchaPendingAdd', { lua: PENDING_ADD, numberOfKeys: 1 });
    redis.defineCommand('duchaPendingTake', { lua: PENDING_TAKE, numberOfKeys: 3 });
    redis.defineCommand('duchaPendingReturn', { lua: PENDING_RETURN, numberOfKeys: 3 });
    redis.defineCommand('duchaAttachNumber', { lua: NEXT_SEQ, numberOfKeys: 2 });
    redis.defineCommand('duchaNumberRelease', { lua: NUMBER_RELEASE, numberOfKeys: 2 });
    const r = redis as unknown as Record<string, Script>;
    this.add = r.duchaPendingAdd!.bind(redis);
    this.take = r.duchaPendingTake!.bind(redis);
    this.giveBack = r.duchaPendingReturn!.bind(redis);
    this.nextNumber = r.duchaAttachNumber!.bind(redis);
    this.release = r.duchaNumberRelease!.bind(redis);
  }

  /**
   * Keeps a file as waiting for the person's next report, unless the files waiting since `since` would then be more
   * than a report may carry; `ttlSeconds` bounds how long the list is kept at all.
   */
  async wait(person: string, file: WaitingFile, since: number, limits: { bytes: number; files: number }, ttlSeconds: number): Promise<WaitingResult> {
    const { sha256, ...meta } = file;
    const [kind, files, bytes] = (await this.add(
      this.k.attachPending(person),
      sha256,
      JSON.stringify(meta),
      since,
      limits.bytes,
      limits.files,
      ttlSeconds,
    )) as [WaitingResult['kind'], number, number];
    return { kind, files: Number(files), bytes: Number(bytes) };
  }

  /** An operation takes the person's files sent since `since`, numbered in the item; the same answer when replayed. */
  async takeWaiting(opId: string, person: string, itemId: string, since: number): Promise<(WaitingFile & { n: number })[]> {
    const raw = await this.take(this.k.attachPending(person), this.k.attachTaken(opId), this.k.attachSeq(itemId), since, TAKEN_TTL_SECONDS);
    return JSON.parse(String(raw)) as (WaitingFile & { n: number })[];
  }

  /** The operation that took them was refused: the files wait again, their numbers are given back where possible. */
  async returnWaiting(opId: string, person: string, itemId: string, ttlSeconds: number): Promise<void> {
    await this.giveBack(this.k.attachPending(person), this.k.attachTaken(opId), this.k.attachSeq(itemId), ttlSeconds);
  }

  /** The next attachment number of an item, once per operation. */
  async number(opId: string, itemId: string): Promise<number> {
    return Number(await this.nextNumber(this.k.attachSeq(itemId), this.k.attachTaken(opId), TAKEN_TTL_SECONDS));
  }

  /** The operation that took a number was refused: it is given back if no later one was taken. */
  async releaseNumber(opId: string, itemId: string): Promise<void> {
    await this.release(this.k.attachSeq(itemId), this.k.attachTaken(opId));
  }

  /** Remembers which card (a report's) a message the bot sent is about. */
  async recordAbout(platform: string, messageId: string, cardKey: string): Promise<void> {
    await this.redis.set(this.k.messageAbout(platform, messageId), cardKey, 'EX', ABOUT_TTL_SECONDS);
  }

  async about(platform: string, messageId: string): Promise<string | undefined> {
    return (await this.redis.get(this.k.messageAbout(platform, messageId))) ?? undefined;
  }
}
