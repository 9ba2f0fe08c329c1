#!/usr/bin/env node
/**
 * The Modeler harness: our artifacts in Camunda's own Camunda 7 Modeler, in headless Chromium.
 *
 *   node harness.mjs CASES.json
 *
 * CASES.json: { "chromium": "/usr/bin/chromium", "workDir": DIR,
 *               "cases": [ { "name", "template", "bpmn", "screenshotDir" } ] }
 *
 * It bundles page.js (camunda-bpmn-js) with esbuild into workDir, serves it on 127.0.0.1,
 * opens one browser for all cases and prints one line per case:
 *
 *   CASE {"name": ..., "problems": [...], "tasks": [...], "screenshots": [...]}
 *
 * A case passes when its problems are empty.
 *
 * "upgrades" (optional, beside "cases"): [ { "name", "templates": [paths], "bpmn", "taskId",
 * "screenshotDir" } ] opens the diagram with every listed template version loaded, reads the
 * task, then clicks the panel's own "Update" entry (the Template group's "Update available"
 * menu, which runs elementTemplates.applyTemplate(element, newerTemplate)) and reads it again:
 *
 *   UPGRADE {"name": ..., "problems": [...], "before": {...}, "after": {...}}
 *
 * where before/after = { task (status, version, ...), panelHeader, panel (label -> shown
 * value), bindings (exported XML) }. Judging the outcome is left to the caller.
 *
 * Exit 0 when every case ran (whatever it found), 2 when the harness itself could not run
 * (bundle, server, browser).
 */

import { mkdtemp, readFile, rm, mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';
import puppeteer from 'puppeteer-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const STEP_TIMEOUT_MS = 30_000;
const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'
];
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><link rel="stylesheet" href="page.css">
<style>
  body { margin: 0; display: flex; font-family: Arial, sans-serif; }
  #canvas { width: 860px; height: 900px; }
  #panel { width: 440px; border-left: 1px solid #ccc; }
</style></head>
<body><div id="canvas"></div><div id="panel"></div><script src="page.js"></script></body></html>`;

// --------------------------------------------------------------------------- bundle and serve

/** Bundle page.js with camunda-bpmn-js and its CSS (fonts inlined) into outDir. */
async function bundle(outDir) {
  await esbuild.build({
    entryPoints: [ path.join(HERE, 'page.js') ],
    bundle: true,
    format: 'iife',
    outdir: outDir,
    absWorkingDir: HERE,
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: { '.eot': 'dataurl', '.svg': 'dataurl', '.ttf': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl' },
    logLevel: 'silent'
  });
}

/** A static server for the page and its bundle, on 127.0.0.1 and a free port. */
async function serve(outDir) {
  const files = {
    '/': [ 'text/html', PAGE ],
    '/page.js': [ 'text/javascript', await readFile(path.join(outDir, 'page.js')) ],
    '/page.css': [ 'text/css', await readFile(path.join(outDir, 'page.css')) ]
  };
  const server = createServer((request, response) => {
    const file = files[request.url];
    response.writeHead(file ? 200 : 404, { 'content-type': file ? file[0] : 'text/plain' });
    response.end(file ? file[1] : 'not found');
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return server;
}

// --------------------------------------------------------------------------- what the template asks for

function quote(value) {
  return JSON.stringify(value);
}

function describeBinding(binding) {
  return binding.type === 'property' ? `attribute ${binding.name}` : `${binding.type} '${binding.name}'`;
}

function propertyName(property) {
  return property.label ? `property '${property.label}'` : `hidden property (${describeBinding(property.binding)})`;
}

/** The example's value for a template property's binding, or undefined; null if not checkable. */
function boundValue(bindings, binding) {
  const table = { 'property': bindings.attributes, 'camunda:field': bindings.fields, 'camunda:inputParameter': bindings.inputParameters };
  const key = binding.type === 'property' && !binding.name.includes(':') ? `camunda:${binding.name}` : binding.name;
  return binding.type in table ? table[binding.type][key] : null;
}

/** The task names our template at its version, and the Modeler shows it as known and applied. */
function resolutionProblems(template, task, panelHeader) {
  const where = `task ${task.id}`;
  const problems = [];
  if (task.templateId !== template.id) {
    problems.push(`${where}: camunda:modelerTemplate is '${task.templateId}', the template's id is '${template.id}'`);
  }
  if (String(task.templateVersion) !== String(template.version)) {
    problems.push(`${where}: camunda:modelerTemplateVersion is ${quote(task.templateVersion)}, the template's version is ${template.version}`);
  }
  if (!task.resolved) {
    problems.push(`${where}: the Modeler finds no template '${task.templateId}' at version ${quote(task.templateVersion)} (it has version(s) ${task.available.join(', ') || 'none'})`);
  } else if (task.resolved.id !== template.id || task.resolved.version !== template.version) {
    problems.push(`${where}: the Modeler resolves it to '${task.resolved.id}' version ${task.resolved.version}, not '${template.id}' version ${template.version}`);
  }
  if (task.status !== 'known') {
    problems.push(`${where}: template status is '${task.status}', not 'known'`);
  }
  if (panelHeader !== 'Applied') {
    problems.push(`${where}: the panel's Template group shows ${quote(panelHeader)}, not 'Applied'`);
  }
  return problems;
}

