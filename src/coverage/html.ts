/**
 * A single self-contained HTML page (inline CSS and JavaScript, no network) with the tactic ×
 * technique matrix as a heatmap of tested coverage, filters (platform, status, rule format), and a
 * drill-down per technique to its rules, their test results and, when computed, clause coverage.
 * The page carries the coverage report and the catalogue's matrix as JSON and draws itself; every
 * value reaches the DOM through textContent, never as markup.
 */
import type { AttackCatalogue } from '../lint/attack/catalogue.js';
import { GRADIENT } from './navigator.js';
import type { CoverageReport } from './model.js';

interface MatrixData {
  tactics: Array<{ id: string; name: string; shortname: string }>;
  techniques: Array<{ id: string; name: string; tactics: string[]; platforms: string[]; parent?: string }>;
}

function matrixOf(catalogue: AttackCatalogue): MatrixData {
  return {
    tactics: catalogue.tactics.map((t) => ({ id: t.id, name: t.name, shortname: t.shortname })),
    techniques: catalogue.techniques
      .filter((t) => !t.revoked && !t.deprecated)
      .map((t) => ({ id: t.id, name: t.name, tactics: t.tactics, platforms: t.platforms ?? [], ...(t.parent ? { parent: t.parent } : {}) })),
  };
}

