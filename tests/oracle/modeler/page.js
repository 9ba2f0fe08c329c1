/**
 * Browser side of the Modeler harness: what Camunda's own Camunda 7 Modeler shows.
 *
 * Bundled by esbuild (harness.mjs) with camunda-bpmn-js and its stylesheet. It only
 * observes: it opens a diagram with one element template, reports what the Modeler and
 * its properties panel show, and applies the template to a new service task. Deciding
 * what is wrong is left to harness.mjs, which knows what the template asks for.
 */

import Modeler from 'camunda-bpmn-js/lib/camunda-platform/Modeler';
import 'camunda-bpmn-js/dist/assets/camunda-platform-modeler.css';

const CAMUNDA_NS = 'http://camunda.org/schema/1.0/bpmn';

let modeler = null;
let templateProblems = [];

/**
 * A fresh Modeler for one case, with the template (or a list of templates, e.g. two
 * versions of one) loaded through the Modeler's own loader.
 */
async function openDiagram(template, xml) {
  if (modeler) {
    modeler.destroy();
  }
  templateProblems = [];
  modeler = new Modeler({
    container: '#canvas',
    propertiesPanel: { parent: '#panel' }
  });
  const eventBus = modeler.get('eventBus');
  eventBus.on('elementTemplates.errors', ({ errors }) => {
    templateProblems.push(...errors.map(error => `template rejected by the Modeler: ${error.message}`));
  });
  eventBus.on('elementTemplates.warnings', ({ warnings }) => {
    templateProblems.push(...warnings.map(warning => `template warning from the Modeler: ${warning.message || warning}`));
  });
  modeler.get('elementTemplatesLoader').setTemplates(Array.isArray(template) ? template : [ template ]);
  const { warnings } = await modeler.importXML(xml);
  return warnings.map(warning => warning.message);
}

/**
 * The template state the panel's header shows, by the Modeler's own rule
 * (bpmn-js-element-templates getTemplateState), asked through the public service.
 */
function templateStatus(elementTemplates, element) {
  const templateId = element.businessObject.get('camunda:modelerTemplate');
  const template = elementTemplates.get(element);
  if (!templateId) {
    return 'none';
  }
  if (!template) {
    return 'unknown';
  }
  if (template.deprecated) {
    return 'deprecated';
  }
  const latest = elementTemplates.getLatest(templateId, { deprecated: true })[0];
  if (latest && latest !== template) {
    return 'outdated';
  }
  return elementTemplates.isCompatible(template) ? 'known' : 'incompatible';
}

/** Every task that names an element template, and how the Modeler resolves it. */
function connectorTasks() {
  const elementTemplates = modeler.get('elementTemplates');
  return modeler.get('elementRegistry')
    .filter(element => element.businessObject.get('camunda:modelerTemplate'))
    .map(element => {
      const resolved = elementTemplates.get(element);
      return {
        id: element.id,
        templateId: element.businessObject.get('camunda:modelerTemplate'),
        templateVersion: element.businessObject.get('camunda:modelerTemplateVersion'),
        resolved: resolved ? { id: resolved.id, version: resolved.version } : null,
        available: elementTemplates.getAll(element.businessObject.get('camunda:modelerTemplate'))
          .map(template => template.version),
        status: templateStatus(elementTemplates, element)
      };
    });
}

/** Select an element, as a click on the canvas would; the panel renders it. */
function select(elementId) {
  const element = modeler.get('elementRegistry').get(elementId);
  modeler.get('selection').select(element);
}

function entryValue(entry) {
  const control = entry.querySelector('select, textarea, input');
  return control ? control.value : null;
}