/** The group a property must show in, by label; a problem when it names an undeclared group. */
function groupProblem(template, property, shownIn) {
  const groups = template.groups || [];
  const group = groups.find(candidate => candidate.id === property.group);
  if (property.group && !group) {
    const declared = groups.map(candidate => candidate.id).join(', ') || 'none';
    return `${propertyName(property)} names group '${property.group}', which the template does not declare (it declares: ${declared}); the panel shows it under '${shownIn}'`;
  }
  const label = group ? group.label : 'Custom properties';
  return shownIn === label ? null : `the panel shows ${propertyName(property)} in group '${shownIn}', not in '${label}'`;
}

/** Every visible property shows in its group with its label and default; no entry shows an error. */
function panelProblems(template, panel) {
  const problems = [];
  const entries = panel.groups.flatMap(group => group.entries.map(entry => ({ ...entry, group: group.label })));
  const used = new Set();
  for (const property of template.properties.filter(candidate => candidate.type !== 'Hidden')) {
    const entry = entries.find(candidate => !used.has(candidate) && candidate.label === property.label);
    if (!entry) {
      problems.push(`the panel does not show ${propertyName(property)}`);
      continue;
    }
    used.add(entry);
    const misplaced = groupProblem(template, property, entry.group);
    if (misplaced) {
      problems.push(misplaced);
    }
    const expected = property.value === undefined ? '' : String(property.value);
    if (entry.value !== expected) {
      problems.push(`the panel shows ${propertyName(property)} = ${quote(entry.value)}, not its default ${quote(expected)}`);
    }
  }
  for (const entry of entries.filter(candidate => candidate.error)) {
    problems.push(`the panel shows a validation error on '${entry.label || entry.id}' (group '${entry.group}'): ${entry.error}`);
  }
  return problems;
}

/** Every binding of the template is present on the example's task. */
function missingBindingProblems(template, bindings, taskId) {
  const problems = [];
  for (const property of template.properties) {
    const value = boundValue(bindings, property.binding);
    if (value === null) {
      problems.push(`${propertyName(property)}: the harness does not check binding type '${property.binding.type}'`);
    } else if (value === undefined) {
      problems.push(`task ${taskId} lacks the binding of ${propertyName(property)}: ${describeBinding(property.binding)} is missing`);
    }
  }
  return problems;
}

/** A task made by applying the template exports exactly the example's bindings. */
function applyProblems(example, applied) {
  const problems = [];
  const kinds = { attributes: 'attribute', fields: 'camunda:field', inputParameters: 'camunda:inputParameter' };
  for (const [ kind, label ] of Object.entries(kinds)) {
    const names = [ ...new Set([ ...Object.keys(example[kind]), ...Object.keys(applied[kind]) ]) ].sort();
    for (const name of names) {
      const [ mine, theirs ] = [ example[kind][name], applied[kind][name] ];
      if (mine !== theirs) {
        problems.push(`applying the template to a new task gives ${label} '${name}' = ${theirs === undefined ? 'nothing' : quote(theirs)}, the example has ${mine === undefined ? 'nothing' : quote(mine)}`);
      }
    }
  }
  return problems;
}

// --------------------------------------------------------------------------- drive the page

function call(page, method, ...args) {
  return page.evaluate((name, list) => window.catalystModeler[name](...list), method, args);
}

/** Select the task, let the panel render and validate, read it, screenshot it with every group open. */
async function inspectPanel(page, taskId, screenshot) {
  await call(page, 'select', taskId);
  await page.waitForSelector('[data-group-id="group-ElementTemplates__Template"]', { timeout: STEP_TIMEOUT_MS });
  await page.evaluate(() => new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 100))));
  const panel = await call(page, 'readPanel');
  await call(page, 'openAllGroups');
  await page.evaluate(() => new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 100))));
  await (await page.$('#panel')).screenshot({ path: screenshot });
  return panel;
}

async function inspectTask(page, template, task, kase) {
  const screenshot = path.join(kase.screenshotDir, `${kase.name}-${task.id}.png`);
  const panel = await inspectPanel(page, task.id, screenshot);
  const appliedId = await call(page, 'applyToNewTask', template);
  const bindings = await call(page, 'exportedBindings', [ task.id, appliedId ]);
  return {
    screenshot,
    problems: [
      ...resolutionProblems(template, task, panel.templateHeader),
      ...panelProblems(template, panel),
      ...missingBindingProblems(template, bindings[task.id], task.id),
      ...applyProblems(bindings[task.id], bindings[appliedId])
    ]
  };
}

