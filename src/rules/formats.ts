/**
 * YAML rule formats other than the native one (Sigma, Splunk ESCU, MITRE CAR, …). Each registers
 * how to recognise its documents and how to load them; `loadRuleFile` asks them in order and falls
 * back to the native format. Adding a format is one import and one entry here.
 */
import type { FileContext, FileLoad } from './common.js';
import type { YamlSource } from './yaml-source.js';
import { isSigmaDocument, loadSigma } from './sigma.js';
import { isCarDataModel, loadCarAnalytic, loadCarDataModel } from './mitre-car.js';
import { isEscuMacroDocument, isEscuSettingsFile, loadEscuDetection, loadEscuMacroFile, loadEscuSettingsFile } from './splunk-escu.js';

export interface YamlRuleFormat {
  /** Human name, used in messages ("this looks like a Sigma rule"). */
  name: string;
  /** Whether a parsed YAML document is written in this format (by its signature keys). */
  detect(data: Record<string, unknown>, ctx: FileContext): boolean;
  /** Load it; absent while the format is recognised but not supported yet. */
  load?(source: YamlSource, ctx: FileContext): FileLoad | Promise<FileLoad>;
}

export const YAML_RULE_FORMATS: YamlRuleFormat[] = [
  { name: 'Sigma', detect: (d) => isSigmaDocument(d), load: loadSigma },
  { name: 'Splunk ESCU', detect: (d) => 'search' in d && ('analytic_story' in d || 'data_source' in d || 'tags' in d), load: loadEscuDetection },
  { name: 'Splunk macro', detect: (d) => isEscuMacroDocument(d), load: loadEscuMacroFile },
  { name: 'ruleproof ESCU settings', detect: (_d, ctx) => isEscuSettingsFile(ctx.file), load: loadEscuSettingsFile },
  { name: 'MITRE CAR', detect: (d) => 'implementations' in d && 'coverage' in d, load: loadCarAnalytic },
  { name: 'MITRE CAR data model', detect: (d) => isCarDataModel(d), load: loadCarDataModel },
];
