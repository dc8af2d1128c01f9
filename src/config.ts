// Reads and checks the environment once at start-up; a bad value stops the process with its name.
import { z } from 'zod';
import { FAULT_POINTS, type FaultPoint } from './fault-point.ts';

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

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
    .pipe(z.number({ message: '必须是数字' }).int('必须是整数').min(0).max(65535, '端口超出范围 0–65535')),
  DUCHA_ROLE: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? 'all' : v))
    .pipe(z.enum(['all', 'web', 'worker'], { message: '只能是 all、web 或 worker' })),
  REDIS_URL: url('redis://127.0.0.1:6379'),
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
    .pipe(z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])),
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
  // For the crash tests only (see src/fault-point.ts); undocumented for users on purpose.
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
  role: 'all' | 'web' | 'worker';
  redisUrl: string;
  prefix: string;
  directoryFile: string;
  calendarFile?: string;
  tz: string;
  secret?: string;
  logLevel: string;
  /** A crash point for tests (src/fault-point.ts). */
  fault?: FaultPoint;
  feishu?: {
    appId: string;
    appSecret: string;
    verificationToken?: string;
    encryptKey?: string;
    baseUrl: string;
    mode: 'webhook' | 'websocket';
  };
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
    role: e.DUCHA_ROLE,
    redisUrl: e.REDIS_URL,
    prefix: e.DUCHA_PREFIX,
    directoryFile: e.DIRECTORY_FILE,
    calendarFile: e.DUCHA_CALENDAR_FILE,
    tz: e.DUCHA_TZ,
    secret: e.DUCHA_SECRET,
    logLevel: e.LOG_LEVEL,
  };
  if (e.DUCHA_FAULT) {
    if (e.NODE_ENV === 'production') throw new ConfigError('环境变量有误，服务未启动：\n  DUCHA_FAULT：仅供测试使用，生产环境（NODE_ENV=production）不能设置');
    cfg.fault = e.DUCHA_FAULT;
  }
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
    cfg.wecom = {
      corpId: e.WECOM_CORP_ID,
      agentId: e.WECOM_AGENT_ID,
      secret: e.WECOM_SECRET,
      token: e.WECOM_TOKEN,
      encodingAesKey: e.WECOM_ENCODING_AES_KEY,
      baseUrl: e.WECOM_BASE_URL,
    };
  }
  return cfg;
}

/** One line for the start-up log: which platforms are off, and what would turn them on. */
export function platformSummary(cfg: Config): string {
  const parts: string[] = [];
  parts.push(cfg.feishu ? `飞书已启用（${cfg.feishu.mode}）` : '飞书未启用（设置 FEISHU_APP_ID 和 FEISHU_APP_SECRET 可启用）');
  // WeCom's adapter is not built yet: say so rather than claim it is on.
  parts.push(
    cfg.wecom
      ? '企业微信已配置，但本版本尚未接入企业微信，发往企业微信用户的消息将无法送达'
      : '企业微信未启用（设置 WECOM_CORP_ID、WECOM_AGENT_ID 和 WECOM_SECRET 可启用；本版本尚未接入）',
  );
  return parts.join('；');
}
