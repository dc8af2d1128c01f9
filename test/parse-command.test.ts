// Tests of the chat command parser: names, keys, quotes, lists, raw report text, errors and item numbers.
import { describe, expect, it } from 'vitest';
import { COMMANDS, COMMAND_NAMES, KEY_CATEGORIES, findCommand, normalizeKeyCategory } from '../src/chat/commands.ts';
import { helpText, parseCommand, parseItemRef, usageLine, usageOf, type ParseError, type ParseOk } from '../src/chat/parse-command.ts';

function ok(text: string): ParseOk {
  const r = parseCommand(text);
  if (!r.ok) throw new Error(`expected ok for ${text}, got ${r.kind}: ${r.message}`);
  return r;
}

function fail(text: string): ParseError {
  const r = parseCommand(text);
  if (r.ok) throw new Error(`expected an error for ${text}, got ${JSON.stringify(r)}`);
  return r;
}

describe('command table', () => {
  it('has one entry per command with Chinese and English names', () => {
    expect(COMMAND_NAMES).toEqual(['new', 'cancel', 'amend', 'withdraw', 'handover', 'list', 'show', 'attachment', 'report', 'urge', 'summon', 'outcome', 'onsite', 'extend', 'return', 'verify', 'archive', 'instruct', 'stats', 'bulletin', 'help']);
    const zh = ['新建', '取消', '修改', '撤回', '转交', '台账', '查看', '附件', '报送', '催办', '约谈', '约谈结果', '坐地督查', '延期', '退回', '核验', '归档', '批示', '统计', '通报', '帮助'];
    COMMAND_NAMES.forEach((name, i) => {
      expect(COMMANDS[name].name).toBe(name);
      expect(COMMANDS[name].zh).toBe(zh[i]);
      expect(findCommand(zh[i]!)).toBe(name);
      expect(findCommand(name)).toBe(name);
      expect(findCommand(name.toUpperCase())).toBe(name);
      expect(COMMANDS[name].examples.length).toBeGreaterThan(0);
    });
    expect(findCommand('?')).toBe('help');
    expect(findCommand('？')).toBe('help');
    expect(findCommand('ｎｅｗ')).toBe('new');
    expect(findCommand('newer')).toBeUndefined();
  });

  it('every example in the table parses to its own command', () => {
    for (const name of COMMAND_NAMES) {
      for (const ex of COMMANDS[name].examples) {
        expect(ok(ex).command, ex).toBe(name);
      }
    }
  });

  it('exports the six key categories with their meaning', () => {
    expect(KEY_CATEGORIES.map((c) => c.value)).toEqual(['重大', '典型', '紧急', '民生', '交办', '疑难']);
    expect(KEY_CATEGORIES.map((c) => c.meaning)).toEqual([
      '影响全局的重大问题',
      '有典型意义',
      '重要而紧迫',
      '群众迫切需要解决',
      '上级领导指定',
      '非一把手亲自出马不能解决',
    ]);
    expect(normalizeKeyCategory('Urgent')).toBe('紧急');
    expect(normalizeKeyCategory('hard')).toBe('疑难');
    expect(normalizeKeyCategory('急')).toBe('紧急');
    expect(normalizeKeyCategory('群众迫切需要解决')).toBe('民生');
    expect(normalizeKeyCategory('一般')).toBeUndefined();
  });
});

