// Reads a webhook's body as the exact bytes that were sent, for signatures computed over them. A body parser's
// "raw" text is decoded (a UTF-8 BOM dropped, bad sequences replaced), so its bytes can differ from what was signed.
import type { IncomingMessage } from 'node:http';

/** A body that cannot be read: `status` is the HTTP answer (400, 413 or 415). */
export class BodyError extends Error {
  override readonly name = 'BodyError';
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/** The whole body, at most `limit` bytes; a compressed body (Content-Encoding) is refused, not inflated. */
export function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(new BodyError(413, `body of ${declared} bytes is over the ${limit}-byte limit`));
  }
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
    return Promise.reject(new BodyError(415, `Content-Encoding ${encoding} is not accepted`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    // Inline listeners, none removed: once settled, later events change nothing (and the request is over).
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      done = true;
      reject(new BodyError(413, `body is over the ${limit}-byte limit`));
      // Let the rest drain unread; the answer goes out at once.
      req.resume();
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on('error', () => {
      if (done) return;
      done = true;
      reject(new BodyError(400, 'the request was aborted'));
    });
    req.on('close', () => {
      if (done) return;
      done = true;
      reject(new BodyError(400, 'the request was closed before its body ended'));
    });
  });
}
