#!/usr/bin/env node
// Oracle harness: judges catalyst-gen artifacts with the real bpmn.io / Camunda 7
// toolchain, independently of the generator's own (Python) checks.
//
//   node tests/oracle/judge.mjs <file>...      (*.element.json and *.bpmn)
//
// Judges
//   element-templates  @bpmn-io/element-templates-validator, Camunda 7 schema
//                      (`validate`, i.e. @camunda/element-templates-json-schema;
//                      NOT `validateZeebe`, which is the Camunda 8 schema).
//                      Schema errors and schema warnings (deprecations) are findings.
//   moddle             bpmn-moddle + camunda-bpmn-moddle `fromXML`: every import
//                      warning (unknown element/attribute, unresolved reference,
//                      illegal value) is a finding, as is a parse failure. Also a
//                      finding: an attribute in a namespace no loaded moddle package
//                      knows (moddle keeps those silently in $attrs, which would
//                      hide e.g. a misspelt camunda namespace URI), except the
//                      namespaces in FOREIGN_NAMESPACES_OK.
//   bpmnlint           bpmnlint with `bpmnlint:recommended`: every report (error
//                      or warning) is a finding. No warning is accepted.
//   camunda-compat     bpmnlint with the newest `camunda-platform-7-*` config of
//                      bpmnlint-plugin-camunda-compat: every report (error, warn,
//                      or info: e.g. history-time-to-live reports as "info") is a
//                      finding.
//   camunda-lint       @camunda/linting, the linter behind Camunda Modeler's
//                      problems panel, as the desktop Modeler runs it for a
//                      Camunda 7 diagram (type "platform"): it picks its config
//                      from the diagram's modeler:executionPlatform(Version), e.g.
//                      camunda-platform-7-24. Every report is a finding, as is a
//                      diagram the Modeler would not lint at all (no execution
//                      platform, or a version camunda-compat has no config for).
//                      The package ships ES modules for bundlers (extensionless
//                      imports, JSON imports), so it is bundled in memory with
//                      esbuild, the way the Modeler bundles it, before import.
//
// Output: one line per finding
//   <judge> <file> <element id or property path>: <message>
// then one JSON summary line prefixed with "SUMMARY ".
// Exit code: 0 no finding, 1 at least one finding, 2 usage error.
//
// The lint judges run before the element-templates validator is imported: with
// the validator loaded first, bpmnlint's NodeResolver has been seen failing to
// resolve plugin configs in the same process. We do not use NodeResolver at all
// (see StaticOracleResolver below), and we still lint first and import the
// validator lazily.

import { createRequire } from 'node:module';
import { readFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';

const require = createRequire(import.meta.url);

// Attribute namespaces moddle does not model but Camunda Modeler writes itself.
const FOREIGN_NAMESPACES_OK = new Set([
  'http://www.w3.org/2000/xmlns/', // xmlns declarations
  'http://camunda.org/schema/modeler/1.0', // modeler:executionPlatform(Version)
]);

const USAGE = 'usage: node tests/oracle/judge.mjs <file.element.json|file.bpmn>...';

const findings = [];
const report = (judge, file, where, message) => {
  const finding = { judge, file, where: where || '<root>', message: oneLine(message) };
  findings.push(finding);
  console.log(`${finding.judge} ${finding.file} ${finding.where}: ${finding.message}`);
};

function oneLine(s) {
  return String(s).replace(/\s+/g, ' ').trim();
}

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  if (!argv.length || argv.includes('-h') || argv.includes('--help')) {
    return { error: USAGE };
  }
  const templates = [];
  const diagrams = [];
  for (const file of argv) {
    if (!existsSync(file) || !statSync(file).isFile()) {
      return { error: `no such file: ${file}\n${USAGE}` };
    }
    if (file.endsWith('.element.json')) templates.push(file);
    else if (file.endsWith('.bpmn')) diagrams.push(file);
    else return { error: `unsupported file (want *.element.json or *.bpmn): ${file}\n${USAGE}` };
  }
  return { templates, diagrams };
}

// ---------------------------------------------------------------- moddle

const camundaModdle = require('camunda-bpmn-moddle/resources/camunda.json');

