// Gives the server under test a core of its own: on a machine with two or more cores it runs on the last one and
// the benchmark process (the load, the fakes, and whatever it starts) on the others, so that they do not take
// turns with it. SERVER_CPU=<n> picks the core, SERVER_CPU=none turns pinning off.
import { spawnSync } from 'node:child_process';
import os from 'node:os';

export interface ServerCore {
  /** The machine's cores, counted before this process was pinned to some of them. */
  cores: number;
  /** The core the server runs on, or 'none'. */
  core: string;
  /** The command and arguments that start `node <nodeArgs>` on that core. */
  command(nodeArgs: string[]): [string, string[]];
}

/** Pins this process off the server's core (call once, at start). */
export function serverCore(): ServerCore {
  const cores = os.availableParallelism();
  const hasTaskset = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
  const core = process.env.SERVER_CPU ?? (cores >= 2 && hasTaskset ? String(cores - 1) : 'none');
  if (core !== 'none') spawnSync('taskset', ['-pc', `0-${Math.max(0, Number(core) - 1)}`, String(process.pid)], { stdio: 'ignore' });
  return {
    cores,
    core,
    command: (nodeArgs) => (core === 'none' ? [process.execPath, nodeArgs] : ['taskset', ['-c', core, process.execPath, ...nodeArgs]]),
  };
}