/** What the properties panel shows: its groups, their entries, values and errors. */
function readPanel() {
  const header = document.querySelector('[data-group-id="group-ElementTemplates__Template"] .bio-properties-panel-group-header-buttons');
  const menu = header?.querySelector('.bio-properties-panel-dropdown-button__menu');
  const groups = [ ...document.querySelectorAll('#panel .bio-properties-panel-group') ].map(group => ({
    id: group.getAttribute('data-group-id'),
    label: group.querySelector('.bio-properties-panel-group-header-title')?.textContent.trim() ?? '',
    entries: [ ...group.querySelectorAll('[data-entry-id]') ].map(entry => ({
      id: entry.getAttribute('data-entry-id'),
      label: entry.querySelector('.bio-properties-panel-label')?.textContent.trim() ?? '',
      value: entryValue(entry),
      error: entry.querySelector('.bio-properties-panel-error')?.textContent.trim() ?? null
    }))
  }));
  return {
    templateHeader: header ? header.textContent.replace(menu?.textContent ?? '', '').trim() : null,
    groups,
    errors: [ ...document.querySelectorAll('#panel .bio-properties-panel-error') ].map(error => error.textContent.trim())
  };
}

/** Open every collapsed group of the panel (for the screenshot), by clicking its header. */
function openAllGroups() {
  for (const header of document.querySelectorAll('#panel .bio-properties-panel-group-header:not(.open)')) {
    header.click();
  }
}

/** A new service task beside the diagram, with the template applied by the Modeler itself. */
function applyToNewTask(template) {
  const elementFactory = modeler.get('elementFactory');
  const modeling = modeler.get('modeling');
  const canvas = modeler.get('canvas');
  const shape = elementFactory.createShape({ type: 'bpmn:ServiceTask' });
  const created = modeling.createShape(shape, { x: 100, y: -300 }, canvas.getRootElement());
  const applied = modeler.get('elementTemplates').applyTemplate(created, template);
  return applied.id;
}

function childrenNamed(parent, localName) {
  return [ ...(parent?.children ?? []) ].filter(child => child.namespaceURI === CAMUNDA_NS && child.localName === localName);
}

/** A camunda:field's value, whichever of its four spellings carries it. */
function fieldValue(field) {
  const nested = childrenNamed(field, 'string')[0] ?? childrenNamed(field, 'expression')[0];
  if (nested) {
    return `${nested.localName}:${nested.textContent}`;
  }
  if (field.hasAttribute('expression')) {
    return `expression:${field.getAttribute('expression')}`;
  }
  return `string:${field.getAttribute('stringValue') ?? ''}`;
}

/** camunda:* attributes, fields and input parameters of one task in exported XML. */
function bindingsOf(task) {
  const extensions = [ ...task.children ].find(child => child.localName === 'extensionElements');
  const attributes = {};
  for (const attribute of task.attributes) {
    if (attribute.namespaceURI === CAMUNDA_NS) {
      attributes[`camunda:${attribute.localName}`] = attribute.value;
    }
  }
  const fields = Object.fromEntries(childrenNamed(extensions, 'field').map(field => [ field.getAttribute('name'), fieldValue(field) ]));
  const inputOutput = childrenNamed(extensions, 'inputOutput')[0];
  const inputParameters = Object.fromEntries(childrenNamed(inputOutput, 'inputParameter').map(parameter => [
    parameter.getAttribute('name'),
    parameter.children.length ? `<${parameter.children[0].localName}>${parameter.innerHTML}` : parameter.textContent
  ]));
  return { attributes, fields, inputParameters };
}

/** Export the diagram (saveXML) and read the bindings of the given tasks from it. */
async function exportedBindings(taskIds) {
  const { xml } = await modeler.saveXML({ format: true });
  const document_ = new DOMParser().parseFromString(xml, 'application/xml');
  const tasks = [ ...document_.getElementsByTagNameNS('*', 'serviceTask') ];
  return Object.fromEntries(taskIds.map(id => {
    const task = tasks.find(candidate => candidate.getAttribute('id') === id);
    return [ id, task ? bindingsOf(task) : null ];
  }));
}

window.catalystModeler = {
  openDiagram,
  templateProblems: () => templateProblems,
  connectorTasks,
  select,
  readPanel,
  openAllGroups,
  applyToNewTask,
  exportedBindings
};