describe('recognising a command', () => {
  it('takes / and ／, and a known first word without a slash', () => {
    expect(ok('/台账').command).toBe('list');
    expect(ok('／台账').command).toBe('list');
    expect(ok('  /list  ').command).toBe('list');
    expect(ok('台账').command).toBe('list');
    expect(ok('LIST').command).toBe('list');
    expect(ok('/ 台账').command).toBe('list');
    expect(ok('\u3000／查看\u300012\u3000').positional).toEqual(['12']);
  });

  it('says not_command for ordinary chat', () => {
    const r = fail('你好，请问这个事项怎么报送？');
    expect(r.kind).toBe('not_command');
    expect(fail('').kind).toBe('not_command');
    expect(fail('   ').kind).toBe('not_command');
    expect(fail('报送12').kind).toBe('not_command');
  });

  it('says unknown_command for a slash word that is no command, naming it', () => {
    const r = fail('/删除 12');
    expect(r.kind).toBe('unknown_command');
    expect(r.message).toContain('「/删除」');
    // No usage line to give: the message itself points to /帮助 (never the whole help).
    expect(r.message).toContain('发送 /帮助 查看全部命令');
    expect(r.usage).toBeUndefined();
    expect(fail('/').kind).toBe('unknown_command');
    expect(fail('/newer x').kind).toBe('unknown_command');
  });

  it('suggests the command meant', () => {
    const r = fail('/坐地 12');
    expect(r.kind).toBe('unknown_command');
    expect(r.message).toContain('/坐地督查');
    expect(r.usage).toBe(usageLine('onsite'));
  });

  it('accepts a Chinese name glued to its argument after a slash', () => {
    expect(ok('/催办12').positional).toEqual(['12']);
    const r = ok('/新建：防汛排查 单位=jtj 期限=5d');
    expect(r.command).toBe('new');
    expect(r.positional).toEqual(['防汛排查']);
  });
});

describe('/新建', () => {
  it('parses title, list of units, due, category, requirement, lead, person', () => {
    const r = ok('/新建 城区主干道积水整治 单位=市交通运输局、市住建局 期限=10工作日 类别=民生 要求=“汛前完成 排查” 牵头=市住建局 负责人=wang');
    expect(r.command).toBe('new');
    expect(r.positional).toEqual(['城区主干道积水整治']);
    expect(r.lists).toEqual({ unit: ['市交通运输局', '市住建局'] });
    expect(r.options).toEqual({ due: '10工作日', key: '民生', req: '汛前完成 排查', lead: '市住建局', to: 'wang' });
    expect(r.flags).toEqual([]);
    expect(r.rest).toBeUndefined();
  });

  it('takes English names and keys, any case, and canonicalises the category', () => {
    const r = ok('/NEW Lift install UNIT=zjj,jtj Due=2026-06-30 key=Major req="by end of June"');
    expect(r.command).toBe('new');
    expect(r.positional).toEqual(['Lift install']);
    expect(r.lists.unit).toEqual(['zjj', 'jtj']);
    expect(r.options).toEqual({ due: '2026-06-30', key: '重大', req: 'by end of June' });
  });

  it('joins positional words with one space, or takes one quoted title', () => {
    expect(ok('/新建 关于  加快 推进 单位=a 期限=1d').positional).toEqual(['关于 加快 推进']);
    expect(ok('/新建 "老旧 小区  改造" 单位=a 期限=1d').positional).toEqual(['老旧 小区  改造']);
    expect(ok('/新建 「老旧 小区」 单位=a 期限=1d').positional).toEqual(['老旧 小区']);
    expect(ok('/新建 ‘老旧 小区’ 单位=a 期限=1d').positional).toEqual(['老旧 小区']);
  });

  it('keeps quotes that are part of a title', () => {
    expect(ok('/新建 关于“放管服”改革的督查 单位=a 期限=1d').positional).toEqual(['关于“放管服”改革的督查']);
    expect(ok('/新建 “放管服”改革 单位=a 期限=1d').positional).toEqual(['“放管服”改革']);
  });

  it('takes full-width separators, full-width spaces and Chinese list commas', () => {
    const r = ok('／新建\u3000防汛\u3000单位：市交通运输局，市住建局、市水务局\u3000期限＝５工作日');
    expect(r.positional).toEqual(['防汛']);
    expect(r.lists.unit).toEqual(['市交通运输局', '市住建局', '市水务局']);
    expect(r.options.due).toBe('５工作日');
  });

  it('takes quoted list items with spaces, and drops empty items', () => {
    const r = ok('/新建 t 单位=“市 交通局”、「市 住建局」,, 期限=1d');
    expect(r.lists.unit).toEqual(['市 交通局', '市 住建局']);
  });

  it('tolerates spaces around the separator', () => {
    const r = ok('/新建 t 单位 = a 期限： 5d 要求 ：尽快');
    expect(r.lists.unit).toEqual(['a']);
    expect(r.options).toEqual({ due: '5d', req: '尽快' });
  });

  it('continues a value over following words', () => {
    const r = ok('/新建 t 单位=a、 b 期限=1d 要求=尽快 完成 整改');
    expect(r.lists.unit).toEqual(['a', 'b']);
    expect(r.options.req).toBe('尽快 完成 整改');
  });

  it('takes the title after the keys too', () => {
    expect(ok('/新建 单位=a 期限=1d 防汛排查').positional).toEqual(['防汛排查']);
  });

  it('refuses a category that is not one of the six, listing them', () => {
    const r = fail('/新建 t 单位=a 期限=1d 类别=一般');
    expect(r.kind).toBe('syntax');
    expect(r.message).toContain('「类别/key」');
    expect(r.message).toContain('一般');
    expect(r.message).toContain('群众迫切需要解决');
  });

  it('needs a title, units and a deadline', () => {
    expect(fail('/新建 单位=a 期限=1d').message).toContain('缺少标题');
    expect(fail('/新建 t 期限=1d').message).toContain('「单位/unit」');
    expect(fail('/新建 t 单位=a').message).toContain('「期限/due」');
    expect(fail('/新建 t 单位=、， 期限=1d').message).toContain('「单位/unit」');
  });
});

