// `mspbridge report --account ID --month YYYY-MM --format json|html|csv`: the monthly client report.
import type { Command } from 'commander';
import { monthlyReport, reportCsv } from '../domain/report';
import { reportPage } from '../web/reportPage';
import { ACCOUNT, operatorCommand } from './command';
import { CliError } from './output';

const FORMATS = ['json', 'html', 'csv'] as const;

interface ReportOpts {
  account: string;
  month: string;
  format?: string;
  json?: boolean;
}

export function registerReport(program: Command): void {
  operatorCommand(program, 'report', {
    description: 'the monthly client report: joiners, leavers, invitations, offboarding times, recoveries, SCIM error rate, held changes',
    required: [ACCOUNT, ['--month <YYYY-MM>', 'the UTC month']],
    options: [['--format <format>', 'json | html (printable, in the company’s language) | csv']],
    check: (o: ReportOpts) => {
      if (o.format && !(FORMATS as readonly string[]).includes(o.format)) throw new CliError(`--format must be one of ${FORMATS.join(', ')}`);
      if (o.json && o.format && o.format !== 'json') throw new CliError('--json prints JSON: leave out --format or give --format json');
    },
    run: async (ctx, o: ReportOpts) => {
      const r = await monthlyReport(ctx, o.account, o.month);
      return { report: r, format: o.json ? 'json' : (o.format ?? 'text') };
    },
    // --format json|html|csv print exactly that; without it a short summary.
    text: ({ report: r, format }) =>
      format === 'json'
        ? JSON.stringify(r)
        : format === 'html'
          ? reportPage(r)
          : format === 'csv'
            ? reportCsv(r).trimEnd()
            : [
                `${r.accountName}, ${r.month}`,
                `joiners ${r.joiners}, leavers ${r.leavers}`,
                `invitations sent ${r.invitationsSent}, accepted ${r.invitationsAccepted}`,
                `deprovisionings ${r.deprovisionings} (not applied ${r.deprovisioningsNotApplied}), latency median ${r.deprovisioningLatencyMedianSeconds ?? '-'} s, max ${r.deprovisioningLatencyMaxSeconds ?? '-'} s`,
                `recoveries ${r.recoveriesCompleted}, SCIM requests ${r.scimRequests}, errors ${r.scimErrors} (${(r.scimErrorRate * 100).toFixed(2)} %), held changes ${r.heldChanges}`,
              ].join('\n'),
    json: ({ report }) => report,
  });
}
