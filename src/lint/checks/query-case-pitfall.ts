import type { Expr, QueryIR, Scalar } from '../../engine/ir.js';
import { fieldSchema } from '../../events/views/field-schemas.js';
import type { Rule } from '../../rules/model.js';
import { conditionsOf, queryIR, showValue, spanLocation, walkExpr } from '../query-ir.js';
import type { Finding, LintCheck, LintContext } from '../types.js';

export const queryCasePitfall: LintCheck = {
  id: 'query/case-pitfall',
  defaultSeverity: 'warning',
  docs: {
    description:
      'In Elasticsearch EQL, `==`, `in` and `like` compare case-sensitively, but Windows file names, paths and registry ' +
      'keys come in any case (`CMD.EXE`, `C:\\WINDOWS\\system32`): a value with upper-case letters compared that way ' +
      'misses the other spellings. The fields are the keyword fields of the generated ECS and Elastic Defend schemas ' +
      'that hold Windows names (process/file/dll/registry names, executables, paths, directories, extensions, registry keys and values, and the same under process.parent and the other reused places). ' +
      'A value counts when the rule is only about Windows (its `OS:` tags all say Windows, a host.os test for windows, ' +
      'winlog fields) or the value looks like a Windows path or file name. Use `:` (case-insensitive), `in~` or `like~` instead.',
  },
  check(rule, context) {
    if (rule.query.language !== 'eql' || rule.query.dialect === 'endgame' || rule.query.dialect === 'endgame-cs') return [];
    const ir = queryIR(rule, context);
    if (!ir) return [];
    const os = osTags(rule);
    // A rule tagged for other systems only (Linux, macOS) compares names whose case is significant.
    if (os.length && !os.some((t) => /windows/i.test(t))) return [];
    const names = windowsNameFields(context);
    const windowsRule = isWindowsRule(rule);
    const findings: Finding[] = [];
    const flag = (e: Expr, field: string, value: Scalar, operator: string, fix: string) => {
      if (typeof value !== 'string' || value === value.toLowerCase()) return;
      if (!windowsRule && !looksWindows(value)) return;
      findings.push({
        location: spanLocation(rule, ir, e.span),
        message: `${operator} compares case-sensitively in EQL, but ${field} holds Windows names whose case varies: ${showValue(value)} misses ${showValue(value.toLowerCase())}`,
        hint: fix,
      });
    };
    for (const condition of conditionsOf(ir)) {
      walkExpr(condition, (e) => visit(e, ir, names, windowsRule, flag));
    }
    return findings;
  },
};

type Flag = (e: Expr, field: string, value: Scalar, operator: string, fix: string) => void;

function visit(e: Expr, ir: QueryIR, names: ReadonlySet<string>, windowsRule: boolean, flag: Flag): void {
  if (e.kind === 'compare' && e.op === '==' && !e.caseInsensitive) {
    const [field, literal] = e.left.kind === 'field' ? [e.left, e.right] : [e.right, e.left];
    if (field.kind === 'field' && literal.kind === 'literal' && names.has(field.name)) {
      flag(e, field.name, literal.value, '"=="', `Write ${field.name} : ${showValue(literal.value as Scalar)} (":" compares case-insensitively).`);
    }
  } else if (e.kind === 'in' && !e.caseInsensitive && e.subject.kind === 'field' && names.has(e.subject.name)) {
    const upper = e.values.find((v) => v.kind === 'literal' && typeof v.value === 'string' && v.value !== v.value.toLowerCase() && (windowsRule || looksWindows(v.value)));
    if (upper && upper.kind === 'literal') flag(upper, e.subject.name, upper.value, '"in"', `Write ${e.subject.name} in~ (…) ("in~" compares case-insensitively).`);
  } else if (e.kind === 'match' && e.mode === 'wildcard' && !e.caseInsensitive && e.subject.kind === 'field' && names.has(e.subject.name)) {
    const upper = e.patterns.find((p) => typeof p === 'string' && p !== p.toLowerCase() && (windowsRule || looksWindows(p)));
    const operator = /\blike\b/.test(ir.text.slice(e.span.start, e.span.end)) ? '"like"' : 'the wildcard match';
    if (upper !== undefined) flag(e, e.subject.name, upper, operator, `Write ${e.subject.name} like~ (…) or ${e.subject.name} : (…) (both compare case-insensitively).`);
  }
}

/** Leaf names of fields that hold Windows file names, paths or registry keys. */
// Not `original_file_name`: it comes from the PE version resource, whose spelling is fixed ("Cmd.Exe").
const WINDOWS_NAME_LEAF = /(?:^|\.)(?:name|executable|path|directory|working_directory|extension|target_path)$/;
/** The entity (process, file, dll, registry) itself or a related process, not its API calls, token or user. */
const WINDOWS_NAME_PATH = /^(?:process|file|dll)(?:\.(?:parent|group_leader|session_leader|entry_leader|previous|Ext|effective_parent|original|target))*\.[a-z_]+$/;
const REGISTRY_LEAF = /^registry\.(?:key|hive|value|path)$/;

/** The keyword fields of the ECS and Elastic Defend schemas that hold Windows names (computed once per run). */
export function windowsNameFields(context: LintContext): ReadonlySet<string> {
  return context.memo('windows-name-fields', () => {
    const out = new Set<string>();
    for (const schema of [fieldSchema('ecs'), fieldSchema('endpoint')]) {
      for (const [name, type] of schema.types) {
        if (type !== 'keyword') continue;
        if ((WINDOWS_NAME_PATH.test(name) && WINDOWS_NAME_LEAF.test(name)) || REGISTRY_LEAF.test(name)) out.add(name);
      }
    }
    return out;
  });
}

/** Only Windows: `OS:` tags that all say Windows, or a host.os test for windows, or winlog fields. */
function isWindowsRule(rule: Rule): boolean {
  const os = osTags(rule);
  if (os.length) return os.every((t) => /^os:\s*windows$/i.test(t));
  return /host\.os\.(?:type|family|name|platform)\s*(?:==|:|in~?)\s*\(?\s*"windows"|\bwinlog\./i.test(rule.query.text);
}

function osTags(rule: Rule): string[] {
  return rule.tags.filter((t) => /^os:/i.test(t));
}

/** A drive letter, a backslash or a Windows executable/script extension. */
function looksWindows(value: string): boolean {
  return /^[A-Za-z]:|\\|\.(?:exe|dll|sys|com|scr|cpl|ocx|msi|ps1|psm1|bat|cmd|vbs|vbe|js|jse|wsf|hta|lnk)$/i.test(value);
}
