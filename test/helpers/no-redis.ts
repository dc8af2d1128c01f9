// Set up for the unit lane (vitest.config.ts): its tests must need neither Redis nor a process, so a connection to a
// Redis port, or starting the service or a redis-server, fails the test that tried, even where a Redis is running.
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { afterEach } from 'vitest';

const configured = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const REDIS_PORTS = new Set([6379, Number(configured.port || 6379)]);
const refused: string[] = [];

function refuse(what: string): never {
  refused.push(what);
  throw new Error(`the unit lane needs neither Redis nor a process, but a test tried: ${what} (move it to another lane in vitest.config.ts)`);
}

/** The port of a Socket#connect call: (port, host), (options) or the array net.connect passes on. */
function portOf(args: unknown[]): number | undefined {
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === 'number' || typeof first === 'string') return Number(first);
  if (first && typeof first === 'object' && 'port' in first) return Number((first as { port: unknown }).port);
  return undefined;
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  const port = portOf(args);
  if (port !== undefined && REDIS_PORTS.has(port)) refuse(`a connection to port ${port}`);
  return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof connect;

const spawn = childProcess.spawn;
childProcess.spawn = function (command: string, ...rest: unknown[]) {
  const argv = [command, ...(Array.isArray(rest[0]) ? (rest[0] as string[]) : [])].join(' ');
  if (/redis-server|src\/main\.ts/.test(argv)) refuse(`starting ${argv}`);
  return (spawn as (...a: unknown[]) => childProcess.ChildProcess)(command, ...rest);
} as typeof spawn;
// Modules that import { spawn } see the guard too.
syncBuiltinESMExports();

// A refusal caught and swallowed by the code under test still fails the test.
afterEach(() => {
  if (refused.length > 0) throw new Error(`the unit lane needs neither Redis nor a process, but a test tried: ${refused.splice(0).join('; ')}`);
});
