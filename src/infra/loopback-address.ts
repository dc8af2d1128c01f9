// Which listen addresses only this machine can reach: the console may listen there without a password.
import { isIP } from 'node:net';

/**
 * An address as HOST, a Host header or a socket gives it, in one spelling: brackets dropped, IPv6 in its short
 * form (0:0:0:0:0:0:0:1 is ::1), an IPv4-mapped address as plain IPv4, lower case.
 */
export function plainAddress(address: string): string {
  let a = address.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (isIP(a) === 6) a = new URL(`http://[${a}]`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  if (!mapped) return a;
  const [hi, lo] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** localhost, 127.0.0.0/8 and ::1 (Linux routes all of 127.0.0.0/8 to the loopback interface). */
export function isLoopback(address: string): boolean {
  const a = plainAddress(address);
  if (a === 'localhost' || a === '::1') return true;
  return isIP(a) === 4 && a.startsWith('127.');
}

/** An address the server can be told to listen on: an IP literal of this machine (or a wildcard) or localhost. */
export function isListenAddress(address: string): boolean {
  const a = plainAddress(address);
  return a === 'localhost' || isIP(a) !== 0;
}
