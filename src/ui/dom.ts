/**
 * Small DOM helpers shared by the panels: reading a panel's form, its status and error lines,
 * notes and tables. Text goes in as text (textContent), never as HTML.
 */
import { messageOf } from './api.js'

export interface PanelElements {
  section: HTMLElement
  form: HTMLFormElement
  status: HTMLElement
  error: HTMLElement
  notes: HTMLElement
  table: HTMLElement
}

function required<T extends Element> (root: ParentNode, selector: string): T {
  const found = root.querySelector<T>(selector)
  if (found === null) throw new Error(`quant view: ${selector} is missing from the page`)
  return found
}

/** The elements of the panel section `id` (index.html gives each the same parts). */
export function panelElements (id: string): PanelElements {
  const section = required<HTMLElement>(document, `#${id}`)
  return {
    section,
    form: required<HTMLFormElement>(section, 'form'),
    status: required<HTMLElement>(section, '.status'),
    error: required<HTMLElement>(section, '.error'),
    notes: required<HTMLElement>(section, '.notes'),
    table: required<HTMLElement>(section, '.table')
  }
}

/** Typed reads of a form's named controls (the browser has already checked required, min, max). */
export class FormReader {
  private readonly data: FormData
  constructor (form: HTMLFormElement) { this.data = new FormData(form) }

  text (name: string): string {
    return String(this.data.get(name) ?? '').trim()
  }

  number (name: string): number {
    return Number(this.text(name))
  }

  /** undefined when the field is empty. */
  optionalNumber (name: string): number | undefined {
    const value = this.text(name)
    return value === '' ? undefined : Number(value)
  }
}

/** Shows an error message (or hides the line when undefined). */
export function showError (line: HTMLElement, message: string | undefined): void {
  line.textContent = message ?? ''
  line.hidden = message === undefined
}

export function setNotes (list: HTMLElement, notes: readonly string[]): void {
  list.replaceChildren(...notes.map((note) => {
    const item = document.createElement('li')
    item.textContent = note
    return item
  }))
}

export type Cell = string | Node

/** The text of a cell the API gave no value for (fmt's). */
const NO_VALUE = '-'

/**
 * A table of text cells (or nodes such as buttons); rowClass marks rows (e.g. the chosen one).
 * A column without a single value (a field today's API does not send yet) is left out.
 */
export function renderTable (container: HTMLElement, headers: readonly string[], allRows: readonly Cell[][], rowClass?: (row: number) => string | undefined): HTMLTableElement {
  const kept = headers.map((_, j) => j).filter((j) => allRows.length === 0 || allRows.some((cells) => cells[j] !== NO_VALUE))
  const rows = allRows.map((cells) => kept.map((j) => cells[j]))
  const table = document.createElement('table')
  const head = table.createTHead().insertRow()
  for (const title of kept.map((j) => headers[j])) {
    const th = document.createElement('th')
    th.scope = 'col'
    th.textContent = title
    head.append(th)
  }
  const body = table.createTBody()
  rows.forEach((cells, i) => {
    const tr = body.insertRow()
    const cls = rowClass?.(i)
    if (cls !== undefined) tr.className = cls
    for (const cell of cells) tr.insertCell().append(cell)
  })
  container.replaceChildren(table)
  return table
}

/** A colour swatch followed by a label, for legend-like table cells. */
export function swatch (color: string, label: string): HTMLElement {
  const span = document.createElement('span')
  const box = document.createElement('span')
  box.className = 'swatch'
  box.style.background = color
  span.append(box, label)
  return span
}

/** An API number for display: 4 significant digits, NO_VALUE when the API sent none (null or absent). */
export function fmt (value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined) return NO_VALUE
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e7)) return Number(value.toPrecision(digits)).toExponential()
  return Number(value.toPrecision(digits)).toString()
}

/** A time in ms since epoch as an ISO date and time (UTC). */
export function fmtTimeMs (ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z')
}

/**
 * Runs one update of a panel: marks it loading (data-state, for people and tests), shows the
 * error its work throws in the API's words (after `onError` cleared what it drew), and ignores a
 * run overtaken by a newer one.
 */
export function panelRunner (panel: PanelElements, onError: () => void = () => {}): (work: (isCurrent: () => boolean) => Promise<void>) => Promise<void> {
  let generation = 0
  return async (work) => {
    const mine = ++generation
    const isCurrent = (): boolean => mine === generation
    panel.section.dataset.state = 'loading'
    panel.status.textContent = 'Asking the API...'
    showError(panel.error, undefined)
    try {
      await work(isCurrent)
      if (!isCurrent()) return
      panel.section.dataset.state = 'ready'
      panel.status.textContent = ''
    } catch (err) {
      if (!isCurrent()) return
      // no stale picture beside the API's message
      onError()
      setNotes(panel.notes, [])
      panel.table.replaceChildren()
      showError(panel.error, messageOf(err))
      panel.section.dataset.state = 'error'
      panel.status.textContent = ''
    }
  }
}

/** Submits a form's values through `handler` on submit (Enter in any field, or its button). */
export function onSubmit (form: HTMLFormElement, handler: () => void): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    handler()
  })
}

/** Sets named controls of a form (e.g. one panel handing its order to another). */
export function setFormValues (form: HTMLFormElement, values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) {
    const control = form.elements.namedItem(name)
    if (control instanceof HTMLInputElement || control instanceof HTMLSelectElement) control.value = value
  }
}
