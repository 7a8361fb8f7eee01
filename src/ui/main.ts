/**
 * The quant view's entry module: fills the symbol list from GET /v1/models, wires each panel to
 * its form (Enter or its button re-asks the API) and draws every panel once on the defaults.
 */
import { getJson, messageOf } from './api.js'
import type { ModelsResponse } from './api-types.js'
import { onSubmit, showError } from './dom.js'
import { calibrationPanel } from './panel-calibration.js'
import { costPanel } from './panel-cost.js'
import { frontierPanel } from './panel-frontier.js'
import { schedulePanel } from './panel-schedule.js'

async function fillSymbols (): Promise<void> {
  const list = document.getElementById('symbols')!
  try {
    const catalog = await getJson<ModelsResponse>('v1/models')
    list.replaceChildren(...catalog.symbols.filter((s) => s.symbol !== '*').map((s) => {
      const option = document.createElement('option')
      option.value = s.symbol
      return option
    }))
  } catch (err) {
    showError(document.getElementById('page-error')!, `Symbols could not be listed: ${messageOf(err)}`)
  }
}

function start (): void {
  const cost = costPanel()
  const schedule = schedulePanel()
  const frontier = frontierPanel(schedule.load)
  const calibration = calibrationPanel()
  const forms: Array<[string, () => Promise<void>]> = [
    ['cost-form', cost], ['schedule-form', schedule.run], ['frontier-form', frontier], ['calibration-form', calibration]
  ]
  for (const [id, run] of forms) onSubmit(document.getElementById(id) as HTMLFormElement, () => { void run() })
  void fillSymbols()
  for (const [, run] of forms) void run()
}

start()