describe('/台账', () => {
  it('takes a flag in Chinese or English and keys', () => {
    expect(ok('/台账 逾期').flags).toEqual(['overdue']);
    expect(ok('/list OVERDUE').flags).toEqual(['overdue']);
    const r = ok('/台账 单位=jtj 状态=signed 逾期');
    expect(r.lists).toEqual({ unit: ['jtj'] });
    expect(r.options).toEqual({ status: 'signed' });
    expect(r.flags).toEqual(['overdue']);
    expect(ok('/台账 [逾期]').flags).toEqual(['overdue']);
  });

  it('takes a flag written with a yes or no value', () => {
    expect(ok('/台账 逾期=是').flags).toEqual(['overdue']);
    expect(ok('/台账 overdue=false').flags).toEqual([]);
    expect(fail('/台账 逾期=三天').message).toContain('「逾期/overdue」是开关');
  });

  it('takes a keyword before or after the keys, words joined', () => {
    expect(ok('/台账 积水')).toMatchObject({ command: 'list', positional: ['积水'], lists: {} });
    expect(ok('/台账 积水 整治 单位=jtj 逾期')).toMatchObject({ positional: ['积水 整治'], lists: { unit: ['jtj'] }, flags: ['overdue'] });
    expect(ok('/台账 单位=jtj 积水')).toMatchObject({ positional: ['积水'], lists: { unit: ['jtj'] } });
    expect(ok('/list "water logging" status=signed')).toMatchObject({ positional: ['water logging'], options: { status: 'signed' } });
    expect(ok('/台账').positional).toEqual([]);
    const r = fail('/台账 积水 颜色=红');
    expect(r.message).toContain('如果这是关键词的一部分，请把关键词放在引号里');
  });
});

describe('/查看', () => {
  it('takes an item number in any form', () => {
    expect(ok('/查看 12').positional).toEqual(['12']);
    expect(ok('show 2026-12').positional).toEqual(['2026-12']);
    expect(ok('/查看 督字〔2026〕12号').positional).toEqual(['督字〔2026〕12号']);
  });

  it('refuses a bad or missing number, or extra words', () => {
    const bad = fail('/查看 十二');
    expect(bad.kind).toBe('syntax');
    expect(bad.command).toBe('show');
    expect(bad.message).toContain('「十二」不是有效的事项编号');
    expect(bad.usage).toBe('用法：/查看 <事项编号>（详见 /帮助 查看）');
    expect(fail('/查看').message).toContain('缺少事项编号');
    expect(fail('/查看 12 13').message).toContain('多余的内容「13」');
  });

  it('has no keys', () => {
    const r = fail('/查看 12 单位=a');
    expect(r.message).toContain('「单位」');
    expect(r.message).toContain('不带参数');
  });
});

