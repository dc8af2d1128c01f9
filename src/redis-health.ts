// Says once that Redis is gone and once that it is back (with how long it was gone), as JSON, however many
// connections and workers notice it meanwhile: an outage is one line, not one per retry with raw stacks.
import type { Redis } from 'ioredis';
import type { Logger } from './logger.ts';

const CONNECTION_ERROR = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|Connection is closed|Stream isn't writeable|connect ETIMEDOUT|Socket closed/i;

export class RedisHealth {
  private downSince: number | undefined;

  constructor(private readonly log: Logger) {}

  /** Follows a connection: its errors count as the outage (and keep ioredis from printing them itself). */
  watch(conn: Redis, name: string): void {
    conn.on('error', (err: Error) => this.lost(err, name));
    conn.on('ready', () => this.back(name));
  }

  /** True for an error that means "Redis cannot be reached", not a failed command. */
  static isConnectionError(err: unknown): boolean {
    return err instanceof Error && CONNECTION_ERROR.test(`${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}`);
  }

  lost(err: Error, source: string): void {
    if (this.downSince !== undefined) return;
    this.downSince = Date.now();
    this.log.error({ source, err: err.message.split('\n')[0] }, 'Redis 连接中断，正在重连（恢复前不再重复记录）');
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
}
