// Entry point of `npm start`: reads .env, checks config, runs the web server and/or workers, drains on SIGTERM.
import { existsSync } from 'node:fs';
import { createApp, StartupError } from './app.ts';
import { ConfigError, loadConfig } from './infra/config.ts';
import { DirectoryError } from './directory/load-directory.ts';
import { createLogger } from './infra/logger.ts';

if (existsSync('.env')) process.loadEnvFile('.env');

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  const log = createLogger(config.logLevel);
  let app;
  try {
    app = await createApp({ config, log, watchDirectory: true });
  } catch (e) {
    // The JSON line is for log collectors; the plain text on stderr is for the admin at the terminal.
    if (e instanceof StartupError) {
      log.fatal(`启动失败：${e.message}`);
      console.error(`启动失败：${e.message}`);
    } else if (e instanceof DirectoryError) {
      log.fatal({ file: e.file, line: e.line }, `通讯录文件有误，服务未启动：${e.message}`);
      console.error(`通讯录文件有误，服务未启动：\n${e.message}`);
    } else {
      log.fatal({ err: e }, `启动失败：${(e as Error).message}`);
      console.error(`启动失败：${(e as Error).message}`);
    }
    process.exit(1);
  }
  let server;
  try {
    server = await app.listen();
  } catch (e) {
    if (!(e instanceof StartupError)) throw e;
    log.fatal(`启动失败：${e.message}`);
    console.error(`启动失败：${e.message}`);
    process.exit(1);
  }
  if (server) {
    const addr = server.address();
    log.info({ host: config.host, port: typeof addr === 'object' && addr ? addr.port : config.port }, 'ducha 已启动，正在监听');
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, '正在停止：不再接收新请求，等待进行中的任务完成');
    const timer = setTimeout(() => {
      log.error('等待超过 25 秒，强制退出');
      process.exit(1);
    }, 25_000);
    timer.unref();
    await app.stop();
    log.info('已停止');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

void main();