async function createModdle() {
  const { BpmnModdle } = await import('bpmn-moddle');
  return new BpmnModdle({ camunda: camundaModdle });
}

function elementId(element) {
  if (!element) return null;
  if (element.id) return element.id;
  // walk up to the nearest element with an id, keep the type for context
  let parent = element.$parent;
  while (parent && !parent.id) parent = parent.$parent;
  return parent ? `${parent.id}>${element.$type}` : element.$type || null;
}

function moddleWarningWhere(warning) {
  const id = elementId(warning.element);
  if (id) return id;
  const line = warning.line ?? (/\bline: (\d+)/.exec(warning.message) || [])[1];
  return line != null ? `line:${line}` : null;
}

// all namespace URIs that the moddle instance models
function knownNamespaces(moddle) {
  return new Set(packages(moddle).map((p) => p.uri));
}

function packages(moddle) {
  // packageMap is keyed by both prefix and URI
  return [...new Set(Object.values(moddle.registry.packageMap))];
}

function* walk(element, seen = new Set()) {
  if (!element || typeof element !== 'object' || seen.has(element)) return;
  seen.add(element);
  if (element.$type) yield element;
  for (const [key, value] of Object.entries(element)) {
    if (key.startsWith('$') && key !== '$children') continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      // references (e.g. sourceRef) point to elements visited elsewhere; the
      // `seen` set keeps this finite
      if (v && typeof v === 'object' && v.$type) yield* walk(v, seen);
    }
  }
}

function checkNamespaces(definitions, moddle, file) {
  const known = knownNamespaces(moddle);
  const declared = {}; // prefix -> URI, from the xmlns declarations moddle kept
  for (const element of walk(definitions)) {
    for (const [name, value] of Object.entries(element.$attrs || {})) {
      if (name.startsWith('xmlns:')) declared[name.slice(6)] = value;
    }
  }

  // a package prefix bound to another URI makes moddle ignore everything in it
  for (const pkg of packages(moddle)) {
    const uri = declared[pkg.prefix];
    if (uri !== undefined && uri !== pkg.uri) {
      report('moddle', file, elementId(definitions),
        `xmlns:${pkg.prefix} is <${uri}>, expected <${pkg.uri}>: moddle ignores every ${pkg.prefix}:* in it`);
    }
  }

  for (const element of walk(definitions)) {
    for (const name of Object.keys(element.$attrs || {})) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
      const [prefix] = name.includes(':') ? name.split(':', 2) : [null];
      if (!prefix) {
        report('moddle', file, elementId(element), `unknown attribute <${name}> (no namespace)`);
        continue;
      }
      const uri = declared[prefix];
      if (FOREIGN_NAMESPACES_OK.has(uri)) continue;
      if (uri === undefined) {
        // moddle renames a prefix to nsN when its URI clashes with a modeled package
        report('moddle', file, elementId(element),
          `attribute <${name}> is in a namespace no loaded moddle package models (moddle renamed its prefix; check the xmlns declarations)`);
      } else if (!known.has(uri)) {
        report('moddle', file, elementId(element),
          `attribute <${name}> is in namespace <${uri}>, which no loaded moddle package (bpmn, camunda) models`);
      }
    }
  }
}

async function importDiagram(moddle, file) {
  const xml = readFileSync(file, 'utf8');
  try {
    const result = await moddle.fromXML(xml, 'bpmn:Definitions');
    return { definitions: result.rootElement, warnings: result.warnings || [] };
  } catch (err) {
    return { error: err, warnings: err.warnings || [] };
  }
}

// ---------------------------------------------------------------- bpmnlint

// Resolves rules/configs straight from the installed packages (no cwd-relative
// NodeResolver lookups). Any unknown rule/config throws.
class StaticOracleResolver {
  constructor() {
    this.plugins = {
      'bpmnlint-plugin-camunda-compat': require('bpmnlint-plugin-camunda-compat'),
    };
  }

