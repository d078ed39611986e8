import type { Rule } from '../../rules/model.js';
import type { Finding, LintCheck } from '../types.js';
import { attackFor, attackRefs, describeTechnique, isAttack } from './attack-util.js';
import { sigmaDoc } from './sigma-util.js';

/** ATT&CK's spelling of the operating systems a rule can declare. */
const OS_PLATFORMS: Record<string, string> = { windows: 'Windows', linux: 'Linux', macos: 'macOS', osx: 'macOS' };

/**
 * The operating systems a rule says it is for: Elastic-style `OS: Windows` tags (any format), and
 * Sigma's `logsource.product`. Empty when the rule does not say, and then nothing is checked.
 */
export function rulePlatforms(rule: Rule): { platforms: string[]; path: string } {
  const found = new Set<string>();
  let path = '';
  rule.tags.forEach((tag, i) => {
    const m = /^OS:\s*(.+)$/i.exec(tag.trim());
    const platform = m ? OS_PLATFORMS[m[1]!.trim().toLowerCase().replace(/\s+/g, '')] : undefined;
    if (platform) {
      found.add(platform);
      path ||= rule.format === 'elastic-toml' ? `rule.tags.${i}` : `tags.${i}`;
    }
  });
  if (rule.format === 'sigma') {
    const product = (sigmaDoc(rule)?.logsource as Record<string, unknown> | undefined)?.product;
    const platform = typeof product === 'string' ? OS_PLATFORMS[product.toLowerCase()] : undefined;
    if (platform) {
      found.add(platform);
      path ||= 'logsource.product';
    }
  }
  return { platforms: [...found].sort(), path };
}

export const attackPlatformMismatch: LintCheck = {
  id: 'attack/platform-mismatch',
  defaultSeverity: 'warning',
  docs: {
    description:
      'A rule for one operating system (Elastic "OS: Windows" tags, Sigma logsource.product) should map to techniques ATT&CK ' +
      'lists for that platform. A Windows rule mapped to a Linux-only technique is usually a wrong id (a neighbouring number, ' +
      'a copied mapping) and misstates coverage. It is a warning because ATT&CK platform lists lag behind real tradecraft; ' +
      'rules that declare no operating system, and techniques without platforms, are not checked.',
  },
  check(rule, context) {
    const { platforms } = rulePlatforms(rule);
    if (!platforms.length) return [];
    const { attack, label } = attackFor(rule, context);
    const findings: Finding[] = [];
    for (const { kind, ref, mapping } of attackRefs(rule)) {
      if (!isAttack(mapping) || kind === 'tactic') continue;
      const technique = attack.technique(ref.id);
      if (!technique?.platforms?.length || technique.revoked || technique.deprecated) continue;
      if (platforms.some((p) => technique.platforms!.includes(p))) continue;
      findings.push({
        path: `${ref.path}.id`,
        message: `the rule is for ${platforms.join(', ')}, but ${label} lists ${describeTechnique(technique)} only for ${technique.platforms.join(', ')}`,
        hint: 'Check the technique id (a neighbouring number or a copied mapping is the usual cause), or the rule\'s OS tag.',
      });
    }
    return findings;
  },
};