describe('/附件', () => {
  it('takes an item number and an attachment number, as people write it', () => {
    expect(ok('/附件 12 2').positional).toEqual(['12', '2']);
    expect(ok('/attachment 2026-12 附件3').positional).toEqual(['2026-12', '3']);
    expect(ok('/附件 督字〔2026〕12号 第１个').positional).toEqual(['督字〔2026〕12号', '1']);
    expect(ok('/附件12 01').positional).toEqual(['12', '1']);
  });

  it('refuses a missing, zero or wordy number, and anything after it', () => {
    expect(fail('/附件 12').message).toBe('/附件 缺少附件序号，例如：/附件 12 1');
    expect(fail('/附件').message).toContain('缺少事项编号，例如：/附件 12 1');
    expect(fail('/附件 12 0').message).toContain('「0」不是附件序号');
    expect(fail('/附件 12 照片').message).toContain('「照片」不是附件序号。序号是“附件1”“附件2”中的数字');
    expect(fail('/附件 12 1 2').message).toContain('多余的内容「2」');
    expect(fail('/附件 十二 1').message).toContain('「十二」不是有效的事项编号');
  });
});

describe('/报送', () => {
  it('keeps the rest of the line raw, with colons, equals signs and commas', () => {
    const r = ok('/报送 12 已完成排查：共3处，整改率=100%，a:b 单位=不是参数');
    expect(r.command).toBe('report');
    expect(r.positional).toEqual(['12']);
    expect(r.flags).toEqual([]);
    expect(r.rest).toBe('已完成排查：共3处，整改率=100%，a:b 单位=不是参数');
    expect(r.options).toEqual({});
    expect(r.lists).toEqual({});
  });

  it('takes the final flag right after the number', () => {
    const r = ok('/报送 2026-12 办结 全部整改到位。');
    expect(r.flags).toEqual(['final']);
    expect(r.positional).toEqual(['2026-12']);
    expect(r.rest).toBe('全部整改到位。');
    expect(ok('/report 12 FINAL all done').flags).toEqual(['final']);
    expect(ok('/报送 12 办结：全部整改到位').rest).toBe('全部整改到位');
  });

  it('does not take 办结 inside a word as the flag', () => {
    const r = ok('/报送 12 办结情况如下：已完成');
    expect(r.flags).toEqual([]);
    expect(r.rest).toBe('办结情况如下：已完成');
  });

  it('keeps line breaks and strips one level of quotes around the whole text', () => {
    expect(ok('/报送 12 一、已排查\n二、已整改').rest).toBe('一、已排查\n二、已整改');
    expect(ok('/报送 12 “已完成 排查”').rest).toBe('已完成 排查');
    expect(ok('/报送 12 "“已完成”"').rest).toBe('“已完成”');
    expect(ok('/报送 12 “放管服”已落实').rest).toBe('“放管服”已落实');
  });

  it('does not complain about unbalanced quotes in report text', () => {
    expect(ok('/报送 12 “已完成').rest).toBe('“已完成');
  });

  it('accepts the text glued to the number', () => {
    const r = ok('/报送 12：已完成');
    expect(r.positional).toEqual(['12']);
    expect(r.rest).toBe('已完成');
  });

  it('refuses empty text and a bad number', () => {
    expect(fail('/报送 12').message).toContain('缺少报告内容');
    expect(fail('/报送 12 办结').message).toContain('缺少报告内容');
    expect(fail('/报送 12 ""').message).toContain('缺少报告内容');
    expect(fail('/报送').message).toContain('缺少事项编号');
    expect(fail('/报送 已完成').message).toContain('「已完成」不是有效的事项编号');
  });
});

