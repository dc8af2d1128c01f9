// Tests the org directory loader: the example file, one test per kind of mistake and its line, and live reload.
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DirectorySource } from '../src/directory/directory-source.ts';
import { DirectoryError, loadDirectoryFile, parseDirectory } from '../src/directory/load-directory.ts';

const GOOD = `issuer: 中共示例市委督查室
office: [zhang]
units:
  - id: jtj
    name: 市交通运输局
    head: li
    deputies: [wang]
    contacts: [zhao]
  - id: gaj
    name: 市公安局
    head: zhou
people:
  - id: zhang
    name: 张伟
    feishu: { open_id: ou_00000000000000000000000000000001 }
  - id: li
    name: 李明
    feishu: { open_id: ou_00000000000000000000000000000002, user_id: jtj001 }
    wecom: { userid: LiMing }
    prefer: wecom
  - id: wang
    name: 王建国
    wecom: { userid: "0123" }
  - id: zhao
    name: 赵磊
    feishu: { user_id: jtj0127 }
  - id: zhou
    name: 周宏伟
    wecom: { userid: GA0001 }
`;

/** 1-based line of the first line of `text` containing `needle` (the n-th one when asked). */
function lineOf(text: string, needle: string, nth = 1): number {
  let seen = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.includes(needle) && ++seen === nth) return i + 1;
  }
  throw new Error(`"${needle}" not in text`);
}

function edit(from: string, to: string, text = GOOD): string {
  if (!text.includes(from)) throw new Error(`"${from}" not in text`);
  return text.replace(from, to);
}

