// Writes a directory file for a city of N units (each with a head, a deputy and a contact, all on Feishu), for
// tests and benchmarks of city-wide items: unit `u1`…, heads `h1`…, deputies `d1`…, contacts `c1`…, office `zhang`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A Feishu open_id of the right shape, unique per number. */
export function cityOpenId(n: number): string {
  return `ou_${n.toString(16).padStart(32, '0')}`;
}

export interface CityDirectory {
  file: string;
  units: string[];
  head(unit: number): string;
  contact(unit: number): string;
  /** Person id → Feishu open_id. */
  openIds: Map<string, string>;
  /** Removes the file and its folder. */
  remove(): void;
}

export function writeCityDirectory(units: number, dir = mkdtempSync(join(tmpdir(), 'ducha-city-'))): CityDirectory {
  const openIds = new Map<string, string>([['zhang', cityOpenId(1)]]);
  const lines = ['issuer: 中共示例市委督查室', 'office: [zhang]', 'units:'];
  const people = [`  - { id: zhang, name: 张伟, feishu: { open_id: ${cityOpenId(1)} } }`];
  for (let i = 1; i <= units; i++) {
    lines.push(`  - { id: u${i}, name: 第${i}局, head: h${i}, deputies: [d${i}], contacts: [c${i}] }`);
    for (const [role, label, k] of [['h', '局长', 0], ['d', '副局长', 1], ['c', '联络员', 2]] as const) {
      const id = `${role}${i}`;
      const openId = cityOpenId(10 + i * 3 + k);
      openIds.set(id, openId);
      people.push(`  - { id: ${id}, name: 第${i}局${label}, feishu: { open_id: ${openId} } }`);
    }
  }
  const file = join(dir, 'directory.yaml');
  writeFileSync(file, [...lines, 'people:', ...people, ''].join('\n'));
  return {
    file,
    units: Array.from({ length: units }, (_, i) => `u${i + 1}`),
    head: (i) => `h${i}`,
    contact: (i) => `c${i}`,
    openIds,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
