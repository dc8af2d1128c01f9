// Variables that are for tests only stay out of production; the admin password is taken as written.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/infra/config.ts';

describe('DUCHA_FAULT (crash points for the crash tests)', () => {
  it('is taken outside production', () => {
    expect(loadConfig({ DUCHA_FAULT: 'after-commit' }).fault).toBe('after-commit');
    expect(loadConfig({}).fault).toBeUndefined();
  });

  it('is refused under NODE_ENV=production, naming it', () => {
    expect(() => loadConfig({ DUCHA_FAULT: 'after-commit', NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ DUCHA_FAULT: 'after-commit', NODE_ENV: 'production' })).toThrow(/DUCHA_FAULT：仅供测试使用/);
  });

  it('refuses a point that does not exist', () => {
    expect(() => loadConfig({ DUCHA_FAULT: 'somewhere' })).toThrow(/DUCHA_FAULT：不是已知的故障点/);
  });
});

describe('the variables of scheduled messages', () => {
  it('have their documented defaults', () => {
    const c = loadConfig({});
    expect(c.remindAt).toBe(9 * 60);
    expect(c.remindBefore).toEqual([3, 1]);
    expect(c.workHours).toEqual({ start: 9 * 60, end: 18 * 60 });
    expect(c.chaseAfter).toBe(4);
    expect(c.escalate).toEqual([1, 3, 7]);
    expect(c.clockStart).toBeUndefined();
  });

  it('take good values', () => {
    const c = loadConfig({
      DUCHA_REMIND_AT: '8:30',
      DUCHA_REMIND_BEFORE: '1，5',
      DUCHA_WORK_HOURS: '08:30-17:30',
      DUCHA_CHASE_AFTER: '2.5',
      DUCHA_ESCALATE: '2,4,10',
      DUCHA_CLOCK: '2026-12-07T08:59:00+08:00',
    });
    expect(c.remindAt).toBe(8 * 60 + 30);
    expect(c.remindBefore).toEqual([5, 1]);
    expect(c.workHours).toEqual({ start: 8 * 60 + 30, end: 17 * 60 + 30 });
    expect(c.chaseAfter).toBe(2.5);
    expect(c.escalate).toEqual([2, 4, 10]);
    expect(c.clockStart).toBe(Date.parse('2026-12-07T00:59:00Z'));
  });

  it.each([
    ['DUCHA_REMIND_AT', '9点', /DUCHA_REMIND_AT：“9点”不是 HH:MM 格式的时刻/],
    ['DUCHA_REMIND_AT', '24:00', /DUCHA_REMIND_AT：/],
    ['DUCHA_REMIND_BEFORE', '3,3', /DUCHA_REMIND_BEFORE：“3,3”应为 1 到 30 之间、互不相同的工作日数/],
    ['DUCHA_REMIND_BEFORE', '0', /DUCHA_REMIND_BEFORE：/],
    ['DUCHA_REMIND_BEFORE', 'three', /DUCHA_REMIND_BEFORE：/],
    ['DUCHA_WORK_HOURS', '18:00-09:00', /DUCHA_WORK_HOURS：“18:00-09:00”应为 HH:MM-HH:MM 格式的上下班时间，且下班晚于上班/],
    ['DUCHA_WORK_HOURS', '9-18', /DUCHA_WORK_HOURS：/],
    ['DUCHA_CHASE_AFTER', '0', /DUCHA_CHASE_AFTER：“0”应为大于 0、不超过 200 的工作小时数/],
    ['DUCHA_CHASE_AFTER', '-1', /DUCHA_CHASE_AFTER：/],
    ['DUCHA_ESCALATE', '3,1,7', /DUCHA_ESCALATE：“3,1,7”应为三个逐级增大的逾期工作日数/],
    ['DUCHA_ESCALATE', '1,3', /DUCHA_ESCALATE：/],
    ['DUCHA_CLOCK', '2026-12-07 09:00', /DUCHA_CLOCK：“2026-12-07 09:00”应为带时区的 ISO 8601 时刻/],
    ['DUCHA_CLOCK', '2026-12-07T09:00:00', /DUCHA_CLOCK：/],
  ])('%s=%s stops start-up naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('refuses DUCHA_CLOCK under NODE_ENV=production', () => {
    expect(() => loadConfig({ DUCHA_CLOCK: '2026-12-07T08:59:00+08:00', NODE_ENV: 'production' })).toThrow(/DUCHA_CLOCK：仅供演示和验收使用/);
  });
});