  resolveRule(pkg, ruleName) {
    if (pkg === 'bpmnlint') return require(`bpmnlint/rules/${ruleName}`);
    const plugin = this.plugins[pkg];
    if (!plugin || !(ruleName in plugin.rules)) throw new Error(`unknown rule <${pkg}/${ruleName}>`);
    const ref = plugin.rules[ruleName];
    if (ref.startsWith('.')) {
      return require(path.join(path.dirname(require.resolve(pkg)), ref));
    }
    // e.g. 'bpmnlint/start-event-required' -> bpmnlint/rules/start-event-required
    const [refPkg, ...rest] = ref.split('/');
    if (refPkg === 'bpmnlint') return require(`bpmnlint/rules/${rest.join('/')}`);
    return require(ref);
  }

  resolveConfig(pkg, configName) {
    if (pkg === 'bpmnlint') return require(`bpmnlint/config/${configName}`);
    const plugin = this.plugins[pkg];
    const config = plugin && plugin.configs[configName];
    if (!config) throw new Error(`unknown config <${pkg}/${configName}>`);
    return config;
  }
}

export function newestCamundaPlatform7Config() {
  const { configs } = require('bpmnlint-plugin-camunda-compat');
  const names = Object.keys(configs)
    .map((name) => ({ name, m: /^camunda-platform-7-(\d+)$/.exec(name) }))
    .filter(({ m }) => m)
    .sort((a, b) => Number(b.m[1]) - Number(a.m[1]));
  if (!names.length) throw new Error('bpmnlint-plugin-camunda-compat has no camunda-platform-7-* config');
  return names[0].name;
}

const C7_CONFIG = newestCamundaPlatform7Config();

async function lintDiagram(linter, definitions) {
  const reports = await linter.lint(definitions);
  const out = [];
  for (const [ruleName, ruleReports] of Object.entries(reports)) {
    for (const r of ruleReports) out.push({ rule: ruleName, ...r });
  }
  return out;
}

function lintWhere(r) {
  const p = Array.isArray(r.path) && r.path.length ? `#${r.path.join('.')}` : '';
  return `${r.id || '<root>'}${p}`;
}

async function judgeDiagrams(files) {
  if (!files.length) return;
  const { Linter } = require('bpmnlint');
  const resolver = new StaticOracleResolver();

  for (const file of files) {
    // fresh instances per file: bpmnlint caches rule instances per Linter and
    // some rules (e.g. no-duplicate-sequence-flows) keep state across lint() calls
    const moddle = await createModdle();
    const recommended = new Linter({ config: { extends: 'bpmnlint:recommended' }, resolver });
    const compat = new Linter({ config: { extends: `plugin:camunda-compat/${C7_CONFIG}` }, resolver });

    // judge 2: moddle import
    const { definitions, warnings, error } = await importDiagram(moddle, file);
    for (const w of warnings) report('moddle', file, moddleWarningWhere(w), w.message);
    if (error) {
      report('moddle', file, null, `import failed: ${error.message}`);
      report('bpmnlint', file, null, 'not linted: BPMN could not be imported');
      report('camunda-compat', file, null, 'not linted: BPMN could not be imported');
      report('camunda-lint', file, null, 'not linted: BPMN could not be imported');
      continue;
    }
    checkNamespaces(definitions, moddle, file);

    // judge 3: bpmnlint:recommended
    for (const r of await lintDiagram(recommended, definitions)) {
      report('bpmnlint', file, lintWhere(r), `${r.message} (${r.rule}, ${r.category})`);
    }

    // judge 4: camunda-compat, Camunda 7
    for (const r of await lintDiagram(compat, definitions)) {
      report('camunda-compat', file, lintWhere(r), `${r.message} (${r.rule}, ${r.category}, ${C7_CONFIG})`);
    }

    // judge 5: the Modeler's own linting
    await modelerLint(file, definitions);
  }
}

// ---------------------------------------------------------------- @camunda/linting

const modelerLintConfigs = new Set();
let modelerLinter = null;

