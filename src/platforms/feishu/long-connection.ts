// FEISHU_MODE=websocket: the SDK's long connection instead of webhooks, for offices with no public URL.
// Events and presses arrive already authenticated by the connection and take the same path inside.
import * as lark from '@larksuiteoapi/node-sdk';
import type { Config } from '../../infra/config.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { handleFeishuBody } from './inbound.ts';

type FeishuConfig = NonNullable<Config['feishu']>;

/** The SDK hands handlers header and event fields merged into one object: rebuild the 2.0 envelope. */
export function envelopeOf(type: string, data: Record<string, unknown>): Record<string, unknown> {
  return {
    schema: '2.0',
    header: { event_id: data.event_id, event_type: type, create_time: data.create_time, app_id: data.app_id, tenant_key: data.tenant_key },
    event: data,
  };
}

/** The handlers the long connection calls; their return value is the answer (a press's toast and card). */
export function longConnectionHandlers(rt: Runtime): Record<string, (data: Record<string, unknown>) => Promise<unknown>> {
  const on = (type: string) => async (data: Record<string, unknown>) => {
    const res = await handleFeishuBody(rt, envelopeOf(type, data));
    return res.body;
  };
  return { 'im.message.receive_v1': on('im.message.receive_v1'), 'card.action.trigger': on('card.action.trigger') };
}

export function startFeishuLongConnection(rt: Runtime, cfg: FeishuConfig): { close(): void } {
  if (!/^cli_[0-9a-fA-F]{16}$/.test(cfg.appId)) {
    // The SDK would silently not start: say so.
    rt.log.error({ appId: cfg.appId }, 'FEISHU_APP_ID 应为 cli_ 加 16 位十六进制，飞书长连接无法启动');
  }
  // The SDK's messages (the connection's, the dispatcher's 'event-dispatch is ready') go to our JSON log, not to
  // the console.
  const log = rt.log.child({ feishu: 'ws' });
  const logger = {
    error: (...msg: unknown[]) => log.error({ sdk: msg }, '飞书长连接'),
    warn: (...msg: unknown[]) => log.warn({ sdk: msg }, '飞书长连接'),
    info: (...msg: unknown[]) => log.info({ sdk: msg }, '飞书长连接'),
    debug: (...msg: unknown[]) => log.debug({ sdk: msg }, '飞书长连接'),
    trace: (...msg: unknown[]) => log.trace({ sdk: msg }, '飞书长连接'),
  };
  // card.action.trigger is missing from the SDK's event typings, hence the loose type.
  const dispatcher = new lark.EventDispatcher({ logger, loggerLevel: lark.LoggerLevel.info }).register(longConnectionHandlers(rt) as never);
  const ws = new lark.WSClient({ appId: cfg.appId, appSecret: cfg.appSecret, domain: cfg.baseUrl, loggerLevel: lark.LoggerLevel.info, logger });
  void ws.start({ eventDispatcher: dispatcher });
  rt.log.info('飞书长连接正在启动');
  return { close: () => ws.close() };
}