describe('WeCom settings', () => {
  const wecom = { WECOM_CORP_ID: 'ww0123', WECOM_AGENT_ID: '1000002', WECOM_SECRET: 's' };
  it('is on with all five set', () => {
    const c = loadConfig({ ...wecom, WECOM_TOKEN: 't', WECOM_ENCODING_AES_KEY: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' });
    expect(c.wecom).toMatchObject({ corpId: 'ww0123', agentId: '1000002', baseUrl: 'https://qyapi.weixin.qq.com' });
  });
  it('refuses to start half-configured, naming what is missing or wrong', () => {
    expect(() => loadConfig(wecom)).toThrow(/WECOM_TOKEN：启用企业微信时必须设置[\s\S]*WECOM_ENCODING_AES_KEY：启用企业微信时必须设置/);
    expect(() => loadConfig({ ...wecom, WECOM_TOKEN: 't', WECOM_ENCODING_AES_KEY: 'short' })).toThrow(/WECOM_ENCODING_AES_KEY：应为 43 个字母或数字/);
    expect(() => loadConfig({ ...wecom, WECOM_AGENT_ID: 'abc', WECOM_TOKEN: 't', WECOM_ENCODING_AES_KEY: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' })).toThrow(/WECOM_AGENT_ID：应为数字/);
  });
});

describe('half a platform, and messages in Chinese', () => {
  it('stops start-up naming the missing half of Feishu or WeCom', () => {
    expect(() => loadConfig({ FEISHU_APP_ID: 'cli_a1b2c3d4e5f60718' })).toThrow(/FEISHU_APP_SECRET：设置了 FEISHU_APP_ID 就必须同时设置它/);
    expect(() => loadConfig({ FEISHU_APP_SECRET: 'x' })).toThrow(/FEISHU_APP_ID：设置了 FEISHU_APP_SECRET 就必须同时设置它/);
    expect(() => loadConfig({ WECOM_CORP_ID: 'ww1' })).toThrow(/WECOM_AGENT_ID：[\s\S]*WECOM_SECRET：/);
    expect(() => loadConfig({ WECOM_TOKEN: 't' })).toThrow(/WECOM_CORP_ID：/);
  });

  it.each([
    ['LOG_LEVEL', 'loud', /LOG_LEVEL：只能是 trace、debug、info、warn、error、fatal 或 silent/],
    ['PORT', '-1', /PORT：端口超出范围/],
    ['PORT', 'abc', /PORT：必须是数字/],
    ['REDIS_URL', 'http://127.0.0.1:6379', /REDIS_URL：应以 redis:\/\/ 或 rediss:\/\/ 开头/],
    ['DUCHA_ROLE', 'boss', /DUCHA_ROLE：只能是 all、web 或 worker/],
    ['FEISHU_MODE', 'push', /FEISHU_MODE：只能是 webhook 或 websocket/],
  ])('%s=%s is refused in Chinese', (name, value, message) => {
    let text = '';
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      text = (e as Error).message;
    }
    expect(text).toMatch(message);
    // No English left from the validation library.
    expect(text).not.toMatch(/Invalid|expected|received|must be/i);
  });
});

describe('DUCHA_ADMIN_PASSWORD (/metrics and /admin/queues)', () => {
  it('is taken exactly as written, and empty means unset', () => {
    expect(loadConfig({ DUCHA_ADMIN_PASSWORD: ' pass word ' }).adminPassword).toBe(' pass word ');
    expect(loadConfig({ DUCHA_ADMIN_PASSWORD: '' }).adminPassword).toBeUndefined();
    expect(loadConfig({}).adminPassword).toBeUndefined();
  });
});

describe('joint items', () => {
  it('DUCHA_SUPPORT_LEAD: 2 working days by default, 0 to 30, anything else refused with its name', () => {
    expect(loadConfig({}).supportLead).toBe(2);
    expect(loadConfig({ DUCHA_SUPPORT_LEAD: '5' }).supportLead).toBe(5);
    expect(loadConfig({ DUCHA_SUPPORT_LEAD: '0' }).supportLead).toBe(0);
    for (const bad of ['31', '-1', '1.5', '两天']) {
      expect(() => loadConfig({ DUCHA_SUPPORT_LEAD: bad })).toThrow(/DUCHA_SUPPORT_LEAD：.*应为 0 到 30 之间的工作日数/);
    }
  });
});

describe('report attachments', () => {
  it('have their documented defaults', () => {
    const c = loadConfig({});
    expect(c.attachWindowMinutes).toBe(10);
    expect(c.filesDir).toBe('./data/files');
  });

  it('take a window in minutes and a directory, and refuse a window that is not one', () => {
    expect(loadConfig({ DUCHA_ATTACH_WINDOW: '30', DUCHA_FILES_DIR: '/srv/ducha/files' })).toMatchObject({ attachWindowMinutes: 30, filesDir: '/srv/ducha/files' });
    for (const bad of ['0', '1441', '5.5', '十分钟']) {
      expect(() => loadConfig({ DUCHA_ATTACH_WINDOW: bad })).toThrow(/DUCHA_ATTACH_WINDOW：.*应为 1 到 1440 之间的分钟数/);
    }
  });
});

describe('Redis Sentinel (REDIS_SENTINELS, REDIS_SENTINEL_NAME) and REDIS_WAIT_MS', () => {
  it('takes a host:port list and the master name; without them, REDIS_URL and no waiting', () => {
    expect(loadConfig({}).sentinels).toBeUndefined();
    expect(loadConfig({}).redisWaitMs).toBe(0);
    const c = loadConfig({ REDIS_SENTINELS: '10.0.0.1:26379, sentinel-b:26380,[::1]:26381', REDIS_SENTINEL_NAME: 'mymaster' });
    expect(c.sentinels).toEqual({
      name: 'mymaster',
      hosts: [
        { host: '10.0.0.1', port: 26379 },
        { host: 'sentinel-b', port: 26380 },
        { host: '::1', port: 26381 },
      ],
    });
    // With Sentinel a commit waits for one replica by default, up to 100 ms; REDIS_WAIT_MS says otherwise.
    expect(c.redisWaitMs).toBe(100);
    expect(loadConfig({ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'm', REDIS_WAIT_MS: '0' }).redisWaitMs).toBe(0);
    expect(loadConfig({ REDIS_WAIT_MS: '50' }).redisWaitMs).toBe(50);
  });

  it.each([
    [{ REDIS_SENTINELS: '10.0.0.1:26379' }, /^环境变量有误，服务未启动：\n {2}REDIS_SENTINEL_NAME：设置了 REDIS_SENTINELS 就必须同时设置它[^\n]*$/],
    [{ REDIS_SENTINEL_NAME: 'mymaster' }, /^环境变量有误，服务未启动：\n {2}REDIS_SENTINELS：设置了 REDIS_SENTINEL_NAME 就必须同时设置它[^\n]*$/],
    [{ REDIS_SENTINELS: '10.0.0.1', REDIS_SENTINEL_NAME: 'm' }, /^环境变量有误，服务未启动：\n {2}REDIS_SENTINELS：“10\.0\.0\.1”应为逗号分隔的 主机:端口 列表[^\n]*$/],
    [{ REDIS_SENTINELS: 'a:1,b:99999', REDIS_SENTINEL_NAME: 'm' }, /\n {2}REDIS_SENTINELS：/],
    [{ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'my master' }, /\n {2}REDIS_SENTINEL_NAME：只能含字母、数字/],
    [{ REDIS_WAIT_MS: '5s' }, /\n {2}REDIS_WAIT_MS：“5s”应为 0 到 1000 之间的毫秒数/],
    [{ REDIS_WAIT_MS: '5000' }, /\n {2}REDIS_WAIT_MS：/],
  ])('refuses %j in one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