async function loadModelerLinter() {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({
    stdin: { contents: "export { Linter } from '@camunda/linting';", resolveDir: import.meta.dirname },
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  const code = Buffer.from(out.outputFiles[0].contents).toString('base64');
  const { Linter } = await import(`data:text/javascript;base64,${code}`);
  return new Linter({ modeler: 'desktop', type: 'platform' });
}

// The config @camunda/linting derives from the diagram (its getConfigName):
// "Camunda Platform" + "7.24.0" -> camunda-platform-7-24.
function modelerConfigName(platform, version) {
  const minor = String(version).split('.').slice(0, 2).join('.');
  return [...platform.split(' '), ...minor.split('.')].map((s) => s.toLowerCase()).join('-');
}

async function modelerLint(file, definitions) {
  const platform = definitions.get('modeler:executionPlatform');
  const version = definitions.get('modeler:executionPlatformVersion');
  if (!platform || !version) {
    report('camunda-lint', file, elementId(definitions),
      'no modeler:executionPlatform / modeler:executionPlatformVersion: Camunda Modeler would not lint this diagram');
    return;
  }
  const config = modelerConfigName(platform, version);
  const { configs } = require('bpmnlint-plugin-camunda-compat');
  if (!(config in configs)) {
    report('camunda-lint', file, elementId(definitions),
      `${platform} ${version}: bpmnlint-plugin-camunda-compat has no ${config} config, so the Modeler checks nothing`);
    return;
  }
  modelerLintConfigs.add(config);
  modelerLinter ??= await loadModelerLinter();
  // @camunda/linting parses the XML with its own moddle (camunda + modeler packages)
  for (const r of await modelerLinter.lint(readFileSync(file, 'utf8'))) {
    report('camunda-lint', file, lintWhere(r), `${r.message} (${r.rule}, ${r.category}, ${config})`);
  }
}

// ---------------------------------------------------------------- element templates

const ROOT_ONEOF_NOISE = new Set(['#/oneOf', '#/oneOf/1/type']);

async function judgeTemplates(files) {
  if (!files.length) return null;
  const validator = await import('@bpmn-io/element-templates-validator');
  const schemaPackage = validator.getSchemaPackage();
  if (schemaPackage !== '@camunda/element-templates-json-schema') {
    throw new Error(`validate() uses ${schemaPackage}, expected the Camunda 7 schema package`);
  }
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    let result;
    try {
      result = validator.validate(text);
    } catch (err) {
      report('element-templates', file, null, `validator crashed: ${err.message}`);
      continue;
    }
    let errors = result.errors || [];
    // The schema is oneOf(template, template[]); for a single template the
    // "must be array" / "must match exactly one schema in oneOf" root errors are
    // noise once a more specific error exists.
    const specific = errors.filter((e) => !ROOT_ONEOF_NOISE.has(e.schemaPath));
    if (specific.length) errors = specific;
    for (const e of errors) {
      let where = e.dataPath ?? e.instancePath;
      // point "missing property" errors at the missing property itself
      const raw = (e.params && e.params.rawErrors) || [e];
      const missing = raw.length === 1 && raw[0].params && raw[0].params.missingProperty;
      if (missing) where = `${where || ''}/${missing}`;
      const params = { ...(e.params || {}) };
      delete params.rawErrors;
      const extra = Object.keys(params).length ? ` ${JSON.stringify(params)}` : '';
      report('element-templates', file, where, `${e.message}${extra}`);
    }
    for (const w of result.warnings || []) {
      const where = w.dataPath ?? w.instancePath;
      report('element-templates', file, where, `(warning) ${w.message}`);
    }
    if (!result.valid && !(result.errors || []).length) {
      report('element-templates', file, null, 'invalid (validator gave no error detail)');
    }
  }
  return `${schemaPackage}@${validator.getSchemaVersion()}`;
}

// ---------------------------------------------------------------- main

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.error) {
    console.error(args.error);
    return 2;
  }
  await judgeDiagrams(args.diagrams); // lint first (see header)
  const schema = await judgeTemplates(args.templates);
  const byJudge = {};
  for (const f of findings) byJudge[f.judge] = (byJudge[f.judge] || 0) + 1;
  console.log('SUMMARY ' + JSON.stringify({
    ok: findings.length === 0,
    findings: findings.length,
    byJudge,
    templates: args.templates.length,
    diagrams: args.diagrams.length,
    templateSchema: schema,
    camundaCompatConfig: C7_CONFIG,
    camundaLintConfigs: [...modelerLintConfigs].sort(),
  }));
  return findings.length ? 1 : 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (err) => {
    console.error(`oracle harness error: ${err && err.stack || err}`);
    process.exitCode = 3;
  },
);
