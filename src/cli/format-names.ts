/** Machine-readable report formats every gating command accepts (`--format`). */
export const MACHINE_FORMATS = ['json', 'sarif', 'junit', 'github', 'markdown'] as const;
