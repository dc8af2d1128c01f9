// Variables that are for tests only stay out of production.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

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
