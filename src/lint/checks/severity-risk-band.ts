import { fieldPath } from '../../rules/paths.js';
import type { LintCheck } from '../types.js';

/** Elastic's bands: each severity covers a range of risk scores. */
export const RISK_BANDS: ReadonlyArray<{ severity: string; min: number; max: number }> = [
  { severity: 'low', min: 0, max: 21 },
  { severity: 'medium', min: 22, max: 47 },
  { severity: 'high', min: 48, max: 73 },
  { severity: 'critical', min: 74, max: 100 },
];

export const severityRiskBand: LintCheck = {
  id: 'rule/severity-risk-band',
  defaultSeverity: 'error',
  docs: {
    description:
      'Severity and risk score must tell the same story: low is 0–21, medium 22–47, high 48–73 and critical 74–100, as in ' +
      "Elastic's detection-rules. A score outside its severity's band mis-ranks the alert wherever either value is used. " +
      'Unknown severity values and scores outside 0–100 are left to the schema checks.',
  },
  check(rule) {
    if (rule.severity === undefined || rule.riskScore === undefined) return [];
    const band = RISK_BANDS.find((b) => b.severity === rule.severity!.toLowerCase());
    if (!band) return [];
    const score = rule.riskScore;
    if (score >= band.min && score <= band.max) return [];
    const fitting = RISK_BANDS.find((b) => score >= b.min && score <= b.max);
    return [
      {
        path: fieldPath(rule, 'riskScore'),
        message: `risk_score ${score} is outside the ${band.severity} band (${band.min}–${band.max})`,
        hint:
          `Use a risk score from ${band.min} to ${band.max} for severity ${band.severity}` +
          (fitting ? `, or set the severity to ${fitting.severity} (${fitting.min}–${fitting.max}).` : '.'),
      },
    ];
  },
};
