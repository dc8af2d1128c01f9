// Keeps the live org directory: swaps in a new snapshot when the file changes or on SIGHUP, refuses bad files.
import { createHash } from 'node:crypto';
import { realpathSync, watch as watchFs, type FSWatcher } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { Directory } from './directory.ts';
import { DirectoryError, parseDirectory, readDirectoryFile } from './load-directory.ts';

export type ReloadResult = { ok: true } | { ok: false; error: DirectoryError };

// Editors save in bursts (write temp, rename, chmod); one reload per burst is enough.
const DEBOUNCE_MS = 100;

export class DirectorySource {
  private snapshot: Directory;
  // The text last tried, good or bad: a watch event with unchanged text neither reloads nor logs again.
  private lastText: string;
  private queue: Promise<unknown> = Promise.resolve();
  private watcher: FSWatcher | undefined;
  /** The file the path resolves to (through symlinks), and the watch on it when it lies elsewhere. */
  private target: string | undefined;
  private targetWatcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private onSighup: (() => void) | undefined;

  private constructor(
    readonly path: string,
    private readonly logger: Logger,
    directory: Directory,
    text: string,
    private readonly formerNames: Map<string, string>,
  ) {
    this.snapshot = directory;
    this.lastText = text;
  }

  /** Loads the file; a bad file throws DirectoryError so start-up stops with the line and problem. */
  static async open(path: string, logger: Logger): Promise<DirectorySource> {
    const text = await readDirectoryFile(path);
    const formerNames = new Map<string, string>();
    const directory = new Directory(parseDirectory(text, path), formerNames);
    logger.info(summary(path, directory), '组织名录已加载');
    return new DirectorySource(path, logger, directory, text, formerNames);
  }

  /** Names of people earlier directories had (see Directory's formerNames); every snapshot reads them. */
  rememberNames(names: Iterable<[string, string]>): void {
    for (const [id, name] of names) if (!this.formerNames.has(id)) this.formerNames.set(id, name);
  }

  current(): Directory {
    return this.snapshot;
  }

  /** Re-reads the file now. A bad file is refused and logged; the old snapshot stays in use. */
  reload(): Promise<ReloadResult> {
    return this.enqueue(false);
  }

  /** Reloads on SIGHUP and whenever the file changes. Calling it twice changes nothing. */
  watch(): void {
    if (!this.onSighup) {
      this.onSighup = () => {
        this.logger.info({ file: this.path }, '收到 SIGHUP，重新加载组织名录');
        void this.reload();
      };
      process.on('SIGHUP', this.onSighup);
    }
    if (!this.watcher) {
      // Watch the directory, not the file: editors replace the file by rename, which would leave a
      // watch on the old inode blind to every later change.
      const name = basename(this.path);
      this.watcher = watchFs(dirname(this.path), { persistent: false }, (_event, filename) => {
        if (filename === null || filename === name) this.schedule();
        // A Kubernetes ConfigMap or Secret mount changes by swapping its `..data` symlink: no event names the file,
        // but the file it resolves to is another one.
        else void this.followTarget();
      });
      this.watcher.on('error', (err) => {
        this.logger.warn({ err, file: this.path }, '监视组织名录文件出错；仍可用 SIGHUP 重新加载');
      });
      this.watchTarget(resolved(this.path));
    }
  }

  close(): void {
    if (this.onSighup) process.off('SIGHUP', this.onSighup);
    this.onSighup = undefined;
    this.watcher?.close();
    this.watcher = undefined;
    this.watchTarget(undefined);
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Reloads when the file the path resolves to is another one (a symlink, or one on the way to it, re-pointed). */
  private async followTarget(): Promise<void> {
    const target = await realpath(this.path).catch(() => undefined);
    if (!this.watcher || target === this.target) return;
    this.watchTarget(target);
    this.schedule();
  }

  /**
   * When the path is a symlink, the file it resolves to is watched too, in its own directory: an edit there (a link
   * to /srv/conf/directory.yaml, say) names no file beside the link. Re-pointed whenever the target changes.
   */
  private watchTarget(target: string | undefined): void {
    this.target = target;
    this.targetWatcher?.close();
    this.targetWatcher = undefined;
    // Not a symlink: the watch beside the file sees it.
    if (!target || target === join(resolved(dirname(this.path)) ?? '', basename(this.path))) return;
    const name = basename(target);
    try {
      const w = watchFs(dirname(target), { persistent: false }, (_event, filename) => {
        if (filename === null || filename === name) this.schedule();
      });
      // Its directory may go (Kubernetes removes the old one after the swap): the swap itself re-points this.
      w.on('error', () => {
        w.close();
        if (this.targetWatcher === w) this.targetWatcher = undefined;
      });
      this.targetWatcher = w;
    } catch {
      // Gone already: the next swap is seen by the watch beside the link.
    }
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.enqueue(true);
    }, DEBOUNCE_MS);
  }

  private readonly listeners: ((d: Directory) => void)[] = [];

  /** Called after each new snapshot is in force (not for a refused file). */
  onChange(listener: (d: Directory) => void): void {
    this.listeners.push(listener);
  }

  /** A short fingerprint of the directory in force, to name work done because of it. */
  fingerprint(): string {
    return createHash('sha256').update(this.lastText ?? '').digest('hex').slice(0, 16);
  }

  // Reloads run one at a time so a slow read can never overwrite a newer snapshot.
  private enqueue(onlyIfChanged: boolean): Promise<ReloadResult> {
    const run = this.queue.then(() => this.load(onlyIfChanged));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async load(onlyIfChanged: boolean): Promise<ReloadResult> {
    let text: string | undefined;
    try {
      text = await readDirectoryFile(this.path);
      if (onlyIfChanged && text === this.lastText) return { ok: true };
      this.lastText = text;
      const directory = new Directory(parseDirectory(text, this.path), this.formerNames);
      // Who this one drops is still named by the one before.
      this.rememberNames(this.snapshot.allPeople().map((p) => [p.id, p.name]));
      this.snapshot = directory;
      this.logger.info(summary(this.path, directory), '组织名录已重新加载');
      for (const listener of this.listeners) listener(directory);
      return { ok: true };
    } catch (e) {
      const error =
        e instanceof DirectoryError
          ? e
          : new DirectoryError(this.path, [{ message: `读取组织名录时出错：${String(e)}` }]);
      // A vanished file is usually an editor mid-save; the rename that follows triggers another load.
      this.logger.error(
        { file: error.file, line: error.line, problems: error.problems },
        `${error.message}\n新的组织名录未生效，继续使用原来的名录`,
      );
      return { ok: false, error };
    }
  }
}

function resolved(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function summary(path: string, d: Directory) {
  return { file: path, units: d.allUnits().length, people: d.allPeople().length };
}
