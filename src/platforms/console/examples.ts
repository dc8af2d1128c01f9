// The console's example items: what a supervision office would plausibly ask of a unit, chosen by the unit's name
// (a road for the transport bureau, a campus for the education bureau), and none tied to a season, so that an
// example reads right in any month.

export interface ExampleTopic {
  title: string;
  /** 要求, for a key item */
  req: string;
  /** a progress report's text */
  progress: string;
  /** a final report's text */
  done: string;
}

const BY_UNIT: ReadonlyArray<[RegExp, ExampleTopic]> = [
  [
    /交通/,
    {
      title: '城区主干道路面破损修复',
      req: '逐段排查，限期修复到位',
      progress: '已完成主干道 12 处路面破损排查，修复方案：分三批施工，期限内全部完成。',
      done: '12 处路面破损已全部修复，通过验收，沿线交通恢复正常。',
    },
  ],
  [
    /公安/,
    {
      title: '校园周边交通安全整治',
      req: '上下学时段警力全部到位',
      progress: '已完成 8 所学校周边交通隐患排查，正在增设护学岗和减速带。',
      done: '已在 8 所学校门口增设护学岗和减速带，上下学时段警力全部到位。',
    },
  ],
  [
    /教育/,
    {
      title: '学校食堂食品安全检查',
      req: '全覆盖检查，问题当场整改',
      progress: '已检查全市 46 所学校食堂，发现问题 9 处，已整改 6 处。',
      done: '46 所学校食堂检查全覆盖，发现的 9 处问题全部整改到位。',
    },
  ],
  [
    /住房|住建|建设/,
    {
      title: '老旧小区加装电梯推进',
      req: '公布进度，接受群众监督',
      progress: '已完成 15 个小区意见征集，7 部电梯开工建设。',
      done: '首批 15 部电梯全部建成投用，进度已在政务网站公布。',
    },
  ],
  [
    /卫生|卫健|健康/,
    {
      title: '基层医疗机构服务能力提升',
      req: '补齐设备和人员短板',
      progress: '已完成 20 家社区卫生服务中心评估，设备采购进行中。',
      done: '20 家社区卫生服务中心设备配齐，全科医生全部到岗。',
    },
  ],
  [
    /生态|环境|环保/,
    {
      title: '餐饮油烟扰民投诉整治',
      req: '投诉件件有回应',
      progress: '已处理群众投诉 31 件，督促 18 家餐饮单位安装净化设施。',
      done: '31 件投诉全部办结回复，涉及的餐饮单位净化设施全部安装到位。',
    },
  ],
  [
    /自然资源|规划/,
    {
      title: '不动产登记一窗受理推进',
      req: '压缩办理时限',
      progress: '已在 3 个办事大厅开设综合窗口，办理时限压缩至 5 个工作日。',
      done: '全市办事大厅全部实行一窗受理，一般登记 5 个工作日内办结。',
    },
  ],
  [
    /人力|社会保障|人社/,
    {
      title: '农民工工资支付情况检查',
      req: '发现欠薪限期清偿',
      progress: '已检查在建工程项目 27 个，发现欠薪线索 4 条，正在督促清偿。',
      done: '4 起欠薪全部清偿到位，涉及农民工 63 人。',
    },
  ],
];

/** For a unit whose name says nothing of its work: what any unit (a district, a county) may be asked. */
const ANY_UNIT: readonly ExampleTopic[] = [
  {
    title: '背街小巷环境卫生整治',
    req: '建立长效保洁机制',
    progress: '已完成 40 条背街小巷排查，清理卫生死角 65 处。',
    done: '40 条背街小巷全部整治完毕，长效保洁机制已建立。',
  },
  {
    title: '群众来信反映问题核查',
    req: '逐件核查，及时回复',
    progress: '已核查群众来信 12 件，其中 8 件已答复。',
    done: '12 件来信全部核查答复，群众满意。',
  },
  {
    title: '政务服务事项办理提速',
    req: '公布承诺时限',
    progress: '已梳理政务服务事项 120 项，其中 90 项压缩了办理时限。',
    done: '120 项政务服务事项全部公布承诺时限，平均提速四成。',
  },
];

/**
 * An example topic for each unit named, in that order: the one that fits the unit's work, else one any unit may be
 * asked; never the same title twice.
 */
export function exampleTopics(unitNames: readonly string[]): ExampleTopic[] {
  const used = new Set<string>();
  return unitNames.map((name) => {
    const fits = BY_UNIT.filter(([re]) => re.test(name)).map(([, t]) => t);
    const topic = [...fits, ...ANY_UNIT].find((t) => !used.has(t.title)) ?? ANY_UNIT[0]!;
    used.add(topic.title);
    return topic;
  });
}
