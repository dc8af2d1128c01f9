// Reads and checks the environment once at start-up; a bad value stops the process with its name.
import { z } from 'zod';
import { FAULT_POINTS, type FaultPoint } from './fault-point.ts';
import { parseTimeOfDay, parseWorkHours, type WorkHours } from '../domain/work-hours.ts';
import { isListenAddress, isLoopback, plainAddress } from './loopback-address.ts';

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const withDefault = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? fallback : v.trim()));

const url = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? fallback : v.trim().replace(/\/+$/, '')))
    .pipe(z.url({ message: '不是合法的 URL' }));

const schema = z.object({
  PORT: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? 3000 : Number(v)))
    .pipe(z.number({ message: '必须是数字' }).int('必须是整数').min(0, '端口超出范围 0–65535').max(65535, '端口超出范围 0–65535')),
  HOST: optional.refine((v) => v === undefined || isListenAddress(v), '应为本机的 IP 地址（如 127.0.0.1、0.0.0.0、::）或 localhost'),
  DUCHA_ROLE: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? 'all' : v))
    .pipe(z.enum(['all', 'web', 'worker'], { message: '只能是 all、web 或 worker' })),
  DUCHA_CONSOLE: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? 'auto' : v.trim()))
    .pipe(z.enum(['auto', 'on', 'off'], { message: '只能是 auto、on 或 off' })),
  // Not trimmed: a password is taken exactly as written.
  DUCHA_CONSOLE_PASSWORD: z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v)),
  DUCHA_ADMIN_PASSWORD: z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v)),
  REDIS_URL: url('redis://127.0.0.1:6379').refine((v) => /^rediss?:\/\//.test(v), '应以 redis:// 或 rediss:// 开头，如 redis://127.0.0.1:6379'),
  DUCHA_PREFIX: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? 'ducha' : v))
    .pipe(z.string().regex(/^[A-Za-z0-9_.-]+$/, '只能含字母、数字、_ . -')),
  DIRECTORY_FILE: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? 'directory.example.yaml' : v)),
  DUCHA_CALENDAR_FILE: optional,
  DUCHA_TZ: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? 'Asia/Shanghai' : v))
    .refine(isTimeZone, '不是已知的时区（例如 Asia/Shanghai）'),
  DUCHA_SECRET: optional.pipe(z.string().min(16, '至少 16 个字符').optional()),
  LOG_LEVEL: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? 'info' : v))
    .pipe(z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], { message: '只能是 trace、debug、info、warn、error、fatal 或 silent' })),
  DUCHA_REMIND_AT: withDefault('09:00').transform((v, ctx) => {
    const m = parseTimeOfDay(v);
    if (m === undefined) ctx.addIssue({ code: 'custom', message: `“${v}”不是 HH:MM 格式的时刻（如 09:00）` });
    return m ?? 0;
  }),
  DUCHA_REMIND_BEFORE: withDefault('3,1').transform((v, ctx) => {
    const parts = v.split(/[,，、]/).map((x) => x.trim());
    const ns = parts.map(Number);
    if (parts.some((x) => !/^\d+$/.test(x)) || ns.some((n) => n < 1 || n > 30) || new Set(ns).size !== ns.length) {
      ctx.addIssue({ code: 'custom', message: `“${v}”应为 1 到 30 之间、互不相同的工作日数，用逗号分隔（如 3,1）` });
    }
    return [...new Set(ns)].sort((a, b) => b - a);
  }),
  DUCHA_WORK_HOURS: withDefault('09:00-18:00').transform((v, ctx) => {
    const w = parseWorkHours(v);
    if (!w) ctx.addIssue({ code: 'custom', message: `“${v}”应为 HH:MM-HH:MM 格式的上下班时间，且下班晚于上班（如 09:00-18:00）` });
    return w ?? { start: 0, end: 1 };
  }),
  DUCHA_CHASE_AFTER: withDefault('4').transform((v, ctx) => {
    const n = Number(v);
    if (!/^\d+(\.\d+)?$/.test(v) || n <= 0 || n > 200) ctx.addIssue({ code: 'custom', message: `“${v}”应为大于 0、不超过 200 的工作小时数（如 4）` });
    return n;
  }),
  DUCHA_ESCALATE: withDefault('1,3,7').transform((v, ctx) => {
    const parts = v.split(/[,，、]/).map((x) => x.trim());
    const ns = parts.map(Number);
    const ok = parts.length === 3 && parts.every((x) => /^\d+$/.test(x)) && ns[0]! >= 1 && ns[0]! < ns[1]! && ns[1]! < ns[2]! && ns[2]! <= 60;
    if (!ok) ctx.addIssue({ code: 'custom', message: `“${v}”应为三个逐级增大的逾期工作日数（1 到 60），用逗号分隔（如 1,3,7）` });
    return ns as [number, number, number];
  }),
  DUCHA_ATTACH_WINDOW: withDefault('10').transform((v, ctx) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < 1 || n > 1440) ctx.addIssue({ code: 'custom', message: `“${v}”应为 1 到 1440 之间的分钟数（如 10）` });
    return n;
  }),
  DUCHA_FILES_DIR: withDefault('./data/files'),
  DUCHA_PDF_FONT: optional,
  DUCHA_CLOCK: optional.transform((v, ctx) => {
    if (v === undefined) return undefined;
    const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(v) ? Date.parse(v) : NaN;
    if (!Number.isFinite(ms)) ctx.addIssue({ code: 'custom', message: `“${v}”应为带时区的 ISO 8601 时刻，如 2026-12-07T08:59:00+08:00` });
    return ms;
  }),
  FEISHU_APP_ID: optional,
  FEISHU_APP_SECRET: optional,
  FEISHU_VERIFICATION_TOKEN: optional,
  FEISHU_ENCRYPT_KEY: optional,
  FEISHU_BASE_URL: url('https://open.feishu.cn'),
  FEISHU_MODE: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? 'webhook' : v))
    .pipe(z.enum(['webhook', 'websocket'], { message: '只能是 webhook 或 websocket' })),
  WECOM_CORP_ID: optional,
  WECOM_AGENT_ID: optional,
  WECOM_SECRET: optional,
  WECOM_TOKEN: optional,
  WECOM_ENCODING_AES_KEY: optional,
  WECOM_BASE_URL: url('https://qyapi.weixin.qq.com'),
  // For the crash tests only (see src/infra/fault-point.ts); undocumented for users on purpose.
  DUCHA_FAULT: optional.pipe(z.enum(FAULT_POINTS as [FaultPoint, ...FaultPoint[]], { message: '不是已知的故障点' }).optional()),
  NODE_ENV: optional,
});

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export type Env = z.infer<typeof schema>;

