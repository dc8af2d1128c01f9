// "Did you mean" over the example directory (eleven units, three dozen people): the units and people suggested for
// a short name, a typo in an id, pinyin initials, a homophone, part of a name; at most three; none when nothing is
// close. Pure: no Redis, no process.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Directory } from '../src/directory/directory.ts';
import { loadDirectoryFile } from '../src/directory/load-directory.ts';
import { didYouMean, editDistance, personLabel, suggestPeople, suggestUnits, unitLabel, unitWrittenAs } from '../src/directory/suggest.ts';

let dir: Directory;
beforeAll(async () => {
  dir = await loadDirectoryFile('directory.example.yaml');
});

const units = (typed: string) => suggestUnits(dir, typed).map(unitLabel);
const people = (typed: string, among = dir.allPeople()) => suggestPeople(among, typed).map(personLabel);

describe('units suggested', () => {
  it('for a short name people say: 交通局 → 市交通运输局（jtj）, and the like', () => {
    expect(units('交通局')).toEqual(['市交通运输局（jtj）']);
    expect(units('交通运输局')).toEqual(['市交通运输局（jtj）']);
    expect(units('住建局')).toEqual(['市住房和城乡建设局（zjj）']);
    expect(units('卫健委')).toEqual(['市卫生健康委员会（wjw）']);
    expect(units('人社局')).toEqual(['市人力资源和社会保障局（rsj）']);
    expect(units('东城区')).toEqual(['东城区人民政府（dcq）']);
    expect(units('西湖区政府')).toEqual(['西湖区人民政府（xhq）']);
    expect(units('公安')).toEqual(['市公安局（gaj）']);
    expect(units('卫生健康委')).toEqual(['市卫生健康委员会（wjw）']);
  });

  it('for an id with a slip: a letter swapped, missing, extra or wrong', () => {
    expect(units('jjt')).toEqual(['市交通运输局（jtj）']);
    expect(units('gja')).toEqual(['市公安局（gaj）']);
    expect(units('sthj')).toEqual(['市生态环境局（sthjj）']);
    expect(units('jtjj')).toEqual(['市交通运输局（jtj）']);
    expect(units('zrzyjj')).toEqual(['市自然资源和规划局（zrzyj）']);
  });

  it('by pinyin: initials of the name or short name, or its spelling', () => {
    // 交通局 is jtj in initials, the id; so is a name written as its initials.
    expect(units('jtysj')).toEqual(['市交通运输局（jtj）']);
    expect(units('sjtysj')).toEqual(['市交通运输局（jtj）']);
    expect(units('jiaotong')).toEqual(['市交通运输局（jtj）']);
    // A homophone typed by the input method.
    expect(units('市交通运书局')).toEqual(['市交通运输局（jtj）']);
  });

  it('for a slip in the full name, and for the same name in another width or case (taken, not guessed)', () => {
    expect(units('市教育厅')).toEqual(['市教育局（jyj）']);
    expect(unitWrittenAs(dir, 'ＪＴＪ')?.id).toBe('jtj');
    expect(unitWrittenAs(dir, ' 市交通运输局 ')?.id).toBe('jtj');
    expect(unitWrittenAs(dir, '交通局')).toBeUndefined();
  });

  it('at most three, the closest first', () => {
    expect(units('人民政府')).toEqual(['东城区人民政府（dcq）', '西湖区人民政府（xhq）', '示例县人民政府（slx）']);
    expect(suggestUnits(dir, '政府')).toHaveLength(3);
    // An exact initials match outranks a near one.
    expect(units('jyj')[0]).toBe('市教育局（jyj）');
  });

  it('none when nothing is close', () => {
    for (const far of ['市财政局', '交警支队', '环保局', '市局', '局', 'xyz', 'a', '', '   ', '12']) expect(units(far), far).toEqual([]);
  });
});

describe('people suggested', () => {
  it('by a name with a slip or of the same sound, by id, by pinyin', () => {
    expect(people('王建图')).toEqual(['王建国（wangjianguo）']);
    expect(people('王键国')).toEqual(['王建国（wangjianguo）']);
    expect(people('孙莉')).toEqual(['孙丽（sunli）']);
    expect(people('李名')).toEqual(['李明（liming）']);
    expect(people('wangjianguo1')).toEqual(['王建国（wangjianguo）']);
    expect(people('limign')).toEqual(['李明（liming）']);
    expect(people('wjg')).toEqual(['王建国（wangjianguo）']);
  });

  it('only among those given (the people a command could mean)', () => {
    const deputiesOfJtj = dir.unit('jtj')!.deputies.map((id) => dir.person(id)!);
    expect(people('王建图', deputiesOfJtj)).toEqual(['王建国（wangjianguo）']);
    expect(people('李名', deputiesOfJtj)).toEqual([]);
  });

  it('none when nothing is close: a two-character name is not guessed from one character', () => {
    for (const far of ['张三', '李刚', 'nobody', '王']) expect(people(far), far).toEqual([]);
  });
});

describe('the words', () => {
  it('asks about up to three, or says nothing', () => {
    expect(didYouMean(['市交通运输局（jtj）'])).toBe('，您是不是要找：市交通运输局（jtj）？');
    expect(didYouMean(['甲', '乙'])).toBe('，您是不是要找：甲、乙？');
    expect(didYouMean([])).toBe('');
  });

  it('counts a swap of two neighbours as one edit', () => {
    expect(editDistance('jtj', 'jjt')).toBe(1);
    expect(editDistance('交通局', '市交通运输局')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
