// The command-line entry: start | serve | worker | migrate | doctor and one command group per noun.
import { Command } from 'commander';
import { registerAccount } from './cli/account';
import { registerBackup } from './cli/backup';
import { registerCompany, registerLink } from './cli/company';
import { registerJobs } from './cli/jobs';
import { registerMspAdmin } from './cli/msp-admin';
import { registerRecovery } from './cli/recovery';
import { registerDoctor } from './cli/doctor';
import { registerMapping } from './cli/mapping';
import { registerMembers } from './cli/members';
import { registerProvisioning } from './cli/provisioning';
import { registerMsp } from './cli/msp';
import { registerNotifications } from './cli/notifications';
import { registerOperator } from './cli/operator';
import { registerScimClient } from './cli/scimClient';
import { registerSeatsAndScope } from './cli/seatsAndScope';
import { registerScimLog, registerScimToken } from './cli/scimToken';
import { registerServer } from './cli/server';
import { registerReport } from './cli/report';
import { registerTemplate } from './cli/template';
import { registerUsage } from './cli/usage';
import { fail } from './cli/output';

import { VERSION as version } from './version';

export function buildProgram(): Command {
  const program = new Command('mspbridge')
    .description('Multi-tenant SCIM 2.0 bridge for MSPs and their client companies')
    .version(version, '-V, --version')
    .configureOutput({
      // commander's own errors (unknown option, missing argument) stay one line on stderr.
      outputError: (str, write) => write(str.split('\n')[0] + '\n'),
    });
  registerServer(program);
  const msp = registerMsp(program);
  registerNotifications(program, msp);
  const company = registerCompany(program);
  registerMspAdmin(program, company);
  registerSeatsAndScope(program, company);
  registerScimToken(program);
  registerScimLog(program);
  registerScimClient(program);
  registerMembers(program);
  registerMapping(program);
  registerAccount(program);
  registerProvisioning(program);
  registerLink(program);
  registerRecovery(program);
  registerJobs(program);
  registerDoctor(program);
  registerBackup(program);
  registerOperator(program);
  registerUsage(program);
  registerTemplate(program);
  registerReport(program);
  program
    .command('version')
    .description('print the version')
    .action(() => {
      process.stdout.write(`mspbridge ${version}\n`);
    });
  return program;
}

export function main(argv: string[]): void {
  buildProgram()
    .parseAsync(argv)
    .catch((err) => fail(err));
}

if (require.main === module) main(process.argv);
