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
      name: 'adapters-use-the-domain',
      comment:
        'REST, web, CLI, HTTP, mail and workers go through domain use cases, not repositories; they may open a database, a unit of work and classify its errors. ' +
        'SCIM translates filters to SQL itself (src/scim), and the queue plumbing reads the outbox (health metrics, job completion).',
      severity: 'error',
      from: { path: ['^src/(api|web|cli|http|mail)/', '^workers/'] },
      to: {
        path: '^src/db/',
        pathNot: ['^src/db/(knex|unitOfWork|errors)\\.ts$', '^src/db/outbox\\.repo\\.ts$'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'mail-internals',
      comment: 'only the mailer knows how SMTP sends are held open; everyone else uses delivery.ts / mailer.ts / templates.ts',
      severity: 'error',
      from: { pathNot: '^src/mail/' },
      to: { path: '^src/mail/smtpSender\\.ts$' },
    },
    {
      name: 'workers-entry-only',
      comment: 'processes start the workers through workers/index.ts; nothing reaches into a queue module',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^workers/', pathNot: '^workers/index\\.ts$' },
    },
    {
      name: 'cli-is-a-leaf',
      comment: 'nothing imports the command line; mail and workers do not import each other upwards',
      severity: 'error',
      from: { pathNot: '^src/(cli/|main\\.ts$)' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'mail-below-workers',
      severity: 'error',
      from: { path: '^src/mail/' },
      to: { path: ['^workers/', '^src/(cli|api|web|scim)/'] },
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
