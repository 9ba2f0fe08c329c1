// The browser side of `catalyst-gen preview`.
//
// The page the server sends is either the preview (README, logo, an empty Modeler) or the
// located problems of a broken spec. Both carry the version of what they show; this script
// reloads the page when the server announces another version (server-sent events). On the
// preview it opens the example process in the Camunda 7 Modeler with the connector's element
// template loaded, applies it to the connector task if the diagram does not already, and
// selects that task so the properties panel shows the template as a Modeler user sees it.
// Nothing from the spec is ever evaluated: the diagram and the template arrive as data.

import CamundaPlatformModeler from 'camunda-bpmn-js/lib/camunda-platform/Modeler';

import 'camunda-bpmn-js/dist/assets/camunda-platform-modeler.css';
import './preview.css';

function reloadOnChange(shownVersion) {
  const events = new EventSource('/events');
  events.addEventListener('version', (event) => {
    if (event.data !== shownVersion) {
      events.close();
      window.location.reload();
    }
  });
}

async function fetchText(url) {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) {
    throw new Error(`${url}: HTTP ${response.status}`);
  }
  return response.text();
}

async function openModeler(page) {
  const [xml, templateText] = await Promise.all([
    fetchText(page.dataset.example),
    fetchText(page.dataset.template),
  ]);
  const template = JSON.parse(templateText);
  const modeler = new CamundaPlatformModeler({
    container: '#canvas',
    propertiesPanel: { parent: '#properties' },
    elementTemplates: [template],
  });
  await modeler.importXML(xml);
  const task = modeler.get('elementRegistry').get(page.dataset.task);
  if (!task) {
    throw new Error(`the example has no task ${page.dataset.task}`);
  }
  const elementTemplates = modeler.get('elementTemplates');
  if (!elementTemplates.get(task)) {
    elementTemplates.applyTemplate(task, template);
  }
  await showInPanel(modeler, task);
  const canvas = modeler.get('canvas');
  canvas.resized();
  canvas.zoom('fit-viewport', 'auto');
  canvas.zoom(canvas.zoom() * 0.85, 'auto'); // a margin: fit-viewport puts the end events on the edges
  canvas.scroll({ dx: 40, dy: 0 }); // and the palette covers the canvas's left edge
}

// Select the task and wait until the properties panel shows it. The panel subscribes to
// selection changes only once it has rendered, which may be after the import finished:
// select again until it answers (bounded).
async function showInPanel(modeler, task) {
  const eventBus = modeler.get('eventBus');
  const selection = modeler.get('selection');
  for (let attempt = 0; attempt < 50; attempt++) {
    const shown = new Promise((resolve) => {
      const onUpdate = (event) => {
        if (event.element === task) {
          eventBus.off('propertiesPanel.updated', onUpdate);
          resolve(true);
        }
      };
      eventBus.on('propertiesPanel.updated', onUpdate);
      setTimeout(() => {
        eventBus.off('propertiesPanel.updated', onUpdate);
        resolve(false);
      }, 100);
    });
    selection.select(null);
    selection.select(task);
    if (await shown) {
      return;
    }
  }
  throw new Error('the properties panel did not show the connector task');
}

function start() {
  const page = document.querySelector('[data-version]');
  reloadOnChange(page.dataset.version);
  if (!page.dataset.example) {
    return;
  }
  openModeler(page).then(
    () => { page.dataset.modeler = 'ready'; },
    (error) => {
      page.dataset.modeler = 'failed';
      document.getElementById('modeler-error').textContent = `The Modeler could not open the example: ${error.message}`;
    },
  );
}

start();
