// Report attachments on disk, content-addressed: a file is kept once under its sha256 (DUCHA_FILES_DIR/ab/abcd…),
// whatever it was called and however often it was sent; names and types live in the records that refer to it.
// Written to a temporary file first and renamed into place, so a reader never sees half a file.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';

/** A file stored, as the records name it, with its first bytes (which say what kind of file it is). */
export interface StoredFile {
  sha256: string;
  size: number;
  head: Buffer;
}

const HEAD_BYTES = 64;

/** The bytes ran past the limit given: nothing is kept. */
export class FileTooBig extends Error {
  override name = 'FileTooBig';
  constructor(readonly limit: number) {
    super(`file larger than ${limit} bytes`);
  }
}

const SHA256 = /^[0-9a-f]{64}$/;

export class FileStore {
  constructor(readonly dir: string) {}

  /** Where a file of this hash is (or would be) kept. */
  path(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  /**
   * Stores what the stream yields, hashing as it writes; throws FileTooBig (keeping nothing) as soon as more than
   * `maxBytes` have come. Storing the same bytes again changes nothing.
   */
  async put(source: Readable | AsyncIterable<Uint8Array>, maxBytes: number): Promise<StoredFile> {
    const tmpDir = join(this.dir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, `${Date.now()}-${randomBytes(6).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    let head = Buffer.alloc(0);
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > maxBytes) return done(new FileTooBig(maxBytes));
        if (head.length < HEAD_BYTES) head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)]);
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, count, createWriteStream(tmp, { flags: 'wx' }));
      const sha256 = hash.digest('hex');
      const to = this.path(sha256);
      await mkdir(join(this.dir, sha256.slice(0, 2)), { recursive: true });
      // Same name, same bytes: renaming over a copy already there replaces it with itself.
      await rename(tmp, to);
      return { sha256, size, head };
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  /** Stores bytes already in memory. */
  putBytes(bytes: Uint8Array, maxBytes = Infinity): Promise<StoredFile> {
    return this.put(
      (async function* () {
        yield bytes;
      })(),
      maxBytes,
    );
  }

  async read(sha256: string): Promise<Buffer> {
    return readFile(this.path(sha256));
  }

  stream(sha256: string): Readable {
    return createReadStream(this.path(sha256));
  }

  /** The size on disk, or undefined when the file is not there. */
  async sizeOf(sha256: string): Promise<number | undefined> {
    try {
      return (await stat(this.path(sha256))).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  /** What is on disk under this hash now: intact, missing, or changed (its bytes no longer hash to its name). */
  async check(sha256: string): Promise<'ok' | 'missing' | 'changed'> {
    const hash = createHash('sha256');
    try {
      for await (const chunk of this.stream(sha256)) hash.update(chunk as Buffer);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
      throw e;
    }
    return hash.digest('hex') === sha256 ? 'ok' : 'changed';
  }
}
