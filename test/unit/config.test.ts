// The environment is parsed once; every problem is listed at once.
import { ConfigError, loadConfig } from '../../src/config';

describe('config', () => {
  it('has defaults that start the product on a fresh machine', () => {
    const c = loadConfig({});
    expect(c).toEqual(
      expect.objectContaining({
        databaseUrl: 'sqlite:./data/mspbridge.sqlite',
        port: 3000,
        publicUrl: 'http://localhost:3000',
        queuePrefix: 'mspbridge',
        regions: ['us', 'ca', 'eu', 'ent'],
        redisUrl: undefined,
        oidc: undefined,
      }),
    );
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('lists every problem in one error', () => {
    let err: unknown;
    try {
      loadConfig({ DATABASE_URL: 'mysql://x', PORT: 'abc', REDIS_URL: 'http://nope', LOG_LEVEL: 'loud', OIDC_ISSUER: 'ftp://x' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    for (const name of ['DATABASE_URL', 'PORT', 'REDIS_URL', 'LOG_LEVEL', 'OIDC_ISSUER']) expect(problems).toContain(name);
  });

  it('requires a client id with an OIDC issuer, and trims PUBLIC_URL', () => {
    expect(() => loadConfig({ OIDC_ISSUER: 'https://idp.example' })).toThrow(/OIDC_CLIENT_ID/);
    expect(loadConfig({ PUBLIC_URL: 'https://bridge.example/' }).publicUrl).toBe('https://bridge.example');
  });
});