describe('/催办 /约谈 /坐地督查 /延期', () => {
  it('催办 with and without units', () => {
    expect(ok('/催办 12')).toMatchObject({ command: 'urge', positional: ['12'], lists: {} });
    expect(ok('/urge 12 unit=jtj，zjj').lists.unit).toEqual(['jtj', 'zjj']);
    expect(ok('/催办 单位=jtj 12')).toMatchObject({ positional: ['12'], lists: { unit: ['jtj'] } });
  });

  it('约谈 takes a time with a space without quotes', () => {
    const r = ok('/约谈 12 单位=jtj 时间=2026-05-20 15:00 地点=市委3号楼 302会议室');
    expect(r.command).toBe('summon');
    expect(r.options).toEqual({ at: '2026-05-20 15:00', place: '市委3号楼 302会议室' });
    expect(r.lists.unit).toEqual(['jtj']);
    const en = ok('/summon 12 unit=jtj at="2026-05-20 15:00" place=\'Room 302\'');
    expect(en.options).toEqual({ at: '2026-05-20 15:00', place: 'Room 302' });
  });

  it('约谈 needs unit, time and place', () => {
    expect(fail('/约谈 12 时间=明天 地点=302').message).toContain('缺少「单位/unit」');
    expect(fail('/约谈 12 单位=jtj 地点=302').message).toContain('缺少「时间/at」');
    expect(fail('/约谈 12 单位=jtj 时间=明天').message).toContain('缺少「地点/place」');
  });

  it('坐地督查 with a note, and without', () => {
    const r = ok('/坐地督查 12 单位=jtj 日期=2026-05-22 记录=“现场查看3处，2处未整改：需加快”');
    expect(r.command).toBe('onsite');
    expect(r.options).toEqual({ on: '2026-05-22', note: '现场查看3处，2处未整改：需加快' });
    expect(ok('/onsite 12 unit=jtj on=2026-05-22').options).toEqual({ on: '2026-05-22' });
    expect(fail('/坐地督查 12 单位=jtj').message).toContain('缺少「日期/on」');
  });

  it('延期 needs a date and a reason', () => {
    const r = ok('/延期 12 至=2026-07-15 理由=“汛期施工受限，需顺延”');
    expect(r).toMatchObject({ command: 'extend', positional: ['12'], options: { to: '2026-07-15', reason: '汛期施工受限，需顺延' } });
    expect(ok('/extend 12 to=2026-07-15 reason=rain').options).toEqual({ to: '2026-07-15', reason: 'rain' });
    expect(fail('/延期 12 至=2026-07-15').message).toContain('缺少「理由/reason」');
    expect(fail('/延期 12 理由=下雨').message).toContain('缺少「至/to」');
  });
});

describe('/帮助', () => {
  it('with no argument, or a command name in any spelling', () => {
    expect(ok('/帮助')).toMatchObject({ command: 'help', positional: [] });
    expect(ok('?')).toMatchObject({ command: 'help', positional: [] });
    expect(ok('？')).toMatchObject({ command: 'help', positional: [] });
    expect(ok('help')).toMatchObject({ command: 'help', positional: [] });
    expect(ok('/帮助 报送').positional).toEqual(['report']);
    expect(ok('/help Summon').positional).toEqual(['summon']);
    expect(ok('/帮助 /坐地督查').positional).toEqual(['onsite']);
  });

  it('a command followed only by ? or 帮助 asks for its usage', () => {
    expect(ok('/报送 ?')).toMatchObject({ command: 'help', positional: ['report'] });
    expect(ok('/新建 帮助')).toMatchObject({ command: 'help', positional: ['new'] });
  });

  it('refuses an unknown command name', () => {
    const r = fail('/帮助 删除');
    expect(r.kind).toBe('syntax');
    expect(r.command).toBe('help');
    expect(r.message).toContain('没有「删除」这个命令');
  });

  it('help text lists every command, grouped, in Chinese', () => {
    const h = helpText();
    for (const name of COMMAND_NAMES) {
      expect(h).toContain(`/${COMMANDS[name].zh}`);
      expect(h).toContain(`/${name}`);
    }
    expect(h).toContain('【督查室】');
    expect(h).toContain('【承办单位');
    expect(h.indexOf('/新建')).toBeLessThan(h.indexOf('【承办单位'));
    expect(h.indexOf('/报送')).toBeGreaterThan(h.indexOf('【承办单位'));
  });

  it('usage of a command has its syntax, who, and an example', () => {
    const u = usageOf('summon');
    expect(u).toContain('/约谈 <事项编号> 单位=');
    expect(u).toContain('/summon <no> unit=');
    expect(u).toContain('督查室');
    expect(u).toContain('例：/约谈 12');
    expect(usageOf('new')).toContain('非一把手亲自出马不能解决');
  });
});