function errorOf(text: string): DirectoryError {
  try {
    parseDirectory(text, 'directory.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(DirectoryError);
    return e as DirectoryError;
  }
  throw new Error('expected a DirectoryError');
}

describe('the example directory', () => {
  it('loads, and every unit has a head, deputies and a contact who are in people', async () => {
    const d = await loadDirectoryFile('directory.example.yaml');
    expect(d.issuer).toBe('中共示例市委督查室');
    expect(d.office.length).toBeGreaterThanOrEqual(2);
    expect(d.office.length).toBeLessThanOrEqual(3);
    const units = d.allUnits();
    expect(units.length).toBeGreaterThanOrEqual(10);
    for (const name of ['市交通运输局', '市公安局', '市教育局', '市卫生健康委员会', '市住房和城乡建设局', '市生态环境局', '市自然资源和规划局', '市人力资源和社会保障局', '示例县人民政府']) {
      expect(d.unit(name)?.name).toBe(name);
    }
    for (const u of units) {
      expect(d.person(u.head)).toBeDefined();
      expect(u.deputies.length).toBeGreaterThanOrEqual(1);
      expect(u.deputies.length).toBeLessThanOrEqual(2);
      expect(u.contacts).toHaveLength(1);
      for (const id of [...u.deputies, ...u.contacts]) expect(d.person(id)).toBeDefined();
    }
    for (const p of d.allPeople()) {
      if (p.feishu?.open_id) expect(p.feishu.open_id).toMatch(/^ou_[0-9a-f]{32}$/);
      expect(p.feishu ?? p.wecom).toBeDefined();
    }
    const platforms = d.allPeople().map((p) => [Boolean(p.feishu), Boolean(p.wecom)].join());
    expect(new Set(platforms)).toEqual(new Set(['true,false', 'false,true', 'true,true']));
    expect(d.rolesOf('liming')).toEqual([{ role: 'head', unit: 'jtj' }]);
  });

  it('finds people by open_id, user_id and WeCom userid, keeping leading zeros', async () => {
    const d = await loadDirectoryFile('directory.example.yaml');
    expect(d.findByChatId('feishu', 'ou_eb440ed4cf898e3fa2de484f1985fe68')?.id).toBe('liming');
    expect(d.findByChatId('feishu', undefined, 'jtj0127')?.id).toBe('zhaolei');
    expect(d.findByChatId('wecom', 'GA0001')?.id).toBe('zhouhongwei');
    expect(d.findByChatId('wecom', '010001')?.id).toBe('jiangguoping');
    expect(d.findByChatId('wecom', 'ou_eb440ed4cf898e3fa2de484f1985fe68')).toBeUndefined();
  });
});

describe('parseDirectory', () => {
  it('fills defaults: prefer from the ids given, empty deputies and contacts', () => {
    const d = parseDirectory(GOOD, 'directory.yaml');
    const byId = new Map(d.people.map((p) => [p.id, p]));
    expect(byId.get('zhang')?.prefer).toBe('feishu');
    expect(byId.get('li')?.prefer).toBe('wecom');
    expect(byId.get('wang')).toEqual({ id: 'wang', name: '王建国', wecom: { userid: '0123' }, prefer: 'wecom' });
    expect(byId.get('zhao')?.prefer).toBe('feishu');
    expect(d.units[1]).toEqual({ id: 'gaj', name: '市公安局', head: 'zhou', deputies: [], contacts: [] });
  });

  it('treats an empty list as none', () => {
    const d = parseDirectory(edit('    deputies: [wang]', '    deputies:'), 'directory.yaml');
    expect(d.units[0]!.deputies).toEqual([]);
  });

  it('names the line of a YAML syntax error', () => {
    const text = edit('    name: 市公安局', '    name: "市公安局');
    const e = errorOf(text);
    expect(e.line).toBe(lineOf(text, '"市公安局'));
    expect(e.file).toBe('directory.yaml');
    expect(e.message).toMatch(new RegExp(`^directory\\.yaml 第 ${e.line} 行：YAML 语法错误`));
  });

  it('names the line of a tab used for indent', () => {
    const text = edit('    head: zhou', '\thead: zhou');
    expect(errorOf(text).line).toBe(lineOf(text, '\thead: zhou'));
  });

  it('names the unit of a missing field', () => {
    const text = edit('    head: zhou\n', '');
    const e = errorOf(text);
    expect(e.line).toBe(lineOf(text, 'id: gaj'));
    expect(e.problem).toBe('单位 gaj 缺少 head（一把手）');
  });

  it('names the line of an unknown key and suggests the likely one', () => {
    const text = edit('    deputies: [wang]', '    deputys: [wang]');
    const e = errorOf(text);
    expect(e.line).toBe(lineOf(text, 'deputys'));
    expect(e.problem).toContain('"deputies"');
  });

  it('names the line of an unknown key inside feishu', () => {
    const text = edit('{ user_id: jtj0127 }', '{ userid: jtj0127 }');
    const e = errorOf(text);
    expect(e.line).toBe(lineOf(text, 'userid: jtj0127'));
    expect(e.problem).toContain('"user_id"');
  });

  it('names the line of a head not in people', () => {
    const text = edit('    head: li', '    head: liu');
    const e = errorOf(text);
    expect(e.line).toBe(lineOf(text, 'head: liu'));
    expect(e.message).toBe(`directory.yaml 第 ${e.line} 行：单位 jtj 的一把手 "liu" 不在 people 名单中`);
  });

  it('names the line of a deputy or office member not in people', () => {
    let text = edit('deputies: [wang]', 'deputies: [wang, qian]');
    expect(errorOf(text).problem).toBe('单位 jtj 的班子成员 "qian" 不在 people 名单中');
    text = edit('office: [zhang]', 'office: [zhang, qian]');
    expect(errorOf(text).line).toBe(lineOf(text, 'office:'));
  });

  it('names the line of a duplicate unit id', () => {
    const text = edit('  - id: gaj', '  - id: jtj');
    const e = errorOf(text);
    expect(e.line).toBe(lineOf(text, 'id: jtj', 2));
    expect(e.problem).toBe(`单位 id "jtj" 重复（第 ${lineOf(text, 'id: jtj')} 行已有）`);
  });

  it('names the line of a duplicate unit name', () => {
    const text = edit('    name: 市公安局', '    name: 市交通运输局');
    const e = errorOf(text);
    expect(e.line).toBe(lineOf(text, '市交通运输局', 2));
    expect(e.problem).toContain('单位名称 "市交通运输局" 重复');
  });

  it('names the line of a duplicate person id', () => {
    const text = `${GOOD}  - id: zhao\n    name: 赵蕾\n    wecom: { userid: ZhaoLei2 }\n`;
    const e = errorOf(text);
    expect(e.line).toBe(lineOf(text, 'id: zhao', 2));
    expect(e.problem).toBe(`人员 id "zhao" 重复（第 ${lineOf(text, 'id: zhao')} 行已有）`);
  });

  it('names the line of a chat id that two people share', () => {
    const text = edit('{ userid: GA0001 }', '{ userid: LiMing }');
    const e = errorOf(text);
    expect(e.line).toBe(lineOf(text, 'userid: LiMing', 2));
    expect(e.problem).toContain('已属于人员 li');
  });

  it('treats open_id and user_id as one namespace', () => {
    const text = edit('{ user_id: jtj0127 }', '{ user_id: ou_00000000000000000000000000000001 }');
    expect(errorOf(text).line).toBe(lineOf(text, 'ou_00000000000000000000000000000001', 2));
  });

  it('names the line of a prefer without that platform id', () => {
    let text = edit('    wecom: { userid: GA0001 }', '    wecom: { userid: GA0001 }\n    prefer: feishu');
    let e = errorOf(text);
    expect(e.line).toBe(lineOf(text, 'prefer: feishu'));
    expect(e.problem).toBe('人员 zhou 的 prefer 是 feishu，但没有填 feishu.open_id 或 feishu.user_id');

    text = edit('    feishu: { user_id: jtj0127 }', '    feishu: { user_id: jtj0127 }\n    prefer: wecom');
    e = errorOf(text);
    expect(e.line).toBe(lineOf(text, 'prefer: wecom', 2));
    expect(e.problem).toContain('没有填 wecom.userid');
  });

  it('refuses an unknown prefer value', () => {
    const text = edit('    prefer: wecom', '    prefer: lark');
    const e = errorOf(text);
    expect(e.line).toBe(lineOf(text, 'prefer: lark'));
    expect(e.problem).toContain('只能是 feishu 或 wecom');
  });

  it('refuses a person with no chat id', () => {
    const text = edit('    wecom: { userid: GA0001 }\n', '');
    const e = errorOf(text);
    expect(e.line).toBe(lineOf(text, 'id: zhou'));
    expect(e.problem).toContain('没有任何聊天账号');
  });

  it('refuses an open_id that is not one', () => {
    const text = edit('open_id: ou_00000000000000000000000000000001', 'open_id: zhangwei01');
    expect(errorOf(text).line).toBe(lineOf(text, 'zhangwei01'));
  });

  it('refuses a head also listed as deputy', () => {
    const text = edit('deputies: [wang]', 'deputies: [wang, li]');
    expect(errorOf(text).problem).toBe('单位 jtj 的一把手 li 不应同时列为班子成员');
  });

  it('refuses an empty office and an empty file', () => {
    expect(errorOf(edit('office: [zhang]', 'office: []')).problem).toBe('office（督查室人员）至少要有一项');
    expect(errorOf('').line).toBeUndefined();
  });

  it('reports every problem, first by line', () => {
    const text = edit('    head: li', '    head: liu', edit('    head: zhou', '    head: zhoo'));
    const e = errorOf(text);
    expect(e.problems.map((p) => p.line)).toEqual([lineOf(text, 'head: liu'), lineOf(text, 'head: zhoo')]);
    expect(e.message.split('\n')).toHaveLength(2);
  });

  it('names the path of a missing file', async () => {
    const path = join(tmpdir(), 'ducha-no-such-directory.yaml');
    const e = await loadDirectoryFile(path).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(DirectoryError);
    expect((e as DirectoryError).file).toBe(path);
    expect((e as DirectoryError).message).toContain(path);
  });
});

describe('DirectorySource', () => {
  let dir: string;
  let file: string;
  let source: DirectorySource | undefined;
  const logger = {
    info: vi.fn(),
    warn: vi.fn(),
    error: vi.fn(),
    debug: vi.fn(),
  };
  const log = logger as unknown as Logger;

  // Written then renamed into place, as editors and config tools do.
  async function replaceFile(text: string): Promise<void> {
    const tmp = join(dir, `.tmp-${Math.random().toString(36).slice(2)}`);
    await writeFile(tmp, text);
    await rename(tmp, file);
  }

  beforeEach(async () => {
    vi.clearAllMocks();
    dir = await mkdtemp(join(tmpdir(), 'ducha-directory-'));
    file = join(dir, 'directory.yaml');
    await writeFile(file, GOOD);
  });

  afterEach(async () => {
    source?.close();
    source = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a bad file at start-up', async () => {
    await writeFile(file, edit('    head: li', '    head: liu'));
    await expect(DirectorySource.open(file, log)).rejects.toBeInstanceOf(DirectoryError);
  });

  it('picks up a good new file on reload()', async () => {
    source = await DirectorySource.open(file, log);
    const before = source.current();
    await writeFile(file, edit('中共示例市委督查室', '中共示例市人民政府督查室'));
    expect(await source.reload()).toEqual({ ok: true });
    expect(source.current().issuer).toBe('中共示例市人民政府督查室');
    expect(before.issuer).toBe('中共示例市委督查室');
  });

  it('refuses a bad new file, logs it and keeps the old snapshot', async () => {
    source = await DirectorySource.open(file, log);
    const before = source.current();
    const bad = edit('    head: li', '    head: liu');
    await writeFile(file, bad);
    const result = await source.reload();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.line).toBe(lineOf(bad, 'head: liu'));
    expect(source.current()).toBe(before);
    expect(logger.error).toHaveBeenCalledOnce();
    expect(String(logger.error.mock.calls[0]![1])).toContain('不在 people 名单中');
  });

  it('refuses a vanished file and keeps the old snapshot', async () => {
    source = await DirectorySource.open(file, log);
    const before = source.current();
    await rm(file);
    expect((await source.reload()).ok).toBe(false);
    expect(source.current()).toBe(before);
  });

  it('reloads when the file is replaced, after watch()', async () => {
    source = await DirectorySource.open(file, log);
    source.watch();
    await replaceFile(edit('中共示例市委督查室', '中共示例县委督查室'));
    await vi.waitFor(() => expect(source!.current().issuer).toBe('中共示例县委督查室'), {
      timeout: 5_000,
      interval: 20,
    });

    // A bad save in between is refused; the next good one still gets through.
    await replaceFile(edit('    head: li', '    head: liu'));
    await vi.waitFor(() => expect(logger.error).toHaveBeenCalled(), { timeout: 5_000, interval: 20 });
    expect(source.current().issuer).toBe('中共示例县委督查室');
    await writeFile(file, edit('中共示例市委督查室', '中共示例区委督查室'));
    await vi.waitFor(() => expect(source!.current().issuer).toBe('中共示例区委督查室'), {
      timeout: 5_000,
      interval: 20,
    });
  });

  it('reloads when a Kubernetes ConfigMap mount swaps its ..data symlink, after watch()', async () => {
    // The layout the kubelet writes: a timestamped directory, `..data` pointing at it, and the file a link
    // through `..data`. An update writes a new timestamped directory and renames a new link over `..data`.
    const mount = join(dir, 'mount');
    await mkdir(join(mount, '..2026_09_28_09_00_00.000000001'), { recursive: true });
    await writeFile(join(mount, '..2026_09_28_09_00_00.000000001', 'directory.yaml'), GOOD);
    await symlink('..2026_09_28_09_00_00.000000001', join(mount, '..data'));
    await symlink('..data/directory.yaml', join(mount, 'directory.yaml'));
    source = await DirectorySource.open(join(mount, 'directory.yaml'), log);
    source.watch();

    const swap = async (stamp: string, text: string, old: string) => {
      await mkdir(join(mount, stamp));
      await writeFile(join(mount, stamp, 'directory.yaml'), text);
      await symlink(stamp, join(mount, '..data_tmp'));
      await rename(join(mount, '..data_tmp'), join(mount, '..data'));
      await rm(join(mount, old), { recursive: true });
    };
    await swap('..2026_09_28_10_00_00.000000002', edit('中共示例市委督查室', '中共示例县委督查室'), '..2026_09_28_09_00_00.000000001');
    await vi.waitFor(() => expect(source!.current().issuer).toBe('中共示例县委督查室'), { timeout: 5_000, interval: 20 });
    // And again: the watch follows the new target, not the one removed.
    await swap('..2026_09_28_11_00_00.000000003', edit('中共示例市委督查室', '中共示例区委督查室'), '..2026_09_28_10_00_00.000000002');
    await vi.waitFor(() => expect(source!.current().issuer).toBe('中共示例区委督查室'), { timeout: 5_000, interval: 20 });
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('reloads when the file a symlink points to elsewhere is edited in place, after watch()', async () => {
    const elsewhere = join(dir, 'srv');
    await mkdir(elsewhere);
    await writeFile(join(elsewhere, 'real.yaml'), GOOD);
    const link = join(dir, 'linked.yaml');
    await symlink(join(elsewhere, 'real.yaml'), link);
    source = await DirectorySource.open(link, log);
    source.watch();
    await writeFile(join(elsewhere, 'real.yaml'), edit('中共示例市委督查室', '中共示例县委督查室'));
    await vi.waitFor(() => expect(source!.current().issuer).toBe('中共示例县委督查室'), { timeout: 5_000, interval: 20 });
  });

  it('reloads on SIGHUP until closed', async () => {
    source = await DirectorySource.open(file, log);
    // Written before watch(), so only the signal can bring it in.
    await writeFile(file, edit('中共示例市委督查室', '中共示例州委督查室'));
    const listeners = process.listenerCount('SIGHUP');
    source.watch();
    expect(process.listenerCount('SIGHUP')).toBe(listeners + 1);
    process.emit('SIGHUP');
    await vi.waitFor(() => expect(source!.current().issuer).toBe('中共示例州委督查室'), {
      timeout: 5_000,
      interval: 20,
    });
    source.close();
    expect(process.listenerCount('SIGHUP')).toBe(listeners);
  });
});

describe('DirectorySource.onChange', () => {
  it('tells listeners of each new snapshot in force, not of a refused file', async () => {
    const { mkdtempSync, writeFileSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { DirectorySource } = await import('../src/directory/directory-source.ts');
    const { silentLogger } = await import('../src/infra/logger.ts');
    const file = join(mkdtempSync(join(tmpdir(), 'ducha-onchange-')), 'd.yaml');
    const good = readFileSync('test/fixtures/directory.yaml', 'utf8');
    writeFileSync(file, good);
    const source = await DirectorySource.open(file, silentLogger);
    const seen: string[] = [];
    const before = source.fingerprint();
    source.onChange((d) => seen.push(d.unit('jtj')!.head));
    writeFileSync(file, good.replace('head: li', 'head: sun').replace('deputies: [wang, sun]', 'deputies: [wang]'));
    expect((await source.reload()).ok).toBe(true);
    writeFileSync(file, 'not: [a directory');
    expect((await source.reload()).ok).toBe(false);
    expect(seen).toEqual(['sun']);
    expect(source.fingerprint()).not.toBe(before);
    source.close();
  });
});