/** JSON safe inside a <script> element: no `</script>`, no HTML comment openers. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const CSS = `
:root { --bg:#fff; --fg:#1f2328; --muted:#656d76; --line:#d0d7de; --none:#f3f4f6; --failing:#cf222e; }
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 12px 16px; border-bottom: 1px solid var(--line); }
h1 { font-size: 18px; margin: 0 0 4px; }
.summary { color: var(--muted); }
.controls { display: flex; gap: 16px; flex-wrap: wrap; padding: 8px 16px; border-bottom: 1px solid var(--line); align-items: center; }
.controls label { display: flex; gap: 6px; align-items: center; }
.legend { display: flex; gap: 10px; align-items: center; margin-left: auto; color: var(--muted); }
.swatch { display: inline-block; width: 14px; height: 14px; border: 1px solid var(--line); vertical-align: middle; }
main { display: flex; align-items: flex-start; }
#matrix { display: flex; gap: 4px; padding: 12px 16px; overflow-x: auto; flex: 1; }
.tactic { min-width: 150px; max-width: 170px; flex: 0 0 auto; }
.tactic h2 { font-size: 12px; margin: 0 0 4px; padding: 4px; background: #eaeef2; border-radius: 3px; }
.tactic h2 small { display: block; font-weight: normal; color: var(--muted); }
.cell { display: block; width: 100%; text-align: left; border: 1px solid var(--line); border-radius: 3px; margin: 0 0 2px; padding: 3px 4px; font: inherit; font-size: 11px; cursor: pointer; background: var(--none); color: var(--fg); }
.cell[data-status="none"] { color: var(--muted); }
.cell[data-status="failing"] { outline: 2px solid var(--failing); outline-offset: -2px; }
.cell .id { font-weight: 600; margin-right: 3px; }
.cell .score { float: right; font-weight: 600; }
.cell.sub { margin-left: 10px; width: calc(100% - 10px); }
.cell.selected { box-shadow: 0 0 0 2px #0969da; }
.hidden { display: none !important; }
#drilldown { width: 460px; flex: 0 0 460px; border-left: 1px solid var(--line); padding: 12px 16px; position: sticky; top: 0; max-height: 100vh; overflow-y: auto; overflow-x: hidden; overflow-wrap: anywhere; }
#drilldown table { table-layout: fixed; }
#drilldown h2 { font-size: 15px; margin: 0 0 6px; }
#drilldown h3 { font-size: 13px; margin: 14px 0 4px; }
.rule { border: 1px solid var(--line); border-radius: 4px; padding: 6px 8px; margin: 6px 0; }
.rule .meta { color: var(--muted); font-size: 11px; word-break: break-all; }
.badge { display: inline-block; border-radius: 8px; padding: 0 6px; font-size: 11px; font-weight: 600; color: #fff; }
.badge.tested, .badge.pass { background: #1a7f37; }
.badge.failing, .badge.fail, .badge.error, .badge.unsupported { background: var(--failing); }
.badge.untested, .badge.quiet-only, .badge.none { background: #9a6700; }
table { border-collapse: collapse; width: 100%; }
td, th { border-bottom: 1px solid var(--line); padding: 2px 4px; text-align: left; vertical-align: top; font-size: 11px; }
.pred-never { color: var(--failing); }
footer { padding: 8px 16px; color: var(--muted); border-top: 1px solid var(--line); }
`;

/* The page's script: plain ES2017 in one IIFE, no dependencies. */
const SCRIPT = String.raw`
(function () {
  'use strict';
  var report = JSON.parse(document.getElementById('coverage-data').textContent);
  var matrix = JSON.parse(document.getElementById('matrix-data').textContent);
  var GRADIENT = JSON.parse(document.getElementById('gradient-data').textContent);
  var rulesByKey = {};
  report.rules.forEach(function (r) { rulesByKey[r.key] = r; });
  var entries = {};
  report.techniques.forEach(function (e) { entries[e.id] = e; });
  var clauseByRule = {};
  if (report.clauseCoverage) report.clauseCoverage.rules.forEach(function (c) { clauseByRule[c.rule] = c; });
  var subsOf = {};
  matrix.techniques.forEach(function (t) { if (t.parent) (subsOf[t.parent] = subsOf[t.parent] || []).push(t); });
  // A technique missing from the catalogue (unknown id) still gets a cell under the tactics it was mapped to.
  report.techniques.forEach(function (e) {
    if (e.unknown && !e.parent) matrix.techniques.push({ id: e.id, name: e.name + ' (not in catalogue)', tactics: e.tactics, platforms: [] });
  });

  function el(tag, attrs, text) {
    var n = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text !== undefined) n.textContent = text;
    return n;
  }
  function hex(c) { return [1, 3, 5].map(function (i) { return parseInt(c.substr(i, 2), 16); }); }
  function colour(score) {
    var t = Math.max(0, Math.min(100, score)) / 100 * (GRADIENT.length - 1);
    var i = Math.min(GRADIENT.length - 2, Math.floor(t));
    var a = hex(GRADIENT[i]), b = hex(GRADIENT[i + 1]), f = t - i;
    return 'rgb(' + a.map(function (x, k) { return Math.round(x + (b[k] - x) * f); }).join(',') + ')';
  }

  var filters = { platform: '', status: '', format: '' };

  /** Rules of a technique under one tactic, after the format filter. */
  function rulesIn(id, tactic) {
    var e = entries[id];
    if (!e) return [];
    return e.rules.filter(function (l) {
      return (!tactic || !l.tactics.length || l.tactics.indexOf(tactic) >= 0);
    }).map(function (l) { return rulesByKey[l.rule]; }).filter(function (r) {
      return r && (!filters.format || r.format === filters.format);
    });
  }
  function statusOf(rules) {
    if (!rules.length) return 'none';
    if (rules.some(function (r) { return r.status === 'failing'; })) return 'failing';
    if (rules.some(function (r) { return r.status === 'tested'; })) return 'tested';
    return 'untested';
  }
  function scoreOf(rules) {
    if (!rules.length) return null;
    return Math.round(100 * rules.filter(function (r) { return r.status === 'tested'; }).length / rules.length);
  }
  function statusPasses(status) {
    if (!filters.status) return true;
    if (filters.status === 'mapped') return status !== 'none';
    return status === filters.status;
  }
  function platformPasses(t) {
    return !filters.platform || !t.platforms.length || t.platforms.indexOf(filters.platform) >= 0;
  }

  function makeCell(t, tactic, isSub) {
    var rules = rulesIn(t.id, tactic);
    var status = statusOf(rules);
    var score = scoreOf(rules);
    var b = el('button', { 'class': 'cell' + (isSub ? ' sub' : ''), type: 'button', 'data-technique': t.id, 'data-tactic': tactic, 'data-status': status });
    if (score !== null) { b.setAttribute('data-score', String(score)); b.style.background = colour(score); }
    b.title = t.id + ' ' + t.name + (rules.length ? ' — ' + rules.length + ' rule(s)' : '');
    b.appendChild(el('span', { 'class': 'id' }, t.id));
    b.appendChild(document.createTextNode(t.name));
    if (rules.length) {
      var tested = rules.filter(function (r) { return r.status === 'tested'; }).length;
      b.appendChild(el('span', { 'class': 'score' }, tested + '/' + rules.length));
    }
    b.addEventListener('click', function () { select(b, t.id, tactic); });
    return { node: b, status: status };
  }

  function draw() {
    var root = document.getElementById('matrix');
    root.textContent = '';
    var shown = 0;
    matrix.tactics.forEach(function (tactic) {
      var col = el('section', { 'class': 'tactic', 'data-tactic': tactic.shortname });
      var h = el('h2', null, tactic.name);
      h.appendChild(el('small', null, tactic.id));
      col.appendChild(h);
      matrix.techniques.filter(function (t) {
        return !t.parent && t.tactics.indexOf(tactic.shortname) >= 0 && platformPasses(t);
      }).sort(function (a, b) { return a.name < b.name ? -1 : a.name > b.name ? 1 : 0; }).forEach(function (t) {
        var subs = (subsOf[t.id] || []).filter(function (s) { return s.tactics.indexOf(tactic.shortname) >= 0 && platformPasses(s); });
        var subCells = subs.map(function (s) { return makeCell(s, tactic.shortname, true); }).filter(function (c) { return c.status !== 'none'; });
        var cell = makeCell(t, tactic.shortname, false);
        var visible = statusPasses(cell.status) || subCells.some(function (c) { return statusPasses(c.status); });
        if (!visible) return;
        col.appendChild(cell.node);
        shown++;
        subCells.forEach(function (c) { if (statusPasses(c.status)) { col.appendChild(c.node); shown++; } });
      });
      root.appendChild(col);
    });
    document.getElementById('shown-count').textContent = String(shown);
  }

  function badge(text, cls) { return el('span', { 'class': 'badge ' + cls }, text); }

  function select(button, id, tactic) {
    Array.prototype.forEach.call(document.querySelectorAll('.cell.selected'), function (n) { n.classList.remove('selected'); });
    button.classList.add('selected');
    var panel = document.getElementById('drilldown');
    panel.textContent = '';
    panel.classList.remove('hidden');
    var t = matrix.techniques.filter(function (x) { return x.id === id; })[0] || { id: id, name: id, tactics: [], platforms: [] };
    var e = entries[id];
    panel.appendChild(el('h2', null, id + ' ' + t.name));
    var tacticName = matrix.tactics.filter(function (x) { return x.shortname === tactic; })[0];
    panel.appendChild(el('div', { 'class': 'meta' }, 'Tactic: ' + (tacticName ? tacticName.name : tactic) + ' · Platforms: ' + (t.platforms.join(', ') || 'unknown')));
    var rules = rulesIn(id, tactic);
    var st = statusOf(rules);
    var p = el('p');
    p.appendChild(badge(st, st));
    p.appendChild(document.createTextNode(' ' + rules.length + ' rule(s) mapped' + (filters.format ? ' (format ' + filters.format + ')' : '')));
    panel.appendChild(p);
    var subs = (subsOf[id] || []).filter(function (s) { return entries[s.id] && entries[s.id].counts.mapped; });
    if (subs.length) panel.appendChild(el('p', null, 'Mapped sub-techniques: ' + subs.map(function (s) { return s.id + ' ' + s.name; }).join('; ')));
    panel.appendChild(el('h3', null, 'Rules'));
    if (!rules.length) panel.appendChild(el('p', { 'class': 'meta' }, 'No rule maps to this technique under this tactic.'));
    rules.forEach(function (r) {
      var box = el('div', { 'class': 'rule', 'data-rule': r.key });
      var title = el('div');
      title.appendChild(badge(r.status, r.status));
      title.appendChild(el('strong', null, ' ' + r.name));
      box.appendChild(title);
      box.appendChild(el('div', { 'class': 'meta' }, 'v' + (r.version === null ? '-' : r.version) + ' · ' + r.format + '/' + r.language + ' · ' + r.file));
      if (r.problem) box.appendChild(el('div', { 'class': 'meta' }, r.problem));
      if (r.tests.length) {
        var table = el('table');
        var head = el('tr');
        ['test', 'expect', 'result', 'dataset'].forEach(function (h) { head.appendChild(el('th', null, h)); });
        table.appendChild(head);
        r.tests.forEach(function (tc) {
          var row = el('tr', { 'class': 'test', 'data-status': tc.status });
          row.appendChild(el('td', { title: tc.message }, tc.name));
          row.appendChild(el('td', null, tc.expect));
          var res = el('td');
          res.appendChild(badge(tc.status, tc.status));
          res.appendChild(document.createTextNode(' ' + tc.message));
          row.appendChild(res);
          row.appendChild(el('td', null, tc.dataset.split('/').pop()));
          table.appendChild(row);
        });
        box.appendChild(table);
      } else {
        box.appendChild(el('div', { 'class': 'meta' }, 'No tests.'));
      }
      var cc = clauseByRule[r.key];
      if (cc) box.appendChild(clauseTable(cc));
      panel.appendChild(box);
    });
    if (e && e.datasets.length) {
      panel.appendChild(el('h3', null, 'Datasets'));
      var ul = el('ul');
      e.datasets.forEach(function (d) {
        ul.appendChild(el('li', null, d.path + (d.expects.length ? ' (' + d.expects.join(', ') + ' tests)' : '') + (d.declared ? ' — declared for ' + id : '')));
      });
      panel.appendChild(ul);
    }
  }

  function clauseTable(cc) {
    var wrap = el('div', { 'class': 'clauses' });
    wrap.appendChild(el('h3', null, 'Clause coverage'));
    if (cc.unavailable) { wrap.appendChild(el('div', { 'class': 'meta' }, cc.unavailable)); return wrap; }
    var table = el('table');
    var head = el('tr');
    ['stage', 'predicate', 'true', 'false'].forEach(function (h) { head.appendChild(el('th', null, h)); });
    table.appendChild(head);
    cc.predicates.forEach(function (p) {
      var row = el('tr', { 'class': (p['true'] && p['false']) ? 'pred-both' : 'pred-never' });
      row.appendChild(el('td', null, String(p.stage + 1)));
      row.appendChild(el('td', null, (p.negated ? 'not ' : '') + p.text));
      row.appendChild(el('td', null, String(p['true'])));
      row.appendChild(el('td', null, String(p['false'])));
      table.appendChild(row);
    });
    wrap.appendChild(table);
    (cc.exclusions || []).forEach(function (x) {
      var line = 'Exclusion ' + x.text + ': ' + (x.exercisedBy.length ? 'exercised by ' + x.exercisedBy.join(', ') : 'no quiet test exercises it');
      if (x.mutation) line += ' · dropped: ' + (x.mutation.killedBy.length ? 'caught by ' + x.mutation.killedBy.join(', ') : 'no quiet test fails without it') + (x.mutation.vacuous.length ? '; vacuous: ' + x.mutation.vacuous.join(', ') : '');
      if (x.negation) line += ' · negated: ' + (x.negation.killedBy.length ? 'caught by ' + x.negation.killedBy.join(', ') : 'no quiet test fails');
      wrap.appendChild(el('div', { 'class': 'meta exclusion' + (x.exercisedBy.length ? '' : ' pred-never') + (x.mutation && x.mutation.vacuous.length ? ' vacuous' : '') }, line));
    });
    return wrap;
  }

  function fillSelect(id, values) {
    var s = document.getElementById(id);
    values.forEach(function (v) { s.appendChild(el('option', { value: v }, v)); });
    s.addEventListener('change', function () { filters[s.getAttribute('data-filter')] = s.value; draw(); });
  }
  fillSelect('filter-platform', report.attack.platforms);
  fillSelect('filter-format', Array.from(new Set(report.rules.map(function (r) { return r.format; }))).sort());
  fillSelect('filter-status', ['mapped', 'tested', 'failing', 'untested', 'none']);
  draw();
})();
`;

