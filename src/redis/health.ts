// Knows whether Redis can take a request now, and says once that Redis is gone and once that it is back (with how
// long it was gone), as JSON, however many connections and workers notice it meanwhile: an outage is one line, not one
// per retry with raw stacks. Taking a request in waits for Redis at most INTAKE_WAIT_MS, and not at all while Redis is
// known to be away: the platform is answered 503 and retries, where it used to wait for ioredis's retries (26–39 s).
import type { Redis } from 'ioredis';
import { BUSY } from '../chat/texts.ts';
import type { Logger } from '../infra/logger.ts';

const CONNECTION_ERROR = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|Connection is closed|Stream isn't writeable|connect ETIMEDOUT|Socket closed|max retries per request/i;

/**
 * How long taking a request in (queuing a command, recording what the console shows) may wait for Redis. Feishu
 * wants an answer within 3 s and WeCom within 5 s; a 503 within 2 s costs a retry, where a held socket costs a socket.
 */
export const INTAKE_WAIT_MS = 1500;

/** Redis cannot take the request now: answered 503 (Koa reads `status` and `expose`), and the platform retries. */
export class RedisUnavailable extends Error {
  override name = 'RedisUnavailable';
  readonly status = 503;
  /** The console shows the message to the person who typed. */
  readonly expose = true;
  constructor() {
    super(BUSY);
  }
}

const LATE = Symbol('late');

export class RedisHealth {
  private downSince: number | undefined;
  /** The connections requests are taken in on: while one of them is not connected, Redis is known to be away. */
  private readonly gates = new Set<Redis>();
  /**
   * Set when Redis kept a request waiting past the bound while its connection stayed up (a hung or frozen server):
   * later requests are answered at once. Cleared when that request's command ends, one way or the other.
   */
  private silent = false;

  constructor(private readonly log: Logger) {}

  /**
   * Follows a connection: its errors count as the outage (and keep ioredis from printing them itself). `gate`: requests
   * are taken in on it, so while it is not connected none is tried.
   */
  watch(conn: Redis, name: string, gate = false): void {
    conn.on('error', (err: Error) => this.lost(err, name));
    conn.on('ready', () => this.back(name));
    if (gate) this.gates.add(conn);
  }

  /** True for an error that means "Redis cannot be reached", not a failed command. */
  static isConnectionError(err: unknown): boolean {
    return err instanceof Error && CONNECTION_ERROR.test(`${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}`);
  }

  /** `silent`: connected, but not answering (a frozen server), rather than disconnected. */
  lost(err: Error, source: string, silent = false): void {
    if (this.downSince !== undefined) return;
    this.downSince = Date.now();
    this.log.error(
      { source, err: err.message.split('\n')[0] },
      silent ? 'Redis 没有应答（连接仍在），收到的请求暂以 503 回绝（恢复前不再重复记录）' : 'Redis 连接中断，正在重连（恢复前不再重复记录）',
    );
  }

  back(source: string): void {
    if (this.downSince === undefined) return;
    const ms = Date.now() - this.downSince;
    this.downSince = undefined;
    this.log.warn({ source, downMs: ms }, `Redis 连接已恢复，中断了 ${(ms / 1000).toFixed(1)} 秒`);
  }

  get down(): boolean {
    return this.downSince !== undefined;
  }

  /**
   * Redis is known unable to take a request now: it has stopped answering, or a connection was lost and one that
   * requests use is not connected again. Read from the connections themselves, so that it ends with the outage
   * whatever was logged; a connection still making its first connection is not an outage.
   */
  get unavailable(): boolean {
    if (this.silent) return true;
    if (this.downSince === undefined) return false;
    for (const c of this.gates) if (c.status !== 'ready') return true;
    return false;
  }

  /**
   * Runs one step of taking a request in, bounded: RedisUnavailable at once while Redis is known to be away, after
   * `ms` without an answer, or when the connection fails meanwhile. A step that answers late may still complete:
   * what it records is keyed by the platform's event id, so the platform's retry finds it and adds nothing.
   */
  async bounded<T>(source: string, step: () => Promise<T>, ms = INTAKE_WAIT_MS): Promise<T> {
    if (this.unavailable) throw new RedisUnavailable();
    const running = step();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<typeof LATE>((resolve) => (timer = setTimeout(resolve, ms, LATE)));
    try {
      const result = await Promise.race([running, late]);
      if (result === LATE) {
        this.noAnswer(running, source, ms);
        throw new RedisUnavailable();
      }
      return result;
    } catch (e) {
      if (!(e instanceof RedisUnavailable) && (RedisHealth.isConnectionError(e) || this.unavailable)) throw new RedisUnavailable();
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  private noAnswer(running: Promise<unknown>, source: string, ms: number): void {
    if (!this.silent) {
      this.silent = true;
      this.lost(new Error(`${ms} ms 内没有应答`), source, true);
    }
    running.then(
      () => {
        if (!this.silent) return;
        this.silent = false;
        this.back(source);
      },
      (err: unknown) => {
        this.silent = false;
        // Answered with an error: Redis is there. A lost connection is followed by its own reconnect instead.
        if (!RedisHealth.isConnectionError(err)) this.back(source);
      },
    );
  }
}