async function runCase(page, kase, pageErrors) {
  const template = JSON.parse(await readFile(kase.template, 'utf8'));
  const xml = await readFile(kase.bpmn, 'utf8');
  await mkdir(kase.screenshotDir, { recursive: true });
  pageErrors.length = 0;
  const warnings = await call(page, 'openDiagram', template, xml);
  const problems = [
    ...warnings.map(warning => `import warning: ${warning}`),
    ...await call(page, 'templateProblems')
  ];
  const tasks = await call(page, 'connectorTasks');
  if (!tasks.length) {
    problems.push('no task of the example names an element template (camunda:modelerTemplate)');
  }
  const screenshots = [];
  for (const task of tasks) {
    const inspected = await inspectTask(page, template, task, kase);
    problems.push(...inspected.problems);
    screenshots.push(inspected.screenshot);
  }
  problems.push(...pageErrors.map(error => `page error: ${error}`));
  return { name: kase.name, problems, tasks, screenshots };
}

// --------------------------------------------------------------------------- upgrades

const TEMPLATE_GROUP = '[data-group-id="group-ElementTemplates__Template"]';

/** What the Modeler shows for one task: its template state, the panel, the exported bindings. */
async function observe(page, taskId, screenshot) {
  const panel = await inspectPanel(page, taskId, screenshot);
  const task = (await call(page, 'connectorTasks')).find(candidate => candidate.id === taskId) ?? null;
  const bindings = (await call(page, 'exportedBindings', [ taskId ]))[taskId];
  const shown = {};
  for (const entry of panel.groups.flatMap(group => group.entries)) {
    if (entry.label && entry.value !== null && !(entry.label in shown)) {
      shown[entry.label] = entry.value;
    }
  }
  return { task, panelHeader: panel.templateHeader, panel: shown, bindings };
}

/** Open the Template group's "Update available" menu and click its "Update" entry, as a user would. */
async function clickUpdate(page) {
  const dropdown = `${TEMPLATE_GROUP} .bio-properties-panel-template-update-available`;
  await (await page.waitForSelector(`${dropdown} .bio-properties-panel-group-header-button`)).click();
  await page.waitForSelector(`${dropdown}.open`);
  const item = await page.evaluateHandle(selector => [ ...document.querySelectorAll(
    `${selector}.open .bio-properties-panel-dropdown-button__menu-item--actionable`
  ) ].find(button => button.textContent.trim() === 'Update') ?? null, dropdown);
  const button = item.asElement();
  if (!button) {
    throw new Error('the "Update available" menu has no "Update" entry');
  }
  await button.click();
  await page.waitForFunction(selector => !document.querySelector(selector), {}, dropdown);
}

async function runUpgrade(page, kase, pageErrors) {
  const templates = await Promise.all(kase.templates.map(async file => JSON.parse(await readFile(file, 'utf8'))));
  const xml = await readFile(kase.bpmn, 'utf8');
  await mkdir(kase.screenshotDir, { recursive: true });
  pageErrors.length = 0;
  const warnings = await call(page, 'openDiagram', templates, xml);
  const problems = [
    ...warnings.map(warning => `import warning: ${warning}`),
    ...await call(page, 'templateProblems')
  ];
  const shot = when => path.join(kase.screenshotDir, `${kase.name}-${when}.png`);
  const before = await observe(page, kase.taskId, shot('before'));
  let after = null;
  try {
    await clickUpdate(page);
    after = await observe(page, kase.taskId, shot('after'));
  } catch (error) {
    problems.push(`update failed: ${error.message}`);
  }
  problems.push(...pageErrors.map(error => `page error: ${error}`));
  return { name: kase.name, problems, before, after };
}

// --------------------------------------------------------------------------- main

async function openPage(browser, url, pageErrors) {
  const page = await browser.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.on('pageerror', error => pageErrors.push(error.message));
  page.on('console', message => message.type() === 'error' && pageErrors.push(message.text()));
  await page.setViewport({ width: 1300, height: 900 });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.catalystModeler !== undefined);
  return page;
}

async function main(casesFile) {
  const job = JSON.parse(await readFile(casesFile, 'utf8'));
  const outDir = path.join(job.workDir, 'bundle');
  await bundle(outDir);
  const server = await serve(outDir);
  const profile = await mkdtemp(path.join(tmpdir(), 'catalyst-modeler-profile-'));
  let browser = null;
  try {
    browser = await puppeteer.launch({
      executablePath: job.chromium,
      headless: true,
      args: [ ...CHROMIUM_FLAGS, `--user-data-dir=${profile}` ],
      timeout: STEP_TIMEOUT_MS,
      protocolTimeout: 2 * STEP_TIMEOUT_MS
    });
    const pageErrors = [];
    const page = await openPage(browser, `http://127.0.0.1:${server.address().port}/`, pageErrors);
    for (const kase of job.cases ?? []) {
      console.log(`CASE ${JSON.stringify(await runCase(page, kase, pageErrors))}`);
    }
    for (const kase of job.upgrades ?? []) {
      console.log(`UPGRADE ${JSON.stringify(await runUpgrade(page, kase, pageErrors))}`);
    }
  } finally {
    await browser?.close();
    server.close();
    await rm(profile, { recursive: true, force: true });
  }
}

if (process.argv.length !== 3) {
  console.error('usage: node harness.mjs CASES.json');
  process.exit(2);
}
main(process.argv[2]).then(
  () => process.exit(0),
  error => {
    console.error(`modeler harness failed: ${error.stack || error}`);
    process.exit(2);
  }
);
