// readRawBody: the exact bytes, however they arrive; too large, compressed or cut-off bodies refused, and how a webhook
// route answers each of those (readWebhookBody, the same for every platform).
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BodyError, readRawBody } from '../src/http/raw-body.ts';
import { readWebhookBody } from '../src/http/webhook-body.ts';
import { until } from './helpers/until.ts';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A server whose every request is read with the given limit; resolves with what readRawBody gave. */
function serve(limit: number): Promise<{ port: number; next: Promise<Buffer | BodyError> }> {
  let settle!: (v: Buffer | BodyError) => void;
  const next = new Promise<Buffer | BodyError>((r) => (settle = r));
  server = createServer((req, res) => {
    readRawBody(req, limit).then(
      (b) => {
        settle(b);
        res.end('ok');
      },
      (e: BodyError) => {
        settle(e);
        res.statusCode = e.status;
        res.end();
      },
    );
  });
  return new Promise((r) => server!.listen(0, '127.0.0.1', () => r({ port: (server!.address() as AddressInfo).port, next })));
}

/** Sends the chunks one by one (chunked transfer, no Content-Length unless given), each after the last was written. */
function send(port: number, chunks: Buffer[], headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', method: 'POST', path: '/', headers }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    (async () => {
      for (const c of chunks) await new Promise<void>((r) => req.write(c, () => r()));
      req.end();
    })();
  });
}

describe('readRawBody', () => {
  it('gives the bytes exactly as sent, across chunks, invalid UTF-8 and a BOM included', async () => {
    const { port, next } = await serve(1024);
    const chunks = [Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":"督'), Buffer.from([0xff, 0xfe]), Buffer.from('查"}')];
    expect(await send(port, chunks)).toBe(200);
    expect(await next).toEqual(Buffer.concat(chunks));
  });

  it('refuses a body over the limit, declared or streamed', async () => {
    const declared = await serve(10);
    expect(await send(declared.port, [Buffer.alloc(11)], { 'content-length': '11' })).toBe(413);
    expect(await declared.next).toMatchObject({ status: 413 });
    server!.close();
    const streamed = await serve(10);
    expect(await send(streamed.port, [Buffer.alloc(6), Buffer.alloc(6)])).toBe(413);
    expect(await streamed.next).toMatchObject({ status: 413 });
  });

  it('refuses a compressed body rather than hashing what was not signed', async () => {
    const { port, next } = await serve(1024);
    expect(await send(port, [Buffer.from('x')], { 'content-encoding': 'gzip' })).toBe(415);
    expect(await next).toMatchObject({ status: 415 });
  });

  it('rejects a body cut off by the client', async () => {
    const { port, next } = await serve(1024);
    const req = request({ port, host: '127.0.0.1', method: 'POST', path: '/', headers: { 'content-length': '100' } });
    req.on('error', () => undefined);
    req.write('{"half":', () => setImmediate(() => req.destroy()));
    const got = await next;
    expect(got).toBeInstanceOf(BodyError);
    expect((got as BodyError).status).toBe(400);
  });
});

describe('readWebhookBody', () => {
  /** A route answering as the platforms' receivers do, the bytes or the refusal's status and reason; each answer kept. */
  async function route(limit: number): Promise<{ port: number; answers: string[] }> {
    const answers: string[] = [];
    server = createServer((req, res) => {
      void readWebhookBody(req, limit).then((body) => {
        const [status, text] = 'raw' in body ? [200, String(body.raw)] : [body.unread.status, `${body.unread.reason}|${body.unread.why}`];
        answers.push(`${status} ${text}`);
        res.statusCode = status;
        res.end(text);
      });
    });
    const port = await new Promise<number>((r) => server!.listen(0, '127.0.0.1', () => r((server!.address() as AddressInfo).port)));
    return { port, answers };
  }

  it('gives the bytes, or refuses a body too large, compressed or cut off with its status and a short reason', async () => {
    const { port, answers } = await route(20);
    await send(port, [Buffer.from('{"a":1}')]);
    await send(port, [Buffer.alloc(21, 'x')], { 'content-length': '21' });
    await send(port, [Buffer.from('x')], { 'content-encoding': 'gzip' });
    const req = request({ port, host: '127.0.0.1', method: 'POST', path: '/', headers: { 'content-length': '15' } });
    req.on('error', () => undefined);
    req.write('{"half":', () => setImmediate(() => req.destroy()));
    await until('the cut-off body to be refused', () => answers.length === 4, 2000);
    expect(answers).toEqual([
      '200 {"a":1}',
      '413 body too large|body of 21 bytes is over the 20-byte limit',
      '415 unsupported encoding|Content-Encoding gzip is not accepted',
      '400 bad request|the request was aborted',
    ]);
  });
});