export interface Config {
  port: number;
  /** The listen address: HOST, else loopback with the console and every interface without it. */
  host: string;
  role: 'all' | 'web' | 'worker';
  redisUrl: string;
  prefix: string;
  directoryFile: string;
  calendarFile?: string;
  tz: string;
  secret?: string;
  logLevel: string;
  /** Scheduled messages (src/schedule/): the daily slot, minutes after local midnight on working days. */
  remindAt: number;
  /** Remind this many working days before a deadline (descending), besides on the day and every day after. */
  remindBefore: number[];
  workHours: WorkHours;
  /** Working hours after issue before an unreceived notice is chased (and the same again for the second chase). */
  chaseAfter: number;
  /** Working days overdue of the three escalation steps of a key item (frozen on each item when it is issued). */
  escalate: [number, number, number];
  /** Files and images a contact sends within this many minutes before a /报送 are attached to that report. */
  attachWindowMinutes: number;
  /** Where report attachments are kept, content-addressed (shared storage when processes run on several machines). */
  filesDir: string;
  /** DUCHA_PDF_FONT: the font file for PDFs and charts (`path#PostScriptName` for a collection); see src/output/pdf-font.ts. */
  pdfFont?: string;
  /** DUCHA_CLOCK: the domain clock starts at this instant (epoch ms), then runs at real speed. */
  clockStart?: number;
  /** A crash point for tests (src/infra/fault-point.ts). */
  fault?: FaultPoint;
  feishu?: {
    appId: string;
    appSecret: string;
    verificationToken?: string;
    encryptKey?: string;
    baseUrl: string;
    mode: 'webhook' | 'websocket';
  };
  /** The local console at /console: on only where no real platform is (it lets anyone act as anyone). */
  console: boolean;
  /** Basic auth on every console route; required when the console listens beyond loopback. */
  consolePassword?: string;
  /** Turns on /metrics and /admin/queues, behind Basic auth as `admin`; unset, both answer 404. */
  adminPassword?: string;
  wecom?: {
    corpId: string;
    agentId: string;
    secret: string;
    token?: string;
    encodingAesKey?: string;
    baseUrl: string;
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${String(i.path[0] ?? '?')}：${i.message}`);
    throw new ConfigError(`环境变量有误，服务未启动：\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const cfg: Config = {
    port: e.PORT,
    host: '0.0.0.0',
    role: e.DUCHA_ROLE,
    redisUrl: e.REDIS_URL,
    prefix: e.DUCHA_PREFIX,
    directoryFile: e.DIRECTORY_FILE,
    calendarFile: e.DUCHA_CALENDAR_FILE,
    tz: e.DUCHA_TZ,
    secret: e.DUCHA_SECRET,
    logLevel: e.LOG_LEVEL,
    remindAt: e.DUCHA_REMIND_AT,
    remindBefore: e.DUCHA_REMIND_BEFORE,
    workHours: e.DUCHA_WORK_HOURS,
    chaseAfter: e.DUCHA_CHASE_AFTER,
    escalate: e.DUCHA_ESCALATE,
    attachWindowMinutes: e.DUCHA_ATTACH_WINDOW,
    filesDir: e.DUCHA_FILES_DIR,
    pdfFont: e.DUCHA_PDF_FONT,
    console: false,
    adminPassword: e.DUCHA_ADMIN_PASSWORD,
  };
  if (e.DUCHA_CLOCK !== undefined) {
    if (e.NODE_ENV === 'production') {
      throw new ConfigError('环境变量有误，服务未启动：\n  DUCHA_CLOCK：仅供演示和验收使用，生产环境（NODE_ENV=production）不能设置');
    }
    cfg.clockStart = e.DUCHA_CLOCK;
  }
  if (e.DUCHA_FAULT) {
    if (e.NODE_ENV === 'production') throw new ConfigError('环境变量有误，服务未启动：\n  DUCHA_FAULT：仅供测试使用，生产环境（NODE_ENV=production）不能设置');
    cfg.fault = e.DUCHA_FAULT;
  }
  // A platform half configured is a mistake, not "off": say which variable is missing.
  const half: string[] = [];
  if (Boolean(e.FEISHU_APP_ID) !== Boolean(e.FEISHU_APP_SECRET)) {
    half.push(`  ${e.FEISHU_APP_ID ? 'FEISHU_APP_SECRET' : 'FEISHU_APP_ID'}：设置了 ${e.FEISHU_APP_ID ? 'FEISHU_APP_ID' : 'FEISHU_APP_SECRET'} 就必须同时设置它（飞书开发者后台 → 凭证与基础信息）`);
  }
  const wecomCore = { WECOM_CORP_ID: e.WECOM_CORP_ID, WECOM_AGENT_ID: e.WECOM_AGENT_ID, WECOM_SECRET: e.WECOM_SECRET };
  const wecomAny = Object.values(wecomCore).some(Boolean) || Boolean(e.WECOM_TOKEN || e.WECOM_ENCODING_AES_KEY);
  if (wecomAny) {
    for (const [k, v] of Object.entries(wecomCore)) if (!v) half.push(`  ${k}：企业微信的其他变量已设置，它也必须设置（企业ID、应用 AgentId 和 Secret 缺一不可）`);
  }
  if (half.length) throw new ConfigError(`环境变量有误，服务未启动：\n${half.join('\n')}`);
  if (e.FEISHU_APP_ID && e.FEISHU_APP_SECRET && e.FEISHU_MODE === 'webhook' && !e.FEISHU_VERIFICATION_TOKEN) {
    // Without it no webhook can be told from a forgery: refuse to start rather than accept everything.
    throw new ConfigError(
      '环境变量有误，服务未启动：\n  FEISHU_VERIFICATION_TOKEN：飞书 webhook 模式必须设置（开发者后台 → 事件与回调 → 加密策略 → Verification Token）',
    );
  }
  if (e.FEISHU_APP_ID && e.FEISHU_APP_SECRET) {
    cfg.feishu = {
      appId: e.FEISHU_APP_ID,
      appSecret: e.FEISHU_APP_SECRET,
      verificationToken: e.FEISHU_VERIFICATION_TOKEN,
      encryptKey: e.FEISHU_ENCRYPT_KEY,
      baseUrl: e.FEISHU_BASE_URL,
      mode: e.FEISHU_MODE,
    };
  }
  if (e.WECOM_CORP_ID && e.WECOM_AGENT_ID && e.WECOM_SECRET) {
    // Without the callback settings no command or button press could reach ducha: refuse to start half-wired.
    const missing = [
      !e.WECOM_TOKEN && '  WECOM_TOKEN：启用企业微信时必须设置（应用管理 → 本应用 → 接收消息 → 设置API接收 → Token）',
      !e.WECOM_ENCODING_AES_KEY && '  WECOM_ENCODING_AES_KEY：启用企业微信时必须设置（同一页面的 EncodingAESKey）',
      e.WECOM_ENCODING_AES_KEY && !/^[A-Za-z0-9+/]{43}$/.test(e.WECOM_ENCODING_AES_KEY) && '  WECOM_ENCODING_AES_KEY：应为 43 个字母或数字（从企业微信后台原样复制）',
      !/^\d+$/.test(e.WECOM_AGENT_ID) && '  WECOM_AGENT_ID：应为数字（应用的 AgentId）',
    ].filter((x): x is string => typeof x === 'string');
    if (missing.length) throw new ConfigError(`环境变量有误，服务未启动：\n${missing.join('\n')}`);
    cfg.wecom = {
      corpId: e.WECOM_CORP_ID,
      agentId: e.WECOM_AGENT_ID,
      secret: e.WECOM_SECRET,
      token: e.WECOM_TOKEN,
      encodingAesKey: e.WECOM_ENCODING_AES_KEY,
      baseUrl: e.WECOM_BASE_URL,
    };
  }
  if (e.DUCHA_CONSOLE === 'on' && (cfg.feishu || cfg.wecom)) {
    throw new ConfigError(
      `环境变量有误，服务未启动：\n  DUCHA_CONSOLE：已配置${cfg.feishu ? '飞书' : '企业微信'}时不能设为 on。本地控制台允许任何人以任何人的身份操作，只能在没有接入真实平台时使用（设为 auto 或 off）`,
    );
  }
  const production = e.NODE_ENV === 'production';
  // Never on by itself in production: a deploy whose platform variables went missing must not become an open
  // "act as anyone" page over the real records.
  cfg.console = e.DUCHA_CONSOLE === 'on' || (e.DUCHA_CONSOLE === 'auto' && !cfg.feishu && !cfg.wecom && !production);
  if (production && !cfg.feishu && !cfg.wecom && !cfg.console) {
    throw new ConfigError(
      '环境变量有误，服务未启动：生产环境（NODE_ENV=production）没有配置任何平台，请设置 FEISHU_APP_ID 和 FEISHU_APP_SECRET（飞书），或 WECOM_CORP_ID、WECOM_AGENT_ID、WECOM_SECRET、WECOM_TOKEN 和 WECOM_ENCODING_AES_KEY（企业微信），或明确设置 DUCHA_CONSOLE=on（本地控制台）',
    );
  }
  cfg.host = e.HOST === undefined ? (cfg.console ? '127.0.0.1' : '0.0.0.0') : plainAddress(e.HOST);
  // A worker serves no console page, so it needs no password to listen where its orchestrator can reach it.
  if (cfg.console && cfg.role !== 'worker' && !isLoopback(cfg.host) && !e.DUCHA_CONSOLE_PASSWORD) {
    throw new ConfigError(
      `环境变量有误，服务未启动：\n  HOST、DUCHA_CONSOLE_PASSWORD：本地控制台允许任何人以任何人的身份操作，HOST=${e.HOST} 会让其他机器也能访问它，必须同时设置 DUCHA_CONSOLE_PASSWORD（控制台密码）；只在本机试用时不要设置 HOST`,
    );
  }
  if (cfg.console) cfg.consolePassword = e.DUCHA_CONSOLE_PASSWORD;
  return cfg;
}

/** One line for the start-up log: which platforms are off, and what would turn them on. */
export function platformSummary(cfg: Config): string {
  const parts: string[] = [];
  parts.push(cfg.feishu ? `飞书已启用（${cfg.feishu.mode}）` : '飞书未启用（设置 FEISHU_APP_ID 和 FEISHU_APP_SECRET 可启用）');
  parts.push(
    cfg.wecom
      ? `企业微信已启用（应用 ${cfg.wecom.agentId}，回调地址 /webhooks/wecom）`
      : '企业微信未启用（设置 WECOM_CORP_ID、WECOM_AGENT_ID、WECOM_SECRET、WECOM_TOKEN 和 WECOM_ENCODING_AES_KEY 可启用）',
  );
  if (cfg.console) parts.push(`本地控制台已启用：浏览器打开 ${consoleUrl(cfg)} 即可试用${cfg.consolePassword ? '（需输入 DUCHA_CONSOLE_PASSWORD 设置的密码）' : ''}（DUCHA_CONSOLE=off 可关闭）`);
  return parts.join('；');
}

/** Where a browser on this machine (or, with HOST, another one) opens the console. */
export function consoleUrl(cfg: Pick<Config, 'host' | 'port'>): string {
  const wildcard = cfg.host === '0.0.0.0' || cfg.host === '::';
  const host = wildcard || cfg.host === '127.0.0.1' ? 'localhost' : cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host;
  return `http://${host}:${cfg.port}/console`;
}