export function renderCoverageHtml(report: CoverageReport, catalogue: AttackCatalogue, options: { title?: string } = {}): string {
  const s = report.summary;
  const title = options.title ?? 'ruleproof — ATT&CK coverage';
  const summary =
    `${s.techniquesTested} of ${s.techniquesMapped} mapped technique(s) tested, ${s.techniquesFailing} with failing rules · ` +
    `${s.rules} rule(s): ${s.rulesTested} tested, ${s.rulesFailing} failing, ${s.rulesQuietOnly} with only quiet tests, ${s.rulesUntested} without tests · ` +
    `ATT&CK Enterprise ${report.attack.version}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<div class="summary" id="summary">${escapeHtml(summary)}</div>
</header>
<div class="controls">
<label>Platform <select id="filter-platform" data-filter="platform"><option value="">all</option></select></label>
<label>Status <select id="filter-status" data-filter="status"><option value="">all</option></select></label>
<label>Rule format <select id="filter-format" data-filter="format"><option value="">all</option></select></label>
<span><span id="shown-count">0</span> cell(s)</span>
<span class="legend"><span><span class="swatch" style="background:${GRADIENT[0]}"></span> none tested</span><span><span class="swatch" style="background:${GRADIENT[1]}"></span> some</span><span><span class="swatch" style="background:${GRADIENT[2]}"></span> all tested</span><span><span class="swatch" style="background:#f3f4f6"></span> no rule</span></span>
</div>
<main>
<div id="matrix" aria-label="ATT&amp;CK matrix"></div>
<aside id="drilldown" class="hidden" aria-live="polite"></aside>
</main>
<footer>Generated by ${escapeHtml(report.tool.name)} ${escapeHtml(report.tool.version)}. ATT&amp;CK® is a registered trademark of The MITRE Corporation; matrix data © MITRE, used under the ATT&amp;CK Terms of Use.</footer>
<script type="application/json" id="coverage-data">${scriptJson(report)}</script>
<script type="application/json" id="matrix-data">${scriptJson(matrixOf(catalogue))}</script>
<script type="application/json" id="gradient-data">${scriptJson(GRADIENT)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