describe('syntax errors', () => {
  it('names an unknown key and lists the keys of the command', () => {
    const r = fail('/新建 t 单位=a 期限=1d 颜色=红');
    expect(r.kind).toBe('syntax');
    expect(r.command).toBe('new');
    expect(r.message).toContain('「颜色」');
    expect(r.message).toContain('单位/unit');
    expect(r.message).toContain('负责人/to');
    expect(r.usage).toBe(usageLine('new'));
    expect(fail('/催办 12 color=red').message).toContain('「color」');
  });

  it('names a key written twice, even under its other name', () => {
    expect(fail('/新建 t 单位=a 期限=1d 期限=2d').message).toContain('「期限/due」写了两次');
    expect(fail('/新建 t 单位=a unit=b 期限=1d').message).toContain('「单位/unit」写了两次');
  });

  it('names an unclosed quote', () => {
    for (const text of ['/新建 “防汛 单位=a 期限=1d', '/新建 t 单位=a 期限=1d 要求="尽快', '/约谈 12 单位=a 时间=明天 地点=「302']) {
      const r = fail(text);
      expect(r.kind, text).toBe('syntax');
      expect(r.message, text).toContain('引号没有配对');
    }
  });

  it('names a key without a value', () => {
    expect(fail('/新建 t 单位=a 期限=').message).toContain('「期限/due」后面没有填写内容');
    expect(fail('/新建 t 单位=a 期限=1d 要求=""').message).toContain('「要求/req」后面没有填写内容');
  });

  it('does not take times or web addresses for keys', () => {
    expect(ok('/坐地督查 12 单位=a 日期=2026-05-22 记录=见 http://x.cn/a 15:00').options.note).toBe('见 http://x.cn/a 15:00');
  });
});

describe('parseItemRef', () => {
  const y = 2026;
  it.each([
    ['12', { year: 2026, seq: 12 }],
    ['12号', { year: 2026, seq: 12 }],
    ['第12号', { year: 2026, seq: 12 }],
    ['#12', { year: 2026, seq: 12 }],
    ['１２', { year: 2026, seq: 12 }],
    ['2025-12', { year: 2025, seq: 12 }],
    ['2026-012', { year: 2026, seq: 12 }],
    ['２０２６－０１２', { year: 2026, seq: 12 }],
    ['2026年12号', { year: 2026, seq: 12 }],
    ['督字〔2026〕12号', { year: 2026, seq: 12 }],
    ['督字[2025]12号', { year: 2025, seq: 12 }],
    ['督字［２０２６］１２号', { year: 2026, seq: 12 }],
    ['市委督字(2026)第3号', { year: 2026, seq: 3 }],
    [' 督字〔2026〕 12号 ', { year: 2026, seq: 12 }],
    // A draft, by its reference (it has no 督字 number until 发出).
    ['草稿7', { draft: 7 }],
    ['草稿７号', { draft: 7 }],
    ['草稿第12号', { draft: 12 }],
    ['draft7', { draft: 7 }],
    ['Draft-7', { draft: 7 }],
  ])('%s', (s, want) => {
    expect(parseItemRef(s, y)).toEqual(want);
  });

  it.each(['', '0', '十二', 'abc', '12-3', '2026-', '督字〔26〕12号', '2026-0', '12.5', '草稿', '草稿0', '草稿七', 'd7'])('refuses %j', (s) => {
    expect(parseItemRef(s, y)).toBeUndefined();
  });
});

describe('/退回: the reason for a "no"', () => {
  it('takes a reason with spaces and Chinese punctuation, and the unit by name', () => {
    expect(ok('/退回 15 理由=数据 不全，请补充')).toMatchObject({ command: 'return', positional: ['15'], options: { reason: '数据 不全，请补充' } });
    expect(ok('/return 15 unit=市交通运输局 reason="no photos"')).toMatchObject({ lists: { unit: ['市交通运输局'] }, options: { reason: 'no photos' } });
  });

  it('refuses a 退回 without a reason, naming the key', () => {
    expect(fail('/退回 15').message).toBe('/退回 缺少「理由/reason」，写成 理由=<文字>。');
  });
});

describe('/统计 and /通报 arguments', () => {
  it('take 期间=, 单位= and the word 导出, in Chinese or English', () => {
    const zh = parseCommand('/统计 期间=上月 单位=市交通运输局 导出');
    expect(zh.ok && [zh.command, zh.options.period, zh.lists.unit, zh.flags]).toEqual(['stats', '上月', ['市交通运输局'], ['export']]);
    const en = parseCommand('/bulletin period=2026-09 export');
    expect(en.ok && [en.command, en.options.period, en.flags]).toEqual(['bulletin', '2026-09', ['export']]);
  });
});
