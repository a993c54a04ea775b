// Direction of dependencies (STYLE.md): adapters -> domain -> db | outbox; nothing calls back up.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-plain',
      comment: 'src/domain imports no express, scimmy, bullmq, ioredis, commander, pino or adapters',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: {
        path: ['^src/(scim|api|web|cli|queue|http)/', '^src/(app|main|runtime|config)\\.ts$', '^workers/'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'domain-no-frameworks',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: 'node_modules/(express|scimmy|bullmq|ioredis|commander|pino|nodemailer|openid-client)/' },
    },
    {
      name: 'db-is-bottom',
      comment: 'src/db knows nothing above it',
      severity: 'error',
      from: { path: '^src/db/' },
      to: { path: ['^src/(domain|scim|api|web|cli|queue|http)/', '^workers/'] },
    },
    {
      name: 'adapters-do-not-cross',
      comment: 'scim, api, web and cli do not import each other (shared pieces live in domain or http)',
      severity: 'error',
      from: { path: '^src/(scim|api|cli)/' },
      to: { path: '^src/(scim|api|cli)/', pathNot: ['^src/$1/'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules|test|bench)/' },
  },
};
