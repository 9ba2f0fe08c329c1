// Drives a `catalyst-gen preview` page in the system Chromium for tests/acceptance/test_preview.py.
//
// Usage: node drive.mjs CHROMIUM USER_DATA_DIR
// Reads one JSON command per line on stdin and answers each with one JSON line on stdout:
//   {"op": "open", "url": U, "timeout": S}        load U once; wait until the Modeler is ready
//   {"op": "panel"}                               the properties panel: header texts, entry labels and values
//   {"op": "text", "selector": C, "contains": T, "timeout": S}
//                                                 wait (across the page's own reloads) until C's text contains T
//   {"op": "errors"}                              what the page logged as errors so far (CSP violations included)
//   {"op": "screenshot", "path": P}
//   {"op": "quit"}
// Every answer is {"ok": true, ...} or {"ok": false, "error": "..."}; the page is never reloaded from here.
import { createInterface } from 'node:readline';
import puppeteer from 'puppeteer-core';

const [chromium, userDataDir] = process.argv.slice(2);
const browser = await puppeteer.launch({
  executablePath: chromium,
  userDataDir,
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--window-size=1600,1000',
  ],
  defaultViewport: { width: 1600, height: 1000 },
  protocolTimeout: 60000,
});
const page = await browser.newPage();
const consoleErrors = [];
page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
page.on('pageerror', (error) => consoleErrors.push(String(error)));
page.on('response', (response) => {
  if (response.status() >= 400) consoleErrors.push(`HTTP ${response.status()} ${response.url()}`);
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Evaluate fn until it returns a truthy value; the page may reload itself meanwhile.
async function poll(fn, arg, seconds) {
  const deadline = Date.now() + seconds * 1000;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await page.evaluate(fn, arg);
      if (last && last.done) return last;
    } catch (error) {
      last = { error: String(error) }; // the context went away during a reload: try again
    }
    await sleep(200);
  }
  throw new Error(`timed out after ${seconds}s; last seen: ${JSON.stringify(last)}`);
}

function panelState() {
  const panel = document.getElementById('properties');
  const texts = (selector) => [...panel.querySelectorAll(selector)].map((node) => node.textContent.trim());
  const entries = [...panel.querySelectorAll('.bio-properties-panel-entry')].map((entry) => {
    const label = entry.querySelector('label, .bio-properties-panel-label');
    const field = entry.querySelector('input, select, textarea, [contenteditable]');
    let value = null;
    if (field) value = field.matches('[contenteditable]') ? field.textContent : field.value;
    return { label: label ? label.textContent.trim() : null, value };
  });
  return {
    done: true,
    headerType: texts('.bio-properties-panel-header-type'),
    headerLabel: texts('.bio-properties-panel-header-label'),
    groups: texts('.bio-properties-panel-group-header-title'),
    entries,
  };
}

const commands = {
  async open({ url, timeout }) {
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeout * 1000 });
    const state = await poll(() => {
      const main = document.querySelector('[data-version]');
      const status = main && main.dataset.modeler;
      if (status === 'failed') return { done: true, failed: document.getElementById('modeler-error').textContent };
      return { done: status === 'ready' };
    }, null, timeout);
    if (state.failed) throw new Error(state.failed);
    return {};
  },
  async panel() {
    return poll(panelState, null, 10);
  },
  async text({ selector, contains, timeout }) {
    return poll(({ selector, contains }) => {
      const node = document.querySelector(selector);
      const text = node ? node.textContent : null;
      const ready = !document.querySelector('[data-example]') || document.querySelector('[data-modeler=ready]');
      return { done: Boolean(text && text.includes(contains) && ready), text };
    }, { selector, contains }, timeout);
  },
  async errors() {
    return { errors: consoleErrors };
  },
  async screenshot({ path }) {
    await page.screenshot({ path });
    return {};
  },
};

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const command = JSON.parse(line);
  if (command.op === 'quit') break;
  let answer;
  try {
    answer = { ok: true, ...(await commands[command.op](command)) };
  } catch (error) {
    answer = { ok: false, error: String(error && error.message || error), consoleErrors };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
await browser.close();
